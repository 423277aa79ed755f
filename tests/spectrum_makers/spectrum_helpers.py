"""Helpers and fixtures of the spectrum-maker tests (imported by conftest.py): H.E.S.S. and
MAGIC observations (read once),
the V3/V4 chains (shared/reference/make_reference.py recipes) and an OGIP reader that
uses astropy only (independent of gammabin's OGIP code)."""
import numpy as np
import pytest
from astropy.coordinates import Angle, SkyCoord
from astropy.io import fits
from regions import CircleSkyRegion, PointSkyRegion

CRAB = SkyCoord(83.633, 22.014, unit="deg")
CRAB_RUNS = [23523, 23592, 23526, 23559]
MAGIC_RUNS = [5029747, 5029748]


@pytest.fixture(scope="session")
def hess_observations(hess_dir):
    from gammabin.data import DataStore

    store = DataStore.from_dir(hess_dir)
    return {obs_id: store.obs(obs_id) for obs_id in CRAB_RUNS}


@pytest.fixture(scope="session")
def magic_observations(data_dir):
    from gammabin.data import DataStore

    store = DataStore.from_dir(data_dir / "magic" / "rad_max" / "data")
    return {obs_id: store.obs(obs_id, required_irf="point-like") for obs_id in MAGIC_RUNS}


def crab_exclusion_1d():
    from gammabin.maps import WcsGeom

    geom = WcsGeom.create(skydir=CRAB, npix=(150, 150), binsz=0.05, proj="TAN", frame="icrs")
    return geom.region_mask([CircleSkyRegion(CRAB, Angle("0.3 deg"))], inside=False)


def run_chain(observations, on_region, energy, energy_true, bkg_maker, safe_maker, order=None):
    """The make_reference.py spectrum chain: per run maker → background → safe mask; stack_reduce."""
    from gammabin.datasets import Datasets, SpectrumDataset
    from gammabin.makers import SpectrumDatasetMaker
    from gammabin.maps import RegionGeom

    empty = SpectrumDataset.create(RegionGeom.create(region=on_region, axes=[energy]), energy_axis_true=energy_true)
    maker = SpectrumDatasetMaker(containment_correction=False, selection=["counts", "exposure", "edisp"])
    per = []
    for obs in observations:
        dataset = maker.run(empty.copy(name=f"obs_{obs.obs_id}"), obs)
        per.append(safe_maker.run(bkg_maker.run(dataset, obs), obs))
    return per, Datasets(per).stack_reduce(name="stacked")


@pytest.fixture(scope="session")
def v3_chain(hess_observations):
    from gammabin.makers import ReflectedRegionsBackgroundMaker, SafeMaskMaker
    from gammabin.maps import MapAxis

    energy = MapAxis.from_energy_bounds(0.5, 40, nbin=20, unit="TeV", name="energy")
    energy_true = MapAxis.from_energy_bounds(0.3, 100, nbin=40, unit="TeV", name="energy_true")
    return run_chain([hess_observations[i] for i in CRAB_RUNS], CircleSkyRegion(CRAB, Angle("0.11 deg")),
                     energy, energy_true, ReflectedRegionsBackgroundMaker(exclusion_mask=crab_exclusion_1d()),
                     SafeMaskMaker(["aeff-max"], aeff_percent=10))


@pytest.fixture(scope="session")
def v4_chain(magic_observations):
    from gammabin.makers import ReflectedRegionsBackgroundMaker, SafeMaskMaker, WobbleRegionsFinder
    from gammabin.maps import MapAxis

    energy = MapAxis.from_energy_bounds(50, 1e5, nbin=5, per_decade=True, unit="GeV", name="energy")
    energy_true = MapAxis.from_energy_bounds(10, 1e5, nbin=10, per_decade=True, unit="GeV", name="energy_true")
    bkg = ReflectedRegionsBackgroundMaker(region_finder=WobbleRegionsFinder(n_off_regions=3))
    return run_chain([magic_observations[i] for i in MAGIC_RUNS], PointSkyRegion(CRAB), energy, energy_true,
                     bkg, SafeMaskMaker(["aeff-default"]))


def _rmf_matrix(hdul):
    matrix = hdul["MATRIX"].data
    out = np.zeros((len(matrix), len(hdul["EBOUNDS"].data)))
    for i, row in enumerate(matrix):
        k = 0
        values = np.atleast_1d(row["MATRIX"])
        for first, n in zip(np.atleast_1d(row["F_CHAN"]), np.atleast_1d(row["N_CHAN"])):
            out[i, first:first + n] = values[k:k + n]
            k += n
    return out


def read_ogip(folder, name):
    """Arrays of an OGIP spectrum (README rules): counts, mask_safe, acceptance,
    counts_off, acceptance_off, exposure (SPECRESP × livetime), edisp (true × reco)."""
    with fits.open(folder / f"{name}.fits") as h:
        spec = h["SPECTRUM"]
        out = {"counts": spec.data["COUNTS"].astype(float), "mask_safe": spec.data["QUALITY"] == 0,
               "acceptance": np.broadcast_to(spec.data["BACKSCAL"] if "BACKSCAL" in spec.columns.names
                                             else spec.header["BACKSCAL"], spec.data["COUNTS"].shape).astype(float),
               "livetime": spec.header["EXPOSURE"]}
    with fits.open(folder / f"{name}_bkg.fits") as h:
        out["counts_off"] = h["SPECTRUM"].data["COUNTS"].astype(float)
        out["acceptance_off"] = np.asarray(h["SPECTRUM"].data["BACKSCAL"], dtype=float)
    with fits.open(folder / f"{name}_arf.fits") as h:
        out["exposure"] = h[1].data["SPECRESP"].astype(float) * out["livetime"]
    with fits.open(folder / f"{name}_rmf.fits") as h:
        out["edisp"] = _rmf_matrix(h)
    return out


def assert_rtol_per_bin(actual, reference, rtol, what=""):
    """README rule: |a − r| ≤ rtol·(|r| + 1e-3·max|r|)."""
    actual, reference = np.asarray(actual, dtype=float), np.asarray(reference, dtype=float)
    assert actual.shape == reference.shape, what
    bound = rtol * (np.abs(reference) + 1e-3 * np.abs(reference).max())
    assert np.all(np.abs(actual - reference) <= bound), what


def assert_ogip_matches(ours, ref, name):
    """V3/V4 tolerances: counts, counts_off exact; acceptances 1e-3 (exact in practice);
    exposure 1e-4; edisp 1e-2 on the sum and above 1e-3 of the maximum; mask_safe exact."""
    assert np.max(np.abs(ours["counts"] - ref["counts"])) <= 0.01, f"{name} counts"
    assert np.max(np.abs(ours["counts_off"] - ref["counts_off"])) <= 0.01, f"{name} counts_off"
    np.testing.assert_array_equal(ours["mask_safe"], ref["mask_safe"], err_msg=f"{name} mask_safe")
    assert_rtol_per_bin(ours["acceptance"], ref["acceptance"], 1e-3, f"{name} acceptance")
    assert_rtol_per_bin(ours["acceptance_off"], ref["acceptance_off"], 1e-3, f"{name} acceptance_off")
    assert_rtol_per_bin(ours["exposure"], ref["exposure"], 1e-4, f"{name} exposure")
    np.testing.assert_allclose(ours["edisp"].sum(), ref["edisp"].sum(), rtol=1e-2, err_msg=f"{name} edisp")
    big = np.abs(ref["edisp"]) > 1e-3 * np.abs(ref["edisp"]).max()
    np.testing.assert_allclose(ours["edisp"][big], ref["edisp"][big], rtol=1e-2, err_msg=f"{name} edisp")
