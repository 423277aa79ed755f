"""Region (spectrum) geometries: exposure and background at the region centre
(``use_region_center=True``, datasets-makers.md §2.4).  The weighted-pixel variant
(``use_region_center=False``) is not implemented yet."""
import numpy as np
from astropy import units as u

from gammabin import kernels

from .background import _fov_alignment
from .irf_eval import aeff_on_pixels, bkg_log_rate_on_pixels
from .pixels import pointing_radec_deg
from .quantities import axis_values

__all__ = ["region_exposure_values", "region_background_values"]


def _centre_radec(geom):
    icrs = geom.center_skydir.icrs
    return np.array([float(icrs.ra.deg)]), np.array([float(icrs.dec.deg)])


def _only_centre(use_region_center):
    if not use_region_center:
        raise NotImplementedError("use_region_center=False (weighted region pixels) is not implemented yet")


def region_exposure_values(pointing, livetime_s, aeff, geom, use_region_center=True):
    _only_centre(use_region_center)
    ra0, dec0 = pointing_radec_deg(pointing)
    ra, dec = _centre_radec(geom)
    offset = kernels.angular_separation(ra0, dec0, ra, dec)
    energy = axis_values(geom.axes["energy_true"], "center", "TeV")
    area = aeff_on_pixels(aeff, energy, offset) * float(u.Unit(aeff.unit).to("m2")) * float(livetime_s)
    return area.reshape(geom.data_shape)


def region_background_values(pointing, ontime_s, bkg, geom, oversampling=None, use_region_center=True):
    _only_centre(use_region_center)
    ra0, dec0 = pointing_radec_deg(pointing)
    ra, dec = _centre_radec(geom)
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
    solid_angle = float(np.asarray(geom.solid_angle().to_value("sr")).ravel()[0])
    counts = counts * (solid_angle * float(ontime_s) * float((u.Unit(bkg.unit) * u.TeV * u.sr * u.s).to(u.one)))
    if n > 1:
        counts = counts.reshape(-1, n, counts.shape[-1]).sum(axis=1)
    return counts.reshape(geom.data_shape)
