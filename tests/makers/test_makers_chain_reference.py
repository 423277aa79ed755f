"""MapDatasetMaker + SafeMaskMaker through the dataset layer against gammapy 2.1
reference outputs (shared/reference V1, V2, V8; README there gives the rules)."""
import json
import warnings

import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits

RUNS = [23523, 23592, 23526, 23559]


@pytest.fixture(scope="module")
def v1_chain(crab_observations):
    """V1: per-run datasets (before stacking) and the stacked dataset."""
    from gammabin.datasets import MapDataset
    from gammabin.makers import MapDatasetMaker, SafeMaskMaker
    from gammabin.maps import MapAxis, WcsGeom

    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.02, axes=[axis])
    stacked = MapDataset.create(geom)
    maker = MapDatasetMaker()
    safe = SafeMaskMaker(methods=["aeff-default", "offset-max"], offset_max="3 deg")
    per_run = {}
    for obs_id in RUNS:
        obs = crab_observations[obs_id]
        dataset = maker.run(stacked.cutout(obs.pointing_radec, width="6 deg"), obs)
        dataset = safe.run(dataset, obs)
        per_run[obs_id] = dataset
        stacked.stack(dataset)
    return per_run, stacked


def _check_dataset(dataset, path, compare, psf_unit):
    with fits.open(path) as ref:
        assert np.max(np.abs(dataset.counts.data - ref["COUNTS"].data)) <= 0.01
        np.testing.assert_array_equal(dataset.mask_safe.data, ref["MASK_SAFE"].data.astype(bool))
        compare.rtol(dataset.exposure.quantity.to_value("m2 s"), ref["EXPOSURE"].data, 1e-4, "exposure")
        compare.rtol(dataset.background.data, ref["BACKGROUND"].data, 1e-3, "background")
        compare.irf(dataset.psf.psf_map.quantity.to_value(psf_unit), ref["PSF"].data, "psf")
        compare.irf(dataset.psf.exposure_map.quantity.to_value("m2 s"), ref["PSF_EXPOSURE"].data, "psf exposure")
        compare.irf(dataset.edisp.edisp_map.data, ref["EDISP"].data, "edisp")
        compare.irf(dataset.edisp.exposure_map.quantity.to_value("m2 s"), ref["EDISP_EXPOSURE"].data, "edisp exposure")


@pytest.mark.parametrize("obs_id", RUNS)
def test_v1_per_run(obs_id, v1_chain, reference_dir, compare):
    dataset = v1_chain[0][obs_id]
    figures = json.loads((reference_dir / "V1" / "summary.json").read_text())["outputs"][f"obs_{obs_id}"]["figures"]
    assert dataset.counts.data.sum() == figures["counts_sum"]
    assert int(dataset.mask_safe.data.sum()) == figures["mask_safe_true"]
    np.testing.assert_allclose(dataset.background.data.sum(), figures["background_sum"], rtol=1e-3)
    np.testing.assert_allclose(dataset.exposure.data.max(), figures["exposure_max"], rtol=1e-4)
    assert dataset.psf.psf_map.unit == "deg-2" and dataset.exposure.data.dtype == np.float64
    cut = dataset.cutout(SkyCoord(83.63, 22.01, unit="deg"), width="1.5 deg")
    _check_dataset(cut, reference_dir / "V1" / f"obs_{obs_id}.fits.gz", compare, "deg-2")


def test_v1_stacked(v1_chain, reference_dir, compare):
    stacked = v1_chain[1]
    assert stacked.counts.data.sum() == 7972
    assert int(stacked.mask_safe.data.sum()) == 687214
    np.testing.assert_allclose(stacked.background.data.sum(), 7668.77, rtol=1e-6)
    _check_dataset(stacked, reference_dir / "V1" / "stacked.fits.gz", compare, "sr-1")


@pytest.mark.parametrize("obs_id", RUNS)
def test_v2_thresholds_and_maps(obs_id, crab_observations, reference_dir, compare):
    from gammabin.datasets import MapDataset
    from gammabin.makers import MapDatasetMaker, SafeMaskMaker
    from gammabin.maps import MapAxis, WcsGeom

    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    axis_true = MapAxis.from_bounds(0.3, 10, nbin=31, name="energy_true", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=2, binsz=0.04, axes=[axis])
    empty = MapDataset.create(geom, energy_axis_true=axis_true, name="empty")
    dataset = MapDatasetMaker().run(empty.copy(name=f"obs_{obs_id}"), crab_observations[obs_id])
    dataset = SafeMaskMaker(methods=["aeff-max", "edisp-bias", "bkg-peak"], aeff_percent=10,
                            bias_percent=10).run(dataset, crab_observations[obs_id])
    safe_bins = np.nonzero(dataset.mask_safe.data.any(axis=(1, 2)))[0]
    threshold = axis.edges[safe_bins[0]].to_value("TeV")
    assert threshold == pytest.approx(1.8738 if obs_id == 23523 else 1.5199, rel=1e-4)
    _check_dataset(dataset, reference_dir / "V2" / f"obs_{obs_id}.fits.gz", compare, "deg-2")


@pytest.mark.parametrize("name, skydir, width, runs", [
    ("stacked_gc", (0, 0), 8, [110380, 111140, 111159]),
    ("stacked_111630", (264, -1.3), 5, [111630]),
])
def test_v8_cta_galactic(name, skydir, width, runs, data_dir, reference_dir, compare):
    from gammabin.data import DataStore
    from gammabin.datasets import MapDataset
    from gammabin.makers import MapDatasetMaker, SafeMaskMaker
    from gammabin.maps import MapAxis, WcsGeom

    store = DataStore.from_dir(data_dir / "cta-1dc" / "index" / "gps")
    axis = MapAxis.from_energy_bounds(0.1, 100, nbin=10, unit="TeV")
    geom = WcsGeom.create(skydir=skydir, width=width, binsz=0.05, frame="galactic", axes=[axis])
    stacked = MapDataset.create(geom, binsz_irf=0.5)
    maker, safe = MapDatasetMaker(), SafeMaskMaker(methods=["offset-max"], offset_max="2.5 deg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for obs in store.get_observations(runs):
            dataset = maker.run(stacked.cutout(obs.get_pointing_icrs(obs.tmid), width="5 deg"), obs)
            stacked.stack(safe.run(dataset, obs))
    with fits.open(reference_dir / "V8" / f"{name}.fits.gz") as ref:
        assert np.max(np.abs(stacked.counts.data - ref["COUNTS"].data)) <= 0.01
        np.testing.assert_array_equal(stacked.mask_safe.data, ref["MASK_SAFE"].data.astype(bool))
        compare.rtol(stacked.exposure.data, ref["EXPOSURE"].data, 1e-4, "exposure")
        compare.rtol(stacked.background.data, ref["BACKGROUND"].data, 1e-3, "background")
        compare.irf(stacked.psf.psf_map.quantity.to_value("sr-1"), ref["PSF"].data, "psf")
        compare.irf(stacked.edisp.exposure_map.data, ref["EDISP_EXPOSURE"].data, "edisp exposure")
        compare.irf(stacked.edisp.edisp_map.data, ref["EDISP"].data, "edisp")


def test_v8_edisp_uncovered_pixels_are_zero(data_dir, reference_dir):
    from gammabin.data import DataStore
    from gammabin.datasets import MapDataset
    from gammabin.makers import MapDatasetMaker, SafeMaskMaker
    from gammabin.maps import MapAxis, WcsGeom

    store = DataStore.from_dir(data_dir / "cta-1dc" / "index" / "gps")
    axis = MapAxis.from_energy_bounds(0.1, 100, nbin=10, unit="TeV")
    geom = WcsGeom.create(skydir=(0, 0), width=8, binsz=0.05, frame="galactic", axes=[axis])
    stacked = MapDataset.create(geom, binsz_irf=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for obs in store.get_observations([110380, 111140, 111159]):
            dataset = MapDatasetMaker().run(stacked.cutout(obs.get_pointing_icrs(obs.tmid), width="5 deg"), obs)
            stacked.stack(SafeMaskMaker(methods=["offset-max"], offset_max="2.5 deg").run(dataset, obs))
    with fits.open(reference_dir / "V8" / "stacked_gc.fits.gz") as ref:
        np.testing.assert_allclose(stacked.edisp.edisp_map.data.sum(), ref["EDISP"].data.sum(), rtol=1e-2)
