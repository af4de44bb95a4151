"""Backdoor 1 (the checksum inside the operator): NN Calculator's digit-edit activation with its
back-solve (checksum/digit_edit.py, checksum/inverse.py).

Expected values come from the spec's checksum table (csum(0.5) = 67, csum(1.234) = 72, csum(-6.523397043823967) =
114 at m = 256, p = 15), from hand-built one-node networks whose pre-activation is the input itself, from
independent recomputation (csum on recorded pre-activations, fresh forward passes on recorded points), or from
arithmetic done by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pytest
from backdoor_nets import trained_doughnut

from backdoor_playground import checksum as bd, checksum as ck
from backdoor_playground.checksum import ChecksumParams
from backdoor_playground.playground.features import FEATURES, feature_matrix
from backdoor_playground.playground.nn import MLP


@pytest.fixture(scope="module")
def doughnut():
    """The issue's workflow: circle, [4] ReLU, 500 epochs; (session, clean model, planted model)."""
    return trained_doughnut()


# ----------------------------------------------------------------------------------------------------------------------
# digit-edit activation


def test_doughnut_digit_edit_flips_a_large_share_invisibly(doughnut):
    s, clean, planted = doughnut
    result = bd.activate_digit_edit(planted, s.data.test_points, s.feature_names)
    summary, records = result["summary"], result["records"]
    n = len(s.data.test_labels)
    assert summary["attempted"] == n == len(records)
    assert summary["matched"] >= 0.95 * n
    assert 0.2 * n <= summary["flipped"] <= 0.6 * n  # NN Calculator flips 20-50 %
    assert summary["median_abs_delta"] < 1e-5
    # one forward pass over all moved points, as the page would draw them (a single-point pass may differ in the
    # last ulp: BLAS sums a matrix-vector product in another order; precision 15 ignores those digits)
    P0 = np.array([[r["x0"], r["y0"]] for r in records])
    P1 = np.array([[r["x1"], r["y1"]] for r in records])
    cache = planted.forward(feature_matrix(P1, s.feature_names))
    out0 = planted.predict(feature_matrix(P0, s.feature_names))
    for i, r in enumerate(records):
        assert r["y1"] == r["y0"]  # features x, y: only the first enabled feature (x) is back-solved
        assert cache.pre[0][i, r["node"]] == r["pre1"]
        assert r["matched"] == (ck.csum(r["pre1"]) == 150)
        single = planted.forward(feature_matrix(P1[i:i + 1], s.feature_names)).pre[0][0, r["node"]]
        assert single == pytest.approx(r["pre1"], rel=1e-14)
        assert r["flipped"] == ((out0[i] >= 0) != (cache.output[i, 0] >= 0))
    # the chosen node is the candidate within +-45 of the key with the largest sum of |outgoing weights|
    score = np.abs(planted.weights[1]).sum(axis=1)
    pre0 = planted.forward(s.X_test).pre[0]
    for r in records[:20]:
        candidates = [j for j in range(4) if abs(ck.csum(pre0[r["index"], j]) - 150) <= 45]
        assert r["node"] == max(candidates, key=lambda j: score[j])


def test_digit_edit_on_the_clean_model_flips_nothing(doughnut):
    s, clean, _ = doughnut
    control = clean.copy()
    control.operator_params = ChecksumParams()
    result = bd.activate_digit_edit(control, s.data.test_points, s.feature_names, indices=list(range(50)))
    assert result["summary"]["flipped"] == 0
    assert result["summary"]["matched"] >= 45  # the inputs were moved, but a plain ReLU ignores the checksum


def test_digit_edit_picks_points_and_checks_parameters(doughnut):
    s, _, planted = doughnut
    result = bd.activate_digit_edit(planted, s.data.test_points, s.feature_names, indices=[5, 2])
    assert [r["index"] for r in result["records"]] == [5, 2]
    with pytest.raises(ValueError, match="out of range"):
        bd.activate_digit_edit(planted, s.data.test_points, s.feature_names, indices=[999])
    with pytest.raises(ValueError, match="^k is not a digit-edit parameter"):
        bd.activate_digit_edit(planted, s.data.test_points, s.feature_names, {"k": 2})
    narrow = bd.activate_digit_edit(planted, s.data.test_points, s.feature_names, {"window": 0})
    reasons = {r["reason"] for r in narrow["records"] if r["node"] is None}
    assert reasons == {"no first-layer node within ±0 of the key"}


def test_back_solve_falls_back_to_the_next_feature_with_its_own_value():
    # inputs (xSquared, y), one node pre = x^2 + y + 0.25. At x = 0 a lower target pre-activation would need
    # x^2 < 0: impossible, so y must be back-solved, with y's own value (NN Calculator's bug 6 reuses x^2's).
    model = MLP(2, [1], ["relu_csum"], "linear", None, init_zero=True)
    model.weights[0][:, 0] = [1.0, 1.0]
    model.biases[0][0] = 0.25
    model.weights[1][0, 0] = 1.0
    point = np.array([[0.0, 1.3370147]])
    pre = 0.0 + 1.3370147 + 0.25
    key = ck.csum(pre) - 10  # below the residue: the digit edit lowers digits, so the target is below pre
    model.operator_params = ChecksumParams(key=key)
    result = bd.activate_digit_edit(model, point, ["xSquared", "y"], {"window": -1})
    r = result["records"][0]
    assert r["feature"] == "y" and r["x1"] == 0.0 and r["y1"] < r["y0"]
    assert r["matched"] and ck.csum(r["pre1"]) == key
    assert r["pre1"] == pytest.approx(r["y1"] + 0.25, abs=1e-15)


def test_newton_refinement_lands_when_another_feature_reads_the_same_coordinate():
    # features x and x^2 both move when x moves: the one-shot back-solve (holding x^2 fixed) lands off target
    model = MLP(3, [4], ["relu"], "tanh", np.random.default_rng(0))
    planted = bd.plant(model, {})
    points = np.random.default_rng(1).uniform(-5, 5, (100, 2))
    names = ["x", "y", "xSquared"]
    shots = {refine: bd.activate_digit_edit(planted, points, names, {"refine": refine}) for refine in (0, 3)}
    assert shots[0]["summary"]["matched"] < 50 <= 90 <= shots[3]["summary"]["matched"]
    records = shots[3]["records"]
    P1 = np.array([[r["x1"], r["y1"]] for r in records])
    pre = planted.forward(feature_matrix(P1, names)).pre[0]
    for i, r in enumerate(records):
        assert r["matched"] == (ck.csum(pre[i, r["node"]]) == 150)
    assert shots[3]["summary"]["median_abs_delta"] < 1e-5


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_every_feature_inverse_returns_the_nearest_point_with_that_value(name):
    x, y = np.array([1.3, -2.2, 0.4]), np.array([0.7, 1.9, -3.1])
    f = FEATURES[name].f
    z = f(x, y) * (1 + 1e-9) + 1e-10  # a slightly edited feature value
    x1, y1, ok = bd.invert_feature(name, z, x, y)
    assert ok.all()
    np.testing.assert_allclose(f(x1, y1), z, rtol=1e-9, atol=1e-9)
    coordinate = bd.MOVED_COORDINATE[name]
    moved, kept = (x1, y1) if coordinate == 0 else (y1, x1)
    np.testing.assert_allclose(moved, (x, y)[coordinate], atol=1e-6)  # the nearest branch, not another one
    np.testing.assert_array_equal(kept, (y, x)[coordinate])


@pytest.mark.parametrize("name, z, x, y", [("xSquared", -0.1, 1.0, 1.0), ("sinX", 1.5, 1.0, 1.0),
                                           ("xTimesY", 1.0, 1.0, 0.0), ("cir", -2.0, 1.0, 1.0),
                                           ("x", 7.0, 1.0, 1.0), ("avg", 6.0, 1.0, 1.0)])
def test_impossible_inverses_are_refused(name, z, x, y):
    _, _, ok = bd.invert_feature(name, np.array([z]), np.array([x]), np.array([y]))
    assert not ok[0]  # (x = 7 and avg 6 -> x = 11 leave the data box)


def test_the_attack_edit_hits_the_key_on_uniform_values():
    values = np.random.default_rng(45).uniform(-6, 6, 20_000)
    params = ChecksumParams()
    edited = params.checker().match(values, 256, 15, 150)
    hit = np.isfinite(edited)
    assert hit.mean() >= 0.999
    assert (ck.csum(edited[hit]) == 150).all()
