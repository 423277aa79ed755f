"""Grid-interpolation and log-log integration kernels of gammabin.kernels (IRF section)."""
import numpy as np
import pytest
from scipy.interpolate import RegularGridInterpolator

from gammabin import kernels


@pytest.mark.parametrize("method", ["linear", "nearest"])
def test_grid_interpolation_matches_scipy_with_extrapolation(method):
    rng = np.random.default_rng(1)
    nodes = [np.sort(rng.uniform(0, 10, n)) for n in (5, 7, 4)]
    values = rng.uniform(0, 3, (5, 7, 4)).astype(np.float32)
    points = [rng.uniform(-3, 13, 200) for _ in range(3)]  # inside and far outside
    ref = RegularGridInterpolator(nodes, values, method=method, bounds_error=False, fill_value=None)
    expected = ref(np.stack(points, axis=-1))
    corners = [kernels.grid_brackets(n, p, method) for n, p in zip(nodes, points)]
    np.testing.assert_allclose(kernels.grid_interpolate(values, corners), expected, rtol=1e-13, atol=1e-13)


def test_grid_interpolation_is_separable_broadcast():
    """(n, 1) and (m,) coordinates give the (n, m) outer-product result."""
    nodes_a, nodes_b = np.arange(4.0), np.arange(3.0)
    values = np.arange(12.0).reshape(4, 3)  # v = 3a + b: linear, so exact everywhere
    a, b = np.array([-1.0, 0.5, 3.5])[:, None], np.array([0.25, 2.0, 4.0])
    out = kernels.grid_interpolate(values, [kernels.grid_brackets(nodes_a, a), kernels.grid_brackets(nodes_b, b)])
    np.testing.assert_allclose(out, 3 * a + b)


def test_outside_edges_last_edge_inclusive():
    edges = np.array([0.0, 1.0, 2.0])
    x = np.array([-1e-12, 0.0, 2.0, 2.0 + 1e-12, np.nan, np.inf])
    assert kernels.outside_edges(x, edges).tolist() == [True, False, False, True, True, True]


def test_log_log_integral_exact_for_power_laws():
    x = np.geomspace(1, 100, 6)
    for index in (2.5, 1.0, 0.3):  # 1.0 uses the logarithmic branch
        y = x**-index
        got = kernels.integrate_log_log(x, y)
        if index == 1.0:
            want = np.log(x[1:] / x[:-1])
        else:
            want = (x[1:] ** (1 - index) - x[:-1] ** (1 - index)) / (1 - index)
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_log_log_integral_zero_ends():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([0.0, 5.0, 0.0, 0.0])
    got = kernels.integrate_log_log(x, y)
    assert got.tolist() == [0.0, 0.0, 0.0]  # y0 = 0, y1 = 0, both 0


def test_log_log_integral_axis():
    x = np.geomspace(1, 10, 4)[:, None] * np.ones((1, 3))
    y = x**-2.0 * np.array([1.0, 2.0, 3.0])
    got = kernels.integrate_log_log(x, y, axis=0)
    assert got.shape == (3, 3)
    np.testing.assert_allclose(got[:, 2], 3 * got[:, 0], rtol=1e-12)


@pytest.mark.parametrize("n_entries", [50, 5000])  # far fewer entries than bins, and more
def test_histogram_flat_counts_every_entry_once(n_entries):
    rng = np.random.default_rng(3)
    shape = (3, 20, 30)
    indices = [rng.integers(-1, n + 1, n_entries) for n in shape]  # some out of range
    expected = np.zeros(shape)
    for i, j, k in zip(*indices):
        if 0 <= i < shape[0] and 0 <= j < shape[1] and 0 <= k < shape[2]:
            expected[i, j, k] += 1
    for dtype in (float, np.float32):
        hist = kernels.histogram_flat(indices, shape, dtype=dtype)
        assert hist.dtype == dtype and np.array_equal(hist, expected)
    weights = rng.random(n_entries)
    weighted = kernels.histogram_flat(indices, shape, weights=weights)
    inside = [(0 <= i < shape[0]) and (0 <= j < shape[1]) and (0 <= k < shape[2]) for i, j, k in zip(*indices)]
    assert np.isclose(weighted.sum(), weights[inside].sum(), rtol=1e-12)


def test_nan_to_num_inplace_gives_numpys_values():
    values = np.array([[1.5, np.nan, -np.inf], [np.inf, -0.0, 3.0]])
    expected = np.nan_to_num(values)
    out = kernels.nan_to_num_inplace(values)
    assert out is values and np.array_equal(values, expected)
    assert np.array_equal(np.signbit(values), np.signbit(expected))
    finite = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(kernels.nan_to_num_inplace(finite.copy()), finite)
