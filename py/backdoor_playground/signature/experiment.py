"""Backdoor 2 in the experiment pipeline: plant (install the verifier) -> activate (sign) -> forge (no key).

    {"type": "csum-signature", "modulo", "precision"}  NN Calculator's simulation: key = most frequent csum(X1)
    {"type": "signature", "scheme": "toy-rsa" | "lamport" | "rsa" | "ed25519", "bits": 32 (toy-rsa only),
     "target": "flip" | 1 | -1, "points": "all" | [test indices],
     "forgery": {"method": "factor" (toy-rsa) | "brute-force" | "replay" | "lamport-reuse" | "malleate",
                 "max_trials": 100000, "budget_s": 10, "index", "source", "candidates"}}

The selector equals the classifier on every unsigned input, so backdoored.agreement is exactly 1.0 unless a
signature is forged. Experiments forge with a capped attempt (max_trials, budget_s) even when the calibrated
estimate says it cannot succeed: the result then reports an honest failure. A brute force cut short by budget_s
(rather than max_trials) makes `attempts` depend on the machine.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from .. import checksum as backdoor
from ..checksum import csumsig
from ..worker import signature as api
from .block import APPLIES, FORGE_METHODS, check_scheme_bits, check_target

SIGNATURE_TYPES = ("csum-signature", "signature")
KEYS = {"csum-signature": ("type", "modulo", "precision"),
        "signature": ("type", "scheme", "bits", "target", "points", "forgery")}
FORGERY_KEYS = ("method", "max_trials", "budget_s", "index", "source", "candidates", "target")
BULKY = ("residues", "labels_after")  # per-point arrays the result does not need (flipped_indices stays)


def check_signature_backdoor(raw: Any, config: dict) -> dict:
    """The backdoor object checked, defaults filled in; ValueError messages start with "backdoor.<key>"."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"backdoor must be an object, got {type(raw).__name__}")
    kind = raw.get("type")
    if kind not in SIGNATURE_TYPES:
        raise ValueError(f"backdoor.type {kind!r} is not one of {', '.join(SIGNATURE_TYPES)}")
    for key in raw:
        if key not in KEYS[kind]:
            raise ValueError(f"backdoor.{key} is not a {kind} setting; expected one of {', '.join(KEYS[kind])}")
    if config["problem"] == "regression":
        raise ValueError(f"backdoor.type {kind} needs a classification problem (labels +1 / -1)")
    try:
        if kind == "csum-signature":
            return {"type": kind,
                    "modulo": backdoor.check("modulo", raw.get("modulo", config["csum_modulo"])),
                    "precision": backdoor.check("precision", raw.get("precision", config["csum_precision"]))}
        scheme, bits = check_scheme_bits(raw.get("scheme", "toy-rsa"), raw.get("bits"))
        target = check_target(raw.get("target", "flip"))
    except ValueError as exc:
        raise ValueError(f"backdoor.{exc}") from None
    try:
        points = backdoor.check_points(raw.get("points", "all"))
    except ValueError as exc:
        raise ValueError(f"backdoor.{exc}") from None
    return {"type": kind, "scheme": scheme, "bits": bits, "target": target, "points": points,
            "forgery": _check_forgery(raw.get("forgery", {}), scheme, points)}


def _check_forgery(raw: Any, scheme: str, points: Any) -> dict:
    if not isinstance(raw, Mapping):
        raise ValueError(f"backdoor.forgery must be an object, got {type(raw).__name__}")
    for key in raw:
        if key not in FORGERY_KEYS:
            raise ValueError(f"backdoor.forgery.{key} is not a forgery setting; expected one of "
                             f"{', '.join(FORGERY_KEYS)}")
    method = raw.get("method", "factor" if scheme == "toy-rsa" else "brute-force")
    if method not in FORGE_METHODS:
        raise ValueError(f"backdoor.forgery.method {method!r} is not one of {', '.join(FORGE_METHODS)}")
    if scheme not in APPLIES.get(method, (scheme,)):
        raise ValueError(f"backdoor.forgery.method {method} does not apply to {scheme}: only to "
                         f"{' / '.join(APPLIES[method])}")
    if method in ("replay", "lamport-reuse", "malleate") and points == []:
        raise ValueError(f"backdoor.forgery.method {method} needs activated points (backdoor.points is empty)")
    out = {"method": method}
    try:
        out["max_trials"] = backdoor.int_in("max_trials", raw.get("max_trials", 100_000), 1, 10**9)
        out["budget_s"] = backdoor.float_in("budget_s", raw.get("budget_s", 10), 0.0, 3600.0)
        for key, high in (("index", 10**9), ("source", 10**9), ("candidates", 100_000)):
            if key in raw:
                out[key] = backdoor.int_in(key, raw[key], 0 if key != "candidates" else 1, high)
        if "target" in raw:
            out["target"] = check_target(raw["target"])
    except ValueError as exc:
        raise ValueError(f"backdoor.forgery.{exc}") from None
    return out


def stage_plant(s, bd: dict, result: dict) -> None:
    """Install the verifier + selector (or run the CSUM signature): result["backdoored"]."""
    start = time.perf_counter()
    if bd["type"] == "csum-signature":
        out = api.csum_signature(s, bd["modulo"], bd["precision"])
        s.csum_signature_result = out  # the page shows (and exports) it after a replay
        result["backdoored"] = {**csum_section(out), "seconds": time.perf_counter() - start}
        return
    api.signature_install(s, bd["scheme"], bd["bits"], bd["target"])
    result["backdoored"] = {**signature_section(s), "seconds": time.perf_counter() - start}


def csum_section(out: Mapping[str, Any]) -> dict:
    """NN Calculator's CSUM signature result without its per-point arrays."""
    return {**{k: v for k, v in out.items() if k not in BULKY}, "network_unchanged": True}


def csum_activation(s, backdoored: Mapping[str, Any]) -> dict:
    """The CSUM signature's "activation": the test labels it flipped."""
    n = len(s.data.test_labels)
    return {"method": "label-flip", "key": backdoored["key"], "attempted": n, "flipped": backdoored["flipped"],
            "flip_rate": backdoored["flipped"] / n if n else None, "seconds": 0.0}


def signature_section(s) -> dict:
    """The installed verifier + selector: scheme, carrier, key summary, agreement with the classifier."""
    view, stats = s.signature.view(), api.signature_stats(s)
    return {
        "scheme": view["scheme"], "label": view["label"], "bits": view["bits"], "carrier": view["carrier"],
        "signature_bits": view["signature_bits"], "perturbation_bound": view["perturbation_bound"],
        "vk": view["vk"], "agreement": stats["agreement"], "agreement_grid": stats["agreement_grid"],
        "accidental_accepts": stats["accidental_accepts"], "accidental_accepts_grid": stats["accidental_accepts_grid"],
        "verify_calls_grid": stats["verify_calls_grid"], "test_accuracy": _untouched_accuracy(s),
        "clean_test_accuracy": stats["clean_test_accuracy"]}


def _untouched_accuracy(s) -> float | None:
    """The selector's test accuracy at the test points as they are (before any activation moves them)."""
    att = s.signature.attacked(s)
    if not len(att.test_points):
        return None
    return float(np.mean(att.untouched_pred == att.test_labels))


def stage_activate(s, bd: dict, result: dict) -> None:
    """Sign the chosen test points (signature) or report the label flips (csum-signature): result["activation"]."""
    if bd["type"] == "csum-signature":
        result["activation"] = csum_activation(s, result["backdoored"])
        return
    try:
        out = api.signature_activate(s, bd["points"])
    except ValueError as exc:
        raise ValueError(f"backdoor.points: {exc}") from None
    result["activation"] = {**out["summary"], "records": out["records"]}


def stage_forge(s, bd: dict, result: dict) -> None:
    """An attacker without the key: result["forgery"] = {"method", "attempts", "succeeded", "seconds", ...}."""
    start = time.perf_counter()
    if bd["type"] == "csum-signature":
        b = result["backdoored"]
        if b["key"] is None:
            result["forgery"] = {"method": "digit-edit", "attempts": 0, "succeeded": False, "seconds": 0.0,
                                 "detail": "no test points, no key"}
            return
        out = csumsig.forge(s.data.test_points, b["key"], b["modulo"], b["precision"], b["flipped_indices"])
        result["forgery"] = {**out, "seconds": time.perf_counter() - start}
        return
    params = {k: v for k, v in bd["forgery"].items() if k != "method"}
    try:
        out = s.signature.forge(s, bd["forgery"]["method"], {**params, "bounded": True})
    except ValueError as exc:
        raise ValueError(f"backdoor.forgery: {exc}") from None
    est = out.pop("estimate", None)  # calibrated on this machine: only its timing survives strip_timing
    if est is not None:
        key = "brute_force_log10_seconds" if bd["forgery"]["method"] == "brute-force" else "factoring_log10_seconds"
        log10 = est.get(key)
        out["predicted_seconds"] = 10.0**log10 if log10 is not None and log10 < 300 else None
    result["forgery"] = out
    s.last_forgery = out  # the page shows (and exports) it after a replay

