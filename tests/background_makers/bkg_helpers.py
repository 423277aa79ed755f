"""Shared values of the background-maker tests (imported by name, not through conftest)."""
from astropy.coordinates import Angle, SkyCoord

CRAB = SkyCoord(83.633, 22.014, unit="deg")
RUNS = [23523, 23592, 23526, 23559]


def crab_exclusion(geom):
    """False within 0.3° of the Crab (pixel centres strictly inside), True elsewhere."""
    from regions import CircleSkyRegion

    return geom.region_mask([CircleSkyRegion(CRAB, Angle("0.3 deg"))], inside=False)
