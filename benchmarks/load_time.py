"""Cold cost of reading DL3: ``DataStore.from_dir`` + events, GTI and every IRF of the
four H.E.S.S. DR1 Crab runs, in a fresh process (imports timed separately).

    python benchmarks/load_time.py [--data ../shared/data] [--package gammabin|gammapy]
"""
import argparse
import importlib
import json
import time

OBS_IDS = [23523, 23526, 23559, 23592]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--package", default="gammabin")
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = importlib.import_module(f"{args.package}.data")
    irf = importlib.import_module(f"{args.package}.irf")
    # resolve the classes too: gammabin imports its sub-modules on first attribute use
    data.DataStore, data.EventList, irf.EffectiveAreaTable2D, irf.Background3D  # noqa: B018
    importlib.import_module("astropy.table")  # the returned event table (both packages)
    t1 = time.perf_counter()
    store = data.DataStore.from_dir(f"{args.data}/hess-dl3-dr1")
    observations = store.get_observations(OBS_IDS)
    n_events = 0
    for obs in observations:
        n_events += len(obs.events.table)
        for name in ("gti", "aeff", "edisp", "psf", "bkg"):
            assert getattr(obs, name) is not None
    t2 = time.perf_counter()
    print(json.dumps({"package": args.package, "import_s": round(t1 - t0, 3),
                      "load_s": round(t2 - t1, 3), "events": n_events}))


if __name__ == "__main__":
    main()
