"""Every defense by its config `type`, in one table (RUNNERS): the experiment's `defense` object (stage_defend), the
matrix's columns (experiment/matrix_columns.py) and the cells' Replay links all run a defense through `defend`, so a
cell and its experiment give the same numbers. The settings and their checks live in run.py (DEFAULTS, LIMITS,
check_defense); the math in each defense's module, which names its paper.

A runner takes (session under attack, its Attacked test set, checked settings, seed) and returns (the result's
"defense" section, the column metrics): clean_accuracy_after, attack_success_rate_after, and where they apply
attack_success_rate_adaptive (an attacker who knows the defense), detection_tpr / detection_fpr, abstention_rate,
each a stats.rate. attack_success_rate_adaptive is None where no adaptive attacker applies (not 0).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Mapping

from . import cleanse, detectors, finetune, quantise, run, stats
from ..playground import features, rng

if TYPE_CHECKING:
    from .attacked import Attacked
    from ..session import Session

Runner = Callable[["Session", "Attacked", dict, str], tuple[dict, dict]]


def _rate(hits, n) -> dict:
    return stats.rate(int(hits), int(n))


def labelled_columns(m: Mapping[str, Any], section: Mapping[str, Any]) -> dict:
    """The column metrics of a defense with labels (proximity, smoothing) from its metrics table m (run.metrics
    with the defended labels) and its result section (smoothing's adaptive attacker: "adaptive")."""
    return {"clean_accuracy_after": m["clean_accuracy_after"],
            "attack_success_rate_after": m["attack_success_rate_after"],
            "attack_success_rate_adaptive": section.get("adaptive"),
            "detection_tpr": m["true_positive_rate"], "detection_fpr": m["false_positive_rate"],
            "abstention_rate": m["abstention_rate"]}


def _input(s: "Session", att: "Attacked", p: dict, seed: str) -> tuple[dict, dict]:
    """Proximity, smoothing (run.py): defended labels at the inputs and at the untouched points; smoothing's
    adaptive attacker re-activates against g."""
    out = run.run_defense(att, p, rng.stream(seed, "defense"), curves=False)
    return out, labelled_columns(run.metrics(att, out), out)


def _quantisation(s: "Session", att: "Attacked", p: dict, seed: str) -> tuple[dict, dict]:
    """Feature squeezing (quantise.py); the adaptive attacker activates in the quantised lattice."""
    act = att.activated
    lab, lab_clean = quantise.defended_labels(att, p["step"])
    adaptive = quantise.adaptive_success(att, p["step"], p["reach"])
    section = {"type": p["type"], "params": p, "step": p["step"], "reach": p["reach"]}
    return section, {"clean_accuracy_after": _rate((lab_clean == att.test_labels).sum(), len(lab_clean)),
                     "attack_success_rate_after": _rate((lab[act] == att.target[act]).sum(), act.sum()),
                     "attack_success_rate_adaptive": _rate(adaptive[act].sum(), act.sum())}


def _weights(s: "Session", att: "Attacked", p: dict, seed: str) -> tuple[dict, dict]:
    """Fine-tuning or fine-pruning (finetune.py): persistence (after) and the key holder's re-activation
    (adaptive)."""
    pruned: list[int] = []
    if "fraction" in p:
        model, pruned = finetune.fine_prune(s, p["epochs"], p["share"], p["fraction"])
    else:
        model = finetune.fine_tune(s, p["epochs"], p["share"])
    verdict = finetune.judge(s, model)
    section = {"type": p["type"], "params": p, **({"pruned": pruned} if "fraction" in p else {})}
    return section, {"clean_accuracy_after": verdict["clean_accuracy_after"],
                     "attack_success_rate_after": verdict["persistence"],
                     "attack_success_rate_adaptive": verdict["reactivation"]}


def _detector(s: "Session", att: "Attacked", p: dict, seed: str) -> tuple[dict, dict]:
    """A poison detector (detectors.py): it flags training points and changes no prediction (the undefended rates
    stay); a planted backdoor poisons nothing, so whatever it flags is a false positive."""
    R = detectors.representations(s.model, features.feature_matrix(att.train_points, s.feature_names))
    flagged = detectors.DETECTORS[p["type"]](R, att.train_labels)
    found = detectors.evaluate(flagged, s.attack.poisoned_indices() if s.attack is not None else [])
    m = run.metrics(att)
    section = {"type": p["type"], "params": p, "flagged": found["flagged"]}
    return section, {"clean_accuracy_after": m["backdoored_accuracy"],
                     "attack_success_rate_after": m["attack_success_rate"], "attack_success_rate_adaptive": None,
                     "detection_tpr": found["detection_tpr"], "detection_fpr": found["detection_fpr"]}


RUNNERS: dict[str, Runner] = {
    "proximity": _input, "smoothing": _input, "quantisation": _quantisation,
    "fine-tuning": _weights, "fine-pruning": _weights, "spectral": _detector, "clustering": _detector,
    "cleanse": cleanse.runner,
}
assert set(RUNNERS) == set(run.DEFAULTS), "every defense type has a runner"


def defend(s: "Session", att: "Attacked", params: Mapping[str, Any], seed: str) -> tuple[dict, dict]:
    """(section, column metrics) of the defense `params` (checked here) on the attacked test set `att` of `s`."""
    p = run.check_defense(params)
    return RUNNERS[p["type"]](s, att, p, str(seed))


def stage_defend(session: "Session", defense_params: Mapping, result: dict) -> None:
    """result["defense"] = the defense's section without labels / curves (+ "seconds"); result["metrics"] = the
    metrics table (run.metrics, with the defended labels where the defense has them) plus the column metrics."""
    start = time.perf_counter()
    params = run.check_defense(defense_params)
    att = session.attacked()
    section, column = defend(session, att, params, session.config["seed"])
    labelled = "labels" in section
    result["defense"] = {k: v for k, v in section.items() if k not in run.BULKY}
    result["metrics"] = run.json_safe({**run.metrics(att, section if labelled else None), **column})
    result["defense"]["seconds"] = time.perf_counter() - start
    # the page shows (and exports) it: a defense without labels (card D) with the column metrics its run reported
    session.defended = {**section, "metrics": result["metrics"]}
    session.defense_settings = params
