"""gammabin.data — GADF DL3 access: data stores, observations, event lists, GTIs.

Importing it loads astropy but neither scipy nor ``gammabin.irf``; IRFs are read
(through ``gammabin.irf.read_irf_hdu``) the first time an observation is asked for one.
"""
# Names resolve on first access (PEP 562): a submodule import (``gammabin.data.observation``)
# does not load the index tables (astropy.table) or the data store.
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


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gammabin.data' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
