"""Fast FITS access shared by every layer (plumbing: imports nothing of gammabin but
``errors``).

A file is read and decompressed once, its HDU headers are parsed straight from the
bytes (80-character cards; astropy's ``Header``/``Card`` machinery costs ~0.1 ms per
card) and binary-table columns are viewed with one numpy structured dtype (astropy's
``FITS_rec`` costs ~10 ms per HDU).  Anything unusual (long-string CONTINUE cards,
HIERARCH keys, variable-length or scaled columns, damaged files) falls back to
astropy, so results never differ, only the cost.

Files are read whole: DL3 run files are small and every reader (events, GTI, four
IRFs) needs several HDUs of the same file, which a gzip stream could only serve by
re-decompressing from the start each time.
"""
import io
import os
import re
import threading
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np

from gammabin.errors import DataFormatError, MissingColumnError, MissingHDUError, UnitMismatchError
from gammabin.gunzip import ERRORS as _GUNZIP_ERRORS
from gammabin.gunzip import gunzip

__all__ = [
    "FitsFile",
    "FitsHeader",
    "TableHDUView",
    "open_fits",
    "clear_fits_cache",
    "read_column",
    "expand_path",
    "read_fits_bytes",
    "data_size",
]

_GZIP_MAGIC = b"\x1f\x8b"
FITS_BLOCK = 2880
_CARD = 80


def expand_path(path):
    """``str``/``Path`` → ``Path`` with ``$VARS`` and ``~`` expanded."""
    if path is None:
        raise TypeError("a path is required, got None")
    return Path(os.path.expanduser(os.path.expandvars(os.fspath(path))))


# --- headers ---------------------------------------------------------------------------------


class FitsHeader:
    """Read-only header parsed from raw cards: ``h[key]`` / ``get`` / ``in`` give the
    first card of a key (astropy's rule), ``items()`` every card in order (so
    ``dict(h.items())`` equals the same on an astropy ``Header``)."""

    __slots__ = ("_cards", "_first")

    def __init__(self, cards):
        self._cards = cards
        first = {}
        for key, value in cards:
            first.setdefault(key, value)
        self._first = first

    def __getitem__(self, key):
        try:
            return self._first[key.upper()]
        except KeyError:
            raise KeyError(f"Keyword {key!r} not found.") from None

    def get(self, key, default=None):
        return self._first.get(key.upper(), default)

    def __contains__(self, key):
        return isinstance(key, str) and key.upper() in self._first

    def __iter__(self):
        return (key for key, _ in self._cards)

    def __len__(self):
        return len(self._cards)

    def keys(self):
        return [key for key, _ in self._cards]

    def items(self):
        return list(self._cards)

    def __repr__(self):
        return f"FitsHeader({len(self._cards)} cards)"


_COMMENTARY = {"COMMENT", "HISTORY", ""}
_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$")


class _Unusual(Exception):
    """A card the light parser leaves to astropy."""


def _card_value(text):
    """Value of the part after ``= `` of a standard card, as astropy's ``Card.value``."""
    text = text.lstrip()
    if text.startswith("'"):
        chars, i, n = [], 1, len(text)
        while i < n:
            c = text[i]
            if c == "'":
                if i + 1 < n and text[i + 1] == "'":
                    chars.append("'")
                    i += 2
                    continue
                value = "".join(chars).rstrip()
                if value.endswith("&"):
                    raise _Unusual("long string")  # may continue on CONTINUE cards
                return value
            chars.append(c)
            i += 1
        raise _Unusual("unterminated string")
    token = text.split("/", 1)[0].strip()
    if token == "T":
        return True
    if token == "F":
        return False
    if _INT_RE.match(token):
        return int(token)
    if _FLOAT_RE.match(token):
        return float(token.replace("D", "E").replace("d", "e"))
    raise _Unusual(f"value {token!r}")


def _parse_header(raw, start):
    """(FitsHeader, offset just past the header) of the header starting at ``start``.

    Raises ``_Unusual`` when astropy should handle it (or the header is damaged)."""
    cards = []
    position = start
    end = len(raw)
    while True:
        if position + _CARD > end:
            raise _Unusual("header without END")
        card = raw[position:position + _CARD].decode("ascii", "replace")
        position += _CARD
        key = card[:8].rstrip()
        if key == "END":
            break
        if key in _COMMENTARY:
            if key or card.strip():
                cards.append((key, card[8:].rstrip()))
            else:
                cards.append(("", ""))
            continue
        if card[8:10] != "= " or key.startswith(("HIERARCH", "CONTINUE")):
            raise _Unusual(f"card {card!r}")
        cards.append((key, _card_value(card[10:])))
    # astropy lists blank padding cards only inside the header; trailing blanks are dropped
    while cards and cards[-1] == ("", ""):
        cards.pop()
    padded = -(-(position - start) // FITS_BLOCK) * FITS_BLOCK
    return FitsHeader(cards), start + padded


def data_size(header):
    """Bytes of an HDU's data as its header declares them (FITS standard §4.4.1)."""
    naxis = int(header.get("NAXIS", 0))
    if naxis == 0:
        return 0
    count = 1
    for i in range(1, naxis + 1):
        count *= int(header[f"NAXIS{i}"])
    bitpix = abs(int(header["BITPIX"]))
    gcount = int(header.get("GCOUNT", 1))
    pcount = int(header.get("PCOUNT", 0))
    return bitpix // 8 * gcount * (pcount + count)


class _HDUInfo:
    __slots__ = ("index", "name", "header", "data_offset", "data_size")

    def __init__(self, index, name, header, data_offset, data_size):
        self.index, self.name, self.header = index, name, header
        self.data_offset, self.data_size = data_offset, data_size


def _scan(raw):
    """Every HDU of ``raw`` (headers parsed, data located) or ``None`` if astropy
    must do it."""
    infos = []
    position = 0
    try:
        while position < len(raw):
            header, data_offset = _parse_header(raw, position)
            size = data_size(header)
            if "XTENSION" in header:
                name = str(header.get("EXTNAME", "")).strip().upper()
            else:
                if infos:
                    raise _Unusual("extension without XTENSION")
                name = "PRIMARY"
            infos.append(_HDUInfo(len(infos), name, header, data_offset, size))
            position = data_offset + -(-size // FITS_BLOCK) * FITS_BLOCK
            # trailing zero padding after the last HDU is allowed
            if position < len(raw) and not raw[position:position + 8].strip(b"\x00 "):
                break
    except (_Unusual, KeyError, ValueError, TypeError):
        return None
    return infos


# --- files -----------------------------------------------------------------------------------


class TableHDUView:
    """One HDU of a ``FitsFile`` without astropy: ``name``, ``header`` (FitsHeader),
    ``table_columns()``; ``to_astropy()`` for code that needs the astropy HDU."""

    def __init__(self, fits_file, name):
        self.fits_file = fits_file
        self.name = fits_file.hdu_name_of(name)
        self.header = fits_file.header(name)

    def table_columns(self):
        return self.fits_file.table_columns(self.name)

    def to_astropy(self):
        return self.fits_file.hdu(self.name)

    def __repr__(self):
        return f"TableHDUView({str(self.fits_file.path)!r}, {self.name!r})"


class FitsFile:
    """One FITS file, decompressed and parsed at most once; HDUs found by EXTNAME
    (case-insensitive)."""

    def __init__(self, path):
        self.path = expand_path(path) if path != "<memory>" else Path(path)
        self._hdulist = None
        self._raw = None
        self._raw_lock = threading.Lock()  # a read-ahead thread may be reading it now
        self._infos = None  # light scan; False when astropy had to do it
        self._by_name = None
        self._tables = {}

    def __repr__(self):
        return f"FitsFile({str(self.path)!r})"

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_raw_lock")
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._raw_lock = threading.Lock()

    @property
    def raw(self):
        """The decompressed file bytes (``None`` for an in-memory HDU list)."""
        if self._raw is None and self._hdulist is None:
            with self._raw_lock:
                if self._raw is None:
                    self._raw = read_fits_bytes(self.path)
        return self._raw

    @property
    def hdulist(self):
        """Astropy ``HDUList`` on the same bytes (opened on first use only)."""
        if self._hdulist is None:
            self._hdulist = _astropy_open(self.raw, self.path)
        return self._hdulist

    def _light(self):
        if self._infos is None:
            raw = self.raw
            self._infos = (_scan(raw) if raw is not None else None) or False
        return self._infos or None

    def _index(self):
        if self._by_name is None:
            by_name = {}
            infos = self._light()
            if infos is not None:
                for info in infos:
                    by_name.setdefault(info.name, info.index)
            else:
                from astropy.io.fits.verify import VerifyError  # astropy is in use on this path

                try:
                    with warnings.catch_warnings():
                        warnings.filterwarnings("ignore", message="File may have been truncated")
                        for idx, hdu in enumerate(self.hdulist):
                            by_name.setdefault(hdu.name.strip().upper(), idx)
                except (OSError, ValueError, IndexError, VerifyError) as exc:
                    raise DataFormatError(f"FITS file {self.path} is damaged or truncated: {exc}") from exc
            self._by_name = by_name
        return self._by_name

    @property
    def hdu_names(self):
        """EXTNAMEs in file order (upper case)."""
        return list(self._index())

    def has_hdu(self, name):
        return str(name).strip().upper() in self._index()

    def _position(self, name):
        index = self._index()
        if isinstance(name, (int, np.integer)):
            if not 0 <= int(name) < len(index):
                raise MissingHDUError(f"HDU number {name} not found in {self.path} (it has {len(index)})")
            return int(name)
        key = str(name).strip().upper()
        if key not in index:
            raise MissingHDUError(
                f"HDU {name!r} not found in {self.path}; available: {', '.join(index) or 'none'}"
            )
        return index[key]

    def hdu_name_of(self, name):
        position = self._position(name)
        infos = self._light()
        return infos[position].name if infos is not None else self.hdulist[position].name

    def hdu(self, name):
        """The astropy HDU called ``name``; ``MissingHDUError`` naming file, HDU and what exists."""
        return self.hdulist[self._position(name)]

    def header(self, name):
        """Header of HDU ``name``: a ``FitsHeader`` (astropy ``Header`` where the light
        parser declined).  Both support ``[]``, ``get``, ``in`` and ``items()``."""
        position = self._position(name)
        infos = self._light()
        if infos is not None:
            return infos[position].header
        from astropy.io.fits.verify import VerifyError  # astropy is in use on this path

        header = self.hdulist[position].header
        try:
            list(header.items())  # astropy parses cards lazily; a damaged one fails here
        except VerifyError as exc:
            raise DataFormatError(f"HDU {name!r} of {self.path} has a damaged header: {exc}") from exc
        return header

    def view(self, name):
        """``TableHDUView`` of HDU ``name`` (no astropy objects created)."""
        return TableHDUView(self, name)

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
        structured view; columns with scaling other than the unsigned-integer
        convention, or variable-length arrays, go through astropy."""
        position = self._position(name)
        if position not in self._tables:
            infos = self._light()
            columns = None
            if infos is not None:
                info = infos[position]
                columns = _fast_columns(self._raw, info.header, info.data_offset, f"HDU {info.name!r} of {self.path}")
            if columns is None:
                columns = _astropy_columns(self, self.hdu(position))
            self._tables[position] = columns
        return self._tables[position]


_TFORM_DTYPES = {"L": "i1", "B": "u1", "I": ">i2", "J": ">i4", "K": ">i8", "E": ">f4", "D": ">f8", "A": "S1"}
_TFORM_RE = re.compile(r"^\s*(\d*)([A-Z])")
_UNSIGNED_ZERO = {"I": (1 << 15, np.uint16), "J": (1 << 31, np.uint32), "K": (1 << 63, np.uint64)}


def _fast_columns(raw, header, offset, where):
    """Columns of a BINTABLE from its bytes, or ``None`` when astropy must read them."""
    if str(header.get("XTENSION", "")).strip() != "BINTABLE" or raw is None:
        return None
    nrows, row_bytes = int(header["NAXIS2"]), int(header["NAXIS1"])
    if offset + nrows * row_bytes > len(raw):
        raise DataFormatError(
            f"{where} is truncated: {nrows} rows of {row_bytes} bytes need {offset + nrows * row_bytes} bytes, "
            f"the file has {len(raw)}"
        )
    names, formats, offsets, codes, scaled = [], [], [], [], {}
    position = 0
    for i in range(1, int(header["TFIELDS"]) + 1):
        match = _TFORM_RE.match(str(header[f"TFORM{i}"]))
        if match is None or match.group(2) not in _TFORM_DTYPES:
            return None  # P/Q/C/M/X columns
        repeat = int(match.group(1) or 1)
        code = match.group(2)
        base = np.dtype(_TFORM_DTYPES[code])
        name = str(header.get(f"TTYPE{i}", f"col{i}")).strip()
        if code == "A":
            fmt = np.dtype(f"S{repeat}")
        else:
            tdim = header.get(f"TDIM{i}")
            shape = tuple(int(v) for v in str(tdim).strip("() ").split(",")[::-1]) if tdim else ((repeat,) if repeat != 1 else ())
            fmt = np.dtype((base, shape)) if shape else base
        tzero, tscal = header.get(f"TZERO{i}"), header.get(f"TSCAL{i}", 1)
        if tzero not in (None, 0) or tscal != 1:
            if code in _UNSIGNED_ZERO and tscal == 1 and int(tzero) == _UNSIGNED_ZERO[code][0]:
                scaled[name] = _UNSIGNED_ZERO[code]
            else:
                return None
        names.append(name)
        formats.append(fmt)
        offsets.append(position)
        codes.append(code)
        position += fmt.itemsize
    if position != row_bytes or len(set(names)) != len(names):
        return None
    dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": row_bytes})
    records = np.frombuffer(raw, dtype=dtype, count=nrows, offset=offset)
    columns = {}
    for i, (name, code) in enumerate(zip(names, codes), start=1):
        array = records[name]
        if name in scaled:
            zero, unsigned = scaled[name]
            # TZERO = 2**(n-1): the unsigned value is the stored signed one with the sign bit flipped
            native = array.astype(array.dtype.newbyteorder("="))
            array = native.view(unsigned) ^ unsigned(zero)
        elif code == "L":
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


def read_fits_bytes(path):
    """The bytes of a FITS file, gunzipped; a missing, corrupt or non-FITS file raises."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"FITS file not found: {path}")
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gunzip(raw)
        except (EOFError, OSError, *_GUNZIP_ERRORS) as exc:
            raise DataFormatError(f"gzip file {path} is truncated or corrupt: {exc}") from exc
    if len(raw) < FITS_BLOCK or not raw.startswith(b"SIMPLE"):
        raise DataFormatError(f"{path} is not a FITS file (or is truncated): {len(raw)} bytes")
    return raw


def _astropy_open(raw, path):
    from astropy.io import fits

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=fits.verify.VerifyWarning)
            return fits.open(io.BytesIO(raw), memmap=False, lazy_load_hdus=True)
    except Exception as exc:
        raise DataFormatError(f"cannot open FITS file {path}: {exc}") from exc


def _open_hdulist(path):
    """(decompressed bytes, astropy HDUList) of ``path`` (kept for callers of the old API)."""
    raw = read_fits_bytes(path)
    return raw, _astropy_open(raw, path)


# Small process-wide cache: a shared IRF file (CTA 1DC) serves several observations.
_CACHE_SIZE = 8
_cache = OrderedDict()
_lock = threading.Lock()


def open_fits(path):
    """Cached ``FitsFile`` for ``path`` (key: real path, mtime and size, so an edited
    file is re-read).  A missing file raises ``FileNotFoundError`` naming it."""
    path = expand_path(path)
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
        fits_file = _cache.setdefault(key, fits_file)  # another thread (read-ahead) may have won
        _cache.move_to_end(key)
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
    from astropy import units as u

    columns = fits_file.table_columns(hdu_name)
    match = [c for c in columns if c.upper() == name.upper()]
    if not match:
        raise MissingColumnError(
            f"column {name!r} missing from HDU {fits_file.hdu_name_of(hdu_name)!r} of {fits_file.path}; "
            f"columns: {', '.join(columns)}"
        )
    array, unit_str = columns[match[0]]
    col_unit = u.Unit(unit_str, parse_strict="silent") if unit_str else None
    if unit is not None:
        expected = u.Unit(unit)
        if col_unit is None or not col_unit.is_equivalent(expected):
            raise UnitMismatchError(
                f"column {match[0]!r} of HDU {fits_file.hdu_name_of(hdu_name)!r} in {fits_file.path} has unit "
                f"{unit_str!r}, expected one convertible to {expected}"
            )
    return array, col_unit


# --- writing ---------------------------------------------------------------------------------
def write_fits_atomic(hdulist, filename, overwrite=False, checksum=False):
    """Write an HDUList so that readers see the old file or the complete new one, never
    a part: a temporary file beside the target (same suffixes, so ``.gz`` still means
    gzip), then ``os.replace``.  An interrupted write leaves no temporary file behind."""
    import tempfile

    path = expand_path(filename)
    if path.exists() and not overwrite:
        raise FileExistsError(f"File {path} already exists (use overwrite=True)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + "".join(path.suffixes),
                               dir=path.parent)
    os.close(fd)
    try:
        hdulist.writeto(tmp, overwrite=True, checksum=checksum)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
