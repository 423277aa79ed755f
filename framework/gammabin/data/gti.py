"""Good time intervals.  Rows are few, so start/stop are kept as astropy ``Time``
vectors and durations come from ``Time`` differences, exactly as gammapy's numbers
do (23523: 1687.0000000000016 s, not the 1687 of the float MET difference)."""
import numpy as np
from astropy import units as u
from astropy.io import fits
from astropy.time import Time

from ..errors import DataFormatError
from .fits_reading import open_fits, read_column
from .paths import make_path
from .times import TIME_REF_DEFAULT, time_ref_from_header, time_ref_to_header

__all__ = ["GTI"]


def _concatenate(a, b):
    """Time vectors end to end (the exact jd1/jd2 of both; scale and format of ``a``)."""
    if a.scale == b.scale and a.format == b.format:
        return np.concatenate([a, b])
    return Time([*a, *b])


def _offset_from(ref, offset):
    """``ref + offset`` (a time Quantity).  An empty offset (``MapDataset.create``'s GTI)
    gives an empty vector directly: the arithmetic would load astropy's leap-second table
    for a UTC reference (≈ 10 ms of a process's first dataset) to add nothing."""
    offset = u.Quantity(offset)
    if offset.size == 0:
        empty = Time(np.empty(offset.shape), np.empty(offset.shape), format="jd", scale=ref.scale)
        empty.format = ref.format
        return empty
    return ref + offset


def _as_time_vector(value):
    return Time(value).reshape(-1) if not isinstance(value, Time) else value.reshape(-1)


class GTI:
    """Good time intervals: ``time_start``/``time_stop`` (Time vectors) and a reference time."""

    def __init__(self, start, stop, reference_time=None):
        self._start = _as_time_vector(start)
        self._stop = _as_time_vector(stop)
        if len(self._start) != len(self._stop):
            raise ValueError(f"GTI needs as many starts as stops, got {len(self._start)} and {len(self._stop)}")
        ref = TIME_REF_DEFAULT if reference_time is None else Time(reference_time)
        ref.format = "mjd"
        self._ref = ref
        self._cache = {}

    # --- construction -------------------------------------------------------
    @classmethod
    def create(cls, start, stop, reference_time=None):
        """From ``Time`` or ``Quantity`` (relative to ``reference_time``) starts and stops."""
        ref = TIME_REF_DEFAULT if reference_time is None else Time(reference_time)
        ref.format = "mjd"
        if not isinstance(start, Time):
            start = _offset_from(ref, start)
        if not isinstance(stop, Time):
            stop = _offset_from(ref, stop)
        return cls(np.atleast_1d(start), np.atleast_1d(stop), reference_time=ref)

    @classmethod
    def read(cls, filename, hdu="GTI"):
        """Read a GADF GTI HDU: reference from its header, START/STOP in its TIMEUNIT (default s)."""
        return cls.from_fits_file(open_fits(filename), hdu)

    @classmethod
    def from_fits_file(cls, fits_file, hdu="GTI"):
        header = fits_file.header(hdu)
        where = f"HDU {fits_file.hdu_name_of(hdu)!r} of {fits_file.path}"
        ref = time_ref_from_header(header, where)
        unit = u.Unit(str(header.get("TIMEUNIT", "s")).strip() or "s")
        start, _ = read_column(fits_file, hdu, "START")
        stop, _ = read_column(fits_file, hdu, "STOP")
        bad = np.flatnonzero(~(np.asarray(stop, float) >= np.asarray(start, float)))
        if bad.size:
            # a reversed interval would give a negative live time, i.e. silently wrong exposure
            raise DataFormatError(
                f"{where}: STOP < START (or not finite) in row(s) {bad[:5].tolist()}; "
                "expected time intervals with START <= STOP"
            )
        return cls.create(u.Quantity(start.astype(float), unit), u.Quantity(stop.astype(float), unit), ref)

    @classmethod
    def from_table_hdu(cls, table_hdu):
        hdul = fits.HDUList([fits.PrimaryHDU(), table_hdu])
        from .fits_reading import FitsFile

        fits_file = FitsFile("<memory>")
        fits_file._hdulist = hdul
        return cls.from_fits_file(fits_file, table_hdu.name)

    def copy(self):
        return self.__class__(self._start.copy(), self._stop.copy(), self._ref.copy())

    # --- times ----------------------------------------------------------------
    def __len__(self):
        return len(self._start)

    @property
    def time_ref(self):
        return self._ref

    @property
    def time_start(self):
        return self._start

    @property
    def time_stop(self):
        return self._stop

    @property
    def time_intervals(self):
        return [(t0, t1) for t0, t1 in zip(self._start, self._stop)]

    @property
    def time_delta(self):
        """Durations (stop − start) in s, from Time differences."""
        if "delta" not in self._cache:
            self._cache["delta"] = (self._stop - self._start).to(u.s) if len(self) else u.Quantity([], u.s)
        return self._cache["delta"]

    @property
    def time_sum(self):
        return self.time_delta.sum()

    @property
    def met_start(self):
        if "met_start" not in self._cache:
            self._cache["met_start"] = (self._start - self._ref).to(u.s)
        return self._cache["met_start"]

    @property
    def met_stop(self):
        if "met_stop" not in self._cache:
            self._cache["met_stop"] = (self._stop - self._ref).to(u.s)
        return self._cache["met_stop"]

    @property
    def table(self):
        """Astropy table with ``START``/``STOP`` Time columns."""
        from astropy.table import Table  # lazy: ~0.1 s to import
        return Table({"START": self._start, "STOP": self._stop})

    # --- operations -------------------------------------------------------------
    def select_time(self, time_interval, inverted=False):
        """Rows with ``start <= t1`` and ``stop > t0``, clipped to ``[t0, t1]``.

        ``inverted``: the rows *not* touching the interval, with gammapy's trimming rule
        (a row at or after the interval gets START = t1, one before it STOP = t0)."""
        t0, t1 = Time(time_interval[0]), Time(time_interval[1])
        mask = (self._start <= t1) & (self._stop > t0)
        if inverted:
            start, stop = self._start[~mask], self._stop[~mask]
            if len(start) == 0:
                return self.__class__(start, stop, self._ref)
            start_list, stop_list = list(start), list(stop)
            for i, (a, b) in enumerate(zip(start, stop)):
                if a >= t0 and b >= t1:
                    start_list[i] = t1
            for i, (a, b) in enumerate(zip(start_list, stop_list)):
                if a <= t0 and b <= t1:
                    stop_list[i] = t0
            return self.__class__(Time(start_list), Time(stop_list), self._ref)
        if not mask.any():
            return self.__class__(self._start[mask], self._stop[mask], self._ref)
        # Few rows: clip element-wise so a clipped value is exactly the interval bound.
        start = Time([min(max(t, t0), t1) for t in self._start[mask]])
        stop = Time([min(max(t, t0), t1) for t in self._stop[mask]])
        return self.__class__(start, stop, self._ref)

    def stack(self, other):
        """Append ``other``'s rows in place (no merging: overlaps count twice in ``time_sum``)."""
        if len(other):
            self._start = _concatenate(self._start, other.time_start)
            self._stop = _concatenate(self._stop, other.time_stop)
        self._cache = {}

    @classmethod
    def from_stack(cls, gtis):
        """Concatenate GTIs (reference of the first) into a new GTI."""
        gtis = list(gtis)
        if not gtis:
            raise ValueError("GTI.from_stack needs at least one GTI")
        rest = [gti for gti in gtis[1:] if len(gti)]
        if not rest:
            return gtis[0].copy()
        start, stop = gtis[0].time_start, gtis[0].time_stop
        for gti in rest:  # each concatenation makes new vectors: no copy of the first needed
            start, stop = _concatenate(start, gti.time_start), _concatenate(stop, gti.time_stop)
        return cls(start, stop, gtis[0].time_ref)

    def union(self, overlap_ok=True, merge_equal=True):
        """Merge overlapping (and, with ``merge_equal``, touching) intervals, sorted by start."""
        if len(self) == 0:
            return self.copy()
        # the starts' order in their own scale (any time scale is monotonic in another):
        # converting to the reference's scale could need astropy's leap-second table
        jd1, jd2 = self._start.jd1, self._start.jd2
        order = np.argsort((jd1 - jd1[0]) + (jd2 - jd2[0]), kind="stable")
        if np.array_equal(order, np.arange(len(order))):  # already sorted (runs stacked in time order)
            starts, stops = self._start, self._stop
        else:
            starts, stops = self._start[order], self._stop[order]
        if starts.scale == stops.scale:
            return self._union_same_scale(starts, stops, overlap_ok, merge_equal)
        merged = [[starts[0], stops[0]]]
        for t0, t1 in zip(starts[1:], stops[1:]):
            last = merged[-1]
            separate = last[1] < t0 if merge_equal else last[1] <= t0
            if separate:
                merged.append([t0, t1])
            else:
                if not overlap_ok:
                    raise ValueError(f"overlapping time intervals: {last[0].isot}–{last[1].isot} and {t0.isot}")
                last[1] = max(last[1], t1)
        return self.__class__(Time([m[0] for m in merged]), Time([m[1] for m in merged]), self._ref)

    def _union_same_scale(self, starts, stops, overlap_ok, merge_equal):
        """``union`` on the (jd1, jd2) floats: astropy compares two times as
        ``(a.jd1 − b.jd1) + (a.jd2 − b.jd2)`` against 0 in a common scale, which is
        what this does, without a ``Time`` object per row; rows are picked, not rebuilt."""
        s1, s2, e1, e2 = starts.jd1, starts.jd2, stops.jd1, stops.jd2
        merged = [[0, 0]]
        for j in range(1, len(starts)):
            last = merged[-1]
            diff = (e1[last[1]] - s1[j]) + (e2[last[1]] - s2[j])  # last stop − this start
            separate = diff < 0.0 if merge_equal else diff <= 0.0
            if separate:
                merged.append([j, j])
                continue
            if not overlap_ok:
                raise ValueError(f"overlapping time intervals: {starts[last[0]].isot}–{stops[last[1]].isot} "
                                 f"and {starts[j].isot}")
            if (e1[j] - e1[last[1]]) + (e2[j] - e2[last[1]]) > 0.0:  # max(last stop, this stop)
                last[1] = j
        if len(merged) == len(starts):  # nothing merged: the rows as they are
            return self.__class__(starts, stops, self._ref)
        first, last = np.array([m[0] for m in merged]), np.array([m[1] for m in merged])
        return self.__class__(starts[first], stops[last], self._ref)

    # --- output -------------------------------------------------------------------
    def to_table_hdu(self, format="gadf"):
        """GADF GTI HDU: START/STOP in s from the reference, MJDREFI/F and TIMESYS."""
        if format != "gadf":
            raise ValueError(f'only the "gadf" format is supported, got {format!r}')
        from astropy.table import Table  # lazy: ~0.1 s to import
        table = Table({"START": self.met_start, "STOP": self.met_stop})
        hdu = fits.BinTableHDU(table, name="GTI")
        for key, value in {"HDUCLASS": "GADF", "HDUCLAS1": "GTI", **time_ref_to_header(self._ref)}.items():
            hdu.header[key] = value
        return hdu

    def write(self, filename, overwrite=False):
        fits.HDUList([fits.PrimaryHDU(), self.to_table_hdu()]).writeto(make_path(filename), overwrite=overwrite)

    def __str__(self):
        if len(self) == 0:
            return "GTI: empty"
        return (
            f"GTI info:\n- Number of GTIs: {len(self)}\n- Duration: {self.time_sum}\n"
            f"- Start: {self.met_start[0]} MET, {self._start[0].isot} ({self._start.scale.upper()})\n"
            f"- Stop: {self.met_stop[-1]} MET, {self._stop[-1].isot} ({self._stop.scale.upper()})\n"
        )
