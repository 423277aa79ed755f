"""Generate tests/expected/region_finders_gammapy21.json with gammapy 2.1.

Run with the gammapy venv:  <gammapy-venv>/bin/python tests/reference_tools/make_region_finders_expected.py

Records, per case, gammapy's OFF-region centres (deg, in the region's frame), radii (deg)
and the reference WCS shape, for the V3/V4 setups (real pointings) and synthetic ones
(no exclusion, galactic frame, ellipse, pointing inside the ON region, wobble overlap)."""
import json
from pathlib import Path

from astropy.coordinates import Angle, SkyCoord
from regions import CircleSkyRegion, EllipseSkyRegion, PointSkyRegion, RectangleSkyRegion

from gammapy.data import DataStore
from gammapy.makers import ReflectedRegionsFinder, WobbleRegionsFinder
from gammapy.maps import WcsGeom

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
OUT = Path(__file__).resolve().parents[1] / "expected" / "region_finders_gammapy21.json"
CRAB = SkyCoord(83.633, 22.014, unit="deg")


def crab_exclusion():
    geom = WcsGeom.create(skydir=CRAB, npix=(150, 150), binsz=0.05, proj="TAN", frame="icrs")
    return geom.region_mask([CircleSkyRegion(CRAB, Angle("0.3 deg"))], inside=False)


def describe(region):
    out = {"type": type(region).__name__}
    c = region.center
    sph = c.spherical
    out["lon"], out["lat"] = float(sph.lon.deg), float(sph.lat.deg)
    if hasattr(region, "radius"):
        out["radius_deg"] = float(region.radius.to_value("deg"))
    return out


def run_case(finder, region, center, mask=None):
    regions, wcs = finder.run(region=region, center=center, exclusion_mask=mask)
    return {
        "center": [float(center.icrs.ra.deg), float(center.icrs.dec.deg)],
        "npix": [int(v) for v in wcs.array_shape],
        "regions": [describe(r) for r in regions],
    }


def main():
    cases = {}
    store = DataStore.from_dir(DATA / "hess-dl3-dr1")
    on = CircleSkyRegion(CRAB, Angle("0.11 deg"))
    mask = crab_exclusion()
    for obs_id in [23523, 23592, 23526, 23559]:
        obs = store.obs(obs_id)
        center = obs.get_pointing_icrs(obs.tmid)
        cases[f"v3_{obs_id}"] = run_case(ReflectedRegionsFinder(), on, center, mask)
        cases[f"v3_{obs_id}_nomask"] = run_case(ReflectedRegionsFinder(), on, center)
    magic = DataStore.from_dir(DATA / "magic" / "rad_max" / "data")
    for obs_id in [5029747, 5029748]:
        obs = magic.obs(obs_id, required_irf="point-like")
        center = obs.get_pointing_icrs(obs.tmid)
        cases[f"v4_{obs_id}"] = run_case(WobbleRegionsFinder(n_off_regions=3), PointSkyRegion(CRAB), center)

    pointing = SkyCoord(83.2, 22.7, unit="deg")
    target = SkyCoord(80.2, 23.5, unit="deg")
    cases["doc_min_distance_input_1rad"] = run_case(
        ReflectedRegionsFinder(min_distance_input="1 rad"), CircleSkyRegion(target, Angle(0.4, "deg")), pointing)
    gal_center = SkyCoord(0.5, 0.3, unit="deg", frame="galactic")
    gal_on = CircleSkyRegion(SkyCoord(0.0, 0.0, unit="deg", frame="galactic"), Angle("0.2 deg"))
    cases["galactic_binsz002"] = run_case(ReflectedRegionsFinder(binsz="0.02 deg", min_distance="0.05 rad"),
                                          gal_on, gal_center)
    cases["galactic_max3"] = run_case(ReflectedRegionsFinder(max_region_number=3), gal_on, gal_center)
    ell = EllipseSkyRegion(CRAB, width=Angle("0.3 deg"), height=Angle("0.15 deg"), angle=Angle("30 deg"))
    cases["ellipse"] = run_case(ReflectedRegionsFinder(), ell, SkyCoord(83.633, 22.514, unit="deg"), mask)
    rect = RectangleSkyRegion(CRAB, width=Angle("0.2 deg"), height=Angle("0.1 deg"), angle=Angle("10 deg"))
    cases["rectangle_wobble4"] = run_case(WobbleRegionsFinder(n_off_regions=4), rect, SkyCoord(83.633, 22.514, unit="deg"))
    cases["pointing_inside_on"] = run_case(ReflectedRegionsFinder(), CircleSkyRegion(CRAB, Angle("0.3 deg")),
                                           SkyCoord(83.7, 22.05, unit="deg"))
    cases["wobble_overlap"] = run_case(WobbleRegionsFinder(n_off_regions=5), CircleSkyRegion(CRAB, Angle("0.3 deg")),
                                       SkyCoord(83.633, 22.514, unit="deg"))
    cases["wobble_circle_mask"] = run_case(WobbleRegionsFinder(n_off_regions=3), on,
                                           SkyCoord(83.633, 22.514, unit="deg"), crab_exclusion_far())
    cases["wobble_point_mask"] = run_case(WobbleRegionsFinder(n_off_regions=3), PointSkyRegion(CRAB),
                                          SkyCoord(83.633, 22.514, unit="deg"), crab_exclusion_far())
    OUT.write_text(json.dumps({"generator": "tests/reference_tools/make_region_finders_expected.py",
                               "gammapy": __import__("gammapy").__version__, "cases": cases}, indent=1))
    print(f"wrote {OUT} ({len(cases)} cases)")


def crab_exclusion_far():
    """A mask excluding a 0.1 deg spot at the +90 deg wobble position (east of the pointing)."""
    geom = WcsGeom.create(skydir=CRAB, npix=(80, 80), binsz=0.02, proj="TAN", frame="icrs")
    spot = SkyCoord(83.633, 22.514, unit="deg").directional_offset_by(Angle("90 deg"), Angle("0.5 deg"))
    return geom.region_mask([CircleSkyRegion(spot, Angle("0.1 deg"))], inside=False)


if __name__ == "__main__":
    main()
