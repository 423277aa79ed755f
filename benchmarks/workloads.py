"""The workloads gammabin is judged on, written once against gammapy's public names so the
same code runs with ``gammabin`` or ``gammapy`` (``--package``).  One workload per process:

    python benchmarks/workloads.py --package gammabin --workload a --data ../shared/data

prints one JSON line: import and reduce seconds, peak RSS and a few figures that let the two
packages' results be compared.  ``benchmarks/run.py`` drives it.
"""
import argparse
import importlib
import json
import resource
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

CRAB_RUNS = [23523, 23592, 23526, 23559]
CRAB = (83.633, 22.014)


# The public names the workloads use, resolved at load time as a script's
# ``from gammabin.makers import MapDatasetMaker`` would (gammabin resolves some names
# lazily, PEP 562; gammapy has them all after ``import gammapy.makers``).
NAMES = {
    "maps": ("MapAxis", "WcsGeom", "RegionGeom"),
    "data": ("DataStore",),
    "datasets": ("MapDataset", "SpectrumDataset"),
    "makers": ("MapDatasetMaker", "SafeMaskMaker", "SpectrumDatasetMaker", "ReflectedRegionsBackgroundMaker"),
}


def load(package):
    """Import the package's four subpackages with the names the workloads use, and the
    third-party modules the workloads use themselves (``regions``,
    ``astropy.coordinates``; gammapy imports them at its own import): ``reduce_s`` then
    holds no import cost of either package."""
    t0 = time.perf_counter()
    ns = SimpleNamespace(**{sub: importlib.import_module(f"{package}.{sub}") for sub in NAMES})
    for sub, names in NAMES.items():
        for name in names:
            getattr(getattr(ns, sub), name)
    for module in ("astropy.coordinates", "regions"):
        importlib.import_module(module)
    return ns, time.perf_counter() - t0


def pointing(obs):
    if hasattr(obs, "get_pointing_icrs"):
        return obs.get_pointing_icrs(obs.tmid)
    return obs.pointing_radec


def seed_chain(ns, data, repeat=1):
    """(a)/(b): the seed chain, 4 Crab runs (× repeat) stacked on 5°×5° at 0.02°, 11 bins."""
    store = ns.data.DataStore.from_dir(f"{data}/hess-dl3-dr1")
    observations = store.get_observations(CRAB_RUNS * repeat)
    axis = ns.maps.MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = ns.maps.WcsGeom.create(skydir=(83.63, 22.01), axes=[axis], width=5, binsz=0.02)
    maker = ns.makers.MapDatasetMaker()
    safe = ns.makers.SafeMaskMaker(methods=["aeff-default", "offset-max"], offset_max="3 deg")
    stacked = ns.datasets.MapDataset.create(geom)
    for obs in observations:
        dataset = maker.run(stacked.cutout(pointing(obs), width="6 deg"), obs)
        stacked.stack(safe.run(dataset, obs))
    return {"runs": len(observations), "counts": float(stacked.counts.data.sum()),
            "background": float(stacked.background.data.sum()),
            "mask_safe_true": int(stacked.mask_safe.data.sum())}


def all_runs_maps(ns, data, limit=None):
    """(c): every DR1 run on its own 4°×4°, 0.02° geometry, 20 reco bins 0.1–100 TeV,
    30 true bins, PSF and EDISP, safe mask aeff-max + offset-max."""
    store = ns.data.DataStore.from_dir(f"{data}/hess-dl3-dr1")
    observations = store.get_observations(store.obs_ids[:limit] if limit else None)
    axis = ns.maps.MapAxis.from_energy_bounds(0.1, 100, nbin=20, unit="TeV")
    axis_true = ns.maps.MapAxis.from_energy_bounds(0.05, 150, nbin=30, unit="TeV", name="energy_true")
    maker = ns.makers.MapDatasetMaker()
    safe = ns.makers.SafeMaskMaker(methods=["aeff-max", "offset-max"], offset_max="2.5 deg")
    counts = 0.0
    for obs in observations:
        geom = ns.maps.WcsGeom.create(skydir=pointing(obs), width=4, binsz=0.02, axes=[axis])
        empty = ns.datasets.MapDataset.create(geom, energy_axis_true=axis_true)
        dataset = safe.run(maker.run(empty, obs), obs)
        counts += float(dataset.counts.data.sum())
    return {"runs": len(observations), "counts": counts}


def reflected_spectra(ns, data):
    """(d): 1D ON/OFF spectra with reflected regions for every Crab and PKS 2155-304 run."""
    from astropy.coordinates import Angle, SkyCoord
    from regions import CircleSkyRegion

    store = ns.data.DataStore.from_dir(f"{data}/hess-dl3-dr1")
    table = store.obs_table
    names = [str(n).strip() for n in table["OBJECT"]]
    targets = {"Crab Nebula": SkyCoord(*CRAB, unit="deg"),
               "PKS 2155-304": SkyCoord(329.71694, -30.22559, unit="deg")}
    axis = ns.maps.MapAxis.from_energy_bounds(0.5, 40, nbin=20, unit="TeV")
    axis_true = ns.maps.MapAxis.from_energy_bounds(0.3, 100, nbin=40, unit="TeV", name="energy_true")
    maker = ns.makers.SpectrumDatasetMaker(containment_correction=False,
                                           selection=["counts", "exposure", "edisp"])
    safe = ns.makers.SafeMaskMaker(methods=["aeff-max"], aeff_percent=10)
    runs, n_on, n_off = 0, 0.0, 0.0
    for target, center in targets.items():
        ids = [int(i) for i, name in zip(table["OBS_ID"], names) if name == target]
        region = CircleSkyRegion(center=center, radius=Angle("0.11 deg"))
        geom = ns.maps.RegionGeom.create(region=region, axes=[axis])
        empty = ns.datasets.SpectrumDataset.create(geom=geom, energy_axis_true=axis_true)
        mask_geom = ns.maps.WcsGeom.create(skydir=center, npix=(150, 150), binsz=0.05, proj="TAN")
        exclusion = mask_geom.region_mask([CircleSkyRegion(center, Angle("0.3 deg"))], inside=False)
        bkg_maker = ns.makers.ReflectedRegionsBackgroundMaker(exclusion_mask=exclusion)
        for obs in store.get_observations(ids):
            dataset = maker.run(empty.copy(name=f"obs_{obs.obs_id}"), obs)
            dataset = safe.run(bkg_maker.run(dataset, obs), obs)
            n_on += float(dataset.counts.data.sum())
            n_off += float(dataset.counts_off.data.sum())
            runs += 1
    return {"runs": runs, "counts": n_on, "counts_off": n_off}


def cta_1dc(ns, data):
    """(e): the CTA 1DC runs, V8's recipe (galactic geometries, binsz_irf 0.5, offset-max 2.5°)."""
    store = ns.data.DataStore.from_dir(f"{data}/cta-1dc/index/gps")
    axis = ns.maps.MapAxis.from_energy_bounds(0.1, 100, nbin=10, unit="TeV")
    maker = ns.makers.MapDatasetMaker()
    safe = ns.makers.SafeMaskMaker(methods=["offset-max"], offset_max="2.5 deg")
    groups = {((0.0, 0.0), 8): [110380, 111140, 111159], ((264.0, -1.3), 5): [111630]}
    counts, runs = 0.0, 0
    for (skydir, width), ids in groups.items():
        geom = ns.maps.WcsGeom.create(skydir=skydir, frame="galactic", width=width, binsz=0.05, axes=[axis])
        stacked = ns.datasets.MapDataset.create(geom, binsz_irf=0.5)
        for obs in store.get_observations(ids):
            dataset = maker.run(stacked.cutout(pointing(obs), width="5 deg"), obs)
            stacked.stack(safe.run(dataset, obs))
            runs += 1
        counts += float(stacked.counts.data.sum())
    return {"runs": runs, "counts": counts}


def read_histogram_floor(ns, data):
    """The floor: read the 4 Crab run files whole (every HDU's data) and histogram their
    events on the seed geometry's grid — what any reduction must at least do."""
    from astropy.io import fits

    edges_e = np.geomspace(1, 10, 12)
    events = 0
    for obs_id in CRAB_RUNS:
        path = Path(data) / "hess-dl3-dr1" / "data" / f"hess_dl3_dr1_obs_id_{obs_id:06d}.fits.gz"
        with fits.open(path) as hdus:
            for hdu in hdus[1:]:
                hdu.data  # noqa: B018 - force the read
            table = hdus["EVENTS"].data
            ra, dec, energy = table["RA"], table["DEC"], table["ENERGY"]
            hist, _ = np.histogramdd(
                np.column_stack([energy, dec, ra]),
                bins=[edges_e, np.linspace(19.51, 24.51, 251), np.linspace(80.93, 86.33, 251)])
            events += int(hist.sum())
    return {"runs": len(CRAB_RUNS), "events_binned": events}


WORKLOADS = {
    "a": ("seed chain, 4 Crab runs", lambda ns, d: seed_chain(ns, d)),
    "b": ("seed chain ×5 (20 runs)", lambda ns, d: seed_chain(ns, d, repeat=5)),
    "c": ("all 105 DR1 runs, own 4°×4° geometry each, PSF+EDISP", lambda ns, d: all_runs_maps(ns, d)),
    "d": ("reflected-region spectra, Crab + PKS 2155-304 runs", reflected_spectra),
    "e": ("CTA 1DC runs (V8 recipe)", cta_1dc),
    "floor": ("read + histogram the 4 Crab files", read_histogram_floor),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--package", default="gammabin")
    parser.add_argument("--workload", default="a", choices=sorted(WORKLOADS))
    parser.add_argument("--data", default="../shared/data")
    args = parser.parse_args()
    if args.workload == "floor":
        t0 = time.perf_counter()
        importlib.import_module("astropy.io.fits")  # the floor's only import, timed apart
        ns, import_s = None, time.perf_counter() - t0
    else:
        ns, import_s = load(args.package)
    t0 = time.perf_counter()
    figures = WORKLOADS[args.workload][1](ns, args.data)
    reduce_s = time.perf_counter() - t0
    print(json.dumps({
        "package": args.package, "workload": args.workload, "import_s": round(import_s, 4),
        "reduce_s": round(reduce_s, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **figures,
    }))


if __name__ == "__main__":
    main()
