"""Observation index table (GADF ``OBS_INDEX``): a plain table, times in s.  Its
pointing columns are informational; reduction takes the pointing from EVENTS."""
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.table import Table, unique

from ..errors import DataFormatError
from .paths import make_path

__all__ = ["ObservationTable"]


class ObservationTable(Table):
    @classmethod
    def read(cls, filename, **kwargs):
        path = make_path(filename)
        if not path.exists():
            raise FileNotFoundError(f"observation index file not found: {path}")
        try:
            return cls(super().read(path, **kwargs))
        except (OSError, ValueError, EOFError, TypeError) as exc:
            raise DataFormatError(
                f"{path}: cannot read the observation index (truncated or not a FITS table?): "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    @classmethod
    def normalise(cls, table):
        """De-duplicate on OBS_ID (first kept) and sort by it."""
        table = unique(table, keys="OBS_ID", keep="first")
        table.sort("OBS_ID")
        return cls(table)

    @property
    def pointing_radec(self):
        return SkyCoord(self["RA_PNT"], self["DEC_PNT"], unit="deg", frame="icrs")

    def select_obs_id(self, obs_id):
        obs_id = np.atleast_1d(obs_id)
        return self[np.isin(np.asarray(self["OBS_ID"]), obs_id)]
