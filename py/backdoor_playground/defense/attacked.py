"""What a defense sees and is judged against: one test set after an attack, with ground truth, the clean model's
labels, the backdoored model's labels and the attacker's targets kept as separate arrays (NN Calculator
overwrites its test labels in place, so it cannot tell them apart afterwards).

Labels are in playground/classes.py's encoding: +1 / -1 for K = 2 (an output >= 0 is +1, TensorFlow Playground's
colouring; a NaN output is -1), class indices 0..K-1 for K > 2 (argmax of the K outputs). Points are (n, d) for any
input dimension d. Every backdoor builds one `Attacked` (Attack.attacked in attacks.py), so every defense and metric
works on all of them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..playground import classes, features, grid

# (points (k, d), owner (k,) index of the test point each row stands for, or -1) -> labels (k,) of the backdoored
# model. The owner lets a backdoor whose trigger rides outside the plane (a signature certificate) attach it.
Predict = Callable[[np.ndarray, np.ndarray], np.ndarray]


def activation_figures(deltas, seconds: float | None) -> dict:
    """The activation's size and cost, ONE definition for every backdoor's summary, its panel and the metrics table:

    - median_abs_delta / max_abs_delta: the median / largest move |dx| = max(|x1 - x0|, |y1 - y0|) (max norm, data
      units) over the activated points (every point the activation was run on, moved or not);
    - activation_seconds_per_point: the activation's total wall-clock seconds / the number of activated points.
    None where there is no activated point (or no time)."""
    d = np.asarray(deltas, dtype=np.float64).ravel()
    n = len(d)
    return {"median_abs_delta": float(np.median(d)) if n else None,
            "max_abs_delta": float(d.max()) if n else None,
            "activation_seconds_per_point": float(seconds) / n if n and seconds is not None else None}


def labels_of(outputs: np.ndarray) -> np.ndarray:
    """The predicted labels of outputs (classes.labels_of): for one output (or a flat array) +1 where output >= 0,
    else -1 (NaN included); for an (n, K) array the argmax class index. float64."""
    out = np.asarray(outputs, dtype=np.float64)
    return classes.labels_of(out.ravel() if out.ndim != 2 else out)


def truth_labels(labels) -> np.ndarray:
    """Ground-truth labels in the label encoding: +1 / -1 labels (K = 2) as they are (any other number read by its
    sign, as before), class indices 0..K-1 (K > 2: a 0 or a label above 1 tells them apart) kept."""
    y = np.asarray(labels, dtype=np.float64).ravel()
    if len(y) and np.all(y >= 0) and np.all(y == np.round(y)) and np.any((y == 0) | (y > 1)):
        return y
    return np.where(y >= 0.0, 1.0, -1.0)


def as_points(points, d: int | None = None) -> np.ndarray:
    """(n, d) float64: a 2-D array as it is, a flat one read as 2-D points (or d-D when d is given)."""
    P = np.asarray(points, dtype=np.float64)
    return P if P.ndim == 2 else P.reshape(-1, 2 if d is None else d)


def record_point(r: dict) -> list[float]:
    """An activation record's moved point: its "p1" (every coordinate, d != 2) or (x1, y1)."""
    return list(r["p1"]) if "p1" in r else [r["x1"], r["y1"]]


@dataclass(frozen=True)
class Attacked:
    """A test set under attack; arrays over test points are index-aligned with `test_points`."""

    train_points: np.ndarray   # (n, d)
    train_labels: np.ndarray   # (n,) ground truth, +1 / -1 (K = 2) or 0..K-1
    test_points: np.ndarray    # (m, d) where the test points really are
    test_labels: np.ndarray    # (m,) ground truth
    inputs: np.ndarray         # (m, d) what the model is shown: activated points moved, the others as they are
    activated: np.ndarray      # (m,) bool: the attacker tried to trigger this point
    flipped: np.ndarray        # (m,) bool: the activation changed the backdoored model's label
    target: np.ndarray         # (m,) the label the attacker wants on activated points, 0 elsewhere (read on
    #                            activated points only: 0 is also class 0 when K > 2)
    clean_pred: np.ndarray     # (m,) the clean model's labels at test_points
    bd_pred: np.ndarray        # (m,) the backdoored model's labels at inputs
    predict: Predict           # the backdoored model, on any points
    clean_predict: Callable[[np.ndarray], np.ndarray]  # the clean model, on any points
    backdoor: str              # "checksum", "signature", ... (for reports)
    accidental: np.ndarray | None = None  # (m,) bool: the trigger fires on the untouched test point (if known)
    activation: dict | None = None        # the activation's summary (seconds, trials, ...) for the cost metrics
    k: int = 2                            # classes K (labels 0..K-1 when K > 2)

    @property
    def abstain(self) -> float:
        """The label a defense gives when it abstains: 0 for K = 2 (not a label), -1 for K > 2 (0 is class 0)."""
        return 0.0 if self.k == 2 else -1.0

    @functools.cached_property
    def untouched_pred(self) -> np.ndarray:
        """(m,) the backdoored model's labels at the untouched test points (owner -1: no certificate attached);
        computed once, as every defense and metric needs it."""
        m = len(self.test_points)
        return self.predict(self.test_points, np.full(m, -1)) if m else np.zeros(0)

    @property
    def perturbation(self) -> np.ndarray:
        """(m,) |input - test point| in the max norm (0 for untouched points)."""
        return np.abs(self.inputs - self.test_points).max(axis=1) if len(self.inputs) else np.zeros(0)


def model_predictor(model, feature_names) -> Callable[[np.ndarray], np.ndarray]:
    """points (k, d) -> labels of `model` on their features (classes.labels_of: sign or argmax)."""
    names = list(feature_names)

    def predict(points: np.ndarray) -> np.ndarray:
        points = as_points(points)
        if not len(points):
            return np.zeros(0)
        return labels_of(model.predict(features.feature_matrix(points, names)))

    return predict


def from_records(*, train_points, train_labels, test_points, test_labels, records, predict: Predict,
                 clean_predict, backdoor: str, accidental=None, activation: dict | None = None,
                 k: int | None = None) -> Attacked:
    """An Attacked from activation records ({"index", "x1", "y1" (or "p1": every coordinate), "flipped"} each, and
    "target" where the attacker chose a class; without one the target is the opposite of the clean label, as every
    two-class activation in this package flips). `k`: the classes K (None: read from the labels, 2 for +1 / -1,
    else the largest label + 1)."""
    test_points = as_points(test_points)
    m = len(test_points)
    inputs = test_points.copy()
    activated = np.zeros(m, dtype=bool)
    flipped = np.zeros(m, dtype=bool)
    chosen = np.full(m, np.nan)
    for r in records:
        i = int(r["index"])
        inputs[i] = record_point(r)
        activated[i] = True
        flipped[i] = bool(r["flipped"])
        if r.get("target") is not None:
            chosen[i] = float(r["target"])
    clean_pred = clean_predict(test_points)
    owners = np.arange(m)
    bd_pred = predict(inputs, owners)
    target = np.where(activated, np.where(np.isnan(chosen), -clean_pred, chosen), 0.0)
    return Attacked(as_points(train_points, test_points.shape[1]),
                    truth_labels(train_labels), test_points, truth_labels(test_labels), inputs, activated, flipped,
                    target, clean_pred, bd_pred, predict, clean_predict, backdoor,
                    None if accidental is None else np.asarray(accidental, dtype=bool), activation,
                    _classes_of(k, train_labels, test_labels))


def _classes_of(k: int | None, *labels) -> int:
    if k is not None:
        return classes.check_k(k)
    y = np.concatenate([truth_labels(v) for v in labels])
    return 2 if not len(y) or np.any(y < 0) else max(2, int(y.max()) + 1)


def untouched(s) -> Attacked:
    """The live session's test set with nothing activated: the model is its own clean reference."""
    names = s.feature_names
    model = model_predictor(s.model, names)
    return from_records(train_points=s.data.train_points, train_labels=s.data.train_labels,
                        test_points=s.data.test_points, test_labels=s.data.test_labels, records=[],
                        predict=lambda points, owners: model(points), clean_predict=model, backdoor="none",
                        accidental=np.zeros(len(s.data.test_points), dtype=bool),
                        k=classes.k_of_model(s.model))


def grid_features(s: Any) -> np.ndarray | None:
    """Features of the picture grid's cell centres: the plane (d = 2), the z-slice shown (d = 3); None for d > 3."""
    d = s.shape[0]
    if d > 3:
        return None
    points = grid.grid_points(grid.GRID_N)
    if d == 3:
        points = np.column_stack([points, np.full(len(points), float(s.slice_z))])
    return features.feature_matrix(points, s.feature_names)
