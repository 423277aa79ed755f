"""Region (spectrum) geometries (datasets-makers.md §2.4): exposure and background at
the region centre (``use_region_center=True``) or averaged over the pixels of the
region's helper WCS weighted by the covered fraction (``False``); the IRF offset of
a region; the PSF containment correction."""
import logging

import numpy as np
from astropy import units as u

from gammabin import kernels

from .background import _fov_alignment
from .irf_eval import aeff_on_pixels, bkg_log_rate_on_pixels
from .pixels import pointing_radec_deg
from .quantities import axis_values

__all__ = [
    "region_exposure_values",
    "region_background_values",
    "region_offset_deg",
    "containment_correction_values",
    "geom_offsets",
]

log = logging.getLogger(__name__)


_CENTRES = {}


def _centre_radec(geom):
    """ICRS centre of a region geometry; cached per (region, helper WCS) object pair,
    since the squashed copies the builders make share both."""
    key = (id(geom.region), id(geom.wcs))
    hit = _CENTRES.get(key)
    if hit is not None and hit[0] is geom.region and hit[1] is geom.wcs:
        return hit[2]
    icrs = geom.center_skydir.icrs
    value = (np.array([float(icrs.ra.deg)]), np.array([float(icrs.dec.deg)]))
    if len(_CENTRES) >= 16:
        _CENTRES.pop(next(iter(_CENTRES)))
    _CENTRES[key] = (geom.region, geom.wcs, value)
    return value


def _weighted_pixels(geom):
    """(ra, dec, weights, solid_angle_sr) of the helper-WCS pixels the region covers."""
    coords, weights = geom.get_wcs_coord_and_weights()
    sky = coords.skycoord.icrs
    ra, dec = np.ravel(sky.ra.deg), np.ravel(sky.dec.deg)
    image = geom.to_wcs_geom().to_image()
    ix, iy = image.wcs.wcs_world2pix(*_in_frame(coords), 0)
    ix, iy = np.floor(ix + 0.5).astype(int), np.floor(iy + 0.5).astype(int)
    omega = np.asarray(u.Quantity(image.solid_angle()).to_value("sr")).reshape(image.data_shape[-2:])
    return ra, dec, np.ravel(weights), omega[iy, ix]


def _in_frame(coords):
    return np.ravel(u.Quantity(coords.lon, "deg").value), np.ravel(u.Quantity(coords.lat, "deg").value)


def region_offset_deg(geom, pointing):
    """Separation (deg) of the region centre from the pointing, as a 1-element array."""
    ra0, dec0 = pointing_radec_deg(pointing)
    ra, dec = _centre_radec(geom)
    return kernels.angular_separation(ra0, dec0, ra, dec)


def geom_offsets(geom, pointing):
    """Pixel-centre offsets (deg, flattened) of a WCS geometry, or the region centre's
    offset of a region geometry: what the IRF builders evaluate at."""
    if getattr(geom, "is_region", False):
        return region_offset_deg(geom, pointing)
    from .pixels import pixel_grid

    ra0, dec0 = pointing_radec_deg(pointing)
    return pixel_grid(geom).offset(ra0, dec0)


def region_exposure_values(pointing, livetime_s, aeff, geom, use_region_center=True):
    ra0, dec0 = pointing_radec_deg(pointing)
    energy = axis_values(geom.axes["energy_true"], "center", "TeV")
    factor = float(u.Unit(aeff.unit).to(u.m**2)) * float(livetime_s)
    if use_region_center:
        area = aeff_on_pixels(aeff, energy, region_offset_deg(geom, pointing))
    else:
        ra, dec, weights, _ = _weighted_pixels(geom)
        area = aeff_on_pixels(aeff, energy, kernels.angular_separation(ra0, dec0, ra, dec))
        area = np.average(area, axis=-1, weights=weights)[:, None]
    return (area * factor).reshape(geom.data_shape)


def region_background_values(pointing, ontime_s, bkg, geom, oversampling=None, use_region_center=True):
    ra0, dec0 = pointing_radec_deg(pointing)
    if use_region_center:
        ra, dec = _centre_radec(geom)
        weights = None
        omega = float(np.asarray(u.Quantity(geom.solid_angle()).to_value("sr")).ravel()[0])
    else:
        ra, dec, weights, omega = _weighted_pixels(geom)
    axis = geom.axes["energy"]
    n = int(oversampling) if oversampling else 1
    if n > 1:
        axis = axis.upsample(n)
    edges = axis_values(axis, "edges", "TeV")
    if "offset" in bkg.axes.names:
        log_rate = bkg_log_rate_on_pixels(bkg, edges, offset=kernels.angular_separation(ra0, dec0, ra, dec))
    else:
        alignment = _fov_alignment(bkg)
        if alignment == "ALTAZ":
            raise NotImplementedError("ALTAZ-aligned 3-D background models need a time-resolved pointing")
        lon, lat = kernels.fov_coordinates(ra, dec, ra0, dec0, reverse_lon=alignment == "REVERSE_LON_RADEC")
        log_rate = bkg_log_rate_on_pixels(bkg, edges, fov_lon=lon, fov_lat=lat)
    counts = kernels.integrate_power_law_bins(edges, log_rate, overwrite=True)
    counts = counts * (omega * float(ontime_s) * float((u.Unit(bkg.unit) * u.TeV * u.sr * u.s).to(u.one)))
    if weights is not None:
        counts = np.sum(counts * weights, axis=-1, keepdims=True)
    if n > 1:
        counts = counts.reshape(-1, n, counts.shape[-1]).sum(axis=1)
    return counts.reshape(geom.data_shape)


def containment_correction_values(observation, geom, pointing):
    """PSF containment within the ON circle's radius at the region centre's offset, per
    true energy (shaped like the exposure).  ValueError for point-like IRFs, TypeError
    unless the region is a circle."""
    from regions import CircleSkyRegion

    if getattr(observation.aeff, "is_pointlike", False):
        raise ValueError("Cannot apply containment correction for point-like IRF.")
    if not isinstance(geom.region, CircleSkyRegion):
        raise TypeError("Containment correction only supported for circular regions.")
    energy = axis_values(geom.axes["energy_true"], "center", "TeV")
    offset = region_offset_deg(geom, pointing)
    radius = float(geom.region.radius.to_value("deg"))
    values = observation.psf._containment_float(energy, np.full(energy.shape, offset[0]), np.full(energy.shape, radius))
    return np.asarray(values, dtype=float).reshape(geom.data_shape)
