"""Resumable reductions: one file per run in ``output_dir``, named by obs id and a
hash of everything that determines its content (maker configuration, reference
geometries, cutout rule, the run's files, gammabin version).  A changed configuration
therefore never picks up stale files; a killed reduction leaves only complete files
(``MapDataset.write`` goes through a temporary file + ``os.replace``) and, at worst,
hidden ``.obs_*.fits.*`` temporaries, which are ignored."""
import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["configuration_key", "run_file", "skip_marker", "write_skip_marker"]


def _axis_key(axis):
    values = np.asarray(axis.edges if axis.node_type == "edges" else axis.center, dtype=float)
    return [axis.name, str(axis.unit), axis.interp, axis.node_type, values.round(12).tolist()]


def _geom_key(geom):
    if geom is None:
        return None
    key = {"axes": [_axis_key(ax) for ax in geom.axes], "class": type(geom).__name__}
    if hasattr(geom, "wcs") and not getattr(geom, "is_region", False):
        key["wcs"] = geom.wcs.to_header_string()
        key["npix"] = [int(n) for n in np.ravel(geom.npix)]
    else:
        key["repr"] = str(geom)
    return key


def _maker_key(maker):
    params = [(name, repr(value)) for name, value in maker._parameters()]
    return [f"{type(maker).__module__}.{type(maker).__qualname__}", params]


def configuration_key(makers, geoms, dataset_class, cutout_width, cutout_mode):
    """A hex digest of the reduction configuration (not of any run)."""
    from gammabin import __version__

    payload = {
        "version": __version__,
        "makers": [_maker_key(m) for m in makers],
        "geoms": {k: _geom_key(g) for k, g in sorted(geoms.items())},
        "dataset_class": f"{dataset_class.__module__}.{dataset_class.__qualname__}",
        "cutout": [None if cutout_width is None else repr(cutout_width), cutout_mode],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _run_hash(config_key, reference):
    what = config_key + json.dumps(
        [list(h) for h in sorted(reference.hdus)] + [repr(reference.obs_filter)], default=str)
    return hashlib.sha256(what.encode()).hexdigest()[:16]


def run_file(output_dir, config_key, reference):
    """``<output_dir>/obs_<obs_id>_<hash>.fits`` for one run."""
    return Path(output_dir) / f"obs_{reference.obs_id}_{_run_hash(config_key, reference)}.fits"


def skip_marker(path):
    return path.with_suffix(".skipped.json")


def write_skip_marker(path, reason):
    """Remember a run with no overlap so a rerun does not reopen its files."""
    target = skip_marker(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "w") as stream:
        json.dump({"reason": reason}, stream)
    os.replace(tmp, target)
