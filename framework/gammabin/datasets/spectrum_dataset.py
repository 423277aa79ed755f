"""``SpectrumDataset``: a MapDataset on a RegionGeom (one spatial bin; spec §1.9)."""
from gammabin.maps.region_geom import RegionGeom

from . import create as _create
from .map_dataset import MapDataset

__all__ = ["SpectrumDataset"]


def require_region_geom(geom, what):
    if not isinstance(geom, RegionGeom):
        raise TypeError(f"{what} requires a RegionGeom, got {type(geom).__name__}")


class SpectrumDataset(MapDataset):
    """Counts, exposure, background and energy dispersion in one sky region."""

    tag = "SpectrumDataset"

    @classmethod
    def create(cls, geom, energy_axis_true=None, migra_axis=None, reference_time="2000-01-01", name=None, meta_table=None, **kwargs):
        """Empty dataset on a RegionGeom (MapDataset rules on one pixel; no PSF)."""
        require_region_geom(geom, f"{cls.__name__}.create")
        kwargs.pop("binsz_irf", None)
        kwargs.pop("rad_axis", None)
        geoms = _create.create_geoms(geom, energy_axis_true=energy_axis_true, migra_axis=migra_axis)
        geoms.pop("geom_psf")
        return cls.from_geoms(**geoms, reference_time=reference_time, name=name, meta_table=meta_table, **kwargs)

    def cutout(self, *args, **kwargs):
        raise NotImplementedError("Method not supported on a spectrum dataset")
