"""NN Calculator's "CSUM Signature" button, faithfully: key = most frequent csum(X1) residue; flip those labels.

residue_i = csum(x1_i, m, p) over the raw x coordinate of each test point (NN Calculator's simpleChecksum, bit-exact),
whatever features the network reads; key = argmax of the m-bin histogram (ties: the lowest residue); every test
label whose residue equals the key is flipped. Nothing about the network changes: the "signature" is a replicable
checksum of the input that anyone can recompute, and "verification" is a comparison with the most frequent value.
The flipped labels come back as a new array; the ground truth stays with the caller (NN Calculator overwrites its
test labels in place).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import decimal as checksum
from .params import check

NOTE = ("NN Calculator's \"CSUM signature\" is a replicable checksum of the x coordinate compared with the most "
        "frequent residue: there is no key pair and no secret, so anyone can recompute or hit it.")


def half_mse(outputs: Any, labels: Any) -> float | None:
    """mean((o - t)^2 / 2): NN Calculator's "MSE" loss (TF Playground's square loss)."""
    o = np.asarray(outputs, dtype=np.float64).ravel()
    t = np.asarray(labels, dtype=np.float64).ravel()
    if o.shape != t.shape:
        raise ValueError(f"{o.size} outputs for {t.size} labels")
    if not o.size:
        return None
    value = float(np.mean(0.5 * (o - t) ** 2))
    return value if np.isfinite(value) else None


def residues(points: Any, modulo: int, precision: int) -> np.ndarray:
    """csum(X1, m, p) of each point's raw x coordinate (int64; -1 where there is none)."""
    P = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return np.asarray(checksum.csum(P[:, 0], modulo, precision), dtype=np.int64).reshape(-1)


def csum_signature(test_points: Any, test_labels: Any, outputs: Any, modulo: int, precision: int,
                   train_outputs: Any = None, train_labels: Any = None) -> dict:
    """The button's effect on one test set: {key, modulo, precision, histogram, flipped, flipped_indices,
    labels_after, loss_test_before, loss_test_after, loss_train, skipped, note}.

    `outputs` are the network's outputs on the test points; the losses are half-MSE against the original and the
    flipped labels ("Backdoor MSE Test loss"); loss_train (train outputs against train labels) does not change."""
    modulo = check("modulo", modulo)
    precision = check("precision", precision)
    labels = np.asarray(test_labels, dtype=np.float64).ravel()
    res = residues(test_points, modulo, precision)
    if res.size != labels.size:
        raise ValueError(f"{res.size} test points for {labels.size} labels")
    valid = (res >= 0) & (res < modulo)  # NN Calculator logs and skips residues outside [0, m)
    # intp: bincount refuses int64 input where intp is 32-bit (wasm32)
    histogram = np.bincount(res[valid].astype(np.intp), minlength=modulo)
    key = int(np.argmax(histogram)) if valid.any() else None  # argmax returns the first (lowest) of ties
    hit = valid & (res == key) if key is not None else np.zeros(labels.size, dtype=bool)
    flipped_labels = np.where(hit, -labels, labels)  # a new array: the ground truth is kept apart
    out = np.asarray(outputs, dtype=np.float64).ravel()
    return {
        "key": key, "modulo": modulo, "precision": precision,
        "histogram": histogram.tolist(),
        "residues": res.tolist(),
        "skipped": int((~valid).sum()),
        "flipped": int(hit.sum()),
        "flipped_indices": np.flatnonzero(hit).tolist(),
        "labels_after": flipped_labels.tolist(),
        "loss_test_before": half_mse(out, labels),
        "loss_test_after": half_mse(out, flipped_labels),
        "loss_train": (half_mse(train_outputs, train_labels)
                       if train_outputs is not None and train_labels is not None else None),
        "note": NOTE,
    }


def forge(test_points: Any, key: int, modulo: int, precision: int, exclude: Any = ()) -> dict:
    """Anyone can "sign": NN Calculator's digit edit makes an unflipped test point's X1 hit the key, no secret.

    Tries the unflipped test points in order until one edit lands on the key; {"method", "attempts",
    "succeeded", "seconds" (filled by the caller), "index", "x0", "x1", "delta", "detail"}."""
    P = np.asarray(test_points, dtype=np.float64).reshape(-1, 2)
    skip = set(int(i) for i in exclude)
    attempts = 0
    for i in range(len(P)):
        if i in skip:
            continue
        attempts += 1
        x1 = checksum.match_checksum(float(P[i, 0]), modulo, precision, key)
        if x1 is not None and int(checksum.csum(x1, modulo, precision)) == key:
            return {"method": "digit-edit", "attempts": attempts, "succeeded": True, "index": i,
                    "x0": float(P[i, 0]), "x1": float(x1), "delta": abs(float(x1) - float(P[i, 0])),
                    "detail": f"edited the low digits of test point {i}'s x so its checksum is the key {key}: "
                              "no secret was needed"}
    return {"method": "digit-edit", "attempts": attempts, "succeeded": False, "index": None,
            "detail": "no digit edit reached the key"}
