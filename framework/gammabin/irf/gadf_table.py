"""Reading one-row GADF IRF tables (``<PREFIX>_LO/_HI`` axis columns + value columns).

A table is wrapped in :class:`IRFTable`, which knows the file and HDU it came from so
that every failure (missing column, bad unit, non-finite values) names them.  It can
wrap an opened ``BinTableHDU`` (fast path of the data layer: no astropy ``Table``) or
an astropy ``Table`` (public ``from_table``).
"""
import functools
import re
import warnings

import numpy as np
from astropy import units as u

from gammabin.errors import DataFormatError, MissingColumnError, UnitMismatchError

__all__ = ["IRFTable", "AXIS_PREFIXES", "axis_prefix", "read_axis", "read_axes", "parse_unit"]

# GADF column prefix of each IRF axis name and its interpolation scale.
AXIS_PREFIXES = {
    "energy_true": (("ENERG", "ETRUE"), "log"),
    "energy": (("ENERG",), "log"),
    "offset": (("THETA",), "lin"),
    "rad": (("RAD",), "lin"),
    "fov_lon": (("DETX",), "lin"),
    "fov_lat": (("DETY",), "lin"),
    "migra": (("MIGRA",), "lin"),
}

# Units of the float entry points (and of the axes read from files), per axis name.
CANONICAL_UNITS = {
    "energy_true": u.TeV,
    "energy": u.TeV,
    "offset": u.deg,
    "rad": u.deg,
    "fov_lon": u.deg,
    "fov_lat": u.deg,
    "migra": u.one,
}

# FITS structural keywords that astropy's Table reader drops from ``meta``.
_STRUCTURAL = re.compile(
    r"^(XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|"
    r"T(TYPE|FORM|UNIT|DIM|NULL|SCAL|ZERO|DISP|DMIN|DMAX|LMIN|LMAX)\d+)$"
)


def axis_prefix(name):
    """Column prefix written for an axis (both energies → ``ENERG``)."""
    return AXIS_PREFIXES[name][0][0]


def parse_unit(text, where, column):
    """Astropy unit of a ``TUNIT`` string, FITS syntax first, generic syntax second.

    Returns ``None`` for a string neither syntax understands (callers decide whether
    that is an error or, for backgrounds, a fallback to the default unit)."""
    if isinstance(text, u.UnitBase):
        return None if isinstance(text, u.UnrecognizedUnit) else text
    if text is None or str(text).strip() == "":
        return u.dimensionless_unscaled
    return _parse_unit_text(str(text))


@functools.lru_cache(maxsize=512)
def _parse_unit_text(text):
    # units are immutable: every file of a data set spells them the same few ways, and
    # astropy's parser costs ~0.2 ms per composite string
    for fmt in ("fits", None):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return u.Unit(text, format=fmt) if fmt else u.Unit(text)
        except ValueError:
            continue
    return None


class IRFTable:
    """Row 0 of a GADF IRF table: ``column(name)``, ``unit(name)``, ``meta``."""

    def __init__(self, columns, units, meta, filename=None, hdu=None):
        self._columns = columns  # name -> callable returning row-0 array (lazy)
        self._units = units  # name -> raw unit (str or Unit)
        self.meta = meta
        self.filename = filename
        self.hdu = hdu

    @classmethod
    def from_hdu(cls, hdu, filename=None):
        if hasattr(hdu, "table_columns"):  # gammabin.fitsio view: no astropy FITS_rec
            return cls.from_columns(hdu.table_columns(), hdu.header, filename=filename, hdu=hdu.name)
        data = hdu.data
        columns, units = {}, {}
        for col in hdu.columns:
            columns[col.name] = (lambda name=col.name: data[name][0])
            units[col.name] = col.unit
        meta = {k: v for k, v in hdu.header.items() if k and not _STRUCTURAL.match(k)}
        return cls(columns, units, meta, filename=filename, hdu=hdu.name)

    @classmethod
    def from_columns(cls, columns, header, filename=None, hdu=None):
        """From ``{name: (array of all rows, TUNIT or None)}`` and a header."""
        arrays = {name: (lambda array=array: array[0]) for name, (array, _) in columns.items()}
        units = {name: unit for name, (_, unit) in columns.items()}
        meta = {k: v for k, v in header.items() if k and not _STRUCTURAL.match(k)}
        return cls(arrays, units, meta, filename=filename, hdu=hdu)

    @classmethod
    def from_table(cls, table, filename=None, hdu=None):
        columns = {name: (lambda name=name: np.asarray(table[name])[0]) for name in table.colnames}
        units = {name: table[name].unit for name in table.colnames}
        meta = dict(table.meta)
        return cls(columns, units, meta, filename=filename, hdu=hdu or meta.get("EXTNAME"))

    @property
    def where(self):
        return f"file {self.filename or '<memory>'}, HDU {self.hdu or '?'}"

    @property
    def colnames(self):
        return list(self._columns)

    def has(self, name):
        return name in self._columns

    def column(self, name, what="column"):
        """Row-0 array of a column (dtype kept); MissingColumnError naming file and HDU."""
        if name not in self._columns:
            raise MissingColumnError(
                f"{self.where}: missing {what} {name!r} (columns present: {', '.join(self.colnames)})"
            )
        return np.asarray(self._columns[name]())

    def unit(self, name, expected=None, fallback=None):
        """Unit of a column.  ``expected``: a unit it must convert to (UnitMismatchError
        otherwise); ``fallback``: used (with a warning) for an empty or unparsable unit."""
        raw = self._units.get(name)
        unit = parse_unit(raw, self.where, name)
        empty = raw is None or (isinstance(raw, str) and raw.strip() == "")
        if fallback is not None and (unit is None or empty):
            warnings.warn(f"{self.where}: column {name!r} has unit {raw!r}; assuming {fallback}")
            return u.Unit(fallback)
        if unit is None:
            raise UnitMismatchError(f"{self.where}: column {name!r} has unparsable unit {raw!r}")
        if expected is not None and not unit.is_equivalent(expected):
            raise UnitMismatchError(
                f"{self.where}: column {name!r} has unit {unit!r}, expected a unit convertible to {u.Unit(expected)}"
            )
        return unit

    def finite_column(self, name, what="column"):
        """Row-0 values, refusing NaN/inf: they would silently zero or poison IRF values."""
        values = self.column(name, what)
        if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
            bad = int(np.sum(~np.isfinite(values)))
            raise DataFormatError(f"{self.where}: {what} {name!r} holds {bad} non-finite value(s)")
        if values.dtype.byteorder not in ("=", "|"):
            values = values.astype(values.dtype.newbyteorder("="))  # native order: same values, faster maths
        return values


def read_axis(table, name):
    """MapAxis ``name`` from the table's ``<PREFIX>_LO/_HI`` columns (§2.1).

    LO all-close to HI → centre nodes (edges extrapolated half a step); otherwise
    edges = all LO + last HI.  A scalar LO/HI becomes one bin.
    """
    from gammabin.maps import MapAxis

    prefixes, interp = AXIS_PREFIXES[name]
    prefix = next((p for p in prefixes if table.has(f"{p}_LO")), prefixes[0])
    lo = np.atleast_1d(table.finite_column(f"{prefix}_LO", what=f"{name} axis column"))
    hi = np.atleast_1d(table.finite_column(f"{prefix}_HI", what=f"{name} axis column"))
    unit = table.unit(f"{prefix}_LO")
    # Unit-less axis columns exist (GADF example files) and are kept as given; a unit
    # that is present must fit the axis.
    expected = CANONICAL_UNITS[name]
    if unit != u.dimensionless_unscaled and not unit.is_equivalent(expected):
        raise UnitMismatchError(
            f"{table.where}: column {prefix}_LO has unit {unit!r}, expected a unit convertible to {expected}"
        )
    try:
        if lo.shape == hi.shape and np.allclose(lo, hi):
            return MapAxis.from_nodes(u.Quantity(lo, unit), interp=interp, name=name)
        edges = np.append(lo, hi[-1])
        return MapAxis.from_edges(u.Quantity(edges, unit), interp=interp, name=name)
    except ValueError as exc:
        raise DataFormatError(f"{table.where}: invalid {name} axis from {prefix}_LO/_HI: {exc}") from None


def read_axes(table, names):
    """Axes in the order of ``names`` (a class's ``required_axes``)."""
    return [read_axis(table, name) for name in names]
