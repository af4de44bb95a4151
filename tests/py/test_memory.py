"""Data and model memory (memory.py): every operation, deep copies, averaging trained networks, clear errors."""


import numpy as np
import pytest

from backdoor_playground.playground import datasets, features, rng
from backdoor_playground.nistcalc.memory import DataMemory, ModelMemory
from backdoor_playground.playground.nn import MLP
from backdoor_playground.session import Data
from backdoor_playground.playground.train import Trainer


def make_data(seed, n_train=6, n_test=4):
    gen = np.random.default_rng(seed)
    return Data(gen.uniform(-6, 6, (n_train, 2)), np.sign(gen.uniform(-1, 1, n_train)),
                gen.uniform(-6, 6, (n_test, 2)), np.sign(gen.uniform(-1, 1, n_test)), "test")


# ----------------------------------------------------------------------------------------------------------------------
# Data memory


def test_store_is_a_deep_copy_and_recall_hands_out_copies():
    mem, d = DataMemory(), make_data(1)
    expected = make_data(1)
    mem.store(d, "classification")
    d.train_points[0] = 99.0        # later edits of the current data (e.g. a backdoor button)
    d.train_labels[:] = 1.0
    d.test_points[:] = 0.0
    got = mem.recall()
    np.testing.assert_array_equal(got["train_points"], expected.train_points)
    np.testing.assert_array_equal(got["train_labels"], expected.train_labels)
    np.testing.assert_array_equal(got["test_points"], expected.test_points)
    assert got["problem"] == "classification"
    got["train_points"][:] = -1.0   # editing what was recalled does not reach the memory either
    np.testing.assert_array_equal(mem.recall()["train_points"], expected.train_points)


def test_add_appends_and_subtract_removes_the_tail():
    mem, a, b = DataMemory(), make_data(1), make_data(2, n_train=3, n_test=2)
    mem.add(a, "classification", source="circle")          # empty memory: M+ stores
    mem.add(b, "classification", source="xor")
    got = mem.recall()
    np.testing.assert_array_equal(got["train_points"], np.concatenate([a.train_points, b.train_points]))
    np.testing.assert_array_equal(got["test_labels"], np.concatenate([a.test_labels, b.test_labels]))
    s = mem.summary()
    assert (s["n_train"], s["n_test"], s["sets"], s["sources"]) == (9, 6, 2, ["circle", "xor"])
    mem.subtract(b, "classification")
    got = mem.recall()
    np.testing.assert_array_equal(got["train_points"], a.train_points)
    np.testing.assert_array_equal(got["test_points"], a.test_points)
    assert mem.summary()["sources"] == ["circle"]


def test_add_and_subtract_refuse_a_different_problem_type():
    mem = DataMemory()
    mem.store(make_data(1), "classification")
    with pytest.raises(ValueError, match="classification data and the current data is regression"):
        mem.add(make_data(2), "regression")
    with pytest.raises(ValueError, match="cannot be mixed"):
        mem.subtract(make_data(2, 1, 1), "regression")
    assert mem.summary()["n_train"] == 6  # nothing changed


def test_subtract_needs_a_larger_memory():
    mem = DataMemory()
    with pytest.raises(ValueError, match="empty"):
        mem.subtract(make_data(1), "classification")
    mem.store(make_data(1), "classification")
    with pytest.raises(ValueError, match=r"memory \(6 train \+ 4 test points\) is not larger"):
        mem.subtract(make_data(2), "classification")           # same size: would empty it
    with pytest.raises(ValueError, match="not larger"):
        mem.subtract(make_data(2, n_train=2, n_test=5), "classification")  # more test points than stored
    assert mem.summary()["n_train"] == 6


def test_clear_recall_empty_and_bad_input():
    mem = DataMemory()
    mem.store(make_data(1), "regression")
    mem.clear()
    assert mem.summary() == {"empty": True, "problem": None, "n_train": 0, "n_test": 0, "sets": 0, "sources": [],
                             "what": "empty"}
    with pytest.raises(ValueError, match="empty"):
        mem.recall()
    with pytest.raises(ValueError, match="problem must be"):
        mem.store(make_data(1), "backdoor")
    with pytest.raises(ValueError, match="train_points"):
        mem.store(object(), "classification")
    bad = make_data(1)
    bad.train_points[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        mem.store(bad, "classification")
    short = make_data(1)
    short.test_labels = short.test_labels[:2]
    with pytest.raises(ValueError, match="4 points but 2 labels"):
        mem.store(short, "classification")
    assert mem.empty


def test_data_descriptions():
    for op in ("clear", "recall", "add", "subtract", "store"):
        assert DataMemory.describe(op).startswith("D M")
    assert "end of the stored" in DataMemory.describe("subtract")
    with pytest.raises(ValueError, match="unknown memory operation"):
        DataMemory.describe("average")


# ----------------------------------------------------------------------------------------------------------------------
# Model memory


def fresh_model(init_seed, hidden=(4, 2)):
    return MLP(2, list(hidden), ["tanh"] * len(hidden), "tanh", rng.stream("mem", "init", init_seed))


def trained_model(init_seed, epochs=5):
    ds = datasets.make_dataset("circle", 0, "mem", 50)
    model = fresh_model(init_seed)
    Trainer(model, features.feature_matrix(ds.train_points, ["x", "y"]), ds.train_labels,
            learning_rate=0.03, batch_size=10).run(epochs)
    return model


def params(model):
    return [w.copy() for w in model.weights], [b.copy() for b in model.biases]


def test_average_of_three_trained_models_and_restore():
    models = [trained_model(k) for k in (1, 2, 3)]
    snapshots = [params(m) for m in models]
    mem = ModelMemory()
    for m in models:
        mem.add(m)
    assert mem.summary()["count"] == 3 and "sum of 3" in mem.summary()["what"]
    mem.average()
    assert mem.summary()["count"] == 1 and mem.summary()["averaged_from"] == 3
    target = fresh_model(9)
    mem.recall(target)
    for layer in range(3):
        expected_w = (snapshots[0][0][layer] + snapshots[1][0][layer] + snapshots[2][0][layer]) / 3
        expected_b = (snapshots[0][1][layer] + snapshots[1][1][layer] + snapshots[2][1][layer]) / 3
        np.testing.assert_allclose(target.weights[layer], expected_w, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(target.biases[layer], expected_b, rtol=1e-12, atol=1e-15)
    # The output node's bias is part of the memory (NN Calculator drops it).
    assert target.biases[-1][0] == pytest.approx(sum(s[1][-1][0] for s in snapshots) / 3)
    # The restored network is a working network: its prediction uses the averaged parameters.
    x = np.array([[1.0, -2.0]])
    h1 = np.tanh(x @ target.weights[0] + target.biases[0])
    h2 = np.tanh(h1 @ target.weights[1] + target.biases[1])
    assert target.predict(x)[0] == pytest.approx(np.tanh(h2 @ target.weights[2] + target.biases[2])[0, 0])


def test_model_memory_is_a_deep_copy():
    model = fresh_model(1)
    w0, b0 = params(model)
    mem = ModelMemory()
    mem.store(model)
    model.weights[0][0, 0] = 42.0            # a hand edit
    model.biases[-1][0] = -7.0
    target = fresh_model(2)
    mem.recall(target)
    np.testing.assert_array_equal(target.weights[0], w0[0])
    assert target.biases[-1][0] == b0[-1][0]
    target.weights[1][:] = 0.0               # editing the restored network leaves the memory alone
    again = fresh_model(3)
    mem.recall(again)
    np.testing.assert_array_equal(again.weights[1], w0[1])


def test_subtract_is_memory_minus_current_and_undoes_add():
    a, b, c = fresh_model(1), fresh_model(2), fresh_model(3)
    (wa, ba), (wb, bb) = params(a), params(b)
    mem = ModelMemory()
    mem.store(a)
    mem.subtract(b)
    assert mem.summary()["count"] == 0
    out = fresh_model(4)
    mem.recall(out)
    for layer in range(3):
        np.testing.assert_allclose(out.weights[layer], wa[layer] - wb[layer], rtol=0, atol=1e-15)
        np.testing.assert_allclose(out.biases[layer], ba[layer] - bb[layer], rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="at least 2 networks"):
        mem.average()
    # M+ a, M+ b, M+ c, M- c, AVG -> (a + b) / 2
    mem.clear()
    for m in (a, b, c):
        mem.add(m)
    mem.subtract(c)
    assert mem.summary()["count"] == 2 and "1 subtracted" in mem.summary()["what"]
    mem.average()
    mem.recall(out)
    np.testing.assert_allclose(out.weights[0], (wa[0] + wb[0]) / 2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(out.biases[2], (ba[2] + bb[2]) / 2, rtol=0, atol=1e-15)


def test_subtract_from_empty_memory_is_minus_current():
    a = fresh_model(1)
    wa, ba = params(a)
    mem = ModelMemory()
    mem.subtract(a)
    assert mem.summary()["count"] == -1
    out = fresh_model(2)
    mem.recall(out)
    np.testing.assert_array_equal(out.weights[1], -wa[1])
    np.testing.assert_array_equal(out.biases[2], -ba[2])


def test_shape_mismatch_names_both_shapes():
    mem = ModelMemory()
    mem.store(fresh_model(1))                    # 2-4-2-1
    other = fresh_model(2, hidden=(3,))          # 2-3-1
    for op in (mem.add, mem.subtract, mem.recall):
        with pytest.raises(ValueError, match="2-4-2-1.*2-3-1"):
            op(other)
    assert mem.summary()["count"] == 1 and mem.summary()["shape"] == "2-4-2-1"


def test_average_needs_two_models_and_empty_memory_errors():
    mem = ModelMemory()
    with pytest.raises(ValueError, match="empty"):
        mem.average()
    with pytest.raises(ValueError, match="empty"):
        mem.recall(fresh_model(1))
    mem.store(fresh_model(1))
    with pytest.raises(ValueError, match="model count of 1"):
        mem.average()
    with pytest.raises(ValueError, match="MLP"):
        mem.add("not a network")
    diverged = fresh_model(2)
    diverged.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="diverged"):
        mem.add(diverged)
    assert mem.summary()["count"] == 1


def test_model_summary_and_clear():
    mem = ModelMemory()
    assert mem.summary()["empty"] is True
    mem.store(fresh_model(1))
    s = mem.summary()
    # 2-4-2-1: (2*4 + 4) + (4*2 + 2) + (2*1 + 1) parameters, output bias included
    assert (s["empty"], s["count"], s["layer_sizes"], s["n_parameters"], s["what"]) == \
        (False, 1, [2, 4, 2, 1], 12 + 10 + 3, "1 network")
    mem.clear()
    assert mem.summary()["empty"] is True and mem.parameters()["weights"] == []


def test_model_descriptions_state_what_subtract_computes():
    text = ModelMemory.describe("subtract")
    assert "memory ← memory − current network" in text and "output bias included" in text
    assert "\n" not in text
    for op in ("clear", "recall", "add", "subtract", "store", "average"):
        assert ModelMemory.describe(op).startswith("NN ")
    with pytest.raises(ValueError, match="unknown memory operation"):
        ModelMemory.describe("multiply")
