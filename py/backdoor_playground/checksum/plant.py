"""Backdoor 1: the checksum inside the non-linear operator. Plant it, measure it, activate it.

- Planting swaps chosen hidden layers' activation f for "f_csum": -f(x) where residue(x) == key, else f(x) (x is
  the node's pre-activation), and keeps the trained weights. The model carries the checksum numbers
  (`MLP.csum`), so the operator and the attacks below read the very same ones.
- `digit-edit` (NN Calculator's "Activate Backdoor", one attempt per point): pick the first-layer node within
  +-window of the key whose outgoing weights are largest, edit its pre-activation until it hits the key
  (`checksum.match_checksum` for the decimal variant, the variant's own `match` for the bit variants), back-solve
  one input feature through the first layer and map it back to a coordinate. NN Calculator's bug 6 (another
  feature's inverse applied to feature 0's value) is not copied: each feature is inverted with its own value.
  When another feature reads the moved coordinate too (x and x^2, ...), a few Newton steps on that coordinate
  land the pre-activation on its target (NN Calculator stops after the single shot).
- `search` (the key holder's brute force): random perturbations |dx|, |dy| <= radius until the trigger fires in the
  k first-layer nodes whose flip moves the next layer most. Trials ~ Geometric(p_key^k): E = (1/p_key)^k.
- Calibration: this device's search-trial throughput, and from it the largest modulo (or k) whose expected search
  fits a time budget. p_key is 1/m (keyed), exact for parity, and for the decimal variant the key's frequency
  among the residues of a reference sample (uniform pre-activations in [-6, 6]): there only ~80 residues occur,
  so p_key is not 1/m and the modulo stops mattering once it exceeds the raw digit sums.

Every random choice comes from rng.stream(seed, "search", ...).
"""

from __future__ import annotations

import functools
import itertools
import math
import statistics
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from . import residues as checksum
from ..playground import rng as rng_streams
from ..playground.activations import CHECKSUM_BASES, CSUM_SUFFIX, DEFAULT_CHECKSUM, ChecksumParams
from ..playground.datasets import BOX
from ..playground.features import FEATURES, feature_matrix
from ..playground.nn import MLP

LAYERS = ("all", "first")
METHODS = ("digit-edit", "search")
DEFAULT_WINDOW = 45          # NN Calculator: "10 least significant digits x avg delta 4.5"
MIN_BACKSOLVE_WEIGHT = 1e-7  # NN Calculator refuses to divide by smaller first-layer weights
# Search perturbation per coordinate: 1/12000 of the box, a small fraction of a pixel on the plot. It lets the
# decimal checksum's low ~10 of 14 digits vary; at 1e-6 only ~7 do, and points whose fixed high digits sit far
# from the key become out of reach (the bit variants do not care: any radius above ~1e-12 randomises them).
DEFAULT_RADIUS = 1e-3
DEFAULT_MAX_TRIALS = 1_000_000
MAX_TRIALS_LIMIT = 10**9
UI_MAX_MODULO = 65536        # config's csum_modulo upper limit
_FIRST_BLOCK = 256           # search blocks grow 256, 512, ... so short searches stay cheap
_MAX_BLOCK = 8192
_PILOT_SAMPLES = 2048        # samples of the perturbation distribution for a decimal p_key estimate


# --------------------------------------------------------------------------------------------------------------
# parameters


def _int_in(name: str, value: Any, low: int, high: int) -> int:
    """`value` as an int in [low, high]; ValueError naming `name` otherwise (bools and fractions refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, (float, np.floating)) and not (math.isfinite(value) and float(value).is_integer()):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _float_in(name: str, value: Any, low: float, high: float) -> float:
    """`value` as a finite float in (low, high]; ValueError naming `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and low < number <= high):
        raise ValueError(f"{name} must be a number in ({low:g}, {high:g}], got {value!r}")
    return number


@dataclass(frozen=True)
class PlantParams:
    """What 'Plant backdoor' needs: the checksum numbers and where the operator goes."""

    csum: ChecksumParams = DEFAULT_CHECKSUM
    layers: str = "all"

    def to_dict(self) -> dict[str, Any]:
        return {**self.csum.to_dict(), "layers": self.layers}


PLANT_KEYS = ("variant", "key", "modulo", "precision", "secret", "layers")


def params_from_config(config: Mapping[str, Any]) -> PlantParams:
    """PlantParams from the csum_* keys of a validated config (csum_key is read modulo csum_modulo)."""
    modulo = config.get("csum_modulo", checksum.DEFAULT_MODULO)
    return PlantParams(
        ChecksumParams(variant=config.get("csum_variant", "decimal"),
                       key=config.get("csum_key", checksum.DEFAULT_KEY) % modulo, modulo=modulo,
                       precision=config.get("csum_precision", checksum.DEFAULT_PRECISION),
                       secret=config.get("csum_secret", 0)),
        config.get("csum_layers", "all"))


def plant_params(raw: Mapping[str, Any] | PlantParams | None = None,
                 defaults: PlantParams = PlantParams()) -> PlantParams:
    """PlantParams from {variant, key, modulo, precision, secret, layers}, missing keys from `defaults` (an
    inherited key modulo the new modulo; a given key must lie below it).

    ValueError names the bad key ("key must be between 0 and 255, got 300")."""
    if isinstance(raw, PlantParams):
        return raw
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise ValueError(f"backdoor parameters must be an object, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in PLANT_KEYS]
    if unknown:
        raise ValueError(f"{unknown[0]} is not a backdoor parameter; expected one of {', '.join(PLANT_KEYS)}")
    layers = raw.get("layers", defaults.layers)
    if layers not in LAYERS:
        raise ValueError(f"layers must be one of {', '.join(LAYERS)}, got {layers!r}")
    base = defaults.csum.to_dict()
    merged = {k: raw.get(k, base[k]) for k in base}
    if "key" not in raw and isinstance(merged["modulo"], int) and merged["modulo"] >= 2:
        merged["key"] %= merged["modulo"]  # an inherited key is read modulo m, as the config's csum_key is
    return PlantParams(ChecksumParams(**merged), layers)


def model_checksum(model: MLP) -> ChecksumParams:
    """The numbers the model's checksum operators test (NN Calculator's defaults when it carries none)."""
    return model.csum if model.csum is not None else DEFAULT_CHECKSUM


# --------------------------------------------------------------------------------------------------------------
# planting


def base_activation(name: str) -> str:
    """The plain activation behind a (possibly checksum) operator name."""
    return CHECKSUM_BASES.get(name, name)


def planted_layers(model: MLP) -> list[int]:
    """Indices of the hidden layers whose operator is a checksum operator."""
    return [l for l, name in enumerate(model.activation_names[:-1]) if name in CHECKSUM_BASES]


def plant(model: MLP, params: Mapping[str, Any] | PlantParams | None = None) -> MLP:
    """A copy whose chosen hidden layers use f_csum (the others their plain f); weights untouched."""
    params = plant_params(params)
    hidden = len(model.layer_sizes) - 2
    if hidden < 1:
        raise ValueError("networkShape: planting needs at least one hidden layer")
    targets = range(hidden) if params.layers == "all" else range(1)
    names = [base_activation(name) for name in model.activation_names]
    for l in targets:
        if names[l] + CSUM_SUFFIX not in CHECKSUM_BASES:
            raise ValueError(f"activation: hidden layer {l + 1} uses {names[l]!r}, which has no checksum operator")
        names[l] += CSUM_SUFFIX
    planted = model.copy()
    planted.activation_names = names
    planted.csum = params.csum
    planted.activation_functions()
    return planted


def unplant(model: MLP) -> MLP:
    """A copy with every checksum operator back to its plain activation and no checksum numbers."""
    clean = model.copy()
    clean.activation_names = [base_activation(name) for name in model.activation_names]
    clean.csum = None
    clean.activation_functions()
    return clean


# --------------------------------------------------------------------------------------------------------------
# measuring


def _positive(out: np.ndarray) -> np.ndarray:
    """Output >= 0 is the positive class (TensorFlow Playground's colouring); NaN is neither."""
    return out >= 0.0


def agreement(clean: MLP, backdoored: MLP, X: Any) -> float:
    """P_X[sign(clean(x)) == sign(backdoored(x))], signs read as output >= 0; NaN outputs disagree; NaN if no X."""
    a, b = clean.predict(X), backdoored.predict(X)
    if a.size == 0:
        return float("nan")
    same = (_positive(a) == _positive(b)) & np.isfinite(a) & np.isfinite(b)
    return float(np.count_nonzero(same) / a.size)


def fired(model: MLP, X: Any) -> np.ndarray:
    """(n, planted nodes) bool: which checksum nodes fire on each input, in layer order (empty if unplanted)."""
    layers = planted_layers(model)
    cache = model.forward(X)
    csum = model_checksum(model)
    if not layers:
        return np.zeros((cache.inputs.shape[0], 0), dtype=bool)
    return np.concatenate([csum.fires(cache.pre[l]) for l in layers], axis=1)


def trigger_rate(model: MLP, X: Any) -> float:
    """Fraction of inputs on which at least one checksum node fires (the accidental trigger rate); NaN if no X."""
    hits = fired(model, X)
    return float(hits.any(axis=1).mean()) if hits.shape[0] else float("nan")


def node_trigger_rate(model: MLP, X: Any) -> float:
    """Fraction of (input, checksum node) pairs that fire: the per-node accidental rate; NaN if none."""
    hits = fired(model, X)
    return float(hits.mean()) if hits.size else float("nan")


# --------------------------------------------------------------------------------------------------------------
# inverting a feature: coordinate values that give the feature value z (NN Calculator's INVERSEINPUTS, done right)


def _sine_branch(z: np.ndarray, near: np.ndarray) -> np.ndarray:
    """The t with sin t = z nearest to `near`: asin z + 2 pi k or pi - asin z + 2 pi k."""
    a = np.arcsin(np.clip(z, -1.0, 1.0))
    two_pi = 2.0 * math.pi
    c1 = a + two_pi * np.round((near - a) / two_pi)
    b = math.pi - a
    c2 = b + two_pi * np.round((near - b) / two_pi)
    return np.where(np.abs(c1 - near) <= np.abs(c2 - near), c1, c2)


def _sign(v: np.ndarray) -> np.ndarray:
    return np.where(v < 0, -1.0, 1.0)


def _inverse(name: str, z: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x', y', ok): the point nearest (x, y) along the coordinate that feature `name` is inverted for."""
    ok = np.isfinite(z)
    with np.errstate(all="ignore"):
        if name == "x":
            x = z
        elif name == "y":
            y = z
        elif name == "xSquared":
            ok &= z >= 0
            x = _sign(x) * np.sqrt(np.abs(z))
        elif name == "ySquared":
            ok &= z >= 0
            y = _sign(y) * np.sqrt(np.abs(z))
        elif name == "xTimesY":
            ok &= y != 0
            x = z / y
        elif name == "sinX":
            ok &= np.abs(z) <= 1
            x = _sine_branch(z, x)
        elif name == "sinY":
            ok &= np.abs(z) <= 1
            y = _sine_branch(z, y)
        elif name == "sinXTimesY":
            ok &= (np.abs(z) <= 1) & (y != 0)
            x = _sine_branch(z, x * y) / y
        elif name == "cir":
            t = _sine_branch(z, x * x + y * y)
            ok &= (np.abs(z) <= 1) & (t - y * y >= 0)
            x = _sign(x) * np.sqrt(np.abs(t - y * y))
        elif name == "avg":
            x = 2.0 * z - y
        else:
            raise ValueError(f"unknown feature {name!r}")
        ok &= np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= BOX) & (np.abs(y) <= BOX)
    return x, y, ok


# coordinate each feature's inverse moves (0 = X1, 1 = X2)
MOVED_COORDINATE = {"x": 0, "y": 1, "xSquared": 0, "ySquared": 1, "xTimesY": 0, "sinX": 0, "sinY": 1,
                    "sinXTimesY": 0, "cir": 0, "avg": 0}
if set(MOVED_COORDINATE) != set(FEATURES):
    raise RuntimeError("every feature needs an inverse")


# --------------------------------------------------------------------------------------------------------------
# activation helpers


def _num(value: Any) -> float | None:
    """A JSON-safe float (None for NaN/inf)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _check_points(points: Any) -> np.ndarray:
    try:
        P = np.array(points, dtype=np.float64).reshape(-1, 2)
    except (TypeError, ValueError):
        raise ValueError("points must be an (n, 2) array of numbers") from None
    if not np.isfinite(P).all():
        raise ValueError("points contain NaN or infinity")
    return P


def check_points(points: Any) -> Any:
    """A config's `points`: "all" or a list of non-negative test indices (ValueError otherwise); range is checked
    later against the test set (select_indices)."""
    if not (points == "all" or (isinstance(points, list) and all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in points))):
        raise ValueError(f"points must be \"all\" or a list of test-point indices, got {points!r}")
    return points


def select_indices(n: int, indices: Any) -> np.ndarray:
    """"all" or None -> 0..n-1; otherwise the given point indices, each checked to lie in 0..n-1."""
    if indices is None or (isinstance(indices, str) and indices == "all"):
        return np.arange(n)
    if isinstance(indices, (str, bytes, Mapping)) or not isinstance(indices, Iterable):
        raise ValueError(f"points must be \"all\" or a list of point indices, got {indices!r}")
    out = []
    for i in indices:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
            raise ValueError(f"point index {i!r} is out of range 0..{n - 1}")
        out.append(int(i))
    return np.array(out, dtype=np.int64)


def _check_model_inputs(model: MLP, feature_names: Sequence[str]) -> list[str]:
    names = list(feature_names)
    if len(names) != model.layer_sizes[0]:
        raise ValueError(f"the model has {model.layer_sizes[0]} inputs but {len(names)} features were given")
    if len(model.layer_sizes) < 3:
        raise ValueError("networkShape: activation needs at least one hidden layer")
    return names


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _summary(records: list[dict], csum: ChecksumParams, seconds: float, method: str) -> dict:
    """attempted, matched, flipped, |dx| statistics (over flipped points, and over every moved point)."""
    flipped = [r["delta"] for r in records if r["flipped"]]
    moved = [r["delta"] for r in records if r["delta"]]
    n = len(records)
    return {
        "method": method,
        "attempted": n,
        "matched": sum(1 for r in records if r["matched"]),
        "flipped": len(flipped),
        "flip_rate": len(flipped) / n if n else None,
        "median_abs_delta": _median(flipped),
        "max_abs_delta": max(flipped) if flipped else None,
        "median_abs_delta_moved": _median(moved),
        "max_abs_delta_moved": max(moved) if moved else None,
        "seconds": seconds,
        **csum.to_dict(),
    }


# --------------------------------------------------------------------------------------------------------------
# digit-edit activation

DIGIT_EDIT_KEYS = ("window", "refine")
DEFAULT_REFINE = 3


def _refine(model: MLP, names: list[str], P: np.ndarray, moved_feature: list[str | None], node: np.ndarray,
            target: np.ndarray, csum: ChecksumParams, steps: int) -> None:
    """Newton steps c -= (pre(c) - TI') / (d pre / d c) on each moved coordinate whose pre-activation misses the key.

    The back-solve holds the other features fixed; features that read the same coordinate (x and x^2, sin x and
    cir, ...) move too, so the first-layer pre-activation lands off target. Writes into P."""
    rows = np.array([i for i, f in enumerate(moved_feature) if f is not None], dtype=np.int64)
    if not rows.size or not steps:
        return
    axis = np.array([MOVED_COORDINATE[moved_feature[i]] for i in rows])
    with np.errstate(all="ignore"):
        for _ in range(steps):
            pre = model.forward(feature_matrix(P[rows], names)).pre[0][np.arange(rows.size), node[rows]]
            miss = csum.residue(pre) != csum.key
            if not miss.any():
                return
            rows, axis, pre = rows[miss], axis[miss], pre[miss]
            c = P[rows, axis]
            h = 1e-7 * np.maximum(1.0, np.abs(c))
            shifted = P[rows].copy()
            shifted[np.arange(rows.size), axis] = c + h
            slope = (model.forward(feature_matrix(shifted, names)).pre[0][np.arange(rows.size), node[rows]]
                     - pre) / h
            step = np.where(slope != 0, (pre - target[rows]) / slope, 0.0)
            new = c - step
            ok = np.isfinite(new) & (np.abs(new) <= BOX)
            P[rows[ok], axis[ok]] = new[ok]


def activate_digit_edit(model: MLP, points: Any, feature_names: Sequence[str],
                        params: Mapping[str, Any] | None = None, indices: Any = None) -> dict:
    """NN Calculator's activation on every chosen point: {"records": [...], "summary": {...}}.

    params: {"window": 45} (nodes with |key - residue| <= window are candidates, decimal variant only; a negative
    window means every node), {"refine": 3} (Newton steps on the moved coordinate for points the one-shot
    back-solve misses, e.g. when another feature reads the same coordinate; 0 = NN Calculator's single shot).
    Record fields: index, x0, y0, x1, y1, feature (moved), node (0-based in the first
    layer), pre0, pre1, csum0, csum1, out0, out1, matched (the node's residue now equals the key), flipped
    (sign(out1) != sign(out0)), delta (max(|x1 - x0|, |y1 - y0|)), reason (why a point was not moved, or None).
    """
    start = time.perf_counter()
    params = dict(params or {})
    unknown = [k for k in params if k not in DIGIT_EDIT_KEYS]
    if unknown:
        raise ValueError(f"{unknown[0]} is not a digit-edit parameter; expected {', '.join(DIGIT_EDIT_KEYS)}")
    window = _int_in("window", params.get("window", DEFAULT_WINDOW), -1, checksum.MAX_MODULO)
    refine = _int_in("refine", params.get("refine", DEFAULT_REFINE), 0, 20)
    names = _check_model_inputs(model, feature_names)
    P_all = _check_points(points)
    idx = select_indices(P_all.shape[0], indices)
    csum = model_checksum(model)
    P = P_all[idx]
    n = P.shape[0]

    cache = model.forward(feature_matrix(P, names))
    out0, pre0 = cache.output[:, 0], cache.pre[0]
    res0 = csum.residue(pre0)
    candidate = res0 >= 0
    if csum.variant == "decimal" and window >= 0:
        candidate &= np.abs(res0 - csum.key) <= window
    # NN Calculator's choice: the candidate with the largest sum of |outgoing weights|
    score = np.abs(model.weights[1]).sum(axis=1)
    masked = np.where(candidate, score[None, :], -np.inf)
    node = masked.argmax(axis=1) if n else np.zeros(0, dtype=np.int64)
    has_node = candidate.any(axis=1) if n else np.zeros(0, dtype=bool)
    rows = np.arange(n)
    target = np.full(n, np.nan)
    if has_node.any():
        chosen = pre0[rows[has_node], node[has_node]]
        target[has_node] = csum.checker().match(chosen, csum.modulo, csum.precision, csum.key)
    edited = np.isfinite(target)

    # back-solve: f_j' = (TI' - b - sum_{i != j} w_i f_i) / w_j for the first feature whose inverse exists
    F = feature_matrix(P, names)
    W0, b0 = model.weights[0], model.biases[0]
    new_P = P.copy()
    moved_feature: list[str | None] = [None] * n
    pending = edited.copy()
    for j, name in enumerate(names):
        if not pending.any():
            break
        w = W0[j, node]
        usable = pending & (np.abs(w) >= MIN_BACKSOLVE_WEIGHT)
        if not usable.any():
            continue
        r = rows[usable]
        nd = node[usable]
        others = (F[r] * W0[:, nd].T).sum(axis=1) - F[r, j] * W0[j, nd]
        z = (target[usable] - b0[nd] - others) / W0[j, nd]
        x1, y1, ok = _inverse(name, z, P[r, 0], P[r, 1])
        done = r[ok]
        new_P[done, 0], new_P[done, 1] = x1[ok], y1[ok]
        for i in done:
            moved_feature[i] = name
        pending[done] = False

    moved = np.array([f is not None for f in moved_feature], dtype=bool)
    _refine(model, names, new_P, moved_feature, node, target, csum, refine)
    cache1 = model.forward(feature_matrix(new_P, names))
    out1, pre1_all = cache1.output[:, 0], cache1.pre[0]
    pre1 = pre1_all[rows, node] if n else np.zeros(0)
    res1 = csum.residue(pre1)
    matched = moved & (res1 == csum.key)
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
        k = int(node[i]) if has_node[i] else None
        records.append({
            "index": int(idx[i]), "x0": float(P[i, 0]), "y0": float(P[i, 1]),
            "x1": float(new_P[i, 0]), "y1": float(new_P[i, 1]), "feature": moved_feature[i], "node": k,
            "pre0": _num(pre0[i, k]) if k is not None else None,
            "pre1": _num(pre1[i]) if k is not None else None,
            "csum0": int(res0[i, k]) if k is not None else None,
            "csum1": int(res1[i]) if k is not None else None,
            "out0": _num(out0[i]), "out1": _num(out1[i]),
            "matched": bool(matched[i]), "flipped": bool(flipped[i]), "delta": float(delta[i]), "reason": reason,
        })
    summary = _summary(records, csum, time.perf_counter() - start, "digit-edit")
    summary["window"] = window
    summary["refine"] = refine
    return {"records": records, "summary": summary}


# --------------------------------------------------------------------------------------------------------------
# search activation


@dataclass(frozen=True)
class SearchParams:
    """k first-layer nodes must fire at once; perturbations up to `radius` per coordinate; give up after max_trials."""

    k: int = 1
    radius: float = DEFAULT_RADIUS
    max_trials: int = DEFAULT_MAX_TRIALS

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None, n_nodes: int) -> "SearchParams":
        raw = dict(raw or {})
        unknown = [key for key in raw if key not in ("k", "radius", "max_trials")]
        if unknown:
            raise ValueError(f"{unknown[0]} is not a search parameter; expected k, radius, max_trials")
        return cls(_int_in("k", raw.get("k", 1), 1, n_nodes),
                   _float_in("radius", raw.get("radius", DEFAULT_RADIUS), 0.0, 1.0),
                   _int_in("max_trials", raw.get("max_trials", DEFAULT_MAX_TRIALS), 1, MAX_TRIALS_LIMIT))


class _TrialKernel:
    """Candidate evaluation for one point: residues of the target nodes' pre-activations at perturbed inputs."""

    def __init__(self, model: MLP, names: list[str], csum: ChecksumParams, point: np.ndarray,
                 targets: np.ndarray, radius: float) -> None:
        self.names, self.csum, self.point, self.radius = names, csum, point, radius
        self.w = model.weights[0][:, targets]  # (F, k)
        self.b = model.biases[0][targets]
        self.checker = csum.checker()

    def candidates(self, gen: np.random.Generator, size: int) -> np.ndarray:
        """`size` perturbed points, clipped to the data box."""
        delta = gen.uniform(-self.radius, self.radius, size=(size, 2))
        return np.clip(self.point[None, :] + delta, -BOX, BOX)

    def hits(self, cand: np.ndarray) -> np.ndarray:
        """Rows (in order) where every target's residue equals the key; the first target screens all rows."""
        F = feature_matrix(cand, self.names)
        c = self.csum
        rows = np.arange(cand.shape[0])
        for t in range(self.w.shape[1]):
            pre = F[rows] @ self.w[:, t] + self.b[t]
            rows = rows[np.asarray(self.checker.residue(pre, c.modulo, c.precision)) == c.key]
            if not rows.size:
                break
        return rows


def p_key_model(variant: str, modulo: int, precision: int, key: int) -> float:
    """P[residue == key] for one trial: 1/m (keyed); exact for parity (uniform pattern); decimal: the key's
    frequency among residues of the reference sample (uniform values in [-6, 6]). The key is read modulo m."""
    modulo = _int_in("modulo", modulo, 2, checksum.MAX_MODULO)
    key = _int_in("key", key, 0, checksum.MAX_MODULO) % modulo
    csum = ChecksumParams(variant=variant, key=key, modulo=modulo, precision=precision)
    if variant == "keyed":
        return 1.0 / modulo
    if variant == "parity":
        n = checksum.parity_blocks(modulo)
        return len(range(key, 1 << n, modulo)) / (1 << n)
    raws, counts = _reference_raw_sums(csum.precision)
    return float(counts[raws % modulo == key].sum() / counts.sum())


@functools.lru_cache(maxsize=32)
def _reference_raw_sums(precision: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct raw decimal checksums (before mod m) of 20,000 reference values, and their counts."""
    gen = rng_streams.stream("reference", "search", precision)
    values = gen.uniform(-BOX, BOX, 20_000)
    raw = np.asarray(checksum.csum(values, checksum.MAX_MODULO, precision))  # raw sums < 2**24: no reduction
    return np.unique(raw, return_counts=True)


def expected_search_trials(p_key: float, k: int = 1) -> float:
    """(1 / p_key)^k (inf when p_key is 0)."""
    return math.inf if p_key <= 0 else checksum.expected_trials(p_key, k)


class SearchRate(float):
    """What calibrate() measures for one variant: search trials per second (the float's value) and the costs around
    the trials, `point_s` per point (the forward passes that choose the targets, the decimal variant's 2048-sample
    pilot, the verification and the record) and `block_s` per candidate block. Anything taking a rate takes a plain
    float too, which prices the trials alone."""

    point_s: float
    block_s: float
    variant: str | None

    def __new__(cls, trials_per_s: float, point_s: float = 0.0, block_s: float = 0.0,
                variant: str | None = None) -> "SearchRate":
        rate = super().__new__(cls, _float_in("trials_per_s", trials_per_s, 0.0, math.inf))
        for name, value in (("point_s", point_s), ("block_s", block_s)):
            value = _float_in(name, value, -1.0, 3600.0)
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
            setattr(rate, name, value)
        rate.variant = variant
        return rate

    def __repr__(self) -> str:
        return (f"SearchRate({float(self)!r}, point_s={self.point_s!r}, block_s={self.block_s!r}, "
                f"variant={self.variant!r})")


def _block_sizes() -> tuple[np.ndarray, np.ndarray]:
    """The search's growing blocks before they reach _MAX_BLOCK (256, 512, ..., 4096) and the trials before each
    (one entry more: the trials before the first full-size block)."""
    sizes = []
    size = _FIRST_BLOCK
    while size < _MAX_BLOCK:
        sizes.append(size)
        size *= 2
    sizes = np.array(sizes, dtype=np.float64)
    return sizes, np.concatenate([[0.0], np.cumsum(sizes)])


def _search_seconds(rate: float, q: np.ndarray, median: bool) -> np.ndarray:
    """Seconds per point for per-trial success probabilities q (vectorised); see predict_search_seconds."""
    q = np.asarray(q, dtype=np.float64)
    trial_s = 1.0 / rate
    point_s, block_s = getattr(rate, "point_s", None), getattr(rate, "block_s", 0.0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if point_s is None:  # a plain rate: the trials alone
            return np.where(q > 0, 1.0 / np.where(q > 0, q, 1.0), np.inf) * trial_s
        sizes, cumulative = _block_sizes()
        before, head = cumulative[:-1], cumulative[-1]  # trials before each growing block, before the full-size ones
        big = block_s + _MAX_BLOCK * trial_s
        if median:
            # blocks run until they cover x = ceil(1 / q) trials
            x = np.ceil(1.0 / np.where(q > 0, q, np.nan))
            n_head = np.minimum((x[..., None] > cumulative[1:]).sum(axis=-1) + 1, sizes.size)  # if x <= head
            head_cost = n_head * block_s + cumulative[n_head] * trial_s
            tail_cost = sizes.size * block_s + head * trial_s + np.ceil((x - head) / _MAX_BLOCK) * big
            return np.where(q > 0, point_s + np.where(x <= head, head_cost, tail_cost), np.inf)
        # mean: block j runs while no trial before it hit, P = (1 - q)^(trials before block j); the full-size blocks
        # form a geometric series
        log_miss = np.log1p(-np.clip(q, 0.0, 1.0 - 2.0**-53))[..., None]
        head_cost = (np.exp(before * log_miss) * (block_s + sizes * trial_s)).sum(axis=-1)
        log_miss = log_miss[..., 0]
        tail_cost = np.exp(head * log_miss) / -np.expm1(_MAX_BLOCK * log_miss) * big
        return np.where(q > 0, point_s + head_cost + tail_cost, np.inf)


def predict_search_seconds(trials_per_s: float, p_key: float, k: int = 1, variant: str | None = None) -> float:
    """Seconds to activate one point: keyed and parity the mean, decimal the median.

    A plain trials_per_s prices the trials alone: (1 / p_key)^k / trials_per_s. A calibrated SearchRate adds what
    the search really pays: per point a fixed point_s, and whole blocks of 256, 512, ..., 8192 candidates (then
    8192 each) that each cost block_s + size / trials_per_s and run until one holds the first trigger. With
    q = p_key^k the chance that a trial fires all k targets, block j runs with probability (1 - q)^(trials before
    it), so
        mean = point_s + sum_j (1 - q)^(C_j) * (block_s + s_j / trials_per_s)        (C_j = s_1 + ... + s_(j-1))
    Keyed and parity trials are geometric (uniform residues), and this mean is what a run of points averages.
    Decimal trials are not: a perturbation of 1e-3 moves only the low ~10 of 14 digits, so each point's fixed
    leading digits set its own p (0 for some points, far above p_key for others). The mean over points is ruled by
    the few worst points (up to max_trials) and cannot be read from p_key; the median point is predictable: it
    needs about 1 / p_key trials (measured 0.9-1.5x that at key 150, m = 256, and 0.4-3.2x over keys 100-150 on
    two trained doughnuts), and the prediction is the cost of the blocks that cover them. `variant` defaults to the
    rate's. inf when p_key is 0.
    """
    rate = _float_in("trials_per_s", trials_per_s, 0.0, math.inf)
    trials = expected_search_trials(p_key, k)  # validates p_key and k
    if not hasattr(trials_per_s, "point_s"):
        return trials / rate
    variant = getattr(trials_per_s, "variant", None) if variant is None else variant
    q = 0.0 if math.isinf(trials) else 1.0 / trials
    return float(_search_seconds(trials_per_s, np.array(q), variant == "decimal"))


def search_cap(trials_per_s: float, budget_s: float = 1.0, k: int = 1, variant: str = "keyed",
               precision: int = checksum.DEFAULT_PRECISION, key: int = checksum.DEFAULT_KEY) -> int | None:
    """Largest modulo m <= 65536 whose predicted k-node search (predict_search_seconds) fits budget_s, or None.

    The key is read modulo m (as the config's csum_key). With a plain rate: keyed m = floor((rate * budget)^(1/k));
    parity and decimal: scanned with p_key_model. Decimal raw sums lie in [1336, 1481], so past them residues no
    longer wrap and a small key never fires: the decimal cap is where the key stops being reachable or affordable.
    """
    _float_in("trials_per_s", trials_per_s, 0.0, math.inf)
    budget = _float_in("budget_s", budget_s, 0.0, 1e6)
    k = _int_in("k", k, 1, 64)
    key = _int_in("key", key, 0, UI_MAX_MODULO - 1)
    m = np.arange(2, UI_MAX_MODULO + 1, dtype=np.int64)
    keys = key % m
    if variant == "keyed":
        p = 1.0 / m
    elif variant == "parity":
        n = np.ceil(np.log2(m)).astype(np.int64)
        size = np.left_shift(1, n)
        p = -((keys - size) // m) / size  # len(range(key, 2^n, m)) / 2^n
    elif variant == "decimal":
        raws, counts = _reference_raw_sums(_int_in("precision", precision, 1, 17))
        tail = int(raws.max()) + 1
        head = m[m <= tail]
        hit = (raws[None, :] % head[:, None]) == keys[: head.size, None]
        p = np.full(m.shape, float(counts[raws == key].sum()) / counts.sum())
        p[: head.size] = (hit * counts[None, :]).sum(axis=1) / counts.sum()
    else:
        raise ValueError(f"variant {variant!r} is not one of {', '.join(checksum.VARIANTS)}")
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        if hasattr(trials_per_s, "point_s"):
            fits = _search_seconds(trials_per_s, p**k, variant == "decimal") <= budget
        else:
            fits = np.where(p > 0, (1.0 / np.where(p > 0, p, 1.0)) ** k, np.inf) <= float(trials_per_s) * budget
    return int(m[fits].max()) if fits.any() else None


def search_k_cap(trials_per_s: float, budget_s: float, p_key: float, n_nodes: int) -> int:
    """Largest k <= n_nodes whose predicted search (predict_search_seconds) fits budget_s (0 if not even k = 1)."""
    best = 0
    for k in range(1, _int_in("n_nodes", n_nodes, 1, 1024) + 1):
        if predict_search_seconds(trials_per_s, p_key, k) <= budget_s:
            best = k
    return best


_CALIBRATION_POINTS = np.array([[0.7310585786300049, -1.2345678901234567], [-2.718281828459045, 0.5772156649015329],
                                [1.4142135623730951, 3.141592653589793], [-0.6931471805599453, -1.618033988749895]])


def calibrate(budget_ms: float = 300.0, feature_names: Sequence[str] = ("x", "y"),
              variants: Sequence[str] = tuple(checksum.VARIANTS)) -> dict[str, SearchRate]:
    """{variant: SearchRate} for this device, measured with the search's own code in about budget_ms in all.

    A [features -> 4 -> 1] ReLU model stands in for the real one. Per variant, two thirds of its share time the
    search's trial kernel on blocks of 256 and 8192 candidates at m = 256 (one target: every candidate's residue is
    computed, as in a search; parity's cost grows with log2 m, the others' does not): the line through the fastest
    time of each size gives trials_per_s (its slope) and block_s. The last third runs a real SearchRun on the model
    planted with m = 2, where the first block triggers: its median time per point less one such block is point_s. See
    predict_search_seconds for how they combine.
    """
    budget = _float_in("budget_ms", budget_ms, 0.0, 60_000.0) / 1000.0
    names = list(feature_names)
    model = MLP(len(names), [4], ["relu"], "tanh", rng_streams.stream("calibrate", "search"))
    point = _CALIBRATION_POINTS[0]
    out: dict[str, SearchRate] = {}
    for variant in variants:
        share = budget / len(variants)
        # (with k = 1 every candidate's residue is computed whatever the key; parity costs grow with log2 m)
        csum = ChecksumParams(variant=variant, key=0, modulo=checksum.DEFAULT_MODULO)
        kernel = _TrialKernel(model, names, csum, point, np.array([0]), DEFAULT_RADIUS)
        gen = rng_streams.stream("calibrate", "search", len(out))
        fastest = {_FIRST_BLOCK: math.inf, _MAX_BLOCK: math.inf}
        start = time.perf_counter()
        for size in fastest:  # untimed: lazy tables, first calls (and, in wasm, code not yet optimised)
            kernel.hits(kernel.candidates(gen, size))
        for rounds in itertools.count(1):
            for size in fastest:
                t0 = time.perf_counter()
                kernel.hits(kernel.candidates(gen, size))
                fastest[size] = min(fastest[size], time.perf_counter() - t0)
            if rounds >= 2 and time.perf_counter() - start > share * 2 / 3 - 1.1 * sum(fastest.values()):
                break
        small, large = fastest[_FIRST_BLOCK], fastest[_MAX_BLOCK]
        trial_s = max(large - small, 0.25 * large) / (_MAX_BLOCK - _FIRST_BLOCK)  # noise never makes it <= 0
        block_s = max(small - _FIRST_BLOCK * trial_s, 0.0)
        point_s = _point_seconds(model, names, variant, start + share - time.perf_counter())
        out[variant] = SearchRate(1.0 / trial_s, point_s, block_s, variant)
    return out


def _point_seconds(model: MLP, names: list[str], variant: str, budget: float) -> float:
    """Fixed seconds per searched point: a SearchRun on `model` planted with m = 2 (a trigger within the first block
    of 256), the median time of its points after one warm-up point, less the fastest time of such a block; points
    until budget seconds are spent (warm-up included), at least one."""
    start = time.perf_counter()
    planted = plant(model, {"variant": variant, "modulo": 2, "key": 0})
    params = {"k": 1, "max_trials": _FIRST_BLOCK}
    SearchRun(planted, _CALIBRATION_POINTS[:1], names, params, seed="calibrate").run()  # caches, lazy tables
    kernel = _TrialKernel(planted, names, model_checksum(planted), _CALIBRATION_POINTS[0], np.array([0]),
                          DEFAULT_RADIUS)
    gen = rng_streams.stream("calibrate", "search", 99)
    block = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        kernel.hits(kernel.candidates(gen, _FIRST_BLOCK))
        block = min(block, time.perf_counter() - t0)
    run = SearchRun(planted, np.tile(_CALIBRATION_POINTS, (16, 1)), names, params, seed="calibrate")
    times: list[float] = []
    while not run.finished and (not times or time.perf_counter() - start + times[-1] < budget):
        t0 = time.perf_counter()
        run.step(1e-6)  # one block, which here is one whole point
        times.append(time.perf_counter() - t0)
    return max(statistics.median(times) - block, 0.0)


class SearchRun:
    """The key holder's search over chosen points, resumable: call step(budget_ms) until `finished`.

    For each point: targets = the k first-layer nodes with the largest |f(pre_j)| * sum |w_out,j| (the nodes
    whose sign flip moves the next layer most); candidates x + U(-radius, radius)^2 in blocks of 256, 512, ...
    from rng.stream(seed, "search", point index), so results do not depend on how the work is chunked; the first
    candidate whose forward pass shows every target firing ends the point. Records as in digit-edit, with lists
    for the target nodes, `trials`, and `p_key` / `expected_trials`: exact for keyed and parity; for decimal
    estimated per point from 2048 pilot samples of the first target (0 when none hit: only the low digits move,
    so a point whose high digits sit far from the key may be out of reach).
    """

    def __init__(self, model: MLP, points: Any, feature_names: Sequence[str],
                 params: Mapping[str, Any] | None = None, indices: Any = None, seed: str = "0") -> None:
        self.model = model
        self.names = _check_model_inputs(model, feature_names)
        if 0 not in planted_layers(model):
            raise ValueError("search needs a planted first hidden layer: plant the backdoor first")
        self.params = SearchParams.from_dict(params, model.layer_sizes[1])
        self.csum = model_checksum(model)
        P = _check_points(points)
        self.indices = select_indices(P.shape[0], indices)
        self.points = P[self.indices]
        self.seed = str(seed)
        self.p_key = (p_key_model(self.csum.variant, self.csum.modulo, self.csum.precision, self.csum.key)
                      if self.csum.variant != "decimal" else None)
        self.records: list[dict] = []
        self.trials = 0
        self.seconds = 0.0
        self.cancelled = False
        self._point: dict[str, Any] | None = None

    @property
    def finished(self) -> bool:
        return self.cancelled or len(self.records) == len(self.indices)

    def cancel(self) -> dict:
        """Stop; the points finished so far keep their records."""
        self.cancelled = True
        self._point = None
        return self.progress()

    def _begin(self, i: int) -> dict[str, Any]:
        model, P = self.model, self.points[i:i + 1]
        cache = model.forward(feature_matrix(P, self.names))
        post0 = cache.post[0][0]
        contribution = np.abs(post0) * np.abs(model.weights[1]).sum(axis=1)
        targets = np.argsort(-contribution, kind="stable")[: self.params.k]
        index = int(self.indices[i])
        kernel = _TrialKernel(model, self.names, self.csum, self.points[i], targets, self.params.radius)
        p_key = self.p_key
        if p_key is None:  # decimal: P[key] depends on the point's fixed high digits; sample the first target
            pilot = _TrialKernel(model, self.names, self.csum, self.points[i], targets[:1], self.params.radius)
            gen = rng_streams.stream(self.seed, "search", index, 1)
            p_key = pilot.hits(pilot.candidates(gen, _PILOT_SAMPLES)).size / _PILOT_SAMPLES
        return {"i": i, "targets": targets, "pre0": cache.pre[0][0], "out0": float(cache.output[0, 0]),
                "trials": 0, "block": _FIRST_BLOCK, "kernel": kernel, "p_key": p_key,
                "gen": rng_streams.stream(self.seed, "search", index)}

    def _verify(self, cand: np.ndarray, rows: np.ndarray, targets: np.ndarray) -> tuple[int, Any] | None:
        """(row, forward cache) of the first row whose real forward pass fires every target (the kernel's sums may
        differ from the model's by an ulp), or None."""
        for r in rows:
            cache = self.model.forward(feature_matrix(cand[r:r + 1], self.names))
            if (self.csum.residue(cache.pre[0][0][targets]) == self.csum.key).all():
                return int(r), cache
        return None

    def _finish(self, state: dict[str, Any], found: np.ndarray | None, cache: Any = None) -> None:
        i, targets = state["i"], state["targets"]
        P0 = self.points[i]
        P1 = P0 if found is None else found
        if cache is None:
            cache = self.model.forward(feature_matrix(P1[None, :], self.names))
        out0, out1 = state["out0"], float(cache.output[0, 0])
        pre0, pre1 = state["pre0"][targets], cache.pre[0][0][targets]
        res0, res1 = self.csum.residue(pre0), self.csum.residue(pre1)
        matched = found is not None
        self.records.append({
            "index": int(self.indices[i]), "x0": float(P0[0]), "y0": float(P0[1]),
            "x1": float(P1[0]), "y1": float(P1[1]), "nodes": [int(t) for t in targets],
            "pre0": [_num(v) for v in pre0], "pre1": [_num(v) for v in pre1],
            "csum0": [int(v) for v in res0], "csum1": [int(v) for v in res1],
            "out0": _num(out0), "out1": _num(out1), "matched": matched,
            "flipped": bool(matched and math.isfinite(out1) and (out0 >= 0) != (out1 >= 0)),
            "delta": float(np.abs(P1 - P0).max()), "trials": state["trials"], "p_key": state["p_key"],
            "expected_trials": _num(expected_search_trials(state["p_key"], self.params.k)),
            "reason": None if matched else f"no trigger in {state['trials']} trials",
        })

    def step(self, budget_ms: float = 50.0) -> dict:
        """Work for about budget_ms (at least one block), then report progress."""
        budget = _float_in("budget_ms", budget_ms, 0.0, 3_600_000.0) / 1000.0
        start = time.perf_counter()
        first = len(self.records)
        while not self.finished:
            if self._point is None:
                self._point = self._begin(len(self.records))
            state = self._point
            size = min(state["block"], self.params.max_trials - state["trials"])
            cand = state["kernel"].candidates(state["gen"], size)
            rows = state["kernel"].hits(cand)
            hit = self._verify(cand, rows, state["targets"]) if rows.size else None
            used = size if hit is None else hit[0] + 1
            state["trials"] += used
            self.trials += used
            state["block"] = min(2 * state["block"], _MAX_BLOCK)
            if hit is not None:
                self._finish(state, cand[hit[0]], hit[1])
                self._point = None
            elif state["trials"] >= self.params.max_trials:
                self._finish(state, None)
                self._point = None
            if time.perf_counter() - start >= budget:
                break
        self.seconds += time.perf_counter() - start
        return self.progress(self.records[first:])

    def progress(self, new_records: list[dict] | None = None) -> dict:
        """{done, total, trials, point_trials, matched, flipped, finished, cancelled, seconds, expected_trials
        (for the point in progress), new_records}."""
        point = self._point
        p_key = self.p_key if point is None else point["p_key"]
        expected = expected_search_trials(p_key, self.params.k) if p_key is not None else None
        return {
            "done": len(self.records), "total": int(len(self.indices)), "trials": self.trials,
            "point_trials": point["trials"] if point else 0,
            "matched": sum(r["matched"] for r in self.records),
            "flipped": sum(r["flipped"] for r in self.records),
            "finished": self.finished, "cancelled": self.cancelled, "seconds": self.seconds,
            "expected_trials": _num(expected) if expected is not None else None,
            "new_records": list(new_records or []),
        }

    def run(self) -> dict:
        """Run to the end (the command line's way): {"records", "summary"}."""
        while not self.finished:
            self.step(3_600_000.0)
        return self.result()

    def result(self) -> dict:
        """{"records": [...], "summary": {...}} of the points finished so far."""
        summary = _summary(self.records, self.csum, self.seconds, "search")
        n = len(self.records)
        matched = [r["trials"] for r in self.records if r["matched"]]
        expected = [expected_search_trials(r["p_key"], self.params.k) for r in self.records]
        summary.update({
            "k": self.params.k, "radius": self.params.radius, "max_trials": self.params.max_trials,
            "trials": self.trials, "mean_trials": self.trials / n if n else None,
            "median_trials_matched": _median(matched),
            "p_key": self.p_key if self.p_key is not None else _median([r["p_key"] for r in self.records]),
            "expected_trials": _num(statistics.fmean(expected)) if expected else None,
            "cancelled": self.cancelled,
        })
        return {"records": list(self.records), "summary": summary}
