"""gammabin.maps: axes, WCS geometries and maps (gammapy.maps-compatible API).

Submodules are imported lazily so that ``from gammabin.maps import MapAxis``
stays cheap for the IRF layer.
"""
import importlib

__all__ = ["MapAxis", "MapAxes", "MapCoord", "WcsGeom", "Map", "WcsNDMap", "RegionGeom", "RegionNDMap"]

_WHERE = {
    "MapAxis": "gammabin.maps.axes",
    "MapAxes": "gammabin.maps.axes_collection",
    "MapCoord": "gammabin.maps.coord",
    "WcsGeom": "gammabin.maps.wcs_geom",
    "Map": "gammabin.maps.wcs_map",
    "WcsNDMap": "gammabin.maps.wcs_map",
    "RegionGeom": "gammabin.maps.region_geom",
    "RegionNDMap": "gammabin.maps.region_map",
}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gammabin.maps' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
