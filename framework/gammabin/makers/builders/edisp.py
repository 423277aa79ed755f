"""Energy-dispersion maps at IRF resolution (§2.2, DIM §2.4).

Kernel recipe per IRF pixel: EDISP_2D at (true centres, the IRF's own migra centres,
pixel offset), clipped, normalised Σ p Δmigra = 1, cumulated on the migra edges; the
reco-edge migras E_r/E_t are the same for every pixel, so their brackets are computed
once and the CDF is gathered for all pixels at once."""
import numpy as np

from gammabin import kernels

from .irf_eval import edisp_on_pixels
from .irf_grid import contract, gather_pixels, irf_grid
from .pixels import pointing_radec_deg
from .quantities import axis_values
from .regions import geom_offsets

__all__ = ["edisp_kernel_values", "edisp_migra_values", "make_edisp_kernel_map", "make_edisp_map"]


def _normalised_pdf(values, migra_width):
    """p / Σ p Δmigra along axis 1 (0/0 → 0)."""
    norm = np.sum(values * migra_width[None, :, None], axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return kernels.nan_to_num_inplace(values / norm)


def _reco_brackets(migra_edges, energy_true, reco_edges):
    """Brackets (k, t) of the migras E_reco_edge / E_true_centre on the migra edges, for
    ``np.interp``-style clamped linear interpolation (shared by all pixels)."""
    migra = reco_edges[None, :] / energy_true[:, None]
    n = migra_edges.size
    k = np.clip(np.searchsorted(migra_edges, migra, side="right") - 1, 0, n - 2)
    lo, hi = migra_edges[k], migra_edges[k + 1]
    t = np.clip((migra - lo) / (hi - lo), 0.0, 1.0)
    return k, t


def _cdf_at_reco_edges(cdf, k, t):
    """CDF (n_true, n_medges, ...) interpolated at the reco-edge migras → (n_true, n_redges, ...)."""
    rows = np.arange(cdf.shape[0])[:, None]
    extra = (None,) * (cdf.ndim - 2)
    return cdf[rows, k] * (1 - t)[(Ellipsis, *extra)] + cdf[rows, k + 1] * t[(Ellipsis, *extra)]


def _kernel_from_cdf_values(c, threshold):
    kernel = np.clip(np.diff(c, axis=1), 0, None)
    kernel[kernel < threshold] = 0.0
    return kernel


def kernel_from_pdf(pdf, migra_edges, energy_true, reco_edges, threshold=1e-8):
    """Kernel (n_true, n_reco, n_pix) from normalised pdfs (n_true, n_migra, n_pix)."""
    width = np.diff(migra_edges)
    cdf = np.zeros((pdf.shape[0], pdf.shape[1] + 1, pdf.shape[2]))
    np.cumsum(pdf * width[None, :, None], axis=1, out=cdf[:, 1:])
    k, t = _reco_brackets(migra_edges, energy_true, reco_edges)
    return _kernel_from_cdf_values(_cdf_at_reco_edges(cdf, k, t), threshold)


def _kernel_exact(edisp, energy_true, offset, reco_edges, threshold):
    """§2.4 recipe step by step: pdf per pixel, clip, normalise, cumulate, interpolate."""
    migra_edges = irf_grid(edisp).edges["migra"]
    pdf = _normalised_pdf(edisp_on_pixels(edisp, energy_true, offset), np.diff(migra_edges))
    return kernel_from_pdf(pdf, migra_edges, energy_true, reco_edges, threshold)


def _clip_correction(rows, cdf_k, cdf_t, width, sub):
    """Per-pixel CDF terms of the recipe's clip at 0, for the fast path.

    ``clip(v) = v + max(−v, 0)``: the linear part ``v`` goes through the node CDFs; the
    second term is non-zero only where ``v < 0``, which for a pixel interpolating between
    two offset nodes needs a negative node -- so only the (row, migra) entries with a
    negative node anywhere are evaluated per pixel.  Returns ``{row: (at reco-edge
    migras (n_redges, n_fast), total (n_fast,))}`` to add to the linear CDF values."""
    out = {}
    negative = np.any(rows < 0, axis=2)  # (n_rows, n_migra)
    for r in np.flatnonzero(negative.any(axis=1)):
        ms = np.flatnonzero(negative[r])
        v = gather_pixels(rows[r, ms, :][None], [sub])[0]  # (n_ms, n_fast)
        corr = np.maximum(-v, 0.0)
        corr *= width[ms][:, None]
        cum = np.zeros((ms.size + 1, corr.shape[1]))
        np.cumsum(corr, axis=0, out=cum[1:])
        # CDF at migra edge j (Σ over m < j) gains cum[#(ms < j)]
        lo = np.searchsorted(ms, cdf_k[r], side="left")
        hi = np.searchsorted(ms, cdf_k[r] + 1, side="left")
        at_edges = cum[lo] * (1 - cdf_t[r])[:, None] + cum[hi] * cdf_t[r][:, None]
        out[r] = (at_edges, cum[-1])
    return out


def kernel_values_on_pixels(edisp, energy_true, offset, reco_edges, threshold=1e-8):
    """Kernel (n_true, n_reco, n_pix).

    Fast path: cumulating along migra and evaluating the CDF at the reco-edge migras are
    linear, so they commute with the linear interpolation in offset -- done on the few
    offset nodes, then one small gather per pixel, for the pixels interpolating (not
    extrapolating) in offset.  The recipe's clip at 0 is added back exactly where it
    acts (negative table entries, e.g. true energies extrapolated beyond the IRF's
    range, or negative values in the file): see ``_clip_correction``.  Rows with
    non-finite entries and extrapolating pixels take the step-by-step path."""
    grid = irf_grid(edisp)
    corners_e, _ = grid.corners("energy_true", energy_true)
    corners_o, bad_o = grid.corners("offset", offset)
    table = np.transpose(grid.values, [grid.names.index(n) for n in ("energy_true", "migra", "offset")])
    table = contract(table, 0, corners_e)  # (n_true, n_migra, n_off)
    rows_ok = np.all(np.isfinite(table), axis=(1, 2))
    interpolating = np.ones(offset.shape, dtype=bool)
    for _, weight in corners_o:
        if weight is not None:
            interpolating &= (weight >= 0) & (weight <= 1)
    fast = interpolating & ~bad_o
    slow = ~interpolating & ~bad_o
    migra_edges = grid.edges["migra"]
    kernel = np.zeros((energy_true.size, reco_edges.size - 1, offset.size))
    if not rows_ok.all():
        bad_rows = np.flatnonzero(~rows_ok)
        kernel[bad_rows] = _kernel_exact(edisp, energy_true[bad_rows], offset, reco_edges, threshold)
    ok_rows = np.flatnonzero(rows_ok)
    if ok_rows.size == 0:
        return kernel
    if fast.any():
        rows = table[ok_rows]
        width = np.diff(migra_edges)
        cdf = np.zeros((rows.shape[0], rows.shape[1] + 1, rows.shape[2]))
        np.cumsum(rows * width[None, :, None], axis=1, out=cdf[:, 1:])
        k, t = _reco_brackets(migra_edges, energy_true[ok_rows], reco_edges)
        at_edges = _cdf_at_reco_edges(cdf, k, t)  # (n_ok, n_redges, n_off)
        stacked = np.concatenate([at_edges, cdf[:, -1:, :]], axis=1)
        sub = [(idx[fast], None if w is None else w[fast]) for idx, w in corners_o]
        values = gather_pixels(stacked, [sub])
        unstable = {}
        for r, (corr_edges, corr_total) in _clip_correction(rows, k, t, width, sub).items():
            # Σ|v|Δm = linear total + 2·correction: where the clipped total is a tiny
            # remainder of it (all or most of the pdf clipped away) the sum cancels;
            # those pixels take the step-by-step path (1e-4 keeps errors ≲ 1e-12)
            scale = values[r, -1] + 2 * corr_total
            values[r, :-1] += corr_edges
            values[r, -1] += corr_total
            cancelled = np.flatnonzero(values[r, -1] < 1e-4 * scale)
            if cancelled.size:
                unstable[r] = cancelled
        with np.errstate(invalid="ignore", divide="ignore"):
            c = kernels.nan_to_num_inplace(values[:, :-1, :] / values[:, -1:, :])
        block = _kernel_from_cdf_values(c, threshold)
        fast_idx = np.flatnonzero(fast)
        for r, cancelled in unstable.items():
            block[r][:, cancelled] = _kernel_exact(
                edisp, energy_true[ok_rows[r : r + 1]], offset[fast_idx[cancelled]], reco_edges, threshold
            )[0]
        if ok_rows.size == energy_true.size:
            kernel[:, :, fast] = block
        else:
            kernel[np.ix_(ok_rows, np.arange(kernel.shape[1]), np.flatnonzero(fast))] = block
    if slow.any():
        exact = _kernel_exact(edisp, energy_true[ok_rows], offset[slow], reco_edges, threshold)
        kernel[np.ix_(ok_rows, np.arange(kernel.shape[1]), np.flatnonzero(slow))] = exact
    return kernel


def edisp_kernel_values(edisp, pointing, geom, threshold=1e-8):
    """EDISP kernel as an array of ``geom.data_shape`` (axes energy, energy_true)."""
    ra0, dec0 = pointing_radec_deg(pointing)
    energy_true = axis_values(geom.axes["energy_true"], "center", "TeV")
    reco_edges = axis_values(geom.axes["energy"], "edges", "TeV")
    offset = geom_offsets(geom, (ra0, dec0))  # region geometries: the region centre
    kernel = kernel_values_on_pixels(edisp, energy_true, offset, reco_edges, threshold)
    return kernel.reshape(geom.data_shape)


def edisp_migra_values(edisp, pointing, geom):
    """Normalised migra pdf as an array of ``geom.data_shape`` (axes migra, energy_true)."""
    ra0, dec0 = pointing_radec_deg(pointing)
    energy_true = axis_values(geom.axes["energy_true"], "center", "TeV")
    migra_axis = geom.axes["migra"]
    migra = axis_values(migra_axis, "center", "")
    offset = geom_offsets(geom, (ra0, dec0))  # region geometries: the region centre
    values = edisp_on_pixels(edisp, energy_true, offset, migra=migra)
    values = _normalised_pdf(values, np.diff(axis_values(migra_axis, "edges", "")))
    return values.reshape(geom.data_shape)


def make_edisp_kernel_map(edisp, pointing, geom, exposure_map=None, use_region_center=True, threshold=1e-8):
    """``EDispKernelMap`` of ``edisp`` on ``geom`` (axes energy, energy_true)."""
    from gammabin.irf.edisp_map import EDispKernelMap
    from gammabin.maps import Map

    data = edisp_kernel_values(edisp, pointing, geom, threshold=threshold)
    kernel_map = Map.from_geom(geom, data=data, unit="")
    return EDispKernelMap(kernel_map, exposure_map)


def make_edisp_map(edisp, pointing, geom, exposure_map=None, use_region_center=True):
    """``EDispMap`` of ``edisp`` on ``geom`` (axes migra, energy_true).  As in gammapy,
    ``use_region_center`` is ignored (always the region centre)."""
    from gammabin.irf.edisp_map import EDispMap
    from gammabin.maps import Map

    edisp_map = Map.from_geom(geom, data=edisp_migra_values(edisp, pointing, geom), unit="")
    return EDispMap(edisp_map, exposure_map)
