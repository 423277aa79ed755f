"""Makers: the ``Maker`` base class, ``MAKER_REGISTRY`` and gammapy's maker names.

Every maker, gammabin's own included, comes from a plugin through the
``gammabin_register_makers`` hook.  ``from gammabin.makers import MapDatasetMaker``
resolves the name through the registry (PEP 562), loading plugins on first use.
"""
from ..allocator import tune_process as _tune_process

_tune_process()  # glibc thresholds for array-heavy reductions, before their arrays exist (see gammabin.allocator)

from .core import Maker  # noqa: E402
from .registry import BUILTIN_MAKERS, MAKER_REGISTRY, MakerRegistry  # noqa: E402

_REGION_FINDER_NAMES = ("RegionsFinder", "ReflectedRegionsFinder", "WobbleRegionsFinder")

__all__ = ["Maker", "MAKER_REGISTRY", "MakerRegistry", "maker_from_dict", "makers_from_list",
           *_REGION_FINDER_NAMES, *BUILTIN_MAKERS]


def __getattr__(name):
    if name in ("maker_from_dict", "makers_from_list", "maker_schema"):
        from . import from_config

        return getattr(from_config, name)
    if name in _REGION_FINDER_NAMES:  # core classes (background-makers.md §2), not plugins
        from . import region_finders

        return getattr(region_finders, name)
    if name.startswith("_"):
        raise AttributeError(name)
    from ..errors import UnknownTagError

    try:
        return MAKER_REGISTRY.get_cls(name)
    except UnknownTagError as exc:
        raise AttributeError(f"module 'gammabin.makers' has no attribute {name!r}: {exc}") from None


def __dir__():
    return sorted(set(__all__) | set(MAKER_REGISTRY.tags))
