"""The V1 chain (seed example 6) with gammabin's makers, stacked by MapDataset, against
gammapy 2.1's ``V1/stacked.fits.gz`` at the reference tolerances (counts/mask exact,
exposure 1e-4, background 1e-3, PSF/EDISP 1e-2)."""
import numpy as np
import pytest

from gammabin.datasets import MapDataset
from gammabin.maps import MapAxis, WcsGeom

RUNS = [23523, 23592, 23526, 23559]


def _per_bin_ok(x, y, rtol):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return np.all(np.abs(x - y) <= rtol * (np.abs(y) + 1e-3 * np.abs(y).max()))


def _irf_ok(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    big = np.abs(y) > 1e-3 * np.abs(y).max()
    return np.isclose(x.sum(), y.sum(), rtol=1e-2) and np.all(np.abs(x - y)[big] <= 1e-2 * np.abs(y)[big])


@pytest.fixture(scope="module")
def chain(hess_dir):
    makers = pytest.importorskip("gammabin.makers")
    if not hasattr(makers, "MapDatasetMaker") or not hasattr(makers, "SafeMaskMaker"):
        pytest.skip("gammabin.makers has no MapDatasetMaker/SafeMaskMaker yet")
    from gammabin.data import DataStore

    observations = DataStore.from_dir(hess_dir).get_observations(RUNS)
    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), axes=[axis], width=5, binsz=0.02)
    maker = makers.MapDatasetMaker()
    safe = makers.SafeMaskMaker(methods=["aeff-default", "offset-max"], offset_max="3 deg")
    stacked = MapDataset.create(geom, name="stacked")
    for obs in observations:
        cutout = stacked.cutout(obs.get_pointing_icrs(obs.tmid), width="6 deg")
        stacked.stack(safe.run(maker.run(cutout, obs), obs))
    return stacked


def test_v1_stacked_equals_gammapy(chain, reference_dir):
    ref = MapDataset.read(reference_dir / "V1" / "stacked.fits.gz")
    assert np.abs(chain.counts.data - ref.counts.data).max() <= 0.01
    assert np.array_equal(chain.mask_safe.data, ref.mask_safe.data)
    assert _per_bin_ok(chain.exposure.data, ref.exposure.data, 1e-4)
    assert _per_bin_ok(chain.background.data, ref.background.data, 1e-3)
    assert _irf_ok(chain.psf.psf_map.data, ref.psf.psf_map.data)
    assert _irf_ok(chain.psf.exposure_map.data, ref.psf.exposure_map.data)
    assert _irf_ok(chain.edisp.edisp_map.data, ref.edisp.edisp_map.data)
    assert _irf_ok(chain.edisp.exposure_map.data, ref.edisp.exposure_map.data)
    for m in (chain.counts, chain.exposure, chain.background, chain.psf.psf_map, chain.edisp.edisp_map):
        assert m.data.dtype == np.float32
    assert str(chain) == str(ref)
