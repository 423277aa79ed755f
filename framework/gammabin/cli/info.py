"""``gammabin info PATH``: a data store at a glance — observations, targets, livetime,
IRF types and energy thresholds (``SAFE_ENERGY_LO/HI`` of the observation index, else
the AEFF header's ``LO_THRES/HI_THRES``, else where the on-axis effective area passes
10 % of its maximum)."""
import json
import sys
from collections import Counter

import numpy as np

__all__ = ["InfoCommand", "store_info"]


def _column(table, name, default=np.nan):
    if name in table.colnames:
        return np.asarray(table[name])
    return np.full(len(table), default)


def _aeff_thresholds(path, hdu_name, cache):
    key = (str(path), hdu_name)
    if key in cache:
        return cache[key]
    from astropy.io import fits

    lo = hi = np.nan
    try:
        with fits.open(path, memmap=False) as hdul:
            hdu = hdul[hdu_name]
            header = hdu.header
            if "LO_THRES" in header:
                lo, hi = float(header["LO_THRES"]), float(header.get("HI_THRES", np.nan))
            else:  # 10 % of the on-axis maximum
                data = hdu.data
                e_lo, e_hi = np.ravel(data["ENERG_LO"][0]), np.ravel(data["ENERG_HI"][0])
                area = np.asarray(data["EFFAREA"][0])
                on_axis = area[0] if area.ndim == 2 else area.ravel()
                above = np.flatnonzero(on_axis >= 0.1 * on_axis.max())
                if above.size:
                    unit = hdu.columns["ENERG_LO"].unit or "TeV"
                    scale = {"TeV": 1.0, "GeV": 1e-3, "MeV": 1e-6}.get(unit.strip(), 1.0)
                    lo, hi = float(e_lo[above[0]] * scale), float(e_hi[above[-1]] * scale)
    except (OSError, KeyError, IndexError, ValueError):
        pass
    cache[key] = (lo, hi)
    return lo, hi


def store_info(path):
    """A dict describing the data store at ``path`` (per-run rows and totals)."""
    from ..data import DataStore

    store = DataStore.from_dir(path)
    obs, hdus = store.obs_table, store.hdu_table
    ids = np.asarray(obs["OBS_ID"], dtype=np.int64)
    livetime = _column(obs, "LIVETIME").astype(float)
    objects = _column(obs, "OBJECT", "").astype(str)
    lo, hi = _column(obs, "SAFE_ENERGY_LO").astype(float), _column(obs, "SAFE_ENERGY_HI").astype(float)
    cache = {}
    if np.isnan(lo).all():
        for i, obs_id in enumerate(ids):
            try:
                location = hdus.location_info(int(obs_id), "aeff")
            except Exception:  # noqa: BLE001 - a store without AEFF for a run: no threshold
                continue
            lo[i], hi[i] = _aeff_thresholds(location.path(), location.hdu_name, cache)
    irf_types = Counter(f"{t}:{c}" for t, c in zip(np.asarray(hdus["HDU_TYPE"]).astype(str),
                                                   np.asarray(hdus["HDU_CLASS"]).astype(str)))
    rows = [{"obs_id": int(i), "object": o.strip(), "ra_pnt": float(r), "dec_pnt": float(d),
             "livetime_s": float(t), "energy_threshold_tev": [float(a), float(b)]}
            for i, o, r, d, t, a, b in zip(ids, objects, _column(obs, "RA_PNT"), _column(obs, "DEC_PNT"),
                                           livetime, lo, hi)]
    targets = Counter(o.strip() or "(none)" for o in objects)
    finite_lo = lo[np.isfinite(lo)]
    return {
        "path": str(path),
        "n_observations": int(len(ids)),
        "obs_id_range": [int(ids.min()), int(ids.max())] if len(ids) else None,
        "livetime_s": float(np.nansum(livetime)),
        "targets": [{"object": name, "n_observations": n,
                     "livetime_s": float(np.nansum(livetime[np.char.strip(objects) == (name if name != "(none)" else "")]))}
                    for name, n in targets.most_common()],
        "irf_types": dict(sorted(irf_types.items())),
        "energy_threshold_tev": {"min": float(finite_lo.min()) if finite_lo.size else None,
                                 "median": float(np.median(finite_lo)) if finite_lo.size else None,
                                 "max": float(finite_lo.max()) if finite_lo.size else None},
        "observations": rows,
    }


def print_info(info, max_rows=20, file=None):
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file, width=110, highlight=False)
    th = info["energy_threshold_tev"]
    console.print(f"[bold]{info['path']}[/bold]: {info['n_observations']} observations "
                  f"(ids {info['obs_id_range'][0]}–{info['obs_id_range'][1]}), livetime "
                  f"{info['livetime_s'] / 3600:.2f} h")
    if th["min"] is not None:
        console.print(f"energy thresholds: {th['min']:.3g} – {th['max']:.3g} TeV (median {th['median']:.3g} TeV)")
    console.print("IRF types: " + ", ".join(f"{k} ×{v}" for k, v in info["irf_types"].items()))
    targets = Table(title="targets", title_justify="left")
    for col in ("object", "runs", "livetime [h]"):
        targets.add_column(col)
    for t in info["targets"]:
        targets.add_row(t["object"], str(t["n_observations"]), f"{t['livetime_s'] / 3600:.2f}")
    console.print(targets)
    runs = Table(title=f"observations (first {min(max_rows, info['n_observations'])})", title_justify="left")
    for col in ("obs_id", "object", "RA", "Dec", "livetime [s]", "threshold [TeV]"):
        runs.add_column(col)
    for r in info["observations"][:max_rows]:
        runs.add_row(str(r["obs_id"]), r["object"], f"{r['ra_pnt']:.2f}", f"{r['dec_pnt']:.2f}",
                     f"{r['livetime_s']:.0f}", f"{r['energy_threshold_tev'][0]:.3g}")
    console.print(runs)


class InfoCommand:
    name = "info"
    help = "a data store at a glance: observations, targets, livetime, IRF types, energy thresholds"

    def add_arguments(self, parser):
        parser.add_argument("path", help="data store folder (holding hdu-index.fits.gz)")
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--rows", type=int, default=20, help="observations listed (default 20)")

    def run(self, args):
        from ..config.build import resolve_datastore
        from ..config.loading import ConfigError

        try:
            path = resolve_datastore(args.path, source="gammabin info")
        except ConfigError as exc:
            print(f"gammabin info: error: {str(exc).replace('gammabin info: observations.datastore: ', '')}",
                  file=sys.stderr)
            return 2
        info = store_info(path)
        if args.json:
            print(json.dumps(info, indent=1))
        else:
            print_info(info, args.rows)
        return 0
