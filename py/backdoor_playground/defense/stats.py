"""Small exact statistics without scipy (Pyodide ships numpy only): Wilson intervals, Clopper-Pearson lower bounds,
the exact binomial test, the normal quantile and BackdoorBench's defense effectiveness rating."""

from __future__ import annotations

import functools
import math
from statistics import NormalDist

import numpy as np

Z95 = 1.959963984540054  # Phi^-1(0.975)
_NORMAL = NormalDist()


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) with p = k/n."""
    if n <= 0:
        return None, None
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    # the k = 0 / k = n ends are exactly 0 / 1; rounding would leave them a hair off
    return (0.0 if k <= 0 else max(0.0, centre - half)), (1.0 if k >= n else min(1.0, centre + half))


def rate(k: int, n: int) -> dict:
    """{"value": k/n, "lo", "hi": its 95 % Wilson interval, "k", "n"}; value None when n == 0."""
    k, n = int(k), int(n)
    lo, hi = wilson(k, n)
    return {"value": k / n if n else None, "lo": lo, "hi": hi, "k": k, "n": n}


@functools.lru_cache(maxsize=8)
def _log_comb(n: int) -> np.ndarray:
    """log C(n, j) for j = 0..n (lgamma keeps n up to 10^5 and beyond finite)."""
    j = np.arange(n + 1, dtype=np.float64)
    lg = np.vectorize(math.lgamma, otypes=[np.float64])
    return math.lgamma(n + 1.0) - lg(j + 1.0) - lg(n - j + 1.0)


def _log_sum_exp(v: np.ndarray) -> float:
    if not len(v):
        return -math.inf
    top = float(v.max())
    if top == -math.inf:
        return -math.inf
    return top + math.log(float(np.exp(v - top).sum()))


def _log_pmf(n: int, p: float, start: int = 0) -> np.ndarray:
    """log P(X = j) for X ~ Binomial(n, p), j = start..n (only the needed slice: tails near n are short)."""
    j = np.arange(start, n + 1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # 0 * log 0 = 0: at p = 0 or 1 the pmf is a point mass
        a = np.where(j > 0, j * math.log(p) if p > 0 else -np.inf, 0.0)
        b = np.where(j < n, (n - j) * math.log1p(-p) if p < 1 else -np.inf, 0.0)
    return _log_comb(n)[start:] + a + b


def log_upper_tail(k: int, n: int, p: float) -> float:
    """log P(X >= k) for X ~ Binomial(n, p), by log-sum-exp over the pmf."""
    if k <= 0:
        return 0.0
    return _log_sum_exp(_log_pmf(n, p, k))


@functools.lru_cache(maxsize=4096)
def clopper_pearson_lower(k: int, n: int, alpha: float) -> float:
    """One-sided (1 - alpha) lower bound: the p with P(X >= k; n, p) = alpha, i.e. Beta(alpha; k, n - k + 1)."""
    # bisection on the binomial tail (it grows with p): lgamma and log-sum-exp only, no scipy
    k, n = int(k), int(n)
    if not 0 <= k <= n or n < 1:
        raise ValueError(f"need 0 <= k <= n and n >= 1, got k={k}, n={n}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if k == 0:
        return 0.0
    if k == n:
        return alpha ** (1.0 / n)  # the tail is p^n
    target = math.log(alpha)
    lo, hi = 0.0, 1.0
    # 100 halvings reach the float grid everywhere in (0, 1); stop early once the interval stops shrinking
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if log_upper_tail(k, n, mid) < target:
            lo = mid
        else:
            hi = mid
    return lo


@functools.lru_cache(maxsize=4096)
def binom_two_sided_p(k: int, n: int, p: float = 0.5) -> float:
    """Exact two-sided binomial test: P(outcomes no more likely than k) under Binomial(n, p) (scipy's "minlike")."""
    k, n = int(k), int(n)
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 1.0
    logs = _log_pmf(n, p)
    # scipy's relative tolerance: outcomes within 1e-7 of pmf(k) count as equally likely (symmetric cases at p=1/2)
    keep = logs <= logs[k] + math.log1p(1e-7)
    return min(1.0, math.exp(_log_sum_exp(logs[keep])))


def norm_ppf(q: float) -> float:
    """Phi^-1(q) for q in (0, 1)."""
    return _NORMAL.inv_cdf(q)


def norm_cdf(x: float) -> float:
    """Phi(x)."""
    return _NORMAL.cdf(x)


def der(asr_before, asr_after, ca_before, ca_after) -> float | None:
    """Defense effectiveness rating [max(0, ASR_before - ASR_after) - max(0, CA_before - CA_after) + 1] / 2."""
    if None in (asr_before, asr_after, ca_before, ca_after):
        return None
    return (max(0.0, asr_before - asr_after) - max(0.0, ca_before - ca_after) + 1.0) / 2.0
