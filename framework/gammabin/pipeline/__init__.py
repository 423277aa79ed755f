"""The pipeline layer (cli → pipeline → makers): many observations through a chain of
makers — ``DatasetsMaker`` with serial, process-pool and Dask backends, tree stacking
on the workers, per-run error reports and resumable per-run files."""
from .datasets_maker import DatasetsMaker
from .partial import Partial, combine_partials, tree_reduce, tree_top
from .report import ReductionReport, RunFailure, RunReductionError
from .run_reference import RunReference, run_reference
from .run_task import ReductionContext, RunTask, reduce_run

__all__ = [
    "DatasetsMaker", "ReductionReport", "RunFailure", "RunReductionError", "RunReference",
    "run_reference", "RunTask", "ReductionContext", "reduce_run", "Partial", "combine_partials",
    "tree_reduce", "tree_top",
]
