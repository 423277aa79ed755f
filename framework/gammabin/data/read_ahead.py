"""Read-ahead of run files: while one observation is reduced, the file of the next one
is read and decompressed on a background thread.

File reads and zlib release the GIL, and a run's serial steps (cutout, safe mask,
stacking) leave the second core idle, so the next run's bytes are usually ready when
its reduction starts: ~3–4 ms per gzipped H.E.S.S. DR1 run off the critical path.
Only the bytes are prepared (``FitsFile.raw``, in the shared file cache); parsing stays
with the reader, so results and errors are those of a plain read (a failed read-ahead
is forgotten and the reader meets the error itself).

Requests made faster than files are read (``list(observations)``) are not queued up:
only the newest one waiting is read.  ``GAMMABIN_READ_AHEAD=0``, or
``GAMMABIN_THREADS`` 0/1, turns it off.
"""
import os
import threading

from .fits_reading import open_fits

__all__ = ["read_ahead"]

_OFF = {"0", "false", "no", "off"}
_lock = threading.Lock()
_executor = None
_newest = 0  # number of the newest request: an older one still waiting is skipped


def _enabled():
    if os.environ.get("GAMMABIN_READ_AHEAD", "").strip().lower() in _OFF:
        return False
    threads = os.environ.get("GAMMABIN_THREADS", "").strip()
    if threads in ("0", "1"):
        return False
    return (os.cpu_count() or 1) > 1


def _paths(observation):
    from .observation import LazyHDU

    sources = getattr(observation, "_sources", None) or {}
    return sorted({str(src.path) for src in sources.values() if isinstance(src, LazyHDU)})


def _read(number, paths):
    if number != _newest:
        return
    for path in paths:
        try:
            open_fits(path).raw
        except Exception:  # noqa: BLE001 - the reader will meet (and report) it
            return


def read_ahead(observation):
    """Start reading ``observation``'s files in the background (no-op if disabled, if
    the observation has no files, or if they are read already)."""
    global _executor, _newest
    if observation is None or not _enabled():
        return
    paths = _paths(observation)
    if not paths:
        return
    with _lock:
        if _executor is None:
            from concurrent.futures import ThreadPoolExecutor

            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gammabin-read-ahead")
        _newest += 1
        _executor.submit(_read, _newest, paths)
