"""IRF reading quirks, write/read round trips, and errors on bad input."""
import sys
import types

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits
from astropy.table import Table

from gammabin.errors import DataFormatError, MissingColumnError, UnitMismatchError
from gammabin.irf import (
    IRF_CLASSES,
    PSF3D,
    Background3D,
    EffectiveAreaTable2D,
    read_irf_hdu,
)

HESS = "hess-dl3-dr1/data/hess_dl3_dr1_obs_id_023523.fits.gz"
CTA = "cta-1dc/caldb/data/cta/1dc/bcf/South_z20_50h/irf_file.fits"
ROUND_TRIP = [
    (HESS, "AEFF", "aeff_2d"),
    (HESS, "EDISP", "edisp_2d"),
    (HESS, "PSF", "psf_table"),
    (HESS, "BKG", "bkg_3d"),
    (CTA, "POINT SPREAD FUNCTION", "psf_3gauss"),
    ("tests/hess_psf_king_023523.fits.gz", "PSF_2D_KING", "psf_king"),
    ("tests/irf/bkg_2d_full_example.fits", "BACKGROUND", "bkg_2d"),
    ("magic/rad_max/data/20131004_05029747_DL3_CrabNebula-W0.40+035.fits", "RAD_MAX", "rad_max_2d"),
    ("magic/rad_max/data/20131004_05029747_DL3_CrabNebula-W0.40+035.fits", "EFFECTIVE AREA", "aeff_2d"),
]


def _bkg3d_hdu(raw, unit="s-1 MeV-1 sr-1", column="BKG"):
    """A GADF BKG_3D HDU with C-order data ``raw[E][DETY][DETX]`` (3x3 spatial bins)."""
    n_e, n_y, n_x = raw.shape
    table = Table()
    table["DETX_LO"] = np.linspace(-3, 1, n_x)[None] * u.deg
    table["DETX_HI"] = np.linspace(-1, 3, n_x)[None] * u.deg
    table["DETY_LO"] = np.linspace(-3, 1, n_y)[None] * u.deg
    table["DETY_HI"] = np.linspace(-1, 3, n_y)[None] * u.deg
    table["ENERG_LO"] = np.geomspace(0.1, 10, n_e + 1)[:-1][None] * u.TeV
    table["ENERG_HI"] = np.geomspace(0.1, 10, n_e + 1)[1:][None] * u.TeV
    table[column] = raw[None].astype(np.float32)
    table[column].unit = unit
    table.meta = {"HDUCLAS2": "BKG", "HDUCLAS4": "BKG_3D"}
    return fits.BinTableHDU(table, name="BACKGROUND")


def test_background_orientation_quirk():
    """File [E][DETY][DETX] is used as [energy][fov_lon][fov_lat] (gammapy, spec §2.6)."""
    raw = np.arange(2 * 3 * 3, dtype=float).reshape(2, 3, 3) + 1
    bkg = Background3D.from_hdu(_bkg3d_hdu(raw), filename="synthetic.fits")
    np.testing.assert_array_equal(bkg.data, raw)
    lon = bkg.axes["fov_lon"].center
    lat = bkg.axes["fov_lat"].center
    energy = bkg.axes["energy"].center
    # fov_lon index 0 (DETY row 0), fov_lat index 2 (DETX column 2)
    value = bkg.evaluate(energy=energy[1], fov_lon=lon[0], fov_lat=lat[2])
    assert value.to_value(bkg.unit) == pytest.approx(raw[1, 0, 2], rel=1e-6)


def test_background_written_by_us_round_trips(tmp_path):
    raw = np.random.default_rng(0).uniform(1, 2, (2, 3, 3))
    bkg = Background3D.from_hdu(_bkg3d_hdu(raw))
    bkg.write(tmp_path / "bkg.fits")
    back = Background3D.read(tmp_path / "bkg.fits")
    np.testing.assert_array_equal(back.data, bkg.data)
    assert back.fov_alignment == "RADEC"


@pytest.mark.parametrize("path,hdu,tag", ROUND_TRIP, ids=[f"{t}-{h}" for _, h, t in ROUND_TRIP])
def test_write_read_round_trip(path, hdu, tag, data_dir, tmp_path):
    cls = IRF_CLASSES[tag]
    irf = cls.read(data_dir / path, hdu=hdu)
    out = tmp_path / "irf.fits"
    irf.write(out)
    with pytest.raises(FileExistsError):
        irf.write(out)
    irf.write(out, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["irf.fits"]  # no temp file left
    back = cls.read(out)
    assert back.axes.names == irf.axes.names
    for a, b in zip(back.axes, irf.axes):
        np.testing.assert_allclose(a.edges.value, b.edges.value, rtol=1e-12)
    if irf.data.dtype.names:
        for name in irf.data.dtype.names:
            np.testing.assert_array_equal(back.data[name], irf.data[name])
    else:
        np.testing.assert_array_equal(back.data, irf.data)
        assert back.unit == irf.unit
    header = fits.getheader(out, 1)
    assert header["HDUCLAS1"] == "RESPONSE" and header["HDUCLAS4"] == tag.upper()
    assert header["EXTNAME"] == cls.extname
    assert back.is_pointlike == irf.is_pointlike


def _aeff_table():
    table = Table()
    table["ENERG_LO"] = [[0.1, 1.0]] * u.TeV
    table["ENERG_HI"] = [[1.0, 10.0]] * u.TeV
    table["THETA_LO"] = [[0.0, 1.0]] * u.deg
    table["THETA_HI"] = [[1.0, 2.0]] * u.deg
    table["EFFAREA"] = np.array([[[1.0, 2.0], [3.0, 4.0]]], dtype=np.float32) * u.m**2
    return table


def _write(table, path, name="EFFECTIVE AREA"):
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU(table, name=name)]).writeto(path)
    return path


def test_missing_column_names_file_hdu_and_column(tmp_path):
    table = _aeff_table()
    del table["THETA_HI"]
    path = _write(table, tmp_path / "aeff.fits")
    with pytest.raises(MissingColumnError) as exc:
        EffectiveAreaTable2D.read(path)
    msg = str(exc.value)
    assert str(path) in msg and "EFFECTIVE AREA" in msg and "THETA_HI" in msg


def test_wrong_unit(tmp_path):
    table = _aeff_table()
    table["EFFAREA"].unit = u.s
    path = _write(table, tmp_path / "aeff.fits")
    with pytest.raises(UnitMismatchError, match="EFFAREA"):
        EffectiveAreaTable2D.read(path)
    table = _aeff_table()
    table["THETA_LO"].unit = u.TeV
    path = _write(table, tmp_path / "aeff2.fits")
    with pytest.raises(UnitMismatchError, match="THETA_LO"):
        EffectiveAreaTable2D.read(path)


def test_nan_in_irf_values_is_an_error(tmp_path):
    """NaN would silently become 0 (or NaN maps) downstream, so reading refuses it."""
    table = _aeff_table()
    table["EFFAREA"][0, 1, 0] = np.nan
    path = _write(table, tmp_path / "aeff.fits")
    with pytest.raises(DataFormatError) as exc:
        EffectiveAreaTable2D.read(path)
    assert str(path) in str(exc.value) and "EFFECTIVE AREA" in str(exc.value) and "non-finite" in str(exc.value)


def test_unknown_class_goes_to_plugins_then_fails(monkeypatch):
    hdu = fits.BinTableHDU(_aeff_table(), name="EXOTIC")
    answers = []

    class Hook:
        @staticmethod
        def gammabin_read_irf(hdu, hdu_class, hdu_type, filename):
            return answers[0] if answers else None

    fake = types.ModuleType("gammabin.plugins")
    fake.get_plugin_manager = lambda: types.SimpleNamespace(hook=Hook)
    monkeypatch.setitem(sys.modules, "gammabin.plugins", fake)
    with pytest.raises(DataFormatError) as exc:
        read_irf_hdu(hdu, "aeff_exotic", "aeff", "run.fits")
    assert "run.fits" in str(exc.value) and "EXOTIC" in str(exc.value) and "aeff_exotic" in str(exc.value)
    answers.append("plugin-irf")
    assert read_irf_hdu(hdu, "aeff_exotic", "aeff", "run.fits") == "plugin-irf"
    # core classes never reach the plugins
    assert isinstance(read_irf_hdu(hdu, "aeff_2d", "aeff", "run.fits"), EffectiveAreaTable2D)


def test_nodes_axis_from_equal_lo_hi(data_dir):
    """H.E.S.S. DR1 AEFF has THETA_LO == THETA_HI = 0…2.5 → offset edges −0.25…2.75."""
    aeff = EffectiveAreaTable2D.read(data_dir / HESS, hdu="AEFF")
    edges = aeff.axes["offset"].edges.to_value("deg")
    assert edges[0] == pytest.approx(-0.25) and edges[-1] == pytest.approx(2.75)
    assert aeff.data.dtype == np.float32


def test_psf_containment_is_zero_beyond_last_edge(data_dir):
    psf = PSF3D.read(data_dir / HESS, hdu="PSF")
    c = psf.containment(rad=[0.3, 0.67] * u.deg, energy_true=1 * u.TeV, offset=0.5 * u.deg)
    assert 0.9 < c[0] < 1.0 and c[1] == 0  # quirk 9
