"""The MLP: initialisation, forward values, gradients by finite differences, storage and plain-data round trip."""

import json
import warnings

import numpy as np
import pytest

from backdoor_playground.playground.activations import ACTIVATIONS
from backdoor_playground.playground.losses import LOSSES
from backdoor_playground.playground.nn import MLP


def make(hidden=(3, 2), acts=None, out="tanh", n_inputs=2, seed=0):
    acts = list(acts) if acts is not None else ["tanh"] * len(hidden)
    return MLP(n_inputs, list(hidden), acts, out, np.random.default_rng(seed))


def test_init_draws_uniform_weights_layer_by_layer_and_bias_point_one():
    model = MLP(3, [4, 2], ["tanh", "relu"], "tanh", np.random.default_rng(42))
    rng = np.random.default_rng(42)
    for (n_in, n_out), w, b in zip([(3, 4), (4, 2), (2, 1)], model.weights, model.biases):
        np.testing.assert_array_equal(w, rng.uniform(-0.5, 0.5, size=(n_in, n_out)))
        np.testing.assert_array_equal(b, np.full(n_out, 0.1))
    assert model.layer_sizes == (3, 4, 2, 1)
    assert model.activation_names == ["tanh", "relu", "tanh"]
    assert all(not d.any() and d.shape == w.shape for d, w in zip(model.dead, model.weights))


def test_init_is_deterministic_and_seed_dependent():
    a, b, c = make(seed=5), make(seed=5), make(seed=6)
    for wa, wb, wc in zip(a.weights, b.weights, c.weights):
        np.testing.assert_array_equal(wa, wb)
        assert not np.array_equal(wa, wc)
        assert (np.abs(wa) <= 0.5).all()


def test_init_zero_sets_everything_to_zero_without_rng():
    model = MLP(2, [3], ["relu"], "tanh", None, init_zero=True)
    assert all((w == 0).all() for w in model.weights)
    assert all((b == 0).all() for b in model.biases)
    np.testing.assert_array_equal(model.predict(np.ones((4, 2))), 0.0)


@pytest.mark.parametrize(
    "args, message",
    [
        ((2, [3], ["tanh"], "tanh", None), "rng is required"),
        ((2, [3, 2], ["tanh"], "tanh", np.random.default_rng(0)), "one activation per hidden layer"),
        ((2, [0], ["tanh"], "tanh", np.random.default_rng(0)), r"hidden\[0\] must be >= 1"),
        ((2, [3], ["swish"], "tanh", np.random.default_rng(0)), "unknown activation 'swish'"),
        ((-1, [3], ["tanh"], "tanh", np.random.default_rng(0)), "n_inputs"),
        ((2, [2.5], ["tanh"], "tanh", np.random.default_rng(0)), "integer"),
    ],
)
def test_bad_constructor_arguments_raise_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        MLP(*args)


def test_forward_matches_a_hand_written_pass():
    model = make(hidden=(4, 3), acts=["relu", "sigmoid"], out="tanh")
    X = np.random.default_rng(3).normal(size=(6, 2)) * 3
    h1 = np.maximum(X @ model.weights[0] + model.biases[0], 0)
    h2 = 1 / (1 + np.exp(-(h1 @ model.weights[1] + model.biases[1])))
    out = np.tanh(h2 @ model.weights[2] + model.biases[2])
    cache = model.forward(X)
    np.testing.assert_allclose(cache.post[0], h1)
    np.testing.assert_allclose(cache.post[1], h2)
    np.testing.assert_allclose(cache.post[-1], out)
    assert cache.post[-1].shape == (6, 1) and cache.pre[0].shape == (6, 4)
    np.testing.assert_allclose(model.predict(X), out[:, 0])
    outputs = model.node_outputs(X)
    assert [o.shape for o in outputs] == [(6, 4), (6, 3), (6, 1)]


def test_no_hidden_layers_is_a_single_tanh_unit():
    model = MLP(2, [], [], "tanh", np.random.default_rng(0))
    X = np.array([[1.0, -2.0]])
    expected = np.tanh(X @ model.weights[0] + model.biases[0])[:, 0]
    np.testing.assert_allclose(model.predict(X), expected)


def test_forward_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"inputs: expected shape \(n, 2\)"):
        make().forward(np.zeros((3, 3)))


def mean_loss(model, X, y, loss):
    return float(np.mean(loss.f(model.predict(X), y)))


def finite_difference_gradients(model, X, y, loss, h=1e-6):
    grads = []
    for arrays in (model.weights, model.biases):
        layer_grads = []
        for a in arrays:
            g = np.zeros_like(a)
            for idx in np.ndindex(a.shape):
                old = a[idx]
                a[idx] = old + h
                up = mean_loss(model, X, y, loss)
                a[idx] = old - h
                down = mean_loss(model, X, y, loss)
                a[idx] = old
                g[idx] = (up - down) / (2 * h)
            layer_grads.append(g)
        grads.append(layer_grads)
    return grads


@pytest.mark.parametrize("hidden_act", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize("out_act", ["tanh", "linear"])
def test_backward_is_the_mean_gradient_of_the_loss(hidden_act, loss_name, out_act):
    model = make(hidden=(3, 2), acts=[hidden_act] * 2, out=out_act, seed=11)
    rng = np.random.default_rng(12)
    X = rng.uniform(-2, 2, size=(7, 2))
    y = np.where(rng.random(7) < 0.5, -1.0, 1.0)
    loss = LOSSES[loss_name]
    if out_act == "linear":
        # Keep the linear output inside (-1, 1) so cross-entropy's clip never binds.
        for w in model.weights:
            w *= 0.3
    cache = model.forward(X)
    assert (np.abs(cache.post[-1]) < 1).all()
    grad_w, grad_b = model.backward(cache, loss.df(cache.post[-1][:, 0], y))
    numeric_w, numeric_b = finite_difference_gradients(model, X, y, loss)
    for analytic, numeric in zip(grad_w + grad_b, numeric_w + numeric_b):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_backward_accepts_column_gradients_and_rejects_bad_shapes():
    model = make()
    X = np.random.default_rng(0).normal(size=(5, 2))
    cache = model.forward(X)
    d = np.linspace(-1, 1, 5)
    flat_w, flat_b = model.backward(cache, d)
    col_w, col_b = model.backward(cache, d.reshape(-1, 1))
    for a, b in zip(flat_w + flat_b, col_w + col_b):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="d_out"):
        model.backward(cache, np.zeros(4))


def test_weights_are_views_of_the_parameter_vector_and_replacements_are_repacked():
    model = make()
    params = model.parameter_vector()
    model.weights[0][1, 2] = 9.5
    assert 9.5 in params
    replacement = np.full((2, 1), -0.25)
    model.weights[2] = replacement
    new_params = model.parameter_vector()
    assert new_params is not params and (new_params == -0.25).sum() == 2
    np.testing.assert_array_equal(model.weights[2], replacement)
    assert model.weights[0][1, 2] == 9.5
    model.weights[2][0, 0] = 1.0  # still a live view after the repack
    assert model.parameter_vector()[model.weight_mask()].tolist().count(1.0) == 1
    model.weights[1] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"weights\[1\]: expected shape \(3, 2\)"):
        model.parameter_vector()


def test_weight_mask_marks_weights_not_biases():
    model = make(hidden=(3,))
    mask = model.weight_mask()
    params = model.parameter_vector()
    assert mask.sum() == 2 * 3 + 3 * 1 and (~mask).sum() == 3 + 1
    np.testing.assert_array_equal(params[~mask], 0.1)


def test_copy_is_independent():
    model = make()
    clone = model.copy()
    clone.weights[0][0, 0] = 123.0
    clone.dead[0][0, 0] = True
    assert model.weights[0][0, 0] != 123.0 and not model.dead[0][0, 0]
    X = np.random.default_rng(1).normal(size=(4, 2))
    np.testing.assert_array_equal(make().predict(X), model.predict(X))


def test_to_dict_from_dict_round_trip_through_json():
    model = make(hidden=(4, 2), acts=["relu", "sigmoid"], out="linear")
    model.dead[1][2, 0] = True
    model.weights[1][2, 0] = 0.0
    data = json.loads(json.dumps(model.to_dict()))
    assert set(data) == {"layer_sizes", "activation_names", "weights", "biases", "dead"}
    back = MLP.from_dict(data)
    assert back.layer_sizes == model.layer_sizes
    assert back.activation_names == model.activation_names
    for a, b in zip(model.weights + model.biases + model.dead, back.weights + back.biases + back.dead):
        np.testing.assert_array_equal(a, b)
    X = np.random.default_rng(2).normal(size=(5, 2))
    np.testing.assert_array_equal(back.predict(X), model.predict(X))


def test_from_dict_handles_zero_inputs_and_missing_dead():
    model = MLP(0, [2], ["tanh"], "tanh", np.random.default_rng(0))
    data = json.loads(json.dumps(model.to_dict()))
    assert data["weights"][0] == []
    del data["dead"]
    back = MLP.from_dict(data)
    np.testing.assert_array_equal(back.predict(np.zeros((3, 0))), model.predict(np.zeros((3, 0))))


def broken(mutate):
    data = json.loads(json.dumps(make().to_dict()))
    mutate(data)
    return data


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["weights"].__setitem__(0, [[0.1, 0.2, 0.3]]), r"weights\[0\]: expected shape \(2, 3\)"),
        (lambda d: d["weights"][1][0].__setitem__(0, float("nan")), r"weights\[1\] contains NaN"),
        (lambda d: d["biases"][2].__setitem__(0, float("inf")), r"biases\[2\] contains NaN or infinity"),
        (lambda d: d["biases"].__setitem__(0, [0.1, 0.1]), r"biases\[0\]: expected shape \(3,\)"),
        (lambda d: d["weights"][0].__setitem__(1, [0.1]), r"weights\[0\]"),
        (lambda d: d["weights"][0][0].__setitem__(0, "x"), r"weights\[0\]"),
        (lambda d: d["dead"][0][0].__setitem__(0, 0.5), r"dead\[0\]: entries must be true/false"),
        (lambda d: d.pop("biases"), "missing field.*biases"),
        (lambda d: d.__setitem__("layer_sizes", [2, 3, 2, 2]), "output layer must have 1 node"),
        (lambda d: d.__setitem__("layer_sizes", [2, 3, 1]), "activation_names must list 2"),
        (lambda d: d["activation_names"].__setitem__(0, "gelu"), "unknown activation 'gelu'"),
        (lambda d: d.__setitem__("weights", d["weights"][:2]), "weights: expected 3 layers"),
        (lambda d: d.__setitem__("layer_sizes", "2,3,2,1"), "layer_sizes must be a list"),
    ],
)
def test_from_dict_rejects_bad_data_with_a_clear_message(mutate, message):
    with pytest.raises(ValueError, match=message):
        MLP.from_dict(broken(mutate))


def test_from_dict_rejects_non_objects():
    with pytest.raises(ValueError, match="model must be an object"):
        MLP.from_dict([1, 2, 3])


def test_forward_with_non_finite_weights_does_not_warn():
    model = make()
    model.weights[0][0, 0] = np.nan
    model.weights[1][0, 0] = 1e308
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = model.predict(np.ones((3, 2)) * 1e10)
    assert out.shape == (3,)
