"""Neural Cleanse (Wang et al., "Neural Cleanse: Identifying and Mitigating Backdoor Attacks in Neural Networks",
IEEE S&P 2019): trigger reverse-engineering and the anomaly index, for inputs of any dimension d and any K classes.

Per class c: min over m in [0,1]^d, p in the data box of CE(f((1-m)*x + m*p), c) + lambda |m|_1, with lambda adapted
as in the paper (raised x1.5 after `patience` steps at success >= `success`, lowered /1.5^1.5 after as many below),
by Adam on m = (1 + tanh a)/2, p = lo + (hi - lo)(1 + tanh b)/2, `restarts` seeded starts at once,
until `steps` or until the smallest L1 stops dropping (STALL steps). The smallest
|m|_1 that sends at least `success` of the clean test inputs not already in c to c is that class's trigger size;
the anomaly index of class c is |L1_c - median| / (1.4826 MAD), and classes above 2 on the small side are flagged.

With K = 2 the anomaly index is 1/1.4826 = 0.674 for both classes whatever the model (the MAD of two numbers is
half their distance): it flags nothing. In the plane (d = 2) a mask of 1 on both coordinates sends every input to
one point, so |m|_1 <= 2 for any class the model predicts somewhere. report.py (cleanse_report) adds what is
informative then: the clean model's L1 for comparison, and whether the recovered trigger fires the planted backdoor.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Any, Generator, Iterator, Mapping

import numpy as np

from . import cleanse_report, stats
from ..limits import Limit, unknown_key
from ..playground import rng as rngs

KEYS = ("type", "success", "steps", "restarts", "lr", "init_cost", "patience")
LIMITS = {
    "success": Limit(0.5, 1.0, 0.95, "share of clean inputs the trigger must send to the class", integer=False),
    "steps": Limit(10, 5000, 200, "optimisation steps per class"),
    "restarts": Limit(1, 64, 8, "seeded starting points optimised together"),
    "lr": Limit(0.0, 2.0, 0.1, "Adam step size", integer=False, low_open=True),
    "init_cost": Limit(0.0, 10.0, 1e-3, "lambda once the trigger first succeeds", integer=False, low_open=True),
    "patience": Limit(1, 100, 5, "steps above or below the target before lambda changes"),
}
BOX = (-6.0, 6.0)      # the data box of the plane and of 3-D data: the pattern stays inside it


def data_box(X: np.ndarray) -> tuple:
    """Where the pattern may lie: the playground's box [-6, 6] for d <= 3, each coordinate's range in the data for
    d > 3 (the digits' pixels: 0..16 raw, 0..1 unit)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] <= 3 or not len(X):
        return BOX
    return X.min(axis=0), X.max(axis=0)
UP, DOWN = 1.5, 1.5 ** 1.5  # Neural Cleanse's cost multipliers
STALL = 150            # stop once the smallest L1 found has not dropped by 1e-3 for this many steps
FLAG_INDEX = 2.0       # the paper's threshold on the anomaly index
MAD_SCALE = 1.4826     # MAD of a normal sample -> its standard deviation


def check(raw: Any) -> dict:
    """The cleanse settings with defaults filled in; ValueError names "defense.<key>"."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"defense must be an object, got {type(raw).__name__}")
    for key in raw:
        if key not in KEYS:
            raise unknown_key(f"defense.{key}", "a cleanse setting", KEYS)
    if raw.get("type", "cleanse") != "cleanse":
        raise ValueError(f"defense.type must be \"cleanse\" here, got {raw.get('type')!r}")
    out: dict[str, Any] = {"type": "cleanse"}
    for key, limit in LIMITS.items():
        out[key] = limit.check(f"defense.{key}", raw.get(key, limit.default))
    return out


def drain(steps: Iterator[int]) -> Any:
    """What a step generator returns, run to its end in one go."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def reverse_engineer(clf, X: np.ndarray, c: int, settings: Mapping, rng: np.random.Generator,
                     box: tuple[float, float] = BOX) -> dict:
    """The smallest-|m|_1 trigger (m, p) found for class c on the inputs X (n, d) not already in c:
    {"l1", "mask", "pattern", "k", "n" (inputs sent to c / inputs), "reached" (k >= success n), "steps"}."""
    return drain(reverse_steps(clf, X, c, settings, rng, box))


def reverse_steps(clf, X: np.ndarray, c: int, settings: Mapping, rng: np.random.Generator,
                  box: tuple[float, float] = BOX) -> Generator[int, None, dict]:
    """reverse_engineer in steps: yields 1 per optimisation step (the steps a stall saves at the end, so a class
    always yields settings["steps"] in all) and returns its result."""
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    R, target = int(settings["restarts"]), float(settings["success"])
    # the draws come first, so a class with no input still consumes them and the other classes do not shift
    a = rng.uniform(-2.0, 0.0, size=(R, d))       # masks start between 0.02 and 0.5
    b = rng.uniform(-2.5, 2.5, size=(R, d))       # patterns spread over the box
    if n == 0:
        yield int(settings["steps"])
        return {"l1": 0.0, "mask": [0.0] * d, "pattern": [0.0] * d, "k": 0, "n": 0, "reached": True, "steps": 0}
    lo, hi = box
    lr, beta1, beta2, eps = float(settings["lr"]), 0.9, 0.999, 1e-8
    mom = np.zeros((2, R, d))
    vel = np.zeros((2, R, d))
    lam = np.zeros(R)                             # no cost until the trigger first works, as in the paper
    above = np.zeros(R, dtype=np.int64)
    below = np.zeros(R, dtype=np.int64)
    best: tuple | None = None                     # (l1, m, p, k) of the smallest mask that reached the target
    fallback: tuple = (-np.inf, None, None, 0)    # (score, m, p, k) of the best attempt while none reached
    need = math.ceil(target * n - 1e-9)
    last_gain, overall, step = 0, np.inf, 0
    while step < int(settings["steps"]) and (step - last_gain < STALL or not np.isfinite(overall)):
        step += 1
        ta, tb = np.tanh(a), np.tanh(b)
        m = (1.0 + ta) / 2.0
        p = lo + (hi - lo) * (1.0 + tb) / 2.0
        Xs = ((1.0 - m)[:, None, :] * X[None] + (m * p)[:, None, :]).reshape(R * n, d)
        labels, _, g = clf.loss_grad(Xs, c)
        hits = (labels == c).reshape(R, n).sum(axis=1)
        l1 = m.sum(axis=1)
        ok = hits >= need
        if ok.any():
            r = int(np.argmin(np.where(ok, l1, np.inf)))
            if best is None or l1[r] < best[0]:
                best = (float(l1[r]), m[r].copy(), p[r].copy(), int(hits[r]))
                if best[0] < overall - 1e-3:
                    overall, last_gain = best[0], step
        elif best is None:
            score = hits - l1 / (d + 1.0)             # most inputs sent, then the smaller mask
            r = int(np.argmax(score))
            if score[r] > fallback[0]:
                fallback = (float(score[r]), m[r].copy(), p[r].copy(), int(hits[r]))
        above = np.where(ok, above + 1, 0)
        below = np.where(ok, 0, below + 1)
        start = (lam == 0) & ok
        lam = np.where(start, float(settings["init_cost"]), lam)
        raise_ = (lam > 0) & (above >= settings["patience"])
        lower = (lam > 0) & (below >= settings["patience"])
        lam = np.where(raise_, lam * UP, np.where(lower, lam / DOWN, lam))
        above, below = np.where(raise_, 0, above), np.where(lower, 0, below)
        g = g.reshape(R, n, d)
        grad_m = (g * (p[:, None, :] - X[None])).mean(axis=1) + lam[:, None]
        grad_p = (g * m[:, None, :]).mean(axis=1)
        grads = np.stack([grad_m * (1.0 - ta * ta) / 2.0, grad_p * (hi - lo) * (1.0 - tb * tb) / 2.0])
        mom = beta1 * mom + (1.0 - beta1) * grads
        vel = beta2 * vel + (1.0 - beta2) * grads * grads
        update = lr * (mom / (1.0 - beta1 ** step)) / (np.sqrt(vel / (1.0 - beta2 ** step)) + eps)
        a, b = a - update[0], b - update[1]
        yield 1
    if step < int(settings["steps"]):
        yield int(settings["steps"]) - step
    reached = best is not None
    _, m_best, p_best, k = best if best is not None else fallback
    return {"l1": float(m_best.sum()), "mask": m_best.tolist(), "pattern": p_best.tolist(), "k": int(k), "n": n,
            "reached": reached, "steps": step}


def anomaly_index(l1: Any) -> tuple[np.ndarray, float, float]:
    """(|L1 - median| / (1.4826 MAD) per class, median, 1.4826 MAD). MAD = 0: index 0 at the median, inf elsewhere."""
    v = np.asarray(l1, dtype=np.float64)
    med = float(np.median(v))
    dev = np.abs(v - med)
    mad = MAD_SCALE * float(np.median(dev))
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(dev == 0.0, 0.0, dev / mad if mad > 0 else np.inf)
    return index, med, mad


def cleanse(clf, X: np.ndarray, settings: Mapping, rng: np.random.Generator, box: tuple[float, float] = BOX) -> dict:
    """Neural Cleanse on a Classifier (cleanse_model.py) over the clean inputs X: per class its trigger, success
    rate (95 % Wilson), anomaly index and flag; "notes" says where the index cannot work."""
    return drain(cleanse_steps(clf, X, settings, rng, box))


def cleanse_steps(clf, X: np.ndarray, settings: Mapping, rng: np.random.Generator,
                  box: tuple[float, float] = BOX) -> Generator[int, None, dict]:
    """cleanse in steps: yields K settings["steps"] in all (reverse_steps per class), returns its result."""
    X = np.asarray(X, dtype=np.float64)
    own = clf.labels(X) if len(X) else np.zeros(0, dtype=np.int64)
    K = int(clf.n_classes)
    classes = []
    for c in range(K):
        found = yield from reverse_steps(clf, X[own != c], c, settings, rng, box)
        classes.append({"class": c, **{k: v for k, v in found.items() if k not in ("k", "n")},
                        "success": stats.rate(found["k"], found["n"])})
    index, med, mad = anomaly_index([c["l1"] for c in classes])
    for c, i in zip(classes, index):
        c["anomaly_index"] = float(i)
        c["flagged"] = bool(i > FLAG_INDEX and c["l1"] < med)
    notes = []
    if K == 2:
        notes.append("with two classes the anomaly index is the same for both (0.674, or 0 when the two L1 are "
                     "equal) whatever the model: the MAD of two numbers is half their distance, so nothing can be "
                     "flagged; the index means something from K = 3 classes on")
    elif mad == 0.0:
        notes.append("MAD = 0 (at least half the classes share one L1): any class away from the median has an "
                     "infinite index")
    missed = [c["class"] for c in classes if not c["reached"]]
    if missed:
        notes.append(f"no trigger reached the target success for class(es) {missed}: their L1 is that of the best "
                     f"attempt")
    return {"classes": classes, "median_l1": med, "mad": mad, "flagged": [c["class"] for c in classes
                                                                          if c["flagged"]], "notes": notes}


def run(subject, att, settings: Mapping, rng: np.random.Generator) -> dict:
    """Neural Cleanse on a Session's model (or a Classifier) over the attacked test set's clean points, with the
    clean model's run beside it (the same seeded starts) and what the backdoor does at the recovered triggers."""
    return drain(run_steps(subject, att, settings, rng)[1])


def run_steps(subject, att, settings: Mapping, rng: np.random.Generator) -> tuple[int, Generator[int, None, dict]]:
    """(total, steps): run in steps (cleanse_job.CleanseJob drives it), checked at once; steps yields `total` in
    all (K classes x settings["steps"], twice with a clean model) and returns run's result."""
    settings = check(settings)
    clf, clean_clf = cleanse_report.classifiers(subject)
    X = np.asarray(att.test_points, dtype=np.float64) if att is not None else np.zeros((0, 2))
    if not len(X):
        raise ValueError("Neural Cleanse needs test points (raise the share of test data)")
    total = int(clf.n_classes) * int(settings["steps"]) * (1 if clean_clf is None else 2)
    return total, _run_steps(clf, clean_clf, att, X, settings, rng)


def _run_steps(clf, clean_clf, att, X: np.ndarray, settings: dict,
               rng: np.random.Generator) -> Generator[int, None, dict]:
    start = time.perf_counter()
    clean_rng = copy.deepcopy(rng)  # the clean model starts from the same draws: differences are the model's
    box = data_box(X)
    out = {"type": "cleanse", "settings": dict(settings), **(yield from cleanse_steps(clf, X, settings, rng, box))}
    if clean_clf is not None:
        out["clean"] = yield from cleanse_steps(clean_clf, X, settings, clean_rng, box)
    cleanse_report.annotate(out, clf, att, X)
    out["seconds"] = time.perf_counter() - start
    from .run import json_safe  # here: run.py takes its defaults and limits from this module

    return json_safe(out)


def runner(s, att, p: Mapping, seed: str) -> tuple[dict, dict]:
    """The registry's runner (defense/registry.py): (the result's section, the column metrics). It changes no
    prediction, so the undefended rates stay. Detection is the anomaly index's flag on a class: detection_tpr = the
    attack's one target class flagged (k of 1; n = 0 where targets vary per point: checksum, signature),
    detection_fpr = flagged other classes / those classes. anomaly_index and trigger_l1 are the target class's, or
    where there is none the smallest-L1 class's (the one Neural Cleanse would suspect); trigger_l1_clean: that class
    on the clean model (None when the attack left the network unchanged)."""
    from .run import metrics

    out = run(s, att, p, rngs.stream(seed, "defense"))
    classes = out["classes"]
    target = out["target"]
    suspect = target if target is not None else min(range(len(classes)), key=lambda i: (classes[i]["l1"], i))
    others = [c for c in classes if c["class"] != target]
    chosen = classes[suspect]
    m = metrics(att)
    return {**out, "params": dict(p)}, {"clean_accuracy_after": m["backdoored_accuracy"],
                 "attack_success_rate_after": m["attack_success_rate"], "attack_success_rate_adaptive": None,
                 "detection_tpr": stats.rate(int(target is not None and classes[target]["flagged"]),
                                             int(target is not None)),
                 "detection_fpr": stats.rate(sum(c["flagged"] for c in others), len(others)),
                 "anomaly_index": chosen["anomaly_index"], "trigger_l1": chosen["l1"],
                 "trigger_l1_clean": chosen.get("l1_clean")}
