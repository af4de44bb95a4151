"""What Neural Cleanse's result (cleanse.py) says about the planted backdoor, beyond the anomaly index:

- per class, the clean model's L1 from the same seeded starts ("l1_clean"): a backdoor that gives a class a universal
  shortcut makes that class's L1 smaller than the clean model's; an input-specific trigger (checksum, signature)
  leaves the L1 the same within noise;
- "fires": at the inputs moved by the recovered trigger, the share where the backdoored pipeline (att.predict, the
  signature's verify block included) labels differently from the clean model: does the trigger activate the backdoor?
- for a backdoor with one target class (data poisoning), "pattern_to_trigger": the max-norm distance from the
  recovered pattern to the box around the attacker's activated inputs (the trigger region), and "lands_in_trigger":
  the share of moved inputs that land in that box.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import stats
from .cleanse_model import MLPClassifier


def classifiers(subject: Any) -> tuple[Any, Any]:
    """(the Classifier to cleanse, the clean model's or None): a Classifier as it is, or a Session's model and, when
    an attack changed the network, its clean model."""
    if hasattr(subject, "loss_grad") and hasattr(subject, "labels"):
        return subject, None
    if not hasattr(subject, "model") or not hasattr(subject, "feature_names"):
        raise ValueError(f"Neural Cleanse needs a Session or a classifier, got {type(subject).__name__}")
    names = subject.feature_names
    clean = subject.clean_model()
    clean_clf = MLPClassifier(clean, names) if clean is not subject.model else None
    return MLPClassifier(subject.model, names), clean_clf


def class_name(label: float, clf: Any) -> str:
    """A class as the page names it: +1 / -1 for two classes, the class index for K > 2."""
    return f"{label:+g}" if getattr(clf, "n_classes", 2) == 2 else f"{label:g}"


def moved(X: np.ndarray, mask: Any, pattern: Any) -> np.ndarray:
    """(1 - m) * x + m * p for every row x of X."""
    m, p = np.asarray(mask, dtype=np.float64), np.asarray(pattern, dtype=np.float64)
    return (1.0 - m) * X + m * p


def target_class(clf: Any, att: Any) -> int | None:
    """The class index of the attack's one target label (data poisoning), None when targets vary or none exist."""
    if att is None or not att.activated.any():
        return None
    targets = np.unique(att.target[att.activated])
    labels = getattr(clf, "class_labels", None)
    if len(targets) != 1 or labels is None or float(targets[0]) not in labels:
        return None
    return labels.index(float(targets[0]))


def annotate(out: dict, clf: Any, att: Any, X: np.ndarray) -> None:
    """Add labels, the clean comparison, "fires" and the trigger-region figures to a cleanse result, in place."""
    labels = getattr(clf, "class_labels", None)
    clean = out.get("clean")
    target = target_class(clf, att)
    out["target"] = target
    region = None
    if target is not None:
        inputs = att.inputs[att.activated]
        region = (inputs.min(axis=0), inputs.max(axis=0))
    n = len(X)
    owners = np.full(n, -1)
    for i, c in enumerate(out["classes"]):
        if labels is not None:
            c["label"] = labels[c["class"]]
        if clean is not None:
            c["l1_clean"] = clean["classes"][i]["l1"]
        if att is not None:
            Xm = moved(X, c["mask"], c["pattern"])
            fires = att.predict(Xm, owners) != att.clean_predict(Xm)
            c["fires"] = stats.rate(int(fires.sum()), n)
        if region is not None and c["class"] == target:
            p = np.asarray(c["pattern"])
            c["pattern_to_trigger"] = float(np.max(np.maximum(0.0, np.maximum(region[0] - p, p - region[1]))))
            Xm = moved(X, c["mask"], c["pattern"])
            inside = np.all((Xm >= region[0]) & (Xm <= region[1]), axis=1)
            c["lands_in_trigger"] = stats.rate(int(inside.sum()), n)
    if att is not None:
        base = att.untouched_pred != att.clean_pred
        out["fires_untouched"] = stats.rate(int(base.sum()), len(base))
    if region is not None:
        out["trigger_region"] = [region[0].tolist(), region[1].tolist()]
    notes = out["notes"]
    if clean is None and att is not None and att.backdoor != "none":
        notes.append("the network is unchanged by this backdoor (it sits outside it, e.g. a verify block): the "
                     "optimisation follows the network's gradient only, and \"fires\" probes the whole backdoored "
                     "model at the recovered triggers")
    if clean is not None:
        diffs = ", ".join(f"class {class_name(c.get('label', c['class']), clf)}: {c['l1']:.3f} vs {c['l1_clean']:.3f}"
                          for c in out["classes"])
        notes.append(f"|m|₁ on the backdoored vs the clean model ({diffs})")
    if target is not None:
        c = out["classes"][target]
        smaller = "smaller" if c["l1"] < c.get("l1_clean", np.inf) else "not smaller"
        notes.append(f"the attack's target class {class_name(c.get('label', target), clf)}: its trigger is {smaller} than on the "
                     f"clean model, its pattern {c['pattern_to_trigger']:.2f} from the trigger region")
