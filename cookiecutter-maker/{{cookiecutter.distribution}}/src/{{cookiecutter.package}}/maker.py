"""``{{ cookiecutter.maker_class }}``: keep only a fixed reconstructed-energy band in ``mask_safe``."""
import attrs
import numpy as np

from gammabin.makers import Maker
from gammabin.makers.parameters import quantity_field

__all__ = ["{{ cookiecutter.maker_class }}"]

# Axis edges come from logspace: 1 TeV may be stored as 0.9999999999999998 TeV.
_EDGE_RTOL = 1e-6


@attrs.define
class {{ cookiecutter.maker_class }}(Maker):
    """Mask reco-energy bins outside ``[energy_min, energy_max]``.

    A bin is kept when its lower edge is at least ``energy_min`` and its upper
    edge at most ``energy_max``.  The result is AND-ed with the dataset's safe
    mask when one is set (any bin true); an unset (all-false) mask counts as
    "everything safe", as gammabin's ``SafeMaskMaker`` treats it.
    """

    tag = "{{ cookiecutter.tag }}"

    energy_min: object = quantity_field("1 TeV", "TeV", doc="lowest reconstructed energy kept")
    energy_max: object = quantity_field("10 TeV", "TeV", doc="highest reconstructed energy kept")

    def energy_mask(self, geom):
        """Boolean array of ``geom.data_shape``: true in the kept energy bins."""
        axis = geom.axes["energy"]
        edges = axis.edges.to_value("TeV")
        low, high = self.energy_min.to_value("TeV"), self.energy_max.to_value("TeV")
        keep = (edges[:-1] >= low * (1 - _EDGE_RTOL)) & (edges[1:] <= high * (1 + _EDGE_RTOL))
        shape = [1] * len(geom.data_shape)
        shape[geom.axes.index_data("energy")] = -1
        return np.broadcast_to(keep.reshape(shape), geom.data_shape)

    def run(self, dataset, observation=None):
        from gammabin.maps import Map

        geom = dataset.counts.geom
        mask = self.energy_mask(geom).copy()
        current = dataset.mask_safe
        if current is not None and np.any(current.data):
            mask &= np.asarray(current.data, dtype=bool)
        dataset.mask_safe = Map.from_geom(geom, data=mask, dtype=bool)
        return dataset
