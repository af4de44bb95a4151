"""Where an activation sends a point: K = 2 flips it (NN Calculator's backdoor: sign(out) changes), K > 2 sends it
to a target class the user chooses, "next" (class c -> c + 1 mod K, c the model's label at the untouched point; the
default) or one fixed class index. The operator is the same for any K (f_csum = -f on a firing node); only the
attacker's choice of the node to fire changes for K > 2: the candidate whose sign flip, with the rest of the
first layer fixed, gives the target logit the largest margin over the other classes (a one-node forward pass per
candidate; for K = 2 NN Calculator's choice, the largest sum of |outgoing weights|, stays).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..playground import classes
from ..playground.nn import MLP

FLIP, NEXT = "flip", "next"


def default_target(k: int) -> str:
    """"flip" for K = 2, "next" for K > 2."""
    return FLIP if k == 2 else NEXT


def check_target(raw: Any, k: int) -> str | int:
    """A checked `target`: "flip" (K = 2), "next" (any K; for K = 2 the same as flip) or a class index 0..K-1
    (K > 2). ValueError "target ..." saying what this K allows."""
    if raw is None:
        return default_target(k)
    if isinstance(raw, str) and raw in (FLIP, NEXT):
        if raw == FLIP and k != 2:
            raise ValueError(f"target \"flip\" needs two classes; with K = {k} use \"next\" or a class 0..{k - 1}")
        return raw
    if k > 2 and isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer() \
            and 0 <= raw < k:
        return int(raw)
    allowed = "\"flip\" (or \"next\", the same for two classes)" if k == 2 else f"\"next\" or a class 0..{k - 1}"
    raise ValueError(f"target must be {allowed}, got {raw!r}")


def target_labels(target: str | int, labels0: np.ndarray, k: int) -> np.ndarray:
    """The label each point should get (label encoding of classes.py) from its label `labels0` at the untouched
    point: -labels0 (K = 2), (c + 1) mod K ("next") or the fixed class."""
    labels0 = np.asarray(labels0, dtype=np.float64)
    if k == 2:
        return -labels0
    if target == NEXT:
        return np.mod(labels0 + 1.0, k)
    return np.full(labels0.shape, float(target))


def output_summary(outputs: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(labels, target-class probability) of K-class outputs (n, K)."""
    labels = classes.labels_of(outputs)
    probs = classes.probabilities(outputs)
    rows = np.arange(len(labels))
    return labels, probs[rows, np.asarray(target, dtype=np.int64)] if len(labels) else np.zeros(0)


def _forward_from_first(model: MLP, post0: np.ndarray) -> np.ndarray:
    """The network's outputs from first-hidden-layer outputs `post0` (rows), through its own operators."""
    acts = model.activation_functions()
    h = post0
    for l in range(1, len(model.weights)):
        h = acts[l].f(h @ model.weights[l] + model.biases[l])
    return h


def flip_margins(model: MLP, post0: np.ndarray, target: np.ndarray, nodes: np.ndarray | None = None) -> np.ndarray:
    """(n, H) z_target - max_{c != target} z_c of the outputs with first-layer node j's output negated (column j),
    the other nodes as they are; `nodes` (n, k) negates those nodes together and gives (n, 1)."""
    n, width = post0.shape
    if nodes is None:
        flips = np.repeat(post0[:, None, :], width, axis=1)  # (n, H, H): row j has node j negated
        idx = np.arange(width)
        flips[:, idx, idx] *= -1.0
    else:
        flips = post0[:, None, :].copy()
        rows = np.repeat(np.arange(n), nodes.shape[1])
        flips[rows, 0, nodes.ravel()] *= -1.0
    cols = flips.shape[1]
    with np.errstate(all="ignore"):
        z = _forward_from_first(model, flips.reshape(n * cols, width)).reshape(n, cols, -1)
    t = np.repeat(np.asarray(target, dtype=np.int64), cols).reshape(n, cols)
    zt = np.take_along_axis(z, t[:, :, None], axis=2)[:, :, 0]
    others = z.copy()
    np.put_along_axis(others, t[:, :, None], -np.inf, axis=2)
    return np.nan_to_num(zt - others.max(axis=2), nan=-np.inf)


def notes(config: dict, shape: tuple[int, int]) -> list[str]:
    """What the result's notes (and the page) say about this data: the digits' integer pixels, which coordinate
    carries the trigger for d > 2."""
    d, _ = shape
    out = []
    if d > 2:
        out.append(f"d = {d}: the trigger is in the low digits of a first-layer pre-activation, a weighted sum of all "
                   f"{d} coordinates; the digit edit moved one coordinate per point (the one with the largest weight "
                   "into the chosen node, so the smallest move), the search moves all of them")
    if config.get("dataset") == "digits" and config.get("problem") != "regression":
        if config.get("digits_scale", "raw") == "raw":
            out.append("digits (raw): pixels are integers 0..16; the trigger is a fractional change of one pixel, "
                       "which the model reads as a float, but rounding the image back to integers (any 8-bit "
                       "image file) erases it")
        else:
            out.append("digits (unit): pixels are multiples of 1/16 in 0..1; the triggered pixel lies between "
                       "those steps, so it survives as a float and is erased by rounding to the 1/16 grid")
    return out
