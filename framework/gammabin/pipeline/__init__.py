"""The pipeline layer (cli → pipeline → makers): many observations through a chain of
makers — ``DatasetsMaker`` with serial, process-pool and Dask backends, tree stacking
on the workers, per-run error reports and resumable per-run files."""
# Names resolve on first access (PEP 562): registering ``DatasetsMaker`` (the built-in
# "datasets" plugin, loaded with every registry) does not import the backends.
from gammabin.lazy_exports import lazy_exports

# eager: the function has its module's name, which a submodule import would rebind
from .run_reference import RunReference, run_reference

_EXPORTS = {
    "DatasetsMaker": "datasets_maker",
    "ReductionReport": "report", "RunFailure": "report", "RunReductionError": "report",
    "RunTask": "run_task", "ReductionContext": "run_task", "reduce_run": "run_task",
    "Partial": "partial", "combine_partials": "partial", "tree_reduce": "partial", "tree_top": "partial",
}

__all__ = ["RunReference", "run_reference", *_EXPORTS]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
