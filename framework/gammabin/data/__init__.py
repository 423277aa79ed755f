"""gammabin.data — GADF DL3 access: data stores, observations, event lists, GTIs.

Importing it loads astropy but neither scipy nor ``gammabin.irf``; IRFs are read
(through ``gammabin.irf.read_irf_hdu``) the first time an observation is asked for one.
"""
# Names resolve on first access (PEP 562): a submodule import (``gammabin.data.observation``)
# does not load the index tables (astropy.table) or the data store.
from gammabin.lazy_exports import lazy_exports

_EXPORTS = {
    "DataStore": "data_store",
    "EventList": "event_list",
    "FixedPointingInfo": "pointing",
    "GTI": "gti",
    "HDUIndexTable": "hdu_index",
    "HDULocation": "hdu_index",
    "Observation": "observation",
    "ObservationFilter": "observation_filter",
    "ObservationMeta": "observation",
    "ObservationTable": "obs_table",
    "Observations": "observations",
    "make_path": "paths",
}

__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
