"""Path handling shared by every DL3 reader: environment variables, ``~`` and
gzip detection by content (file names lie: DR1 ships ``.fits.gz``, CTA 1DC plain ``.fits``)."""
import os
from pathlib import Path

__all__ = ["make_path", "is_gzip", "resolve_in_dir"]

_GZIP_MAGIC = b"\x1f\x8b"


def make_path(path):
    """``str``/``Path`` → ``Path`` with ``$VARS`` (e.g. ``$GAMMAPY_DATA``, ``$GAMMABIN_DATA``)
    and ``~`` expanded.  Undefined variables stay verbatim, as ``os.path.expandvars`` does."""
    if path is None:
        raise TypeError("a path is required, got None")
    return Path(os.path.expanduser(os.path.expandvars(os.fspath(path))))


def is_gzip(path):
    """True when the file starts with the gzip magic bytes."""
    with open(path, "rb") as stream:
        return stream.read(2) == _GZIP_MAGIC


def resolve_in_dir(base_dir, name):
    """``base_dir/name`` if that exists, else ``name`` as given (absolute or CWD-relative)."""
    name = make_path(name)
    candidate = make_path(base_dir) / name
    return candidate if candidate.exists() else name
