"""Backdoor 1 (the checksum inside the operator): the checksum operators (checksum/activation.py): what
they compute, their numbers, and that the model carries them through copies, files and training.

Expected values come from the spec's checksum table (csum(0.5) = 67, csum(1.234) = 72, csum(-6.523397043823967) =
114 at m = 256, p = 15), from hand-built one-node networks whose pre-activation is the input itself, from
independent recomputation (csum on recorded pre-activations, fresh forward passes on recorded points), or from
arithmetic done by hand in the comments.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from backdoor_nets import identity_net

from backdoor_playground import checksum as ck
from backdoor_playground.checksum import ChecksumParams
from backdoor_playground.playground.activations import get_activation
from backdoor_playground.playground.nn import MLP

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


@pytest.mark.parametrize("field, value", [("key", 65536), ("key", -1), ("modulo", 1), ("precision", 0),
                                          ("precision", 18), ("variant", "md5"), ("secret", -3), ("key", 1.5)])
def test_bad_checksum_numbers_name_the_field(field, value):
    with pytest.raises(ValueError, match=f"^{field}"):
        ChecksumParams(**{field: value})


def test_the_key_is_read_modulo_m():
    # one rule everywhere (checksum/params.py): 0 <= key < 65536, read modulo m
    assert ChecksumParams(key=150, modulo=20).key == 10
    assert ChecksumParams(key=300).key == 44 and ChecksumParams(key=65535, modulo=65536).key == 65535


def test_model_carries_the_numbers_through_copy_and_dict():
    model = identity_net(csum=ChecksumParams(key=67))
    assert model.predict([[0.5]])[0] == -0.5
    assert model.copy().predict([[0.5]])[0] == -0.5
    again = MLP.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.operator_params == ChecksumParams(key=67) and again.predict([[0.5]])[0] == -0.5
    model.operator_params = ChecksumParams(key=72)  # new numbers act at once, same weights
    assert model.predict([[0.5]])[0] == 0.5 and model.predict([[1.234]])[0] == -1.234
    with pytest.raises(ValueError, match="csum: key"):
        MLP.from_dict({**again.to_dict(), "csum": {"key": 65536}})


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
