"""A small process-wide thread pool for the independent builders of one run.

numpy releases the GIL inside its large array loops, so the counts, exposure,
background, PSF and EDISP maps of one observation can use a second core.  Every task
writes only its own result; shared caches (pixel grids, interpolation grids, prepared
backgrounds) are guarded by locks in their modules, and the observation's lazy
attributes are loaded on the calling thread before dispatch.

``GAMMABIN_THREADS``: number of threads (calling thread included) for one run's
builders; ``1`` (or ``0``) runs them serially.  Default: ``min(2, os.cpu_count())``,
and 1 inside a dask worker (the pipeline already spreads runs over the cores).
"""
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["builder_threads", "run_tasks"]

_POOL = None
_POOL_LOCK = threading.Lock()
_ON_POOL = threading.local()  # set on pool workers: a nested run_tasks runs serially


def builder_threads():
    """Threads one run's builders may use (the calling thread included)."""
    raw = os.environ.get("GAMMABIN_THREADS", "").strip()
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            raise ValueError(f"GAMMABIN_THREADS={raw!r}: expected an integer number of threads") from None
    if _in_dask_worker():
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _in_dask_worker():
    distributed = sys.modules.get("distributed")  # never imported here: ~0.5 s
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except (ValueError, AttributeError):
        return False
    return True


def _pool(workers):
    """The process's worker pool (created on first use; grown if asked for more)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL._max_workers < workers:
            _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gammabin-builder")
        return _POOL


def run_tasks(tasks, order=None):
    """Call every callable of ``tasks``; return their results in ``tasks`` order.

    With more than one thread the calling thread and ``threads - 1`` pool workers take
    tasks in ``order`` (indices; longest first balances two cores) until none is left.
    An exception is re-raised after all tasks ended: the one of the first failing task
    in ``tasks`` order, as the serial loop would raise."""
    threads = min(builder_threads(), len(tasks))
    if threads <= 1 or getattr(_ON_POOL, "active", False):
        # serial; also inside a pool task, whose nested work could wait on its own worker
        return [task() for task in tasks]
    pending = iter(order if order is not None else range(len(tasks)))
    results = [None] * len(tasks)
    errors = [None] * len(tasks)
    take = threading.Lock()

    def drain(on_pool=False):
        _ON_POOL.active = on_pool
        while True:
            with take:
                index = next(pending, None)
            if index is None:
                return
            try:
                results[index] = tasks[index]()
            except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread below
                errors[index] = exc

    futures = [_pool(threads - 1).submit(drain, True) for _ in range(threads - 1)]
    drain()
    for future in futures:
        future.result()
    for exc in errors:
        if exc is not None:
            raise exc
    return results
