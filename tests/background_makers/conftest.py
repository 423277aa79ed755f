"""Fixtures of the background-maker tests: V1's stacked dataset and its image (V5 input),
the V5 exclusion mask, V1's per-run datasets (V6 input) and gammapy-generated values."""
import json
from pathlib import Path

import pytest

from bkg_helpers import CRAB, RUNS, crab_exclusion  # noqa: F401

EXPECTED = Path(__file__).resolve().parents[1] / "expected" / "background_makers_gammapy21.json"


@pytest.fixture(scope="session")
def expected():
    """Values from tests/reference_tools/make_background_makers_expected.py (gammapy 2.1)."""
    return json.loads(EXPECTED.read_text())


@pytest.fixture(scope="session")
def v1_stacked(reference_dir):
    from gammabin.datasets import MapDataset

    return MapDataset.read(reference_dir / "V1" / "stacked.fits.gz")


@pytest.fixture(scope="session")
def v5_image(v1_stacked):
    return v1_stacked.to_image(name="stacked_image")


@pytest.fixture(scope="session")
def v5_mask(v5_image):
    return crab_exclusion(v5_image.counts.geom.to_image())


@pytest.fixture(scope="session")
def v1_per_run(hess_dir):
    """V1's per-run datasets (6° cutouts of the 5° geometry, MapDatasetMaker + SafeMaskMaker)
    and the V1 image geometry."""
    from gammabin.data import DataStore
    from gammabin.datasets import MapDataset
    from gammabin.makers import MapDatasetMaker, SafeMaskMaker
    from gammabin.maps import MapAxis, WcsGeom

    store = DataStore.from_dir(hess_dir)
    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.02, axes=[axis])
    stacked = MapDataset.create(geom, name="stacked")
    maker = MapDatasetMaker()
    safe = SafeMaskMaker(methods=["aeff-default", "offset-max"], offset_max="3 deg")
    per_run = {}
    for obs_id in RUNS:
        obs = store.obs(obs_id)
        cutout = stacked.cutout(obs.pointing_radec, width="6 deg", name=f"obs_{obs_id}")
        per_run[obs_id] = safe.run(maker.run(cutout, obs), obs)
    return per_run, geom
