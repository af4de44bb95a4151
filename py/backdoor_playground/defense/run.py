"""Defenses on an `Attacked` test set (proximity vote, randomized smoothing) and the one flat metrics table.

A defense is judged at two places per test point: at the input the model is shown (activated points moved) and at
the untouched test point (its "clean twin"). The twins let the clean-side numbers (false positives, clean accuracy
after the defense) exist even when every test point was activated.
"""

from __future__ import annotations

import math
from typing import Any, Generator, Mapping

import numpy as np

from . import attacked, cleanse, proximity, smoothing, stats
from ..limits import Limit, not_one_of, unknown_key

# every defense's config object with its defaults, by `type` (its runner: defense/registry.py); the matrix's columns
# use the same names. STEPPED: the ones defense_steps runs (the page's defense panel draws them).
DEFAULTS = {
    "proximity": {"type": "proximity", "radius": "auto", "vote": "radius", "k": 5, "ties": "negative"},
    "smoothing": {"type": "smoothing", "sigma": 0.1, "n0": 100, "n": 1000, "alpha": 0.001},
    "quantisation": {"type": "quantisation", "step": 0.05, "reach": 2},
    "fine-tuning": {"type": "fine-tuning", "epochs": 100, "share": 0.5},
    "fine-pruning": {"type": "fine-pruning", "epochs": 100, "share": 0.5, "fraction": 0.5},
    "spectral": {"type": "spectral"},
    "clustering": {"type": "clustering"},
    "cleanse": {"type": "cleanse", **{key: limit.default for key, limit in cleanse.LIMITS.items()}},
}
DEFENSE_TYPES = tuple(DEFAULTS)
STEPPED = ("proximity", "smoothing")
CHOICES = {"vote": ("radius", "knn"), "ties": ("negative", "keep")}  # the keys that take a word
# the bounded numbers of check_defense (limits.py: one rule each, also sent to the page's fields)
LIMITS = {
    "radius": Limit(0.0, 1e6, None, "proximity radius (a number, or \"auto\" / \"r_sep\")", integer=False,
                    low_open=True),
    "k": Limit(1, 999, 5, "k nearest training points (capped at the training size)"),
    "sigma": Limit(0.0, 6.0, 0.1, "smoothing noise level", integer=False, low_open=True),
    "n0": Limit(1, 10_000, 100, "noise samples that pick the class"),
    "n": Limit(1, 100_000, 1000, "noise samples that bound its probability"),
    "alpha": Limit(0.0, 0.5, 0.001, "failure probability of a certificate", integer=False, low_open=True,
                   high_open=True),
    "step": Limit(0.0, 12.0, 0.05, "quantisation step q (inputs are rounded to multiples of q)", integer=False,
                  low_open=True),
    "reach": Limit(0, 10, 2, "lattice steps the adaptive attacker searches around Q(x)"),
    "epochs": Limit(1, 10_000, 100, "fine-tuning epochs on clean data"),
    "share": Limit(0.0, 1.0, 0.5, "share of the training set the defender has as clean data", integer=False,
                   low_open=True),
    "fraction": Limit(0.0, 1.0, 0.5, "share of the last hidden layer's neurons pruned", integer=False,
                      high_open=True),
    **cleanse.LIMITS,  # Neural Cleanse's own (defense/cleanse.py)
}
IMMUNIZATION_SIGMAS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
IMMUNIZATION_N = 200  # samples per point for the sigma sweep (speed; the defense itself uses the configured n)
RADIUS_GRID = tuple(np.linspace(0.1, 3.0 * math.sqrt(2.0), 30).tolist())
K_GRID = tuple(range(1, 16, 2))
CERT_POINTS = 21  # radii on the certified-accuracy curve
BULKY = ("labels", "labels_clean", "model_labels", "curves")  # left out of the experiment result (kept for drawing)


# ----------------------------------------------------------------------------------------------------------------
# configuration


def _choice(key: str, v: Any, choices: tuple) -> Any:
    if not isinstance(v, str) or v not in choices:
        raise not_one_of(f"defense.{key}", v, choices)
    return v


def check_defense(raw: Any, kinds: tuple[str, ...] = DEFENSE_TYPES) -> dict:
    """The defense object with every key checked and defaults filled in; ValueError names "defense.<key>". `kinds`:
    the types allowed here (all by default)."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"defense must be an object, got {type(raw).__name__}")
    kind = _choice("type", raw.get("type", "proximity"), kinds)
    defaults = DEFAULTS[kind]
    for key in raw:
        if key not in defaults:
            raise unknown_key(f"defense.{key}", f"a {kind} setting", defaults)
    p = {**defaults, **raw}
    for key in p:
        if key == "radius":
            if not (isinstance(p["radius"], str) and p["radius"] in ("auto", "r_sep")):
                if isinstance(p["radius"], str):
                    raise ValueError(f"defense.radius must be \"auto\", \"r_sep\" or a number > 0, "
                                     f"got {p['radius']!r}")
                p["radius"] = LIMITS["radius"].check("defense.radius", p["radius"])
        elif key in CHOICES:
            _choice(key, p[key], CHOICES[key])
        elif key in LIMITS:
            p[key] = LIMITS[key].check(f"defense.{key}", p[key])
    return p


# ----------------------------------------------------------------------------------------------------------------
# outcome counts


def json_safe(v: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays become floats / ints / lists, NaN and infinities None."""
    if isinstance(v, dict):
        return {str(k): json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [json_safe(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None
    return v


def outcome(att, labels, labels_clean, bd_clean) -> dict:
    """Counts for defended labels at the inputs (`labels`) and at the untouched points (`labels_clean`)."""
    labels, labels_clean = np.asarray(labels), np.asarray(labels_clean)
    act, flip = att.activated, att.flipped
    n_act = int(act.sum())
    return {
        "flipped": int(flip.sum()),
        "restored": int((labels[flip] == att.clean_pred[flip]).sum()),
        "activated": n_act,
        # every test point at its untouched position: the labels a defense changes where no attack happened
        "clean_n": len(labels_clean),
        "clean_changed": int((labels_clean != bd_clean).sum()),
        "twin_changed": int((labels_clean != bd_clean).sum()),
        "untouched_n": int((~act).sum()),
        "untouched_changed": int((labels[~act] != att.bd_pred[~act]).sum()),
        "unflipped_changed": int((labels[~flip] != att.bd_pred[~flip]).sum()),
        "differs_from_clean": int((labels != att.clean_pred).sum()),
        "accuracy_after": float(np.mean(labels == att.test_labels)) if len(labels) else None,
        "clean_accuracy_after": float(np.mean(labels_clean == att.test_labels)) if len(labels) else None,
        "asr_after": float(np.mean(labels[act] == att.target[act])) if n_act else None,
        "abstained": int((labels == att.abstain).sum()),
        "abstained_clean": int((labels_clean == att.abstain).sum()),
    }


def _columns(rows: list[dict], keys: tuple) -> dict:
    return {k: [r[k] for r in rows] for k in keys}


CURVE_KEYS = ("accuracy_after", "asr_after", "restored", "clean_changed", "twin_changed", "unflipped_changed")


# ----------------------------------------------------------------------------------------------------------------
# the defenses


def _queries(att) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, owners, index): the m inputs, then the untouched twins of the activated points (owner -1)."""
    act = np.flatnonzero(att.activated)
    m = len(att.test_points)
    return (np.concatenate([att.inputs, att.test_points[act]]),
            np.concatenate([np.arange(m), np.full(len(act), -1)]), act)


def _split(att, values: np.ndarray, act: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values over _queries -> (at the inputs, at the untouched points)."""
    m = len(att.test_points)
    clean = values[:m].copy()
    clean[act] = values[m:]
    return values[:m], clean


def _proximity(att, p: dict, bd_clean: np.ndarray) -> dict:
    hist = proximity.distance_histograms(att.train_points, att.train_labels)
    auto = proximity.nist_radius(hist)
    r_sep = proximity.separation_radius(att.train_points, att.train_labels)
    note = auto.get("note")
    if p["radius"] == "auto":
        radius = auto["radius"]
    elif p["radius"] == "r_sep":
        radius = r_sep if r_sep is not None else proximity.DEFAULT_RADIUS
        if r_sep is None:
            note = "r_sep needs training points of both labels: NN Calculator's default radius 2*sqrt(2)"
    else:
        radius = p["radius"]
    if p["radius"] == "r_sep" and r_sep == 0.0:
        note = "training points of opposite labels coincide: r_sep = 0 (only coincident points vote)"
    points, _, act = _queries(att)
    fallback = np.concatenate([att.bd_pred, bd_clean[act]])  # no neighbour: the model's own label stays
    radii = sorted({radius, auto["radius"], *([r_sep] if r_sep is not None else []), *RADIUS_GRID})
    multi = att.k > 2
    if multi:  # K > 2: votes over the K labels (proximity.py)
        per_class = proximity.class_counts(att.train_points, att.train_labels, points, radii, att.k)
        by_radius = [_split(att, proximity.vote_from_class_counts(per_class[i], fallback, p["ties"]), act)
                     for i in range(len(radii))]
    else:
        n_pos, n_neg = proximity.neighbour_counts(att.train_points, att.train_labels, points, radii)
        by_radius = [_split(att, proximity.vote_from_counts(n_pos[i], n_neg[i], fallback, p["ties"]), act)
                     for i in range(len(radii))]
    n_train = len(att.train_points)
    k = max(1, min(p["k"], n_train))
    if k < p["k"]:
        capped = f"k = {p['k']} is more than the {n_train} training points: every training point votes (k = {k})"
        note = f"{note}; {capped}" if note else capped
    k_grid = k_curve(k, n_train)
    if multi:
        nearest = proximity.nearest_classes(att.train_points, att.train_labels, points, max(k_grid))
        by_k = {kk: _split(att, proximity.knn_from_nearest_classes(nearest, kk, att.k, fallback), act)
                for kk in k_grid}
    else:
        nearest = proximity.nearest_labels(att.train_points, att.train_labels, points, max(k_grid))
        by_k = {kk: _split(att, proximity.knn_from_nearest(nearest, kk, fallback), act) for kk in k_grid}
    if p["vote"] == "radius":
        i = radii.index(radius)
        labels, labels_clean = by_radius[i]
        counts = ({"classes": per_class[i][:len(att.inputs)]} if multi
                  else {"pos": n_pos[i][:len(att.inputs)], "neg": n_neg[i][:len(att.inputs)]})
    else:
        labels, labels_clean = by_k[k]
        counts = {}
    if multi:
        chose = (f"K = {att.k}: the pair histograms split same-class from different-class pairs, the radius rule "
                 "maximises h_same^2 / h_diff, the votes are majorities over the K labels")
        note = f"{note}; {chose}" if note else chose
    rows_r = [outcome(att, *lab, bd_clean) for lab in by_radius]
    rows_k = [outcome(att, *by_k[kk], bd_clean) for kk in k_grid]
    return {
        "labels": labels, "labels_clean": labels_clean,
        "radius": radius if p["vote"] == "radius" else None, "k": k if p["vote"] == "knn" else None,
        "radius_auto": auto["radius"], "radius_sep": r_sep, **({"note": note} if note else {}),
        "curves": {"histograms": hist, "objective": auto["objective"], "best_bin": auto["bin"],
                   "radius_curve": {"radius": radii, **_columns(rows_r, CURVE_KEYS)},
                   "knn_curve": {"k": k_grid, **_columns(rows_k, CURVE_KEYS)},
                   "neighbours": counts},
    }


def k_curve(k: int, n_train: int) -> list[int]:
    """The k values of the "by k" curve: K_GRID, the chosen k, and past K_GRID ten log-spaced steps up to it; at most
    the training size."""
    grid = {*K_GRID, k}
    if k > K_GRID[-1]:
        grid |= set(np.unique(np.round(np.geomspace(K_GRID[-1], k, 10))).astype(int).tolist())
    return sorted(kk for kk in grid if kk <= max(1, n_train))


def _median(v: np.ndarray) -> float | None:
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else None


def _smoothing(att, p: dict, rng: np.random.Generator, curves: bool) -> Generator[int, None, dict]:
    sigma, n, alpha = p["sigma"], p["n"], p["alpha"]
    adaptive_rng = rng.spawn(1)[0]  # its own draws: the certificates and the curves stay what they were without it
    points, owners, act = _queries(att)
    lab, rad = yield from smoothing.certify_steps(att, points, owners, sigma, p["n0"], n, alpha, rng)
    (labels, labels_clean), (radii, radii_clean) = _split(att, lab, act), _split(att, rad, act)
    r_max = smoothing.max_certifiable_radius(sigma, n, alpha)
    delta = np.linalg.norm(att.inputs - att.test_points, axis=1)[att.activated]
    gamma = float(np.median(delta)) if len(delta) else None  # l2: the norm the Lipschitz bound is stated in
    lip = {"gamma": gamma, "sigma": sigma, "norm": "l2",
           "bound": smoothing.lipschitz_bound(gamma, sigma) if gamma is not None else None}
    # the adaptive (sigma-aware) attacker at this sigma: the smallest move rho = c sigma that g sends to the target,
    # on a seeded sample of the activated points (smoothing.py)
    chosen = act if len(act) <= smoothing.MAX_ADAPTIVE_POINTS else np.sort(
        adaptive_rng.choice(act, smoothing.MAX_ADAPTIVE_POINTS, replace=False))
    rho = yield from smoothing.adaptive_steps(att, chosen, sigma, n, alpha, adaptive_rng,
                                              labels[chosen] == att.target[chosen])
    out = {"labels": labels, "labels_clean": labels_clean, "radius": _median(radii), "radius_max": r_max,
           "sigma": sigma, "n0": p["n0"], "n": n, "alpha": alpha, "lipschitz": lip["bound"],
           "adaptive": stats.rate(int((~np.isnan(rho)).sum()), len(chosen))}
    if not curves:  # the sigma sweep below costs several certificates; it draws after them, so skipping it
        return out  # leaves every number above unchanged
    r_grid = np.linspace(0.0, r_max, CERT_POINTS).tolist() if r_max else [0.0]
    on = att.activated
    immunization = yield from smoothing.immunization_curve_steps(att, IMMUNIZATION_SIGMAS, min(n, IMMUNIZATION_N),
                                                                 alpha, rng, adaptive=True)
    out["curves"] = {
        "certified": {"r": r_grid,
                      "clean": smoothing.certified_accuracy_curve(labels_clean, att.test_labels, radii_clean, r_grid),
                      "activated": smoothing.certified_accuracy_curve(labels[on], att.test_labels[on], radii[on],
                                                                      r_grid)},
        "radii": radii, "radii_clean": radii_clean, "lipschitz": lip,
        "immunization": immunization,
    }
    return out


def planned_rows(att, params: Mapping, curves: bool = True) -> int:
    """The noisy forward-pass rows defense_steps will yield, but for the adaptive attacker's (a few per cent, not
    known in advance): CERTIFY's (n0 + n) per query, the sigma sweep's; 1 for proximity (one step)."""
    p = check_defense(params)
    if p["type"] != "smoothing":
        return 1
    queries = len(att.test_points) + int(att.activated.sum())
    sweep = len(IMMUNIZATION_SIGMAS) * queries * min(p["n"], IMMUNIZATION_N) if curves else 0
    return queries * (p["n0"] + p["n"]) + sweep


def defense_steps(att, params: Mapping, rng: np.random.Generator,
                  curves: bool = True) -> Generator[int, None, dict]:
    """run_defense as steps: yields the noisy rows evaluated since the last step (smoothing: one forward pass each;
    proximity runs in one go), returns run_defense's result. defense/job.py steps it within a time budget."""
    p = check_defense(params, STEPPED)
    bd_clean = att.untouched_pred
    if p["type"] == "proximity":
        out = _proximity(att, p, bd_clean)
    else:
        out = yield from _smoothing(att, p, rng, curves)
    return json_safe({"type": p["type"], "params": p, **outcome(att, out["labels"], out["labels_clean"], bd_clean),
                      **out, "model_labels": att.bd_pred})


def run_defense(att, params: Mapping, rng: np.random.Generator, curves: bool = True) -> dict:
    """Defended labels at every input and untouched test point, their outcome counts, and the curves."""
    # curves=False skips smoothing's sigma sweep (the experiment stage drops the curves anyway)
    return smoothing.drain(defense_steps(att, params, rng, curves))


# ----------------------------------------------------------------------------------------------------------------
# metrics


def metrics(att, defended: Mapping | None = None) -> dict:
    """One flat table; every rate is stats.rate(k, n) = {"value", "lo", "hi", "k", "n"} (95 % Wilson)."""
    m = len(att.test_points)
    act, flip = att.activated, att.flipped
    n_act, n_flip = int(act.sum()), int(flip.sum())
    bd_clean = att.untouched_pred
    truth = att.test_labels
    seconds = (att.activation or {}).get("seconds")
    out = {
        "clean_accuracy": stats.rate((att.clean_pred == truth).sum(), m),
        "backdoored_accuracy": stats.rate((bd_clean == truth).sum(), m),
        "agreement": stats.rate((bd_clean == att.clean_pred).sum(), m),
        "accidental_trigger_rate": (stats.rate(att.accidental.sum(), len(att.accidental))
                                    if att.accidental is not None else None),
        "attack_success_rate": stats.rate((att.bd_pred[act] == att.target[act]).sum(), n_act),
        # median_abs_delta, max_abs_delta, activation_seconds_per_point: as the activation's summary has them
        **attacked.activation_figures(att.perturbation[act], seconds),
    }
    if defended is not None:
        if "labels" not in defended or "labels_clean" not in defended:
            raise ValueError("metrics needs run_defense's full result (with labels and labels_clean)")
        none = att.abstain
        lab = np.array([none if v is None else v for v in defended["labels"]], dtype=np.float64)
        lab_clean = np.array([none if v is None else v for v in defended["labels_clean"]], dtype=np.float64)
        clean_after = stats.rate((lab_clean == truth).sum(), m)
        asr_after = stats.rate((lab[act] == att.target[act]).sum(), n_act)
        out.update({
            "accuracy_after": stats.rate((lab == truth).sum(), m),
            "clean_accuracy_after": clean_after,
            "attack_success_rate_after": asr_after,
            "robust_accuracy_after": stats.rate((lab[act] == truth[act]).sum(), n_act),
            # D changed or flagged the output on an untouched test point
            "false_positive_rate": stats.rate((lab_clean != bd_clean).sum(), m),
            "true_positive_rate": stats.rate(((lab[flip] == att.clean_pred[flip]) | (lab[flip] == none)).sum(), n_flip),
            "der": stats.der(out["attack_success_rate"]["value"], asr_after["value"],
                             out["backdoored_accuracy"]["value"], clean_after["value"]),
            "abstention_rate": stats.rate((lab == none).sum(), m),
        })
    return json_safe(out)
