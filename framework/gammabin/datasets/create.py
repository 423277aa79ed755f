"""Geometry derivation of ``MapDataset.create`` and the empty maps of ``from_geoms``
(spec §1.3).

Memory rule: every map made here that can be large (IRF maps and their exposure maps)
is backed by a read-only zero-stride ``np.broadcast_to`` view of a small array; it is
materialised only when something is written into it (stacking, a maker filling it).
Validity of the projection is tested on the 2-D image only.  So ``create`` on the
default all-sky 0.5° geometry (IRF grid 1800×900, 66 rad bins) stays far below 1 GB.
"""
import logging

import numpy as np
from astropy import units as u
from astropy.time import Time

from gammabin.irf.edisp_map import EDispKernelMap, EDispMap
from gammabin.irf.irf_map import lazy_full
from gammabin.irf.psf_map import PSFMap, RecoPSFMap
from gammabin.maps import Map, MapAxis

__all__ = ["default_rad_axis", "true_energy_axis", "create_geoms", "empty_maps"]

log = logging.getLogger(__name__)

BINSZ_IRF_DEFAULT = 0.2 * u.deg


def default_rad_axis():
    return MapAxis.from_edges(np.linspace(0.0, 0.66, 67), unit="deg", name="rad")


def true_energy_axis(geom, energy_axis_true):
    """The true-energy axis: a renamed copy of the reco axis by default; an axis named
    ``energy`` is accepted through a renamed copy (gammapy 2.1 raises); any other name
    is a ValueError naming the expected and the actual name."""
    if energy_axis_true is None:
        return geom.axes["energy"].copy(name="energy_true")
    if energy_axis_true.name == "energy_true":
        return energy_axis_true
    if energy_axis_true.name == "energy":
        log.warning("energy_axis_true is named 'energy': using a copy renamed 'energy_true'")
        return energy_axis_true.copy(name="energy_true")
    raise ValueError(f"Incorrect energy_axis_true name: expected 'energy_true', got {energy_axis_true.name!r}")


def _extra_axes(geom):
    return [ax for ax in geom.axes if ax.name != "energy"]


def create_geoms(
    geom,
    energy_axis_true=None,
    migra_axis=None,
    rad_axis=None,
    binsz_irf=None,
    reco_psf=False,
):
    """``geom, geom_exposure, geom_psf, geom_edisp`` of ``MapDataset.create``."""
    energy_axis_true = true_energy_axis(geom, energy_axis_true)
    rad_axis = default_rad_axis() if rad_axis is None else rad_axis
    binsz_irf = BINSZ_IRF_DEFAULT if binsz_irf is None else binsz_irf
    extra = _extra_axes(geom)
    geom_image = geom.to_image()
    geom_exposure = geom_image.to_cube([energy_axis_true] + extra)
    if getattr(geom, "is_region", False):
        geom_irf = geom_image
    else:
        binsz = u.Quantity(binsz_irf, "deg").to_value("deg")
        geom_irf = geom_image.to_binsz(binsz)
    energy_axis = geom.axes["energy"]
    psf_energy = energy_axis if reco_psf else energy_axis_true
    geom_psf = geom_irf.to_cube([rad_axis, psf_energy] + extra)
    if migra_axis is not None:
        geom_edisp = geom_irf.to_cube([migra_axis, energy_axis_true] + extra)
    else:
        geom_edisp = geom_irf.to_cube([energy_axis, energy_axis_true] + extra)
    return {"geom": geom, "geom_exposure": geom_exposure, "geom_psf": geom_psf, "geom_edisp": geom_edisp}


def _invalid_image(geom):
    """Pixels outside the projection, from the 2-D image only (None when all valid)."""
    if getattr(geom, "is_region", False) or not getattr(geom, "is_allsky", False) or geom.projection == "CAR":
        return None
    ny, nx = geom.data_shape[-2:]
    yy, xx = np.mgrid[0:ny, 0:nx].astype(float)
    lon, _ = geom.wcs.wcs_pix2world(xx, yy, 0)
    bad = ~np.isfinite(lon)
    return bad if bad.any() else None


def _zeros(geom, unit="", dtype="float32", lazy=False):
    bad = _invalid_image(geom)
    if bad is not None and np.dtype(dtype).kind == "f":
        image = np.where(bad, np.nan, 0).astype(dtype)
        data = np.broadcast_to(image, geom.data_shape)
        data = data if lazy else np.array(data)
    else:
        data = lazy_full(geom.data_shape, 0, dtype) if lazy else np.zeros(geom.data_shape, dtype=dtype)
    return Map.from_geom(geom, data=data, unit=unit)


def empty_maps(geom, geom_exposure=None, geom_psf=None, geom_edisp=None, reference_time="2000-01-01"):
    """Members of an empty dataset (float32 zeros, diagonal edisp, all-False safe mask)."""
    from gammabin.data.gti import GTI

    maps = {
        "counts": _zeros(geom),
        "background": _zeros(geom),
        "mask_safe": Map.from_geom(geom, data=np.zeros(geom.data_shape, dtype=bool)),
    }
    if geom_exposure is not None:
        maps["exposure"] = _zeros(geom_exposure, unit="m2 s")
    if geom_edisp is not None:
        names = geom_edisp.axes.names
        if "energy" in names:
            maps["edisp"] = EDispKernelMap.from_geom(geom_edisp)
        else:
            maps["edisp"] = EDispMap.from_geom(geom_edisp)
    if geom_psf is not None:
        cls = RecoPSFMap if "energy" in geom_psf.axes.names else PSFMap
        psf = _zeros(geom_psf, unit="sr-1", lazy=True)
        psf_x = _zeros(geom_psf.squash("rad"), unit="m2 s", lazy=True)
        maps["psf"] = cls(psf, psf_x)
    ref = Time(reference_time, scale="utc") if not isinstance(reference_time, Time) else reference_time
    maps["gti"] = GTI.create(u.Quantity([], "s"), u.Quantity([], "s"), reference_time=ref)
    return maps
