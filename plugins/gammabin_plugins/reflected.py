"""Built-in plugin: ``ReflectedRegionsBackgroundMaker`` (ON/OFF spectra from reflected or
wobble OFF regions, background-makers.md §3).  The finders, the pixel-plane OFF counting
and the RAD_MAX counting are core code; this module holds the maker and registers the
core finders for configurations."""
import logging

import attrs
import numpy as np

from gammabin import hookimpl
from gammabin.makers import Maker

GAMMABIN_PLUGIN_API = 1

log = logging.getLogger(__name__)


def _exclusion_mask(value):
    """A boolean, spatial-only mask reduced to a 2-D image (None passes)."""
    if value is None:
        return None
    data = np.asarray(value.data)
    if data.dtype != bool:
        raise ValueError(f"Exclusion mask must contain boolean values, got dtype {data.dtype}")
    if not value.geom.is_flat:
        raise ValueError("Exclusion mask must only contain spatial dimension")
    if data.ndim > 2:
        from gammabin.maps import Map

        return Map.from_geom(value.geom.to_image(), data=data.reshape((-1,) + data.shape[-2:]).any(axis=0))
    return value


def _region_finder(value):
    """None → the default ``ReflectedRegionsFinder`` (configurations build nested
    ``{tag: ...}`` finders through the region-finder registry before this)."""
    if value is None:
        from gammabin.makers.region_finders import ReflectedRegionsFinder

        return ReflectedRegionsFinder()
    return value


@attrs.define(init=False)
class ReflectedRegionsBackgroundMaker(Maker):
    """OFF counts from regions found by ``region_finder`` (default: reflected regions)."""

    tag = "ReflectedRegionsBackgroundMaker"

    region_finder: object = attrs.field(default=None, converter=_region_finder,
                                        metadata={"kind": "region_finder", "doc": "OFF-region finder"})
    exclusion_mask: object = attrs.field(default=None, converter=_exclusion_mask,
                                         metadata={"kind": "map", "doc": "boolean map, False = excluded"})

    def __init__(self, region_finder=None, exclusion_mask=None, **kwargs):
        # gammapy's call form: finder keyword arguments build the default finder
        if kwargs:
            if region_finder is not None:
                raise ValueError("No kwargs can be given if providing a region_finder")
            from gammabin.makers.region_finders import ReflectedRegionsFinder

            region_finder = ReflectedRegionsFinder(**kwargs)
        self.__attrs_init__(region_finder=region_finder, exclusion_mask=exclusion_mask)

    def run(self, dataset, observation):
        from gammabin.makers.builders.reflected_step import make_reflected_onoff

        return make_reflected_onoff(self.region_finder, self.exclusion_mask, dataset, observation)


@hookimpl
def gammabin_register_makers():
    return [ReflectedRegionsBackgroundMaker]


@hookimpl
def gammabin_register_region_finders():
    from gammabin.makers.region_finders import ReflectedRegionsFinder, WobbleRegionsFinder

    return [ReflectedRegionsFinder, WobbleRegionsFinder]
