"""``DatasetsMaker``: run a chain of makers over many observations and stack (spec
§2.6), serially, on a process pool, or on a Dask cluster (tree stacking on the
workers), with per-run error reports and resumable per-run files."""
import functools
import os
import time
import warnings
from typing import TYPE_CHECKING

import attrs

from gammabin.makers.core import Maker
from gammabin.makers.parameters import bool_field, choices_field, number_field, quantity_field

if TYPE_CHECKING:
    from .report import ReductionReport

__all__ = ["DatasetsMaker"]

BACKENDS = ("serial", "multiprocessing", "dask", "ray")


def _makers(value):
    from gammabin.makers.from_config import makers_from_list

    items = list(value or [])
    if any(isinstance(item, dict) for item in items):
        items = [item if not isinstance(item, dict) else makers_from_list([item])[0] for item in items]
    return items


def _backend(value):
    if value is not None and value not in BACKENDS:
        from gammabin.errors import MakerParameterError

        raise MakerParameterError(f"DatasetsMaker.parallel_backend: expected None or one of {list(BACKENDS)}, got {value!r}")
    return value


def _tags(maker):
    tag = getattr(maker, "tag", None)
    return [tag] if isinstance(tag, str) else list(tag or [])


@attrs.define
class DatasetsMaker(Maker):
    """Reduce many observations with a chain of makers, optionally stacking them.

    ``run(dataset, observations, datasets=None)`` returns ``Datasets([dataset])`` (the
    reference, stacked in place) or the per-run datasets in observation order;
    ``self.report`` then lists what was reduced, reused from ``output_dir``, skipped
    or failed.  ``parallel_backend="dask"`` uses the current ``dask.distributed``
    Client, else ``scheduler`` (address, Client or Cluster), else a LocalCluster of
    ``n_jobs`` processes.
    """

    tag = "DatasetsMaker"

    makers: list = attrs.field(converter=_makers, metadata={"kind": "makers", "doc": "makers run in order on each observation"})
    stack_datasets: bool = bool_field(True, doc="stack every run into the reference")
    n_jobs: int | None = number_field(None, type=int, min=1, optional=True, doc="number of worker processes")
    cutout_mode: str = choices_field("trim", ("trim", "partial", "strict"), many=False, doc="cutout mode per run")
    cutout_width: object = quantity_field(None, "deg", optional=True,
                                          doc="cutout width (default 2 × offset_max of the first SafeMaskMaker)")
    parallel_backend: str | None = attrs.field(default=None, converter=_backend, metadata={
        "kind": "choices", "choices": BACKENDS, "many": False,
        "doc": "serial, multiprocessing or dask (None: multiprocessing if n_jobs > 1)"})
    on_error: str = choices_field("raise", ("raise", "skip"), many=False,
                                  doc="a failing run raises (after the others finished) or is skipped and reported")
    output_dir: str | None = attrs.field(default=None, converter=lambda v: None if v is None else os.fspath(v),
                                         metadata={"kind": "path", "doc": "write each run's dataset here and reuse it on rerun"})
    runs_per_task: int = number_field(4, type=int, min=1, doc="dask: runs reduced and stacked in order by one task "
                                      "before the tree (fixed, so results do not depend on the number of workers)")
    scheduler: object = attrs.field(default=None, metadata={"kind": "address", "doc": "Dask scheduler address, Client or Cluster"})
    report: "ReductionReport | None" = attrs.field(default=None, init=False, repr=False)

    # --- configuration ----------------------------------------------------------------
    def _cutout_width(self, dataset, datasets):
        if datasets is not None or getattr(dataset._geom, "is_region", False):
            return None
        if self.cutout_width is not None:
            return self.cutout_width
        for maker in self.makers:  # recognised by tag: the core never imports the plugin
            if "SafeMaskMaker" in _tags(maker):
                return 2 * maker.offset_max
        return None

    def _backend_and_workers(self, n_runs):
        backend = self.parallel_backend
        n_jobs = self.n_jobs or 1
        if backend == "ray":
            warnings.warn("the ray backend is not available in gammabin; using multiprocessing", stacklevel=3)
            backend = "multiprocessing"
        if backend == "dask":
            return backend, self.n_jobs
        if backend is None:
            backend = "multiprocessing" if n_jobs > 1 else "serial"
        if backend == "multiprocessing":
            import multiprocessing

            n_jobs = min(n_jobs, n_runs, os.cpu_count() or 1)
            if multiprocessing.parent_process() is not None or n_jobs <= 1:  # never nest pools
                backend, n_jobs = "serial", 1
        return backend, (1 if backend == "serial" else n_jobs)

    # --- run --------------------------------------------------------------------------
    def run(self, dataset, observations, datasets=None):
        from gammabin.datasets import Datasets, MapDataset

        from .backends import dask_client, run_dask, run_pool, run_serial
        from .report import ReductionReport, raise_for_failures
        from .resume import configuration_key
        from .run_task import ReductionContext

        if not isinstance(dataset, MapDataset):
            raise TypeError(f"DatasetsMaker.run: the reference must be a MapDataset (or subclass), got {type(dataset).__name__}")
        start = time.perf_counter()
        # by index: iterating an Observations reads each next run's file ahead, which the
        # parent of a process pool or Dask cluster never reads itself
        observations = [observations[i] for i in range(len(observations))] if hasattr(
            observations, "__getitem__") else list(observations)
        if datasets is not None:
            datasets = list(datasets)
            if len(datasets) != len(observations):
                raise ValueError(f"DatasetsMaker.run: {len(datasets)} datasets for {len(observations)} observations")
        backend, n_workers = self._backend_and_workers(len(observations))
        width = self._cutout_width(dataset, datasets)
        geoms = dict(dataset.geoms)
        context = ReductionContext(
            makers=tuple(self.makers), geoms=geoms, dataset_class=type(dataset), cutout_width=width,
            cutout_mode=self.cutout_mode, output_dir=self.output_dir,
            config_key=configuration_key(self.makers, geoms, type(dataset), width, self.cutout_mode),
            to_map_dataset=self.stack_datasets and type(dataset) is MapDataset,
            catch=not (backend == "serial" and self.on_error == "raise"),
        )
        if self.output_dir is not None:
            os.makedirs(self.output_dir, exist_ok=True)
        tasks = self._tasks(observations, datasets, in_process=backend == "serial")
        report = ReductionReport(backend=backend, n_workers=n_workers)
        self.report = report
        results = []

        def consume(partial):
            _merge(report, partial)
            for piece in partial.datasets:
                if self.stack_datasets:
                    dataset.stack(piece)
                else:
                    results.append(piece)

        if backend == "serial":
            run_serial(tasks, context, consume)
        elif backend == "multiprocessing":
            run_pool(tasks, context, consume, n_workers)
        else:
            handle = dask_client(self.scheduler, n_workers)
            try:
                report.n_workers = len(handle.client.scheduler_info().get("workers", {}))
                from gammabin.datasets.stacking import prepare_stack_target

                # the parent waits anyway: fault the reference's pages in meanwhile
                prepare = functools.partial(prepare_stack_target, dataset) if self.stack_datasets else None
                out = run_dask(tasks, context, handle.client, self.stack_datasets, self.runs_per_task, prepare)
            finally:
                handle.close()
            if self.stack_datasets and self.on_error == "raise":
                raise_for_failures([f for partial in out for f in partial.failures])  # before stacking any
            for partial in out:
                consume(partial)
        report.seconds = time.perf_counter() - start
        if backend != "serial":
            for obs_id, reason in report.skipped:
                if not any(f.obs_id == obs_id for f in report.failures):
                    warnings.warn(f"observation {obs_id}: {reason}; skipped", stacklevel=2)
        if self.on_error == "raise":
            raise_for_failures(report.failures)
        result = Datasets([dataset]) if self.stack_datasets else Datasets(results)
        result.report = report
        return result

    def _tasks(self, observations, datasets, in_process):
        from .run_reference import run_reference
        from .run_task import RunTask

        tasks = []
        for index, obs in enumerate(observations):
            reference = run_reference(obs)
            ship_object = in_process or reference is None  # workers get file references only
            tasks.append(RunTask(index=index, reference=reference, observation=obs if ship_object else None,
                                 base=None if datasets is None else datasets[index]))
        return tasks


def _merge(report, partial):
    report.reduced += partial.reduced
    report.reused += partial.reused
    report.skipped += partial.skipped
    for failure in partial.failures:
        report.failures.append(failure)
        report.skipped.append((failure.obs_id, failure.describe(with_traceback=False)))
