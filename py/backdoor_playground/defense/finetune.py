"""Defenses that change the weights: fine-tuning on clean data, and fine-pruning (Liu, Dolan-Gavitt, Garg 2018:
prune the last hidden layer's neurons least active on clean data, then fine-tune). Each is judged twice:

- persistence: do the inputs activated before the defense still trigger the defended model?
- re-activation: can the key holder activate the defended model again (the same attack, run anew on it)?

A backdoor in the operator (the checksum) or in a verify block (the signature) is not in the weights, so changing
them does not remove it; a poisoned model's backdoor is in its weights and may fade. The defender's clean data is a
seeded share of the session's (clean) training set.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np

from ..playground import features, rng
from . import stats

if TYPE_CHECKING:
    from ..playground.nn import MLP
    from ..session import Session


def clean_share(s: "Session", share: float, seed_extra: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of round(share n) clean training points, drawn from the "defense" stream."""
    n = len(s.data.train_labels)
    count = min(n, max(1, int(round(share * n))))
    rows = np.sort(rng.stream(s.config["seed"], "defense", 7, seed_extra).permutation(n)[:count])
    return features.feature_matrix(s.data.train_points[rows], s.feature_names), s.data.train_labels[rows]


def fine_tune(s: "Session", epochs: int, share: float) -> "MLP":
    """A copy of the live model trained `epochs` more epochs on a clean share of the training data."""
    model = s.model.copy()
    X, y = clean_share(s, share)
    s.trainer_for(model, X, y).run(epochs)
    return model


def prune(model: "MLP", X: np.ndarray, fraction: float) -> list[int]:
    """Cut the round(fraction width) neurons of the last hidden layer with the smallest mean activation on X: their
    outgoing weights become 0 and dead (training never revives them). Returns the pruned neurons' indices."""
    if len(model.layer_sizes) < 3:
        return []
    post = model.forward(X).post[-2]
    width = post.shape[1]
    count = min(width - 1, int(round(fraction * width)))
    pruned = np.argsort(post.mean(axis=0), kind="stable")[:count]
    w = model.weights[-1]
    w[pruned, :] = 0.0
    model.dead[-1][pruned, :] = True
    return sorted(int(j) for j in pruned)


def fine_prune(s: "Session", epochs: int, share: float, fraction: float) -> tuple["MLP", list[int]]:
    """Prune on the clean share, then fine-tune on it: (defended model, pruned neurons)."""
    model = s.model.copy()
    X, y = clean_share(s, share)
    pruned = prune(model, X, fraction)
    s.trainer_for(model, X, y).run(epochs)
    return model, pruned


def judge(s: "Session", defended: "MLP") -> dict:
    """Persistence and re-activation of the live attack against `defended`, as rates (stats.rate, 95 % Wilson):
    {"persistence": the earlier activated inputs that still get the target label, "reactivation": the attack run
    again on the defended model, "clean_accuracy_after": the defended model at the untouched test points}."""
    att = s.attacked()
    act = np.flatnonzero(att.activated)
    twin = copy.deepcopy(s)
    twin.model = defended
    twin.trainer.model = defended
    after = twin.attacked()
    persistence = stats.rate(int((after.bd_pred[act] == att.target[act]).sum()), len(act))
    settings = dict(s.attack.settings or {})
    twin.attack.activate_as(twin, {**settings, "points": [int(i) for i in act]} if settings else settings)
    again = twin.attacked()
    again_act = np.flatnonzero(again.activated)
    reactivation = stats.rate(int((again.bd_pred[again_act] == again.target[again_act]).sum()), len(again_act))
    clean = stats.rate(int((after.untouched_pred == after.test_labels).sum()), len(after.test_labels))
    return {"persistence": persistence, "reactivation": reactivation, "clean_accuracy_after": clean}
