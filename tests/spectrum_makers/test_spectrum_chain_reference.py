"""SpectrumDatasetMaker + ReflectedRegionsBackgroundMaker + SafeMaskMaker against the
gammapy 2.1 reference outputs V3 (reflected regions, H.E.S.S.) and V4 (RAD_MAX wobble,
MAGIC), per run and stacked; stacking invariants; datasets-makers.md §6 check values
and the 0.66–30 TeV Crab figures (tests/expected/spectrum_makers_gammapy21.json, made by
tests/reference_tools/make_spectrum_expected.py)."""
import json
from pathlib import Path

import numpy as np
import pytest
from spectrum_helpers import CRAB_RUNS, MAGIC_RUNS, assert_ogip_matches, read_ogip

EXPECTED = json.loads((Path(__file__).parents[1] / "expected" / "spectrum_makers_gammapy21.json").read_text())


def _written(dataset, tmp_path):
    dataset.write(tmp_path / f"{dataset.name}.fits", overwrite=True, format="ogip")
    return read_ogip(tmp_path, dataset.name)


def test_v3_per_run_and_stacked(v3_chain, reference_dir, tmp_path):
    per, stacked = v3_chain
    for dataset in per + [stacked]:
        assert_ogip_matches(_written(dataset, tmp_path), read_ogip(reference_dir / "V3", dataset.name), dataset.name)
    # spec check values (background-makers.md §9): OFF regions and counts per run
    assert [int(d.acceptance_off.data.max()) for d in per] == [11, 40, 11, 40]
    assert [int(d.counts_off.data.sum()) for d in per] == [198, 535, 175, 457]
    assert [int(d.mask_safe.data.sum()) for d in per] == [19, 19, 20, 20]
    assert stacked.counts.data.sum() == 632 and stacked.counts_off.data.sum() == 1202


def test_v4_per_run_and_stacked(v4_chain, reference_dir, tmp_path):
    per, stacked = v4_chain
    for dataset in per + [stacked]:
        assert_ogip_matches(_written(dataset, tmp_path), read_ogip(reference_dir / "V4", dataset.name), dataset.name)
    assert [int(d.counts_off.data.sum()) for d in per] == [1181, 1258]
    assert all(np.all(d.acceptance_off.data == 3) for d in per)


@pytest.mark.parametrize("chain", ["v3_chain", "v4_chain"])
def test_stack_reduce_is_order_independent_and_conserves_counts(chain, request):
    from gammabin.datasets import Datasets

    per, stacked = request.getfixturevalue(chain)
    before = [(d.counts.data.sum(), d.counts_off.data.sum(), int(d.mask_safe.data.sum())) for d in per]
    reverse = Datasets(per[::-1]).stack_reduce(name="reverse")
    # stack_reduce leaves its inputs alone, and the order does not matter
    assert before == [(d.counts.data.sum(), d.counts_off.data.sum(), int(d.mask_safe.data.sum())) for d in per]
    for attr in ("counts", "counts_off", "acceptance", "acceptance_off"):
        np.testing.assert_allclose(getattr(reverse, attr).data, getattr(stacked, attr).data, rtol=1e-6)
    np.testing.assert_array_equal(reverse.mask_safe.data, stacked.mask_safe.data)
    safe_counts = sum(float(np.sum(d.counts.data[d.mask_safe.data])) for d in per)
    safe_off = sum(float(np.sum(d.counts_off.data[d.mask_safe.data])) for d in per)
    assert float(stacked.counts.data.sum()) == safe_counts
    assert float(stacked.counts_off.data.sum()) == safe_off
    # the stacked background is the sum of the per-run backgrounds in their safe bins
    background = sum(np.where(d.mask_safe.data, d.background.data, 0) for d in per)
    np.testing.assert_allclose(stacked.background.data, background, rtol=1e-5, atol=1e-6)


def test_region_centre_check_values(hess_observations):
    """datasets-makers.md §6: run 23523 counts 100, livetime 1581.7368 s, background
    7.74788 (23526: 92, 5.73185); plus the weighted-pixel and containment variants."""
    from astropy.coordinates import Angle, SkyCoord
    from regions import CircleSkyRegion

    from gammabin.datasets import SpectrumDataset
    from gammabin.makers import SpectrumDatasetMaker
    from gammabin.maps import MapAxis, RegionGeom

    region = CircleSkyRegion(SkyCoord(83.63, 22.01, unit="deg"), Angle("0.11 deg"))
    energy = MapAxis.from_energy_bounds("1 TeV", "100 TeV", nbin=4, name="energy")
    energy_true = MapAxis.from_energy_bounds("0.316 TeV", "100 TeV", nbin=10, name="energy_true")
    empty = SpectrumDataset.create(RegionGeom.create(region, axes=[energy], binsz_wcs="0.01 deg"),
                                   energy_axis_true=energy_true)
    variants = {"centre": {}, "weighted": {"use_region_center": False}, "containment": {"containment_correction": True}}
    for obs_id, (counts, background) in {23523: (100, 7.74788), 23526: (92, 5.73185)}.items():
        for variant, kwargs in variants.items():
            ref = EXPECTED["check_values"][str(obs_id)][variant]
            ds = SpectrumDatasetMaker(**kwargs).run(empty.copy(name="x"), hess_observations[obs_id])
            np.testing.assert_array_equal(ds.counts.data.ravel(), ref["counts"])
            assert ds.exposure.meta["livetime"].to_value("s") == pytest.approx(ref["livetime_s"], rel=1e-9)
            np.testing.assert_allclose(ds.background.data.ravel(), ref["background"], rtol=1e-3)
            np.testing.assert_allclose(ds.exposure.quantity.to_value("m2 s").ravel(), ref["exposure"], rtol=1e-4)
            np.testing.assert_allclose(ds.edisp.edisp_map.data.sum(), ref["edisp_sum"], rtol=1e-2)
            if variant == "centre":
                assert ds.counts.data.sum() == counts
                assert ds.background.data.sum() == pytest.approx(background, rel=1e-5)


def test_crab_066_30_tev_figures(hess_observations):
    from astropy.coordinates import Angle
    from regions import CircleSkyRegion

    from spectrum_helpers import CRAB, crab_exclusion_1d, run_chain
    from gammabin.makers import ReflectedRegionsBackgroundMaker, SafeMaskMaker
    from gammabin.maps import MapAxis

    energy = MapAxis.from_energy_bounds(0.66, 30, nbin=12, unit="TeV", name="energy")
    energy_true = MapAxis.from_energy_bounds(0.3, 100, nbin=40, unit="TeV", name="energy_true")
    per, stacked = run_chain([hess_observations[i] for i in CRAB_RUNS], CircleSkyRegion(CRAB, Angle("0.11 deg")),
                             energy, energy_true, ReflectedRegionsBackgroundMaker(exclusion_mask=crab_exclusion_1d()),
                             SafeMaskMaker(["aeff-max"], aeff_percent=10))
    for dataset in per + [stacked]:
        ref = EXPECTED["crab_066_30"][dataset.name]
        info = dataset.info_dict()
        assert info["counts"] == ref["counts"] and info["counts_off"] == ref["counts_off"]
        assert info["alpha"] == pytest.approx(ref["alpha"], rel=1e-5)
        assert info["excess"] == pytest.approx(ref["excess"], abs=1e-3)
        assert info["sqrt_ts"] == pytest.approx(ref["sqrt_ts"], rel=1e-5)


def test_magic_runs_listed():
    assert MAGIC_RUNS == [5029747, 5029748]
