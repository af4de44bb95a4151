"""Worker handlers for Backdoor 2 and NN Calculator's "CSUM signature" (each takes the live Session first): thin
calls into signature/attack.py and checksum/csumsig_attack.py. Plain data in and out."""

from __future__ import annotations

from typing import Any

from ..checksum.csumsig_attack import check_numbers
from ..session import Session
from ..signature import forgery
from ..signature.attack import SignatureAttack
from ..signature.settings import LIMITS

_rates: dict | None = None  # forgery.calibrate() on this device, shared by every estimate


def csum_signature(s: Session, modulo: int | None = None, precision: int | None = None) -> dict:
    """NN Calculator's CSUM Signature on the test set (defaults: the config's csum_modulo / csum_precision):
    csumsig.csum_signature's dict (key, histogram, flipped, flipped_indices, labels_after, losses, note)."""
    if s.config["problem"] == "regression":
        raise ValueError("the CSUM signature needs a classification problem (labels +1 / -1)")
    attack = s.install("csum-signature", {"type": "csum-signature", **check_numbers(s.config, modulo, precision)})
    return attack.result


def signature_install(s: Session, scheme: str = "toy-rsa", bits: int | None = None, target: Any = None) -> dict:
    """Wrap the classifier in a verifier + selector with a key pair from the session's seed:
    {"view": signature_view, "stats": signature_stats}. bits: toy-rsa modulus size (default 32); target: "flip" |
    "next" | 1 | -1 (K = 2), "next" | a class 0..K-1 (K > 2), None for "flip" (K = 2) / "next" (K > 2)."""
    s.install("signature", {"scheme": scheme, "bits": bits, "target": target})
    return {"view": signature_view(s), "stats": signature_stats(s)}


def signature_remove(s: Session) -> dict:
    """Drop the verifier, its key and any activation: {"removed": bool}."""
    removed = SignatureAttack.installed(s) is not None
    if removed:
        s.remove_attack()
    return {"removed": removed}


def signature_activate(s: Session, points: Any = "all", target: Any = None) -> dict:
    """Sign and write the carrier for test points ("all" or indices); target as signature_install's (default: the
    installed one). {"records": [...], "summary": {... "test_accuracy_after"}}; kept for drawing."""
    return SignatureAttack.live(s).activate(s, points, target)


def signature_forge(s: Session, method: str, params: dict | None = None) -> dict:
    """One key-less attack ("brute-force", "factor", "replay", "lamport-reuse", "malleate"); see
    SignatureBackdoor.forge for params. ValueError when it does not apply or would exceed budget_s."""
    return SignatureAttack.live(s).forge(s, method, params)


def signature_estimate(s: Session, budget_s: float = 5.0) -> dict:
    """This device's forgery rates and what each scheme would cost (forgery.estimate_table); measured once per
    worker."""
    global _rates
    budget_s = LIMITS["budget_s"].check("budget_s", budget_s)
    attack = SignatureAttack.installed(s)
    block = attack.block if attack is not None else None
    if _rates is None:
        _rates = block._rates if block is not None and block._rates else forgery.calibrate()
    if block is not None and block._rates is None:
        block._rates = _rates
    toy_bits = block.keys.bits if block is not None and block.scheme.name == "toy-rsa" else None
    return forgery.estimate_table(_rates, budget_s, toy_bits)


def signature_view(s: Session) -> dict:
    """{"installed": False} or the backdoor's view (scheme, label, carrier, bits, signature_bits, vk, carrier bits
    per coordinate, perturbation_bound, description, activated count) with "installed": True."""
    attack = SignatureAttack.installed(s)
    return {"installed": False} if attack is None else {"installed": True, **attack.block.view()}


def signature_stats(s: Session) -> dict:
    """Selector vs classifier: agreement on the untouched test points and the grid (1.0 unless forged), accidental
    accepts, Verify calls the format check let through, clean / backdoored test accuracy (after activation)."""
    return SignatureAttack.live(s).stats(s)
