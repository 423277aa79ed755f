"""Bad DL3 input fails with named errors.  Each bad case is a modified copy of a real
DR1 run file written to tmp_path (the shared data is never touched)."""
import gzip

import pytest
from astropy.io import fits
from astropy.table import Table

from gammabin.data import DataStore, EventList, GTI, Observation
from gammabin.errors import (
    DataFormatError,
    MissingColumnError,
    MissingHDUError,
    MissingKeyError,
    UnitMismatchError,
    UnknownObservationError,
)

OBS_ID = 23523


@pytest.fixture(scope="module")
def run_file(hess_dir):
    return hess_dir / "data" / "hess_dl3_dr1_obs_id_023523.fits.gz"


def _store_with(tmp_path, hdul, name="run.fits", types=("events", "gti", "aeff", "edisp", "psf", "bkg")):
    """Write ``hdul`` and an HDU index pointing every type at it; return the store."""
    hdul.writeto(tmp_path / name, overwrite=True)
    write_index(tmp_path, name, types)
    return DataStore.from_dir(tmp_path)


def write_index(tmp_path, name, types):
    classes = {"events": "events", "gti": "gti", "aeff": "aeff_2d", "edisp": "edisp_2d", "psf": "psf_table", "bkg": "bkg_3d"}
    table = Table(
        {
            "OBS_ID": [OBS_ID] * len(types),
            "HDU_TYPE": list(types),
            "HDU_CLASS": [classes[t] for t in types],
            "FILE_DIR": ["."] * len(types),
            "FILE_NAME": [name] * len(types),
            "HDU_NAME": [t.upper() for t in types],
        }
    )
    table.write(tmp_path / "hdu-index.fits.gz", overwrite=True)


def _copy(run_file):
    with fits.open(run_file) as hdul:
        return fits.HDUList([hdu.copy() for hdu in hdul])


def test_missing_index_file(tmp_path):
    with pytest.raises(OSError, match=str(tmp_path / "hdu-index.fits.gz")):
        DataStore.from_dir(tmp_path)
    with pytest.raises(OSError, match="nope.fits"):
        DataStore.from_dir(tmp_path, hdu_table_filename="nope.fits")


def test_store_built_from_copy_works(tmp_path, run_file):
    store = _store_with(tmp_path, _copy(run_file))
    assert store.obs_table is None  # default obs index missing: no error
    obs = store.obs(OBS_ID)
    assert len(obs.events) == 7613
    assert obs.observation_live_time_duration.to_value("s") == pytest.approx(1581.7367647, abs=1e-7)


def test_unknown_obs_id(hess_dir):
    store = DataStore.from_dir(hess_dir)
    with pytest.raises(UnknownObservationError, match="424242"):
        store.obs(424242)
    with pytest.raises(ValueError):  # also a ValueError, as in gammapy
        store.obs(424242)


def test_missing_hdu(tmp_path, run_file):
    hdul = _copy(run_file)
    del hdul["EVENTS"]
    store = _store_with(tmp_path, hdul)
    obs = store.obs(OBS_ID)
    with pytest.raises(MissingHDUError) as info:
        obs.events
    message = str(info.value)
    assert "run.fits" in message and "'EVENTS'" in message
    with pytest.raises(MissingHDUError, match="'NOPE'.*run.fits|run.fits.*'NOPE'"):
        GTI.read(tmp_path / "run.fits", hdu="NOPE")


def test_missing_column(tmp_path, run_file):
    hdul = _copy(run_file)
    events = Table.read(hdul["EVENTS"])
    events.remove_column("ENERGY")
    new = fits.table_to_hdu(events)
    new.name = "EVENTS"
    hdul["EVENTS"] = new
    hdul.writeto(tmp_path / "noenergy.fits")
    with pytest.raises(MissingColumnError) as info:
        EventList.read(tmp_path / "noenergy.fits")
    message = str(info.value)
    assert "ENERGY" in message and "'EVENTS'" in message and "noenergy.fits" in message
    assert isinstance(info.value, KeyError)


def test_unexpected_unit(tmp_path, run_file):
    hdul = _copy(run_file)
    hdul["EVENTS"].columns["ENERGY"].unit = "m"
    hdul.writeto(tmp_path / "badunit.fits")
    with pytest.raises(UnitMismatchError, match=r"ENERGY.*'m'.*badunit.fits|badunit.fits"):
        EventList.read(tmp_path / "badunit.fits")
    with pytest.raises(UnitMismatchError, match="TeV"):
        EventList.read(tmp_path / "badunit.fits")


def test_truncated_gzip(tmp_path, run_file):
    data = run_file.read_bytes()
    (tmp_path / "cut.fits.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match="cut.fits.gz.*truncated|truncated.*cut.fits.gz"):
        EventList.read(tmp_path / "cut.fits.gz")
    # a plain FITS file cut inside the EVENTS data
    raw = gzip.decompress(data)
    (tmp_path / "cut.fits").write_bytes(raw[: 2880 * 8])
    with pytest.raises(DataFormatError, match="cut.fits"):
        EventList.read(tmp_path / "cut.fits")


def test_missing_file_pointed_to_by_index(tmp_path, run_file):
    write_index(tmp_path, "gone.fits.gz", ("events", "gti", "aeff", "edisp", "psf", "bkg"))
    store = DataStore.from_dir(tmp_path)
    obs = store.obs(OBS_ID)  # existence is not checked up front
    with pytest.raises(FileNotFoundError, match="gone.fits.gz"):
        obs.events
    with pytest.raises(FileNotFoundError, match="gone.fits.gz"):
        obs.aeff


def test_missing_deadc(tmp_path, run_file):
    hdul = _copy(run_file)
    del hdul["EVENTS"].header["DEADC"]
    store = _store_with(tmp_path, hdul)
    obs = store.obs(OBS_ID)
    assert len(obs.events) == 7613  # events still readable
    with pytest.raises(MissingKeyError) as info:
        obs.observation_live_time_duration
    assert "DEADC" in str(info.value) and "run.fits" in str(info.value)


def test_missing_pointing(tmp_path, run_file):
    hdul = _copy(run_file)
    del hdul["EVENTS"].header["RA_PNT"]
    store = _store_with(tmp_path, hdul)
    with pytest.raises(OSError, match="RA_PNT.*run.fits"):
        store.obs(OBS_ID).pointing_radec


def test_missing_reference_time(tmp_path, run_file):
    hdul = _copy(run_file)
    del hdul["EVENTS"].header["MJDREFI"]
    hdul.writeto(tmp_path / "noref.fits")
    with pytest.raises(MissingKeyError, match="MJDREFI.*noref.fits"):
        EventList.read(tmp_path / "noref.fits")


def test_observation_read_without_gti_file(tmp_path, run_file):
    with pytest.raises(FileNotFoundError, match="absent.fits"):
        Observation.read(tmp_path / "absent.fits")
