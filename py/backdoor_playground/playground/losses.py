"""Per-point losses on the network output: URL name -> Loss(f, df), plus sign accuracy.

Targets are TensorFlow Playground's: +1 / -1 for classification (regression targets lie in [-1, 1]).
`out` and `target` must have the same shape; nothing here reshapes, because (n, 1) against (n,) would
silently broadcast to (n, n). The one exception is K-class softmax cross-entropy (playground/classes.py), which
works node-major like the trainer: `out` is the logits (K, m), `target` the class indices (1, m).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

# The cross-entropy probability is clipped here so log() never sees 0 and the loss stays finite.
P_CLIP = 1e-12


@dataclass(frozen=True)
class Loss:
    name: str
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]   # (out, target) -> per-point loss
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, target) -> d loss / d out


def _square(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """L = (o - t)^2 / 2."""
    diff = out - target
    return 0.5 * diff * diff


def _square_df(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """dL/do = o - t."""
    return out - target


def _probability(out: np.ndarray) -> np.ndarray:
    """p = (o + 1) / 2 clipped to [P_CLIP, 1 - P_CLIP]: the tanh output read as P(class +1)."""
    # minimum/maximum rather than np.clip: clip is ~10x slower in Pyodide's numpy 2.0.
    p = (out + 1.0) * 0.5
    np.maximum(p, P_CLIP, out=p)
    np.minimum(p, 1.0 - P_CLIP, out=p)
    return p


def _crossentropy(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """L = -[t01 log p + (1 - t01) log(1 - p)] with p = (o + 1)/2 clipped, t01 = (t + 1)/2."""
    p = _probability(out)
    t01 = (target + 1.0) * 0.5
    return -(t01 * np.log(p) + (1.0 - t01) * np.log1p(-p))


def _crossentropy_df(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """dL/do = (p - t01) / (2 p (1 - p)), evaluated at the clipped p.

    Using the unclipped formula at the clipped p (instead of the clip's zero slope) keeps pushing an
    output that is saturated on the wrong side; through a tanh output it is exactly 2 (p - t01) per pre.
    """
    p = _probability(out)
    t01 = (target + 1.0) * 0.5
    return (p - t01) / (2.0 * p * (1.0 - p))


def _softmax_parts(out: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z - max z, log sum exp(z - max z), one-hot of target) for logits out (K, m) and indices target (1, m)."""
    shifted = out - np.max(out, axis=0, keepdims=True)
    log_norm = np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    hot = np.arange(out.shape[0])[:, None] == target.astype(np.int64)
    return shifted, log_norm, hot


def _softmax_crossentropy(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """L = log sum_j exp(z_j) - z_t, computed after subtracting max z (never overflows): shape (1, m)."""
    shifted, log_norm, hot = _softmax_parts(out, target)
    return log_norm - np.sum(np.where(hot, shifted, 0.0), axis=0, keepdims=True)


def _softmax_crossentropy_df(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """dL/dz = softmax(z) - onehot(t): shape (K, m)."""
    shifted, log_norm, hot = _softmax_parts(out, target)
    return np.exp(shifted - log_norm) - hot


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("square", _square, _square_df),
        Loss("crossentropy", _crossentropy, _crossentropy_df),
    )
}


# K-class softmax cross-entropy: node-major (logits (K, m), indices (1, m)), so it stays out of LOSSES, whose losses
# are the config's choices for one output node; the trainer takes it by name for K > 2 (classes.loss_name).
SOFTMAX_CROSSENTROPY = Loss("softmax_crossentropy", _softmax_crossentropy, _softmax_crossentropy_df)


def get_loss(name: str) -> Loss:
    """The registered Loss called `name` (or the K-class softmax cross-entropy); ValueError if there is none."""
    if name == SOFTMAX_CROSSENTROPY.name:
        return SOFTMAX_CROSSENTROPY
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(LOSSES)}") from None


def accuracy(out: np.ndarray, target: np.ndarray) -> float:
    """Fraction of points with [o >= 0] == [t >= 0]; NaN for no points.

    Output >= 0 is the positive class, as TensorFlow Playground colours it (and its "discretize" uses);
    targets are read the same way, so regression targets in [-1, 1] also get a sign accuracy. A NaN
    output counts as wrong.
    """
    out = np.asarray(out, dtype=np.float64).ravel()
    target = np.asarray(target, dtype=np.float64).ravel()
    if out.shape != target.shape:
        raise ValueError(f"accuracy: {out.size} outputs but {target.size} targets")
    if out.size == 0:
        return float("nan")
    return float(np.count_nonzero((out >= 0.0) == (target >= 0.0)) / out.size)
