"""A light, picklable stand-in for an observation: its obs id and the *locations* of
its HDUs (file path, HDU name, type, class), never arrays.  Workers rebuild the
Observation from it and read the files themselves, so a task costs a few hundred
bytes to ship whatever the size of the run."""
import attrs

from gammabin.data.observation import LazyHDU, Observation

__all__ = ["RunReference", "run_reference"]


@attrs.frozen
class RunReference:
    """Where one run lives on disk; ``load()`` gives the Observation back."""

    obs_id: int
    hdus: tuple  # ((hdu_type, path, hdu_name, hdu_class), ...)
    obs_filter: object = None  # an ObservationFilter, only when it filters something

    @property
    def files(self):
        """The run's distinct files, events file first."""
        seen = []
        for _, path, _, _ in sorted(self.hdus, key=lambda h: h[0] != "events"):
            if path not in seen:
                seen.append(path)
        return seen

    @property
    def events_file(self):
        return next((path for kind, path, _, _ in self.hdus if kind == "events"), None)

    def load(self):
        sources = {kind: LazyHDU(path, name, kind, cls) for kind, path, name, cls in self.hdus}
        obs = Observation(obs_id=self.obs_id, **sources)
        if self.obs_filter is not None:
            obs.obs_filter = self.obs_filter
        return obs


def run_reference(observation):
    """A :class:`RunReference` for an observation read from files (a DataStore's or
    ``Observation.read``'s), else ``None`` (in-memory content must travel as is)."""
    # The HDU locations are the Observation's own lazy sources; reading them here
    # (rather than adding API to gammabin.data) keeps the data layer unchanged.
    sources = getattr(observation, "_sources", None)
    if not isinstance(sources, dict):
        return None
    hdus = []
    for kind, source in sources.items():
        if source is None:
            continue
        if not isinstance(source, LazyHDU):
            return None
        hdus.append((kind, str(source.path), source.hdu_name, source.hdu_class))
    if not any(kind == "events" for kind, *_ in hdus):
        return None
    obs_filter = observation.obs_filter if observation.obs_filter.is_active else None
    return RunReference(obs_id=int(observation.obs_id), hdus=tuple(hdus), obs_filter=obs_filter)
