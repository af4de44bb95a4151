"""Worker handlers for Backdoor 2 (each takes the live Session first): NN Calculator's "CSUM signature" and the
real signature backdoor (install, activate, forge, estimate, view, stats). Plain data in and out."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import checksum as backdoor
from ..checksum import csumsig
from ..playground import features
from ..signature import forgery, schemes as sigschemes
from ..defense.attacked import labels_of
from ..checksum.params import float_in as _float_in
from ..playground.losses import accuracy
from ..session import finite_or_none
from ..signature.block import SignatureBackdoor, check_scheme_bits, check_target

_rates: dict | None = None  # forgery.calibrate() on this device, shared by every estimate


def _classification(s, what: str) -> None:
    if s.config["problem"] == "regression":
        raise ValueError(f"{what} needs a classification problem (labels +1 / -1)")


def _installed(s) -> SignatureBackdoor:
    if s.signature is None:
        raise ValueError("no signature backdoor is installed: call signature_install first")
    return s.signature


def csum_signature(s, modulo: int | None = None, precision: int | None = None) -> dict:
    """NN Calculator's CSUM Signature on the test set (defaults: the config's csum_modulo / csum_precision):
    csumsig.csum_signature's dict (key, histogram, flipped, flipped_indices, labels_after, losses, note)."""
    _classification(s, "the CSUM signature")
    modulo = backdoor.check("modulo", s.config["csum_modulo"] if modulo is None else modulo)
    precision = backdoor.check("precision", s.config["csum_precision"] if precision is None else precision)
    d = s.data
    outputs = s.model.predict(s.X_test) if len(d.test_labels) else np.zeros(0)
    train_outputs = s.model.predict(s.X_train) if len(d.train_labels) else np.zeros(0)
    out = csumsig.csum_signature(d.test_points, d.test_labels, outputs, modulo, precision,
                                 train_outputs, d.train_labels)
    labels_after = np.asarray(out["labels_after"])
    out["test_accuracy_before"] = finite_or_none(accuracy(outputs, d.test_labels)) if len(outputs) else None
    out["test_accuracy_after"] = finite_or_none(accuracy(outputs, labels_after)) if len(outputs) else None
    return out


def signature_install(s, scheme: str = "toy-rsa", bits: int | None = None, target: Any = "flip") -> dict:
    """Wrap the classifier in a verifier + selector with a key pair from the session's seed:
    {"view": signature_view, "stats": signature_stats}. bits: toy-rsa modulus size (default 32)."""
    _classification(s, "the signature backdoor")
    if backdoor.planted_layers(s.model):
        raise ValueError("remove the checksum backdoor first (the signature backdoor wraps a clean classifier)")
    scheme, bits = check_scheme_bits(scheme, bits)
    s.signature = SignatureBackdoor(scheme, bits, s.config["seed"], check_target(target))
    return {"view": signature_view(s), "stats": signature_stats(s)}


def signature_remove(s) -> dict:
    """Drop the verifier, its key and any activation: {"removed": bool}."""
    removed = s.signature is not None
    s.signature = None
    return {"removed": removed}


def signature_activate(s, points: Any = "all", target: Any = None) -> dict:
    """Sign and write the carrier for test points ("all" or indices); target "flip" | 1 | -1 (default: the
    installed one). {"records": [...], "summary": {... "test_accuracy_after"}}; kept for drawing."""
    bd = _installed(s)
    out = bd.activate(s, points, target)
    att = bd.attacked(s)
    out["summary"]["test_accuracy_after"] = (float(np.mean(att.bd_pred == att.test_labels))
                                             if len(att.test_labels) else None)
    return out


def signature_forge(s, method: str, params: dict | None = None) -> dict:
    """One key-less attack ("brute-force", "factor", "replay", "lamport-reuse", "malleate"); see
    SignatureBackdoor.forge for params. ValueError when it does not apply or would exceed budget_s."""
    if params is not None and not isinstance(params, dict):
        raise ValueError(f"params must be an object, got {type(params).__name__}")
    if not isinstance(method, str):
        raise ValueError(f"method must be a string, got {method!r}")
    return _installed(s).forge(s, method, params)


def signature_estimate(s, budget_s: float = 5.0) -> dict:
    """This device's forgery rates and what each scheme would cost: {"rates", "budget_s", "live_limit":
    {factor_bits, brute_force_bits}, "schemes": [forgery.estimate + "text"]}; measured once per worker."""
    global _rates
    budget_s = _float_in("budget_s", budget_s, 0.0, 3600.0)
    bd = s.signature
    if _rates is None:
        _rates = bd._rates if bd is not None and bd._rates else forgery.calibrate()
    if bd is not None and bd._rates is None:
        bd._rates = _rates
    lo, hi = sigschemes.TOY_RSA_BITS
    rows = []
    toy_sizes = sorted({lo, 32, hi} | ({bd.keys.bits} if bd is not None and bd.scheme.name == "toy-rsa" else set()))
    for scheme, bits in (*(("toy-rsa", b) for b in toy_sizes), ("lamport", None), ("rsa", None), ("ed25519", None)):
        e = forgery.estimate(scheme, bits, _rates)
        label = sigschemes.SCHEMES[scheme].label + (f" {e['bits']}-bit" if scheme == "toy-rsa" else "")
        e["text"] = f"{label}: {e['human']}"
        e["live"] = e["best_log10_seconds"] <= math.log10(budget_s)
        rows.append(e)
    return {"rates": _rates, "budget_s": budget_s, "live_limit": forgery.live_limit(_rates, budget_s),
            "schemes": rows}


def signature_view(s) -> dict:
    """{"installed": False} or the backdoor's view (scheme, label, carrier, bits, signature_bits, vk, carrier bits
    per coordinate, perturbation_bound, description, activated count) with "installed": True."""
    bd = s.signature
    return {"installed": False} if bd is None else {"installed": True, **bd.view()}


def signature_stats(s) -> dict:
    """Selector vs classifier: agreement on the untouched test points and the grid (1.0 unless forged), accidental
    accepts, Verify calls the format check let through, clean / backdoored test accuracy (after activation)."""
    bd = _installed(s)
    agree = bd.agreement(s)
    d = s.data
    n = len(d.test_labels)
    clean = labels_of(s.model.predict(features.feature_matrix(d.test_points, s.feature_names))) if n else None
    att = bd.attacked(s) if n else None
    return {"agreement": agree["test"], "agreement_grid": agree["grid"], "accidental_accepts": agree["accepted_test"],
            "accidental_accepts_grid": agree["accepted_grid"], "verify_calls_grid": agree["verify_calls_grid"],
            "clean_test_accuracy": float(np.mean(clean == labels_of(d.test_labels))) if n else None,
            "backdoored_test_accuracy": float(np.mean(att.bd_pred == att.test_labels)) if n else None,
            "activated": int(att.activated.sum()) if n else 0, "flipped": int(att.flipped.sum()) if n else 0}


HANDLERS = {f.__name__: f for f in (csum_signature, signature_install, signature_remove, signature_activate,
                                    signature_forge, signature_estimate, signature_view, signature_stats)}
