"""Exposure maps: AEFF at (true-energy centres, pixel-centre offset) × live time (§2.2)."""
import numpy as np
from astropy import units as u

from .irf_eval import aeff_on_pixels
from .pixels import pixel_grid, pointing_radec_deg
from .quantities import axis_values, to_float

__all__ = ["exposure_values", "make_map_exposure_true_energy"]


def exposure_values(pointing, livetime_s, aeff, geom):
    """Exposure in m² s as an array of ``geom.data_shape`` (one-bin extra axes allowed)."""
    ra0, dec0 = pointing_radec_deg(pointing)
    energy = axis_values(geom.axes["energy_true"], "center", "TeV")
    grid = pixel_grid(geom)
    area = aeff_on_pixels(aeff, energy, grid.offset(ra0, dec0))
    factor = float(u.Unit(aeff.unit).to(u.m**2)) * float(livetime_s)
    area *= factor  # fresh array from aeff_on_pixels
    return area.reshape(geom.data_shape)


def make_map_exposure_true_energy(pointing, livetime, aeff, geom, use_region_center=True):
    """Exposure map (``m2 s``, float64) of ``aeff`` for ``livetime`` on ``geom``."""
    from gammabin.maps import Map

    if getattr(geom, "is_region", False):
        from .regions import region_exposure_values

        data = region_exposure_values(pointing, to_float(livetime, "s"), aeff, geom, use_region_center)
    else:
        data = exposure_values(pointing, to_float(livetime, "s"), aeff, geom)
    return Map.from_geom(geom, data=np.asarray(data, dtype=float), unit="m2 s")
