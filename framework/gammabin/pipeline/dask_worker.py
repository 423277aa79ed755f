"""Worker-side setup for the Dask backend.

``dask.distributed`` starts workers with ``MALLOC_TRIM_THRESHOLD_=65536`` so that freed
memory shows up in its memory monitor at once.  Setting that variable also switches off
glibc's adaptive mmap threshold: every array above 128 KiB is then a fresh ``mmap``
whose pages fault in again on first touch.  A run's reduction allocates and frees
hundreds of 1–50 MB temporaries, and that costs 1.6× in time (40 H.E.S.S. runs: 2.95 s
against 1.82 s in one process).  The plugin restores glibc's usual upper limits in each
worker (mmap above 32 MiB, trim above 64 MiB of free heap), which keeps the memory a
worker holds on to bounded by one large temporary.
"""
import logging
import os

from distributed.diagnostics.plugin import WorkerPlugin  # imported only by the Dask backend

from gammabin.allocator import MMAP_THRESHOLD, set_thresholds

__all__ = ["GammabinWorkerSetup", "tune_allocator"]

log = logging.getLogger(__name__)

TRIM_THRESHOLD = 64 * 2**20


def tune_allocator(environ=None):
    """Raise glibc's mmap and trim thresholds if ``MALLOC_TRIM_THRESHOLD_`` pinned them
    low; returns True if it did.  A no-op elsewhere (other C libraries, no variable)."""
    environ = os.environ if environ is None else environ
    try:
        pinned = int(environ.get("MALLOC_TRIM_THRESHOLD_", ""))
    except ValueError:
        return False
    if pinned >= TRIM_THRESHOLD:
        return False
    ok = set_thresholds(MMAP_THRESHOLD, TRIM_THRESHOLD)
    log.debug("allocator thresholds raised: %s", ok)
    return ok


class GammabinWorkerSetup(WorkerPlugin):
    """Tunes the allocator once per worker process (also workers that join later)."""

    name = "gammabin-worker-setup"
    idempotent = True  # registering again (a second run on the same Client) is a no-op

    def setup(self, worker=None):
        tune_allocator()
