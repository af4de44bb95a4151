"""The matrix's defense columns: name -> a function (session under attack, its Attacked test set, seed) -> metrics.

Every rate is stats.rate (value, 95 % Wilson interval, k, n). The metrics: clean_accuracy_after (untouched test
points), attack_success_rate_after (the activated inputs, after the defense: persistence for the defenses that change
the weights), attack_success_rate_adaptive (an attacker who knows the defense: activation in the quantised lattice;
the key holder activating the fine-tuned or fine-pruned model anew), detection_tpr / detection_fpr (defenses that
flag: the vote's changed labels for proximity and smoothing, the flagged training points for the poison detectors),
abstention_rate (smoothing abstains).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable


from ..defense import detectors, finetune, quantise, stats
from ..defense import run as defense
from ..playground import features, rng

if TYPE_CHECKING:
    from ..defense.attacked import Attacked
    from ..session import Session

Column = Callable[["Session", "Attacked", str], dict]
QUANTISATION_STEP = 0.05   # far above the cryptographic triggers' |dx| (< 1e-3), far below the data's scale
FINE_TUNE = {"epochs": 100, "share": 0.5}
PRUNE_FRACTION = 0.5


def undefended(s: "Session", att: "Attacked", seed: str) -> dict:
    m = defense.metrics(att)
    return {"clean_accuracy_after": m["backdoored_accuracy"], "attack_success_rate_after": m["attack_success_rate"]}


def input_defense(params: dict) -> Column:
    """A defense of defense/run.py (proximity, smoothing) on the attacked test set."""
    def column(s: "Session", att: "Attacked", seed: str) -> dict:
        out = defense.run_defense(att, defense.check_defense(params), rng.stream(seed, "defense"), curves=False)
        m = defense.metrics(att, out)
        return {"clean_accuracy_after": m["clean_accuracy_after"],
                "attack_success_rate_after": m["attack_success_rate_after"],
                "detection_tpr": m["true_positive_rate"], "detection_fpr": m["false_positive_rate"],
                "abstention_rate": m["abstention_rate"]}
    return column


def quantisation(s: "Session", att: "Attacked", seed: str) -> dict:
    act = att.activated
    lab, lab_clean = quantise.defended_labels(att, QUANTISATION_STEP)
    adaptive = quantise.adaptive_success(att, QUANTISATION_STEP)
    return {"clean_accuracy_after": stats.rate(int((lab_clean == att.test_labels).sum()), len(lab_clean)),
            "attack_success_rate_after": stats.rate(int((lab[act] == att.target[act]).sum()), int(act.sum())),
            "attack_success_rate_adaptive": stats.rate(int(adaptive[act].sum()), int(act.sum()))}


def weights_defense(prune: bool) -> Column:
    """Fine-tuning, or fine-pruning, judged by persistence (after) and the key holder's re-activation (adaptive)."""
    def column(s: "Session", att: "Attacked", seed: str) -> dict:
        if prune:
            model, _ = finetune.fine_prune(s, FINE_TUNE["epochs"], FINE_TUNE["share"], PRUNE_FRACTION)
        else:
            model = finetune.fine_tune(s, FINE_TUNE["epochs"], FINE_TUNE["share"])
        verdict = finetune.judge(s, model)
        return {"clean_accuracy_after": verdict["clean_accuracy_after"],
                "attack_success_rate_after": verdict["persistence"],
                "attack_success_rate_adaptive": verdict["reactivation"]}
    return column


def detector(name: str) -> Column:
    """A poison detector: it flags training points and changes no prediction (the undefended rates stay)."""
    def column(s: "Session", att: "Attacked", seed: str) -> dict:
        R = detectors.representations(s.model, features.feature_matrix(att.train_points, s.feature_names))
        flagged = detectors.DETECTORS[name](R, att.train_labels)
        found = detectors.evaluate(flagged, s.attack.poisoned_indices())  # a planted backdoor poisons nothing
        return {**undefended(s, att, seed), "detection_tpr": found["detection_tpr"],
                "detection_fpr": found["detection_fpr"]}
    return column


COLUMNS: dict[str, Column] = {
    "none": undefended,
    "proximity": input_defense({"type": "proximity", "radius": "auto"}),
    "proximity:r_sep": input_defense({"type": "proximity", "radius": "r_sep"}),
    "proximity:knn": input_defense({"type": "proximity", "vote": "knn", "k": 5}),
    "smoothing": input_defense({"type": "smoothing", "sigma": 0.1}),
    "quantisation": quantisation,
    "fine-tuning": weights_defense(prune=False),
    "fine-pruning": weights_defense(prune=True),
    "spectral": detector("spectral"),
    "clustering": detector("clustering"),
}
