"""WcsGeom: npix rounding, cutouts, solid angles, masks vs gammapy 2.1 values
(tests/expected/maps_expected.json) and conservation laws."""
import json
from pathlib import Path

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from regions import CircleSkyRegion, PointSkyRegion

from gammabin.maps import MapAxis, WcsGeom

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "expected/maps_expected.json").read_text())


def _v1_geom():
    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    return WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.02, axes=[axis])


@pytest.mark.parametrize("key", sorted(EXPECTED["npix"]))
def test_npix_half_to_even(key):
    width, binsz = (float(v) for v in key.split("/"))
    geom = WcsGeom.create(skydir=(0, 0), width=width, binsz=binsz)
    assert geom.npix[0][0] == EXPECTED["npix"][key]


def test_create_variants_and_header_keys():
    geom = _v1_geom()
    assert geom.data_shape == (11, 250, 250)
    header = geom.to_header()
    assert (header["CRPIX1"], header["LONPOLE"], header["LATPOLE"]) == (125.5, 0.0, 67.99)
    assert header["RADESYS"] == "ICRS" and header["WCSSHAPE"] == "(250,250,11)"
    gal = WcsGeom.create(skydir=SkyCoord(83.63, 22.01, unit="deg"), frame="galactic", width=("2 deg", 1), binsz="0.1 deg")
    assert gal.frame == "galactic" and gal.wcs.wcs.ctype[0] == "GLON-CAR" and gal.npix[0][0] == 20 and gal.npix[1][0] == 10
    np.testing.assert_allclose(gal.center_skydir.icrs.ra.deg, 83.63, atol=1e-9)
    south = WcsGeom.create(skydir=(228.6, -59.1), width=1, binsz=0.1)
    assert south.wcs.wcs.lonpole == 180.0
    assert geom.to_binsz(0.2).npix[0][0] == 25
    assert WcsGeom.create(skydir=(0, 0), width=8, binsz=0.5).to_binsz(0.2).npix[0][0] == 40


def test_cutouts_match_gammapy():
    geom = _v1_geom()
    cut = geom.cutout(SkyCoord(83.633, 21.514, unit="deg"), width=1.5 * u.deg)
    assert [cut.npix[0][0], cut.npix[1][0]] == EXPECTED["cutout_v1"]["npix"] == [75, 75]
    assert cut.wcs.wcs.crpix.tolist() == EXPECTED["cutout_v1"]["crpix"] == [38.5, 62.5]
    irf = geom.to_binsz(0.2).cutout(SkyCoord(83.63, 22.01, unit="deg"), width=1.5 * u.deg)
    assert [irf.npix[0][0], irf.npix[1][0]] == EXPECTED["cutout_irf"]["npix"]
    assert irf.wcs.wcs.crpix.tolist() == EXPECTED["cutout_irf"]["crpix"]
    edge = geom.cutout(SkyCoord(85.9, 24.3, unit="deg"), width=1.0 * u.deg)
    assert [edge.npix[0][0], edge.npix[1][0]] == EXPECTED["cutout_edge_trim"]["npix"]
    assert edge.wcs.wcs.crpix.tolist() == EXPECTED["cutout_edge_trim"]["crpix"]
    odd = geom.cutout(SkyCoord(83.0, 22.5, unit="deg"), width=(0.33, 0.5), odd_npix=True)
    assert [odd.npix[0][0], odd.npix[1][0]] == EXPECTED["cutout_odd"]["npix"]
    assert odd.wcs.wcs.crpix.tolist() == EXPECTED["cutout_odd"]["crpix"]
    assert geom.cutout(SkyCoord(83.63, 22.01, unit="deg"), width=6 * u.deg) == geom
    with pytest.raises(ValueError):
        geom.cutout(SkyCoord(120.0, 22.01, unit="deg"), width=1 * u.deg)


@pytest.mark.parametrize("key", sorted(EXPECTED["solid_angle"]))
def test_solid_angle_matches_gammapy(key):
    exp = EXPECTED["solid_angle"][key]
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in exp["kwargs"].items()}
    sa = WcsGeom.create(**kwargs).solid_angle()
    assert sa.unit == u.sr
    sa = sa.value.reshape(sa.shape[-2:])
    np.testing.assert_allclose(sa.sum(), exp["sum"], rtol=1e-12)
    for i, j, value in exp["picks"]:
        np.testing.assert_allclose(sa[i, j], value, rtol=1e-12)


def test_solid_angle_close_to_exact_car_area():
    # oblique CAR centred on (0, 0) is the plain one: exact pixel area = Δλ·(sin b_top − sin b_bottom)
    geom = WcsGeom.create(skydir=(0, 0), width=(4, 3), binsz=0.05)
    edges = np.deg2rad(np.arange(-1.5, 1.5 + 1e-9, 0.05))
    exact = np.deg2rad(0.05) * np.diff(np.sin(edges))[:, None]
    sa = geom.solid_angle().value[0] if geom.solid_angle().ndim == 3 else geom.solid_angle().value
    np.testing.assert_allclose(sa, np.broadcast_to(exact, sa.shape), rtol=1e-7)


def test_coordinates_and_indices():
    geom = _v1_geom()
    coord = geom.get_coord()
    assert coord["lon"].shape == (11, 250, 250) and coord.frame == "icrs"
    np.testing.assert_allclose(coord["energy"][:, 0, 0].value, geom.axes["energy"].center.value)
    lon, lat = geom._pixel_lonlat()
    assert (lon[3, 7], lat[3, 7]) == tuple(float(v) for v in geom.wcs.wcs_pix2world(7.0, 3.0, 0))
    x, y, e = geom.coord_to_pix({"lon": lon[3, 7], "lat": lat[3, 7], "energy": 2 * u.TeV})
    np.testing.assert_allclose([x[0], y[0]], [7, 3], atol=1e-9)
    # left/bottom edge in, right/top edge out
    assert geom.pix_to_idx((np.array([-0.5, 249.4999, 249.5]), np.array([0.0, 0, 0]), np.array([0.0, 0, 0])))[0].tolist() == [0, 249, -1]
    assert geom.contains({"skycoord": SkyCoord([83.63, 90.0], [22.01, 22.01], unit="deg"), "energy": [2, 2] * u.TeV}).tolist() == [True, False]
    gal = WcsGeom.create(skydir=(184.55, -5.78), frame="galactic", width=1, binsz=0.1)
    ra, dec = gal._radec()
    icrs = SkyCoord(*gal._pixel_lonlat(), unit="deg", frame="galactic").icrs
    np.testing.assert_allclose(ra, icrs.ra.deg, atol=1e-9)
    np.testing.assert_allclose(dec, icrs.dec.deg, atol=1e-9)


def test_separation_and_region_mask_match_gammapy():
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=2, binsz=0.1)
    sep = geom.separation(SkyCoord(83.0, 22.5, unit="deg")).deg
    np.testing.assert_allclose([sep.sum(), sep.max()], [EXPECTED["separation"]["sum"], EXPECTED["separation"]["max"]], rtol=1e-12)
    circle = CircleSkyRegion(SkyCoord(83.5, 22.1, unit="deg"), 0.35 * u.deg)
    point = PointSkyRegion(SkyCoord(84.03, 21.62, unit="deg"))
    mask = geom.region_mask([circle, point])
    assert mask.data.dtype == bool
    assert np.argwhere(mask.data).tolist() == EXPECTED["region_mask"]["true_idx"]
    assert (~geom.region_mask([circle], inside=False).data).sum() == geom.region_mask([circle]).data.sum()


def test_energy_mask_and_derived_geoms():
    axis = MapAxis.from_bounds(1, 10, nbin=4, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(0, 0), width=1, binsz=0.25, axes=[axis])
    assert geom.energy_mask(1.5 * u.TeV, 6 * u.TeV).data[:, 0, 0].tolist() == EXPECTED["energy_mask"]
    assert geom.to_image().is_image and geom.squash("energy").data_shape == (1, 4, 4)
    assert geom.upsample(2).npix[0][0] == 8 and geom.upsample(2).downsample(2) == geom
    assert geom.pad(2).crop(2) == geom
    rad = MapAxis.from_nodes([0, 0.1], name="rad", unit="deg")
    assert geom.to_cube([rad]).axes.names == ["energy", "rad"]
    assert geom.is_aligned(geom.cutout(SkyCoord(0, 0, unit="deg"), 0.5 * u.deg))


def test_cutout_arrays_sliced_from_parent_equal_direct_computation():
    """A cutout inside its parent reuses the parent's pixel centres, corners and solid
    angles; they must equal what the cutout's own WCS gives."""
    from gammabin.maps.wcs_geom import _cached_image_arrays

    axis = MapAxis.from_energy_bounds(1, 10, 3, unit="TeV")
    parent = WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.02, axes=[axis])
    cut = parent.cutout((84.0, 21.5), width="2 deg")
    assert cut._parent_link is not None and cut._parent_link[0] is parent
    fresh = WcsGeom(cut.wcs.deepcopy(), npix=(cut.data_shape[-1], cut.data_shape[-2]), axes=[axis])
    assert fresh._parent_link is None
    for what in ("centers", "corners", "solid_angle"):
        mine = _cached_image_arrays(cut, what)
        direct = _cached_image_arrays(fresh, what)
        for a, b in zip(*(x if isinstance(x, tuple) else (x,) for x in (mine, direct))):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)
    # a cutout of a cutout still points at the root geometry
    cut2 = cut.cutout((84.0, 21.5), width=1.0)
    assert cut2._parent_link[0] is parent
    direct2 = WcsGeom(cut2.wcs.deepcopy(), npix=(cut2.data_shape[-1], cut2.data_shape[-2]))
    np.testing.assert_allclose(cut2._solid_angle_sr(), direct2._solid_angle_sr(), rtol=1e-13)


def test_overlap_slices_follow_astropy():
    from astropy.nddata import NoOverlapError, PartialOverlapError
    from astropy.nddata.utils import overlap_slices

    from gammabin.maps.wcs_geom import _overlap_slices

    rng = np.random.default_rng(1)
    for _ in range(300):
        large = tuple(int(v) for v in rng.integers(1, 40, 2))
        small = tuple(int(v) for v in rng.integers(1, 40, 2))
        position = tuple(float(v) for v in rng.uniform(-30, 70, 2))
        for mode in ("partial", "trim", "strict"):
            try:
                expected = overlap_slices(large, small, position, mode=mode)
            except (NoOverlapError, PartialOverlapError) as exc:
                with pytest.raises(type(exc)):
                    _overlap_slices(large, small, position, mode=mode)
                continue
            assert _overlap_slices(large, small, position, mode=mode) == expected


def test_width_strings_and_quantities_parse_like_angle():
    from astropy.coordinates import Angle

    from gammabin.maps.wcs_geom import _angle_pair

    for value in ("6 deg", "30 arcmin", 2.5, 3 * u.deg, "1d30m", (1.0, "2 deg"), u.Quantity([1, 2], "deg")):
        expected = np.atleast_1d(Angle(value if not isinstance(value, tuple) else value[0], "deg").deg)
        pair = _angle_pair(value)
        assert pair[0] == pytest.approx(float(expected[0]), rel=1e-15)


def test_cutout_arrays_of_a_large_parent_are_computed_on_the_window_with_the_same_bits():
    """A small cutout of a survey-sized geometry computes its pixel centres, corners and
    solid angles on its own window (with the parent's WCS); the values are the very
    bits the sliced parent arrays hold."""
    from gammabin.maps import wcs_geom

    parent = WcsGeom.create(skydir=(342, 0), width=(50, 18), binsz=0.04, frame="galactic")
    positions = [SkyCoord(330, 1.3, unit="deg", frame="galactic"), SkyCoord(318, 8, unit="deg", frame="galactic")]
    for position in positions:
        cut = parent.cutout(position, width="5 deg")
        wcs_geom._IMAGE_CACHE.clear()
        window = [np.array(cut.solid_angle().value), *map(np.array, cut._pixel_lonlat()), *map(np.array, cut._corner_lonlat())]
        assert not any(key[0] == parent._cache_key() for key in wcs_geom._IMAGE_CACHE)  # parent grid never built
        wcs_geom._IMAGE_CACHE.clear()
        parent.solid_angle(), parent._pixel_lonlat(), parent._corner_lonlat()
        sliced = [np.array(cut.solid_angle().value), *cut._pixel_lonlat(), *cut._corner_lonlat()]
        for a, b in zip(window, sliced):
            assert a.shape == b.shape and np.array_equal(a, b)
        assert window[0].shape == tuple(cut.data_shape[-2:])


def test_pickled_geometry_round_trip_reuses_parsed_wcs():
    import pickle

    from gammabin.irf.irf_map import insertion_slices

    parent = WcsGeom.create(skydir=(342, 0), width=(50, 18), binsz=0.04, frame="galactic", axes=[_v1_geom().axes[0]])
    cut = parent.cutout(SkyCoord(330, 1.3, unit="deg", frame="galactic"), width="5 deg")
    a, b = pickle.loads(pickle.dumps(cut)), pickle.loads(pickle.dumps(cut))
    assert a.wcs is b.wcs  # parsed once per process
    assert a == cut and a.data_shape == cut.data_shape and a.frame == "galactic"
    assert a.wcs.to_header_string() == cut.wcs.to_header_string()
    assert insertion_slices(parent, a) == insertion_slices(parent, cut)
    np.testing.assert_array_equal(a.solid_angle().value, cut.solid_angle().value)


@pytest.mark.parametrize("skydir, frame, binsz, width", [((83.63, 22.01), "icrs", 0.02, 5), ((0, 0), "galactic", 0.05, 8),
                                                          ((329.7, -30.2), "icrs", 0.02, 4)])
def test_exact_car_solid_angles(skydir, frame, binsz, width):
    """The makers' background uses the exact CAR pixel areas: rows of Δφ·|Δ sin θ|,
    within 1e-7 of gammapy's triangles at these pixel sizes, summing to the exact area
    of the image's native rectangle."""
    geom = WcsGeom.create(skydir=skydir, frame=frame, binsz=binsz, width=width)
    exact = geom._exact_solid_angle_sr()
    np.testing.assert_allclose(exact, geom.solid_angle().value, rtol=1e-7)
    half_w, half_h = np.deg2rad(geom.npix[0][0] * binsz / 2), np.deg2rad(geom.npix[1][0] * binsz / 2)
    np.testing.assert_allclose(exact.sum(), 2 * half_w * 2 * np.sin(half_h), rtol=1e-12)


def test_exact_car_solid_angles_only_where_gammapy_agrees():
    assert WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.5)._exact_solid_angle_sr() is None  # big pixels
    assert WcsGeom.create(skydir=(10, 85), width=20, binsz=0.05)._exact_solid_angle_sr() is None  # pole
    assert WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.02, proj="TAN")._exact_solid_angle_sr() is None


def test_scalar_icrs_galactic_positions_use_the_closed_form_rotation():
    """One position between ICRS and Galactic (cutout centres) agrees with astropy's
    frame transform to 1e-10 deg both ways; arrays still go through astropy."""
    import numpy as np
    from astropy.coordinates import SkyCoord

    from gammabin.maps.coord import _skycoord_lonlat

    rng = np.random.default_rng(7)
    for lon, lat in zip(rng.uniform(0, 360, 20), np.degrees(np.arcsin(rng.uniform(-1, 1, 20)))):
        for src, dst in (("icrs", "galactic"), ("galactic", "icrs")):
            position = SkyCoord(lon, lat, unit="deg", frame=src)
            got_lon, got_lat, frame = _skycoord_lonlat(position, frame=dst)
            ref = position.transform_to(dst).spherical
            assert frame == dst
            assert abs((got_lon - ref.lon.deg + 180) % 360 - 180) * np.cos(np.radians(got_lat)) < 1e-10
            assert abs(got_lat - ref.lat.deg) < 1e-10
            assert 0 <= got_lon < 360
    many = SkyCoord([10.0, 20.0], [-5.0, 5.0], unit="deg")
    lon, lat, frame = _skycoord_lonlat(many, frame="galactic")
    assert frame == "galactic" and np.shape(lon) == (2,)
    np.testing.assert_allclose(lat, many.galactic.b.deg, atol=1e-12)


def test_kernel_frame_rotations_match_astropy():
    import numpy as np
    from astropy.coordinates import SkyCoord

    from gammabin import kernels

    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(0, 360, 10_000), np.degrees(np.arcsin(rng.uniform(-1, 1, 10_000)))
    for rotate, src, dst in ((kernels.icrs_to_galactic, "icrs", "galactic"),
                             (kernels.galactic_to_icrs, "galactic", "icrs")):
        got_lon, got_lat = rotate(lon, lat)
        ref = SkyCoord(lon, lat, unit="deg", frame=src).transform_to(dst).spherical
        assert np.all((got_lon >= 0) & (got_lon < 360))
        dlon = (got_lon - ref.lon.deg + 180) % 360 - 180
        assert np.max(np.abs(dlon) * np.cos(np.radians(got_lat))) < 1e-10
        assert np.max(np.abs(got_lat - ref.lat.deg)) < 1e-10
        one = rotate(float(lon[0]), float(lat[0]))  # scalars stay scalars
        assert np.ndim(one[0]) == 0 and one[0] == got_lon[0] and one[1] == got_lat[0]
