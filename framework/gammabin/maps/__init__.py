"""gammabin.maps: axes, WCS geometries and maps (gammapy.maps-compatible API).

Submodules are imported lazily so that ``from gammabin.maps import MapAxis``
stays cheap for the IRF layer.
"""
from gammabin.lazy_exports import lazy_exports

__all__ = ["MapAxis", "MapAxes", "MapCoord", "WcsGeom", "Map", "WcsNDMap", "RegionGeom", "RegionNDMap"]

__getattr__, __dir__ = lazy_exports(__name__, {
    "MapAxis": "axes",
    "MapAxes": "axes_collection",
    "MapCoord": "coord",
    "WcsGeom": "wcs_geom",
    "Map": "wcs_map",
    "WcsNDMap": "wcs_map",
    "RegionGeom": "region_geom",
    "RegionNDMap": "region_map",
})
