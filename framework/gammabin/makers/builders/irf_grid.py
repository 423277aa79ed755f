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
import weakref

import numpy as np
from astropy import units as u

from gammabin import kernels

__all__ = ["IRFGrid", "irf_grid"]

_CANONICAL = {"energy_true": u.TeV, "energy": u.TeV, "offset": u.deg, "rad": u.deg,
              "fov_lon": u.deg, "fov_lat": u.deg, "migra": u.one}

_GRIDS = weakref.WeakKeyDictionary()


def irf_grid(irf):
    """Cached :class:`IRFGrid` of ``irf`` (rebuilt when ``irf.data`` is replaced)."""
    try:
        grid = _GRIDS.get(irf)
    except TypeError:  # not weak-referenceable: no cache
        return IRFGrid(irf)
    if grid is None or grid.data is not irf.data:
        grid = IRFGrid(irf)
        _GRIDS[irf] = grid
    return grid


class IRFGrid:
    """Scaled nodes, edges and scaled values of one IRF table, by axis name."""

    def __init__(self, irf):
        self.data = irf.data
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
        """Inverse value scale, clip ≥ 0, fill 0 where ``invalid`` or non-finite."""
        values = kernels.axis_scale_inverse(values, self.values_scale) if self.values_scale != "lin" else values
        with np.errstate(invalid="ignore"):
            values = np.clip(values, 0, np.inf)
        values = np.array(values, dtype=float)
        values[np.broadcast_to(invalid, values.shape) | ~np.isfinite(values)] = 0.0
        return values


def contract(values, axis, corners):
    """Interpolate ``values`` along ``axis`` at a 1-d coordinate vector (its corners):
    the axis is replaced by the coordinate dimension."""
    total = None
    for idx, weight in corners:
        term = np.take(values, idx, axis=axis)
        if weight is not None:
            shape = [1] * term.ndim
            shape[axis] = -1
            term = term * weight.reshape(shape)
        total = term if total is None else total + term
    return total


def gather_pixels(values, corners_per_axis):
    """Interpolate the trailing ``len(corners_per_axis)`` axes of ``values`` at per-pixel
    points: each corner list holds (n_pix,) indices/weights; result ``(..., n_pix)``
    (C-contiguous).

    The table is flattened to ``(n_lead, n_cells)`` rows; each corner is a 1-d gather
    from a short row (cache-resident), which beats fancy indexing over trailing axes."""
    import itertools

    k = len(corners_per_axis)
    cell_shape = values.shape[values.ndim - k:]
    lead_shape = values.shape[: values.ndim - k]
    table = np.ascontiguousarray(np.asarray(values, dtype=float).reshape(-1, int(np.prod(cell_shape))))
    corners = []
    for corner in itertools.product(*corners_per_axis):
        flat = np.ravel_multi_index(tuple(c[0] for c in corner), cell_shape)
        weight = None
        for _, w in corner:
            if w is not None:
                weight = w if weight is None else weight * w
        corners.append((flat, weight))
    n_pix = corners[0][0].shape[0]
    total = np.zeros((table.shape[0], n_pix))
    if table.shape[0] <= 64:
        for row, out in zip(table, total):
            for flat, weight in corners:
                out += row[flat] * weight if weight is not None else row[flat]
    else:
        for flat, weight in corners:
            term = np.take(table, flat, axis=1)
            if weight is not None:
                term *= weight
            total += term
    return total.reshape(*lead_shape, n_pix)
