"""stats.py: Wilson intervals, Clopper-Pearson lower bounds, the exact binomial test, the normal quantile and DER.

Expected values are published ones (Wilson 8/10 -> (0.4902, 0.9433)), closed forms worked out in the comments, or
an independent route (the Beta quantile by numeric integration of its density instead of the binomial tail).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from backdoor_playground.defense import stats


def test_wilson_matches_known_values():
    lo, hi = stats.wilson(8, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)
    lo, hi = stats.wilson(0, 10)
    # k = 0: hi = (z^2/n) / (1 + z^2/n) = 0.38415 / 1.38415
    assert lo == 0.0 and round(hi, 4) == 0.2775
    lo, hi = stats.wilson(10, 10)
    assert round(lo, 4) == 0.7225 and hi == 1.0
    assert stats.wilson(0, 0) == (None, None)


def test_wilson_interval_is_symmetric_in_k_and_n_minus_k():
    for k in range(0, 21):
        lo, hi = stats.wilson(k, 20)
        lo2, hi2 = stats.wilson(20 - k, 20)
        assert lo == pytest.approx(1 - hi2, abs=1e-12) and hi == pytest.approx(1 - lo2, abs=1e-12)
        assert lo <= k / 20 <= hi


def test_rate_carries_value_interval_and_counts():
    r = stats.rate(np.int64(3), 4)
    assert r["value"] == 0.75 and r["k"] == 3 and r["n"] == 4 and type(r["k"]) is int
    assert (r["lo"], r["hi"]) == stats.wilson(3, 4)
    assert stats.rate(0, 0) == {"value": None, "lo": None, "hi": None, "k": 0, "n": 0}


def beta_quantile_by_integration(alpha: float, a: int, b: int) -> float:
    """The alpha quantile of Beta(a, b): its density integrated with the trapezoid rule on a fine grid, then
    interpolated (independent of the binomial-tail route stats uses)."""
    t = np.linspace(0.0, 1.0, 400_001)
    log_b = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_t = np.where(t > 0, (a - 1) * np.log(t), 0.0 if a == 1 else -np.inf)
        log_u = np.where(t < 1, (b - 1) * np.log1p(-t), 0.0 if b == 1 else -np.inf)
    dens = np.exp(log_t + log_u - log_b)
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) * 0.5 * (t[1] - t[0]))])
    return float(np.interp(alpha, cdf, t))


@pytest.mark.parametrize("k,n,alpha", [(7, 20, 0.05), (50, 100, 0.05), (95, 100, 0.001), (1, 30, 0.01)])
def test_clopper_pearson_lower_equals_the_beta_quantile(k, n, alpha):
    assert stats.clopper_pearson_lower(k, n, alpha) == pytest.approx(
        beta_quantile_by_integration(alpha, k, n - k + 1), abs=2e-5)


def test_clopper_pearson_edge_cases():
    assert stats.clopper_pearson_lower(0, 50, 0.05) == 0.0
    # k = n: P(X >= n) = p^n = alpha
    assert stats.clopper_pearson_lower(100, 100, 0.001) == pytest.approx(0.001 ** 0.01, rel=1e-15)
    assert stats.clopper_pearson_lower(1, 1, 0.05) == pytest.approx(0.05)
    # the bound rises with k and falls as alpha shrinks
    lows = [stats.clopper_pearson_lower(k, 40, 0.01) for k in range(41)]
    assert all(a < b for a, b in zip(lows, lows[1:]))
    assert stats.clopper_pearson_lower(30, 40, 0.001) < stats.clopper_pearson_lower(30, 40, 0.01)
    with pytest.raises(ValueError):
        stats.clopper_pearson_lower(5, 4, 0.01)


def test_clopper_pearson_tail_at_the_bound_is_alpha():
    p = stats.clopper_pearson_lower(990, 1000, 0.001)
    # P(X >= 990; p) summed directly with math.comb (exact integers, no log-sum-exp)
    tail = sum(math.comb(1000, j) * p ** j * (1 - p) ** (1000 - j) for j in range(990, 1001))
    assert tail == pytest.approx(0.001, rel=1e-6)


def test_binomial_test_symmetric_cases():
    assert stats.binom_two_sided_p(5, 10) == pytest.approx(1.0)
    assert stats.binom_two_sided_p(0, 10) == pytest.approx(2 / 1024)
    # 3 of 10: 2 * (1 + 10 + 45 + 120) / 1024
    assert stats.binom_two_sided_p(3, 10) == pytest.approx(352 / 1024)
    for k in range(0, 31):
        assert stats.binom_two_sided_p(k, 30) == pytest.approx(stats.binom_two_sided_p(30 - k, 30))
    assert stats.binom_two_sided_p(0, 0) == 1.0


def test_binomial_test_asymmetric_p():
    # n = 5, p = 0.1: pmf(3) = 10 * 0.001 * 0.81 = 0.0081; only pmf(4) = 0.00045 and pmf(5) = 0.00001 are smaller
    assert stats.binom_two_sided_p(3, 5, 0.1) == pytest.approx(0.0081 + 0.00045 + 0.00001)
    assert stats.binom_two_sided_p(0, 5, 0.1) == pytest.approx(1.0)  # the most likely outcome


def test_norm_ppf_and_cdf():
    assert stats.norm_ppf(0.975) == pytest.approx(stats.Z95, abs=1e-9)
    assert stats.norm_ppf(0.5) == 0.0
    assert stats.norm_cdf(stats.norm_ppf(0.1)) == pytest.approx(0.1)


def test_der():
    assert stats.der(1.0, 0.0, 0.9, 0.9) == 1.0              # attack removed, no accuracy lost
    assert stats.der(0.5, 0.5, 0.9, 0.8) == pytest.approx(0.45)  # (0 - 0.1 + 1) / 2
    assert stats.der(0.2, 0.6, 0.8, 0.9) == 0.5              # ASR rose, CA rose: both clamp to 0
    assert stats.der(None, 0.0, 0.9, 0.9) is None
