"""The one place that knows how labels and outputs encode K classes: every caller reads classes through here.

K = 2 is TensorFlow Playground's: one tanh output node, labels +1 / -1, the class is [output >= 0] (index 1 for +1,
0 for -1). K > 2: K linear output nodes (logits z) read through the softmax p_k = exp(z_k) / sum_j exp(z_j), labels
are class indices 0..K-1 (stored as float64 in the data arrays, like every label), the class is argmax_k z_k (the
first on ties). Softmax regression with cross-entropy: Bridle 1990, "Probabilistic interpretation of feedforward
classification network outputs".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..limits import Limit

MIN_CLASSES, MAX_CLASSES = 2, 10
# The one rule for K; the config key `classes` also takes 0, meaning "the data set's own K" (state_table.py).
CLASSES = Limit(MIN_CLASSES, MAX_CLASSES, 2, "number of classes K (2 = TF Playground's two classes)")
SOFTMAX_LOSS = "softmax_crossentropy"


def check_k(k: Any, what: str = "classes") -> int:
    """K as an int in 2..10 (CLASSES); ValueError "classes must be between 2 and 10, got ..." otherwise."""
    return int(CLASSES.check(what, k))


def output_nodes(k: int) -> int:
    """Output nodes of a K-class network: 1 for K = 2 (tanh), K otherwise (softmax)."""
    k = check_k(k)
    return 1 if k == 2 else k


def k_of_model(model: Any) -> int:
    """K of a classifier: 2 for one output node, else the number of output nodes."""
    n = int(model.layer_sizes[-1])
    return 2 if n == 1 else n


def output_activation(k: int) -> str:
    """tanh for K = 2 (TF Playground), linear logits for K > 2 (softmax lives in the loss and in probabilities())."""
    return "tanh" if check_k(k) == 2 else "linear"


def loss_name(k: int, binary_loss: str) -> str:
    """The training loss: the config's `loss` for K = 2, softmax cross-entropy for K > 2."""
    return binary_loss if check_k(k) == 2 else SOFTMAX_LOSS


def check_labels(labels: Any, k: int, what: str = "label") -> np.ndarray:
    """Labels as float64, checked: +1 / -1 for K = 2, integers 0..K-1 for K > 2; ValueError naming the first bad one."""
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    k = check_k(k)
    ok = np.isin(y, (-1.0, 1.0)) if k == 2 else (y == np.round(y)) & (y >= 0) & (y < k)
    bad = np.flatnonzero(~ok)
    if bad.size:
        allowed = "+1 or -1" if k == 2 else f"an integer 0..{k - 1}"
        raise ValueError(f"{what} {y[bad[0]]:g} (point {int(bad[0])}) is not a class of K = {k}: use {allowed}")
    return y


def indices(labels: Any, k: int) -> np.ndarray:
    """Class indices 0..K-1 (int64) of labels: +1 -> 1, -1 -> 0 for K = 2."""
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    return (y > 0).astype(np.int64) if k == 2 else y.astype(np.int64)


def label_values(idx: Any, k: int) -> np.ndarray:
    """The label encoding of class indices (float64): +1 / -1 for K = 2, the indices themselves otherwise."""
    idx = np.asarray(idx, dtype=np.int64).reshape(-1)
    return np.where(idx == 1, 1.0, -1.0) if k == 2 else idx.astype(np.float64)


def one_hot(labels: Any, k: int) -> np.ndarray:
    """(n, K) float64 one-hot rows of labels (any encoding above)."""
    idx = indices(labels, k)
    out = np.zeros((idx.size, k))
    out[np.arange(idx.size), idx] = 1.0
    return out


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    """exp(z - max z) / sum exp(z - max z) along `axis`: the same softmax, never overflowing."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def probabilities(outputs: Any) -> np.ndarray:
    """(n, K) class probabilities: for one tanh output o, P(+1) = (o + 1) / 2 (clipped to [0, 1]) as column 1."""
    out = np.asarray(outputs, dtype=np.float64)
    if out.ndim == 1 or out.shape[1] == 1:
        p1 = np.clip((out.reshape(-1) + 1.0) * 0.5, 0.0, 1.0)
        return np.column_stack([1.0 - p1, p1])
    return softmax(out, axis=1)


def labels_of(outputs: Any) -> np.ndarray:
    """The predicted label of each output row, in the label encoding: sign (+1 when o >= 0) for one output, argmax
    (the first on ties) for K outputs. A NaN output gives -1 (K = 2) or class 0."""
    out = np.asarray(outputs, dtype=np.float64)
    if out.ndim == 1 or out.shape[1] == 1:
        return np.where(out.reshape(-1) >= 0.0, 1.0, -1.0)
    return np.argmax(np.nan_to_num(out, nan=-np.inf), axis=1).astype(np.float64)


def accuracy(outputs: Any, labels: Any) -> float:
    """Fraction of points whose predicted class is the label's (regression targets read by sign); NaN for none."""
    out = np.asarray(outputs, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    n = out.shape[0] if out.ndim else 0
    if n != y.size:
        raise ValueError(f"accuracy: {n} outputs but {y.size} labels")
    if n == 0:
        return float("nan")
    if out.ndim == 1 or out.shape[1] == 1:
        o = out.reshape(-1)
        return float(np.count_nonzero((o >= 0.0) == (y >= 0.0)) / n)  # NaN output counts as wrong (NaN >= 0 False)
    return float(np.count_nonzero(labels_of(out) == y) / n)


def confusion(outputs: Any, labels: Any, k: int) -> list[list[int]]:
    """K x K counts: row = true class index, column = predicted class index (for K = 2: index 0 = -1, 1 = +1)."""
    k = check_k(k)
    true = indices(check_labels(labels, k), k)
    pred = indices(labels_of(outputs), k)
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (true, pred), 1)
    return counts.tolist()
