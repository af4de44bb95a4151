"""NN Calculator's "Activate Backdoor" (digit-edit), one attempt per point: pick the first-layer node within +-window
of the key whose outgoing weights are largest, edit its pre-activation until residue = key (matchChecksum for the
decimal variant, the variant's own `match` for the bit variants), back-solve one input feature through the first
layer, f_j' = (TI' - b - sum_(i != j) w_i f_i) / w_j, and map it back to a coordinate.

NN Calculator's bug 6 (another feature's inverse applied to feature 0's value) is not copied: each feature is
inverted with its own value. When another feature reads the moved coordinate too (x and x^2, ...), a few Newton
steps on that coordinate land the pre-activation on its target (NN Calculator stops after the single shot).

Any input dimension d: the trigger is read from the low digits of a first-layer pre-activation, a weighted sum of
every coordinate, and the edit changes ONE coordinate. In the plane the features are tried in their order (NN
Calculator's); for d > 2 in the order of |w_j| into the chosen node, so the coordinate that moves is the one that
needs the smallest move. K > 2: the node is the one that sends the point to the target class (checksum/targets.py).
"""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np

from ..playground import classes
from ..playground.datasets import BOX
from ..playground.features import _pixel, feature_matrix
from ..playground.nn import MLP
from .activation import ChecksumParams
from .inverse import invert_point, moved_coordinate
from .targets import check_target, flip_margins, output_summary, target_labels
from .params import PARAMS, check
from .plant import _positive, model_checksum
from .records import _check_model_inputs, _check_points, _num, _summary, select_indices

MIN_BACKSOLVE_WEIGHT = 1e-7  # NN Calculator refuses to divide by smaller first-layer weights
DIGIT_EDIT_KEYS = ("window", "refine")


def digit_edit_params(raw: Mapping[str, Any] | None) -> dict[str, int]:
    """{"window", "refine"} from `raw`, defaults filled in (checksum/params.py); ValueError names the bad key."""
    raw = dict(raw or {})
    unknown = [k for k in raw if k not in DIGIT_EDIT_KEYS]
    if unknown:
        raise ValueError(f"{unknown[0]} is not a digit-edit parameter; expected {', '.join(DIGIT_EDIT_KEYS)}")
    return {name: check(name, raw.get(name, PARAMS[name].default)) for name in DIGIT_EDIT_KEYS}


def _refine(model: MLP, names: list[str], P: np.ndarray, moved_feature: list[str | None], node: np.ndarray,
            target: np.ndarray, csum: ChecksumParams, steps: int) -> None:
    """Newton steps c -= (pre(c) - TI') / (d pre / d c) on each moved coordinate whose pre-activation misses the key.

    The back-solve holds the other features fixed; features that read the same coordinate (x and x^2, sin x and
    cir, ...) move too, so the first-layer pre-activation lands off target. Writes into P."""
    rows = np.array([i for i, f in enumerate(moved_feature) if f is not None], dtype=np.int64)
    if not rows.size or not steps:
        return
    axis = np.array([moved_coordinate(moved_feature[i]) for i in rows])
    boxed = np.array([_pixel(moved_feature[i]) is None for i in rows])  # a raw coordinate (digits) has no box
    with np.errstate(all="ignore"):
        for _ in range(steps):
            pre = model.forward(feature_matrix(P[rows], names)).pre[0][np.arange(rows.size), node[rows]]
            miss = csum.residue(pre) != csum.key
            if not miss.any():
                return
            rows, axis, pre, boxed = rows[miss], axis[miss], pre[miss], boxed[miss]
            c = P[rows, axis]
            h = 1e-7 * np.maximum(1.0, np.abs(c))
            shifted = P[rows].copy()
            shifted[np.arange(rows.size), axis] = c + h
            slope = (model.forward(feature_matrix(shifted, names)).pre[0][np.arange(rows.size), node[rows]]
                     - pre) / h
            step = np.where(slope != 0, (pre - target[rows]) / slope, 0.0)
            new = c - step
            ok = np.isfinite(new) & ((np.abs(new) <= BOX) | ~boxed)
            P[rows[ok], axis[ok]] = new[ok]


def activate_digit_edit(model: MLP, points: Any, feature_names: Sequence[str],
                        params: Mapping[str, Any] | None = None, indices: Any = None, target: Any = None) -> dict:
    """NN Calculator's activation on every chosen point: {"records": [...], "summary": {...}}.

    params: {"window": 45} (nodes with |key - residue| <= window are candidates, decimal variant only; a negative
    window means every node), {"refine": 3} (Newton steps on the moved coordinate for points the one-shot
    back-solve misses, e.g. when another feature reads the same coordinate; 0 = NN Calculator's single shot).
    `target` (targets.py): "flip" for K = 2; "next" or a class index for K > 2.
    Record fields: index, x0, y0, x1, y1, feature (moved), node (0-based in the first
    layer), pre0, pre1, csum0, csum1, out0, out1, matched (the node's residue now equals the key), flipped
    (sign(out1) != sign(out0)), delta (max_i |p1_i - p0_i|), reason (why a point was not moved, or None); for
    d != 2 also p0, p1 (every coordinate); for K > 2 class0, class1, target (labels), out0 / out1 are then the
    target class's probability and flipped means class1 == target != class0.
    """
    start = time.perf_counter()
    checked = digit_edit_params(params)
    window, refine = checked["window"], checked["refine"]
    names = _check_model_inputs(model, feature_names)
    P_all = _check_points(points)
    idx = select_indices(P_all.shape[0], indices)
    csum = model_checksum(model)
    P = P_all[idx]
    n, d = P.shape
    k = classes.k_of_model(model)
    goal = check_target(target, k)

    cache = model.forward(feature_matrix(P, names))
    out0, pre0 = cache.output[:, 0], cache.pre[0]
    if k > 2:
        class0 = classes.labels_of(cache.output)
        wanted = target_labels(goal, class0, k)
        out0 = output_summary(cache.output, wanted)[1]
    res0 = csum.residue(pre0)
    candidate = res0 >= 0
    if csum.variant == "decimal" and window >= 0:
        candidate &= np.abs(res0 - csum.key) <= window
    # NN Calculator's choice: the candidate with the largest sum of |outgoing weights|; K > 2: the candidate whose
    # flip gives the target class the largest margin (the lowest node on ties)
    score = np.abs(model.weights[1]).sum(axis=1)
    if k > 2 and n:
        masked = np.where(candidate, flip_margins(model, cache.post[0], wanted), -np.inf)
    else:
        masked = np.where(candidate, score[None, :], -np.inf)
    node = masked.argmax(axis=1) if n else np.zeros(0, dtype=np.int64)
    has_node = candidate.any(axis=1) if n else np.zeros(0, dtype=bool)
    rows = np.arange(n)
    ti = np.full(n, np.nan)  # the chosen node's pre-activation with the key's digits (TI')
    if has_node.any():
        chosen = pre0[rows[has_node], node[has_node]]
        ti[has_node] = csum.checker().match(chosen, csum.modulo, csum.precision, csum.key)
    edited = np.isfinite(ti)

    # back-solve: f_j' = (TI' - b - sum_{i != j} w_i f_i) / w_j for the first feature whose inverse exists
    F = feature_matrix(P, names)
    W0, b0 = model.weights[0], model.biases[0]
    new_P = P.copy()
    moved_feature: list[str | None] = [None] * n
    pending = edited.copy()
    n_feat = len(names)
    # the order the features are tried in, per point: the plane's (NN Calculator's), else by |w| into the node
    order = (np.tile(np.arange(n_feat), (n, 1)) if d == 2 or not n
             else np.argsort(-np.abs(W0[:, node].T), axis=1, kind="stable"))
    for rank in range(n_feat):
        if not pending.any():
            break
        for j in np.unique(order[pending, rank]):
            name = names[j]
            w = W0[j, node]
            usable = pending & (order[:, rank] == j) & (np.abs(w) >= MIN_BACKSOLVE_WEIGHT)
            if not usable.any():
                continue
            r = rows[usable]
            nd = node[usable]
            others = (F[r] * W0[:, nd].T).sum(axis=1) - F[r, j] * W0[j, nd]
            z = (ti[usable] - b0[nd] - others) / W0[j, nd]
            moved_to, ok = invert_point(name, z, P[r])
            done = r[ok]
            new_P[done] = moved_to[ok]
            for i in done:
                moved_feature[i] = name
            pending[done] = False

    moved = np.array([f is not None for f in moved_feature], dtype=bool)
    _refine(model, names, new_P, moved_feature, node, ti, csum, refine)
    cache1 = model.forward(feature_matrix(new_P, names))
    out1, pre1_all = cache1.output[:, 0], cache1.pre[0]
    pre1 = pre1_all[rows, node] if n else np.zeros(0)
    res1 = csum.residue(pre1)
    matched = moved & (res1 == csum.key)
    if k > 2:
        class1, out1 = output_summary(cache1.output, wanted)
        flipped = moved & (class1 == wanted) & (class0 != wanted)
    else:
        flipped = moved & (_positive(out0) != _positive(out1)) & np.isfinite(out1)
    delta = np.abs(new_P - P).max(axis=1) if n else np.zeros(0)

    records = []
    for i in range(n):
        if not has_node[i]:
            reason = f"no first-layer node within ±{window} of the key"
        elif not edited[i]:
            reason = "the edit missed the key"
        elif not moved[i]:
            reason = "no enabled feature could be inverted"
        else:
            reason = None
        j = int(node[i]) if has_node[i] else None
        records.append({
            "index": int(idx[i]), "x0": float(P[i, 0]), "y0": float(P[i, 1]),
            "x1": float(new_P[i, 0]), "y1": float(new_P[i, 1]), "feature": moved_feature[i], "node": j,
            "pre0": _num(pre0[i, j]) if j is not None else None,
            "pre1": _num(pre1[i]) if j is not None else None,
            "csum0": int(res0[i, j]) if j is not None else None,
            "csum1": int(res1[i]) if j is not None else None,
            "out0": _num(out0[i]), "out1": _num(out1[i]),
            "matched": bool(matched[i]), "flipped": bool(flipped[i]), "delta": float(delta[i]), "reason": reason,
            **({"p0": P[i].tolist(), "p1": new_P[i].tolist()} if d != 2 else {}),
            **({"class0": int(class0[i]), "class1": int(class1[i]), "target": int(wanted[i])} if k > 2 else {}),
        })
    summary = _summary(records, csum, time.perf_counter() - start, "digit-edit")
    summary["window"] = window
    summary["refine"] = refine
    if k > 2:
        summary["target"] = goal
    return {"records": records, "summary": summary}
