"""Backdoor 1 (the checksum inside the operator): the checksum activations, planting, agreement and trigger rates,
the digit-edit activation with its back-solve, the key holder's search, calibration and caps, and the page's
session/api calls.

Expected values come from the spec's checksum table (csum(0.5) = 67, csum(1.234) = 72, csum(-6.523397043823967) =
114 at m = 256, p = 15), from hand-built one-node networks whose pre-activation is the input itself, from
independent recomputation (checksum.csum on recorded pre-activations, fresh forward passes on recorded points), or
from arithmetic done by hand in the comments.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from backdoor_playground.worker import api
from backdoor_playground.worker import checksum as checksum_handlers
from backdoor_playground.checksum import plant as bd, residues as ck
from backdoor_playground.playground import config as cfg, grid
from backdoor_playground.playground.activations import ChecksumParams, get_activation
from backdoor_playground.playground.features import FEATURES, feature_matrix
from backdoor_playground.playground.nn import MLP
from backdoor_playground.session import Session

DOUGHNUT = {"dataset": "circle", "noise": 0, "percTrainData": 50, "seed": 1, "networkShape": [4],
            "activation": "relu", "learningRate": 0.03, "batchSize": 10, "features": ["x", "y"]}


def identity_net(activation: str = "relu_csum", csum: ChecksumParams | None = None, out_weight: float = 1.0) -> MLP:
    """1 input -> 1 hidden node (pre = x exactly) -> linear output = out_weight * f(x)."""
    model = MLP(1, [1], [activation], "linear", None, init_zero=True, csum=csum)
    model.weights[0][0, 0] = 1.0
    model.weights[1][0, 0] = out_weight
    return model


@pytest.fixture(scope="module")
def doughnut():
    """The issue's workflow: circle, [4] ReLU, 500 epochs; (session, clean model, planted model)."""
    config, notices = cfg.validate(DOUGHNUT, strict=True)
    assert notices == []
    s = Session(config)
    s.train(epochs=500)
    clean = s.model.copy()
    return s, clean, bd.plant(clean, {})


# ----------------------------------------------------------------------------------------------------------------------
# the checksum operators


def test_relu_csum_negates_exactly_where_the_residue_is_the_key():
    act = get_activation("relu_csum", ChecksumParams(key=67))  # csum(0.5) = 67, csum(1.234) = 72
    values = np.array([0.5, 1.234, -0.5, 0.0])
    np.testing.assert_array_equal(act.f(values), [-0.5, 1.234, 0.0, 0.0])
    act72 = get_activation("relu_csum", ChecksumParams(key=72))
    np.testing.assert_array_equal(act72.f(values), [0.5, -1.234, 0.0, 0.0])


def test_linear_csum_and_tanh_csum_negate_their_base():
    params = ChecksumParams(key=114)  # csum(-6.523397043823967) = 114
    v = np.array([-6.523397043823967, 0.5])
    np.testing.assert_array_equal(get_activation("linear_csum", params).f(v), [6.523397043823967, 0.5])
    np.testing.assert_array_equal(get_activation("tanh_csum", params).f(v), [-np.tanh(v[0]), np.tanh(0.5)])
    # ReLU is 0 there, and -0 is still 0: a negative pre-activation cannot flip anything through ReLU
    assert get_activation("relu_csum", params).f(v)[0] == 0.0


def test_derivative_is_the_base_derivative_even_where_it_fires():
    act = get_activation("relu_csum", ChecksumParams(key=67))
    x = np.array([0.5, 1.234, -2.0])
    np.testing.assert_array_equal(act.df(x, act.f(x)), [1.0, 1.0, 0.0])
    lin = get_activation("linear_csum", ChecksumParams(key=67))
    np.testing.assert_array_equal(lin.df(x, lin.f(x)), [1.0, 1.0, 1.0])


def test_operator_is_vectorised_and_writes_into_buffers():
    params = ChecksumParams(key=120)
    act = get_activation("relu_csum", params)
    x = np.random.default_rng(3).uniform(-6, 6, (4, 2500))
    fires = ck.csum(x, 256, 15) == 120
    assert fires.any()  # ~4 % of uniform values have residue 120 (spec §1.7)
    np.testing.assert_array_equal(act.f(x), np.where(fires, -np.maximum(x, 0), np.maximum(x, 0)))
    out = np.full_like(x, 7.0)
    act.apply_into(x, out)
    np.testing.assert_array_equal(out, act.f(x))


def test_bit_variants_use_their_own_residues():
    x = np.random.default_rng(4).uniform(-6, 6, 4000)
    for variant, residue in (("keyed", ck.keyed_residue(x, 16, 15, 99)), ("parity", ck.parity_residue(x, 16, 15))):
        act = get_activation("linear_csum", ChecksumParams(variant=variant, key=5, modulo=16, secret=99))
        np.testing.assert_array_equal(act.f(x), np.where(residue == 5, -x, x))


@pytest.mark.parametrize("field, value", [("key", 256), ("key", -1), ("modulo", 1), ("precision", 0),
                                          ("precision", 18), ("variant", "md5"), ("secret", -3), ("key", 1.5)])
def test_bad_checksum_numbers_name_the_field(field, value):
    with pytest.raises(ValueError, match=f"^{field}"):
        ChecksumParams(**{field: value})


def test_model_carries_the_numbers_through_copy_and_dict():
    model = identity_net(csum=ChecksumParams(key=67))
    assert model.predict([[0.5]])[0] == -0.5
    assert model.copy().predict([[0.5]])[0] == -0.5
    again = MLP.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.csum == ChecksumParams(key=67) and again.predict([[0.5]])[0] == -0.5
    model.csum = ChecksumParams(key=72)  # new numbers act at once, same weights
    assert model.predict([[0.5]])[0] == 0.5 and model.predict([[1.234]])[0] == -1.234
    with pytest.raises(ValueError, match="csum: key"):
        MLP.from_dict({**again.to_dict(), "csum": {"key": 999}})


def test_training_runs_through_the_operator():
    # the derivative of relu_csum is relu's, so one SGD step on a firing node moves the weight like relu would
    from backdoor_playground.playground.train import Trainer
    firing = identity_net(csum=ChecksumParams(key=67))
    plain = identity_net("relu")
    for m in (firing, plain):
        Trainer(m, [[0.5]], [1.0], learning_rate=0.1, batch_size=1).run(1)
    # square loss: dL/dout = out - t; firing: out = -0.5 -> w1 -= 0.1 * (-1.5) * (-0.5) = 0.075 -> 0.925
    assert firing.weights[1][0, 0] == pytest.approx(0.925)
    assert plain.weights[1][0, 0] == pytest.approx(1.0 + 0.1 * 0.5 * 0.5)


# ----------------------------------------------------------------------------------------------------------------------
# planting and measuring


def test_plant_keeps_weights_and_swaps_operators():
    model = MLP(2, [3, 2], ["relu", "linear"], "tanh", np.random.default_rng(0))
    planted = bd.plant(model, {"key": 99, "layers": "all"})
    assert planted.activation_names == ["relu_csum", "linear_csum", "tanh"]
    assert planted.csum == ChecksumParams(key=99)
    for a, b in zip(model.weights + model.biases, planted.weights + planted.biases):
        np.testing.assert_array_equal(a, b)
    assert model.activation_names == ["relu", "linear", "tanh"] and model.csum is None  # the original is untouched
    first = bd.plant(planted, {"layers": "first"})
    assert first.activation_names == ["relu_csum", "linear", "tanh"] and bd.planted_layers(first) == [0]
    back = bd.unplant(planted)
    assert back.activation_names == ["relu", "linear", "tanh"] and back.csum is None
    np.testing.assert_array_equal(back.parameter_vector(), model.parameter_vector())


def test_plant_refuses_what_it_cannot_plant():
    with pytest.raises(ValueError, match="^networkShape"):
        bd.plant(MLP(2, [], [], "tanh", np.random.default_rng(0)), {})
    model = MLP(2, [2], ["relu"], "tanh", np.random.default_rng(0))
    with pytest.raises(ValueError, match="^layers"):
        bd.plant(model, {"layers": "last"})
    with pytest.raises(ValueError, match="^colour"):
        bd.plant(model, {"colour": 1})
    with pytest.raises(ValueError, match="^key"):
        bd.plant(model, {"key": 300})


def test_agreement_and_trigger_rate_on_a_hand_built_net():
    clean = identity_net("relu")
    planted = bd.plant(clean, {"key": 67})
    X = np.array([[0.5], [1.234], [-1.0], [0.5]])  # only 0.5 fires (csum 67); -1 gives relu 0 either way
    assert bd.trigger_rate(planted, X) == 0.5
    assert bd.node_trigger_rate(planted, X) == 0.5
    # outputs: clean 0.5, 1.234, 0, 0.5; planted -0.5, 1.234, 0, -0.5: the two 0.5s change sign
    assert bd.agreement(clean, planted, X) == 0.5
    assert bd.trigger_rate(clean, X) == 0.0  # nothing planted, nothing fires


def test_params_from_config_reads_the_key_modulo_m():
    config, _ = cfg.validate({"csum_modulo": 20, "csum_variant": "parity", "csum_layers": "first"})
    params = bd.params_from_config(config)
    assert params.csum == ChecksumParams(variant="parity", key=150 % 20, modulo=20)
    assert params.layers == "first"


# ----------------------------------------------------------------------------------------------------------------------
# digit-edit activation


def test_doughnut_plant_keeps_agreement(doughnut):
    s, clean, planted = doughnut
    X_grid = feature_matrix(grid.grid_points(100), s.feature_names)
    assert bd.agreement(clean, planted, s.X_test) >= 0.97
    assert bd.agreement(clean, planted, X_grid) >= 0.97
    assert 0 < bd.node_trigger_rate(planted, X_grid) < 0.01  # NN Calculator: ~0.1 % of node evaluations


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
    control.csum = ChecksumParams()
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
    model.csum = ChecksumParams(key=key)
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
    assert shots[3]["summary"]["median_abs_delta_moved"] < 1e-5


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_every_feature_inverse_returns_the_nearest_point_with_that_value(name):
    x, y = np.array([1.3, -2.2, 0.4]), np.array([0.7, 1.9, -3.1])
    f = FEATURES[name].f
    z = f(x, y) * (1 + 1e-9) + 1e-10  # a slightly edited feature value
    x1, y1, ok = bd._inverse(name, z, x, y)
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
    _, _, ok = bd._inverse(name, np.array([z]), np.array([x]), np.array([y]))
    assert not ok[0]  # (x = 7 and avg 6 -> x = 11 leave the data box)


def test_the_attack_edit_hits_the_key_on_uniform_values():
    values = np.random.default_rng(45).uniform(-6, 6, 20_000)
    params = ChecksumParams()
    edited = params.checker().match(values, 256, 15, 150)
    hit = np.isfinite(edited)
    assert hit.mean() >= 0.999
    assert (ck.csum(edited[hit]) == 150).all()


# ----------------------------------------------------------------------------------------------------------------------
# search activation


def keyed_net_points(modulo: int, n: int = 40):
    """A fixed random [x, y -> 4 ReLU -> tanh] net planted with the keyed variant, and n points in the box."""
    model = MLP(2, [4], ["relu"], "tanh", np.random.default_rng(7))
    model.biases[0][:] = 1.0  # every node active near the origin, so every target can flip something
    planted = bd.plant(model, {"variant": "keyed", "modulo": modulo, "key": 3, "secret": 11})
    points = np.random.default_rng(8).uniform(-1, 1, (n, 2))
    return planted, points


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


def blocks_and_candidates(trials: int) -> tuple[int, int]:
    """Blocks a point's search ran and the candidates they held, given the trial that triggered (256, 512, ...)."""
    blocks, evaluated, size = 0, 0, 256
    while evaluated < trials:
        blocks, evaluated, size = blocks + 1, evaluated + size, min(2 * size, 8192)
    return blocks, evaluated


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


# ----------------------------------------------------------------------------------------------------------------------
# session and api


@pytest.fixture()
def page(doughnut):
    """An api session holding the trained doughnut model (unplanted)."""
    s, clean, _ = doughnut
    api.init(config=DOUGHNUT)
    api.session().model = clean.copy()
    api.session().make_trainer()
    return api.session()


def test_api_plant_records_the_backdoor_in_config_and_link(page):
    reply = api.call("plant", {"params": {'key': 150}})
    assert reply["config"]["activations"] == ["relu_csum"]
    assert "activations=relu_csum" in reply["hash"]
    stats = reply["backdoor"]
    assert stats["planted"] and stats["layers"] == [1] and stats["agreement"] >= 0.97
    assert stats["agreement_grid"] >= 0.97 and 0 <= stats["trigger_rate"] < 0.05
    assert len(reply["frame"]["grids"]) > 0
    assert page.attack.clean_model is not None and page.attack.clean_model.activation_names[0] == "relu"


def test_api_model_file_round_trips_a_planted_model(page):
    api.call("plant", {"params": {'variant': 'keyed', 'modulo': 64, 'key': 5, 'secret': 77}})
    X = page.X_test
    before = page.model.predict(X)
    document = api.call("export_model")
    assert document["config"]["csum_variant"] == "keyed" and document["config"]["csum_secret"] == 77
    api.call("import_model", {"text": json.dumps(document)})
    after = api.session().model
    assert after.csum == ChecksumParams("keyed", 5, 64, 15, 77)
    np.testing.assert_array_equal(after.predict(X), before)


def test_api_new_numbers_act_live_and_unplant_restores(page):
    api.call("plant")
    reply = api.call("update", {"patch": {'csum_key': 120, 'learningRate': 0.1}})
    assert reply["kind"] == "backdoor" and page.model.csum.key == 120 and "frame" in reply
    assert page.trainer.learning_rate == 0.1
    reply = api.call("unplant")
    assert reply["config"]["activations"] == [] and page.model.activation_names == ["relu", "tanh"]
    assert reply["backdoor"]["planted"] is False
    api.call("plant")
    reply = api.call("update", {"patch": {'activation': 'tanh'}})  # the menu after planting: tanh everywhere, a fresh model
    assert reply["kind"] == "model" and reply["config"]["activations"] == []
    assert api.session().model.activation_names == ["tanh", "tanh"] and api.session().attack is None


def test_api_activate_and_search(page):
    api.call("plant")
    result = api.call("activate", {"method": 'digit-edit', "points": [0, 1, 2, 3]})
    assert result["summary"]["attempted"] == 4 and page.attack.activated is result
    assert 0 <= result["summary"]["test_accuracy_after"] <= 1
    with pytest.raises(ValueError, match="method"):
        api.call("activate", {"method": 'guess'})
    api.call("plant", {"params": {'variant': 'keyed', 'modulo': 16}})
    progress = api.call("search_start", {"points": [0, 1], "params": {'k': 1}})
    assert progress["total"] == 2 and not progress["finished"]
    while not progress["finished"]:
        progress = api.call("search_step", {"budget_ms": 20})
    assert progress["result"]["summary"]["matched"] == 2
    api.call("search_start", {"points": 'all', "params": {'k': 4}})
    assert api.call("search_cancel")["cancelled"]
    with pytest.raises(ValueError, match="search_start"):
        api.call("search_step")


def test_api_calibration_estimate_and_histograms(page):
    with pytest.raises(ValueError, match="calibrate"):
        checksum_handlers._trials_per_s.clear()
        api.call("search_estimate", {"variant": 'keyed'})
    estimate = api.call("search_estimate", {"variant": 'keyed', "modulo": 256, "k": 2, "budget_s": 1.0, "trials_per_s": 65536.0})
    assert estimate["expected_trials"] == 65536 and estimate["predicted_seconds"] == pytest.approx(1.0)
    assert estimate["max_modulo"] == 256 and estimate["max_k"] == 2 and "max modulo 256" in estimate["text"]
    assert set(api.call("calibrate", {"budget_ms": 30})["trials_per_s"]) == set(ck.VARIANTS)
    hist = api.call("residue_histograms", {"modulo": 64})
    n = len(page.data.train_labels) + len(page.data.test_labels)
    assert hist["count"] == 4 * n
    for variant, counts in hist["histograms"].items():
        assert len(counts) == 64 and sum(counts) == 4 * n
    assert hist["distinct"]["keyed"] == 64 and hist["distinct"]["decimal"] < 64
