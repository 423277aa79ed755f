"""Separable evaluation of DL3 IRF tables on map pixels (data-irf-maps.md §2.2, §5).

gammapy evaluates an IRF with one regular-grid interpolation over the broadcast
(energy × pixel) coordinate stack.  Multilinear interpolation is a tensor product, so
the same numbers come from contracting one axis at a time: first the axes whose
coordinates do not depend on the pixel (energy, rad, migra) on the small table, then
the pixel-dependent axes (offset or fov lon/lat) with per-pixel bracket indices and
weights.  Masking follows §2.2: clip ≥ 0 after the inverse value scale, 0 (fill
value) wherever a coordinate lies outside its axis edges or the result is not finite.

Everything here works on plain float arrays in canonical units (energies TeV, angles
deg); the per-IRF invariants (scaled nodes, edges, scaled values) are cached per IRF
object and rebuilt if its ``data`` array is replaced.
"""
import itertools
import threading
from collections import OrderedDict

import numpy as np
from astropy import units as u

from gammabin import kernels

__all__ = ["IRFGrid", "irf_grid"]

_CANONICAL = {"energy_true": u.TeV, "energy": u.TeV, "offset": u.deg, "rad": u.deg,
              "fov_lon": u.deg, "fov_lat": u.deg, "migra": u.one}

# Grids of read-only tables (the data layer's shared IRFs, the makers' prepared
# backgrounds): every view of one table gets the same grid.  Entries hold the data array,
# so an id cannot be reused while cached.  A writable table may change in place, so its
# grid is built on each call (IRFs define __eq__, so they cannot key a dict themselves).
_SHARED = OrderedDict()
_SHARED_SIZE = 64
_SHARED_LOCK = threading.RLock()  # builders of one run may run in threads (threads.py)


def _shared_key(irf):
    data = getattr(irf, "data", None)
    if not isinstance(data, np.ndarray) or data.flags.writeable:
        return None
    scale = (getattr(irf, "interp_kwargs", None) or {}).get("values_scale", "lin")
    return (id(data), id(irf.axes), str(irf.unit), scale)


def irf_grid(irf):
    """:class:`IRFGrid` of ``irf``, cached for read-only tables."""
    key = _shared_key(irf)
    if key is None:
        return IRFGrid(irf)
    with _SHARED_LOCK:
        grid = _SHARED.get(key)
        if grid is not None and grid.data is irf.data and grid.axes is irf.axes:
            _SHARED.move_to_end(key)
            return grid
        grid = _SHARED[key] = IRFGrid(irf)
        while len(_SHARED) > _SHARED_SIZE:
            _SHARED.popitem(last=False)
        return grid


class IRFGrid:
    """Scaled nodes, edges and scaled values of one IRF table, by axis name."""

    def __init__(self, irf):
        self.data = irf.data
        self.axes = irf.axes
        self.unit = u.Unit(irf.unit)
        interp_kwargs = getattr(irf, "interp_kwargs", None) or {}
        self.values_scale = interp_kwargs.get("values_scale", "lin")
        self.names = [axis.name for axis in irf.axes]
        self.nodes, self.edges, self.interp, self.factor = {}, {}, {}, {}
        for axis in irf.axes:
            unit = u.Unit(axis.unit)
            canonical = _CANONICAL.get(axis.name, unit)
            factor = 1.0 if unit == u.one and canonical == u.one else float(u.Unit(canonical).to(unit))
            self.factor[axis.name] = factor
            self.interp[axis.name] = axis.interp
            self.nodes[axis.name] = np.asarray(kernels.axis_scale(np.asarray(axis.center.value, dtype=float), axis.interp), dtype=float)
            self.edges[axis.name] = np.asarray(axis.edges.value, dtype=float)
        data = np.asarray(irf.data)
        if self.values_scale == "lin":
            self.values = data
        else:  # log: clip at the data dtype's tiny, then ln in that dtype (§2.2 step 3)
            self.values = kernels.axis_scale(data, self.values_scale)

    def corners(self, name, coord):
        """Bracket corners and out-of-edges flags of canonical-unit coordinates on axis ``name``."""
        coord = np.asarray(coord, dtype=float)
        factor = self.factor[name]
        if factor != 1.0:
            coord = coord * factor
        nodes = self.nodes[name]
        if nodes.size == 1:  # one-bin axes are dropped from the interpolation (but still masked)
            corners = [(np.zeros(coord.shape, dtype=np.intp), None)]
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                corners = kernels.grid_brackets(nodes, kernels.axis_scale(coord, self.interp[name]))
        return corners, kernels.outside_edges(coord, self.edges[name])

    def finish(self, values, invalid):
        """Inverse value scale, clip ≥ 0, fill 0 where ``invalid`` or non-finite.

        ``values`` must be a fresh float64 array (``gather_pixels`` output): it is
        modified in place.  ``invalid``: a boolean array or a tuple of boolean arrays
        (OR-ed) broadcastable to ``values`` -- separate per-axis masks avoid building
        the full-size mask."""
        if self.values_scale != "lin":
            values = kernels.axis_scale_inverse(values, self.values_scale)
        values = np.asarray(values, dtype=float)
        if not values.flags.writeable:
            values = values.copy()
        with np.errstate(invalid="ignore"):
            np.maximum(values, 0.0, out=values)  # = clip(0, inf); NaN stays NaN
        for mask in invalid if isinstance(invalid, tuple) else (invalid,):
            _zero_where(values, mask)
        if not np.isfinite(values).all():
            values[~np.isfinite(values)] = 0.0
        return values


def _zero_where(values, mask):
    """``values[broadcast(mask)] = 0`` without a full-size mask when ``mask`` varies
    along one axis only."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    if mask.ndim < values.ndim:
        mask = mask.reshape((1,) * (values.ndim - mask.ndim) + mask.shape)
    varying = [d for d in range(mask.ndim) if mask.shape[d] != 1]
    if len(varying) == 1:
        d = varying[0]
        values[(slice(None),) * d + (np.flatnonzero(mask.reshape(-1)),)] = 0.0
    else:
        values[np.broadcast_to(mask, values.shape)] = 0.0


def contract(values, axis, corners):
    """Interpolate ``values`` along ``axis`` at a 1-d coordinate vector (its corners):
    the axis is replaced by the coordinate dimension."""
    total = None
    for idx, weight in corners:
        if values.flags.c_contiguous:
            term = np.take(values, idx, axis=axis)
        else:  # np.take copies a strided table whole first (file-order IRFs are
            # transposed views): index it instead, C order as np.take returns it
            term = np.ascontiguousarray(values[(slice(None),) * axis + (idx,)])
        if weight is not None:
            shape = [1] * term.ndim
            shape[axis] = -1
            term = term * weight.reshape(shape)
        total = term if total is None else total + term
    return total


def pixel_corners(corners_per_axis, cell_shape):
    """[(flat cell index (n_pix,), weight (n_pix,) or None)] of the 2**k corners of the
    cells around each pixel, from one (indices, weights) pair per axis."""
    out = []
    for corner in itertools.product(*corners_per_axis):
        flat = np.ravel_multi_index(tuple(c[0] for c in corner), cell_shape)
        weight = None
        for _, w in corner:
            if w is not None:
                weight = w if weight is None else weight * w
        out.append((np.asarray(flat, dtype=np.intp), weight))
    return out


def gather_corners(table, corners, out, tmp, pixels=slice(None)):
    """``out`` = Σ over ``corners`` of weight × ``table[..., flat]`` (last axis: cells)
    for the ``pixels`` (a slice) of the corner arrays; ``tmp`` is scratch shaped like
    ``out``, so no other temporaries are made.  Returns ``out``."""
    for k, (flat, weight) in enumerate(corners):
        target = out if k == 0 else tmp
        np.take(table, flat[pixels], axis=-1, out=target, mode="clip")  # indices come from brackets: in range
        if weight is not None:
            np.multiply(target, weight[pixels], out=target)
        if k:
            np.add(out, tmp, out=out)
    return out


def gather_pixels(values, corners_per_axis):
    """Interpolate the trailing ``len(corners_per_axis)`` axes of ``values`` at per-pixel
    points: each corner list holds (n_pix,) indices/weights; result ``(..., n_pix)``
    (C-contiguous).

    The table is flattened to ``(n_lead, n_cells)`` rows; each corner is a 1-d gather
    from a short row (cache-resident), which beats fancy indexing over trailing axes."""
    k = len(corners_per_axis)
    cell_shape = values.shape[values.ndim - k:]
    lead_shape = values.shape[: values.ndim - k]
    table = np.ascontiguousarray(np.asarray(values, dtype=float).reshape(-1, int(np.prod(cell_shape))))
    corners = pixel_corners(corners_per_axis, cell_shape)
    n_pix = corners[0][0].shape[0]
    if _use_matmul(table, corners):
        return _gather_matmul(table, corners, n_pix).reshape(*lead_shape, n_pix)
    total = np.empty((table.shape[0], n_pix))
    if table.shape[0] <= 64:
        tmp = np.empty(n_pix)
        for row, out in zip(table, total):  # no per-corner temporaries
            gather_corners(row, corners, out, tmp)
    else:
        gather_corners(table, corners, total, np.empty_like(total))
    return total.reshape(*lead_shape, n_pix)


_MATMUL_MAX_CELLS = 32


# Products are cut into row blocks of at most this many multiply-adds, which OpenBLAS
# runs on the calling thread: its worker threads cost more than they save here (and
# take the second core of a shared machine).
_MATMUL_BLOCK_FMA = 200_000


def _use_matmul(table, corners):
    """Few cells (offset nodes), many rows: one dense product beats per-row gathers.
    Needs a finite table (0·inf would leak NaN into other pixels)."""
    n_pix = corners[0][0].shape[0] if corners else 0
    return (
        len(corners) > 1
        and table.shape[1] <= _MATMUL_MAX_CELLS
        and table.shape[0] > 64  # fewer rows: the per-row gathers are as fast
        and table.shape[1] * n_pix <= _MATMUL_BLOCK_FMA
        and all(weight is not None for _, weight in corners)
        and bool(np.isfinite(table).all())
    )


def _gather_matmul(table, corners, n_pix):
    """``table @ W`` with ``W[cell, pixel]`` the pixel's corner weights (the corners of
    one pixel are distinct cells): Σ over corners of weight × value, summed by BLAS
    (round-off order differs from the gather path by at most an ulp or so)."""
    weights = np.zeros((table.shape[1], n_pix))
    columns = np.arange(n_pix)
    for flat, weight in corners:
        weights[flat, columns] = weight
    out = np.empty((table.shape[0], n_pix))
    step = max(1, _MATMUL_BLOCK_FMA // (table.shape[1] * n_pix))
    for lo in range(0, table.shape[0], step):
        np.matmul(table[lo : lo + step], weights, out=out[lo : lo + step])
    return out
