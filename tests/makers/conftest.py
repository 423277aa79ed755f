"""Fixtures of the maker tests: the four H.E.S.S. Crab runs (read once per session) and
the reference-file comparison rules of shared/reference/README.md."""
import numpy as np
import pytest

CRAB_RUNS = [23523, 23592, 23526, 23559]


@pytest.fixture(scope="session")
def hess_store(hess_dir):
    from gammabin.data import DataStore

    return DataStore.from_dir(hess_dir)


@pytest.fixture(scope="session")
def crab_observations(hess_store):
    return {obs_id: hess_store.obs(obs_id) for obs_id in CRAB_RUNS}


def assert_rtol_per_bin(actual, reference, rtol, what=""):
    """|a − r| ≤ rtol·(|r| + 1e-3·max|r|), NaN where the reference has NaN."""
    actual = np.asarray(actual, dtype=float)
    reference = np.asarray(reference, dtype=float)
    assert actual.shape == reference.shape, f"{what}: shape {actual.shape} != {reference.shape}"
    nan = np.isnan(reference)
    assert np.array_equal(nan, np.isnan(actual)), f"{what}: NaN positions differ"
    a, r = actual[~nan], reference[~nan]
    bound = rtol * (np.abs(r) + 1e-3 * np.abs(r).max())
    worst = np.max(np.abs(a - r) - bound) if a.size else -1
    assert worst <= 0, f"{what}: off by up to {np.max(np.abs(a - r) / np.maximum(bound, 1e-300)):.3g}× the tolerance"


def assert_irf_close(actual, reference, what=""):
    """PSF/EDISP rule: rtol 1e-2 on the sum and per bin above 1e-3 of the maximum."""
    actual = np.asarray(actual, dtype=float)
    reference = np.asarray(reference, dtype=float)
    assert actual.shape == reference.shape, f"{what}: shape {actual.shape} != {reference.shape}"
    np.testing.assert_allclose(actual.sum(), reference.sum(), rtol=1e-2, err_msg=what)
    big = np.abs(reference) > 1e-3 * np.abs(reference).max()
    np.testing.assert_allclose(actual[big], reference[big], rtol=1e-2, err_msg=what)


@pytest.fixture(scope="session")
def compare():
    class Compare:
        rtol = staticmethod(assert_rtol_per_bin)
        irf = staticmethod(assert_irf_close)

    return Compare
