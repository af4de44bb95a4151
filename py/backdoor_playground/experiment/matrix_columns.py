"""The matrix's defense columns: name -> a function (session under attack, its Attacked test set, seed) -> metrics.

Every defense column is a DefenseColumn: a defense config object run through defense/registry.py, the very code an
experiment's `defense` object runs, so `cell_config` (matrix.py) can replay any cell exactly. Every rate is
stats.rate (value, 95 % Wilson interval, k, n). The metrics: clean_accuracy_after (untouched test points),
attack_success_rate_after (the activated inputs, after the defense: persistence for the defenses that change the
weights), attack_success_rate_adaptive (an attacker who knows the defense: activation in the quantised lattice;
smoothing's sigma-aware attacker; the key holder activating the fine-tuned or fine-pruned model anew; empty where
none applies), detection_tpr / detection_fpr (defenses that flag: the vote's changed labels for proximity and
smoothing, the flagged training points for the poison detectors), abstention_rate (smoothing abstains).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..defense import registry
from ..defense import run as defense

if TYPE_CHECKING:
    from ..defense.attacked import Attacked
    from ..session import Session

Column = Callable[["Session", "Attacked", str], dict]
QUANTISATION_STEP = 0.05   # far above the cryptographic triggers' |dx| (< 1e-3), far below the data's scale
FINE_TUNE = {"epochs": 100, "share": 0.5}
PRUNE_FRACTION = 0.5


class DefenseColumn:
    """A column that runs the defense config `params` (checked once) through the registry; `params` is also the
    `defense` object of its cells' experiment configs."""

    def __init__(self, params: Mapping[str, Any]):
        self.params = defense.check_defense(params)

    def __call__(self, s: "Session", att: "Attacked", seed: str) -> dict:
        return registry.defend(s, att, self.params, seed)[1]


def undefended(s: "Session", att: "Attacked", seed: str) -> dict:
    m = defense.metrics(att)
    return {"clean_accuracy_after": m["backdoored_accuracy"], "attack_success_rate_after": m["attack_success_rate"],
            "attack_success_rate_adaptive": None}


def input_defense(params: dict) -> Column:
    """A defense of defense/run.py (proximity, smoothing) on the attacked test set."""
    return DefenseColumn(params)


quantisation = DefenseColumn({"type": "quantisation", "step": QUANTISATION_STEP})


def weights_defense(prune: bool) -> Column:
    """Fine-tuning, or fine-pruning, judged by persistence (after) and the key holder's re-activation (adaptive)."""
    if prune:
        return DefenseColumn({"type": "fine-pruning", **FINE_TUNE, "fraction": PRUNE_FRACTION})
    return DefenseColumn({"type": "fine-tuning", **FINE_TUNE})


def detector(name: str) -> Column:
    """A poison detector: it flags training points and changes no prediction (the undefended rates stay)."""
    return DefenseColumn({"type": name})


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
    "cleanse": DefenseColumn({"type": "cleanse"}),
}
