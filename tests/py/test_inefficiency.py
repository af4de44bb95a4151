"""Inefficiency (KL of layer-state histograms), Inference and Sensitivity (inefficiency.py) on hand-built networks."""

import json
import math

import numpy as np
import pytest

from backdoor_playground.playground import config as cfg
from backdoor_playground.playground import datasets, features, rng
from backdoor_playground.nistcalc import inefficiency as ine
from backdoor_playground.playground.nn import MLP
from backdoor_playground.playground.train import Trainer

LOG2_3 = math.log2(3)


def hand_network():
    """Hidden layer (linear) = (x, y, x); output = tanh(x + y). Layer states: (x > 0, y > 0, x > 0), then x + y > 0."""
    return MLP.from_dict({
        "layer_sizes": [2, 3, 1],
        "activation_names": ["linear", "tanh"],
        "weights": [[[1, 0, 1], [0, 1, 0]], [[1], [1], [0]]],
        "biases": [[0, 0, 0], [0]],
    })


# point, label; the comment gives the hidden state, the predicted label (sign of x + y) and the ground truth
POINTS = np.array([(1, 2), (2, -1), (-1, -2), (-2, 1), (-1, 3), (1, -3), (3, 1), (0.5, 0.5)], dtype=float)
LABELS = np.array([1, 1, -1, -1, -1, 1, 1, -1], dtype=float)
# 111 P/P, 101 P/P, 000 N/N, 010 N/N, 010 P/N, 101 N/P, 111 P/P, 111 P/N
# ground truth: 4 N, 4 P.  predicted N: 3 points, predicted P: 5 points.


def test_kl_values_on_a_hand_built_network():
    r = ine.kl_inefficiency(hand_network(), POINTS, LABELS)
    assert r["counts"] == {"N": 4, "P": 4} and r["predicted"] == {"N": 3, "P": 5}
    hidden, output = r["layers"]
    assert (hidden["nodes"], hidden["p_ref"], hidden["kind"]) == (3, 0.25, "hidden")
    assert (output["nodes"], output["p_ref"], output["kind"]) == (1, 1.0, "output")
    # Hidden, label N: states 000, 010, 101 once each; q = 1/4 = p -> every term is 0.
    assert hidden["kl"]["N"] == pytest.approx(0.0, abs=1e-15)
    # Hidden, label P: 111 three times (q = 3/4), 101 and 010 once (q = 1/4 = p): 3/4 log2(3).
    assert hidden["kl"]["P"] == pytest.approx(0.75 * LOG2_3)
    # Output, N: state 0 three times, q = 3/4, p = 1.  P: state 1 five times, q = 5/4.
    kl_out_n, kl_out_p = 0.75 * math.log2(0.75), 1.25 * math.log2(1.25)
    assert output["kl"]["N"] == pytest.approx(kl_out_n)
    assert output["kl"]["P"] == pytest.approx(kl_out_p)
    t0, t1 = 0.75 * LOG2_3, kl_out_n + kl_out_p
    assert r["arithmetic_mean"] == pytest.approx((t0 + t1) / 2)
    assert r["geometric_mean"] == pytest.approx(math.sqrt(t0 * t1))
    assert r["notes"] == []


def test_histograms_tables_overlap_and_constant_bits():
    hidden, output = ine.kl_inefficiency(hand_network(), POINTS, LABELS)["layers"]
    # All states in order of first occurrence, keyed by the predicted label.
    assert [(e["label"], e["state"], e["count"]) for e in hidden["states"]] == [
        ("P", "111", 3), ("P", "101", 1), ("N", "000", 1), ("N", "010", 1), ("P", "010", 1), ("N", "101", 1)]
    assert hidden["histogram"] == {"N": {"000": 1, "010": 1, "101": 1}, "P": {"111": 3, "101": 1, "010": 1}}
    assert [(e["label"], e["state"], e["count"]) for e in output["states"]] == [("P", "1", 5), ("N", "0", 3)]
    # Split by ground truth (NN Calculator's four charts): the N points are #3, #4, #5, #8.
    assert [(e["label"], e["state"], e["count"]) for e in hidden["by_truth"]["N"]] == [
        ("N", "000", 1), ("N", "010", 1), ("P", "010", 1), ("P", "111", 1)]
    assert [(e["label"], e["state"], e["count"]) for e in output["by_truth"]["P"]] == [("P", "1", 3), ("N", "0", 1)]
    # Table: ties go to the state that occurred first.
    n_row, p_row = hidden["table"]
    assert (n_row["nonzero_states"], n_row["max_state"], n_row["max_count"], n_row["min_state"],
            n_row["min_count"]) == (3, "000", 1, "000", 1)
    assert (p_row["nonzero_states"], p_row["max_state"], p_row["max_count"], p_row["min_state"],
            p_row["min_count"]) == (3, "111", 3, "101", 1)
    assert hidden["overlap"] == ["010", "101"] and output["overlap"] == []
    assert hidden["constant_bits"] == []
    assert output["constant_bits"] == [{"label": "N", "bit": 0, "value": 0}, {"label": "P", "bit": 0, "value": 1}]


def test_constant_bits_read_each_bit_itself():
    # Hidden nodes (-y, x, y), output = the third node: predicted-P states 001 and 011.
    net = MLP.from_dict({"layer_sizes": [2, 3, 1], "activation_names": ["linear", "tanh"],
                         "weights": [[[0, 1, 0], [-1, 0, 1]], [[0], [0], [1]]], "biases": [[0, 0, 0], [0]]})
    pts = np.array([(-1.0, 2.0), (1.0, 2.0), (-2.0, 1.0)])
    hidden, _ = ine.kl_inefficiency(net, pts, np.ones(3))["layers"]
    assert hidden["histogram"]["P"] == {"001": 2, "011": 1}
    # Bit 0 is always 0 and bit 2 always 1; bit 1 varies (NN Calculator reads substr(1, 2) = "01" -> 1 for 001 and
    # reports bit 1 as constant 1).
    assert hidden["constant_bits"] == [{"label": "P", "bit": 0, "value": 0}, {"label": "P", "bit": 2, "value": 1}]


def test_absent_label_gives_none_not_a_division_by_zero():
    r = ine.kl_inefficiency(hand_network(), POINTS, np.ones(len(POINTS)))   # every ground truth is P
    assert r["counts"] == {"N": 0, "P": 8}
    for layer in r["layers"]:
        assert layer["kl"]["N"] is None and layer["table"][0]["kl"] is None
        assert layer["kl"]["P"] is not None and math.isfinite(layer["kl"]["P"])
    assert any("label N" in note for note in r["notes"])
    json.dumps(r, allow_nan=False)   # no NaN or infinity anywhere
    # Hidden, P: predicted-P points 111 x3, 101 x1, 010 x1 over 8 ground-truth P points, p = 1/4.
    assert r["layers"][0]["kl"]["P"] == pytest.approx(3 / 8 * math.log2(1.5) + 2 / 8 * math.log2(0.5))
    # The averages use the label that is present: output P = 5/8 log2(5/8).
    t0, t1 = 3 / 8 * math.log2(1.5) - 0.25, 5 / 8 * math.log2(5 / 8)
    assert r["arithmetic_mean"] == pytest.approx((t0 + t1) / 2)


def test_no_points_and_negative_terms():
    r = ine.kl_inefficiency(hand_network(), np.zeros((0, 2)), np.zeros(0))
    assert r["arithmetic_mean"] is None and r["geometric_mean"] is None
    assert all(layer["kl"] == {"N": None, "P": None} and layer["states"] == [] for layer in r["layers"])
    # Identity-like hidden layer of 2 nodes (x, y): the hidden KL sum is negative -> geometric mean undefined.
    net = MLP.from_dict({"layer_sizes": [2, 2, 1], "activation_names": ["linear", "tanh"],
                         "weights": [[[1, 0], [0, 1]], [[1], [1]]], "biases": [[0, 0], [0]]})
    r = ine.kl_inefficiency(net, POINTS, LABELS)
    # N: 00, 01, 10 once each, q = 1/4, p = 1/2: 3/4 * log2(1/2) = -3/4.
    assert r["layers"][0]["kl"]["N"] == pytest.approx(-0.75)
    assert r["geometric_mean"] is None and any("geometric" in note for note in r["notes"])


def test_perfect_classifier_has_zero_output_kl_and_zero_geometric_mean():
    labels = np.where(POINTS.sum(axis=1) > 0, 1.0, -1.0)
    r = ine.kl_inefficiency(hand_network(), POINTS, labels)
    assert r["layers"][1]["kl"] == {"N": 0.0, "P": 0.0}
    assert r["geometric_mean"] == 0.0


def test_bad_input():
    net = hand_network()
    with pytest.raises(ValueError, match="expected shape"):
        ine.kl_inefficiency(net, np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="3 points but 2 labels"):
        ine.kl_inefficiency(net, np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="NaN"):
        ine.kl_inefficiency(net, np.zeros((1, 2)), [np.nan])
    with pytest.raises(ValueError, match="MLP"):
        ine.kl_inefficiency("net", np.zeros((1, 2)), [1.0])


def test_inference_is_half_mse():
    net = hand_network()
    train = np.mean([0.5 * (math.tanh(x + y) - t) ** 2 for (x, y), t in zip(POINTS, LABELS)])
    test = 0.5 * (math.tanh(-3.0) - 1.0) ** 2
    r = ine.inference(net, POINTS, LABELS, np.array([[-1.0, -2.0]]), [1.0])
    assert r["loss_train"] == pytest.approx(train) and r["loss_test"] == pytest.approx(test)
    assert r["text"] == f"MSE Train loss: {round(train, 3)}, MSE Test loss: {round(test, 3)}"
    empty = ine.inference(net, POINTS, LABELS, np.zeros((0, 2)), [])
    assert empty["loss_test"] is None and empty["text"].endswith("MSE Test loss: NaN")


def test_report_has_both_splits():
    r = ine.inefficiency_report(hand_network(), POINTS, LABELS, POINTS[:4], LABELS[:4])
    assert r["train"]["n_points"] == 8 and r["test"]["n_points"] == 4


# ----------------------------------------------------------------------------------------------------------------------
# Sensitivity


def small_config(**extra):
    config, _ = cfg.validate({"networkShape": [3], "seed": "sens", **extra}, strict=True)
    return config


def iteration_data(config, run, it):
    seed = int(rng.stream(config["seed"], "data", ine.SENSITIVITY_STREAM_TAG, run, it).integers(0, 2**53))
    ds = datasets.make_dataset(config["dataset"], config["noise"], seed, config["percTrainData"], config["trojan"])
    return features.feature_matrix(ds.train_points, ["x", "y"]), ds.train_labels


def test_sensitivity_trains_on_fresh_data_without_resetting_between_runs():
    config = small_config(trojan=2)
    model = MLP(2, [3], ["tanh"], "tanh", rng.stream("start", "init", 0))
    before = model.to_dict()
    result = ine.sensitivity(config, runs=2, iterations=1, model=model)
    assert model.to_dict() == before      # the caller's network is untouched
    # Replay by hand: run 1 = one epoch on data (0, 0); run 2 continues with one epoch on data (1, 0).
    replay = MLP.from_dict(before)
    expected = []
    for run in range(2):
        X, y = iteration_data(config, run, 0)
        Trainer(replay, X, y, learning_rate=0.03, batch_size=10).epoch()
        expected.append([layer["kl"] for layer in ine.kl_inefficiency(replay, X, y)["layers"]])
    for l, layer in enumerate(result["layers"]):
        for label in ("N", "P"):
            values = [expected[0][l][label], expected[1][l][label]]
            assert layer[label]["values"] == pytest.approx(values)
            assert layer[label]["mean"] == pytest.approx((values[0] + values[1]) / 2)
            assert layer[label]["sd"] == pytest.approx(abs(values[0] - values[1]) / 2)  # population sd of two
    assert result["finished"] and result["completed_runs"] == 2 and not result["cancelled"]
    assert len(result["lines"]) == 2 * 2 and result["lines"][0].startswith("layer:0, avg KL(N):")


def test_sensitivity_steps_report_progress_and_cancel():
    job = ine.SensitivityRun(small_config(), runs=2, iterations=3)
    seen = [job.step(budget_ms=0)["completed_iterations"] for _ in range(4)]
    assert seen == [1, 2, 3, 4]            # a zero budget still makes progress, one iteration at a time
    assert job.progress()["completed_runs"] == 1 and not job.done
    job.cancel()
    assert job.done and job.step(0)["completed_iterations"] == 4
    r = job.result()
    assert r["cancelled"] and not r["finished"] and r["completed_runs"] == 1
    assert any("cancelled after 1 of 2 runs" in note for note in r["notes"])
    assert all(len(layer["N"]["values"]) == 1 and layer["N"]["sd"] == 0.0 for layer in r["layers"])


def test_sensitivity_function_calls_back_and_is_deterministic():
    calls = []
    r1 = ine.sensitivity(small_config(), runs=2, iterations=4, progress=calls.append, budget_ms=0)
    assert [c["completed_iterations"] for c in calls] == list(range(1, 9)) and calls[-1]["done"]
    r2 = ine.sensitivity(small_config(), runs=2, iterations=4)
    assert r1["layers"] == r2["layers"]
    stopped = ine.sensitivity(small_config(), runs=3, iterations=5, budget_ms=0, should_cancel=lambda: True)
    assert stopped["cancelled"] and stopped["completed_runs"] == 0
    assert all(layer["N"]["mean"] is None for layer in stopped["layers"])


def test_sensitivity_bad_arguments():
    with pytest.raises(ValueError, match="runs"):
        ine.SensitivityRun(small_config(), runs=0)
    with pytest.raises(ValueError, match="iterations"):
        ine.SensitivityRun(small_config(), iterations="10")
    with pytest.raises(ValueError, match="3 inputs but the settings enable 2"):
        ine.SensitivityRun(small_config(), model=MLP(3, [2], ["tanh"], "tanh", rng.stream("a", "init")))
    with pytest.raises(ValueError):
        ine.SensitivityRun({"networkShape": "lots"})
    with pytest.raises(ValueError, match="budget_ms"):
        ine.SensitivityRun(small_config(), runs=1, iterations=1).step("soon")
