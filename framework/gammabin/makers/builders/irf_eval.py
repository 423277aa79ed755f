"""IRF values on map pixels: AEFF, background rate, PSF and EDISP tables evaluated by
the separable scheme of :mod:`.irf_grid`.  Inputs are canonical-unit floats (TeV, deg);
outputs are float64 arrays in the IRF's own unit, last dimension = pixel."""
import numpy as np

from .irf_grid import contract, gather_pixels, irf_grid

_LOG_2TINY64 = float(np.log(2 * np.finfo(float).tiny))

__all__ = ["aeff_on_pixels", "bkg_rate_on_pixels", "bkg_log_rate_on_pixels", "psf_table_on_pixels", "edisp_on_pixels"]


def aeff_on_pixels(aeff, energy_true, offset):
    """Effective area at (n_E,) true energies × (n_pix,) offsets → (n_E, n_pix), aeff unit."""
    grid = irf_grid(aeff)
    corners_e, bad_e = grid.corners("energy_true", energy_true)
    corners_o, bad_o = grid.corners("offset", offset)
    table = contract(grid.values, grid.names.index("energy_true"), corners_e)
    if grid.names.index("offset") == 0:  # (offset, energy) tables: bring offset last
        table = table.T
    values = gather_pixels(table, [corners_o])
    return grid.finish(values, (bad_e[:, None], bad_o[None, :]))


def bkg_log_rate_on_pixels(bkg, energy, fov_lon=None, fov_lat=None, offset=None):
    """Natural log of the background rate (bkg unit) at (n_e,) reco energies × pixels →
    (n_e, n_pix); −inf where the rate is 0 (outside the edges, non-finite).

    3-D models take FoV ``fov_lon``/``fov_lat`` (deg), 2-D models ``offset``.  The log
    interpolation result is returned before the ``exp`` of §2.2, so a power-law bin
    integral needs no second log."""
    grid = irf_grid(bkg)
    corners_e, bad_e = grid.corners("energy", energy)
    table = contract(grid.values, grid.names.index("energy"), corners_e)
    if "offset" in grid.names:
        table = np.moveaxis(table, grid.names.index("offset"), -1)
        corners_o, bad_o = grid.corners("offset", offset)
        values = gather_pixels(table, [corners_o])
        invalid = (bad_e[:, None], bad_o[None, :])
    else:
        order = [grid.names.index("energy"), grid.names.index("fov_lon"), grid.names.index("fov_lat")]
        table = np.transpose(table, order)
        corners_lon, bad_lon = grid.corners("fov_lon", fov_lon)
        corners_lat, bad_lat = grid.corners("fov_lat", fov_lat)
        values = gather_pixels(table, [corners_lon, corners_lat])
        invalid = (bad_e[:, None], (bad_lon | bad_lat)[None, :])
    if grid.values_scale != "log":
        with np.errstate(divide="ignore"):
            values = np.log(grid.finish(values, invalid))
        return values
    # exp(v) would be zeroed when within one float64 tiny of 0: same as v < ln(2·tiny64)
    invalid = np.broadcast_to(invalid[0] | invalid[1], values.shape) | ~np.isfinite(values) | (values < _LOG_2TINY64)
    values[invalid] = -np.inf
    return values


def bkg_rate_on_pixels(bkg, energy, fov_lon=None, fov_lat=None, offset=None):
    """Background rate at (n_e,) reco energies × pixels → (n_e, n_pix), bkg unit."""
    return np.exp(bkg_log_rate_on_pixels(bkg, energy, fov_lon=fov_lon, fov_lat=fov_lat, offset=offset))


def psf_table_on_pixels(psf, energy_true, rad, offset):
    """PSF3D table at (n_E,) true energies × (n_r,) radii × (n_pix,) offsets → (n_E, n_r, n_pix)."""
    grid = irf_grid(psf)
    corners_e, bad_e = grid.corners("energy_true", energy_true)
    corners_r, bad_r = grid.corners("rad", rad)
    corners_o, bad_o = grid.corners("offset", offset)
    table = np.transpose(grid.values, [grid.names.index(n) for n in ("energy_true", "rad", "offset")])
    table = contract(table, 0, corners_e)
    table = contract(table, 1, corners_r)
    values = gather_pixels(table, [corners_o])
    invalid = (bad_e[:, None, None], bad_r[None, :, None], bad_o[None, None, :])
    return grid.finish(values, invalid)


def edisp_on_pixels(edisp, energy_true, offset, migra=None):
    """EDISP_2D at (n_E,) true energies × migra × (n_pix,) offsets → (n_E, n_migra, n_pix).

    ``migra=None`` uses the IRF's own migra centres (no interpolation along migra, the
    kernel recipe of §2.4).  Fill only where (energy and migra) or offset are outside."""
    grid = irf_grid(edisp)
    corners_e, bad_e = grid.corners("energy_true", energy_true)
    corners_o, bad_o = grid.corners("offset", offset)
    table = np.transpose(grid.values, [grid.names.index(n) for n in ("energy_true", "migra", "offset")])
    table = contract(table, 0, corners_e)
    if migra is None:
        bad_m = np.zeros(table.shape[1], dtype=bool)
    else:
        corners_m, bad_m = grid.corners("migra", migra)
        table = contract(table, 1, corners_m)
    values = gather_pixels(table, [corners_o])
    invalid = (bad_e[:, None, None] & bad_m[None, :, None], bad_o[None, None, :])
    return grid.finish(values, invalid)
