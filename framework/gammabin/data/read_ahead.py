"""Read-ahead of run files: while one observation is reduced, the file of the next one
is read and decompressed on a background thread.

File reads and inflate (:mod:`gammabin.gunzip`) release the GIL, and a run's serial
steps (cutout, safe mask, stacking) leave the second core idle, so the next run's bytes
are usually ready when its reduction starts: ~2–4 ms per gzipped H.E.S.S. DR1 run
(read + inflate) off the critical path.
Only the bytes are prepared (``FitsFile.raw``), and the observation keeps that file
for the HDUs it has still to load, so an eviction from the shared file cache does not
make it read twice; parsing stays with the reader, so results and errors are those of
a plain read (a failed read-ahead is forgotten and the reader meets the error itself).

Requests made faster than files are read (``list(observations)``) are not queued up:
only the newest one waiting is read.  ``GAMMABIN_READ_AHEAD=0``, or
``GAMMABIN_THREADS`` 0/1, turns it off.
"""
import os
import threading

from .fits_reading import open_fits

__all__ = ["read_ahead", "wait"]

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


def _read(number, observation, paths):
    if number != _newest:
        return
    for path in paths:
        if path not in observation._pending_files():  # the reader got there first
            continue
        try:
            fits_file = open_fits(path)
            fits_file.raw
        except Exception:  # noqa: BLE001 - the reader will meet (and report) it
            return
        # held by the observation: the shared cache may evict it before the run is read
        observation._adopt_file(path, fits_file)


def read_ahead(observation):
    """Start reading the files of ``observation``'s not yet loaded HDUs in the background
    (no-op if disabled or if there is nothing left to read)."""
    global _executor, _newest
    pending = getattr(observation, "_pending_files", None)
    if pending is None or not _enabled():
        return
    paths = pending()
    if not paths:
        return
    with _lock:
        if _executor is None:
            from concurrent.futures import ThreadPoolExecutor

            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gammabin-read-ahead")
        _newest += 1
        _executor.submit(_read, _newest, observation, paths)


def wait(timeout=60):
    """Block until every read-ahead asked for so far has ended."""
    with _lock:
        executor = _executor
    if executor is not None:
        executor.submit(lambda: None).result(timeout=timeout)
