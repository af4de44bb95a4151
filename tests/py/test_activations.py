"""Activations, losses and regularisers: values at known points and derivatives by finite differences."""

import warnings

import numpy as np
import pytest

from backdoor_playground.playground.activations import ACTIVATIONS, get_activation
from backdoor_playground.playground.losses import LOSSES, accuracy, get_loss
from backdoor_playground.playground.regularizers import REGULARIZERS, get_regularizer

H = 1e-6


def central_difference(f, x):
    return (f(x + H) - f(x - H)) / (2 * H)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivative_matches_finite_difference(name):
    act = ACTIVATIONS[name]
    x = np.random.default_rng(1).uniform(-3, 3, size=(50, 3))
    x = x[np.abs(x).min(axis=1) > 1e-3]  # keep away from ReLU's kink
    analytic = act.df(x, act.f(x))
    np.testing.assert_allclose(analytic, central_difference(act.f, x), atol=1e-7)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("size", [7, 5000])  # both sides of tanh's small/large-array switch
def test_apply_into_writes_the_same_values_as_f(name, size):
    act = ACTIVATIONS[name]
    x = np.random.default_rng(2).uniform(-8, 8, size=size)
    buffer = np.full((size, 2), 7.0)
    act.apply_into(x, buffer[:, 0])
    np.testing.assert_allclose(buffer[:, 0], act.f(x), rtol=0, atol=1e-15)
    assert (buffer[:, 1] == 7.0).all()


@pytest.mark.parametrize("size", [5, 5000])
def test_tanh_matches_numpy_and_saturates_without_warnings(size):
    x = np.linspace(-20, 20, size)
    np.testing.assert_allclose(ACTIVATIONS["tanh"].f(x), np.tanh(x), rtol=0, atol=1e-15)
    extreme = np.resize(np.array([-np.inf, -1e300, -800.0, 800.0, 1e300, np.inf]), size)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ACTIVATIONS["tanh"].f(extreme)
        sig = ACTIVATIONS["sigmoid"].f(extreme)
    np.testing.assert_array_equal(out, np.sign(extreme))
    np.testing.assert_array_equal(sig, (extreme > 0).astype(float))


def test_relu_derivative_is_zero_at_zero_and_below():
    relu = ACTIVATIONS["relu"]
    x = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(relu.df(x, relu.f(x)), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(relu.f(x), [0, 0, 0, 1e-9, 3.0])


def test_known_values():
    x = np.array([0.0, 1.0])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].f(x), [0.5, 1 / (1 + np.exp(-1))])
    np.testing.assert_allclose(ACTIVATIONS["linear"].f(x), x)
    np.testing.assert_allclose(ACTIVATIONS["linear"].df(x, x), [1.0, 1.0])


def test_unknown_names_raise_value_error():
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        get_activation("softmax")
    with pytest.raises(ValueError, match="unknown loss"):
        get_loss("hinge")
    with pytest.raises(ValueError, match="unknown regularization"):
        get_regularizer("L3")
    assert get_activation("tanh") is ACTIVATIONS["tanh"]


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("target", [-1.0, 1.0, 0.3])
def test_loss_derivative_matches_finite_difference(name, target):
    loss = LOSSES[name]
    out = np.linspace(-0.97, 0.97, 41)
    t = np.full_like(out, target)
    analytic = loss.df(out, t)
    numeric = central_difference(lambda o: loss.f(o, t), out)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


def test_square_loss_value():
    # 1/2 (0.5 - (-1))^2 = 1.125
    assert LOSSES["square"].f(np.array([0.5]), np.array([-1.0]))[0] == pytest.approx(1.125)


def test_crossentropy_values_and_saturation():
    ce = LOSSES["crossentropy"]
    # p = (0 + 1) / 2 = 0.5 -> -log 0.5
    assert ce.f(np.array([0.0]), np.array([1.0]))[0] == pytest.approx(np.log(2))
    # o = 0.6 -> p = 0.8; target -1 -> -log(1 - 0.8)
    assert ce.f(np.array([0.6]), np.array([-1.0]))[0] == pytest.approx(-np.log(0.2))
    out = np.array([-1.0, 1.0, -5.0, 5.0])
    for target in (-1.0, 1.0):
        t = np.full_like(out, target)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert np.isfinite(ce.f(out, t)).all()
            assert np.isfinite(ce.df(out, t)).all()
    # The wrongly saturated output keeps a gradient that pushes it back.
    assert ce.df(np.array([1.0]), np.array([-1.0]))[0] > 0
    assert ce.df(np.array([-1.0]), np.array([1.0]))[0] < 0


def test_accuracy_counts_output_zero_as_positive():
    out = np.array([0.0, -0.1, 0.3, 0.9])
    target = np.array([1.0, 1.0, -1.0, 1.0])
    assert accuracy(out, target) == pytest.approx(0.5)
    assert accuracy(out.reshape(-1, 1), target) == pytest.approx(0.5)
    assert np.isnan(accuracy(np.array([]), np.array([])))
    with pytest.raises(ValueError):
        accuracy(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("name", sorted(REGULARIZERS))
def test_regularizer_derivative_matches_finite_difference(name):
    reg = REGULARIZERS[name]
    w = np.array([-2.0, -0.3, 0.01, 0.7, 4.0])
    np.testing.assert_allclose(reg.df(w), central_difference(reg.f, w), atol=1e-7)


def test_regularizer_values():
    w = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(REGULARIZERS["L1"].f(w), [2.0, 0.0, 3.0])
    np.testing.assert_allclose(REGULARIZERS["L1"].df(w), [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(REGULARIZERS["L2"].f(w), [2.0, 0.0, 4.5])
    np.testing.assert_allclose(REGULARIZERS["L2"].df(w), w)
    np.testing.assert_allclose(REGULARIZERS["none"].df(w), 0.0)
    assert REGULARIZERS["L1"].dead_on_crossing and not REGULARIZERS["L2"].dead_on_crossing
    # R'(w) must be a new array: the trainer scales it in place.
    assert not np.shares_memory(REGULARIZERS["L2"].df(w), w)
