"""gammabin: IACT DL3 data reduction into binned datasets, as a plugin framework.

``import gammabin`` stays cheap: it loads no plugin and no numerical library.
Sub-packages (``gammabin.maps``, ``.data``, ``.irf``, ``.datasets``, ``.makers``)
are imported on first attribute access.
"""
import importlib

import pluggy

__version__ = "0.1.0"

#: Marker for plugin hook implementations (project name ``gammabin``).
hookimpl = pluggy.HookimplMarker("gammabin")

_SUBMODULES = {
    "maps", "irf", "data", "datasets", "makers", "kernels", "plugins", "hookspecs",
    "errors", "config", "utils", "simulate", "pipeline", "cli",
}

__all__ = ["hookimpl", "__version__", *sorted(_SUBMODULES)]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'gammabin' has no attribute {name!r}")


def __dir__():
    return __all__
