"""gadf FITS layout of WCS maps (gammapy-compatible, spec §3.8).

Image HDU (``hdu.upper()`` or PRIMARY) with the WCS keys, ``AXCOLS<i>`` /
``INTERP<i>``, ``WCSSHAPE``, ``BANDSHDU``, ``META`` and ``BUNIT``; a
``<HDU>_BANDS`` table per map with non-spatial axes.  Writes are atomic.
"""
import io
import json
import os
import warnings
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.io import fits

from gammabin.errors import DataFormatError, MissingHDUError
from gammabin.fitsio import FITS_BLOCK, data_size, read_fits_bytes

__all__ = ["map_to_hdulist", "map_parts_from_hdulist", "unit_from_header", "open_fits_checked"]


class _MetaEncoder(json.JSONEncoder):
    """JSON for map meta: Quantities as strings, numpy scalars/arrays as lists."""

    def default(self, obj):
        if isinstance(obj, u.Quantity):
            return obj.to_string()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        if isinstance(obj, np.generic):
            return obj.item()
        return str(obj)


def map_to_hdulist(geom, data, unit, meta, hdu=None, hdu_bands=None):
    """HDUList of one WCS map in the gadf layout."""
    hdu = "PRIMARY" if hdu is None else hdu.upper()
    hdu_bands = f"{hdu}_BANDS" if hdu_bands is None else hdu_bands
    header = geom.to_header()
    bands = None
    if len(geom.axes):
        bands = geom.axes.to_table_hdu(hdu_bands=hdu_bands)
        header["BANDSHDU"] = bands.name
    if data.dtype == bool:
        data = data.astype(np.int64)
    if hdu == "PRIMARY":
        image = fits.PrimaryHDU(data, header=header)
    else:
        image = fits.ImageHDU(data, header=header, name=hdu)
    image.header["META"] = json.dumps(meta or {}, cls=_MetaEncoder)
    image.header["BUNIT"] = u.Unit(unit).to_string("fits")
    hdus = [image] if hdu == "PRIMARY" else [fits.PrimaryHDU(), image]
    if bands is not None:
        hdus.append(bands)
    return fits.HDUList(hdus)


def open_fits_checked(filename):
    """Open a small FITS file (plain or gzip) fully in memory, refusing damaged files.

    astropy reads a truncated file with a warning and zero-filled (or short) data;
    here every declared HDU must be complete, so a cut download fails loudly with
    a ``DataFormatError`` naming the file (and the HDU) instead of giving wrong numbers.
    """
    path = Path(os.path.expandvars(str(filename)))
    raw = read_fits_bytes(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # damage is reported below, by size
            hdulist = fits.open(io.BytesIO(raw), memmap=False, lazy_load_hdus=False)
            infos = [(hdu.name, hdulist.fileinfo(i)["datLoc"], data_size(hdu.header)) for i, hdu in enumerate(hdulist)]
    except (OSError, ValueError, IndexError, KeyError, TypeError) as exc:
        raise DataFormatError(f"FITS file {path} is damaged or truncated: {exc}") from None
    for name, start, size in infos:
        if start is None or start + size > len(raw):
            hdulist.close()
            raise DataFormatError(
                f"FITS file {path} is truncated: HDU {name!r} declares {size} data bytes, "
                f"the file ends {max(len(raw) - (start or 0), 0)} bytes after its header")
    if len(raw) % FITS_BLOCK:
        hdulist.close()
        raise DataFormatError(f"FITS file {path} is truncated: {len(raw)} bytes is not a whole number of 2880-byte blocks")
    return hdulist


def unit_from_header(header, where=""):
    """``BUNIT`` as a Unit; invalid strings give the empty unit (with a warning)."""
    text = header.get("BUNIT", "")
    try:
        return u.Unit(text, format="fits", parse_strict="raise")
    except ValueError:
        try:
            return u.Unit(text)
        except ValueError:
            warnings.warn(f"{where}: invalid BUNIT {text!r}, using a dimensionless unit")
            return u.Unit("")


def _first_hdu_with_data(hdulist, filename):
    for hdu in hdulist:
        if hdu.header.get("NAXIS", 0) > 0 and not isinstance(hdu, fits.BinTableHDU):
            return hdu
    raise MissingHDUError(f"{filename}: no image HDU with data found")


def _bands_name(hdulist, hdu):
    if "BANDSHDU" in hdu.header:
        return hdu.header["BANDSHDU"]
    if hdu.header.get("NAXIS", 0) == 3:
        for name in ("EBOUNDS", "ENERGIES"):
            if name in hdulist:
                return name
    return None


def map_parts_from_hdulist(hdulist, hdu=None, hdu_bands=None, filename=""):
    """(geom, data, unit, meta) of the WCS map in ``hdulist``."""
    from gammabin.maps.wcs_geom import WcsGeom

    if hdu is None:
        image = _first_hdu_with_data(hdulist, filename)
    else:
        try:
            image = hdulist[hdu]
        except KeyError:
            names = [h.name for h in hdulist]
            raise MissingHDUError(f"{filename}: no HDU {hdu!r} (found {names})") from None
    header = image.header
    if header.get("PIXTYPE") == "HEALPIX":
        raise DataFormatError(f"{filename}, HDU {image.name}: HEALPix maps are not supported by gammabin")
    if "CTYPE1" not in header:
        raise DataFormatError(f"{filename}, HDU {image.name}: no CTYPE1 key, not a WCS image map")
    bands_name = hdu_bands if hdu_bands is not None else _bands_name(hdulist, image)
    bands = None
    if bands_name is not None:
        try:
            bands = hdulist[bands_name]
        except KeyError:
            raise MissingHDUError(f"{filename}: bands HDU {bands_name!r} named by HDU {image.name} is missing") from None
    geom = WcsGeom.from_header(header, bands)
    meta = json.loads(header["META"]) if "META" in header else {}
    unit = unit_from_header(header, where=f"{filename}, HDU {image.name}")
    data = np.asarray(image.data)
    if not data.dtype.isnative:
        data = data.astype(data.dtype.newbyteorder("="))
    if "mask" in image.name.lower():
        data = data.astype(bool)
    if data.shape != geom.data_shape:
        raise DataFormatError(
            f"{filename}, HDU {image.name}: data shape {data.shape} does not match WCSSHAPE/bands {geom.data_shape}"
        )
    return geom, data, unit, meta
