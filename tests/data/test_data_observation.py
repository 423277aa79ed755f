"""Observation: copy/select_time/filters, Observation.read HDU scanning, IRF loading and
the write/read round trip (IRF parts skip until gammabin.irf.read_irf_hdu exists)."""
import json
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

from gammabin.data import DataStore, Observation, ObservationFilter
from gammabin.data.observation import scan_irf_hdus

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "expected" / "data_expected.json").read_text())


def _irf_ready():
    try:
        from gammabin.irf import read_irf_hdu  # noqa: F401
    except ImportError:
        return False
    return True


needs_irf = pytest.mark.skipif(not _irf_ready(), reason="gammabin.irf.read_irf_hdu not available yet")


@pytest.fixture(scope="module")
def store(hess_dir):
    return DataStore.from_dir(hess_dir)


def test_select_time_filters_events_and_gti(store):
    obs = store.obs(23523)
    exp = EXPECTED["hess_runs"]["23523"]
    t0 = obs.tstart
    sub = obs.select_time(Time([t0 + 100 * u.s, t0 + 500 * u.s]))
    assert len(sub.events) == exp["n_obs_select_time"]
    assert sub.observation_live_time_duration.to_value("s") == pytest.approx(exp["livetime_obs_select_time_s"], rel=1e-12)
    assert len(obs.events) == 7613  # the parent is untouched
    assert sub.tstop.mjd == pytest.approx((t0 + 500 * u.s).mjd, abs=1e-12)


def test_phase_filter_scales_live_time(store):
    obs = store.obs(23523)
    obs.obs_filter = ObservationFilter(event_filters=[{"type": "custom", "opts": {"parameter": "PHASE", "band": (0.25, 0.75)}}])
    assert obs.obs_filter.livetime_fraction == 0.5
    assert obs.observation_live_time_duration.to_value("s") == pytest.approx(1581.736764695497 * 0.5, rel=1e-14)


def test_copy_rules(store):
    obs = store.obs(23526)
    with pytest.raises(ValueError, match="in_memory"):
        obs.copy(events=None)
    events = obs.events.select_energy([1, 10] * u.TeV)
    new = obs.copy(in_memory=True, events=events, aeff=None, edisp=None, psf=None, bkg=None)
    assert len(new.events) == EXPECTED["hess_runs"]["23526"]["n_energy_1_10"]
    assert new.obs_id == 23526 and new.observation_time_duration == obs.observation_time_duration
    assert len(obs.copy().events) == 7581


def test_scan_irf_hdus_maps_hduclas(data_dir):
    irf_file = data_dir / "cta-1dc" / "caldb" / "data" / "cta" / "1dc" / "bcf" / "South_z20_50h" / "irf_file.fits"
    found = scan_irf_hdus(irf_file)
    classes = {name: lazy.hdu_class for name, lazy in found.items()}
    assert classes == {"aeff": "aeff_2d", "psf": "psf_3gauss", "edisp": "edisp_2d", "bkg": "bkg_3d"}
    magic = scan_irf_hdus(data_dir / "magic" / "rad_max" / "data" / "20131004_05029747_DL3_CrabNebula-W0.40+035.fits")
    assert {n: l.hdu_class for n, l in magic.items()} == {"rad_max": "rad_max_2d", "aeff": "aeff_2d", "edisp": "edisp_2d"}


def test_observation_read_events(data_dir):
    event_file = data_dir / "cta-1dc" / "data" / "baseline" / "gps" / "gps_baseline_110380.fits"
    irf_file = data_dir / "cta-1dc" / "caldb" / "data" / "cta" / "1dc" / "bcf" / "South_z20_50h" / "irf_file.fits"
    obs = Observation.read(event_file, irf_file=irf_file)
    assert obs.available_hdus == ["events", "gti", "aeff", "edisp", "psf", "bkg"]
    assert len(obs.events) == EXPECTED["cta_110380"]["n_events"]
    assert obs.obs_id == 110380


@needs_irf
def test_irfs_load_and_hess_quirk(store):
    obs = store.obs(23523)
    exp = EXPECTED["hess_runs"]["23523"]
    value = obs.aeff.evaluate(energy_true=1 * u.TeV, offset=0.5 * u.deg)
    assert u.Quantity(value).to_value("m2") == pytest.approx(exp["aeff_at_1tev_05deg_m2"], rel=1e-10)
    assert str(getattr(obs.bkg.fov_alignment, "value", obs.bkg.fov_alignment)) == exp["bkg_fov_alignment"]
    assert obs.aeff is obs.aeff  # cached per observation
    assert obs.edisp is not None and obs.psf is not None


@needs_irf
def test_cta_irf_values(data_dir):
    obs = DataStore.from_dir(data_dir / "cta-1dc" / "index" / "gps").obs(110380)
    value = obs.aeff.evaluate(energy_true=1 * u.TeV, offset=1 * u.deg)
    assert u.Quantity(value).to_value("m2") == pytest.approx(EXPECTED["cta_110380"]["aeff_at_1tev_1deg_m2"], rel=1e-10)
    assert type(obs.psf).__name__ == "EnergyDependentMultiGaussPSF"


@needs_irf
def test_rad_max_table_and_header_key(data_dir):
    magic = DataStore.from_dir(data_dir / "magic" / "rad_max" / "data").obs(5029747, required_irf="point-like")
    exp = EXPECTED["magic_5029747"]
    assert list(magic.rad_max.data.shape) == exp["rad_max_shape"]
    assert float(np.ravel(magic.rad_max.data)[0]) == pytest.approx(exp["rad_max_first_deg"], rel=1e-7)
    joint = DataStore.from_dir(data_dir / "joint-crab" / "dl3" / "magic").obs(5029748, required_irf="point-like")
    assert joint.aeff.is_pointlike
    assert float(np.ravel(joint.rad_max.data)[0]) == pytest.approx(EXPECTED["joint_5029748"]["rad_max_deg"], rel=1e-7)


@needs_irf
def test_write_read_roundtrip(store, tmp_path):
    obs = store.obs(23523)
    path = tmp_path / "obs.fits.gz"
    obs.write(path)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    back = Observation.read(path)
    assert len(back.events) == 7613
    np.testing.assert_array_equal(back.events._time_met, obs.events._time_met)
    np.testing.assert_array_equal(back.events.energy.value, obs.events.energy.value)
    assert back.pointing_radec.ra.deg == obs.pointing_radec.ra.deg
    assert back.observation_time_duration.to_value("s") == pytest.approx(1687.0, abs=1e-6)
    assert back.available_irfs[:4] == ["aeff", "edisp", "psf", "bkg"]
    for name in ("aeff", "edisp", "psf", "bkg"):
        np.testing.assert_array_equal(np.asarray(getattr(back, name).data), np.asarray(getattr(obs, name).data))
    with pytest.raises(FileExistsError):
        obs.write(path)
    header = fits.getheader(path, "EVENTS")
    assert header["RA_PNT"] == obs.pointing_radec.ra.deg and header["OBS_MODE"] == "POINTING"


@needs_irf
def test_each_run_file_decompressed_once(hess_dir, monkeypatch):
    import gammabin.fitsio as fits_reading
    from gammabin.data import read_ahead

    # the plain reader's rule; a read-ahead racing a 1-file cache may read a file again
    monkeypatch.setenv("GAMMABIN_READ_AHEAD", "0")
    read_ahead.wait()  # nothing left from earlier tests reads files meanwhile
    fits_reading.clear_fits_cache()
    monkeypatch.setattr(fits_reading, "_CACHE_SIZE", 1)  # force evictions between runs
    opened = []
    original = fits_reading.read_fits_bytes
    monkeypatch.setattr(fits_reading, "read_fits_bytes", lambda path: (opened.append(path.name), original(path))[1])
    observations = DataStore.from_dir(hess_dir).get_observations([23523, 23526])
    for name in ("events", "gti", "aeff", "edisp", "psf", "bkg", "rad_max", "meta"):
        for obs in observations:
            getattr(obs, name)
    assert sorted(n for n in opened if n.startswith("hess_dl3")) == [
        "hess_dl3_dr1_obs_id_023523.fits.gz", "hess_dl3_dr1_obs_id_023526.fits.gz"
    ]
    fits_reading.clear_fits_cache()
