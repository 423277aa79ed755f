"""Bad input never gives a silent wrong number: each case is a modified copy of a real
file (tmp_path) and must fail with a gammabin error naming the file, the HDU or
column and what was expected, or, where the input is legal but empty, give an empty
valid result.  Cases already covered in tests/data, tests/irf, tests/cli are not
repeated here (see the report of the reliability issue for the full list)."""
import copy
import shutil
import warnings

import numpy as np
import pytest
import yaml
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table

from gammabin.errors import (
    DataFormatError,
    GammabinError,
    MissingColumnError,
    MissingHDUError,
    MissingKeyError,
    UnitMismatchError,
)
from reliability_helpers import (
    BKG_2D, CTA_IRF, HESS_OBS_ID, HESS_RUN, KING, MAGIC_RUN, OGIP_DIR,
    drop_column, modified_copy, scale_column, set_unit, store_with_run, truncate, write_index,
)


def _names(exc, *parts):
    text = str(exc.value)
    for part in parts:
        assert str(part) in text, f"{part!r} not in {text!r}"


# --- IRFs: one or more cases per HDU class ----------------------------------------------------
def test_edisp2d_nan_in_matrix(data_dir, tmp_path):
    from gammabin.irf import EnergyDispersion2D

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "edisp.fits", "EDISP",
                         scale_column("MATRIX", lambda a: np.where(a > 0.5, np.nan, a)))
    with pytest.raises(DataFormatError) as exc:
        EnergyDispersion2D.read(path, hdu="EDISP")
    _names(exc, path, "EDISP", "MATRIX", "non-finite")


def test_edisp2d_missing_matrix_column(data_dir, tmp_path):
    from gammabin.irf import EnergyDispersion2D

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "edisp.fits", "EDISP", drop_column("MATRIX"))
    with pytest.raises(MissingColumnError) as exc:
        EnergyDispersion2D.read(path, hdu="EDISP")
    _names(exc, path, "EDISP", "'MATRIX'")


def _swap_energy_bins(hdu):
    for name in ("ENERG_LO", "ENERG_HI"):
        values = np.array(hdu.data[name])
        values[0, [3, 4]] = values[0, [4, 3]]
        hdu.data[name] = values


@pytest.mark.parametrize("cls_name,hdu,axis", [("PSF3D", "PSF", "energy_true"), ("Background3D", "BKG", "energy")])
def test_non_monotonic_energy_axis(data_dir, tmp_path, cls_name, hdu, axis):
    import gammabin.irf as irf

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "irf.fits", hdu, _swap_energy_bins)
    with pytest.raises(DataFormatError) as exc:
        getattr(irf, cls_name).read(path, hdu=hdu)
    _names(exc, path, f"HDU {hdu}", f"invalid {axis} axis", "ENERG_LO", "sorted")


def test_psf_table_inf_in_rpsf(data_dir, tmp_path):
    from gammabin.irf import PSF3D

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "psf.fits", "PSF",
                         scale_column("RPSF", lambda a: np.where(a > 0.9 * a.max(), np.inf, a)))
    with pytest.raises(DataFormatError) as exc:
        PSF3D.read(path, hdu="PSF")
    _names(exc, path, "PSF", "'RPSF'", "non-finite")


def test_psf_3gauss_wrong_unit(data_dir, tmp_path):
    from gammabin.irf import EnergyDependentMultiGaussPSF

    hdu = "POINT SPREAD FUNCTION"
    path = modified_copy(data_dir / CTA_IRF, tmp_path / "psf.fits", hdu, set_unit("SIGMA_1", "TeV"))
    with pytest.raises(UnitMismatchError) as exc:
        EnergyDependentMultiGaussPSF.read(path, hdu=hdu)
    _names(exc, path, hdu, "'SIGMA_1'", "TeV", "deg")


def test_psf_3gauss_nan_parameter(data_dir, tmp_path):
    from gammabin.irf import EnergyDependentMultiGaussPSF

    hdu = "POINT SPREAD FUNCTION"
    path = modified_copy(data_dir / CTA_IRF, tmp_path / "psf.fits", hdu,
                         scale_column("SCALE", lambda a: np.where(a == a.max(), np.nan, a)))
    with pytest.raises(DataFormatError) as exc:
        EnergyDependentMultiGaussPSF.read(path, hdu=hdu)
    _names(exc, path, hdu, "'SCALE'", "non-finite")


def test_psf_king_missing_column(data_dir, tmp_path):
    from gammabin.irf import PSFKing

    path = modified_copy(data_dir / KING, tmp_path / "king.fits", "PSF_2D_KING", drop_column("GAMMA"))
    with pytest.raises(MissingColumnError) as exc:
        PSFKing.read(path, hdu="PSF_2D_KING")
    _names(exc, path, "PSF_2D_KING", "'GAMMA'")


def test_bkg_2d_inf(data_dir, tmp_path):
    from gammabin.irf import Background2D

    path = modified_copy(data_dir / BKG_2D, tmp_path / "bkg.fits", "BACKGROUND",
                         scale_column("BKG", lambda a: np.where(a == a.max(), np.inf, a)))
    with pytest.raises(DataFormatError) as exc:
        Background2D.read(path, hdu="BACKGROUND")
    _names(exc, path, "BACKGROUND", "'BKG'", "non-finite")


def test_rad_max_wrong_unit(data_dir, tmp_path):
    from gammabin.irf import RadMax2D

    path = modified_copy(data_dir / MAGIC_RUN, tmp_path / "radmax.fits", "RAD_MAX", set_unit("RAD_MAX", "TeV"))
    with pytest.raises(UnitMismatchError) as exc:
        RadMax2D.read(path, hdu="RAD_MAX")
    _names(exc, path, "RAD_MAX", "'RAD_MAX'", "deg")


def test_irf_missing_hdu(data_dir):
    from gammabin.irf import EffectiveAreaTable2D

    with pytest.raises(MissingHDUError) as exc:
        EffectiveAreaTable2D.read(data_dir / HESS_RUN, hdu="AEFF_NOPE")
    _names(exc, data_dir / HESS_RUN, "'AEFF_NOPE'", "AEFF")


def test_aeff_negative_area(data_dir, tmp_path):
    from gammabin.irf import EffectiveAreaTable2D

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "aeff.fits", "AEFF", scale_column("EFFAREA", lambda a: -np.abs(a)))
    with pytest.raises(DataFormatError) as exc:
        EffectiveAreaTable2D.read(path, hdu="AEFF")
    _names(exc, path, "AEFF", "EFFAREA")


def test_irf_truncated_fits(data_dir, tmp_path):
    import gzip

    from gammabin.irf import PSF3D

    raw = gzip.decompress((data_dir / HESS_RUN).read_bytes())
    path = tmp_path / "cut.fits"
    path.write_bytes(raw[: len(raw) * 3 // 4])
    with pytest.raises(DataFormatError) as exc:
        PSF3D.read(path, hdu="PSF")
    _names(exc, path, "truncated")


def test_irf_not_a_fits_file(tmp_path):
    from gammabin.irf import EffectiveAreaTable2D

    path = tmp_path / "aeff.fits"
    path.write_bytes(b"<html>404 Not Found</html>" * 200)
    with pytest.raises(DataFormatError) as exc:
        EffectiveAreaTable2D.read(path, hdu="AEFF")
    _names(exc, path)


# --- events and GTI -------------------------------------------------------------------------
def _empty_events(hdu):
    new = fits.BinTableHDU(data=hdu.data[:0], header=hdu.header)
    hdu.data, hdu.header = new.data, new.header


def _map_reference(skydir, frame="icrs"):
    from gammabin.datasets import MapDataset
    from gammabin.maps import MapAxis, WcsGeom

    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", nbin=3)
    energy_true = MapAxis.from_energy_bounds("0.5 TeV", "20 TeV", nbin=5, name="energy_true")
    geom = WcsGeom.create(skydir=skydir, width=2, binsz=0.1, frame=frame, axes=[energy])
    return MapDataset.create(geom, energy_axis_true=energy_true)


def test_empty_event_list_gives_zero_counts_and_real_exposure(data_dir, tmp_path):
    from gammabin.data import EventList
    from gammabin.makers import MapDatasetMaker

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "run.fits", "EVENTS", _empty_events)
    assert len(EventList.read(path).table) == 0
    obs = store_with_run(tmp_path, path).obs(HESS_OBS_ID)
    dataset = MapDatasetMaker().run(_map_reference(SkyCoord(83.63, 22.01, unit="deg")), obs)
    assert dataset.counts.data.sum() == 0
    assert dataset.exposure.data.max() > 1e8  # m2 s: the IRFs are intact
    assert np.all(np.isfinite(dataset.background.data)) and dataset.background.data.sum() > 0


def test_zero_length_gti_is_valid_and_has_zero_livetime(data_dir, tmp_path):
    from gammabin.data import GTI

    def zero(hdu):
        hdu.data["STOP"] = hdu.data["START"]

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "run.fits", "GTI", zero)
    gti = GTI.read(path)
    assert gti.time_sum.to_value("s") == 0


def test_reversed_gti_is_an_error(data_dir, tmp_path):
    from gammabin.data import GTI

    def reverse(hdu):
        start = np.array(hdu.data["START"])
        hdu.data["START"] = hdu.data["STOP"]
        hdu.data["STOP"] = start

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "run.fits", "GTI", reverse)
    with pytest.raises(DataFormatError) as exc:
        GTI.read(path)
    _names(exc, path, "GTI", "STOP")


@pytest.mark.parametrize("skydir,frame", [((83.63 + 90, 22.0), "icrs"), ((0.0, -89.0), "galactic")],
                         ids=["90deg-away", "south-pole"])
def test_observation_outside_geometry_gives_empty_valid_dataset(hess_dir, skydir, frame):
    from gammabin.data import DataStore
    from gammabin.makers import MapDatasetMaker, SafeMaskMaker

    obs = DataStore.from_dir(hess_dir).obs(HESS_OBS_ID)
    reference = _map_reference(SkyCoord(*skydir, unit="deg", frame=frame), frame=frame)
    dataset = MapDatasetMaker().run(reference, obs)
    dataset = SafeMaskMaker(methods=["offset-max"], offset_max="2.5 deg").run(dataset, obs)
    for m in (dataset.counts, dataset.exposure, dataset.background):
        assert np.all(np.isfinite(m.data)) and m.data.sum() == 0
    assert not dataset.mask_safe.data.any()
    assert dataset.counts.geom == reference.counts.geom


# --- data store and index -------------------------------------------------------------------
def test_duplicate_index_rows_warn_and_use_the_first(data_dir, tmp_path):
    store = store_with_run(tmp_path, data_dir / HESS_RUN, extra_rows=2)
    with pytest.warns(UserWarning, match=rf"{HESS_OBS_ID}.*'events'"):
        events = store.obs(HESS_OBS_ID).events
    assert len(events.table) == 7613


def test_duplicate_ids_in_get_observations_warn(hess_dir):
    from gammabin.data import DataStore

    with pytest.warns(UserWarning, match="duplicate observation ids"):
        observations = DataStore.from_dir(hess_dir).get_observations([HESS_OBS_ID, HESS_OBS_ID])
    assert [o.obs_id for o in observations] == [HESS_OBS_ID, HESS_OBS_ID]  # kept, as gammapy 2.1


def test_file_dir_outside_the_store_is_allowed(data_dir, tmp_path):
    """CTA 1DC indexes use FILE_DIR '../../caldb/...': paths leaving the index folder work."""
    from gammabin.data import DataStore

    (tmp_path / "caldb").mkdir()
    shutil.copy(data_dir / HESS_RUN, tmp_path / "caldb" / "run.fits.gz")
    index_dir = tmp_path / "index" / "gps"
    index_dir.mkdir(parents=True)
    write_index(index_dir, "run.fits.gz", file_dir="../../caldb")
    assert len(DataStore.from_dir(index_dir).obs(HESS_OBS_ID).events.table) == 7613


def test_file_dir_outside_the_store_missing_names_the_resolved_path(tmp_path):
    from gammabin.data import DataStore

    write_index(tmp_path, "run.fits.gz", file_dir="../../etc")
    obs = DataStore.from_dir(tmp_path).obs(HESS_OBS_ID)
    with pytest.raises(FileNotFoundError) as exc:
        obs.events
    _names(exc, "../../etc/run.fits.gz")
    with pytest.raises(FileNotFoundError) as exc:
        obs.aeff
    _names(exc, tmp_path, "etc/run.fits.gz")


def test_truncated_hdu_index(hess_dir, tmp_path):
    from gammabin.data import DataStore

    truncate(hess_dir / "hdu-index.fits.gz", tmp_path / "hdu-index.fits.gz", 0.5)
    with pytest.raises(DataFormatError) as exc:
        DataStore.from_dir(tmp_path)
    _names(exc, tmp_path / "hdu-index.fits.gz", "truncated")


def test_hdu_index_missing_column(hess_dir, tmp_path):
    from gammabin.data import DataStore

    table = Table.read(hess_dir / "hdu-index.fits.gz")
    table.remove_column("FILE_NAME")
    table.write(tmp_path / "hdu-index.fits.gz")
    with pytest.raises(MissingColumnError) as exc:
        DataStore.from_dir(tmp_path).obs(HESS_OBS_ID).events
    _names(exc, tmp_path / "hdu-index.fits.gz", "FILE_NAME")


def test_truncated_obs_index(hess_dir, tmp_path):
    from gammabin.data import DataStore

    shutil.copy(hess_dir / "hdu-index.fits.gz", tmp_path)
    truncate(hess_dir / "obs-index.fits.gz", tmp_path / "obs-index.fits.gz", 0.5)
    with pytest.raises(DataFormatError) as exc:
        DataStore.from_dir(tmp_path).obs_table
    _names(exc, tmp_path / "obs-index.fits.gz")


# --- MapDataset.read -------------------------------------------------------------------------
@pytest.fixture
def dataset_file(tmp_path):
    from gammabin.datasets import MapDataset
    from gammabin.maps import MapAxis, WcsGeom

    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", nbin=3)
    geom = WcsGeom.create(skydir=(83.6, 22.0), width=1, binsz=0.1, frame="icrs", axes=[energy])
    dataset = MapDataset.create(geom, name="d")
    dataset.counts.data += 1
    dataset.write(tmp_path / "dataset.fits")
    return tmp_path / "dataset.fits"


def _rewrite(path, target, change):
    with fits.open(path) as hdulist:
        hdulist = fits.HDUList([h.copy() for h in hdulist])
    change(hdulist)
    hdulist.writeto(target)
    return target


def test_dataset_missing_bands_hdu(dataset_file, tmp_path):
    from gammabin.datasets import MapDataset

    path = _rewrite(dataset_file, tmp_path / "bad.fits", lambda h: h.__delitem__("EXPOSURE_BANDS"))
    with pytest.raises(MissingHDUError) as exc:
        MapDataset.read(path)
    _names(exc, path, "'EXPOSURE_BANDS'", "EXPOSURE")


def test_dataset_mask_with_wrong_shape(dataset_file, tmp_path):
    from gammabin.datasets import MapDataset

    def cut(hdulist):
        hdulist["MASK_SAFE"].data = hdulist["MASK_SAFE"].data[:, :5]

    path = _rewrite(dataset_file, tmp_path / "bad.fits", cut)
    with pytest.raises(DataFormatError) as exc:
        MapDataset.read(path)
    _names(exc, path, "HDU MASK_SAFE", "(3, 10, 10)")


@pytest.mark.parametrize("bunit", ["TeV", "furlong"])
def test_dataset_exposure_with_wrong_unit(dataset_file, tmp_path, bunit):
    from gammabin.datasets import MapDataset

    def change(hdulist):
        hdulist["EXPOSURE"].header["BUNIT"] = bunit

    path = _rewrite(dataset_file, tmp_path / "bad.fits", change)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(UnitMismatchError) as exc:
            MapDataset.read(path)
    _names(exc, path, "HDU EXPOSURE", "m2 s")


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.97])
def test_dataset_truncated_file(dataset_file, tmp_path, fraction):
    """astropy alone reads a cut file with a warning and zero-filled maps."""
    from gammabin.datasets import MapDataset

    path = truncate(dataset_file, tmp_path / "cut.fits", fraction)
    with pytest.raises(DataFormatError) as exc:
        MapDataset.read(path)
    _names(exc, path, "truncated")


# --- OGIP (SpectrumDatasetOnOff.read) ------------------------------------------------------------
PHA = "pha_obs23523.fits"


@pytest.fixture
def ogip_dir(data_dir, tmp_path):
    folder = tmp_path / "ogip"
    shutil.copytree(data_dir / OGIP_DIR, folder)
    return folder


def _edit(folder, kind, change):
    """Modify ``<kind>_obs23523.fits`` in place (astropy, no HDU copies: RMF has VLA columns)."""
    path = folder / f"{kind}_obs23523.fits"
    with fits.open(path) as hdulist:
        change(hdulist)
        hdulist.writeto(path.with_suffix(".new"))
    path.with_suffix(".new").replace(path)
    return path


def _read_ogip(folder):
    from gammabin.datasets import SpectrumDatasetOnOff

    return SpectrumDatasetOnOff.read(folder / PHA)


def test_ogip_reference_copy_reads(ogip_dir):
    assert _read_ogip(ogip_dir).counts.data.sum() == 189


def test_ogip_without_spectrum_hdu(ogip_dir):
    path = _edit(ogip_dir, "pha", lambda h: h.__delitem__("SPECTRUM"))
    with pytest.raises(DataFormatError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "SPECTRUM")


def test_ogip_missing_ebounds(ogip_dir):
    path = _edit(ogip_dir, "pha", lambda h: h.__delitem__("EBOUNDS"))
    with pytest.raises(MissingHDUError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "'EBOUNDS'")


def test_ogip_missing_exposure_key(ogip_dir):
    path = _edit(ogip_dir, "pha", lambda h: h["SPECTRUM"].header.__delitem__("EXPOSURE"))
    with pytest.raises(MissingKeyError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "SPECTRUM", "'EXPOSURE'")


def test_ogip_unsorted_ebounds(ogip_dir):
    def swap(h):
        values = np.array(h["EBOUNDS"].data["E_MIN"])
        values[[3, 4]] = values[[4, 3]]
        h["EBOUNDS"].data["E_MIN"] = values

    path = _edit(ogip_dir, "pha", swap)
    with pytest.raises(DataFormatError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "EBOUNDS", "E_MIN/E_MAX", "increasing")


def test_ogip_ebounds_wrong_unit(ogip_dir):
    path = _edit(ogip_dir, "pha", lambda h: setattr(h["EBOUNDS"].columns["E_MIN"], "unit", "deg"))
    with pytest.raises(UnitMismatchError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "EBOUNDS", "'E_MIN'", "'deg'", "TeV")


@pytest.mark.parametrize("value,message", [(-1.0, "negative"), (np.nan, "non-finite")])
def test_ogip_arf_bad_values(ogip_dir, value, message):
    def change(h):
        values = np.array(h["SPECRESP"].data["SPECRESP"])
        values[3] = value * abs(values[3] or 1)
        h["SPECRESP"].data["SPECRESP"] = values

    path = _edit(ogip_dir, "arf", change)
    with pytest.raises(DataFormatError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "SPECRESP", message)


def test_ogip_arf_wrong_unit(ogip_dir):
    path = _edit(ogip_dir, "arf", lambda h: setattr(h["SPECRESP"].columns["SPECRESP"], "unit", "s"))
    with pytest.raises(UnitMismatchError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "SPECRESP", "'s'", "m2")


def test_ogip_companion_file_missing(ogip_dir):
    (ogip_dir / "arf_obs23523.fits").unlink()
    with pytest.raises(FileNotFoundError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, ogip_dir / PHA, "ANCRFILE", ogip_dir / "arf_obs23523.fits")


def test_ogip_bkg_with_fewer_rows(ogip_dir):
    def cut(h):
        h["SPECTRUM"].data = h["SPECTRUM"].data[:40]

    path = _edit(ogip_dir, "bkg", cut)
    with pytest.raises(DataFormatError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "SPECTRUM", "40 rows", "80")


def test_ogip_missing_rmf_column(ogip_dir):
    def drop(h):
        old = h["MATRIX"]
        cols = [c for c in old.columns if c.name != "N_CHAN"]
        new = fits.BinTableHDU.from_columns(cols, header=old.header, name="MATRIX")
        h["MATRIX"] = new

    path = _edit(ogip_dir, "rmf", drop)
    with pytest.raises(MissingColumnError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "MATRIX", "'N_CHAN'")


@pytest.mark.parametrize("kind", ["arf", "rmf", "bkg"])
def test_ogip_truncated_companion(ogip_dir, kind):
    path = ogip_dir / f"{kind}_obs23523.fits"
    truncate(path, path, 0.9)
    with pytest.raises(DataFormatError) as exc:
        _read_ogip(ogip_dir)
    _names(exc, path, "truncated")


# --- configs -------------------------------------------------------------------------------
def _demo():
    from gammabin.cli.demo import DEMO_SPECTRUM_CONFIG

    return copy.deepcopy(DEMO_SPECTRUM_CONFIG)


def test_config_file_missing(tmp_path):
    from gammabin.config import ConfigError, load_config

    with pytest.raises(ConfigError) as exc:
        load_config(tmp_path / "nope.yaml")
    _names(exc, tmp_path / "nope.yaml", "not found")


def test_config_not_yaml(tmp_path):
    from gammabin.config import ConfigError, load_config

    path = tmp_path / "bad.yaml"
    path.write_text("dataset:\n  energy: [1, 2\n  type: map\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    _names(exc, path, "not valid YAML", "line")


def test_config_truncated_file_top_level_not_a_mapping(tmp_path):
    from gammabin.config import ConfigError, load_config

    path = tmp_path / "cut.yaml"
    path.write_text(yaml.safe_dump(_demo())[:0] + "- observations\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    _names(exc, path, "(top level)", "expected a mapping")


def test_config_energy_range_reversed():
    from gammabin.config import ConfigError, config_from_dict

    raw = _demo()
    raw["dataset"]["energy"]["max"] = "0.05 TeV"
    with pytest.raises(ConfigError) as exc:
        config_from_dict(raw, source="c.yaml")
    _names(exc, "c.yaml", "dataset.energy.max", "above min")


def test_config_map_dataset_without_geom():
    from gammabin.config import ConfigError, config_from_dict

    raw = _demo()
    raw["dataset"]["type"] = "map"
    with pytest.raises(ConfigError) as exc:
        config_from_dict(raw, source="c.yaml")
    _names(exc, "c.yaml", "dataset.geom", "required")
    assert isinstance(exc.value, GammabinError)


def test_aeff_substantially_negative_entry(data_dir, tmp_path):
    """One entry at -10 % of the maximum is refused; real files' -1e-4 artefacts are not."""
    from gammabin.irf import EffectiveAreaTable2D

    def dent(a):
        a = np.array(a)
        a.flat[a.size // 2] = -0.1 * a.max()
        return a

    path = modified_copy(data_dir / HESS_RUN, tmp_path / "aeff.fits", "AEFF", scale_column("EFFAREA", dent))
    with pytest.raises(DataFormatError) as exc:
        EffectiveAreaTable2D.read(path, hdu="AEFF")
    _names(exc, path, "AEFF", "EFFAREA")
    assert EffectiveAreaTable2D.read(data_dir / "hess-dl3-dr1/data/hess_dl3_dr1_obs_id_020282.fits.gz",
                                     hdu="AEFF").data.min() < 0
