"""gammabin.stats against hand-computed Li & Ma eq. 17 and its properties."""
import numpy as np

from gammabin import stats


def test_li_ma_hand_computed():
    # n_on=10, n_off=20, alpha=0.1: n_tot=30
    # 10 ln(11 · 10/30) + 20 ln(1.1 · 20/30) = 10 ln(11/3) + 20 ln(11/15)
    ts = 2 * (10 * np.log(11 / 3) + 20 * np.log(11 / 15))
    assert np.isclose(stats.li_ma_significance(10, 20, 0.1), np.sqrt(ts), rtol=1e-14)
    assert np.isclose(np.sqrt(ts), 3.68503, atol=1e-5)
    assert stats.excess(10, 20, 0.1) == 8.0


def test_wstat_sqrt_ts_equals_li_ma():
    rng = np.random.default_rng(1)
    n_on = rng.integers(0, 50, 100).astype(float)
    n_off = rng.integers(1, 200, 100).astype(float)
    alpha = rng.uniform(0.01, 1, 100)
    assert np.allclose(stats.wstat_sqrt_ts(n_on, n_off, alpha), stats.li_ma_significance(n_on, n_off, alpha), atol=1e-9)


def test_li_ma_zero_excess_and_sign():
    assert stats.li_ma_significance(10, 100, 0.1) == 0.0
    assert stats.li_ma_significance(5, 100, 0.1) < 0 < stats.li_ma_significance(15, 100, 0.1)
    # zero counts are finite (0·log 0 := 0)
    assert np.isfinite(stats.li_ma_significance(0, 10, 0.5))
    assert np.isfinite(stats.li_ma_significance(3, 0, 0.5))


def test_wstat_profile_without_signal():
    # mu_sig = 0: alpha·mu_bkg = alpha (n_on + n_off) / (1 + alpha)
    mu = stats.wstat_mu_bkg(10, 20, 0.1, 0.0)
    assert np.isclose(0.1 * mu, 0.1 * 30 / 1.1)
    # at the best-fit signal the statistic is the goodness-of-fit minimum (0 for exact data)
    assert np.isclose(stats.wstat(10, 20, 0.1, 10 - 2.0), 0.0, atol=1e-12)
