"""RegionGeom / RegionNDMap behaviour (DIM §3.7)."""
import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits
from regions import CircleSkyRegion

from gammabin.maps import Map, MapAxis, RegionGeom, RegionNDMap

ENERGY = MapAxis.from_energy_bounds(0.5, 40, 20, "TeV")
CRAB = SkyCoord(83.633, 22.014, unit="deg")


def test_create_from_ds9_string_and_region_agree():
    a = RegionGeom.create("icrs;circle(83.633, 22.014, 0.11)", axes=[ENERGY])
    b = RegionGeom.create(CircleSkyRegion(CRAB, 0.11 * u.deg), axes=[ENERGY])
    assert a == b
    assert a.data_shape == (20, 1, 1)
    # helper WCS as in gammapy's V3 REGION HDU: TAN, 0.1 deg, 4×4, CRPIX 2.5
    assert a.wcs.array_shape == (4, 4)
    assert list(a.wcs.wcs.crpix) == [2.5, 2.5]
    assert a.wcs.wcs.ctype[0] == "RA---TAN"
    assert a.center_skydir.separation(CRAB).deg < 1e-9


def test_solid_angle_is_flat_disc():
    geom = RegionGeom.create(CircleSkyRegion(CRAB, 0.11 * u.deg))
    flat = np.pi * 0.11**2 * (np.pi / 180) ** 2
    assert np.isclose(geom.solid_angle().to_value("sr"), flat, rtol=1e-5, atol=0)
    cap = 2 * np.pi * (1 - np.cos(np.radians(0.11)))
    assert not np.isclose(geom.solid_angle().to_value("sr"), cap, rtol=1e-7, atol=0)


def test_contains_strict_tan_pixel_test():
    geom = RegionGeom.create(CircleSkyRegion(CRAB, 0.11 * u.deg))
    lat = 22.014 + np.array([0.0, 0.1099, 0.11001, 0.2])
    inside = geom.contains(SkyCoord(np.full(4, 83.633), lat, unit="deg"))
    assert inside.tolist() == [True, True, False, False]


def test_point_region_contains_everything_and_one_pixel_wcs():
    geom = RegionGeom.create(CRAB)
    assert geom.contains(SkyCoord([0, 180], [0, -80], unit="deg")).all()
    assert geom.wcs.array_shape == (1, 1)
    assert list(geom.wcs.wcs.crpix) == [1.0, 1.0]


def test_to_wcs_geom_and_weights():
    geom = RegionGeom.create(CircleSkyRegion(CRAB, 0.11 * u.deg), axes=[ENERGY])
    wcs_geom = geom.to_wcs_geom()
    assert wcs_geom.data_shape == (20, 4, 4)
    coords, weights = geom.get_wcs_coord_and_weights()
    assert np.all((weights > 0) & (weights <= 1))
    # covered area in pixels ≈ π r_pix² (1.1 pixels radius)
    assert np.isclose(weights.sum(), np.pi * 1.1**2, rtol=0.02)
    assert coords["energy"].shape[-2] == 20


def test_fill_and_coord_to_pix():
    m = Map.from_geom(RegionGeom.create("icrs;circle(83.633, 22.014, 0.11)", axes=[ENERGY]))
    assert isinstance(m, RegionNDMap) and m.data.dtype == np.float32
    coords = {"skycoord": SkyCoord([83.633, 83.633, 85.0], [22.014, 22.05, 22.0], unit="deg"), "energy": [1, 1, 1] * u.TeV}
    m.fill_by_coord(coords)
    assert m.data.sum() == 2  # the third event is outside the circle


def test_region_map_round_trip(tmp_path):
    geom = RegionGeom.create("icrs;circle(83.633, 22.014, 0.11)", axes=[ENERGY])
    m = RegionNDMap(geom, data=np.arange(20, dtype=float), unit="m2 s", meta={"livetime": "10 s"})
    path = tmp_path / "region_map.fits"
    m.write(path, hdu="EXPOSURE")
    with fits.open(path) as hdulist:
        assert [h.name for h in hdulist] == ["PRIMARY", "EXPOSURE", "EXPOSURE_BANDS", "EXPOSURE_REGION"]
        assert hdulist["EXPOSURE"].columns.names == ["CHANNEL", "DATA"]
    back = Map.read(path, hdu="EXPOSURE")
    assert isinstance(back, RegionNDMap)
    assert back.geom == geom
    assert np.array_equal(back.data, m.data) and back.unit == u.Unit("m2 s")
    assert back.meta == {"livetime": "10 s"}


def test_create_rejects_wcs_geom_for_spectrum():
    from gammabin.datasets import SpectrumDataset
    from gammabin.maps import WcsGeom

    with pytest.raises(TypeError):
        SpectrumDataset.create(WcsGeom.create(npix=3, axes=[ENERGY]))
    ds = SpectrumDataset.create(RegionGeom.create(CRAB, axes=[ENERGY]))
    assert ds.psf is None and ds.counts.data.shape == (20, 1, 1) and ds.exposure.geom.axes[0].name == "energy_true"
