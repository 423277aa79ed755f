"""gadf FITS layout of map datasets (spec §1.7), as gammapy 2.1 writes it:

PRIMARY (NAME) · COUNTS(+_BANDS) · EXPOSURE(+_BANDS) · BACKGROUND(+_BANDS) ·
EDISP(+_BANDS, _EXPOSURE, _EXPOSURE_BANDS) · PSF(+...) · MASK_SAFE(+_BANDS, int64) ·
MASK_FIT(+_BANDS) · GTI · META_TABLE; every HDU carries CREATOR/CREATED.
Writes are atomic (temporary file in the target folder, then ``os.replace``).
"""
import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.io import fits
from astropy.table import Table

from gammabin.errors import DataFormatError, UnitMismatchError
from gammabin.irf.edisp_map import EDispMap
from gammabin.fitsio import write_fits_atomic
from gammabin.irf.psf_map import PSFMap

__all__ = ["dataset_to_hdulist", "write_dataset", "read_dataset", "dataset_from_hdulist", "gti_to_table_hdu"]

_EXCLUDE_PRIMARY = slice(1, None)


def _creation_keys():
    import gammabin

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return {"CREATOR": f"gammabin {gammabin.__version__}", "CREATED": now}


def gti_to_table_hdu(gti):
    """GTI HDU of a dataset file: START/STOP (s) + MJDREFI/MJDREFF/TIMESYS."""
    from gammabin.data.times import time_ref_to_header

    keys = time_ref_to_header(gti.time_ref)
    # key order of gammapy's files: creation keys (values set later), reference, EXTNAME
    meta = {**_creation_keys(), **{key: keys[key] for key in ("MJDREFI", "MJDREFF", "TIMESYS")}}
    table = Table({"START": gti.met_start.to(u.s), "STOP": gti.met_stop.to(u.s)}, meta=meta)
    return fits.BinTableHDU(table, name="GTI")


def dataset_to_hdulist(dataset, extra_maps=()):
    """HDUList in gammapy's order; ``extra_maps`` = (hdu name, map) appended after
    META_TABLE (ON/OFF maps)."""
    primary = fits.PrimaryHDU()
    primary.header["NAME"] = dataset.name
    hdulist = fits.HDUList([primary])
    for hdu, m in (("counts", dataset.counts), ("exposure", dataset.exposure)):
        if m is not None:
            hdulist += m.to_hdulist(hdu=hdu)[_EXCLUDE_PRIMARY]
    if getattr(dataset, "stat_type", "cash") == "cash" and getattr(dataset, "background", None) is not None:
        hdulist += dataset.background.to_hdulist(hdu="background")[_EXCLUDE_PRIMARY]
    if dataset.edisp is not None:
        hdulist += dataset.edisp.to_hdulist()[_EXCLUDE_PRIMARY]
    if dataset.psf is not None:
        hdulist += dataset.psf.to_hdulist()[_EXCLUDE_PRIMARY]
    for hdu, m in (("mask_safe", dataset.mask_safe), ("mask_fit", dataset.mask_fit)):
        if m is not None:
            hdulist += m.to_hdulist(hdu=hdu)[_EXCLUDE_PRIMARY]
    if dataset.gti is not None:
        hdulist.append(gti_to_table_hdu(dataset.gti))
    if dataset.meta_table is not None:
        hdulist.append(fits.BinTableHDU(dataset.meta_table, name="META_TABLE"))
    for hdu, m in extra_maps:
        if m is not None:
            hdulist += m.to_hdulist(hdu=hdu)[_EXCLUDE_PRIMARY]
    keys = _creation_keys()
    for hdu in hdulist:
        hdu.header.update(keys)
    return hdulist


def write_dataset(dataset, filename, overwrite=False, checksum=False):
    write_fits_atomic(dataset.to_hdulist(), filename, overwrite=overwrite, checksum=checksum)


def _read_map(hdulist, hdu):
    from gammabin.maps import Map

    return _check_unit(Map.from_hdulist(hdulist, hdu=hdu), hdu)


def _livetime_to_quantity(m):
    value = m.meta.get("livetime")
    if isinstance(value, str):
        m.meta["livetime"] = u.Quantity(value)


def dataset_from_hdulist(cls, hdulist, name=None, format="gadf", **extra):
    """Members from a dataset HDUList (every HDU optional)."""
    from gammabin.data.gti import GTI

    if format != "gadf":
        raise ValueError(f"Format {format!r} not supported (only 'gadf')")
    names = [h.name for h in hdulist]
    if name is None:
        name = hdulist[0].header.get("NAME")
    kwargs = {"name": name}
    if "COUNTS" in names:
        kwargs["counts"] = _read_map(hdulist, "counts")
    if "EXPOSURE" in names:
        exposure = _read_map(hdulist, "exposure")
        if exposure.geom.axes[0].name == "energy":
            from gammabin.maps import Map

            axes = [exposure.geom.axes[0].copy(name="energy_true")] + list(exposure.geom.axes)[1:]
            geom = exposure.geom.to_image().to_cube(axes)
            exposure = Map.from_geom(geom, data=exposure.data, unit=exposure.unit, meta=exposure.meta)
        _livetime_to_quantity(exposure)
        kwargs["exposure"] = exposure
    if "BACKGROUND" in names:
        kwargs["background"] = _read_map(hdulist, "background")
    if "EDISP" in names:
        kwargs["edisp"] = EDispMap.from_hdulist(hdulist, hdu="edisp", exposure_hdu="edisp_exposure")
    if "PSF" in names:
        kwargs["psf"] = PSFMap.from_hdulist(hdulist, hdu="psf", exposure_hdu="psf_exposure")
    for key in ("mask_safe", "mask_fit"):
        if key.upper() in names:
            m = _read_map(hdulist, key)
            m.data = np.asarray(m.data).astype(bool)
            kwargs[key] = m
    if "GTI" in names:
        kwargs["gti"] = GTI.from_table_hdu(hdulist["GTI"])
    if "META_TABLE" in names:
        kwargs["meta_table"] = Table.read(hdulist["META_TABLE"])
    for hdu, key in extra.items():
        if hdu.upper() in names:
            kwargs[key] = _read_map(hdulist, hdu)
    return cls(**kwargs)


def read_dataset(cls, filename, name=None, format="gadf", checksum=False):
    """Read a dataset file; every failure names the file (truncated files included)."""
    from gammabin.errors import GammabinError
    from gammabin.maps.fits_io import open_fits_checked

    path = Path(os.path.expandvars(str(filename)))
    with open_fits_checked(path) as hdulist:
        if checksum:
            for hdu in hdulist:
                hdu.verify_checksum()
        try:
            return cls.from_hdulist(hdulist, name=name, format=format)
        except GammabinError as exc:
            # map readers here do not know the file: their messages start ": ..." or ", HDU ..."
            text = str(exc)
            raise type(exc)(f"{path}{text}" if text[:1] in ":," else f"{path}: {text}") from exc
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise DataFormatError(f"{path}: cannot read a {cls.__name__}: {type(exc).__name__}: {exc}") from exc


# unit each member map must convert to; a wrong BUNIT would silently rescale every number
_MEMBER_UNITS = {"counts": "", "exposure": "m2 s", "background": "", "mask_safe": "", "mask_fit": ""}


def _check_unit(m, key):
    expected = _MEMBER_UNITS.get(key)
    if expected is not None and not u.Unit(m.unit).is_equivalent(expected):
        raise UnitMismatchError(f", HDU {key.upper()}: unit {str(m.unit)!r}, expected one convertible to {expected!r}")
    return m
