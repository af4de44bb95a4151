"""NN Calculator's CSV layouts (nistcsv.py): networkModel.csv and the three Save Results files, byte for byte."""

import math

import numpy as np
import pytest

from backdoor_playground.playground import config as cfg
from backdoor_playground.nistcalc import inefficiency as ine
from backdoor_playground.nistcalc import nistcsv
from backdoor_playground.playground.nn import MLP


def small_setup(**extra):
    config, _ = cfg.validate({"networkShape": [2], "x": True, "y": False, "avg": True, "sinXTimesY": True,
                              "trojan": 3, "activation": "relu_csum", "learningRate": 0.00001,
                              "regularization": "L2", "regularizationRate": 0.003, "seed": "abc", "noise": 10,
                              "batchSize": 7, "percTrainData": 60, **extra}, strict=True)
    model = MLP.from_dict({
        "layer_sizes": [3, 2, 1],
        "activation_names": ["relu", "tanh"],  # relu_csum is registered elsewhere
        "weights": [[[0.5, -0.25], [1e-7, 2.0], [-0.0, 0.1]], [[3.0], [-1e21]]],
        "biases": [[0.03, -1.5], [0.125]],
    })
    return config, model


EXPECTED_NETWORK = """problem:classification
number of samples:500
noise:10
trojan:3
activation:CHECKSUM
regularization:L2
regularization Rate:0.003
batch size:7
learning Rate:0.00001
percent Train Data:60
seed:abc
input Data x:true
input Data y:false
input Data sinX:false
input Data X^2:false
input Data Y^2:false
input Data sinY:false
input Data XtimesY:false
input Data cosX:false
input Data cosY:false
input Data add:true
Input Data cir:false
num Hidden Layers:1

network length:3
currentLayer:0, currentLayer length:3
node:0, bias:0, node length of outputs:2
weight:0.5, weight:-0.25
node:1, bias:0, node length of outputs:2
weight:1e-7, weight:2
node:2, bias:0, node length of outputs:2
weight:0, weight:0.1
currentLayer:1, currentLayer length:2
node:0, bias:0.03, node length of outputs:1
weight:3
node:1, bias:-1.5, node length of outputs:1
weight:-1e+21

Data set:circle
input Data sinXtimesY:true
input features:x,sinXTimesY,avg
hidden activations:relu
output activation:TANH
loss:square
output node bias:0.125
"""


class Data:
    train_labels = np.zeros(300)
    test_labels = np.zeros(200)


def test_network_model_layout():
    config, model = small_setup()
    assert nistcsv.save_nn_csv(config, model, Data()) == EXPECTED_NETWORK
    assert nistcsv.save_nn_csv(config, model, 500) == EXPECTED_NETWORK


def test_problem_and_dataset_lines():
    config, model = small_setup(problem="regression", regDataset="reg-gauss")
    lines = nistcsv.save_nn_csv(config, model, 1200).splitlines()
    assert lines[0] == "problem:regression" and lines[3] == "trojan:0"
    assert "Data set:reg-gauss" in lines
    config, model = small_setup(dataset="csum-gauss", activation="linear_csum")
    lines = nistcsv.save_nn_csv(config, model, 500).splitlines()
    assert lines[0] == "problem:backdoor_csum" and lines[4] == "activation:LINEAR_CHECKSUM"
    assert "Data set:csum-gauss" in lines


def read_like_a_user_script(text):
    """A user's parser: key:value header until the blank line, then layers of node/bias and weight lines."""
    header, layers = {}, []
    lines = iter(text.splitlines())
    for line in lines:
        if not line:
            break
        key, _, value = line.partition(":")
        header[key] = value
    n_layers = int(next(lines).split(":")[1])
    for _ in range(n_layers - 1):
        n_nodes = int(next(lines).split("currentLayer length:")[1])
        nodes = []
        for _ in range(n_nodes):
            bias = float(next(lines).split(", ")[1].split(":")[1])
            weights = [float(cell.split(":")[1]) for cell in next(lines).split(", ")]
            nodes.append((bias, weights))
        layers.append(nodes)
    return header, layers


def test_weights_read_back_exactly():
    gen = np.random.default_rng(5)
    config, _ = cfg.validate({"networkShape": [4, 3]}, strict=True)
    model = MLP(2, [4, 3], ["tanh", "tanh"], "tanh", gen)
    model.weights[1][2, 1] = 1e-9
    header, layers = read_like_a_user_script(nistcsv.save_nn_csv(config, model, 500))
    assert header["num Hidden Layers"] == "2" and header["activation"] == "TANH"
    assert len(layers) == 3
    for l, nodes in enumerate(layers):
        for i, (bias, weights) in enumerate(nodes):
            assert weights == model.weights[l][i].tolist()      # shortest round trip: exact
            assert bias == (0.0 if l == 0 else model.biases[l - 1][i])


def test_bad_input():
    config, model = small_setup()
    broken = dict(config)
    del broken["noise"]
    with pytest.raises(ValueError, match="noise"):
        nistcsv.save_nn_csv(broken, model, 500)
    with pytest.raises(ValueError, match="MLP"):
        nistcsv.save_nn_csv(config, "model", 500)
    with pytest.raises(ValueError, match="train_labels"):
        nistcsv.save_nn_csv(config, model, object())
    with pytest.raises(ValueError, match="Inefficiency result"):
        nistcsv.save_results_csv({"train": {}})


# ----------------------------------------------------------------------------------------------------------------------
# Save Results


HAND_NET = {"layer_sizes": [2, 3, 1], "activation_names": ["linear", "tanh"],
            "weights": [[[1, 0, 1], [0, 1, 0]], [[1], [1], [0]]], "biases": [[0, 0, 0], [0]]}
HAND_POINTS = np.array([(1, 2), (2, -1), (-1, -2), (-2, 1), (-1, 3), (1, -3), (3, 1), (0.5, 0.5)], dtype=float)


def hand_result(points=HAND_POINTS, labels=(1, 1, -1, -1, -1, 1, 1, -1)):
    """Hidden (linear) = (x, y, x), output tanh(x + y): see test_inefficiency.py for the hand-computed states."""
    return ine.kl_inefficiency(MLP.from_dict(HAND_NET), points, np.array(labels, dtype=float))


def test_results_layout():
    files = nistcsv.save_results_csv(hand_result())
    assert set(files) == {"stateHist.csv", "KLdivergence.csv", "overlapState.csv"}
    assert files["stateHist.csv"] == (
        "layer, label, state, state occurrence \n"
        "0, P, 111, 3\n 0, P, 101, 1\n 0, N, 000, 1\n 0, N, 010, 1\n 0, P, 010, 1\n 0, N, 101, 1\n "
        "1, P, 1, 5\n 1, N, 0, 3\n ")
    # KL: hidden N 0, hidden P 3/4 log2 3 = 1.189, output N 3/4 log2 3/4 = -0.311, output P 5/4 log2 5/4 = 0.402
    assert files["KLdivergence.csv"] == (
        "layer, label, KL divergence, non-zero state count, Max freq state, Max freq state count, "
        "Min freq state, Min freq state count  \n"
        "0, N, 0, 3, 000, 1, 000, 1\n"
        "0, P, 1.189, 3, 111, 3, 101, 1\n"
        "1, N, -0.311, 1, 0, 3, 0, 3\n"
        "1, P, 0.402, 1, 1, 5, 1, 5\n")
    assert files["overlapState.csv"] == (
        "layer, number of overlapping states, overlapping states  \n"
        "0, 2, 010, 101\n 1, 0, \n "
        "\n layer, label, bit index, bit value  \n"
        "1, N, 0, 0\n 1, P, 0, 1\n ")


def test_results_with_an_absent_label():
    # Only ground-truth P points: label N has no KL; its predicted-N states are still listed.
    rows = nistcsv.kl_divergence_csv(hand_result(labels=np.ones(8))).splitlines()
    assert rows[1] == "0, N, NaN, 3, 000, 1, 000, 1"
    # Points that are all predicted P (x + y > 0) and labelled P: label N has neither KL nor states.
    result = hand_result(points=HAND_POINTS[[0, 1, 4, 6, 7]], labels=np.ones(5))
    rows = nistcsv.kl_divergence_csv(result).splitlines()
    assert rows[1] == "0, N, NaN, 0, , 0, , 0" and rows[3] == "1, N, NaN, 0, , 0, , 0"
    overlap = nistcsv.overlap_csv(result)
    # Constant bits of P only (states 111, 101, 010: none constant in the hidden layer; output bit 0 is 1).
    assert overlap.endswith("\n layer, label, bit index, bit value  \n1, P, 0, 1\n ")


@pytest.mark.parametrize("value, text", [
    (0.5, "0.5"), (2.0, "2"), (-0.0, "0"), (1e-7, "1e-7"), (1e-6, "0.000001"), (0.1 + 0.2, "0.30000000000000004"),
    (1e21, "1e+21"), (123456789012345680000.0, "123456789012345680000"), (-2.5e-8, "-2.5e-8"),
    (float("nan"), "NaN"), (float("-inf"), "-Infinity"),
])
def test_js_number(value, text):
    assert nistcsv.js_number(value) == text


@pytest.mark.parametrize("value, text", [
    (0.0005, "0.001"), (-0.0005, "0"), (-0.0015, "-0.001"), (1.2344, "1.234"), (2, "2"), (None, "NaN"),
])
def test_js_round3(value, text):
    assert nistcsv.js_round3(value) == text


try:
    from hypothesis import given, strategies as st
except ImportError:  # Pyodide: the test below is listed in tests/conftest.py's CPYTHON_ONLY
    given = None

if given is not None:
    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_js_number_round_trips(value):
        text = nistcsv.js_number(value)
        assert float(text) == value and math.copysign(1, float(text)) in (1, math.copysign(1, value))
        assert "e" not in text or 1e-6 > abs(value) or abs(value) >= 1e21
