"""``gammabin demo``: the main job on data made on the spot — nothing to download.

Simulates the built-in Crab-like scene (4 wobble runs of 10 min, built-in instrument)
into ``OUT/data`` and reduces it twice with the embedded configs (also shipped as
``examples/configs/demo_map.yaml`` and ``demo_spectrum.yaml``):

- ``OUT/map``: a stacked map, summed over energy, with ring background;
- ``OUT/spectrum``: a reflected-region ON/OFF spectrum (per run + stacked, OGIP);

each with its files, ``summary.json`` and quick-look PNG, then prints both summaries
and writes ``OUT/summary.json``.  ``gammabin demo --dr1`` (or ``gammabin seed-chain``)
runs the earlier demo: the seed chain on the four H.E.S.S. DR1 Crab runs.
"""
import copy
import json
import os
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["DemoCommand", "SeedChainCommand", "DEMO_MAP_CONFIG", "DEMO_SPECTRUM_CONFIG", "run_demo",
           "reduce_seed_chain", "find_data_dir"]

CRAB_RUNS = [23523, 23526, 23559, 23592]
_CRAB = {"lon": "83.6331 deg", "lat": "22.0145 deg"}
_EXCLUSION = {"regions": [{**_CRAB, "radius": "0.3 deg"}]}

#: the demo's stacked map: ring background on the energy-summed image
DEMO_MAP_CONFIG = {
    "observations": {"datastore": "demo-data"},
    "dataset": {
        "type": "map", "name": "stacked_ring",
        "geom": {"skydir": {**_CRAB, "frame": "icrs"}, "width": "3 deg", "binsz": "0.02 deg"},
        "energy": {"min": "0.1 TeV", "max": "10 TeV", "nbins": 8},
        "on_region": {**_CRAB, "radius": "0.11 deg"},
        "image": True,
    },
    "exclusion": _EXCLUSION,
    "background": {"method": "ring", "parameters": {"r_in": "0.4 deg", "width": "0.3 deg"}},
    "safe_mask": {"methods": ["aeff-max", "offset-max"], "parameters": {"aeff_percent": 10, "offset_max": "1.5 deg"}},
    "stack": True,
    "output": {"dir": "map", "overwrite": True},
}

#: the demo's spectrum: reflected regions around each wobble pointing
DEMO_SPECTRUM_CONFIG = {
    "observations": {"datastore": "demo-data"},
    "dataset": {
        "type": "spectrum", "name": "stacked",
        "on_region": {**_CRAB, "radius": "0.11 deg"},
        "energy": {"min": "0.1 TeV", "max": "30 TeV", "nbins": 15},
        "energy_true": {"min": "0.05 TeV", "max": "50 TeV", "nbins": 30},
    },
    "exclusion": _EXCLUSION,
    "background": {"method": "reflected"},
    "safe_mask": {"methods": ["aeff-max"], "parameters": {"aeff_percent": 10}},
    "stack": True,
    "output": {"dir": "spectrum", "overwrite": True},
}


def run_demo(out_dir, quiet=False, seed=0):
    """Simulate and reduce into ``out_dir``; returns the combined summary dict."""
    from ..config import config_from_dict
    from ..simulate import crab_like_scene, simulate_scene
    from .reduce import reduce_config

    out_dir = Path(out_dir).resolve()
    data_dir = out_dir / "data"
    start = time.perf_counter()
    scene = crab_like_scene()
    simulate_scene(data_dir, scene, seed=seed, overwrite=True)
    if not quiet:
        print(f"gammabin demo: simulated {len(scene.pointings)} runs of the {scene.name} scene "
              f"({scene.livetime:.0f} s each) into {data_dir}")
    combined = {"data": str(data_dir), "seed": seed, "reductions": {}}
    for label, template in (("map", DEMO_MAP_CONFIG), ("spectrum", DEMO_SPECTRUM_CONFIG)):
        raw = copy.deepcopy(template)
        raw["observations"]["datastore"] = str(data_dir)
        raw["output"]["dir"] = str(out_dir / raw["output"]["dir"])
        config = config_from_dict(raw, source=f"demo {label} config", base_dir=out_dir)
        result = reduce_config(config, f"demo {label} config", quiet=quiet, title=f"gammabin demo ({label})")
        combined["reductions"][label] = {"output_dir": raw["output"]["dir"], "summary": result.summary}
    combined["seconds"] = round(time.perf_counter() - start, 3)
    (out_dir / "summary.json").write_text(json.dumps(combined, indent=1, default=str) + "\n")
    return combined


class DemoCommand:
    name = "demo"
    help = "simulate the built-in Crab-like scene and reduce it (ring-background map + reflected spectrum)"

    def add_arguments(self, parser):
        parser.add_argument("--out", help="output folder (default: a new temporary folder)")
        parser.add_argument("--seed", type=int, default=0, help="simulation seed (default 0)")
        parser.add_argument("--quiet", action="store_true", help="only the output folder is printed")
        parser.add_argument("--dr1", action="store_true",
                            help="instead: the seed chain on the four H.E.S.S. DR1 Crab runs (needs the data)")
        parser.add_argument("--data", help="with --dr1: data folder holding hess-dl3-dr1")

    def run(self, args):
        if args.dr1:
            return run_seed_chain(args.data, args.out)
        out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="gammabin-demo-"))
        out.mkdir(parents=True, exist_ok=True)
        combined = run_demo(out, quiet=args.quiet, seed=args.seed)
        print(f"gammabin demo: outputs in {out} ({combined['seconds']:.1f} s): map/, spectrum/, summary.json")
        return 0


# --- the seed chain on H.E.S.S. DR1 (the first demo) --------------------------------------
def find_data_dir(given=None):
    """The DL3 data folder: argument, $GAMMABIN_DATA, $GAMMAPY_DATA, ../shared/data."""
    candidates = [given, os.environ.get("GAMMABIN_DATA"), os.environ.get("GAMMAPY_DATA")]
    repo = Path(__file__).resolve().parents[3]
    candidates += [Path.cwd().parent / "shared" / "data", repo.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "hess-dl3-dr1").is_dir():
            return Path(candidate)
    raise SystemExit(
        "gammabin demo --dr1: no data folder with hess-dl3-dr1 found; pass --data PATH or set "
        "GAMMABIN_DATA (looked in: " + ", ".join(str(c) for c in candidates if c) + ")"
    )


def reduce_seed_chain(data_dir, obs_ids=CRAB_RUNS, progress=None):
    from ..data import DataStore
    from ..datasets import MapDataset
    from ..makers import MAKER_REGISTRY
    from ..maps import MapAxis, WcsGeom

    store = DataStore.from_dir(Path(data_dir) / "hess-dl3-dr1")
    observations = store.get_observations(obs_ids)
    energy_axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), axes=[energy_axis], width=5, binsz=0.02)
    maker = MAKER_REGISTRY.get_cls("MapDatasetMaker")()
    safe_mask_maker = MAKER_REGISTRY.get_cls("SafeMaskMaker")(
        methods=["aeff-default", "offset-max"], offset_max="3 deg"
    )
    stacked = MapDataset.create(geom, name="stacked")
    for obs in observations:
        cutout = stacked.cutout(obs.pointing_radec, width="6 deg")
        dataset = maker.run(cutout, obs)
        dataset = safe_mask_maker.run(dataset, obs)
        stacked.stack(dataset)
        if progress:
            progress(obs)
    return stacked


def run_seed_chain(data=None, out=None):
    data_dir = find_data_dir(data)
    print(f"gammabin demo --dr1: seed chain on {data_dir / 'hess-dl3-dr1'}, runs {CRAB_RUNS}")
    t0 = time.perf_counter()
    stacked = reduce_seed_chain(
        data_dir, progress=lambda obs: print(f"  reduced run {obs.obs_id}", file=sys.stderr)
    )
    elapsed = time.perf_counter() - t0
    print(stacked)
    print(f"reduced {len(CRAB_RUNS)} runs in {elapsed:.2f} s")
    if out:
        stacked.write(out, overwrite=True)
        print(f"wrote {out}")
    return 0


class SeedChainCommand:
    name = "seed-chain"
    help = "the seed chain on the four H.E.S.S. DR1 Crab runs (the first demo), printing the stacked dataset"

    def add_arguments(self, parser):
        parser.add_argument("--data", help="data folder holding hess-dl3-dr1 (default ../shared/data)")
        parser.add_argument("--out", help="write the stacked dataset to this FITS file")

    def run(self, args):
        return run_seed_chain(args.data, args.out)
