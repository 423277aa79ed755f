"""Counting statistics on plain arrays: excess, Li & Ma significance, WStat.

Every function takes array-likes (broadcast together) and returns float64
numpy arrays (0-d for scalar input).  No units, no objects: ring makers,
ON/OFF datasets and summaries share these.

Conventions (gammapy 2.1):
- ``alpha`` is the ON/OFF exposure ratio, ``n_bkg = alpha * n_off``.
- Significances carry the sign of the excess and are 0 where the test
  statistic is 0 or negative (round-off).
- WStat terms with ``n == 0`` contribute 0 (``0 * log 0 := 0``).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "excess",
    "li_ma_significance",
    "cash",
    "cash_sqrt_ts",
    "wstat",
    "wstat_mu_bkg",
    "wstat_gof_terms",
    "wstat_ts",
    "wstat_sqrt_ts",
]


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _xlogy(x, y):
    """``x * log(y)`` with 0 where ``x == 0`` (0·log 0 := 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(y))


def excess(n_on, n_off, alpha):
    """Excess counts ``n_on - alpha * n_off``."""
    n_on, n_off, alpha = _f64(n_on, n_off, alpha)
    return n_on - alpha * n_off


def li_ma_significance(n_on, n_off, alpha):
    """Li & Ma (1983) eq. 17 significance, signed by the excess.

    ``S = sign(n_on - alpha n_off) * sqrt(2 [n_on ln((1+a)/a · n_on/(n_on+n_off))
    + n_off ln((1+a) · n_off/(n_on+n_off))])``.  Equal to ``wstat_sqrt_ts`` with
    no signal model.  Zero-count terms contribute 0; the square root is taken of
    the test statistic clipped at 0.
    """
    n_on, n_off, alpha = _f64(n_on, n_off, alpha)
    n_tot = n_on + n_off
    with np.errstate(divide="ignore", invalid="ignore"):
        t_on = _xlogy(n_on, (1 + alpha) / alpha * n_on / n_tot)
        t_off = _xlogy(n_off, (1 + alpha) * n_off / n_tot)
    ts = 2.0 * (t_on + t_off)
    return np.sign(n_on - alpha * n_off) * np.sqrt(np.clip(ts, 0, None))


def cash(n_on, mu_on, truncation_value=1e-25):
    """Cash statistic per bin ``2 (mu - n ln mu)``, mu floored at ``truncation_value``."""
    n_on, mu_on = _f64(n_on, mu_on)
    mu_on = np.where(mu_on <= truncation_value, truncation_value, mu_on)
    return 2.0 * (mu_on - n_on * np.log(mu_on))


def cash_sqrt_ts(n_on, mu_bkg):
    """Signed ``sqrt(2 (n ln(n/b) - (n - b)))`` of a Poisson count against a known background."""
    n_on, mu_bkg = _f64(n_on, mu_bkg)
    ts = 2.0 * (_xlogy(n_on, n_on / mu_bkg) - (n_on - mu_bkg))
    return np.sign(n_on - mu_bkg) * np.sqrt(np.clip(ts, 0, None))


def wstat_mu_bkg(n_on, n_off, alpha, mu_sig):
    """Profile-likelihood background (in OFF units) for WStat.

    ``mu_bkg = (C + sqrt(C² + 4 a (a+1) n_off mu_sig)) / (2 a (a+1))`` with
    ``C = a (n_on + n_off) - (1 + a) mu_sig``.  NaN where ``alpha == 0``.
    """
    n_on, n_off, alpha, mu_sig = _f64(n_on, n_off, alpha, mu_sig)
    c = alpha * (n_on + n_off) - (1 + alpha) * mu_sig
    d = np.sqrt(c**2 + 4 * alpha * (alpha + 1) * n_off * mu_sig)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (c + d) / (2 * alpha * (alpha + 1))


def wstat_gof_terms(n_on, n_off):
    """Model-independent terms turning WStat into a goodness of fit: ``-2 n (1 - ln n)`` each."""
    n_on, n_off = _f64(n_on, n_off)
    return 2.0 * ((_xlogy(n_on, n_on) - n_on) + (_xlogy(n_off, n_off) - n_off))


def wstat(n_on, n_off, alpha, mu_sig, mu_bkg=None, extra_terms=True):
    """WStat per bin (Poisson ON and OFF counts, background profiled out).

    ``2 [mu_sig + (1+a) mu_bkg - n_on ln(mu_sig + a mu_bkg) - n_off ln(mu_bkg)]``
    plus ``wstat_gof_terms`` when ``extra_terms``.
    """
    n_on, n_off, alpha, mu_sig = _f64(n_on, n_off, alpha, mu_sig)
    if mu_bkg is None:
        mu_bkg = wstat_mu_bkg(n_on, n_off, alpha, mu_sig)
    mu_bkg = np.asarray(mu_bkg, dtype=np.float64)
    stat = 2.0 * (
        mu_sig
        + (1 + alpha) * mu_bkg
        - _xlogy(n_on, mu_sig + alpha * mu_bkg)
        - _xlogy(n_off, mu_bkg)
    )
    if extra_terms:
        stat = stat + wstat_gof_terms(n_on, n_off)
    return stat


def wstat_ts(n_on, n_off, alpha, mu_sig=0.0):
    """Test statistic of the excess over ``mu_sig``: WStat(null) − WStat(best signal)."""
    n_on, n_off, alpha, mu_sig = _f64(n_on, n_off, alpha, mu_sig)
    n_sig = n_on - alpha * n_off - mu_sig
    return wstat(n_on, n_off, alpha, mu_sig) - wstat(n_on, n_off, alpha, n_sig + mu_sig)


def wstat_sqrt_ts(n_on, n_off, alpha, mu_sig=0.0):
    """Signed square root of ``wstat_ts`` (= Li & Ma eq. 17 for ``mu_sig = 0``)."""
    n_on, n_off, alpha, mu_sig = _f64(n_on, n_off, alpha, mu_sig)
    ts = wstat_ts(n_on, n_off, alpha, mu_sig)
    return np.sign(n_on - alpha * n_off - mu_sig) * np.sqrt(np.clip(ts, 0, None))
