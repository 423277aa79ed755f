"""``gammabin demo``: the main job on a default data set.

For now: the seed's "combining data reduction steps" chain on the four H.E.S.S.
DR1 Crab runs — a stacked MapDataset with the safe mask of each run — printing
the stacked dataset's summary.  (A later release swaps in a built-in simulated
data set so that nothing needs to be downloaded.)
"""
import os
import sys
import time
from pathlib import Path

CRAB_RUNS = [23523, 23526, 23559, 23592]


def find_data_dir(given=None):
    """The DL3 data folder: argument, $GAMMABIN_DATA, $GAMMAPY_DATA, ../shared/data."""
    candidates = [given, os.environ.get("GAMMABIN_DATA"), os.environ.get("GAMMAPY_DATA")]
    repo = Path(__file__).resolve().parents[3]
    candidates += [Path.cwd().parent / "shared" / "data", repo.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "hess-dl3-dr1").is_dir():
            return Path(candidate)
    raise SystemExit(
        "gammabin demo: no data folder with hess-dl3-dr1 found; pass --data PATH or set "
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


class DemoCommand:
    name = "demo"
    help = "reduce the four H.E.S.S. DR1 Crab runs to a stacked MapDataset and print its summary"

    def add_arguments(self, parser):
        parser.add_argument("--data", help="data folder holding hess-dl3-dr1 (default ../shared/data)")
        parser.add_argument("--out", help="write the stacked dataset to this FITS file")

    def run(self, args):
        data_dir = find_data_dir(args.data)
        print(f"gammabin demo: seed chain on {data_dir / 'hess-dl3-dr1'}, runs {CRAB_RUNS}")
        t0 = time.perf_counter()
        stacked = reduce_seed_chain(
            data_dir, progress=lambda obs: print(f"  reduced run {obs.obs_id}", file=sys.stderr)
        )
        elapsed = time.perf_counter() - t0
        print(stacked)
        print(f"reduced {len(CRAB_RUNS)} runs in {elapsed:.2f} s")
        if args.out:
            stacked.write(args.out, overwrite=True)
            print(f"wrote {args.out}")
        return 0
