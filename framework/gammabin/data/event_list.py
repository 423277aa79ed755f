"""Event lists.  Columns are kept as plain numpy arrays (file dtypes: float32 RA/DEC/
ENERGY in all shipped data) with float64 MET seconds for TIME; ``table``, ``radec``,
``time`` and friends are built on request.  Makers use the fast float attributes
(``_ra``, ``_dec``, ``_energy_tev``, ``_time_met``) and never a SkyCoord per event."""
from functools import cached_property

import numpy as np
from astropy import units as u
from astropy.io import fits
from astropy.time import Time, TimeDelta

from gammabin import kernels
from gammabin.errors import DataFormatError, MissingColumnError, MissingKeyError

from .fits_reading import open_fits, read_column
from .times import time_ref_from_header

__all__ = ["EventList"]

_REQUIRED = ("TIME", "ENERGY", "RA", "DEC")
_REQUIRED_UNITS = {"RA": u.deg, "DEC": u.deg, "TIME": u.s, "ENERGY": u.TeV}
_DROPPED = {"GLON", "GLAT"}


class EventList:
    """Events of one (or several stacked) observations.

    ``EventList(table, meta=None)`` accepts an astropy Table with ``TIME`` (Time, or
    seconds after the header reference), ``ENERGY``, ``RA``, ``DEC``; ``read`` builds it
    straight from the FITS columns.
    """

    def __init__(self, table=None, meta=None):
        if table is None:
            from astropy.table import Table  # lazy: ~0.1 s to import
            table = Table({name: [] for name in _REQUIRED}, meta=dict(meta or {}))
        header = dict(table.meta)
        if meta is not None:
            header.update(dict(meta))
        missing = [name for name in _REQUIRED if name not in table.colnames]
        if missing:
            raise MissingColumnError(f"event table lacks required columns {missing}")
        columns, units = {}, {}
        time_ref = _time_ref_or_default(header)
        for name in table.colnames:
            col = table[name]
            if name == "TIME" and isinstance(col, Time):
                columns[name] = np.asarray((col - time_ref).to_value(u.s), dtype=np.float64)
                units[name] = u.s
                continue
            unit = getattr(col, "unit", None)
            columns[name] = np.asarray(getattr(col, "value", col))
            units[name] = u.Unit(unit) if unit is not None else None
        if units.get("TIME") is not None and units["TIME"] != u.s:
            columns["TIME"] = (columns["TIME"] * units["TIME"]).to_value(u.s)
        units["TIME"] = u.s
        self._init_from_arrays(columns, units, header, time_ref, source="<table>")

    @classmethod
    def _from_arrays(cls, columns, units, header, time_ref, source):
        self = cls.__new__(cls)
        self._init_from_arrays(columns, units, header, time_ref, source)
        return self

    def _init_from_arrays(self, columns, units, header, time_ref, source):
        self._columns = columns
        self._units = units
        self._header = header
        self._time_ref = time_ref
        self._source = source

    # --- reading ---------------------------------------------------------------
    @classmethod
    def read(cls, filename, hdu="EVENTS"):
        """Read a GADF EVENTS HDU (RA, DEC, TIME, ENERGY required; GLON/GLAT dropped)."""
        fits_file = open_fits(filename)
        try:
            return cls.from_fits_file(fits_file, hdu)
        except Exception as exc:
            # astropy's header parser (the fallback for unusual cards) raises VerifyError,
            # which names neither file nor HDU
            if type(exc).__name__ == "VerifyError":
                raise DataFormatError(f"HDU {hdu!r} of {fits_file.path} has a damaged header: {exc}") from exc
            raise

    @classmethod
    def from_fits_file(cls, fits_file, hdu="EVENTS"):
        table_header = fits_file.header(hdu)
        where = f"HDU {fits_file.hdu_name_of(hdu)!r} of {fits_file.path}"
        names = list(fits_file.table_columns(hdu))
        upper = {n.upper(): n for n in names}
        missing = [name for name in _REQUIRED if name not in upper]
        if missing:
            raise MissingColumnError(f"required columns {missing} missing from {where}; columns: {', '.join(names)}")
        header = {k: v for k, v in table_header.items() if k not in ("COMMENT", "HISTORY", "")}
        time_ref = time_ref_from_header(table_header, where)
        columns, units = {}, {}
        for std in _REQUIRED:
            array, unit = read_column(fits_file, hdu, upper[std], unit=_REQUIRED_UNITS[std])
            columns[std], units[std] = array, unit
        # Event TIME is seconds after the reference whatever TIMEUNIT says (GADF).
        columns["TIME"] = columns["TIME"].astype(np.float64, copy=False)
        units["TIME"] = u.s
        for name in names:
            if name.upper() in _REQUIRED or name.upper() in _DROPPED:
                continue
            columns[name], units[name] = read_column(fits_file, hdu, name)
        return cls._from_arrays(columns, units, header, time_ref, where)

    # --- plain attributes ------------------------------------------------------------
    def __len__(self):
        return len(self._columns["TIME"])

    @property
    def meta(self):
        """Header keys of the EVENTS HDU (dict)."""
        return self._header

    @property
    def colnames(self):
        return list(self._columns)

    @property
    def time_ref(self):
        return self._time_ref

    @cached_property
    def table(self):
        """Astropy Table (TIME as ``Time``); built on first access, for inspection and I/O."""
        from astropy.table import Table  # lazy: ~0.1 s to import
        table = Table(meta=dict(self._header))
        table["TIME"] = self.time
        for name, array in self._columns.items():
            if name == "TIME":
                continue
            unit = self._units.get(name)
            table[name] = u.Quantity(array, unit, copy=False) if unit is not None else array
        return table

    def column(self, name):
        """Column as a numpy array (file dtype); TIME in s after ``time_ref``."""
        for key in self._columns:
            if key.upper() == str(name).upper():
                return self._columns[key]
        raise MissingColumnError(f"column {name!r} not in event list from {self._source}; columns: {', '.join(self._columns)}")

    def column_quantity(self, name):
        for key in self._columns:
            if key.upper() == str(name).upper():
                unit = self._units.get(key)
                return u.Quantity(self._columns[key], unit if unit is not None else "", copy=False)
        raise MissingColumnError(f"column {name!r} not in event list from {self._source}; columns: {', '.join(self._columns)}")

    # --- fast float columns (no Quantity/SkyCoord) ------------------------------------------
    @cached_property
    def _ra(self):
        return _to_float64(self._columns["RA"], self._units["RA"], u.deg)

    @cached_property
    def _dec(self):
        return _to_float64(self._columns["DEC"], self._units["DEC"], u.deg)

    @cached_property
    def _energy_tev(self):
        energy, unit = self._columns["ENERGY"], self._units["ENERGY"]
        if unit is None or unit == u.TeV:
            return energy
        return (energy * unit.to(u.TeV)).astype(energy.dtype, copy=False)

    @property
    def _time_met(self):
        return self._columns["TIME"]

    @cached_property
    def _pointing_radec_deg(self):
        ra = self._header.get("RA_PNT", np.nan)
        dec = self._header.get("DEC_PNT", np.nan)
        try:
            return float(ra), float(dec)
        except (TypeError, ValueError) as exc:
            raise DataFormatError(f"RA_PNT/DEC_PNT in {self._source} are {ra!r}/{dec!r}, expected numbers") from exc

    @cached_property
    def _offset_deg(self):
        ra0, dec0 = self._pointing_radec_deg
        return kernels.angular_separation(ra0, dec0, self._ra, self._dec)

    # --- public quantities ---------------------------------------------------------------
    @property
    def energy(self):
        """Reconstructed energies, file unit and dtype (float32)."""
        return u.Quantity(self._columns["ENERGY"], self._units["ENERGY"] or u.TeV, copy=False)

    @property
    def time(self):
        return self._time_ref + TimeDelta(self._columns["TIME"], format="sec")

    @property
    def radec(self):
        from astropy.coordinates import SkyCoord  # lazy (import time)
        return SkyCoord(self._ra, self._dec, unit="deg", frame="icrs")

    @property
    def galactic(self):
        return self.radec.galactic

    @property
    def pointing_radec(self):
        """EVENTS header (RA_PNT, DEC_PNT), NaN when absent."""
        ra, dec = self._pointing_radec_deg
        from astropy.coordinates import SkyCoord  # lazy (import time)
        return SkyCoord(ra, dec, unit="deg", frame="icrs")

    @property
    def offset(self):
        from astropy.coordinates import Angle  # lazy (import time)
        return Angle(self._offset_deg, "deg")

    @property
    def is_pointed_observation(self):
        return "RA_PNT" in self._header

    @property
    def observation_time_duration(self):
        """Header TSTOP − TSTART (makers use the GTI instead)."""
        return u.Quantity(float(self._header_key("TSTOP")) - float(self._header_key("TSTART")), u.s)

    @property
    def observation_live_time_duration(self):
        """Header LIVETIME (makers use GTI sum × DEADC instead)."""
        return u.Quantity(float(self._header_key("LIVETIME")), u.s)

    @property
    def observation_dead_time_fraction(self):
        return 1 - float(self._header_key("DEADC"))

    @property
    def observation_time_start(self):
        return self._time_ref + u.Quantity(float(self._header_key("TSTART")), u.s)

    @property
    def observation_time_stop(self):
        return self._time_ref + u.Quantity(float(self._header_key("TSTOP")), u.s)

    def _header_key(self, key):
        if key not in self._header:
            raise MissingKeyError(f"header key {key!r} missing from {self._source}")
        return self._header[key]

    # --- selections ---------------------------------------------------------------------
    def select_row_subset(self, row_specifier):
        """New list with the rows picked by a boolean mask, index array or slice."""
        columns = {name: array[row_specifier] for name, array in self._columns.items()}
        return self._from_arrays(columns, dict(self._units), dict(self._header), self._time_ref, self._source)

    select_mask_array = select_row_subset

    def select_energy(self, energy_range):
        """``e0 <= E < e1`` (compared in the column's unit and dtype)."""
        unit = self._units["ENERGY"] or u.TeV
        e0, e1 = (u.Quantity(e).to_value(unit) for e in energy_range)
        energy = self._columns["ENERGY"]
        return self.select_row_subset((energy >= e0) & (energy < e1))

    def select_time(self, time_interval, inverted=False):
        """``t0 <= t < t1`` (or the complement with ``inverted``)."""
        t0, t1 = (self._met_of(t) for t in time_interval)
        met = self._columns["TIME"]
        mask = (met >= t0) & (met < t1)
        return self.select_row_subset(~mask if inverted else mask)

    def _met_of(self, time):
        if isinstance(time, Time):
            return float((time - self._time_ref).to_value(u.s))
        return float(u.Quantity(time, u.s).value)

    def select_offset(self, offset_band):
        """``o0 <= offset < o1`` from the header pointing."""
        o0, o1 = (u.Quantity(o).to_value(u.deg) for o in offset_band)
        offset = self._offset_deg
        return self.select_row_subset((offset >= o0) & (offset < o1))

    def select_region(self, regions, wcs=None):
        """Events inside any of ``regions`` (pixel test in a TAN WCS, §3.7)."""
        return self.select_row_subset(_region_mask(regions, wcs, self._ra, self._dec))

    def select_rad_max(self, rad_max, position=None):
        """``sep(position, event) <= R(E, sep(position, pointing))``, R by nearest node (inclusive)."""
        ra0, dec0 = self._pointing_radec_deg
        if position is None:
            pra, pdec = ra0, dec0
        else:
            icrs = position.icrs
            pra, pdec = float(icrs.ra.deg), float(icrs.dec.deg)
        offset = kernels.angular_separation(pra, pdec, ra0, dec0)
        separation = kernels.angular_separation(pra, pdec, self._ra, self._dec)
        radius = rad_max.evaluate(method="nearest", energy=self.energy, offset=u.Quantity(offset, u.deg))
        radius = u.Quantity(radius).to_value(u.deg)
        return self.select_row_subset(separation <= radius)

    def select_parameter(self, parameter, values, is_range=True):
        """``v0 <= col < v1``; with ``is_range=False`` rows equal to any value (NaN matches NaN)."""
        col = self.column(parameter)
        unit = self._units.get(self._column_name(parameter))
        values = [_value_in(v, unit) for v in values]
        if is_range:
            v0, v1 = values
            mask = (col >= v0) & (col < v1)
        else:
            mask = np.isin(col, values)
            if np.issubdtype(col.dtype, np.floating) and np.isnan(np.asarray(values, dtype=float)).any():
                mask |= np.isnan(col)
        return self.select_row_subset(mask)

    def _column_name(self, name):
        for key in self._columns:
            if key.upper() == str(name).upper():
                return key
        return name

    def map_coord(self, geom):
        """Coordinates to fill ``geom``: sky position plus, per non-spatial axis, the column
        named like the axis (upper-cased), in the axis unit; KeyError naming a missing column."""
        coords = {"skycoord": self.radec}
        for axis in geom.axes:
            name = axis.name.upper()
            key = next((k for k in self._columns if k.upper() == name), None)
            if key is None:
                raise MissingColumnError(
                    f"event list from {self._source} has no column {name!r} for geometry axis "
                    f"{axis.name!r}; columns: {', '.join(self._columns)}"
                )
            coords[axis.name] = self.column_quantity(key).to(axis.unit)
        try:
            from gammabin.maps import MapCoord
        except ImportError:  # maps layer not built yet: plain dict
            return coords
        return MapCoord.create(coords, frame=geom.frame) if hasattr(geom, "frame") else MapCoord.create(coords)

    def select_mask(self, mask):
        """Events where ``mask.get_by_coord`` of their coordinates is > 0."""
        values = mask.get_by_coord(self.map_coord(mask.geom))
        return self.select_row_subset(np.asarray(values) > 0)

    # --- combining ------------------------------------------------------------------
    def stack(self, other):
        """Append ``other``'s events in place (times re-referenced to this list)."""
        stacked = self.from_stack([self, other])
        self._init_from_arrays(stacked._columns, stacked._units, stacked._header, stacked._time_ref, stacked._source)
        self.__dict__.pop("table", None)
        for name in ("_ra", "_dec", "_energy_tev", "_pointing_radec_deg", "_offset_deg"):
            self.__dict__.pop(name, None)

    @classmethod
    def from_stack(cls, event_lists):
        """Concatenate event lists (columns of the first; header and reference of the first)."""
        event_lists = list(event_lists)
        if not event_lists:
            raise ValueError("EventList.from_stack needs at least one event list")
        first = event_lists[0]
        columns = {}
        for name in first._columns:
            parts = []
            for events in event_lists:
                if name == "TIME":
                    shift = float((events._time_ref - first._time_ref).to_value(u.s))
                    parts.append(events._columns["TIME"] + shift if shift else events._columns["TIME"])
                else:
                    array = events.column(name)
                    unit, own = first._units.get(name), events._units.get(events._column_name(name))
                    if unit is not None and own is not None and own != unit:
                        array = (array * own.to(unit)).astype(array.dtype, copy=False)
                    parts.append(array)
            columns[name] = np.concatenate(parts)
        return cls._from_arrays(columns, dict(first._units), dict(first._header), first._time_ref, first._source)

    def copy(self):
        columns = {name: array.copy() for name, array in self._columns.items()}
        return self._from_arrays(columns, dict(self._units), dict(self._header), self._time_ref, self._source)

    # --- output ----------------------------------------------------------------------
    def to_table_hdu(self, format="gadf"):
        """GADF EVENTS HDU: TIME in s from the event reference, header kept."""
        if format != "gadf":
            raise ValueError(f'only the "gadf" format is supported, got {format!r}')
        cols = []
        for name, array in self._columns.items():
            unit = self._units.get(name)
            cols.append(
                fits.Column(name=name, array=array, format=_fits_format(array), unit=str(unit) if unit is not None else None)
            )
        hdu = fits.BinTableHDU.from_columns(cols, name="EVENTS")
        for key, value in self._header.items():
            if key in hdu.header or key.startswith(("TTYPE", "TFORM", "TUNIT", "TDIM", "NAXIS", "TZERO", "TSCAL")):
                continue
            if key in ("XTENSION", "BITPIX", "PCOUNT", "GCOUNT", "TFIELDS", "EXTNAME"):
                continue
            try:
                hdu.header[key] = value
            except (ValueError, TypeError):
                pass
        return hdu

    def __str__(self):
        e = self._columns["ENERGY"]
        lines = [
            "EventList",
            "---------",
            f"  Source         : {self._source}",
            f"  Number of events : {len(self)}",
            f"  Columns        : {', '.join(self._columns)}",
        ]
        if len(self):
            lines.append(f"  Energy range   : {e.min():.3g} – {e.max():.3g} {self._units['ENERGY']}")
        return "\n".join(lines)

    __repr__ = __str__


def _time_ref_or_default(header):
    if "MJDREFI" in header and "MJDREFF" in header:
        return time_ref_from_header(header)
    from .times import TIME_REF_DEFAULT

    return TIME_REF_DEFAULT


def _to_float64(array, unit, target):
    out = np.asarray(array, dtype=np.float64)
    if unit is not None and unit != target:
        out = out * unit.to(target)
    return out


def _value_in(value, unit):
    if isinstance(value, u.Quantity):
        return value.to_value(unit) if unit is not None else value.value
    return value


_FORMATS = {"f4": "E", "f8": "D", "i2": "I", "i4": "J", "i8": "K", "u1": "B", "b1": "L", "i1": "B"}


def _fits_format(array):
    code = _FORMATS.get(array.dtype.str[1:])
    if code is None:
        raise DataFormatError(f"cannot write an event column of dtype {array.dtype}")
    width = int(np.prod(array.shape[1:])) if array.ndim > 1 else 1
    return f"{width}{code}"


def _region_mask(regions, wcs, ra, dec):
    """Union of pixel-region tests; gammabin.maps.RegionGeom when available."""
    try:
        from gammabin.maps import RegionGeom  # noqa: F401
    except ImportError:
        RegionGeom = None
    from astropy.coordinates import SkyCoord  # lazy (import time)
    skycoord = SkyCoord(ra, dec, unit="deg", frame="icrs")
    if RegionGeom is not None and hasattr(RegionGeom, "from_regions"):
        geom = RegionGeom.from_regions(regions, wcs=wcs)
        return np.asarray(geom.contains(skycoord))
    from regions import PointSkyRegion, Regions

    if isinstance(regions, str):
        regions = Regions.parse(regions, format="ds9")
    if not isinstance(regions, (list, tuple, Regions)):
        regions = [regions]
    mask = np.zeros(len(ra), dtype=bool)
    for region in regions:
        if isinstance(region, PointSkyRegion):
            return np.ones(len(ra), dtype=bool)
        region_wcs = wcs if wcs is not None else _tan_wcs(region.center)
        mask |= np.asarray(region.contains(skycoord.transform_to(region.center.frame), region_wcs))
    return mask


def _tan_wcs(center, binsz=0.1):
    from astropy.wcs import WCS

    frame = center.frame.name
    wcs = WCS(naxis=2)
    if frame == "galactic":
        wcs.wcs.ctype = ["GLON-TAN", "GLAT-TAN"]
        lon, lat = center.l.deg, center.b.deg
    else:
        wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
        lon, lat = center.icrs.ra.deg, center.icrs.dec.deg
    wcs.wcs.crval = [lon, lat]
    wcs.wcs.cdelt = [-binsz, binsz]
    wcs.wcs.crpix = [1.0, 1.0]
    return wcs
