"""Backdoor 1 (the checksum inside the operator): the key holder's search (checksum/search.py) and this device's
calibration of it (checksum/calibrate.py). Expected values are independent recomputations (residues of recorded
pre-activations, fresh forward passes on recorded points) or the geometric law of the trials.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from backdoor_nets import keyed_net_points, trained_doughnut

from backdoor_playground import checksum as bd, checksum as ck
from backdoor_playground.playground.features import feature_matrix


@pytest.fixture(scope="module")
def doughnut():
    """The issue's workflow: circle, [4] ReLU, 500 epochs; (session, clean model, planted model)."""
    return trained_doughnut()


# ----------------------------------------------------------------------------------------------------------------------
# search activation

def test_search_records_fire_every_target_and_stay_within_the_radius():
    planted, points = keyed_net_points(16)
    run = bd.SearchRun(planted, points, ["x", "y"], {"k": 2, "radius": 1e-4}, seed="s")
    result = run.run()
    assert run.finished and result["summary"]["matched"] == len(points)
    for r in result["records"]:
        pre = planted.forward([[r["x1"], r["y1"]]]).pre[0][0]
        assert ck.keyed_residue(pre[r["nodes"]], 16, 15, 11).tolist() == [3, 3]
        assert r["delta"] <= 1e-4
        out0 = planted.predict([[r["x0"], r["y0"]]])[0]
        assert r["flipped"] == ((out0 >= 0) != (planted.predict([[r["x1"], r["y1"]]])[0] >= 0))


def test_search_trials_follow_the_geometric_law():
    # keyed residues are uniform: trials ~ Geometric((1/m)^k), mean (1/p_key)^k; 40 points keep the mean within 2x
    for modulo, k, expected in ((64, 1, 64), (16, 2, 256)):
        planted, points = keyed_net_points(modulo)
        summary = bd.SearchRun(planted, points, ["x", "y"], {"k": k}, seed="g").run()["summary"]
        assert summary["expected_trials"] == expected
        assert expected / 2 <= summary["mean_trials"] <= expected * 2


def test_search_does_not_depend_on_how_it_is_chunked():
    planted, points = keyed_net_points(4096, 6)  # ~4096 trials a point: several blocks of 256, 512, ...
    whole = bd.SearchRun(planted, points, ["x", "y"], {"k": 1}, seed="c").run()["records"]
    run = bd.SearchRun(planted, points, ["x", "y"], {"k": 1}, seed="c")
    steps, seen = 0, []
    while not run.finished:
        progress = run.step(budget_ms=1e-6)  # one block per call
        seen += progress["new_records"]
        steps += 1
    assert steps > len(points)
    assert seen == whole == run.result()["records"]


def test_search_gives_up_after_max_trials_and_can_be_cancelled():
    planted, points = keyed_net_points(65536, 3)
    result = bd.SearchRun(planted, points, ["x", "y"], {"max_trials": 300}, seed="m").run()
    for r in result["records"]:
        if not r["matched"]:  # 1 - (1 - 1/65536)^300: a hit is possible but unlikely
            assert r["trials"] == 300 and (r["x1"], r["y1"]) == (r["x0"], r["y0"]) and "300 trials" in r["reason"]
    assert result["summary"]["matched"] < 3
    run = bd.SearchRun(planted, points, ["x", "y"], {"k": 2}, seed="m")
    progress = run.step(budget_ms=1e-6)
    assert not progress["finished"] and progress["point_trials"] > 0
    final = run.cancel()
    assert final["finished"] and final["cancelled"] and final["done"] == 0


def test_search_refuses_bad_input():
    planted, points = keyed_net_points(16, 2)
    with pytest.raises(ValueError, match="^k must be between 1 and 4"):
        bd.SearchRun(planted, points, ["x", "y"], {"k": 5})
    with pytest.raises(ValueError, match="^radius"):
        bd.SearchRun(planted, points, ["x", "y"], {"radius": 0})
    with pytest.raises(ValueError, match="plant the backdoor first"):
        bd.SearchRun(bd.unplant(planted), points, ["x", "y"])


def test_decimal_search_estimates_p_key_per_point(doughnut):
    s, _, planted = doughnut
    run = bd.SearchRun(planted, s.data.test_points, s.feature_names, {"max_trials": 50_000}, indices=[0, 1, 2],
                       seed="d")
    result = run.run()
    for r in result["records"]:
        assert 0 <= r["p_key"] <= 1
        if r["matched"]:
            pre = planted.forward(feature_matrix(np.array([[r["x1"], r["y1"]]]), s.feature_names)).pre[0][0]
            assert ck.csum(pre[r["nodes"][0]]) == 150


# ----------------------------------------------------------------------------------------------------------------------
# calibration and caps


def test_calibrate_reports_a_rate_per_variant():
    rates = bd.calibrate(budget_ms=30)
    assert set(rates) == set(ck.VARIANTS)
    for variant, rate in rates.items():
        assert isinstance(rate, float) and math.isfinite(rate) and rate > 0
        assert rate.variant == variant and rate.point_s >= 0 and rate.block_s >= 0
        # the costs around the trials only add time: keyed m = 256 and the decimal default
        p_key = bd.p_key_model(variant, 256, 15, 150)
        assert bd.predict_search_seconds(rate, p_key) > bd.predict_search_seconds(float(rate), p_key) * 0.5
    assert json.loads(json.dumps(rates)) == {v: float(r) for v, r in rates.items()}  # still plain numbers on the wire
    with pytest.raises(ValueError, match="^budget_ms"):
        bd.calibrate(budget_ms=-1)


@pytest.mark.parametrize("name", ["decimal", "keyed", "parity"])
def test_calibrated_rate_within_budget(name):
    # (was residues.trial_throughput: checksum evaluations per second; calibrate measures the search's own trials)
    rate = bd.calibrate(budget_ms=60, variants=(name,))[name]
    assert np.isfinite(rate) and rate > 0


def test_calibrate_bad_input():
    with pytest.raises(ValueError, match="budget_ms"):
        bd.calibrate(budget_ms=0, variants=("decimal",))
    with pytest.raises(ValueError, match="variant"):
        bd.calibrate(variants=("nope",))
