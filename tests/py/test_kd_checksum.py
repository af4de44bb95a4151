"""Issue 14 part 2: the checksum backdoor for any input dimension d and any number of classes K.

On circle3d (d = 3, K = 2) and the digits (d = 64, K = 10) a trained network reaches >= 95 % test accuracy, the
checksum plant keeps agreement >= 0.97 with it, the digit edit and the search activate it, and proximity and
randomized smoothing run on the attacked test set (pinned with margins on fixed seeds). K > 2 sends a point to a
target class ("next" or a fixed one) instead of flipping it; the digits' notes say what rounding does.
"""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.checksum import targets
from backdoor_playground.checksum.inverse import invert_point, moved_coordinate
from backdoor_playground.experiment import stages
from backdoor_playground.experiment.plan import parse_config
from backdoor_playground.playground import classes
from backdoor_playground.session import Session

CIRCLE3D = {"dataset": "circle3d", "features": ["x", "y", "z", "xSquared", "ySquared", "zSquared"],
            "networkShape": [6], "activation": "tanh", "epochs": 60, "seed": "1"}
DIGITS = {"dataset": "digits", "digits_scale": "unit", "networkShape": [8], "activation": "tanh",
          "learningRate": 0.1, "percTrainData": 80, "epochs": 30, "seed": "1"}


def planted(raw: dict, backdoor: dict | None = None) -> tuple[Session, object]:
    config, plan = parse_config({**raw, "backdoor": {"type": "checksum", **(backdoor or {})}})
    s = Session(config)
    s.train(epochs=config["epochs"])
    return s, s.install("checksum", plan.backdoor)


@pytest.fixture(scope="module")
def circle3d():
    return planted(CIRCLE3D)


@pytest.fixture(scope="module")
def digits():
    return planted(DIGITS)


def test_circle3d_trains_plants_with_high_agreement_and_activates(circle3d):
    s, att = circle3d
    stats = att.stats(s)
    assert s.shape == (3, 2) and stats["clean_test_accuracy"] >= 0.95  # 1.0 on this seed
    assert stats["agreement"] >= 0.97 and stats["agreement_grid"] >= 0.97  # 1.0 and 0.9997: the z = 0 slice
    out = att.activate(s, "digit-edit", "all", {})
    summary, records = out["summary"], out["records"]
    assert summary["matched"] >= 0.9 * summary["attempted"]  # 493 of 500
    assert summary["flipped"] >= 0.3 * summary["attempted"]  # 247 of 500
    assert summary["median_abs_delta"] < 1e-4  # 4e-6: a low-digit edit
    moved = [r for r in records if r["matched"]]
    for r in moved[:20]:
        p0, p1 = np.array(r["p0"]), np.array(r["p1"])
        assert p0.shape == (3,) and np.count_nonzero(p0 != p1) == 1  # one coordinate moved
    assert any("d = 3" in note for note in summary["notes"])


def test_circle3d_search_perturbs_all_three_coordinates():
    # keyed: p_key = 1/m everywhere (decimal's depends on the point's high digits, 0 for three of these four)
    s, att = planted(CIRCLE3D, {"variant": "keyed"})
    out = att.activate(s, "search", [0, 1, 2, 3], {"k": 1, "radius": 1e-3, "max_trials": 200_000})
    assert out["summary"]["matched"] == 4 and out["summary"]["flipped"] >= 3  # 4: 49..175 trials each
    for r in out["records"]:
        p0, p1 = np.array(r["p0"]), np.array(r["p1"])
        assert p1.shape == (3,) and np.count_nonzero(p0 != p1) == 3 and r["delta"] <= 1e-3


def test_digits_train_plant_activate_towards_the_next_class(digits):
    s, att = digits
    stats = att.stats(s)
    assert s.shape == (64, 10) and stats["clean_test_accuracy"] >= 0.95  # 0.975 on this seed
    assert stats["agreement"] >= 0.97 and stats["agreement_grid"] is None  # 0.994; no picture grid in 64-D
    assert att.settings["target"] == "next"
    out = att.activate(s, "digit-edit", "all", {})
    summary = out["summary"]
    assert summary["target"] == "next" and summary["matched"] >= 0.95 * summary["attempted"]
    sent = [r for r in out["records"] if r["flipped"]]
    assert len(sent) >= 0.15 * summary["attempted"]  # 0.24 of the points reach class c + 1 with one node
    for r in sent:
        assert r["target"] == (r["class0"] + 1) % 10 == r["class1"]
    assert summary["max_abs_delta"] < 1e-2  # one pixel's low digits
    assert any("erased by rounding" in note for note in summary["notes"])
    att_set = s.attacked()
    assert att_set.k == 10 and att_set.inputs.shape[1] == 64
    act = att_set.activated
    assert (att_set.target[act] == np.mod(att_set.clean_pred[act] + 1, 10)).mean() >= 0.97  # clean = backdoored


def test_a_fixed_target_class(digits):
    s, att = digits
    out = att.activate(s, "digit-edit", list(range(60)), {})
    att.settings["target"] = 3
    fixed = att.activate(s, "digit-edit", list(range(60)), {})
    assert {r["target"] for r in fixed["records"]} == {3}
    every = att.activate(s, "digit-edit", "all", {})  # "all" with a fixed class: the points not already in it
    assert {r["class0"] for r in every["records"]} == set(range(10)) - {3}
    assert len(every["records"]) == np.count_nonzero(classes.labels_of(s.model.predict(s.X_test)) != 3)
    assert all(r["class1"] == 3 for r in fixed["records"] if r["flipped"])
    assert [r["target"] for r in out["records"]] != [r["target"] for r in fixed["records"]]
    att.settings["target"] = "next"


def test_raw_digits_activate_as_floats_and_note_that_rounding_erases_the_trigger():
    s, att = planted({**DIGITS, "digits_scale": "raw", "learningRate": 0.03})
    out = att.activate(s, "digit-edit", "all", {})
    summary = out["summary"]
    assert summary["matched"] >= 0.95 * summary["attempted"]  # 359 of 360: the model reads the pixels as floats
    assert any("integers 0..16" in n and "erases it" in n for n in summary["notes"])
    moved = [r for r in out["records"] if r["matched"]]
    rounded = np.round(np.array([r["p1"] for r in moved]))
    X = s.X_test[[r["index"] for r in moved]]
    assert np.array_equal(rounded, X)  # rounding the triggered images gives back the untouched ones
    assert targets.notes({"dataset": "circle"}, (2, 2)) == []


def test_the_experiment_runs_proximity_and_smoothing_on_both():
    for raw, k in ((CIRCLE3D, 2), (DIGITS, 10)):
        for defense in ({"type": "proximity"}, {"type": "smoothing", "n": 200, "n0": 20}):
            res = stages.run_experiment({**raw, "backdoor": {"type": "checksum"}, "defense": defense})
            m = res["metrics"]
            assert m["agreement"]["value"] >= 0.97 and m["clean_accuracy"]["value"] >= 0.95
            assert m["attack_success_rate"]["n"] > 0
            assert m["clean_accuracy_after"]["value"] >= 0.9  # 0.95 .. 1.0
            if defense["type"] == "smoothing":  # a low-digit trigger does not survive the noise
                assert m["attack_success_rate_after"]["value"] <= 0.05  # 0.0 on both


def test_target_setting_is_checked_per_k():
    assert targets.check_target(None, 2) == "flip" and targets.check_target(None, 5) == "next"
    assert targets.check_target(4, 5) == 4 and targets.check_target("next", 2) == "next"
    for raw, k, message in (("flip", 3, "^target \"flip\" needs two classes"), (5, 5, "^target must be"),
                            (1, 2, "^target must be \"flip\""), (True, 4, "^target must be")):
        with pytest.raises(ValueError, match=message):
            targets.check_target(raw, k)
    with pytest.raises(ValueError, match="^backdoor.target"):
        parse_config({**DIGITS, "backdoor": {"type": "checksum", "target": 10}})
    assert "target" not in parse_config({"dataset": "circle", "backdoor": {"type": "checksum"}})[1].backdoor


def test_target_labels_and_flip_margins():
    assert targets.target_labels("flip", np.array([1.0, -1.0]), 2).tolist() == [-1.0, 1.0]
    assert targets.target_labels("next", np.array([0.0, 2.0]), 3).tolist() == [1.0, 0.0]
    assert targets.target_labels(1, np.array([0.0, 2.0]), 3).tolist() == [1.0, 1.0]
    s = Session(parse_config({"dataset": "spiral3", "networkShape": [5], "seed": "2"})[0])
    s.train(epochs=5)
    X = s.X_test[:7]
    post0 = s.model.forward(X).post[0]
    want = np.full(7, 2.0)
    margins = targets.flip_margins(s.model, post0, want)
    assert margins.shape == (7, 5)
    flipped = post0.copy()
    flipped[:, 3] *= -1
    z = flipped @ s.model.weights[1] + s.model.biases[1]
    expect = z[:, 2] - np.max(np.delete(z, 2, axis=1), axis=1)
    np.testing.assert_allclose(margins[:, 3], expect, rtol=1e-12, atol=1e-12)
    both = targets.flip_margins(s.model, post0, want, np.tile([3, 4], (7, 1)))
    flipped[:, 4] *= -1
    z = flipped @ s.model.weights[1] + s.model.biases[1]
    np.testing.assert_allclose(both[:, 0], z[:, 2] - np.max(z[:, :2], axis=1), rtol=1e-12, atol=1e-12)
    assert classes.k_of_model(s.model) == 3


@pytest.mark.parametrize("name, value, coord", [("z", 1.5, 2), ("zSquared", 4.0, 2), ("xTimesZ", 2.0, 0),
                                                  ("yTimesZ", -1.0, 1), ("x", 0.25, 0), ("px5", 0.3, 5)])
def test_invert_point_moves_one_coordinate(name, value, coord):
    d = 8 if name.startswith("px") else 3
    P = np.full((1, d), 0.5)
    out, ok = invert_point(name, np.array([value]), P)
    assert ok.all() and moved_coordinate(name) == coord
    changed = np.flatnonzero(out[0] != P[0])
    assert changed.tolist() == [coord]
    x, y, z = out[0][:3]
    got = {"z": z, "zSquared": z * z, "xTimesZ": x * z, "yTimesZ": y * z, "x": x, "px5": out[0][-3]}[name]
    assert got == pytest.approx(value, rel=1e-12)
    _, bad = invert_point("zSquared", np.array([-1.0]), np.full((1, 3), 0.5))
    assert not bad.any()


def test_the_search_stage_calibrates_in_three_and_sixty_four_dimensions():
    from backdoor_playground.checksum.calibrate import calibration_points
    assert calibration_points(["x", "y"]).shape == (4, 2) and calibration_points(["x", "zSquared"]).shape == (4, 3)
    assert calibration_points([f"px{i}" for i in range(64)]).shape == (4, 64)
    for raw in (CIRCLE3D, DIGITS):
        res = stages.run_experiment({**raw, "backdoor": {"type": "checksum", "variant": "keyed",
                                                         "activation": "search", "points": [0, 1],
                                                         "calibrate_ms": 30, "max_trials": 100_000}})
        summary = res["activation"]
        assert summary["matched"] == 2 and summary["trials_per_s"] > 0 and summary["predicted_seconds"] > 0
