"""Open a FITS file once (decompressing it once) and hand out its HDUs and columns
with errors that name the file, the HDU and the column or key at fault.

Files are read whole into memory: DL3 run files are small and every reader (events,
GTI, four IRFs) needs several HDUs of the same file, which a gzip stream could only
serve by re-decompressing from the start each time.
"""
import gzip
import io
import os
import re
import threading
import warnings
import zlib
from collections import OrderedDict

import numpy as np
from astropy import units as u
from astropy.io import fits

from gammabin.errors import (
    DataFormatError,
    MissingColumnError,
    MissingHDUError,
    UnitMismatchError,
)

from .paths import make_path

__all__ = ["FitsFile", "open_fits", "clear_fits_cache", "read_column"]

_GZIP_MAGIC = b"\x1f\x8b"


class FitsFile:
    """One FITS file, decompressed and parsed at most once; HDUs found by EXTNAME
    (case-insensitive)."""

    def __init__(self, path):
        self.path = make_path(path)
        self._hdulist = None
        self._raw = None
        self._by_name = None
        self._tables = {}

    def __repr__(self):
        return f"FitsFile({str(self.path)!r})"

    @property
    def hdulist(self):
        if self._hdulist is None:
            self._raw, self._hdulist = _open_hdulist(self.path)
        return self._hdulist

    def _index(self):
        if self._by_name is None:
            by_name = {}
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="File may have been truncated")
                    for idx, hdu in enumerate(self.hdulist):
                        by_name.setdefault(hdu.name.strip().upper(), idx)
            except (OSError, ValueError, IndexError) as exc:
                raise DataFormatError(f"FITS file {self.path} is damaged or truncated: {exc}") from exc
            self._by_name = by_name
        return self._by_name

    @property
    def hdu_names(self):
        """EXTNAMEs in file order (upper case)."""
        return list(self._index())

    def has_hdu(self, name):
        return str(name).strip().upper() in self._index()

    def hdu(self, name):
        """The HDU called ``name``; ``MissingHDUError`` naming file, HDU and what exists."""
        if isinstance(name, (int, np.integer)):
            if not 0 <= int(name) < len(self._index()):
                raise MissingHDUError(f"HDU number {name} not found in {self.path} (it has {len(self._index())})")
            return self.hdulist[int(name)]
        key = str(name).strip().upper()
        index = self._index()
        if key not in index:
            raise MissingHDUError(
                f"HDU {name!r} not found in {self.path}; available: {', '.join(index) or 'none'}"
            )
        return self.hdulist[index[key]]

    def table_data(self, name):
        """The data (FITS_rec) of a table HDU, with truncation reported by file and HDU."""
        hdu = self.hdu(name)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="File may have been truncated")
                data = hdu.data
        except Exception as exc:  # astropy raises several types on short data
            raise DataFormatError(f"cannot read data of HDU {hdu.name!r} in {self.path}: {exc}") from exc
        if data is None:
            raise DataFormatError(f"HDU {hdu.name!r} in {self.path} holds no table data")
        return data


    def table_columns(self, name):
        """{TTYPE: (native-endian array, TUNIT or None)} of a binary table HDU, cached.

        Reads the column bytes straight from the decompressed file with one numpy
        structured view (astropy's FITS_rec machinery costs ~10 ms per HDU); columns
        with scaling other than the unsigned-integer convention, or variable-length
        arrays, go through astropy."""
        hdu = self.hdu(name)
        key = hdu.name.strip().upper()
        if key not in self._tables:
            self._tables[key] = _fast_columns(self, hdu)
        return self._tables[key]


_TFORM_DTYPES = {"L": "i1", "B": "u1", "I": ">i2", "J": ">i4", "K": ">i8", "E": ">f4", "D": ">f8", "A": "S1"}
_TFORM_RE = re.compile(r"^\s*(\d*)([A-Z])")
_UNSIGNED_ZERO = {"I": (1 << 15, np.uint16), "J": (1 << 31, np.uint32), "K": (1 << 63, np.uint64)}


def _fast_columns(fits_file, hdu):
    header = hdu.header
    where = f"HDU {hdu.name!r} of {fits_file.path}"
    offset = getattr(hdu, "_data_offset", None)
    raw = fits_file._raw
    if header.get("XTENSION", "").strip() != "BINTABLE" or offset is None or raw is None:
        return _astropy_columns(fits_file, hdu)
    nrows, row_bytes = int(header["NAXIS2"]), int(header["NAXIS1"])
    if offset + nrows * row_bytes > len(raw):
        raise DataFormatError(
            f"{where} is truncated: {nrows} rows of {row_bytes} bytes need {offset + nrows * row_bytes} bytes, "
            f"the file has {len(raw)}"
        )
    names, formats, offsets, shapes, scaled = [], [], [], [], {}
    position = 0
    for i in range(1, int(header["TFIELDS"]) + 1):
        match = _TFORM_RE.match(str(header[f"TFORM{i}"]))
        if match is None or match.group(2) not in _TFORM_DTYPES:
            return _astropy_columns(fits_file, hdu)  # P/Q/C/M/X columns
        repeat = int(match.group(1) or 1)
        code = match.group(2)
        base = np.dtype(_TFORM_DTYPES[code])
        name = str(header.get(f"TTYPE{i}", f"col{i}")).strip()
        if code == "A":
            fmt, shape = np.dtype(f"S{repeat}"), ()
        else:
            tdim = header.get(f"TDIM{i}")
            shape = tuple(int(v) for v in str(tdim).strip("() ").split(",")[::-1]) if tdim else ((repeat,) if repeat != 1 else ())
            fmt = np.dtype((base, shape)) if shape else base
        tzero, tscal = header.get(f"TZERO{i}"), header.get(f"TSCAL{i}", 1)
        if tzero not in (None, 0) or tscal != 1:
            if code in _UNSIGNED_ZERO and tscal == 1 and int(tzero) == _UNSIGNED_ZERO[code][0]:
                scaled[name] = _UNSIGNED_ZERO[code]
            else:
                return _astropy_columns(fits_file, hdu)
        names.append(name)
        formats.append(fmt)
        offsets.append(position)
        shapes.append(shape)
        position += fmt.itemsize
    if position != row_bytes:
        return _astropy_columns(fits_file, hdu)
    dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": row_bytes})
    records = np.frombuffer(raw, dtype=dtype, count=nrows, offset=offset)
    columns = {}
    for i, name in enumerate(names, start=1):
        array = records[name]
        if name in scaled:
            zero, unsigned = scaled[name]
            # TZERO = 2**(n-1): the unsigned value is the stored signed one with the sign bit flipped
            native = array.astype(array.dtype.newbyteorder("="))
            array = native.view(unsigned) ^ unsigned(zero)
        elif array.dtype.kind == "i" and array.dtype.itemsize == 1 and _TFORM_RE.match(str(header[f"TFORM{i}"])).group(2) == "L":
            array = array == ord("T")
        else:
            array = array.astype(array.dtype.newbyteorder("="), copy=True)
        unit = str(header.get(f"TUNIT{i}", "")).strip() or None
        columns[name] = (array, unit)
    return columns


def _astropy_columns(fits_file, hdu):
    data = fits_file.table_data(hdu.name)
    columns = {}
    for col in hdu.columns:
        array = np.asarray(data.field(col.name))
        if array.dtype.byteorder not in ("=", "|"):
            array = array.astype(array.dtype.newbyteorder("="))
        unit = str(col.unit).strip() if col.unit else None
        columns[col.name] = (array, unit or None)
    return columns


def _open_hdulist(path):
    if not path.exists():
        raise FileNotFoundError(f"FITS file not found: {path}")
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise DataFormatError(f"gzip file {path} is truncated or corrupt: {exc}") from exc
    if len(raw) < 2880 or not raw.startswith(b"SIMPLE"):
        raise DataFormatError(f"{path} is not a FITS file (or is truncated): {len(raw)} bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=fits.verify.VerifyWarning)
            return raw, fits.open(io.BytesIO(raw), memmap=False, lazy_load_hdus=True)
    except Exception as exc:
        raise DataFormatError(f"cannot open FITS file {path}: {exc}") from exc


# Small process-wide cache: a shared IRF file (CTA 1DC) serves several observations.
_CACHE_SIZE = 8
_cache = OrderedDict()
_lock = threading.Lock()


def open_fits(path):
    """Cached ``FitsFile`` for ``path`` (key: real path, mtime and size, so an edited
    file is re-read).  A missing file raises ``FileNotFoundError`` naming it."""
    path = make_path(path)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"FITS file not found: {path}") from None
    key = (os.path.realpath(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    fits_file = FitsFile(path)
    with _lock:
        _cache[key] = fits_file
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return fits_file


def clear_fits_cache():
    with _lock:
        _cache.clear()


def read_column(fits_file, hdu_name, name, unit=None):
    """Column ``name`` of HDU ``hdu_name`` as a native-endian numpy array (file dtype kept).

    With ``unit`` the column's TUNIT must be convertible to it (``UnitMismatchError``
    otherwise); the values stay in the column's own unit.  Returns ``(array, unit_or_None)``.
    """
    hdu = fits_file.hdu(hdu_name)
    columns = fits_file.table_columns(hdu_name)
    match = [c for c in columns if c.upper() == name.upper()]
    if not match:
        raise MissingColumnError(
            f"column {name!r} missing from HDU {hdu.name!r} of {fits_file.path}; columns: {', '.join(columns)}"
        )
    array, unit_str = columns[match[0]]
    col_unit = u.Unit(unit_str, parse_strict="silent") if unit_str else None
    if unit is not None:
        expected = u.Unit(unit)
        if col_unit is None or not col_unit.is_equivalent(expected):
            raise UnitMismatchError(
                f"column {match[0]!r} of HDU {hdu.name!r} in {fits_file.path} has unit "
                f"{unit_str!r}, expected one convertible to {expected}"
            )
    return array, col_unit
