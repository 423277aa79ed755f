"""Background maps from BKG_2D/BKG_3D models: rate at the reco-energy edges × FoV
coordinates of each pixel centre, power-law integral per bin, × solid angle × ontime
(§2.2 steps 3–5, data-irf-maps.md §2.6)."""
import numpy as np
from astropy import units as u

from gammabin import kernels

from .bkg_fused import background_integrals
from .irf_eval import bkg_log_rate_on_pixels
from .pixels import pixel_grid, pointing_radec_deg
from .quantities import axis_values, to_float

__all__ = ["background_values", "make_map_background_irf"]


def _fov_alignment(bkg):
    value = getattr(bkg, "fov_alignment", "RADEC")
    return str(getattr(value, "value", value)).upper()


def _rate_integrals(bkg, edges_tev, grid, ra0, dec0, pixel_scale):
    """(n_bins, n_pix) integrals of the rate over each reco bin, in bkg.unit × TeV,
    times ``pixel_scale`` (n_pix,)."""
    if "offset" in bkg.axes.names:
        coords = {"offset": grid.offset(ra0, dec0)}
    else:
        alignment = _fov_alignment(bkg)
        if alignment == "ALTAZ":
            raise NotImplementedError("ALTAZ-aligned 3-D background models need a time-resolved pointing")
        fov_lon, fov_lat = grid.fov_coordinates(ra0, dec0, reverse_lon=alignment == "REVERSE_LON_RADEC")
        coords = {"fov_lon": fov_lon, "fov_lat": fov_lat}
    counts = background_integrals(bkg, edges_tev, pixel_scale, **coords)
    if counts is None:  # linear-scaled table: the two-step path
        log_rate = bkg_log_rate_on_pixels(bkg, edges_tev, **coords)
        counts = kernels.integrate_power_law_bins(edges_tev, log_rate, overwrite=True) * pixel_scale
    return counts


def background_values(pointing, ontime_s, bkg, geom, oversampling=None):
    """Predicted background counts as an array of ``geom.data_shape``."""
    ra0, dec0 = pointing_radec_deg(pointing)
    axis = geom.axes["energy"]
    if oversampling is not None and int(oversampling) > 1:
        axis = axis.upsample(int(oversampling))
    edges = axis_values(axis, "edges", "TeV")
    grid = pixel_grid(geom)
    factor = float((u.Unit(bkg.unit) * u.TeV * u.sr * u.s).to(u.one)) * float(ontime_s)
    counts = _rate_integrals(bkg, edges, grid, ra0, dec0, grid.solid_angle * factor)
    if oversampling is not None and int(oversampling) > 1:
        counts = counts.reshape(-1, int(oversampling), counts.shape[-1]).sum(axis=1)
    return counts.reshape(geom.data_shape)


def make_map_background_irf(pointing, ontime, bkg, geom, time_start=None, fov_rotation_step=1.0 * u.deg,
                            oversampling=None, use_region_center=True, location=None):
    """Background counts map (float64, unit "") of ``bkg`` for ``ontime`` on ``geom``.

    The missing-data fill and offset padding are the maker's job (§2.3)."""
    from gammabin.maps import Map

    if getattr(geom, "is_region", False):
        from .regions import region_background_values

        data = region_background_values(pointing, to_float(ontime, "s"), bkg, geom, oversampling, use_region_center)
    else:
        data = background_values(pointing, to_float(ontime, "s"), bkg, geom, oversampling=oversampling)
    return Map.from_geom(geom, data=np.asarray(data, dtype=float), unit="")
