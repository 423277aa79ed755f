"""A list of observations; ``ids`` are obs ids as strings, items by int, slice,
list or id string."""
import collections.abc

import numpy as np

from gammabin.errors import UnknownObservationError

from .read_ahead import read_ahead

__all__ = ["Observations"]


class Observations(collections.abc.MutableSequence):
    def __init__(self, observations=None):
        self._observations = []
        for obs in observations or []:
            self.append(obs)

    @property
    def ids(self):
        return [str(obs.obs_id) for obs in self._observations]

    def __len__(self):
        return len(self._observations)

    def __iter__(self):
        # one run ahead: its file is read while the caller reduces this one (read_ahead.py)
        observations = list(self._observations)
        for i, obs in enumerate(observations):
            if i + 1 < len(observations):
                read_ahead(observations[i + 1])
            yield obs

    def _index(self, key):
        if isinstance(key, (int, np.integer)):
            return int(key)
        if isinstance(key, str):
            ids = self.ids
            if key not in ids:
                raise UnknownObservationError(f"observation id {key!r} not in this list ({', '.join(ids)})")
            return ids.index(key)
        raise TypeError(f"invalid observation key {key!r}: use an int, a slice, a list or an id string")

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.__class__(self._observations[key])
        if isinstance(key, (list, tuple, np.ndarray)):
            key = np.asarray(key)
            if key.dtype == bool:
                return self.__class__([o for o, keep in zip(self._observations, key) if keep])
            return self.__class__([self[k.item() if hasattr(k, "item") else k] for k in key])
        return self._observations[self._index(key)]

    def __setitem__(self, key, obs):
        self._observations[self._index(key)] = obs

    def __delitem__(self, key):
        del self._observations[self._index(key)]

    def insert(self, index, obs):
        self._observations.insert(index, obs)

    def index(self, obs):
        if isinstance(obs, str):
            return self._index(obs)
        return self._observations.index(obs)

    def select_time(self, time_intervals):
        """Each observation cut to each interval (those with events left are kept)."""
        if not isinstance(time_intervals, list):
            time_intervals = [time_intervals]
        selected = []
        for interval in time_intervals:
            for obs in self._observations:
                sub = obs.select_time(interval)
                if sub.gti is not None and len(sub.gti) > 0:
                    selected.append(sub)
        return self.__class__(selected)

    def __str__(self):
        lines = ["Observations", f"Number of observations: {len(self)}"]
        lines += [str(obs) for obs in self._observations]
        return "\n".join(lines)

    def __repr__(self):
        return f"Observations(ids={self.ids})"
