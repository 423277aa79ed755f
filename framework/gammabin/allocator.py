"""glibc allocator thresholds for a process that reduces data.

A reduction allocates and frees many 0.1–50 MB numpy temporaries (per-event
coordinates, per-pixel IRF values).  With glibc's adaptive defaults (``mmap`` above
128 KiB until a freed chunk raises that; free heap above twice the threshold handed
back to the kernel) the same memory goes back and forth, and each round trip faults
its pages in again: rotating 10⁵ event directions to Galactic takes 14.5 ms that way
and 9.8 ms with fixed thresholds; the CTA workload of ``benchmarks/`` gains ~5 %.

Importing :mod:`gammabin.makers` therefore fixes them, before a reduction's arrays
exist: ``mmap`` above 32 MiB (glibc's largest accepted value) and up to 128 MiB of
free heap kept.  Peak memory is unchanged; freed memory goes back to the kernel once
more than that is free.  (Fixing them in the middle of a run is worse: arrays already
placed by the adaptive rule then fragment the heap.)

``GAMMABIN_MALLOC_TUNING=0`` leaves the allocator alone, and so do explicit
``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` settings (Dask workers, which
get the latter pinned low, are tuned by :mod:`gammabin.pipeline.dask_worker`).
Elsewhere than glibc this is a no-op.
"""
import os
import threading

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "set_thresholds", "tune_process"]

MMAP_THRESHOLD = 32 * 2**20  # glibc's largest accepted value (HEAP_MAX_SIZE / 2)
TRIM_THRESHOLD = 128 * 2**20
_M_TRIM_THRESHOLD = -1  # mallopt parameter numbers (glibc malloc.h)
_M_MMAP_THRESHOLD = -3
_OFF = {"0", "false", "no", "off"}
_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")

_lock = threading.Lock()
_tuned = None  # None: not tried yet; then the result of the first try


def set_thresholds(mmap_threshold=MMAP_THRESHOLD, trim_threshold=TRIM_THRESHOLD):
    """Set glibc's mmap and trim thresholds; True if both were accepted, False where
    the C library is not glibc."""
    import ctypes  # numpy has loaded _ctypes already

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    return mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)) == 1 and mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)) == 1


def tune_process(environ=None):
    """Fix the thresholds once per process unless the environment says otherwise;
    returns whether they are fixed (the first call decides, later calls repeat it)."""
    global _tuned
    with _lock:
        if _tuned is None:
            environ = os.environ if environ is None else environ
            disabled = str(environ.get("GAMMABIN_MALLOC_TUNING", "")).strip().lower() in _OFF
            user_set = any(name in environ for name in _USER_SETTINGS)
            _tuned = False if disabled or user_set else set_thresholds()
        return _tuned
