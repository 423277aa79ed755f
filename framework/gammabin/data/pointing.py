"""Fixed pointing parsed from the EVENTS header (spec §1.6): ``OBS_MODE`` DRIFT → fixed
alt-az, anything else (POINTING, WOBBLE, absent) → fixed ICRS (RA_PNT, DEC_PNT)."""
import numpy as np
from astropy import units as u

__all__ = ["FixedPointingInfo"]


class FixedPointingInfo:
    """``mode`` is ``"POINTING"`` (fixed ICRS) or ``"DRIFT"`` (fixed alt-az)."""

    def __init__(self, fixed_icrs=None, fixed_altaz=None, mode=None):
        if mode is None:
            mode = "DRIFT" if fixed_altaz is not None and fixed_icrs is None else "POINTING"
        self.mode = mode
        self._fixed_icrs = fixed_icrs
        self._fixed_altaz = fixed_altaz

    @classmethod
    def from_fits_header(cls, header, where="EVENTS header"):
        mode = str(header.get("OBS_MODE", "POINTING")).strip().upper()
        if mode == "DRIFT":
            if "ALT_PNT" not in header or "AZ_PNT" not in header:
                raise IOError(f"keys ALT_PNT and AZ_PNT are required for OBS_MODE=DRIFT ({where})")
            from astropy.coordinates import AltAz, SkyCoord  # lazy (import time)
            altaz = SkyCoord(alt=float(header["ALT_PNT"]) * u.deg, az=float(header["AZ_PNT"]) * u.deg, frame=AltAz())
            return cls(fixed_altaz=altaz, mode="DRIFT")
        try:
            ra, dec = float(header.get("RA_PNT", np.nan)), float(header.get("DEC_PNT", np.nan))
        except (TypeError, ValueError):
            ra = dec = np.nan
        if not (np.isfinite(ra) and np.isfinite(dec)):
            raise IOError(f"keys RA_PNT and DEC_PNT (finite numbers) are required for a fixed pointing ({where})")
        from astropy.coordinates import SkyCoord  # lazy (import time)
        return cls(fixed_icrs=SkyCoord(ra, dec, unit="deg", frame="icrs"), mode="POINTING")

    @property
    def fixed_icrs(self):
        return self._fixed_icrs

    @property
    def fixed_altaz(self):
        return self._fixed_altaz

    @property
    def radec_deg(self):
        """(ra, dec) floats of a fixed ICRS pointing (None for DRIFT)."""
        if self._fixed_icrs is None:
            return None
        return float(self._fixed_icrs.ra.deg), float(self._fixed_icrs.dec.deg)

    def get_icrs(self, obstime=None, location=None):
        if self.mode != "DRIFT":
            return self._fixed_icrs
        from astropy.coordinates import AltAz, SkyCoord  # lazy (import time)

        frame = AltAz(obstime=obstime, location=location)
        return SkyCoord(alt=self._fixed_altaz.alt, az=self._fixed_altaz.az, frame=frame).icrs

    def get_altaz(self, obstime, location):
        from astropy.coordinates import AltAz, SkyCoord  # lazy (import time)

        frame = AltAz(obstime=obstime, location=location)
        if self.mode == "DRIFT":
            return SkyCoord(alt=self._fixed_altaz.alt, az=self._fixed_altaz.az, frame=frame)
        return self._fixed_icrs.transform_to(frame)

    def to_fits_header(self):
        if self.mode == "DRIFT":
            return {"OBS_MODE": "DRIFT", "ALT_PNT": self._fixed_altaz.alt.deg, "AZ_PNT": self._fixed_altaz.az.deg}
        return {"OBS_MODE": "POINTING", "RA_PNT": self._fixed_icrs.ra.deg, "DEC_PNT": self._fixed_icrs.dec.deg}

    def __repr__(self):
        target = self._fixed_altaz if self.mode == "DRIFT" else self._fixed_icrs
        return f"FixedPointingInfo(mode={self.mode}, {target})"
