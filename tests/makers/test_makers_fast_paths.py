"""The speed paths of the builders give the numbers of the step-by-step recipes they
replace (datasets-makers.md §2.2/§2.4): fused background integrals vs log-rate +
power-law integration, the EDISP kernel's node-CDF path (with its clip correction) vs
the per-pixel pdf recipe, the shared IRF cache vs a fresh read, and the Brent root
finder vs scipy's."""
import numpy as np
import pytest

EDISP_RUNS = [
    20136,  # non-negative table: only true energies beyond 100 TeV are extrapolated
    20282,  # ~4450 negative EDISP entries in the file: clip correction
    21613,  # rows where the clip removes (almost) the whole pdf: cancellation fallback
]


def _seed_geoms(obs, width=4, binsz=0.02):
    from gammabin.datasets import MapDataset
    from gammabin.makers.builders.dataset_step import observation_pointing
    from gammabin.maps import MapAxis, WcsGeom

    axis = MapAxis.from_energy_bounds(0.1, 100, nbin=20, unit="TeV")
    axis_true = MapAxis.from_energy_bounds(0.05, 150, nbin=30, unit="TeV", name="energy_true")
    pointing = observation_pointing(obs)
    geom = WcsGeom.create(skydir=pointing, width=width, binsz=binsz, axes=[axis])
    return pointing, MapDataset.create(geom, energy_axis_true=axis_true).geoms


@pytest.mark.parametrize("obs_id", EDISP_RUNS)
def test_edisp_kernel_fast_path_equals_recipe(hess_store, obs_id):
    from gammabin.makers.builders import edisp as ed
    from gammabin.makers.builders.regions import geom_offsets

    obs = hess_store.obs(obs_id)
    pointing, geoms = _seed_geoms(obs)
    geom = geoms["geom_edisp"]
    energy_true = geom.axes["energy_true"].center.to_value("TeV")
    reco_edges = geom.axes["energy"].edges.to_value("TeV")
    offset = geom_offsets(geom, pointing)
    fast = ed.kernel_values_on_pixels(obs.edisp, energy_true, offset, reco_edges)
    with np.errstate(all="ignore"):
        exact = ed._kernel_exact(obs.edisp, energy_true, offset, reco_edges, 1e-8)
    assert np.isfinite(fast).all()
    np.testing.assert_allclose(fast, exact, rtol=0, atol=1e-12)
    # a kernel row sums to the probability of landing in the reco range: ≤ 1
    assert fast.sum(axis=1).max() <= 1 + 1e-12


def test_background_fused_equals_two_step(hess_store):
    from gammabin import kernels
    from gammabin.makers.builders.bkg_fused import background_integrals
    from gammabin.makers.builders.dataset_step import prepared_background
    from gammabin.makers.builders.irf_eval import bkg_log_rate_on_pixels
    from gammabin.makers.builders.pixels import pixel_grid

    obs = hess_store.obs(23523)
    pointing, geoms = _seed_geoms(obs, width=12, binsz=0.05)  # beyond the FoV edges
    geom = geoms["geom"]
    bkg = prepared_background(obs.bkg)
    edges = geom.axes["energy"].edges.to_value("TeV")
    edges = np.concatenate([[0.001], edges[:5], [5e3]])  # energies outside the model too
    grid = pixel_grid(geom)
    lon, lat = grid.fov_coordinates(*pointing, reverse_lon=True)
    scale = grid.solid_angle * 1234.5
    scale[:7] = np.nan  # NaN solid angles stay NaN
    fused = background_integrals(bkg, edges, scale, fov_lon=lon, fov_lat=lat)
    log_rate = bkg_log_rate_on_pixels(bkg, edges, fov_lon=lon, fov_lat=lat)
    two_step = kernels.integrate_power_law_bins(edges, log_rate) * scale
    assert (two_step == 0).any() and (two_step > 0).any()
    np.testing.assert_allclose(fused, two_step, rtol=1e-13, atol=0, equal_nan=True)


@pytest.mark.filterwarnings("ignore:duplicate observation ids")
def test_irf_cache_shares_read_only_data(hess_dir):
    from gammabin.data import DataStore

    store = DataStore.from_dir(hess_dir)
    first, second = store.get_observations([23523, 23523])
    assert first.aeff is not second.aeff  # own views ...
    assert first.aeff.data is second.aeff.data  # ... of one read-only array
    with pytest.raises(ValueError):
        first.aeff.data[0, 0] = 1.0  # in-place change raises instead of leaking
    fresh = store.obs(23523).bkg
    fresh.data = fresh.data * 2  # rebinding a view leaves the others alone
    np.testing.assert_array_equal(second.bkg.data * 2, fresh.data)
    assert first.bkg.meta is not second.bkg.meta


def test_brentq_port_matches_scipy():
    from scipy.optimize import brentq

    from gammabin.makers.safe_mask import _brentq

    cases = [
        (lambda x: np.cos(x) - x, 0.0, 1.0),
        (lambda x: x**3 - 2 * x - 5, 2.0, 3.0),
        (lambda x: 1e12 * ((x / 0.3) ** -2.1 - 0.01), 0.3, 50.0),
        (lambda x: np.exp(x) - 1e4, -3.0, 20.0),
    ]
    for f, a, b in cases:
        assert _brentq(f, a, b) == brentq(f, a, b)
    with pytest.raises(ValueError):
        _brentq(lambda x: x * x + 1, -1.0, 1.0)


def test_gather_pixels_dense_product_equals_per_row_gathers():
    from gammabin.makers.builders import irf_grid

    rng = np.random.default_rng(7)
    table = rng.uniform(0, 5, (100, 6))  # 100 rows × 6 offset nodes: the dense-product path
    nodes = np.arange(6.0)
    x = rng.uniform(-0.7, 5.7, 1000)  # some extrapolating pixels too
    corners = [irf_grid.kernels.grid_brackets(nodes, x)]
    assert irf_grid._use_matmul(table, [(i, w) for i, w in corners[0]])
    dense = irf_grid.gather_pixels(table, corners)
    expected = sum(table[:, i] * w for i, w in corners[0])
    np.testing.assert_allclose(dense, expected, rtol=1e-14, atol=1e-14)
    table[3, 2] = np.inf  # non-finite tables keep the per-row path (0·inf would leak)
    assert not irf_grid._use_matmul(table, [(i, w) for i, w in corners[0]])
    mixed = irf_grid.gather_pixels(table, corners)
    assert np.isfinite(mixed[np.arange(100) != 3]).all()


def test_real_aeff_with_negative_entries_reads_and_clips(hess_store):
    """H.E.S.S. DR1 run 20282 has negative EFFAREA entries (as 12 other runs): gammapy
    reads them and evaluation clips at 0; only an all-non-positive table is rejected."""
    from gammabin.makers.builders.irf_eval import aeff_on_pixels

    aeff = hess_store.obs(20282).aeff
    assert aeff.data.min() < 0 < aeff.data.max()
    area = aeff_on_pixels(aeff, np.geomspace(0.1, 100, 30), np.linspace(0, 2.5, 50))
    assert area.min() >= 0 and area.max() > 0
