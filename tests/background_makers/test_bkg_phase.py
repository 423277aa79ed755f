"""PhaseBackgroundMaker: interval normalisation quirks, MapDataset → MapDatasetOnOff against
gammapy-generated counts, and V7 (SpectrumDataset → SpectrumDatasetOnOff) against the
gammapy 2.1 OGIP reference files."""
import numpy as np
import pytest
from astropy.io import fits


@pytest.fixture(scope="module")
def phase_obs(reference_dir):
    from gammabin.data import Observation

    return Observation.read(reference_dir / "V7" / "events_23523_phase.fits.gz")


@pytest.mark.parametrize("given, normalised", [
    ((0.9, 1.1), [(0.9, 1), (0, 0.10000000000000009)]),
    ((0.7, 1.0), [(0.7, 1)]),
    ((-0.1, 0.1), [(0.9, 1), (0, 0.1)]),
    ([(0.9, 1.1), (0.95, 1.05)], [(0.95, 1.05), (0, 0.10000000000000009), (0.9, 1)]),
    ([(0.7, 1.0), (0.9, 1.1)], [(0.9, 1.1), (0.7, 1)]),
    ((1.2, 1.5), [(1.2, 1.5)]),
])
def test_interval_normalisation(given, normalised):
    from gammabin.makers import PhaseBackgroundMaker

    maker = PhaseBackgroundMaker(on_phase=given, off_phase=[(0.0, 0.1)])
    assert maker.on_phase == normalised


def test_bare_pair_refused():
    from gammabin.makers import PhaseBackgroundMaker

    with pytest.raises(ValueError):
        PhaseBackgroundMaker(on_phase=[0.5, 0.6], off_phase=[(0.7, 1.0)])


@pytest.mark.parametrize("variant", ["v7", "wrap_overlap"])
def test_phase_on_map_dataset_against_gammapy(variant, phase_obs, expected):
    from gammabin.datasets import MapDataset, MapDatasetOnOff
    from gammabin.makers import PhaseBackgroundMaker
    from gammabin.maps import MapAxis, WcsGeom

    ref = expected["phase_map"][variant]
    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=2, binsz=0.04, axes=[axis])
    dataset = MapDataset.create(geom, name="phase_map")
    maker = PhaseBackgroundMaker(on_phase=[tuple(x) for x in ref["on"]], off_phase=[tuple(x) for x in ref["off"]])
    out = maker.run(dataset, phase_obs)
    assert isinstance(out, MapDatasetOnOff) and out.name == "phase_map"
    assert out.counts.data.sum() == ref["counts_sum"]
    assert out.counts_off.data.sum() == ref["counts_off_sum"]
    np.testing.assert_array_equal(out.counts.data.sum(axis=(1, 2)), ref["counts_per_energy"])
    assert out.acceptance.data.flat[0] == ref["acceptance"] and out.acceptance_off.data.flat[0] == ref["acceptance_off"]
    assert out.exposure is dataset.exposure  # full livetime, not phase-scaled


def test_phase_counts_equal_event_selection(phase_obs):
    """ON counts on a WCS map = events with 0.5 <= phase < 0.6 falling in the map (analytic check)."""
    from gammabin.datasets import MapDataset
    from gammabin.makers import PhaseBackgroundMaker
    from gammabin.maps import MapAxis, WcsGeom

    axis = MapAxis.from_edges([0.01, 1000], unit="TeV", name="energy")
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=16, binsz=0.2, axes=[axis])  # holds every event
    out = PhaseBackgroundMaker(on_phase=(0.5, 0.6), off_phase=(0.0, 0.5)).run(MapDataset.create(geom, name="p"), phase_obs)
    events = phase_obs.events
    phase = np.asarray(events.column("PHASE"))
    x, y = geom.wcs.wcs_world2pix(np.asarray(events.column("RA"), float), np.asarray(events.column("DEC"), float), 0)
    ix, iy = np.floor(x + 0.5), np.floor(y + 0.5)
    inside = (ix >= 0) & (ix < 80) & (iy >= 0) & (iy < 80)
    assert inside.sum() > 7000
    assert out.counts.data.sum() == np.count_nonzero(inside & (phase >= 0.5) & (phase < 0.6))
    assert out.counts_off.data.sum() == np.count_nonzero(inside & (phase < 0.5))


def test_v7_spectrum_against_reference(phase_obs, reference_dir):
    from astropy.coordinates import Angle, SkyCoord
    from regions import CircleSkyRegion

    from gammabin.datasets import SpectrumDataset, SpectrumDatasetOnOff
    from gammabin.makers import MAKER_REGISTRY, PhaseBackgroundMaker
    from gammabin.maps import MapAxis, RegionGeom

    if "SpectrumDatasetMaker" not in MAKER_REGISTRY.tags:
        pytest.skip("SpectrumDatasetMaker plugin not available")
    maker = MAKER_REGISTRY.get_cls("SpectrumDatasetMaker")(containment_correction=False,
                                                           selection=["counts", "exposure", "edisp"])
    energy = MapAxis.from_energy_bounds(0.5, 40, nbin=20, unit="TeV", name="energy")
    energy_true = MapAxis.from_energy_bounds(0.3, 100, nbin=40, unit="TeV", name="energy_true")
    region = CircleSkyRegion(SkyCoord(83.633, 22.014, unit="deg"), Angle("0.11 deg"))
    empty = SpectrumDataset.create(geom=RegionGeom.create(region=region, axes=[energy]), energy_axis_true=energy_true)
    dataset = maker.run(empty.copy(name="obs_23523_phase"), phase_obs)
    out = PhaseBackgroundMaker(on_phase=[(0.5, 0.6)], off_phase=[(0.7, 1.0)]).run(dataset, phase_obs)
    assert isinstance(out, SpectrumDatasetOnOff) and out.name == "obs_23523_phase"
    folder = reference_dir / "V7"
    with fits.open(folder / "obs_23523_phase.fits") as pha, fits.open(folder / "obs_23523_phase_bkg.fits") as bkg, \
            fits.open(folder / "obs_23523_phase_arf.fits") as arf:
        spec, off = pha["SPECTRUM"].data, bkg["SPECTRUM"].data
        assert np.max(np.abs(out.counts.data.ravel() - spec["COUNTS"])) <= 0.01
        assert np.max(np.abs(out.counts_off.data.ravel() - off["COUNTS"])) <= 0.01
        np.testing.assert_array_equal(out.acceptance.data.ravel(), spec["BACKSCAL"])
        np.testing.assert_array_equal(out.acceptance_off.data.ravel(), off["BACKSCAL"])
        np.testing.assert_array_equal(out.mask_safe.data.ravel(), spec["QUALITY"] == 0)
        exposure = arf["SPECRESP"].data["SPECRESP"] * pha["SPECTRUM"].header["EXPOSURE"]
        np.testing.assert_allclose(out.exposure.quantity.to_value("m2 s").ravel(), exposure, rtol=1e-4)
    assert out.counts.data.sum() == 15 and out.counts_off.data.sum() == 59
    np.testing.assert_allclose(np.nansum(out.background.data), 19.667, atol=1e-3)
