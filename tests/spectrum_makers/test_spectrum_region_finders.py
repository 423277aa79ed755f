"""Region finders vs gammapy 2.1 OFF-region centres (tests/expected/region_finders_gammapy21.json,
made by tests/reference_tools/make_region_finders_expected.py) and their contract."""
import json
from pathlib import Path

import numpy as np
import pytest
from astropy.coordinates import Angle, SkyCoord
from regions import CircleSkyRegion, EllipseSkyRegion, PointSkyRegion, RectangleSkyRegion

from gammabin.makers import ReflectedRegionsFinder, RegionsFinder, WobbleRegionsFinder
from gammabin.maps import WcsGeom

EXPECTED = json.loads((Path(__file__).parents[1] / "expected" / "region_finders_gammapy21.json").read_text())["cases"]
CRAB = SkyCoord(83.633, 22.014, unit="deg")
NORTH = SkyCoord(83.633, 22.514, unit="deg")


def crab_exclusion():
    geom = WcsGeom.create(skydir=CRAB, npix=(150, 150), binsz=0.05, proj="TAN", frame="icrs")
    return geom.region_mask([CircleSkyRegion(CRAB, Angle("0.3 deg"))], inside=False)


def spot_exclusion():
    geom = WcsGeom.create(skydir=CRAB, npix=(80, 80), binsz=0.02, proj="TAN", frame="icrs")
    spot = NORTH.directional_offset_by(Angle("90 deg"), Angle("0.5 deg"))
    return geom.region_mask([CircleSkyRegion(spot, Angle("0.1 deg"))], inside=False)


def check(case, regions, wcs):
    expected = EXPECTED[case]
    assert list(wcs.array_shape) == expected["npix"]
    assert len(regions) == len(expected["regions"])
    for region, ref in zip(regions, expected["regions"]):
        assert type(region).__name__ == ref["type"]
        sph = region.center.spherical
        assert abs(sph.lat.deg - ref["lat"]) < 1e-9
        assert abs((sph.lon.deg - ref["lon"] + 180) % 360 - 180) < 1e-9
        if "radius_deg" in ref:
            assert region.radius.to_value("deg") == pytest.approx(ref["radius_deg"], rel=1e-9)


def pointing_of(case):
    ra, dec = EXPECTED[case]["center"]
    return SkyCoord(ra, dec, unit="deg")


@pytest.mark.parametrize("obs_id", [23523, 23592, 23526, 23559])
def test_v3_reflected_regions_match_gammapy(obs_id):
    on = CircleSkyRegion(CRAB, Angle("0.11 deg"))
    case = f"v3_{obs_id}"
    check(case, *ReflectedRegionsFinder().run(on, pointing_of(case), exclusion_mask=crab_exclusion()))
    case = f"v3_{obs_id}_nomask"
    check(case, *ReflectedRegionsFinder().run(on, pointing_of(case)))


@pytest.mark.parametrize("obs_id", [5029747, 5029748])
def test_v4_wobble_points_match_gammapy(obs_id):
    case = f"v4_{obs_id}"
    check(case, *WobbleRegionsFinder(n_off_regions=3).run(PointSkyRegion(CRAB), pointing_of(case)))


def test_synthetic_cases_match_gammapy():
    target = CircleSkyRegion(SkyCoord(80.2, 23.5, unit="deg"), Angle(0.4, "deg"))
    check("doc_min_distance_input_1rad",
          *ReflectedRegionsFinder(min_distance_input="1 rad").run(target, SkyCoord(83.2, 22.7, unit="deg")))
    gal_center = SkyCoord(0.5, 0.3, unit="deg", frame="galactic")
    gal_on = CircleSkyRegion(SkyCoord(0.0, 0.0, unit="deg", frame="galactic"), Angle("0.2 deg"))
    check("galactic_binsz002", *ReflectedRegionsFinder(binsz="0.02 deg", min_distance="0.05 rad").run(gal_on, gal_center))
    check("galactic_max3", *ReflectedRegionsFinder(max_region_number=3).run(gal_on, gal_center))
    ell = EllipseSkyRegion(CRAB, width=Angle("0.3 deg"), height=Angle("0.15 deg"), angle=Angle("30 deg"))
    check("ellipse", *ReflectedRegionsFinder().run(ell, NORTH, crab_exclusion()))
    rect = RectangleSkyRegion(CRAB, width=Angle("0.2 deg"), height=Angle("0.1 deg"), angle=Angle("10 deg"))
    check("rectangle_wobble4", *WobbleRegionsFinder(n_off_regions=4).run(rect, NORTH))
    check("pointing_inside_on", *ReflectedRegionsFinder().run(CircleSkyRegion(CRAB, Angle("0.3 deg")),
                                                             SkyCoord(83.7, 22.05, unit="deg")))
    check("wobble_overlap", *WobbleRegionsFinder(n_off_regions=5).run(CircleSkyRegion(CRAB, Angle("0.3 deg")), NORTH))
    on = CircleSkyRegion(CRAB, Angle("0.11 deg"))
    check("wobble_circle_mask", *WobbleRegionsFinder(n_off_regions=3).run(on, NORTH, spot_exclusion()))
    check("wobble_point_mask", *WobbleRegionsFinder(n_off_regions=3).run(PointSkyRegion(CRAB), NORTH, spot_exclusion()))


def test_finder_contract_errors():
    with pytest.raises(ValueError, match="angle_increment"):
        ReflectedRegionsFinder(angle_increment="0 rad")
    with pytest.raises(TypeError, match="WobbleRegionsFinder"):
        ReflectedRegionsFinder().run(PointSkyRegion(CRAB), NORTH)
    with pytest.raises(ValueError, match="no pixel centre"):  # radius well below binsz / 2
        ReflectedRegionsFinder().run(CircleSkyRegion(CRAB, Angle("0.001 deg")), NORTH)
    assert issubclass(ReflectedRegionsFinder, RegionsFinder) and issubclass(WobbleRegionsFinder, RegionsFinder)
    assert WobbleRegionsFinder(3, "0.02 deg").binsz.deg == pytest.approx(0.02)
    assert ReflectedRegionsFinder.tag == "ReflectedRegionsFinder" and WobbleRegionsFinder.tag == "WobbleRegionsFinder"


def test_reflected_offsets_and_spacing_are_kept():
    """Every OFF centre sits at the ON offset from the pointing; consecutive ones are
    at least the angular size apart (a property, independent of gammapy)."""
    on = CircleSkyRegion(CRAB, Angle("0.11 deg"))
    regions, _ = ReflectedRegionsFinder().run(on, NORTH)
    offsets = [r.center.separation(NORTH).deg for r in regions]
    assert np.allclose(offsets, CRAB.separation(NORTH).deg, atol=2e-4)
    angles = np.unwrap([NORTH.position_angle(r.center).rad for r in regions])
    assert np.all(np.diff(angles) > 0.43)
