"""The trainer against a naive per-point re-implementation of TensorFlow Playground's update rule."""

import math
import warnings

import numpy as np
import pytest

from backdoor_playground.playground.nn import MLP
from backdoor_playground.playground.train import Trainer, evaluate

SCALAR_ACTIVATIONS = {
    "tanh": (math.tanh, lambda pre, post: 1 - post * post),
    "relu": (lambda x: max(x, 0.0), lambda pre, post: 1.0 if pre > 0 else 0.0),
    "sigmoid": (lambda x: 1 / (1 + math.exp(-x)), lambda pre, post: post * (1 - post)),
    "linear": (lambda x: x, lambda pre, post: 1.0),
}


def scalar_loss_derivative(name, out, target):
    if name == "square":
        return out - target
    p = min(max((out + 1) / 2, 1e-12), 1 - 1e-12)
    t01 = (target + 1) / 2
    return (p - t01) / (2 * p * (1 - p))


class NaivePlayground:
    """TFP's oneStep/backProp/updateWeights, one point and one link at a time, on plain Python lists.

    Points form one endless stream: the weights update whenever `batch_size` points have accumulated.
    """

    def __init__(self, model):
        self.W = [w.tolist() for w in model.weights]
        self.b = [b.tolist() for b in model.biases]
        self.dead = [d.tolist() for d in model.dead]
        self.acts = [SCALAR_ACTIVATIONS[name] for name in model.activation_names]
        self.reset_accumulators()

    def reset_accumulators(self):
        self.acc_W = [[[0.0] * len(row) for row in W] for W in self.W]
        self.acc_b = [[0.0] * len(b) for b in self.b]
        self.count = 0

    def point(self, x, target, loss):
        outputs, pres = [list(x)], []
        for W, b, (f, _) in zip(self.W, self.b, self.acts):
            pre = [b[j] + sum(outputs[-1][i] * W[i][j] for i in range(len(W))) for j in range(len(b))]
            pres.append(pre)
            outputs.append([f(p) for p in pre])
        d_post = [scalar_loss_derivative(loss, outputs[-1][0], target)]
        for l in range(len(self.W) - 1, -1, -1):
            df = self.acts[l][1]
            d_pre = [d_post[j] * df(pres[l][j], outputs[l + 1][j]) for j in range(len(d_post))]
            for i in range(len(self.W[l])):
                for j in range(len(d_pre)):
                    self.acc_W[l][i][j] += d_pre[j] * outputs[l][i]
            for j in range(len(d_pre)):
                self.acc_b[l][j] += d_pre[j]
            d_post = [sum(self.W[l][i][j] * d_pre[j] for j in range(len(d_pre))) for i in range(len(self.W[l]))]
        self.count += 1

    def update(self, lr, reg, rate):
        n = self.count
        for l, W in enumerate(self.W):
            for j in range(len(self.b[l])):
                self.b[l][j] -= lr * self.acc_b[l][j] / n
            for i in range(len(W)):
                for j in range(len(W[i])):
                    if self.dead[l][i][j]:
                        continue
                    w = W[i][j]
                    reg_der = {"none": 0.0, "L1": float(np.sign(w)), "L2": w}[reg]
                    w = w - lr * self.acc_W[l][i][j] / n
                    new_w = w - lr * rate * reg_der
                    if reg == "L1" and w * new_w < 0:
                        W[i][j] = 0.0
                        self.dead[l][i][j] = True
                    else:
                        W[i][j] = new_w
        self.reset_accumulators()

    def epoch(self, X, y, *, lr, batch_size, reg="none", rate=0.0, loss="square"):
        if self.count >= batch_size:  # the batch size was lowered below what was carried over
            self.update(lr, reg, rate)
        for x, t in zip(X.tolist(), y.tolist()):
            self.point(x, t, loss)
            if self.count == batch_size:
                self.update(lr, reg, rate)


def assert_same_state(model, naive, atol=1e-12):
    for l in range(len(model.weights)):
        np.testing.assert_allclose(model.weights[l], naive.W[l], rtol=0, atol=atol)
        np.testing.assert_allclose(model.biases[l], naive.b[l], rtol=0, atol=atol)
        np.testing.assert_array_equal(model.dead[l], naive.dead[l])


def circle_data(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(n, 2))
    y = np.where((X ** 2).sum(axis=1) < 4, 1.0, -1.0)
    return X, y


CASES = [
    # hidden, hidden activation, output activation, loss, regularisation, rate, learning rate
    ((3, 2), "tanh", "tanh", "square", "none", 0.0, 0.3),
    ((3, 2), "tanh", "tanh", "square", "L2", 0.1, 0.3),
    ((3, 2), "tanh", "tanh", "square", "L1", 0.3, 0.1),
    ((4,), "relu", "tanh", "crossentropy", "L1", 0.1, 0.3),
    ((3,), "sigmoid", "linear", "square", "L2", 0.03, 0.1),
]


@pytest.mark.parametrize("batch_size", [1, 3, 7, 10, 25])
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_trainer_matches_naive_per_point_loop(batch_size, case):
    hidden, act, out, loss, reg, rate, lr = case
    model = MLP(2, list(hidden), [act] * len(hidden), out, np.random.default_rng(7))
    naive = NaivePlayground(model)
    X, y = circle_data(10)
    trainer = Trainer(model, X, y, learning_rate=lr, batch_size=batch_size,
                      regularization=reg, regularization_rate=rate, loss=loss)
    for _ in range(6):
        trainer.epoch()
        naive.epoch(X, y, lr=lr, batch_size=batch_size, reg=reg, rate=rate, loss=loss)
        assert_same_state(model, naive)
    assert trainer.epochs_done == 6
    if reg == "L1" and rate >= 0.3:
        assert any(d.any() for d in model.dead)  # the dead-link path really ran


def test_settings_change_between_epochs_without_reset():
    model = MLP(2, [3], ["tanh"], "tanh", np.random.default_rng(3))
    naive = NaivePlayground(model)
    X, y = circle_data(10, seed=4)
    trainer = Trainer(model, X, y, learning_rate=0.03, batch_size=4)
    schedule = [(0.03, "none", 0.0), (0.03, "none", 0.0), (1.0, "none", 0.0), (0.3, "L2", 0.1), (0.3, "L2", 0.1)]
    for lr, reg, rate in schedule:
        trainer.learning_rate, trainer.regularization, trainer.regularization_rate = lr, reg, rate
        trainer.epoch()
        naive.epoch(X, y, lr=lr, batch_size=4, reg=reg, rate=rate)
        assert_same_state(model, naive)
    assert trainer.epochs_done == len(schedule)


def test_lowering_the_batch_size_below_the_carried_points_flushes_them_first():
    model = MLP(2, [3], ["tanh"], "tanh", np.random.default_rng(8))
    naive = NaivePlayground(model)
    X, y = circle_data(10, seed=5)
    trainer = Trainer(model, X, y, learning_rate=0.3, batch_size=7)
    for batch_size in (7, 2, 2, 4):  # 3 points carried into the switch to 2
        trainer.batch_size = batch_size
        trainer.epoch()
        naive.epoch(X, y, lr=0.3, batch_size=batch_size)
        assert_same_state(model, naive)


def test_partial_batches_carry_over_even_when_the_data_is_smaller_than_a_batch():
    model = MLP(2, [2], ["tanh"], "tanh", np.random.default_rng(0))
    X, y = circle_data(4)
    trainer = Trainer(model, X, y, learning_rate=0.5, batch_size=10)
    start = model.parameter_vector().copy()
    trainer.run(2)  # 8 points seen: no update yet
    np.testing.assert_array_equal(model.parameter_vector(), start)
    trainer.run(1)  # the 10th point completes the first batch
    assert not np.array_equal(model.parameter_vector(), start)


def test_regularisation_step_follows_the_gradient_step_and_skips_biases():
    model = MLP(2, [3], ["tanh"], "tanh", np.random.default_rng(1))
    X, y = circle_data(6, seed=2)
    lr, rate = 0.2, 0.5
    cache = model.forward(X)
    grad_w, grad_b = model.backward(cache, cache.post[-1][:, 0] - y)
    old_w = [w.copy() for w in model.weights]
    old_b = [b.copy() for b in model.biases]
    Trainer(model, X, y, learning_rate=lr, batch_size=6, regularization="L2", regularization_rate=rate).epoch()
    for w, w0, g in zip(model.weights, old_w, grad_w):
        # R' is taken at the weight before the update, as TensorFlow Playground's updateWeights does.
        np.testing.assert_allclose(w, w0 - lr * g - lr * rate * w0, rtol=0, atol=1e-14)
    for b, b0, g in zip(model.biases, old_b, grad_b):
        np.testing.assert_allclose(b, b0 - lr * g, rtol=0, atol=1e-14)


def test_l1_clamps_a_crossing_weight_to_zero_and_it_stays_dead():
    model = MLP(2, [2], ["tanh"], "tanh", np.random.default_rng(5))
    model.weights[0][0, 1] = 1e-4
    model.weights[0][1, 0] = 0.4
    X, y = circle_data(8, seed=1)
    trainer = Trainer(model, X, y, learning_rate=0.001, batch_size=8, regularization="L1", regularization_rate=1.0)
    trainer.epoch()
    assert model.weights[0][0, 1] == 0.0 and model.dead[0][0, 1]
    assert model.weights[0][1, 0] != 0.0 and not model.dead[0][1, 0]
    assert model.dead[0].sum() == 1
    # Dead links never change again, whatever the settings.
    trainer.regularization, trainer.regularization_rate, trainer.learning_rate = "none", 0.0, 3.0
    before = model.weights[0].copy()
    trainer.run(5)
    assert model.weights[0][0, 1] == 0.0 and model.dead[0][0, 1]
    assert not np.array_equal(model.weights[0], before)
    assert model.to_dict()["dead"][0][0][1] is True


def test_swapping_model_and_data_between_epochs():
    X, y = circle_data(12)
    first = MLP(2, [2], ["tanh"], "tanh", np.random.default_rng(0))
    second = MLP(3, [4], ["relu"], "tanh", np.random.default_rng(1))
    trainer = Trainer(first, X, y, learning_rate=0.1, batch_size=5)
    trainer.epoch()
    frozen_first = first.parameter_vector().copy()
    X3 = np.column_stack([X, X[:, 0] * X[:, 1]])
    naive = NaivePlayground(second)
    trainer.model, trainer.X = second, X3
    trainer.epoch()
    naive.epoch(X3, y, lr=0.1, batch_size=5)
    np.testing.assert_array_equal(first.parameter_vector(), frozen_first)
    assert_same_state(second, naive)
    # A replaced weight array (an import or edit) is picked up, not overwritten by stale buffers.
    second.weights[1] = np.zeros((4, 1))
    naive = NaivePlayground(second)
    trainer.epoch()
    naive.epoch(X3, y, lr=0.1, batch_size=5)
    assert_same_state(second, naive)


@pytest.mark.parametrize(
    "attribute, value, message",
    [
        ("batch_size", 0, "batch_size must be >= 1"),
        ("learning_rate", -0.1, "learning_rate must be finite and >= 0"),
        ("learning_rate", float("nan"), "learning_rate"),
        ("regularization", "L3", "unknown regularization"),
        ("regularization_rate", "lots", "regularization_rate must be a number"),
        ("loss", "hinge", "unknown loss"),
        ("X", np.zeros((12, 3)), r"X: expected shape \(n, 2\)"),
        ("y", np.zeros(11), "y: expected 12 labels"),
    ],
)
def test_bad_settings_raise_value_error(attribute, value, message):
    X, y = circle_data(12)
    trainer = Trainer(MLP(2, [2], ["tanh"], "tanh", np.random.default_rng(0)), X, y,
                      learning_rate=0.1, batch_size=5)
    setattr(trainer, attribute, value)
    with pytest.raises(ValueError, match=message):
        trainer.epoch()


def test_divergence_sets_the_flag_without_raising():
    X, y = circle_data(40)
    model = MLP(2, [8, 8], ["relu", "relu"], "linear", np.random.default_rng(0))
    trainer = Trainer(model, X * 2, y, learning_rate=10.0, batch_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.run(20)
        metrics = evaluate(model, X, y)
    assert trainer.diverged
    assert not np.isfinite(model.parameter_vector()).all()
    assert np.isnan(metrics["loss"]) or np.isinf(metrics["loss"])


def test_a_sane_run_learns_and_does_not_diverge():
    X, y = circle_data(100)
    model = MLP(2, [4, 2], ["tanh", "tanh"], "tanh", np.random.default_rng(0))
    before = evaluate(model, X, y)["loss"]
    trainer = Trainer(model, X, y, learning_rate=0.1, batch_size=10)
    trainer.run(100)
    after = evaluate(model, X, y)
    assert not trainer.diverged
    assert after["loss"] < before / 2 and after["accuracy"] > 0.9


def test_evaluate_reports_mean_loss_without_regularisation_and_sign_accuracy():
    model = MLP(2, [3], ["tanh"], "tanh", np.random.default_rng(2))
    X, y = circle_data(20, seed=3)
    out = model.predict(X)
    metrics = evaluate(model, X, y, "square")
    assert metrics["loss"] == pytest.approx(np.mean(0.5 * (out - y) ** 2))
    assert metrics["accuracy"] == pytest.approx(np.mean((out >= 0) == (y > 0)))
    ce = evaluate(model, X, y, "crossentropy")["loss"]
    p = (out + 1) / 2
    assert ce == pytest.approx(np.mean(-np.where(y > 0, np.log(p), np.log(1 - p))))
    empty = evaluate(model, np.zeros((0, 2)), np.zeros(0))
    assert np.isnan(empty["loss"]) and np.isnan(empty["accuracy"])
    with pytest.raises(ValueError, match="labels"):
        evaluate(model, X, y[:5])
