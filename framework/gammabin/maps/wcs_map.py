"""Map and WcsNDMap: an ndarray in data order ``(axis_N … axis_1, ny, nx)`` on a geometry.

Counts maps are float32 by default; given data keep their dtype.  Filling is
§3.1/§3.3 indices per dimension plus one ``np.bincount`` (kernels.histogram_flat).
"""
import copy as _copy
import functools
from pathlib import Path

import numpy as np
from astropy import units as u

from gammabin import kernels
from gammabin.fitsio import write_fits_atomic
from gammabin.maps import fits_io
from gammabin.maps.quantity_data import QuantityDataMixin
from gammabin.maps.wcs_geom import WcsGeom

__all__ = ["Map", "WcsNDMap"]


@functools.lru_cache(maxsize=256)
def _parsed_unit(text):
    return u.Unit(text)


def _unit(unit):
    """``u.Unit(unit)``; strings are parsed once (astropy re-parses "m2 s" on every call)."""
    return _parsed_unit(unit) if isinstance(unit, str) else u.Unit(unit)


def _geom_map_class(geom):
    """Map class for a geometry: WcsNDMap or RegionNDMap."""
    if isinstance(geom, WcsGeom):
        return WcsNDMap
    if getattr(geom, "is_region", False):
        from gammabin.maps.region_map import RegionNDMap

        return RegionNDMap
    raise TypeError(f"Unsupported geometry type {type(geom).__name__} (WcsGeom or RegionGeom)")


class Map(QuantityDataMixin):
    """Base/factory class, ``Map.from_geom``, ``Map.read`` and ``Map.create`` dispatch."""

    def __init__(self, geom, data=None, dtype="float32", meta=None, unit=""):
        if data is None:
            data = np.zeros(geom.data_shape, dtype=dtype)
        else:
            data = np.asarray(data.value if isinstance(data, u.Quantity) else data)
            if data.shape != geom.data_shape:
                data = np.broadcast_to(data, geom.data_shape).copy() if data.size != np.prod(geom.data_shape) else data.reshape(geom.data_shape)
        self._geom = geom
        self._data = data
        self._unit = _unit(unit)
        self.meta = {} if meta is None else dict(meta)

    # --- construction --------------------------------------------------------

    @staticmethod
    def from_geom(geom, meta=None, data=None, unit="", dtype="float32", **kwargs):
        if isinstance(data, u.Quantity):
            unit = data.unit
            data = data.value
        return _geom_map_class(geom)(geom, data=data, dtype=dtype, meta=meta, unit=unit)

    @classmethod
    def create(cls, map_type="wcs", dtype="float32", meta=None, unit="", **kwargs):
        """``WcsGeom.create(**kwargs)`` + zeros."""
        geom = WcsGeom.create(**kwargs)
        return Map.from_geom(geom, dtype=dtype, meta=meta, unit=unit)

    @staticmethod
    def read(filename, hdu=None, hdu_bands=None, map_type="auto", format=None, colname=None, checksum=False):
        from astropy.io import fits

        filename = Path(filename)
        with fits.open(filename, memmap=False) as hdulist:
            return Map.from_hdulist(hdulist, hdu=hdu, hdu_bands=hdu_bands, map_type=map_type, filename=str(filename))

    @staticmethod
    def from_hdulist(hdulist, hdu=None, hdu_bands=None, map_type="auto", format=None, filename=""):
        from gammabin.maps.region_map import RegionNDMap, is_region_map_hdulist

        if map_type == "region" or (map_type == "auto" and is_region_map_hdulist(hdulist, hdu)):
            return RegionNDMap.from_hdulist(hdulist, hdu=hdu, filename=filename)
        geom, data, unit, meta = fits_io.map_parts_from_hdulist(hdulist, hdu=hdu, hdu_bands=hdu_bands, filename=filename)
        return Map.from_geom(geom, data=data, unit=unit, meta=meta)

    # --- basic attributes -------------------------------------------------------

    @property
    def geom(self):
        return self._geom

    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        if isinstance(value, u.Quantity):
            value = value.to_value(self._unit)
        value = np.asarray(value)
        if value.shape != self._geom.data_shape:
            value = np.broadcast_to(value, self._geom.data_shape).copy()
        self._data = value

    @property
    def is_mask(self):
        return self._data.dtype == bool

    @property
    def tag(self):
        return "map"

    def __bool__(self):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._data, dtype=dtype)

    def copy(self, **kwargs):
        """Copy with ``geom``, ``data``, ``unit`` or ``meta`` overridden."""
        args = dict(geom=self._geom, data=None, unit=self._unit, meta=_copy.deepcopy(self.meta))
        args.update(kwargs)
        if args["data"] is None:
            args["data"] = self._data.copy()
        return Map.from_geom(args["geom"], data=args["data"], unit=args["unit"], meta=args["meta"], dtype=np.asarray(args["data"]).dtype)

    def _init_copy(self, **kwargs):
        return self.copy(**kwargs)

    def __str__(self):
        geom = self._geom
        shape = (np.int64(geom._nx), np.int64(geom._ny)) + geom.axes.shape
        return (
            f"{self.__class__.__name__}\n\n"
            f"\tgeom  : {geom.__class__.__name__} \n "
            f"\taxes  : {geom.axes_names}\n"
            f"\tshape : {shape}\n"
            f"\tndim  : {geom.ndim}\n"
            f"\tunit  : {self._unit}\n"
            f"\tdtype : {self._data.dtype}\n"
        )

    __repr__ = __str__

    # --- filling -------------------------------------------------------------

    def fill_events(self, events, weights=None):
        self.fill_by_coord(events.map_coord(self._geom), weights=weights)

    def fill_by_coord(self, coords, weights=None):
        idx = self._geom._coord_to_flat_idx(coords)
        self._fill_data_idx(idx, weights)

    def fill_by_idx(self, idx, weights=None):
        """``idx`` in geometry order (x, y, axis_1 …); -1 entries dropped."""
        idx = tuple(np.asarray(i) for i in idx)
        idx = tuple(idx[2:][::-1]) + (idx[1], idx[0])
        self._fill_data_idx(idx, weights)

    def fill_by_pix(self, pix, weights=None):
        self.fill_by_idx(self._geom.pix_to_idx(pix), weights=weights)

    def _fill_data_idx(self, idx_data_order, weights):
        if isinstance(weights, u.Quantity):
            weights = weights.to_value(self._unit)
        hist = kernels.histogram_flat(idx_data_order, self._data.shape, weights=weights)
        self._data += hist.astype(self._data.dtype)

    # --- access --------------------------------------------------------------

    def get_by_idx(self, idx):
        idx = tuple(np.asarray(i) for i in idx)
        return self._data[tuple(idx[2:][::-1]) + (idx[1], idx[0])]

    def get_by_pix(self, pix, fill_value=np.nan):
        idx = self._geom.pix_to_idx(pix)
        idx = np.broadcast_arrays(*idx)
        valid = np.all([i != -1 for i in idx], axis=0)
        values = self.get_by_idx(tuple(np.where(valid, i, 0) for i in idx))
        if not np.all(valid):
            if fill_value is not None and np.isnan(fill_value) and not np.issubdtype(values.dtype, np.floating):
                values = values.astype(float)
            values = np.where(valid, values, fill_value)
        return values

    def get_by_coord(self, coords, fill_value=np.nan):
        return self.get_by_pix(self._geom.coord_to_pix(coords), fill_value=fill_value)

    def set_by_idx(self, idx, vals):
        idx = tuple(np.asarray(i) for i in idx)
        self._data[tuple(idx[2:][::-1]) + (idx[1], idx[0])] = vals

    def set_by_coord(self, coords, vals):
        self.set_by_idx(self._geom.coord_to_idx(coords), vals)

    # --- interpolation ---------------------------------------------------------

    def interp_by_coord(self, coords, method="linear", fill_value=None, values_scale="lin"):
        """Interpolate at coordinates (linear in pix: non-spatial axes in their scaled space)."""
        return self.interp_by_pix(self._geom.coord_to_pix(coords), method=method, fill_value=fill_value, values_scale=values_scale)

    def interp_by_pix(self, pix, method="linear", fill_value=None, values_scale="lin"):
        data = self._data
        if method == "linear":
            data = np.where(np.isfinite(data), data, 0.0)
        # geometry order (x, y, axes…) ↔ data order reversed
        values = np.moveaxis(data, range(data.ndim), range(data.ndim)[::-1])
        pix = np.broadcast_arrays(*[np.asarray(p, dtype=float) for p in pix])
        result = _grid_interp_pix(values, pix, method, values_scale)
        if fill_value is not None:
            idx = self._geom.pix_to_idx(pix)
            invalid = np.any(np.broadcast_arrays(*[i == -1 for i in idx]), axis=0)
            result = np.where(invalid | ~np.isfinite(result), fill_value, result)
        return result

    def interp_to_geom(self, geom, preserve_counts=False, fill_value=0, **kwargs):
        coords = geom.get_coord()
        map_copy = self.copy()
        if map_copy.is_mask:
            data = map_copy.get_by_coord(coords)
            data = np.nan_to_num(data, nan=fill_value).astype(bool)
        else:
            if preserve_counts:
                map_copy._data = map_copy._data / self._geom.solid_angle().to_value("deg2")
            data = map_copy.interp_by_coord(coords, fill_value=fill_value, **kwargs)
            if preserve_counts:
                data = data * geom.solid_angle().to_value("deg2")
        return Map.from_geom(geom, data=data, unit=self._unit, dtype=data.dtype)

    # --- reductions / slicing ------------------------------------------------

    def reduce(self, axis_name, func=np.add, keepdims=False, weights=None):
        axis = self._geom.axes.index_data(axis_name)
        data = self._data if weights is None else self._data * np.asarray(weights)
        if func in (np.add, np.nansum, np.sum):
            reduced = np.nansum(data, axis=axis, keepdims=keepdims)
        else:
            reduced = func.reduce(data, axis=axis, keepdims=keepdims) if isinstance(func, np.ufunc) else func(data, axis=axis, keepdims=keepdims)
        geom = self._geom.squash(axis_name) if keepdims else self._geom.drop(axis_name)
        return Map.from_geom(geom, data=reduced, unit=self._unit, meta=_copy.deepcopy(self.meta), dtype=reduced.dtype)

    def reduce_over_axes(self, func=np.add, keepdims=False, axes_names=None, weights=None):
        result = self
        for name in axes_names or self._geom.axes.names:
            result = result.reduce(name, func=func, keepdims=keepdims, weights=weights)
            weights = None
        return result

    def sum_over_axes(self, axes_names=None, keepdims=True, weights=None):
        return self.reduce_over_axes(np.add, keepdims=keepdims, axes_names=axes_names, weights=weights)

    def to_image(self):
        return self.sum_over_axes(keepdims=False)

    def slice_by_idx(self, slices):
        geom = self._geom.slice_by_idx(slices)
        index = tuple(slices.get(name, slice(None)) for name in self._geom.axes.names[::-1])
        data = self._data[index + (slice(None), slice(None))]
        return Map.from_geom(geom, data=data, unit=self._unit, meta=_copy.deepcopy(self.meta), dtype=data.dtype)

    def get_image_by_idx(self, idx):
        return self.slice_by_idx(dict(zip(self._geom.axes.names, idx)))

    def iter_by_image_data(self):
        for index in np.ndindex(self._geom.axes.shape[::-1]):
            yield self._data[index], index

    # --- cutouts, stacking ---------------------------------------------------

    def cutout(self, position, width, mode="trim", odd_npix=False, min_npix=1):
        geom = self._geom
        slices_large, slices_small, origin, out_shape = geom._cutout_slices_1d(position, width, mode, odd_npix, min_npix)
        cut_geom = geom.cutout(position, width, mode=mode, odd_npix=odd_npix, min_npix=min_npix)
        lead = (slice(None),) * len(geom.axes)
        if mode == "trim":
            data = self._data[lead + slices_large].copy()
        else:
            data = np.zeros(cut_geom.data_shape, dtype=self._data.dtype)
            data[lead + slices_small] = self._data[lead + slices_large]
        return Map.from_geom(cut_geom, data=data, unit=self._unit, meta=_copy.deepcopy(self.meta), dtype=data.dtype)

    def stack(self, other, weights=None, nan_to_num=True):
        """Add ``other`` (same or aligned cutout geometry) into this map's matching slices."""
        if self._geom == other.geom:
            parent = (Ellipsis,)
            cutout = (Ellipsis,)
        elif self._geom.is_aligned(other.geom):
            slices = other.geom.cutout_slices(self._geom, mode="partial")
            parent = (Ellipsis,) + tuple(slices["parent-slices"])
            cutout = (Ellipsis,) + tuple(slices["cutout-slices"])
        else:
            raise ValueError("Can only stack equivalent maps or cutout of the same map.")
        data = other.quantity.to_value(self._unit) if not self.is_mask else other.data
        data = np.asarray(data)[cutout]
        if nan_to_num and not self.is_mask:
            data = np.where(np.isfinite(data), data, 0)
        if weights is not None:
            if not other.geom.to_image() == weights.geom.to_image():
                raise ValueError("Incompatible spatial geoms between map and weights")
            data = data * np.asarray(weights.data)[cutout]
        if self.is_mask:
            self._data[parent] |= data.astype(bool)
        else:
            self._data[parent] += data.astype(self._data.dtype)

    def pad(self, pad_width, mode="constant", cval=0, method="linear"):
        px, py = (pad_width, pad_width) if np.isscalar(pad_width) else pad_width
        geom = self._geom.pad((px, py))
        widths = [(0, 0)] * len(self._geom.axes) + [(py, py), (px, px)]
        data = np.pad(self._data, widths, mode=mode, **({"constant_values": cval} if mode == "constant" else {}))
        return Map.from_geom(geom, data=data, unit=self._unit, meta=_copy.deepcopy(self.meta), dtype=data.dtype)

    def crop(self, crop_width):
        cx, cy = (crop_width, crop_width) if np.isscalar(crop_width) else crop_width
        geom = self._geom.crop((cx, cy))
        data = self._data[..., cy : self._data.shape[-2] - cy, cx : self._data.shape[-1] - cx]
        return Map.from_geom(geom, data=data.copy(), unit=self._unit, meta=_copy.deepcopy(self.meta), dtype=data.dtype)

    def downsample(self, factor, preserve_counts=True, axis_name=None, weights=None):
        """Block sums (NaN ignored) over ``factor``² pixels (means if not ``preserve_counts``)."""
        if axis_name is not None:
            raise NotImplementedError("gammabin: downsample along a non-spatial axis is not implemented yet")
        geom = self._geom.downsample(factor)
        lead = self._data.shape[:-2]
        ny, nx = self._data.shape[-2:]
        blocks = self._data.reshape(lead + (ny // factor, factor, nx // factor, factor))
        data = np.nansum(blocks, axis=(-3, -1))
        if not preserve_counts:
            data = data / factor**2
        return Map.from_geom(geom, data=data.astype(self._data.dtype), unit=self._unit, meta=_copy.deepcopy(self.meta))

    def upsample(self, factor, order=0, preserve_counts=True, axis_name=None):
        """Pixel repetition (``order=0``); counts divided by ``factor``² if ``preserve_counts``."""
        if axis_name is not None or order != 0:
            raise NotImplementedError("gammabin: only spatial order-0 upsampling is implemented")
        geom = self._geom.upsample(factor)
        data = np.repeat(np.repeat(self._data, factor, axis=-2), factor, axis=-1)
        if preserve_counts:
            data = data / factor**2
        return Map.from_geom(geom, data=data.astype(self._data.dtype), unit=self._unit, meta=_copy.deepcopy(self.meta))

    def normalize(self, axis_name=None):
        """Divide by the sum over ``axis_name`` (or all), NaN → 0."""
        if axis_name is None:
            total = np.nansum(self._data)
        else:
            total = np.nansum(self._data, axis=self._geom.axes.index_data(axis_name), keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            data = np.nan_to_num(self._data / total)
        return self.copy(data=data)

    # --- io ------------------------------------------------------------------

    def to_hdulist(self, hdu=None, hdu_bands=None, sparse=False, format="gadf"):
        if sparse or format != "gadf":
            raise NotImplementedError("gammabin writes dense gadf maps only")
        return fits_io.map_to_hdulist(self._geom, self._data, self._unit, self.meta, hdu=hdu, hdu_bands=hdu_bands)

    def write(self, filename, overwrite=False, hdu=None, hdu_bands=None, sparse=False, format="gadf", checksum=False):
        hdulist = self.to_hdulist(hdu=hdu, hdu_bands=hdu_bands, sparse=sparse, format=format)
        if checksum:
            for item in hdulist:
                item.add_checksum()
        write_fits_atomic(hdulist, filename, overwrite=overwrite)

    # --- plotting ------------------------------------------------------------

    def plot(self, ax=None, fig=None, add_cbar=False, stretch="linear", **kwargs):
        """Image plot on WCSAxes (non-spatial axes summed)."""
        import matplotlib.pyplot as plt

        image = self if self._geom.is_image else self.sum_over_axes(keepdims=False)
        if ax is None:
            fig = fig or plt.gcf()
            ax = fig.add_subplot(1, 1, 1, projection=self._geom.wcs)
        kwargs.setdefault("origin", "lower")
        kwargs.setdefault("interpolation", "nearest")
        data = np.asarray(image.data, dtype=float)
        im = ax.imshow(data, **kwargs)
        if add_cbar:
            plt.colorbar(im, ax=ax, label=str(self._unit))
        return ax

    # --- arithmetic ----------------------------------------------------------

    def _arithmetic(self, op, other, copy=True):
        if isinstance(other, Map):
            if self._geom != other.geom:
                raise ValueError("Map arithmetic: map geometries must agree")
            other = other.quantity
        quantity = op(self.quantity, u.Quantity(other) if not isinstance(other, u.Quantity) else other)
        out = self.copy() if copy else self
        out._unit = quantity.unit
        out._data = np.asarray(quantity.value)
        return out

    def __add__(self, other):
        return self._arithmetic(np.add, other)

    def __radd__(self, other):
        return self.__add__(other)

    def __sub__(self, other):
        return self._arithmetic(np.subtract, other)

    def __rsub__(self, other):
        return self._arithmetic(lambda a, b: np.subtract(b, a), other)

    def __mul__(self, other):
        return self._arithmetic(np.multiply, other)

    def __rmul__(self, other):
        return self.__mul__(other)

    def __truediv__(self, other):
        return self._arithmetic(np.true_divide, other)

    def __rtruediv__(self, other):
        return self._arithmetic(lambda a, b: np.true_divide(b, a), other)

    def __neg__(self):
        return self.copy(data=-self._data)

    def __iadd__(self, other):
        return self._arithmetic(np.add, other, copy=False)

    def __isub__(self, other):
        return self._arithmetic(np.subtract, other, copy=False)

    def __imul__(self, other):
        return self._arithmetic(np.multiply, other, copy=False)

    def __itruediv__(self, other):
        return self._arithmetic(np.true_divide, other, copy=False)

    def _logical(self, op, other):
        other = other.data if isinstance(other, Map) else other
        return self.copy(data=op(self._data, other))

    def __and__(self, other):
        return self._logical(np.logical_and, other)

    def __or__(self, other):
        return self._logical(np.logical_or, other)

    def __invert__(self):
        return self.copy(data=np.logical_not(self._data))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # lets numpy ufuncs (np.sqrt(map), ...) return maps without units
        arrays = [x._data if isinstance(x, Map) else x for x in inputs]
        result = getattr(ufunc, method)(*arrays, **kwargs)
        if isinstance(result, np.ndarray) and result.shape == self._data.shape:
            return self.copy(data=result)
        return result


class WcsNDMap(Map):
    """N-dimensional map on a :class:`WcsGeom`."""

    def __init__(self, geom, data=None, dtype="float32", meta=None, unit=""):
        super().__init__(geom, data=data, dtype=dtype, meta=meta, unit=unit)


def _grid_interp_pix(values, pix, method, values_scale):
    """Linear/nearest interpolation of ``values`` (geometry order) on its integer
    pixel grid at float ``pix``; linear extrapolation; one-bin dimensions dropped."""
    if values_scale != "lin":
        values = kernels.axis_scale(values.astype(float), values_scale)
    shape = pix[0].shape
    result = np.zeros(shape)
    dims = [(d, p) for d, p in enumerate(pix) if values.shape[d] > 1]
    fixed = tuple(0 if values.shape[d] == 1 else slice(None) for d in range(values.ndim))
    grid = values[fixed]
    if method == "nearest":
        idx = []
        for d, p in dims:
            n = values.shape[d]
            lo = np.clip(np.searchsorted(np.arange(n, dtype=float), p) - 1, 0, n - 2)
            idx.append(np.where(p - lo <= 0.5, lo, lo + 1))
        result = grid[tuple(idx)] if idx else np.broadcast_to(grid, shape)
    elif method == "linear":
        lows, weights = [], []
        for d, p in dims:
            n = values.shape[d]
            lo = np.clip(np.searchsorted(np.arange(n, dtype=float), p) - 1, 0, n - 2)
            lows.append(lo)
            weights.append(p - lo)
        if not dims:
            result = np.broadcast_to(grid, shape).astype(float)
        for corner in np.ndindex(*([2] * len(dims))):
            if not dims:
                break
            index = tuple(lo + c for lo, c in zip(lows, corner))
            weight = np.ones(shape)
            for w, c in zip(weights, corner):
                weight = weight * (w if c else 1.0 - w)
            result = result + weight * grid[index]
    else:
        raise ValueError(f"Invalid interpolation method {method!r}: expected 'linear' or 'nearest'")
    if values_scale != "lin":
        result = kernels.axis_scale_inverse(result, values_scale)
    return result
