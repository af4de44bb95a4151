"""Backdoor 1 (the checksum inside the operator): what a search costs (checksum/cost.py): p_key, expected trials,
predicted seconds from a calibrated rate, and the modulo and k caps; checked by hand arithmetic in the comments and
against counted trials of real searches.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from backdoor_nets import blocks_and_candidates, keyed_net_points, trained_doughnut

from backdoor_playground import checksum as bd


@pytest.fixture(scope="module")
def doughnut():
    """The issue's workflow: circle, [4] ReLU, 500 epochs; (session, clean model, planted model)."""
    return trained_doughnut()


# ----------------------------------------------------------------------------------------------------------------------
# cost model


def test_expected_trials():
    assert bd.expected_trials(0.5, 3) == 8.0
    assert bd.expected_trials(1 / 256, 1) == pytest.approx(256.0)
    assert bd.expected_trials(1.0, 10) == 1.0
    assert bd.expected_trials(0.25, 0) == 1.0
    assert bd.expected_trials(1e-300, 5) == math.inf
    for p, k in [(0.0, 1), (1.5, 1), (-0.1, 1), (0.5, -1), (float("nan"), 1)]:
        with pytest.raises(ValueError):
            bd.expected_trials(p, k)


def test_calibrated_prediction_by_hand():
    rate = bd.SearchRate(1000.0, point_s=0.5, block_s=0.01, variant="keyed")
    # a sure trigger: the point's fixed cost and one block of 256 trials
    assert bd.predict_search_seconds(rate, 1.0) == pytest.approx(0.5 + 0.01 + 0.256)
    # mean: block j runs with probability (1 - q)^(trials before it); at q = 1/256 the blocks of 256, 512, 1024 ...
    q = 1 / 256
    blocks = [(0, 256), (256, 512), (768, 1024), (1792, 2048), (3840, 4096)]
    mean = 0.5 + sum((1 - q) ** before * (0.01 + size / 1000) for before, size in blocks)
    mean += sum((1 - q) ** (7936 + 8192 * i) * (0.01 + 8.192) for i in range(200))
    assert bd.predict_search_seconds(rate, q) == pytest.approx(mean)
    # decimal: the median point, ~1/p trials, pays for the blocks that cover them: 1000 -> 256 + 512 + 1024
    assert bd.predict_search_seconds(rate, 1 / 1000, variant="decimal") == pytest.approx(0.5 + 3 * 0.01 + 1.792)
    # 10000 trials: the five growing blocks (7936) and one of 8192
    assert bd.predict_search_seconds(rate, 1e-4, variant="decimal") == pytest.approx(0.5 + 6 * 0.01 + 16.128)
    assert bd.predict_search_seconds(bd.SearchRate(1000.0, 0.5, 0.01, "decimal"), 1e-4) == pytest.approx(16.688)
    assert bd.predict_search_seconds(rate, 0.0) == math.inf
    # k nodes: q = p^k
    assert bd.predict_search_seconds(rate, 1 / 16, 2) == pytest.approx(mean)
    with pytest.raises(ValueError, match="point_s"):
        bd.SearchRate(1000.0, point_s=-1.0)


def test_search_cap_with_a_calibrated_rate_agrees_with_the_prediction():
    rate = bd.SearchRate(1e6, point_s=0.002, block_s=1e-4, variant="keyed")
    cap = bd.search_cap(rate, 0.02, 1, "keyed")
    assert bd.predict_search_seconds(rate, 1 / cap) <= 0.02 < bd.predict_search_seconds(rate, 1 / (cap + 1))
    assert cap < bd.search_cap(1e6, 0.02, 1, "keyed") == 20_000  # the trials alone would promise more
    assert bd.search_cap(rate, 0.002, 1, "keyed") is None  # the fixed cost alone fills the budget
    assert bd.search_k_cap(rate, 0.02, 1 / 64, 4) == 2 and bd.search_k_cap(1e6, 0.02, 1 / 64, 4) == 2
    assert bd.search_k_cap(rate, 0.02, 1 / 128, 4) == 1 < bd.search_k_cap(1e6, 0.02, 1 / 128, 4)


@pytest.mark.parametrize("modulo, k, n", [(64, 1, 200), (4096, 1, 60), (16, 2, 100)])
def test_search_trial_counts_follow_the_timing_model(modulo, k, n):
    # What predict_search_seconds prices, counted instead of timed: with trials at no cost and 1 s a block it
    # predicts the mean number of blocks a point runs, with 1 s a trial the candidates they hold.
    planted, points = keyed_net_points(modulo, n)
    records = bd.SearchRun(planted, points, ["x", "y"], {"k": k}, seed="model").run()["records"]
    assert all(r["matched"] for r in records)
    q = (1 / modulo) ** k
    trials = np.array([r["trials"] for r in records])
    counted = np.array([blocks_and_candidates(t) for t in trials])
    se = math.sqrt(1 - q) / q / math.sqrt(n)  # standard error of a mean of n geometric counts
    assert abs(trials.mean() - 1 / q) < 4 * se
    blocks = bd.predict_search_seconds(bd.SearchRate(1e300, block_s=1.0), 1 / modulo, k)
    candidates = bd.predict_search_seconds(bd.SearchRate(1.0), 1 / modulo, k)
    assert abs(counted[:, 0].mean() - blocks) < 4 * counted[:, 0].std() / math.sqrt(n) + 0.05
    assert abs(counted[:, 1].mean() - candidates) < 4 * counted[:, 1].std() / math.sqrt(n) + 1


def test_decimal_search_median_follows_the_model(doughnut):
    # per-point rates differ (each point's leading digits are fixed), so only the median is modelled: ~1/p_key trials
    s, _, planted = doughnut
    records = bd.SearchRun(planted, s.data.test_points, s.feature_names, {"max_trials": 100_000},
                           indices=range(60), seed="median").run()["records"]
    p_key = bd.p_key_model("decimal", 256, 15, 150)
    trials = sorted(r["trials"] for r in records)
    median = (trials[29] + trials[30]) / 2
    assert 1 / 3 < median * p_key < 3
    candidates = bd.predict_search_seconds(bd.SearchRate(1.0, variant="decimal"), p_key)
    counted = sorted(blocks_and_candidates(t)[1] for t in trials)
    assert 1 / 3 < (counted[29] + counted[30]) / 2 / candidates < 3


def test_search_cap_keyed_and_parity_by_hand():
    # keyed: m^k <= rate * budget = 1000 -> m = 1000 (k = 1), 31 (k = 2: 31^2 = 961 <= 1000 < 1024); the key
    # (150 by default) is read modulo m, as the config's csum_key is
    assert bd.search_cap(1000.0, 1.0, 1, "keyed") == 1000
    assert bd.search_cap(500.0, 2.0, 2, "keyed") == 31
    assert bd.search_cap(1.0, 1.0, 1, "keyed") is None
    # parity, key 150: n = ceil(log2 m) blocks, p = #{150 + j m < 2^n} / 2^n. For 512 < m < 1024, 2^n = 1024 and
    # two patterns hit while 150 + m < 1024, i.e. m <= 873 (p = 1/512 fits 1000 trials); from 874 on, p = 1/1024.
    assert bd.search_cap(1000.0, 1.0, 1, "parity", key=150) == 873
    assert bd.p_key_model("parity", 873, 15, 150) == 2 / 1024
    assert bd.p_key_model("keyed", 256, 15, 0) == 1 / 256


def test_decimal_p_key_and_cap():
    # spec §2.1: P(csum = 150) ~ 0.10 % for values uniform in [-6, 6] at m = 256, p = 15
    assert 0.0003 < bd.p_key_model("decimal", 256, 15, 150) < 0.003
    # raw sums lie in [1336, 1481] (1344 - 3 '-' - 2 '.' - 3 exponent '-'; 1344 + 14 nines + exponent "308"), so
    # residue 150 needs raw = 150 + j m, impossible once m > 1481 - 150
    assert bd.p_key_model("decimal", 1500, 15, 150) == bd.p_key_model("decimal", 65536, 15, 150) == 0.0
    cap = bd.search_cap(1e12, 1.0, 1, "decimal", key=150)
    assert cap is not None and bd.p_key_model("decimal", cap, 15, 150) > 0
    assert all(bd.p_key_model("decimal", m, 15, 150) == 0 for m in range(cap + 1, cap + 300))
    assert bd.search_cap(1.0, 1.0, 1, "decimal") is None


def test_prediction_arithmetic():
    assert bd.predict_search_seconds(65536.0, 1 / 256, 2) == pytest.approx(1.0)
    assert bd.expected_search_trials(0.0, 1) == math.inf
    assert bd.search_k_cap(65536.0, 1.0, 1 / 256, 4) == 2
    assert bd.search_k_cap(100.0, 1.0, 1 / 256, 4) == 0
