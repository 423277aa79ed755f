"""Reference-time handling of GADF headers (MJDREFI + MJDREFF in TIMESYS)."""
import numpy as np
from astropy.time import Time

from gammabin.errors import MissingKeyError, DataFormatError

__all__ = ["time_ref_from_header", "time_ref_to_header", "TIME_REF_DEFAULT"]

#: Default reference of GTIs created without one (2000-01-01T00:00:00 TT).
TIME_REF_DEFAULT = Time("2000-01-01T00:00:00", scale="tt")


def time_ref_from_header(header, where="header"):
    """Reference epoch ``MJDREFI + MJDREFF`` (strings tolerated) in scale ``TIMESYS``
    (default tt), as an MJD ``Time``.  Missing keys → ``MissingKeyError`` (a KeyError)."""
    values = []
    for key in ("MJDREFI", "MJDREFF"):
        if key not in header:
            raise MissingKeyError(f"header key {key!r} missing from {where}")
        try:
            values.append(float(header[key]))
        except (TypeError, ValueError) as exc:
            raise DataFormatError(f"header key {key!r} in {where} is {header[key]!r}, expected a number") from exc
    scale = str(header.get("TIMESYS", "tt")).strip().lower()
    return Time(values[0], values[1], format="mjd", scale=scale)


def time_ref_to_header(time_ref):
    """Header keys for ``time_ref``: MJDREFI = floor of the MJD, MJDREFF the remainder,
    TIMESYS lower-case scale."""
    mjd = time_ref.mjd
    mjdrefi = int(np.floor(mjd))
    return {"MJDREFI": mjdrefi, "MJDREFF": float(mjd - mjdrefi), "TIMESYS": time_ref.scale, "TIMEUNIT": "s"}
