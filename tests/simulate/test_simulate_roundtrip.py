"""Counts round trip: events simulated from the IRFs, reduced by the real readers and
``MapDatasetMaker``, agree with the predictions within Poisson statistics — and the
same tests fail for a 10 % error in the prediction."""
import numpy as np
import pytest
from astropy import units as u

from gammabin import kernels
from gammabin.datasets import MapDataset
from gammabin.makers import MapDatasetMaker
from gammabin.maps import MapAxis, WcsGeom
from gammabin.simulate import BuiltinInstrument, crab_like_scene, simulate_data_store, simulate_scene

CRAB = (83.6331, 22.0145)
RECO_EDGES = [0.05, 0.1, 0.2, 0.5, 1.0, 3.0, 10.0]


def _reduce(store, skydir, width=4.0, binsz=0.05):
    energy = MapAxis.from_edges(RECO_EDGES, name="energy", unit="TeV", interp="log")
    energy_true = MapAxis.from_energy_bounds(0.03, 30, nbin=24, unit="TeV", name="energy_true")
    geom = WcsGeom.create(skydir=skydir, width=width, binsz=binsz, axes=[energy])
    stacked = MapDataset.create(geom, energy_axis_true=energy_true, name="stacked")
    maker = MapDatasetMaker(selection=["counts", "exposure", "background"], background_oversampling=10)
    for obs in store.get_observations():
        stacked.stack(maker.run(MapDataset.create(geom, energy_axis_true=energy_true), obs))
    return stacked


def _poisson_checks(counts, npred):
    """Total pull, per-energy pulls and the chi-square of 0.5°-binned counts."""
    total_pull = (counts.sum() - npred.sum()) / np.sqrt(npred.sum())
    per_energy = (counts.sum(axis=(1, 2)) - npred.sum(axis=(1, 2))) / np.sqrt(npred.sum(axis=(1, 2)))
    ne, ny, nx = counts.shape
    f = 10  # 0.05° → 0.5° blocks
    blocks_n = counts.reshape(ne, ny // f, f, nx // f, f).sum(axis=(2, 4)).ravel()
    blocks_mu = npred.reshape(ne, ny // f, f, nx // f, f).sum(axis=(2, 4)).ravel()
    use = blocks_mu > 5
    chi2 = np.sum((blocks_n[use] - blocks_mu[use]) ** 2 / blocks_mu[use])
    dof = np.count_nonzero(use)
    return total_pull, per_energy, (chi2 - dof) / np.sqrt(2 * dof)


@pytest.fixture(scope="module")
def background_only(tmp_path_factory):
    path = tmp_path_factory.mktemp("bkg")
    pointings = [(150.0, 30.0), (150.5, 30.2)]
    store = simulate_data_store(path, pointings, 4000.0, BuiltinInstrument(), [], seed=11)
    return _reduce(store, (150.25, 30.1))


def test_background_counts_match_npred(background_only):
    counts = background_only.counts.data.astype(float)
    npred = background_only.npred_background().data
    assert npred.sum() > 5000
    total, per_energy, chi2_sigma = _poisson_checks(counts, npred)
    assert abs(total) < 4
    assert np.all(np.abs(per_energy) < 4)
    assert chi2_sigma < 4
    # a 10 % error in the prediction is detected
    total, per_energy, chi2_sigma = _poisson_checks(counts, 1.1 * npred)
    assert total < -5


def _expected_excess(irfs, spectrum, offset_deg, livetime, radius_deg, e_reco_range):
    """Σ over true energy of flux × AEFF × livetime × PSF containment × P(E_reco in range),
    from the IRF objects' public methods."""
    true_edges = np.geomspace(0.01, 100, 401)
    centers = np.sqrt(true_edges[1:] * true_edges[:-1]) * u.TeV
    offset = offset_deg * u.deg
    aeff = irfs["aeff"].evaluate(energy_true=centers, offset=offset).to_value("cm2")
    flux = np.array([spectrum.integral(a, b) for a, b in zip(true_edges[:-1], true_edges[1:])])
    containment = irfs["psf"].containment(rad=radius_deg * u.deg, energy_true=centers, offset=offset).value
    kernel = irfs["edisp"].to_edisp_kernel(
        offset=offset,
        energy_axis_true=MapAxis.from_energy_edges(true_edges * u.TeV, name="energy_true"),
        energy_axis=MapAxis.from_energy_edges(np.array(e_reco_range) * u.TeV),
    )
    return float(np.sum(flux * aeff * livetime * containment * kernel.data[:, 0]))


@pytest.fixture(scope="module")
def crab_runs(tmp_path_factory):
    path = tmp_path_factory.mktemp("crab")
    scene = crab_like_scene(n_runs=4, livetime=1200.0)
    store = simulate_scene(path, scene, seed=21)
    return scene, store, _reduce(store, CRAB, width=2.0, binsz=0.02)


def test_excess_in_circle_matches_model(crab_runs):
    scene, store, dataset = crab_runs
    radius, e_range = 0.2, (RECO_EDGES[0], RECO_EDGES[-1])
    n_on = 0
    for obs in store.get_observations():
        events = obs.events
        sep = kernels.angular_separation(*CRAB, events.column("RA"), events.column("DEC"))
        energy = events.column("ENERGY")
        n_on += np.count_nonzero((sep < radius) & (energy >= e_range[0]) & (energy < e_range[1]))
    geom = dataset.counts.geom
    inside = geom.to_image().separation(geom.to_image().center_skydir).deg < radius
    bkg = dataset.npred_background().data.sum(axis=0)
    pix_area = geom.to_image().solid_angle().to_value("sr")
    circle = 2 * np.pi * (1 - np.cos(np.deg2rad(radius)))
    n_bkg = bkg[inside].sum() * circle / pix_area[inside].sum()
    irfs = scene.instrument.irfs()
    spectrum = scene.sky_model.sources[0].spectrum
    expected = len(scene.pointings) * _expected_excess(irfs, spectrum, 0.5, scene.livetime, radius, e_range)
    excess, sigma = n_on - n_bkg, np.sqrt(n_on)
    assert expected > 1000
    assert abs(excess - expected) < 3 * sigma
    assert abs(excess - 1.1 * expected) > 3 * sigma  # a 10 % error would be caught


def test_source_counts_in_the_map_match_exposure(crab_runs):
    """Counts map around the source minus background vs exposure × spectrum (energy
    integrated over the full reco range: dispersion only moves events between bins)."""
    scene, store, dataset = crab_runs
    counts = dataset.counts.data.sum()
    bkg = dataset.npred_background().data.sum()
    exposure = dataset.exposure
    true_axis = exposure.geom.axes["energy_true"]
    ny, nx = exposure.data.shape[1:]
    exp_values = exposure.quantity.to_value("cm2 s")[:, ny // 2, nx // 2]  # cm² s at the source (map centre; even size: a pixel corner)
    spectrum = scene.sky_model.sources[0].spectrum
    edges = true_axis.edges.to_value("TeV")
    flux = np.array([spectrum.integral(a, b) for a, b in zip(edges[:-1], edges[1:])])
    irfs = scene.instrument.irfs()
    # fraction of each true bin reconstructed in the map's reco range, and inside the 2°×2° map
    kernel = irfs["edisp"].to_edisp_kernel(offset=0.5 * u.deg, energy_axis_true=true_axis,
                                           energy_axis=MapAxis.from_energy_edges([RECO_EDGES[0], RECO_EDGES[-1]] * u.TeV))
    contained = irfs["psf"].containment(rad=0.9 * u.deg, energy_true=true_axis.center, offset=0.5 * u.deg).value
    expected = np.sum(flux * exp_values * kernel.data[:, 0] * contained)
    excess = counts - bkg
    assert abs(excess - expected) < 3 * np.sqrt(counts)
    assert abs(excess - 1.1 * expected) > 3 * np.sqrt(counts)



def test_spectrum_chain_excess_and_background_match_model(crab_runs):
    """The 1D chain on the simulated runs: ON/OFF excess (reflected regions) against the
    model folded with the dataset's own exposure and EDISP kernel, and the OFF-estimated
    background against the BKG model's prediction in the ON region."""
    from astropy.coordinates import Angle, SkyCoord
    from regions import CircleSkyRegion

    from gammabin.datasets import SpectrumDataset
    from gammabin.makers import ReflectedRegionsBackgroundMaker, SpectrumDatasetMaker
    from gammabin.maps import RegionGeom

    scene, store, _ = crab_runs
    radius = 0.2
    energy = MapAxis.from_edges(RECO_EDGES, name="energy", unit="TeV", interp="log")
    true_axis = MapAxis.from_energy_bounds(0.01, 100, nbin=80, unit="TeV", name="energy_true")
    region = CircleSkyRegion(SkyCoord(*CRAB, unit="deg"), Angle(f"{radius} deg"))
    empty = SpectrumDataset.create(RegionGeom.create(region, axes=[energy]), energy_axis_true=true_axis)
    maker = SpectrumDatasetMaker(selection=["counts", "exposure", "edisp", "background"],
                                 background_oversampling=10)
    # exclude 0.5° around the source: the wide low-energy PSF would leak source photons
    # into OFF regions reflected at 0.5° offset
    mask_geom = WcsGeom.create(skydir=CRAB, width=5, binsz=0.02)
    exclusion = mask_geom.region_mask([CircleSkyRegion(region.center, Angle("0.5 deg"))], inside=False)
    bkg_maker = ReflectedRegionsBackgroundMaker(exclusion_mask=exclusion)
    spectrum = scene.sky_model.sources[0].spectrum
    edges = true_axis.edges.to_value("TeV")
    flux = np.array([spectrum.integral(a, b) for a, b in zip(edges[:-1], edges[1:])])
    irfs = scene.instrument.irfs()
    containment = irfs["psf"].containment(rad=radius * u.deg, energy_true=true_axis.center,
                                          offset=0.5 * u.deg).value
    n_on = n_off_scaled = var = predicted_excess = model_bkg = 0.0
    for obs in store.get_observations():
        dataset = maker.run(empty.copy(), obs)
        model_bkg += dataset.background.data.sum()
        on_off = bkg_maker.run(dataset, obs)
        alpha = on_off.alpha.data.ravel()
        n_on += on_off.counts.data.sum()
        off = on_off.counts_off.data.ravel()
        n_off_scaled += np.sum(alpha * off)
        var += np.sum(alpha**2 * off)
        exposure = on_off.exposure.quantity.to_value("cm2 s").ravel()
        kernel = on_off.edisp.get_edisp_kernel().data  # (true, reco)
        predicted_excess += np.sum(flux * exposure * containment * kernel.sum(axis=1))
    excess = n_on - n_off_scaled
    sigma = np.sqrt(n_on + var)
    assert predicted_excess > 1000
    assert abs(excess - predicted_excess) < 3 * sigma
    assert abs(excess - 1.1 * predicted_excess) > 3 * sigma  # a 10 % error would be caught
    # the reflected-region estimate agrees with the background model in the ON region
    assert model_bkg > 20
    assert abs(n_off_scaled - model_bkg) < 3 * np.sqrt(var)
