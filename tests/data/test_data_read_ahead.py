"""Read-ahead of run files (gammabin.data.read_ahead): the next run's file is read on a
background thread while the caller works on the current one; errors stay the reader's."""
import os
import pickle
import shutil

import pytest

import gammabin.data.read_ahead as read_ahead
from gammabin.data import DataStore
from gammabin.errors import DataFormatError
from gammabin.fitsio import clear_fits_cache, open_fits

RUNS = [23523, 23592, 23526]


def _settle():
    """Wait until the read-ahead thread has done what it was asked."""
    read_ahead.wait()


def _files(observations):
    # by index: iterating would itself read ahead
    return [open_fits(observations[i]._sources["events"].path) for i in range(len(observations))]


@pytest.fixture
def enabled(monkeypatch):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("read-ahead needs a second core")
    monkeypatch.delenv("GAMMABIN_READ_AHEAD", raising=False)
    monkeypatch.delenv("GAMMABIN_THREADS", raising=False)
    _settle()  # a read-ahead left by an earlier test must not land in the fresh cache
    clear_fits_cache()
    yield
    _settle()
    clear_fits_cache()


def test_iteration_reads_one_run_ahead(hess_dir, enabled):
    observations = DataStore.from_dir(hess_dir).get_observations(RUNS)
    _settle()
    files = _files(observations)
    assert files[0]._raw is not None  # read while the caller sets up its geometry
    assert files[1]._raw is None and files[2]._raw is None
    runs = iter(observations)
    assert next(runs) is observations[0]
    _settle()
    assert files[1]._raw is not None and files[2]._raw is None  # only the next one
    assert next(runs).obs_id == RUNS[1]
    _settle()
    assert files[2]._raw is not None
    assert len(observations[1].events.table) > 1000  # the prefetched bytes parse as usual


@pytest.mark.parametrize("variable, value", [("GAMMABIN_READ_AHEAD", "0"), ("GAMMABIN_THREADS", "1")])
def test_read_ahead_can_be_turned_off(hess_dir, enabled, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    observations = DataStore.from_dir(hess_dir).get_observations(RUNS)
    list(observations)
    _settle()
    assert all(f._raw is None for f in _files(observations))


def test_a_truncated_run_file_is_reported_by_the_reader(hess_dir, enabled, tmp_path):
    shutil.copy(hess_dir / "obs-index.fits.gz", tmp_path)
    shutil.copy(hess_dir / "hdu-index.fits.gz", tmp_path)
    (tmp_path / "data").mkdir()
    for run in RUNS:
        name = f"hess_dl3_dr1_obs_id_{run:06d}.fits.gz"
        shutil.copy(hess_dir / "data" / name, tmp_path / "data" / name)
    bad = tmp_path / "data" / f"hess_dl3_dr1_obs_id_{RUNS[1]:06d}.fits.gz"
    bad.write_bytes(bad.read_bytes()[:20_000])
    observations = DataStore.from_dir(tmp_path).get_observations(RUNS)
    for i, obs in enumerate(observations):  # the read-ahead of run 1 fails in the background
        _settle()
        if i == 1:
            with pytest.raises(DataFormatError, match="truncated or corrupt") as exc:
                obs.events
            assert str(bad) in str(exc.value)
        else:
            assert len(obs.events.table) > 1000


def test_fits_file_pickles_without_its_lock(hess_dir):
    fits_file = open_fits(hess_dir / "data" / "hess_dl3_dr1_obs_id_023523.fits.gz")
    fits_file.raw
    back = pickle.loads(pickle.dumps(fits_file))
    assert back.raw == fits_file.raw
    assert back.header("EVENTS")["OBS_ID"] == 23523
