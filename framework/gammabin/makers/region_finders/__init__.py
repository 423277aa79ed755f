"""OFF-region finders (background-makers.md §2): core code, because the core's
``ThetaSquaredTable`` and several background makers use them.  Third-party finders
subclass :class:`RegionsFinder` and register through ``gammabin_register_region_finders``."""
from .base import FinderResult, ReferencePlane, RegionsFinder
from .mask_lookup import lookup_mask, pixel_circle_to_sky, sky_circle_to_pixel
from .reflected import ReflectedRegionsFinder
from .wobble import WobbleRegionsFinder

__all__ = [
    "RegionsFinder",
    "ReflectedRegionsFinder",
    "WobbleRegionsFinder",
    "ReferencePlane",
    "FinderResult",
    "lookup_mask",
    "sky_circle_to_pixel",
    "pixel_circle_to_sky",
]
