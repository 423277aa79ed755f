"""Where the per-run tasks run.

- ``serial``: in this process, results stacked into the reference in observation
  order as they come (gammapy's loop).
- ``multiprocessing``: a spawn process pool; the shared context goes once to each
  worker (pool initializer); per-run datasets come back and are stacked in the parent
  in observation order (bit-identical to serial).
- ``dask``: ``dask.distributed``; the context is scattered once (broadcast), each task
  carries only a :class:`RunTask` (file references), and the partial sums are combined
  on the workers in a balanced tree fixed by the observation order; only its top
  level (two partial sums) comes back.
"""
import logging
import multiprocessing
import os
import uuid

from .partial import combine_partials, tree_split, tree_top
from .run_task import reduce_chunk, reduce_run

__all__ = ["run_serial", "run_pool", "run_dask", "dask_client"]

log = logging.getLogger(__name__)


def run_serial(tasks, context, consume):
    """``consume(partial)`` for each task, in order."""
    for task in tasks:
        consume(reduce_run(task, context))


# --- multiprocessing ----------------------------------------------------------------
_POOL_CONTEXT = None


def _install_context(context):
    global _POOL_CONTEXT
    _POOL_CONTEXT = context


def _pool_task(task):
    return reduce_run(task, _POOL_CONTEXT)


def run_pool(tasks, context, consume, n_workers):
    """Process pool; results consumed in task order as soon as each is next in line."""
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent (Dask, BLAS)
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_install_context,
                             initargs=(context,)) as pool:
        futures = [pool.submit(_pool_task, task) for task in tasks]
        for future in futures:  # waiting in order = stacking in observation order
            consume(future.result())


# --- dask ---------------------------------------------------------------------------
class _ClientHandle:
    """The Client to use and what to close afterwards (only what we created)."""

    def __init__(self, client, owned=()):
        self.client = client
        self.owned = list(owned)

    def close(self):
        for thing in self.owned:
            try:
                thing.close()
            except Exception as exc:  # noqa: BLE001 - closing must not hide the result
                log.debug("closing %r failed: %s", thing, exc)


def dask_client(scheduler=None, n_workers=None):
    """The current Client if there is one, else one on ``scheduler`` (an address or
    a Cluster), else a LocalCluster of ``n_workers`` single-threaded processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('parallel_backend="dask" needs dask.distributed: pip install "gammabin[dask]"') from exc
    if scheduler is not None:
        if isinstance(scheduler, Client):
            return _ClientHandle(scheduler)
        client = Client(scheduler)
        return _ClientHandle(client, [client])
    try:
        return _ClientHandle(Client.current(allow_global=True))
    except ValueError:
        pass
    n_workers = n_workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=":0", silence_logs=logging.WARNING)
    client = Client(cluster)
    return _ClientHandle(client, [client, cluster])


# the tree's last level is not combined on a worker: the parent, which stacks every
# piece into the reference anyway, takes this many partial sums (one hop and one
# combine less on the critical path; fixed, so results stay worker-independent)
PARENT_TOP_WIDTH = 2


def _contiguous_homes(client, n_chunks):
    """A preferred worker per chunk: the chunk list and the workers are halved together
    along the reduction tree, so every worker owns whole subtrees — their combines
    find both halves in place, and only the top levels move data.  Loose: an idle
    worker may still steal."""
    workers = sorted(client.scheduler_info().get("workers", {}))
    if len(workers) < 2:
        return [None] * n_chunks
    homes = [None] * n_chunks

    def split(lo, hi, group):
        if len(group) == 1 or hi - lo <= 1:
            homes[lo:hi] = [[group[0]]] * (hi - lo)
            return
        mid = tree_split(lo, hi)
        cut = min(len(group) - 1, max(1, round(len(group) * (mid - lo) / (hi - lo))))
        split(lo, mid, group[:cut])
        split(mid, hi, group[cut:])

    split(0, n_chunks, workers)
    return homes


def run_dask(tasks, context, client, stack, runs_per_task=1, while_waiting=None):
    """Chunks of ``runs_per_task`` runs on the workers (each stacked in order into its
    own window), then (``stack``) a balanced tree of pairwise combines there.
    ``while_waiting()`` runs here once everything is submitted.

    Returns the top :data:`PARENT_TOP_WIDTH` partials of the tree (``stack``), or the
    per-run leaves, in task order."""
    from .dask_worker import GammabinWorkerSetup

    if not getattr(client, "_gammabin_worker_setup", False):  # once per Client (a scheduler round trip)
        client.register_plugin(GammabinWorkerSetup())  # also applied to workers that join later
        client._gammabin_worker_setup = True
    token = uuid.uuid4().hex[:8]
    shared = client.scatter(context, broadcast=True, hash=False)
    if not stack:
        leaves = [client.submit(reduce_run, task, shared, key=f"gammabin-run-{token}-{task.index}", pure=False)
                  for task in tasks]
        return client.gather(leaves)
    size = max(1, int(runs_per_task))
    chunks = [tuple(tasks[i:i + size]) for i in range(0, len(tasks), size)]
    homes = _contiguous_homes(client, len(chunks))
    # chunks in list order on each worker (earlier = higher priority), so that each
    # combine runs as soon as its two halves exist instead of piling up at the end
    leaves = [client.submit(reduce_chunk, chunk, shared, key=f"gammabin-runs-{token}-{chunk[0].index}", pure=False,
                            workers=home, allow_other_workers=home is not None, priority=len(chunks) - i)
              for i, (chunk, home) in enumerate(zip(chunks, homes))]
    counter = iter(range(len(chunks)))

    def combine(left, right):
        return client.submit(combine_partials, left, right, shared, pure=False, priority=len(chunks) + 1,
                             key=f"gammabin-stack-{token}-{next(counter)}")

    tops = tree_top(leaves, combine, PARENT_TOP_WIDTH)
    if while_waiting is not None:
        while_waiting()
    return client.gather(tops, direct=_direct(client))


def _direct(client):
    """Gather straight from the workers (in parallel, no relay through the scheduler)
    unless the user chose otherwise; by default only where the workers are surely
    reachable: a cluster on this machine."""
    if getattr(client, "direct_to_workers", None) is not None:
        return client.direct_to_workers
    address = str(getattr(client.scheduler, "address", "") or "")
    return address.startswith(("inproc://", "tcp://127.", "tcp://localhost", "tcp://[::1]", "ipc://"))
