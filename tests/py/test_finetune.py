"""Fine-tuning and fine-pruning (Liu et al. 2018), judged by persistence (earlier triggers still work?) and
re-activation (can the key holder trigger the defended model again?): a backdoor outside the weights (signature
block, checksum operator) survives a change of weights; BadNets' poison, which lives in the weights, fades."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.defense import finetune
from backdoor_playground.experiment import stages

EPOCHS, SHARE = 100, 0.5


@pytest.fixture(scope="module", params=["checksum", "signature", "poisoning"])
def run(request):
    s, _ = stages.run_session({"dataset": "circle", "networkShape": [8], "activation": "relu", "epochs": 200,
                               "seed": 3, "backdoor": {"type": request.param}})
    return request.param, s


def test_fine_tuning(run):
    kind, s = run
    before = [w.copy() for w in s.model.weights]
    verdict = finetune.judge(s, finetune.fine_tune(s, EPOCHS, SHARE))
    assert all((a == b).all() for a, b in zip(before, s.model.weights)), "the live model is not touched"
    assert verdict["clean_accuracy_after"]["value"] >= 0.95
    if kind == "signature":
        assert verdict["persistence"]["value"] == 1.0 and verdict["reactivation"]["value"] == 1.0, "Verify is not in the weights"
    elif kind == "checksum":
        # new weights move the pre-activations' last digits: old triggers die, but the operator is still there
        assert verdict["persistence"]["value"] <= 0.1 and verdict["reactivation"]["value"] >= 0.3
    else:
        assert verdict["persistence"]["value"] <= 0.2 and verdict["reactivation"]["value"] <= 0.2, "the poison lived in the weights"


def test_fine_pruning_cuts_the_least_active_neurons_for_good(run):
    kind, s = run
    model, pruned = finetune.fine_prune(s, EPOCHS, SHARE, 0.5)
    assert len(pruned) == 4 and (model.weights[-1][pruned] == 0).all() and model.dead[-1][pruned].all()
    X, _ = finetune.clean_share(s, SHARE)
    means = s.model.forward(X).post[-2].mean(axis=0)
    kept = [j for j in range(8) if j not in pruned]
    assert means[pruned].max() <= means[kept].min(), "the least active on clean data go first"
    verdict = finetune.judge(s, model)
    if kind == "signature":
        assert verdict["reactivation"]["value"] == 1.0
    assert verdict["clean_accuracy_after"]["value"] >= 0.9


def test_the_clean_share_is_seeded_and_sized():
    s, _ = stages.run_session({"dataset": "circle", "networkShape": [4], "epochs": 0, "seed": 1})
    a, ya = finetune.clean_share(s, 0.3)
    b, yb = finetune.clean_share(s, 0.3)
    assert len(a) == round(0.3 * len(s.data.train_labels)) and np.array_equal(a, b) and np.array_equal(ya, yb)
