"""K classes (playground/classes.py): labels, accuracy, confusion matrices, softmax cross-entropy and K-output networks."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.playground import classes
from backdoor_playground.playground.losses import SOFTMAX_CROSSENTROPY, get_loss
from backdoor_playground.playground.nn import MLP
from backdoor_playground.playground.train import Trainer, evaluate


def test_labels_of_reads_one_output_by_sign_and_k_outputs_by_argmax():
    assert classes.labels_of(np.array([0.3, -0.2, 0.0, np.nan])).tolist() == [1, -1, 1, -1]
    logits = np.array([[0.1, 2.0, -1.0], [3.0, 3.0, 0.0], [np.nan, 0.0, 1.0]])
    assert classes.labels_of(logits).tolist() == [1, 0, 2]


def test_accuracy_and_confusion_for_two_and_k_classes():
    assert classes.accuracy(np.array([0.5, -0.5, 0.2]), np.array([1.0, 1.0, 1.0])) == pytest.approx(2 / 3)
    assert classes.confusion(np.array([0.5, -0.5, 0.2]), np.array([1.0, 1.0, -1.0]), 2) == [[0, 1], [1, 1]]
    logits = np.eye(3)[[0, 1, 2, 2]]
    labels = np.array([0.0, 1.0, 1.0, 2.0])
    assert classes.accuracy(logits, labels) == 0.75
    assert classes.confusion(logits, labels, 3) == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    assert np.isnan(classes.accuracy(np.zeros((0, 3)), np.zeros(0)))


def test_one_hot_indices_and_label_values_round_trip():
    assert classes.one_hot(np.array([1.0, -1.0]), 2).tolist() == [[0, 1], [1, 0]]
    assert classes.one_hot(np.array([2.0, 0.0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert classes.label_values(classes.indices(np.array([-1.0, 1.0]), 2), 2).tolist() == [-1, 1]


@pytest.mark.parametrize("k", [1, 11, 2.5, True, "3"])
def test_k_outside_two_to_ten_is_refused_by_name(k):
    with pytest.raises(ValueError, match="^classes must be (between 2 and 10|an integer)"):
        classes.check_k(k)


def test_check_labels_names_the_first_label_that_is_not_a_class():
    with pytest.raises(ValueError, match="label 3 .point 1. is not a class of K = 3"):
        classes.check_labels([0.0, 3.0], 3)
    with pytest.raises(ValueError, match="use \\+1 or -1"):
        classes.check_labels([0.0, 1.0], 2)


def test_softmax_is_stable_for_huge_logits():
    p = classes.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.isfinite(p).all() and p[0, 0] == pytest.approx(1.0)
    loss = SOFTMAX_CROSSENTROPY.f(np.array([[1000.0], [0.0]]), np.array([[1.0]]))
    assert loss[0, 0] == pytest.approx(1000.0)


def test_softmax_crossentropy_gradient_is_p_minus_one_hot_and_matches_finite_differences():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 6))
    t = rng.integers(0, 4, size=(1, 6)).astype(float)
    g = SOFTMAX_CROSSENTROPY.df(z, t)
    np.testing.assert_allclose(g, classes.softmax(z, axis=0) - classes.one_hot(t.ravel(), 4).T, atol=1e-12)
    h = 1e-6
    for i in range(4):
        dz = np.zeros_like(z)
        dz[i] = h
        numeric = (SOFTMAX_CROSSENTROPY.f(z + dz, t) - SOFTMAX_CROSSENTROPY.f(z - dz, t)) / (2 * h)
        np.testing.assert_allclose(g[i], numeric[0], rtol=1e-5, atol=1e-8)
    assert get_loss("softmax_crossentropy") is SOFTMAX_CROSSENTROPY


def test_k_output_backward_matches_finite_differences():
    model = MLP(2, [3], ["tanh"], "linear", np.random.default_rng(1), n_outputs=3)
    X = np.random.default_rng(2).normal(size=(5, 2))
    y = np.array([0.0, 2.0, 1.0, 1.0, 0.0])
    cache = model.forward(X)
    grad_w, _ = model.backward(cache, SOFTMAX_CROSSENTROPY.df(cache.post[-1].T, y[None]).T)

    def loss() -> float:
        return float(np.mean(SOFTMAX_CROSSENTROPY.f(model.predict(X).T, y[None])))

    w = model.weights[1]
    for idx in [(0, 0), (2, 1), (1, 2)]:
        old = w[idx]
        w[idx] = old + 1e-6
        up = loss()
        w[idx] = old - 1e-6
        down = loss()
        w[idx] = old
        assert grad_w[1][idx] == pytest.approx((up - down) / 2e-6, rel=1e-5, abs=1e-9)


def test_a_two_node_output_is_refused_and_k_nodes_round_trip():
    with pytest.raises(ValueError, match="output layer must have 1 node"):
        MLP(2, [3], ["tanh"], "linear", np.random.default_rng(0), n_outputs=2)
    model = MLP(2, [3], ["tanh"], "linear", np.random.default_rng(0), n_outputs=4)
    back = MLP.from_dict(model.to_dict())
    X = np.ones((3, 2))
    assert back.predict(X).shape == (3, 4) and np.array_equal(back.predict(X), model.predict(X))
    assert classes.k_of_model(back) == 4


def test_trainer_learns_three_sectors_and_refuses_labels_outside_k():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(300, 2))
    y = np.floor((np.arctan2(X[:, 1], X[:, 0]) + np.pi) / (2 * np.pi / 3)) % 3
    model = MLP(2, [8], ["tanh"], "linear", np.random.default_rng(1), n_outputs=3)
    Trainer(model, X, y, learning_rate=0.1, batch_size=10, loss="softmax_crossentropy").run(100)
    m = evaluate(model, X, y, "softmax_crossentropy")
    assert m["accuracy"] >= 0.95 and m["loss"] < 0.2
    with pytest.raises(ValueError, match="label 3"):
        Trainer(model, X, np.full(300, 3.0), learning_rate=0.1, batch_size=10, loss="softmax_crossentropy")
    with pytest.raises(ValueError, match="does not fit a model with 3 output"):
        Trainer(model, X, y, learning_rate=0.1, batch_size=10, loss="square").run(1)
