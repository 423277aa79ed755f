"""Built-in plugin: ``DatasetsMaker`` (many observations through a maker chain,
serial / process pool / Dask).  The class is core code (``gammabin.pipeline``); this
plugin only puts it in ``MAKER_REGISTRY`` (spec §2.6, plugins.md §4)."""
from gammabin import hookimpl

GAMMABIN_PLUGIN_API = 1


@hookimpl
def gammabin_register_makers():
    from gammabin.pipeline import DatasetsMaker

    return [DatasetsMaker]
