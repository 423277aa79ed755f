"""Dataset base: names, masks and the rules shared by every dataset (spec §0, §1.1)."""
import base64
import uuid

import numpy as np

__all__ = ["Dataset", "make_name"]


def make_name():
    """Random 8-character name: URL-safe base64 of a random UUID, never starting with ``_``."""
    while True:
        name = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode()[:8]
        if not name.startswith("_"):
            return name


class Dataset:
    """Common behaviour: ``name``, ``mask``, ``copy``."""

    tag = None
    stat_type = "cash"

    @property
    def name(self):
        return self._name

    @property
    def mask(self):
        """``mask_safe AND mask_fit`` where both exist, else the one that exists, else None."""
        safe, fit = self.mask_safe, self.mask_fit
        if safe is not None and fit is not None:
            return _map_like(safe, np.logical_and(np.asarray(safe.data), np.asarray(fit.data)))
        return safe if safe is not None else fit

    def copy(self, name=None):
        """Deep copy with a new (random unless given) name; models are dropped."""
        import copy

        new = copy.deepcopy(self)
        new._name = make_name() if name is None else name
        new.models = None
        return new


def _map_like(template, data):
    from gammabin.maps import Map

    return Map.from_geom(template.geom, data=data)
