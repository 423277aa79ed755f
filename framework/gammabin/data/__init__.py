"""gammabin.data — GADF DL3 access: data stores, observations, event lists, GTIs.

Importing it loads astropy but neither scipy nor ``gammabin.irf``; IRFs are read
(through ``gammabin.irf.read_irf_hdu``) the first time an observation is asked for one.
"""
from .data_store import DataStore
from .event_list import EventList
from .gti import GTI
from .hdu_index import HDUIndexTable, HDULocation
from .obs_table import ObservationTable
from .observation import Observation, ObservationMeta
from .observation_filter import ObservationFilter
from .observations import Observations
from .paths import make_path
from .pointing import FixedPointingInfo

__all__ = [
    "DataStore",
    "EventList",
    "FixedPointingInfo",
    "GTI",
    "HDUIndexTable",
    "HDULocation",
    "Observation",
    "ObservationFilter",
    "ObservationMeta",
    "ObservationTable",
    "Observations",
    "make_path",
]
