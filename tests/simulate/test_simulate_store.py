"""gammabin.simulate: the simulated data store passes the real readers, uses the
standard GADF keywords, is reproducible, and works with a file's IRFs (CTA prod5)."""
import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits

from gammabin import kernels
from gammabin.simulate import (
    BuiltinInstrument,
    GaussianSource,
    PointSource,
    PowerLaw,
    crab_like_scene,
    expected_counts,
    grid_pointings,
    load_irfs,
    simulate_data_store,
    simulate_scene,
    wobble_pointings,
)
from gammabin.simulate.sampling import fov_to_sky, offset_by
from gammabin.simulate.simulator import make_runs

EVENTS_KEYS = {
    "HDUCLASS": "GADF", "HDUCLAS1": "EVENTS", "OBS_MODE": "POINTING", "TIMESYS": "TT", "TIMEUNIT": "s",
    "TIMEREF": "LOCAL", "MJDREFI": 51910, "TELESCOP": "GAMMABIN-SIM", "OBJECT": "Crab-like",
}
NUMERIC_KEYS = ("OBS_ID", "RA_PNT", "DEC_PNT", "DEADC", "LIVETIME", "ONTIME", "TSTART", "TSTOP", "MJDREFF",
                "GEOLON", "GEOLAT", "ALTITUDE", "RA_OBJ", "DEC_OBJ")


@pytest.fixture(scope="module")
def crab_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("crab")
    return simulate_scene(path, crab_like_scene(n_runs=2, livetime=300.0), seed=3), path


def test_store_loads_with_the_readers(crab_store):
    store, path = crab_store
    observations = store.get_observations()
    assert [o.obs_id for o in observations] == [1, 2]
    for obs in observations:
        assert len(obs.events) > 100
        assert obs.observation_live_time_duration.to_value("s") == pytest.approx(300.0, rel=1e-9)
        assert obs.observation_time_duration.to_value("s") == pytest.approx(300.0 / 0.95, rel=1e-9)
        assert obs.aeff.evaluate(energy_true=1 * u.TeV, offset=0.5 * u.deg).to_value("m2") > 1e5
        kernel = obs.edisp.to_edisp_kernel(offset=0.5 * u.deg)
        assert np.isfinite(kernel.data).all()
        assert obs.psf.containment(rad=0.3 * u.deg, energy_true=1 * u.TeV, offset=0.5 * u.deg) > 0.9
        assert obs.bkg.evaluate(energy=1 * u.TeV, fov_lon=0 * u.deg, fov_lat=0 * u.deg).value > 0
        # wobble pointing at 0.5 deg from the target
        sep = kernels.angular_separation(*obs._pointing_radec_deg, 83.6331, 22.0145)
        assert sep == pytest.approx(0.5, abs=1e-9)
        times = obs.events._columns["TIME"]
        gti_start = obs.gti.met_start.to_value("s")[0]
        assert np.all(np.diff(times) >= 0) and times[0] >= gti_start
        assert times[-1] <= obs.gti.met_stop.to_value("s")[0]
    assert len(store.obs_table) == 2


def test_standard_gadf_keywords(crab_store):
    _, path = crab_store
    with fits.open(path / "data" / "run_000001.fits") as hdulist:
        header = hdulist["EVENTS"].header
        for key, value in EVENTS_KEYS.items():
            assert header[key] == value, key
        for key in NUMERIC_KEYS:
            assert np.isfinite(float(header[key])), key
        assert header["DEADC"] == pytest.approx(header["LIVETIME"] / header["ONTIME"])
        assert header["TSTOP"] - header["TSTART"] == pytest.approx(header["ONTIME"])
        assert hdulist["GTI"].header["HDUCLAS1"] == "GTI"
        assert [c.name for c in hdulist["EVENTS"].columns][:5] == ["EVENT_ID", "TIME", "RA", "DEC", "ENERGY"]
    with fits.open(path / "hdu-index.fits.gz") as hdulist:
        table = hdulist[1].data
        classes = sorted(set(zip(table["HDU_TYPE"], table["HDU_CLASS"])))
        assert classes == [("aeff", "aeff_2d"), ("bkg", "bkg_3d"), ("edisp", "edisp_2d"), ("events", "events"),
                           ("gti", "gti"), ("psf", "psf_3gauss")]
        assert set(table["FILE_NAME"][table["HDU_TYPE"] == "aeff"]) == {"irfs.fits"}


def _event_arrays(store):
    return [np.column_stack([o.events._columns[k] for k in ("TIME", "RA", "DEC", "ENERGY")]) for o in store.get_observations()]


def test_seed_reproducibility(tmp_path):
    scene = crab_like_scene(n_runs=2, livetime=60.0)
    a = _event_arrays(simulate_scene(tmp_path / "a", scene, seed=7))
    b = _event_arrays(simulate_scene(tmp_path / "b", scene, seed=7))
    c = _event_arrays(simulate_scene(tmp_path / "c", scene, seed=8))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not all(x.shape == z.shape and np.array_equal(x, z) for x, z in zip(a, c))
    with pytest.raises(FileExistsError):
        simulate_scene(tmp_path / "a", scene, seed=7)


def test_irfs_in_each_run_file_and_gaussian_source(tmp_path):
    source = GaussianSource(10.0, -30.0, sigma=0.3, spectrum=PowerLaw(index=2.5, amplitude=5e-11))
    pointings = grid_pointings(10.0, -30.0, n_lon=2, n_lat=1, spacing=1.0)
    store = simulate_data_store(tmp_path, pointings, 200.0, BuiltinInstrument(), [source], seed=1, shared_irfs=False)
    with fits.open(tmp_path / "hdu-index.fits.gz") as hdulist:
        assert "irfs.fits" not in set(hdulist[1].data["FILE_NAME"])
    obs = store.get_observations()[0]
    assert type(obs.psf).__name__ == "EnergyDependentMultiGaussPSF"
    events = obs.events
    is_source = events.column("MC_ID") == 1
    sep = kernels.angular_separation(10.0, -30.0, events.column("RA")[is_source], events.column("DEC")[is_source])
    # 2-D Gaussian (0.3 deg) convolved with a PSF of ≲0.15 deg: median radius ≈ 1.18 σ_total
    assert 0.33 < np.median(sep) < 0.45


def test_pointing_patterns():
    wobbles = wobble_pointings(83.6331, 22.0145, offset=0.7, n=4)
    target = SkyCoord(83.6331, 22.0145, unit="deg")
    points = SkyCoord([p.ra for p in wobbles], [p.dec for p in wobbles], unit="deg")
    np.testing.assert_allclose(target.separation(points).deg, 0.7, atol=1e-10)
    np.testing.assert_allclose(target.position_angle(points).deg % 360, [0, 90, 180, 270], atol=1e-8)
    grid = grid_pointings(0.0, 0.0, n_lon=3, n_lat=3, spacing=1.0)
    assert len(grid) == 9 and min(abs(p.dec) + abs((p.ra + 180) % 360 - 180) for p in grid) < 1e-12


def test_spherical_helpers_agree_with_astropy():
    rng = np.random.default_rng(0)
    angle, sep = rng.uniform(0, 360, 50), rng.uniform(0, 4, 50)
    ra, dec = offset_by(120.0, 60.0, angle, sep)
    expected = SkyCoord(120.0, 60.0, unit="deg").directional_offset_by(angle * u.deg, sep * u.deg)
    np.testing.assert_allclose(SkyCoord(ra, dec, unit="deg").separation(expected).deg, 0, atol=1e-9)
    lon, lat = rng.uniform(-4, 4, (2, 50))
    for reverse in (False, True):
        ra, dec = fov_to_sky(lon, lat, 300.0, -45.0, reverse_lon=reverse)
        back = kernels.fov_coordinates(ra, dec, 300.0, -45.0, reverse_lon=reverse)
        np.testing.assert_allclose(back, (lon, lat), atol=1e-9)


PROD5 = "Prod5-North-20deg-AverageAz-4LSTs09MSTs.180000s-v0.1.fits.gz"


def test_prod5_irfs(data_dir, tmp_path):
    """AEFF, EDISP and BKG_3D read from the CTA prod5 file (the built-in PSF); background event counts agree with the BKG prediction."""
    from gammabin.irf import Background3D, EffectiveAreaTable2D, EnergyDispersion2D

    irf_file = data_dir / "cta-caldb" / PROD5
    irfs = {
        "aeff": EffectiveAreaTable2D.read(irf_file, hdu="EFFECTIVE AREA"),
        "edisp": EnergyDispersion2D.read(irf_file, hdu="ENERGY DISPERSION"),
        "bkg": Background3D.read(irf_file, hdu="BACKGROUND"),
        "psf": BuiltinInstrument().irfs()["psf"],
    }
    source = PointSource(83.6331, 22.0145, PowerLaw(index=2.6, amplitude=3e-11))
    pointings = wobble_pointings(83.6331, 22.0145, offset=0.5, n=2)
    store = simulate_data_store(tmp_path, pointings, 120.0, irfs, [source], seed=5)
    run = make_runs(pointings[:1], 120.0, irfs)[0]
    expected = expected_counts(irfs, [source], run)
    n_bkg = n_src = 0
    for obs in store.get_observations():
        assert type(obs.bkg).__name__ == "Background3D"
        mc_id = obs.events.column("MC_ID")
        n_bkg += np.count_nonzero(mc_id == 0)
        n_src += np.count_nonzero(mc_id == 1)
    mu = 2 * expected["background"]
    assert mu > 1000
    assert abs(n_bkg - mu) < 4 * np.sqrt(mu)
    # source photons lost only to reco energies outside the BKG energy range
    assert 0.9 * 2 * expected["sources"][0] < n_src < 2 * expected["sources"][0] + 4 * np.sqrt(n_src)


def test_prod5_file_loads_whole(data_dir):
    irfs = load_irfs(data_dir / "cta-caldb" / PROD5)
    assert sorted(irfs) == ["aeff", "bkg", "edisp", "psf"]


def test_offset_by_each_agrees_with_astropy():
    from gammabin.simulate.sampling import offset_by_each

    rng = np.random.default_rng(1)
    ra, dec = rng.uniform(0, 360, 40), rng.uniform(-80, 80, 40)
    angle, sep = rng.uniform(0, 360, 40), rng.uniform(0, 2, 40)
    out = SkyCoord(*offset_by_each(ra, dec, angle, sep), unit="deg")
    expected = SkyCoord(ra, dec, unit="deg").directional_offset_by(angle * u.deg, sep * u.deg)
    np.testing.assert_allclose(out.separation(expected).deg, 0, atol=1e-9)
