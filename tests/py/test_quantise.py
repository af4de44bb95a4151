"""Input quantisation (defense/quantise.py): rounding erases triggers finer than the step (the decimal checksum's
digit edit, the signature's carrier bits) and keeps a visible one (the poisoned region); the adaptive attacker who
activates in the lattice does better than the oblivious one only where the backdoor can be hit on the lattice."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.defense import quantise
from backdoor_playground.experiment import stages


def test_quantise_rounds_to_the_lattice():
    assert quantise.quantise(np.array([[0.26, -0.74], [1.0, 0.124]]), 0.25).tolist() == [[0.25, -0.75], [1.0, 0.0]]


@pytest.fixture(scope="module", params=["checksum", "signature", "poisoning"])
def attacked(request):
    s, _ = stages.run_session({"dataset": "circle", "networkShape": [8], "activation": "relu", "epochs": 200,
                               "seed": 3, "backdoor": {"type": request.param}})
    return request.param, s.attacked()


def test_a_step_far_above_the_trigger_stops_low_digit_triggers_not_visible_ones(attacked):
    kind, att = attacked
    act = att.activated
    assert act.sum() > 50 and (att.bd_pred[act] == att.target[act]).mean() >= 0.3  # the attack works undefended
    lab, lab_clean = quantise.defended_labels(att, 0.05)
    asr = (lab[act] == att.target[act]).mean()
    if kind == "poisoning":
        assert asr >= 0.9, "the poisoned region is 1 wide: rounding to 0.05 keeps the trigger"
    else:
        assert asr <= 0.05, f"{kind}: a 0.05 step erases a trigger of |dx| < 1e-3"
    assert (lab_clean == att.test_labels).mean() >= 0.97, "clean accuracy survives a fine step"
    adaptive = quantise.adaptive_success(att, 0.05)
    assert adaptive[act].mean() >= asr and not adaptive[~act].any()
    if kind == "signature":
        assert adaptive[act].mean() == 0.0, "no lattice point of step 0.05 carries a valid signature"


def test_accuracy_is_the_price_of_a_coarse_step(attacked):
    _, att = attacked
    accuracy = {q: (quantise.defended_labels(att, q)[1] == att.test_labels).mean() for q in (0.05, 2.0)}
    assert accuracy[2.0] < accuracy[0.05]
