"""Background counts per (reco bin, pixel) in one cache-blocked pass (§2.2 steps 3–5).

Same arithmetic as ``bkg_log_rate_on_pixels`` + ``kernels.integrate_power_law_bins``
(log-rate multilinear in the pixel axes, power law between the reco-energy edges), but
the pixels are processed in blocks whose (n_e × block) temporaries stay in the CPU
cache, with pixels on the last axis so every elementwise loop runs long and contiguous.
Whole-array passes over (n_e × n_pix) temporaries were the cost, not the arithmetic.  Only log-scaled tables (every DL3 background) take this path; masking is
identical: a bin touching an edge whose log-rate is invalid (outside the axis edges,
non-finite, below ln(2·tiny64)) is 0, and so is a non-finite integral.
"""
import numpy as np

from .irf_grid import contract, gather_corners, irf_grid, pixel_corners

__all__ = ["background_integrals"]

_LOG_2TINY64 = float(np.log(2 * np.finfo(float).tiny))
_BLOCK = 2048  # pixels per block: (n_e × 2048) float64 temporaries ≈ 200 kB


def background_integrals(bkg, edges, pixel_scale, fov_lon=None, fov_lat=None, offset=None):
    """``(n_bins, n_pix)`` = ∫ rate dE over each reco bin (power law between edges, TeV)
    × ``pixel_scale`` (n_pix,), or ``None`` when the table is not log-scaled (caller
    falls back to the two-step path)."""
    grid = irf_grid(bkg)
    if grid.values_scale != "log":
        return None
    edges = np.asarray(edges, dtype=float)
    corners_e, bad_e = grid.corners("energy", edges)
    table = contract(grid.values, grid.names.index("energy"), corners_e)  # (n_e, ...)
    if "offset" in grid.names:
        table = np.moveaxis(table, grid.names.index("offset"), -1)
        corners, bad_o = grid.corners("offset", offset)
        pixel_axes, bad_pix = [corners], bad_o
    else:
        order = [grid.names.index(n) for n in ("energy", "fov_lon", "fov_lat")]
        table = np.transpose(table, order)
        corners_lon, bad_lon = grid.corners("fov_lon", fov_lon)
        corners_lat, bad_lat = grid.corners("fov_lat", fov_lat)
        pixel_axes, bad_pix = [corners_lon, corners_lat], bad_lon | bad_lat
    n_e = table.shape[0]
    cell_shape = table.shape[1:]
    rows = np.ascontiguousarray(table.reshape(n_e, -1), dtype=float)  # (n_e, n_cells)
    corners = pixel_corners(pixel_axes, cell_shape)
    n_pix = corners[0][0].shape[0]
    scale = np.broadcast_to(np.asarray(pixel_scale, dtype=float), (n_pix,))
    log_edges = np.log(edges)[:, None]
    log_ratio = np.log(edges[1:] / edges[:-1])[:, None]  # as integrate_power_law_bins
    bad_bins = bad_e[:-1] | bad_e[1:]
    bad_pix = np.broadcast_to(bad_pix, (n_pix,))
    any_bad_bins, any_bad_pix = bool(bad_bins.any()), bool(bad_pix.any())
    out = np.empty((n_e - 1, n_pix))
    block = min(_BLOCK, max(n_pix, 1))
    acc = np.empty((n_e, block))
    buf = np.empty((n_e, block))
    vbuf = np.empty((n_e, block))
    dbuf = np.empty((n_e - 1, block))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for lo in range(0, n_pix, block):
            hi = min(lo + block, n_pix)
            n = hi - lo
            u = gather_corners(rows, corners, acc[:, :n], buf[:, :n], slice(lo, hi))  # log-rate
            if not u.min() >= _LOG_2TINY64:  # −inf/NaN/underflowing rate: exp would give 0
                u[~np.isfinite(u) | (u < _LOG_2TINY64)] = -np.inf
            u += log_edges  # u = ln(E·rate)
            v = np.exp(u, out=vbuf[:, :n])
            ratio = np.subtract(u[1:], u[:-1], out=dbuf[:, :n])
            np.divide(log_ratio, ratio, out=ratio)  # L / Δu
            res = np.subtract(v[1:], v[:-1], out=out[:, lo:hi])
            res *= ratio
            if not (ratio.max() < 1e8 and ratio.min() > -1e8):  # |Δu| ≤ 1e-8·L: flat spectrum
                flat = np.abs(ratio) >= 1e8
                res[flat] = (v[:-1] * log_ratio)[flat]
            if not np.isfinite(res).all():
                res[~np.isfinite(res)] = 0.0
            if any_bad_bins:  # zeroed before the scale: NaN solid angles stay NaN, as gammapy
                res[bad_bins] = 0.0
            if any_bad_pix:
                res[:, bad_pix[lo:hi]] = 0.0
            res *= scale[lo:hi]
    return out
