"""What a search costs: p_key = P[residue == key] for one trial, expected trials (1/p_key)^k, the predicted seconds
of a search from a calibrated rate (blocks of 256, 512, ..., 8192 candidates), and the largest modulo (or k) whose
search fits a time budget.

p_key is 1/m (keyed), exact for parity, and for the decimal variant the key's frequency among the residues of a
reference sample (uniform pre-activations in [-6, 6]): there only ~80 residues occur, so p_key is not 1/m and the
modulo stops mattering once it exceeds the raw digit sums.
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from ..playground import rng as rng_streams
from ..playground.datasets import BOX
from .activation import ChecksumParams
from .decimal import raw_sums
from .params import PARAMS, VARIANT_NAMES, check, float_in, int_in, reduce_key
from .variants import parity_blocks

_FIRST_BLOCK = 256           # search blocks grow 256, 512, ... so short searches stay cheap
_MAX_BLOCK = 8192


def expected_trials(p_key: float, k: int = 1) -> float:
    """(1 / p_key)**k: expected independent trials until k neurons all hit a key of probability p_key."""
    if isinstance(p_key, bool) or not isinstance(p_key, numbers.Real) or not 0 < p_key <= 1:
        raise ValueError(f"p_key must be a probability in (0, 1], got {p_key!r}")
    if isinstance(k, bool) or not isinstance(k, numbers.Real) or not math.isfinite(k) or k < 0:
        raise ValueError(f"k must be a non-negative number, got {k!r}")
    try:
        return (1.0 / p_key) ** k
    except OverflowError:
        return math.inf


def p_key_model(variant: str, modulo: int, precision: int, key: int) -> float:
    """P[residue == key] for one trial: 1/m (keyed); exact for parity (uniform pattern); decimal: the key's
    frequency among residues of the reference sample (uniform values in [-6, 6]). The key is read modulo m."""
    csum = ChecksumParams(variant=variant, key=key, modulo=modulo, precision=precision)
    modulo, key = csum.modulo, csum.key
    if variant == "keyed":
        return 1.0 / modulo
    if variant == "parity":
        n = parity_blocks(modulo)
        return len(range(key, 1 << n, modulo)) / (1 << n)
    raws, counts = _reference_raw_sums(csum.precision)
    return float(counts[raws % modulo == key].sum() / counts.sum())


@functools.lru_cache(maxsize=32)
def _reference_raw_sums(precision: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct raw decimal checksums (before mod m) of 20,000 reference values, and their counts."""
    gen = rng_streams.stream("reference", "search", precision)
    values = gen.uniform(-BOX, BOX, 20_000)
    return np.unique(raw_sums(values, precision), return_counts=True)


def expected_search_trials(p_key: float, k: int = 1) -> float:
    """(1 / p_key)^k (inf when p_key is 0)."""
    return math.inf if p_key <= 0 else expected_trials(p_key, k)


class SearchRate(float):
    """What calibrate() measures for one variant: search trials per second (the float's value) and the costs around
    the trials, `point_s` per point (the forward passes that choose the targets, the decimal variant's 2048-sample
    pilot, the verification and the record) and `block_s` per candidate block. Anything taking a rate takes a plain
    float too, which prices the trials alone."""

    point_s: float
    block_s: float
    variant: str | None

    def __new__(cls, trials_per_s: float, point_s: float = 0.0, block_s: float = 0.0,
                variant: str | None = None) -> "SearchRate":
        rate = super().__new__(cls, float_in("trials_per_s", trials_per_s, 0.0, math.inf))
        for name, value in (("point_s", point_s), ("block_s", block_s)):
            value = float_in(name, value, -1.0, 3600.0)
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
            setattr(rate, name, value)
        rate.variant = variant
        return rate

    def __repr__(self) -> str:
        return (f"SearchRate({float(self)!r}, point_s={self.point_s!r}, block_s={self.block_s!r}, "
                f"variant={self.variant!r})")


def _block_sizes() -> tuple[np.ndarray, np.ndarray]:
    """The search's growing blocks before they reach _MAX_BLOCK (256, 512, ..., 4096) and the trials before each
    (one entry more: the trials before the first full-size block)."""
    sizes = []
    size = _FIRST_BLOCK
    while size < _MAX_BLOCK:
        sizes.append(size)
        size *= 2
    sizes = np.array(sizes, dtype=np.float64)
    return sizes, np.concatenate([[0.0], np.cumsum(sizes)])


def _search_seconds(rate: float, q: np.ndarray, median: bool) -> np.ndarray:
    """Seconds per point for per-trial success probabilities q (vectorised); see predict_search_seconds."""
    q = np.asarray(q, dtype=np.float64)
    trial_s = 1.0 / rate
    point_s, block_s = getattr(rate, "point_s", None), getattr(rate, "block_s", 0.0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if point_s is None:  # a plain rate: the trials alone
            return np.where(q > 0, 1.0 / np.where(q > 0, q, 1.0), np.inf) * trial_s
        sizes, cumulative = _block_sizes()
        before, head = cumulative[:-1], cumulative[-1]  # trials before each growing block, before the full-size ones
        big = block_s + _MAX_BLOCK * trial_s
        if median:
            # blocks run until they cover x = ceil(1 / q) trials
            x = np.ceil(1.0 / np.where(q > 0, q, np.nan))
            n_head = np.minimum((x[..., None] > cumulative[1:]).sum(axis=-1) + 1, sizes.size)  # if x <= head
            head_cost = n_head * block_s + cumulative[n_head] * trial_s
            tail_cost = sizes.size * block_s + head * trial_s + np.ceil((x - head) / _MAX_BLOCK) * big
            return np.where(q > 0, point_s + np.where(x <= head, head_cost, tail_cost), np.inf)
        # mean: block j runs while no trial before it hit, P = (1 - q)^(trials before block j); the full-size blocks
        # form a geometric series
        log_miss = np.log1p(-np.clip(q, 0.0, 1.0 - 2.0**-53))[..., None]
        head_cost = (np.exp(before * log_miss) * (block_s + sizes * trial_s)).sum(axis=-1)
        log_miss = log_miss[..., 0]
        tail_cost = np.exp(head * log_miss) / -np.expm1(_MAX_BLOCK * log_miss) * big
        return np.where(q > 0, point_s + head_cost + tail_cost, np.inf)


def predict_search_seconds(trials_per_s: float, p_key: float, k: int = 1, variant: str | None = None) -> float:
    """Seconds to activate one point: keyed and parity the mean, decimal the median.

    A plain trials_per_s prices the trials alone: (1 / p_key)^k / trials_per_s. A calibrated SearchRate adds what
    the search really pays: per point a fixed point_s, and whole blocks of 256, 512, ..., 8192 candidates (then
    8192 each) that each cost block_s + size / trials_per_s and run until one holds the first trigger. With
    q = p_key^k the chance that a trial fires all k targets, block j runs with probability (1 - q)^(trials before
    it), so
        mean = point_s + sum_j (1 - q)^(C_j) * (block_s + s_j / trials_per_s)        (C_j = s_1 + ... + s_(j-1))
    Keyed and parity trials are geometric (uniform residues), and this mean is what a run of points averages.
    Decimal trials are not: a perturbation of 1e-3 moves only the low ~10 of 14 digits, so each point's fixed
    leading digits set its own p (0 for some points, far above p_key for others). The mean over points is ruled by
    the few worst points (up to max_trials) and cannot be read from p_key; the median point is predictable: it
    needs about 1 / p_key trials (measured 0.9-1.5x that at key 150, m = 256, and 0.4-3.2x over keys 100-150 on
    two trained doughnuts), and the prediction is the cost of the blocks that cover them. `variant` defaults to the
    rate's. inf when p_key is 0.
    """
    rate = float_in("trials_per_s", trials_per_s, 0.0, math.inf)
    trials = expected_search_trials(p_key, k)  # validates p_key and k
    if not hasattr(trials_per_s, "point_s"):
        return trials / rate
    variant = getattr(trials_per_s, "variant", None) if variant is None else variant
    q = 0.0 if math.isinf(trials) else 1.0 / trials
    return float(_search_seconds(trials_per_s, np.array(q), variant == "decimal"))


def search_cap(trials_per_s: float, budget_s: float = 1.0, k: int = 1, variant: str = "keyed",
               precision: int = PARAMS["precision"].default, key: int = PARAMS["key"].default) -> int | None:
    """Largest modulo m (up to the modulo's limit, 65536) whose predicted k-node search (predict_search_seconds)
    fits budget_s, or None.

    The key is read modulo m (as the config's csum_key). With a plain rate: keyed m = floor((rate * budget)^(1/k));
    parity and decimal: scanned with p_key_model. Decimal raw sums lie in [1336, 1481], so past them residues no
    longer wrap and a small key never fires: the decimal cap is where the key stops being reachable or affordable.
    """
    float_in("trials_per_s", trials_per_s, 0.0, math.inf)
    budget = float_in("budget_s", budget_s, 0.0, 1e6)
    k = check("k", k)
    key = check("key", key)
    m = np.arange(PARAMS["modulo"].low, PARAMS["modulo"].high + 1, dtype=np.int64)
    keys = reduce_key(key, m)
    if variant == "keyed":
        p = 1.0 / m
    elif variant == "parity":
        n = np.ceil(np.log2(m)).astype(np.int64)
        size = np.left_shift(1, n)
        p = -((keys - size) // m) / size  # len(range(key, 2^n, m)) / 2^n
    elif variant == "decimal":
        raws, counts = _reference_raw_sums(check("precision", precision))
        tail = int(raws.max()) + 1
        head = m[m <= tail]
        hit = (raws[None, :] % head[:, None]) == keys[: head.size, None]
        p = np.full(m.shape, float(counts[raws == key].sum()) / counts.sum())
        p[: head.size] = (hit * counts[None, :]).sum(axis=1) / counts.sum()
    else:
        raise ValueError(f"variant {variant!r} is not one of {', '.join(VARIANT_NAMES)}")
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        if hasattr(trials_per_s, "point_s"):
            fits = _search_seconds(trials_per_s, p**k, variant == "decimal") <= budget
        else:
            fits = np.where(p > 0, (1.0 / np.where(p > 0, p, 1.0)) ** k, np.inf) <= float(trials_per_s) * budget
    return int(m[fits].max()) if fits.any() else None


def search_k_cap(trials_per_s: float, budget_s: float, p_key: float, n_nodes: int) -> int:
    """Largest k <= n_nodes whose predicted search (predict_search_seconds) fits budget_s (0 if not even k = 1)."""
    best = 0
    for k in range(1, int_in("n_nodes", n_nodes, 1, PARAMS["k"].high) + 1):
        if predict_search_seconds(trials_per_s, p_key, k) <= budget_s:
            best = k
    return best
