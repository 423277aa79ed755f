"""The generic DL3 IRF: axes + one value array + unit + header meta (spec §2.1–2.2, §2.10).

Evaluation (§2.2) is a separable grid interpolation on the axis centres in scaled space
(log for energies), one-bin axes dropped, values in lin or log scale, linear
extrapolation, clipping at 0, then 0 for coordinates outside the axis edges.  The
per-IRF invariants (scaled centres, edges, scaled values) are computed once and reset
when ``data`` is replaced.

Public methods take Quantities (or plain numbers read in the axis unit) and return
Quantities, like gammapy.  Makers use ``_evaluate_float`` instead: plain floats in the
canonical units (energies TeV, angles deg, migra 1), result in ``self.unit``.
"""
import os
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.io import fits
from astropy.table import Table

from gammabin import kernels
from gammabin.fitsio import write_fits_atomic
from gammabin.maps.quantity_data import QuantityDataMixin
from gammabin.errors import DataFormatError, MissingHDUError, UnitMismatchError

from .gadf_table import CANONICAL_UNITS, IRFTable, axis_prefix, read_axes

__all__ = ["IRF", "FoVAlignment", "CANONICAL_UNITS"]


_COMMON_KEYWORDS = {
    "HDUCLASS": "GADF",
    "HDUDOC": "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats",
    "HDUVERS": "0.2",
    "HDUCLAS1": "RESPONSE",
}


class FoVAlignment:
    """Allowed values of the ``FOVALIGN`` header key."""

    ALTAZ = "ALTAZ"
    RADEC = "RADEC"
    REVERSE_LON_RADEC = "REVERSE_LON_RADEC"  # old H.E.S.S. files (spec §1.5)
    ALL = (ALTAZ, RADEC, REVERSE_LON_RADEC)

    @classmethod
    def check(cls, value):
        value = str(getattr(value, "value", value)).strip().upper()
        if value not in cls.ALL:
            raise ValueError(f"Invalid FoV alignment {value!r}: expected one of {cls.ALL}")
        return value


def _expand_path(filename):
    return Path(os.path.expandvars(str(filename)))


def _unit_factor(from_unit, to_unit):
    """Multiplier taking values in ``from_unit`` to ``to_unit`` (1 for a unit-less axis)."""
    if to_unit == u.dimensionless_unscaled and from_unit != u.dimensionless_unscaled:
        return 1.0
    return float(u.Unit(from_unit).to(to_unit))


class IRF(QuantityDataMixin):
    """Base class of the table IRFs (AEFF, EDISP, PSF3D, backgrounds, RAD_MAX)."""

    tag = None
    required_axes = ()
    default_unit = u.one
    extname = None
    column_name = None
    hduclas2 = None
    hduclas4 = None
    default_interp_kwargs = {"bounds_error": False, "fill_value": 0.0}

    def __init__(
        self,
        axes,
        data=0,
        unit="",
        is_pointlike=False,
        fov_alignment="RADEC",
        meta=None,
        interp_kwargs=None,
    ):
        self._init_description(axes, is_pointlike, fov_alignment, meta, interp_kwargs)
        if isinstance(data, u.Quantity):
            if not u.Unit(self.default_unit).is_equivalent(data.unit):
                raise UnitMismatchError(
                    f"{type(self).__name__}: data unit {data.unit} is not convertible to {self.default_unit}"
                )
            self._unit = data.unit
            data = data.value
        else:
            self._unit = u.Unit(unit)
        self.data = data

    def _init_description(self, axes, is_pointlike, fov_alignment, meta, interp_kwargs):
        """Everything but the values: checked axes, flags, meta, interpolation options."""
        from gammabin.maps import MapAxes

        axes = axes if isinstance(axes, MapAxes) else MapAxes(list(axes))
        axes.assert_names(list(self.required_axes))
        self._axes = axes
        self._is_pointlike = bool(is_pointlike)
        self._fov_alignment = FoVAlignment.check(fov_alignment)
        self.meta = meta if meta is not None else {}
        self.interp_kwargs = dict(self.default_interp_kwargs if interp_kwargs is None else interp_kwargs)

    # --- basic properties ------------------------------------------------------

    @property
    def axes(self):
        return self._axes

    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        shape = self._axes.shape
        if np.isscalar(value):
            value = value * np.ones(shape)
        if isinstance(value, u.Quantity):
            raise TypeError("IRF data must be a numpy array; set the unit separately")
        value = np.asarray(value)
        if value.shape != tuple(shape):
            raise ValueError(f"data shape {value.shape} does not match the axes shape {tuple(shape)}")
        self._data = value
        self._grid_cache = None
        self._derived = {}  # per-IRF caches of subclasses (e.g. PSF cumsum), reset with the data

    @property
    def is_pointlike(self):
        return self._is_pointlike

    @property
    def fov_alignment(self):
        return self._fov_alignment

    @property
    def has_offset_axis(self):
        return "offset" in self.required_axes

    @property
    def required_arguments(self):
        return list(self.required_axes)

    def to_unit(self, unit):
        data = self.quantity.to_value(unit)
        return self.__class__(self.axes, data=data, unit=unit, meta=self.meta, interp_kwargs=self.interp_kwargs)

    def copy(self):
        """Independent copy (data copied; axes are immutable and shared)."""
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new._data = self._data.copy()
        new.meta = dict(self.meta)
        new.interp_kwargs = dict(self.interp_kwargs)
        new._grid_cache = None
        new._derived = {}
        return new

    def __str__(self):
        name = type(self).__name__
        lines = [name, "-" * len(name), "", f"  axes  : {self.axes.names}", f"  shape : {self.data.shape}"]
        lines += [f"  ndim  : {len(self.axes)}", f"  unit  : {self.unit}", f"  dtype : {self.data.dtype}"]
        return "\n".join(lines) + "\n"

    # --- evaluation ------------------------------------------------------------

    @property
    def _values_scale(self):
        return self.interp_kwargs.get("values_scale", "lin")

    @property
    def _grid(self):
        """Per-IRF invariants: scaled centres, edges, scaled values (computed once)."""
        if self._grid_cache is None:
            axes = list(self.axes)
            scale = self._values_scale
            values = self._data if scale == "lin" else kernels.axis_scale(self._data, scale)
            self._grid_cache = {
                "nodes": [np.asarray(kernels.axis_scale(a.center.value, a.interp), dtype=float) for a in axes],
                "edges": [a.edges.value for a in axes],
                "interp": [a.interp for a in axes],
                "factor": [_unit_factor(CANONICAL_UNITS.get(a.name, a.unit), a.unit) for a in axes],
                "values": values,
            }
        return self._grid_cache

    def _mask_out_bounds(self, invalid):
        """Which points get the fill value, from the per-axis out-of-edges flags."""
        out = invalid[0]
        for flag in invalid[1:]:
            out = out | flag
        return out

    def _interp_axis_units(self, coords, method=None, fill_value="default"):
        """Core of §2.2.  ``coords``: one array (or None = axis centres) per axis, in the
        axis unit.  Returns a float array of the broadcast shape, in ``self.unit``."""
        return self._interp_values(self._grid["values"], coords, method, fill_value)

    def _interp_values(self, scaled_values, coords, method=None, fill_value="default"):
        """§2.2 on an arbitrary value array laid out on this IRF's axes (scaled values)."""
        grid = self._grid
        ndim = len(coords)
        method = method or self.interp_kwargs.get("method") or "linear"
        if fill_value == "default":
            fill_value = self.interp_kwargs.get("fill_value", 0.0)
        full = []
        for idx, (coord, axis) in enumerate(zip(coords, self.axes)):
            if coord is None:
                shape = [1] * ndim
                shape[idx] = -1
                coord = axis.center.value.reshape(shape)
            full.append(np.asarray(coord, dtype=float))
        shape = np.broadcast_shapes(*(c.shape for c in full))
        corners = []
        for coord, nodes, interp in zip(full, grid["nodes"], grid["interp"]):
            if nodes.size == 1:
                corners.append([(np.zeros((1,) * coord.ndim, dtype=np.intp), None)])
            else:
                corners.append(kernels.grid_brackets(nodes, kernels.axis_scale(coord, interp), method))
        if method != "nearest" and all(n.size == 1 for n in grid["nodes"]):
            raise ValueError("Interpolating an IRF without any multi-bin axis requires method='nearest'")
        values = kernels.grid_interpolate(scaled_values, corners)
        with np.errstate(over="ignore"):  # exp of far-extrapolated log values: inf, masked below
            values = kernels.axis_scale_inverse(values, self._values_scale)
        with np.errstate(invalid="ignore"):
            values = np.clip(values, 0, np.inf)
        values = np.array(np.broadcast_to(values, shape))
        if fill_value is not None:
            invalid = [kernels.outside_edges(c, e) for c, e in zip(full, grid["edges"])]
            mask = np.broadcast_to(self._mask_out_bounds(invalid), shape)
            values[mask] = fill_value
            values[~np.isfinite(values)] = fill_value
        return values

    def _evaluate_float(self, *coords, method=None):
        """Fast evaluation: one plain array (or None) per axis in ``required_axes``
        order, in canonical units (TeV, deg, 1); result in ``self.unit``."""
        factors = self._grid["factor"]
        scaled = [c if (c is None or f == 1.0) else np.asarray(c, dtype=float) * f for c, f in zip(coords, factors)]
        return self._interp_axis_units(scaled, method=method)

    def _coords_in_axis_units(self, kwargs):
        unknown = set(kwargs).difference(self.axes.names)
        if unknown:
            raise ValueError(f"Not a valid coordinate axis {sorted(unknown)}; choose from {self.axes.names}")
        coords = []
        for axis in self.axes:
            value = kwargs.get(axis.name)
            if value is None:
                coords.append(None)
            elif isinstance(value, u.Quantity):
                try:
                    coords.append(value.to_value(axis.unit))
                except u.UnitConversionError:
                    raise UnitMismatchError(
                        f"{type(self).__name__}: coordinate {axis.name!r} in {value.unit} cannot be converted to {axis.unit}"
                    ) from None
            else:
                coords.append(np.asarray(value, dtype=float))
        return coords

    def evaluate(self, method=None, **kwargs):
        """IRF values at the given coordinates (missing ones: axis centres), a Quantity."""
        values = self._interp_axis_units(self._coords_in_axis_units(kwargs), method=method)
        return u.Quantity(values, self.unit, copy=False)

    def integrate_log_log(self, axis_name, method="linear", **kwargs):
        """Power-law integral between consecutive coordinates along ``axis_name``
        (which must be given, e.g. energy edges shaped to that axis position)."""
        axis_idx = self.axes.index(axis_name)
        data = self.evaluate(method=method, **kwargs)
        x = u.Quantity(kwargs[axis_name])
        x_values, y_values = np.broadcast_arrays(x.value, data.value)
        result = kernels.integrate_log_log(x_values, y_values, axis=axis_idx)
        return u.Quantity(result, data.unit * x.unit, copy=False)

    # --- derived IRFs ----------------------------------------------------------

    def cumsum(self, axis_name):
        """Running ``Σ value·Δx`` (× 2π x_centre for rad/offset) on an axis whose nodes
        are the upper edges."""
        from gammabin.maps import MapAxis

        axis = self.axes[axis_name]
        idx = self.axes.index(axis_name)
        shape = [1] * len(self.axes)
        shape[idx] = -1
        values = self.data * axis.bin_width.value.reshape(shape)
        unit = self.unit * axis.unit
        if axis_name in ("rad", "offset"):
            values = 2 * np.pi * axis.center.value.reshape(shape) * values
            unit = unit * axis.unit
        data = values.cumsum(axis=idx)
        shifted = MapAxis.from_nodes(axis.edges[1:], name=axis.name, interp=axis.interp)
        return self.__class__(axes=self.axes.replace(shifted), data=data, unit=unit)

    def integral(self, axis_name, **kwargs):
        """Integral along ``axis_name`` up to the given coordinate (cumsum IRF evaluated)."""
        return self.cumsum(axis_name).evaluate(**kwargs)

    def normalize(self, axis_name):
        """Divide in place by the total along ``axis_name`` (NaN → 0)."""
        cumsum = self.cumsum(axis_name)
        idx = self.axes.index(axis_name)
        with np.errstate(invalid="ignore", divide="ignore"):
            normed = self.data / cumsum.data.max(axis=idx, keepdims=True)
        self._unit = self.unit / cumsum.unit
        self.data = np.nan_to_num(normed)

    def interp_missing_data(self, axis_name):
        """Fill interior zero/non-finite entries of each line along ``axis_name`` by
        interpolating (in the values scale) over the bin index between valid entries;
        leading and trailing gaps stay (spec §2.2)."""
        scale = self._values_scale
        idx = self.axes.index(axis_name)
        data = np.moveaxis(self.data.copy(), idx, -1)
        lines = data.reshape(-1, data.shape[-1])
        filled = _fill_interior_gaps(lines, scale)
        self.data = np.moveaxis(filled.reshape(data.shape), -1, idx)

    def pad(self, pad_width, axis_name, **kwargs):
        """``numpy.pad`` along one axis + the extended axis; the result has default
        settings (no FoV alignment, not point-like), as in gammapy."""
        if np.isscalar(pad_width):
            pad_width = (pad_width, pad_width)
        idx = self.axes.index(axis_name)
        widths = [(0, 0)] * self.data.ndim
        widths[idx] = tuple(pad_width)
        kwargs.setdefault("mode", "constant")
        axes = self.axes.pad(axis_name=axis_name, pad_width=tuple(pad_width))
        data = np.pad(self.data, pad_width=widths, **kwargs)
        return self.__class__(axes=axes, data=data, meta=dict(self.meta), unit=self.unit)

    def is_allclose(self, other, rtol_axes=1e-3, atol_axes=1e-6, **kwargs):
        if not isinstance(other, self.__class__):
            return False
        if self.data.shape != other.data.shape:
            return False
        axes_eq = self.axes.is_allclose(other.axes, rtol=rtol_axes, atol=atol_axes)
        return axes_eq and bool(np.allclose(self.quantity, other.quantity, **kwargs))

    def __eq__(self, other):
        return isinstance(other, self.__class__) and self.is_allclose(other, rtol=1e-3, rtol_axes=1e-6)

    __hash__ = None

    # --- reading -----------------------------------------------------------------

    @classmethod
    def read(cls, filename, hdu=None, format="gadf-dl3"):
        """Read from a FITS file; ``hdu`` defaults to the class's GADF extension name."""
        path = _expand_path(filename)
        name = cls.extname if hdu is None else hdu
        from ..maps.fits_io import open_fits_checked

        # checked open: a truncated or non-FITS file is an error naming it, not zero-filled data
        with open_fits_checked(path) as hdulist:
            try:
                table_hdu = hdulist[name]
            except KeyError:
                present = ", ".join(h.name for h in hdulist)
                raise MissingHDUError(f"file {path}: no HDU {name!r} (HDUs present: {present})") from None
            return cls.from_hdu(table_hdu, filename=path)

    @classmethod
    def from_hdulist(cls, hdulist, hdu=None, format="gadf-dl3"):
        return cls.from_hdu(hdulist[cls.extname if hdu is None else hdu])

    @classmethod
    def from_hdu(cls, hdu, filename=None):
        """From an opened ``BinTableHDU`` (the data layer's path)."""
        return cls._from_irf_table(IRFTable.from_hdu(hdu, filename=filename))

    @classmethod
    def from_table(cls, table, format="gadf-dl3"):
        """From an astropy ``Table`` (GADF one-row layout)."""
        return cls._from_irf_table(IRFTable.from_table(table))

    @classmethod
    def _from_irf_table(cls, table):
        axes = read_axes(table, cls.required_axes)
        raw = table.finite_column(cls.column_name, what="IRF value column")
        unit = table.unit(cls.column_name, expected=cls.default_unit)
        return cls._from_table_values(table, axes, cls._orient(raw.T, axes, table), unit)

    @classmethod
    def _from_table_values(cls, table, axes, data, unit):
        """The IRF of ``table``'s header keys (point-like flag, FoV alignment, meta)."""
        return cls(
            axes=axes,
            data=data,
            unit=unit,
            meta=table.meta,
            is_pointlike=table.meta.get("HDUCLAS3") == "POINT-LIKE",
            fov_alignment=table.meta.get("FOVALIGN", "RADEC"),
        )

    @classmethod
    def _orient(cls, data, axes, table):
        shape = tuple(a.nbin for a in axes)
        if data.shape != shape:
            raise DataFormatError(
                f"{table.where}: column {cls.column_name!r} has shape {data.T.shape} (C order), "
                f"expected {shape[::-1]} for axes {[a.name for a in axes][::-1]}"
            )
        return data

    # --- writing -----------------------------------------------------------------

    def _axes_table(self):
        table = Table()
        for axis in self.axes:
            prefix = axis_prefix(axis.name)
            if axis.node_type == "center":
                lo = hi = axis.center
            else:
                lo, hi = axis.edges[:-1], axis.edges[1:]
            table[f"{prefix}_LO"] = lo[np.newaxis]
            table[f"{prefix}_HI"] = hi[np.newaxis]
        return table

    def _header_meta(self):
        meta = dict(self.meta)
        meta.update(_COMMON_KEYWORDS)
        meta["HDUCLAS2"] = self.hduclas2
        meta["HDUCLAS3"] = "POINT-LIKE" if self.is_pointlike else "FULL-ENCLOSURE"
        meta["HDUCLAS4"] = self.hduclas4
        if "FOVALIGN" in meta:
            meta["FOVALIGN"] = self.fov_alignment
        meta.pop("EXTNAME", None)
        return meta

    def to_table(self, format="gadf-dl3"):
        """GADF one-row table: axis ``_LO/_HI`` columns, then the value column (``data.T``)."""
        if format != "gadf-dl3":
            raise ValueError(f"Not a valid supported format: {format!r}")
        table = self._axes_table()
        table.meta = self._header_meta()
        table[self.column_name] = u.Quantity(self.data.T[np.newaxis], self.unit, copy=False)
        return table

    def to_table_hdu(self, format="gadf-dl3"):
        return fits.BinTableHDU(self.to_table(format=format), name=self.extname)

    def to_hdulist(self, format="gadf-dl3"):
        return fits.HDUList([fits.PrimaryHDU(), self.to_table_hdu(format=format)])

    def write(self, filename, overwrite=False, format="gadf-dl3"):
        """Write atomically: a temporary file beside the target, then ``os.replace``."""
        write_fits_atomic(self.to_hdulist(format=format), filename, overwrite=overwrite)


def _fill_interior_gaps(lines, scale):
    """Vectorised gap filling of rows of ``lines`` (see ``IRF.interp_missing_data``)."""
    dtype = lines.dtype
    invalid = ~np.isfinite(lines) | (lines == 0)
    if not invalid.any():
        return lines
    n = lines.shape[-1]
    index = np.arange(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = kernels.axis_scale(np.where(invalid, 1, lines), scale) if scale != "lin" else lines
    # previous / next valid index of every entry (-1 / n where none)
    prev_valid = np.maximum.accumulate(np.where(~invalid, index, -1), axis=-1)
    next_valid = np.minimum.accumulate(np.where(~invalid, index, n)[:, ::-1], axis=-1)[:, ::-1]
    fill = invalid & (prev_valid >= 0) & (next_valid < n)
    rows, cols = np.nonzero(fill)
    p, q = prev_valid[rows, cols], next_valid[rows, cols]
    fp, fq = scaled[rows, p].astype(float), scaled[rows, q].astype(float)
    slope = (fq - fp) / (q - p)
    interp = slope * (cols - p) + fp
    out = lines.copy()
    out[rows, cols] = np.asarray(kernels.axis_scale_inverse(interp, scale), dtype=float).astype(dtype)
    return out
