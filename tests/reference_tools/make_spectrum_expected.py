"""Generate tests/expected/spectrum_makers_gammapy21.json with gammapy 2.1.

Run with the gammapy venv:  <gammapy-venv>/bin/python tests/reference_tools/make_spectrum_expected.py

* ``check_values``: datasets-makers.md §6 region-centre spectra (runs 23523, 23526; circle
  0.11 deg at (83.63, 22.01), helper WCS 0.01 deg, reco 1-100 TeV 4 bins, true 0.316-100 TeV
  10 bins, full SpectrumDatasetMaker): counts, livetime, background; also with
  ``use_region_center=False`` and ``containment_correction=True`` (exposure sums).
* ``crab_066_30``: the V3 chain (reflected regions, Crab exclusion, aeff-max 10 %%) with a
  reco axis 0.66-30 TeV (12 log bins), stacked: info_dict counts, counts_off, alpha,
  excess, sqrt_ts."""
import json
from pathlib import Path

from astropy.coordinates import Angle, SkyCoord
from regions import CircleSkyRegion

from gammapy.data import DataStore
from gammapy.datasets import Datasets, SpectrumDataset
from gammapy.makers import ReflectedRegionsBackgroundMaker, SafeMaskMaker, SpectrumDatasetMaker
from gammapy.maps import MapAxis, RegionGeom, WcsGeom

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
OUT = Path(__file__).resolve().parents[1] / "expected" / "spectrum_makers_gammapy21.json"
CRAB = SkyCoord(83.633, 22.014, unit="deg")


def check_values(store):
    region = CircleSkyRegion(SkyCoord(83.63, 22.01, unit="deg"), Angle("0.11 deg"))
    energy = MapAxis.from_energy_bounds("1 TeV", "100 TeV", nbin=4, name="energy")
    energy_true = MapAxis.from_energy_bounds("0.316 TeV", "100 TeV", nbin=10, name="energy_true")
    geom = RegionGeom.create(region, axes=[energy], binsz_wcs="0.01 deg")
    empty = SpectrumDataset.create(geom, energy_axis_true=energy_true)
    out = {}
    for obs_id in [23523, 23526]:
        obs = store.obs(obs_id)
        row = {}
        for variant, kwargs in {"centre": {}, "weighted": {"use_region_center": False},
                                "containment": {"containment_correction": True}}.items():
            ds = SpectrumDatasetMaker(**kwargs).run(empty.copy(name=f"{obs_id}_{variant}"), obs)
            row[variant] = {
                "counts": ds.counts.data.ravel().tolist(),
                "livetime_s": float(ds.exposure.meta["livetime"].to_value("s")),
                "background": ds.background.data.ravel().tolist(),
                "exposure": ds.exposure.quantity.to_value("m2 s").ravel().tolist(),
                "edisp_sum": float(ds.edisp.edisp_map.data.sum()),
            }
        out[str(obs_id)] = row
    return out


def crab_066_30(store):
    obs_list = store.get_observations([23523, 23592, 23526, 23559])
    on = CircleSkyRegion(CRAB, Angle("0.11 deg"))
    energy = MapAxis.from_energy_bounds(0.66, 30, nbin=12, unit="TeV", name="energy")
    energy_true = MapAxis.from_energy_bounds(0.3, 100, nbin=40, unit="TeV", name="energy_true")
    empty = SpectrumDataset.create(RegionGeom.create(on, axes=[energy]), energy_axis_true=energy_true)
    ex_geom = WcsGeom.create(skydir=CRAB, npix=(150, 150), binsz=0.05, proj="TAN", frame="icrs")
    mask = ex_geom.region_mask([CircleSkyRegion(CRAB, Angle("0.3 deg"))], inside=False)
    maker = SpectrumDatasetMaker(containment_correction=False, selection=["counts", "exposure", "edisp"])
    bkg = ReflectedRegionsBackgroundMaker(exclusion_mask=mask)
    safe = SafeMaskMaker(["aeff-max"], aeff_percent=10)
    per = []
    for obs in obs_list:
        per.append(safe.run(bkg.run(maker.run(empty.copy(name=f"obs_{obs.obs_id}"), obs), obs), obs))
    stacked = Datasets(per).stack_reduce(name="stacked")
    out = {}
    for ds in per + [stacked]:
        info = ds.info_dict()
        out[ds.name] = {k: float(info[k]) for k in ("counts", "counts_off", "alpha", "excess", "sqrt_ts", "background")}
    return out


def main():
    store = DataStore.from_dir(DATA / "hess-dl3-dr1")
    result = {"generator": "tests/reference_tools/make_spectrum_expected.py",
              "gammapy": __import__("gammapy").__version__,
              "check_values": check_values(store), "crab_066_30": crab_066_30(store)}
    OUT.write_text(json.dumps(result, indent=1))
    print(json.dumps(result["crab_066_30"], indent=1))
    print({k: (v["centre"]["counts"], v["centre"]["livetime_s"], sum(v["centre"]["background"]))
           for k, v in result["check_values"].items()})


if __name__ == "__main__":
    main()
