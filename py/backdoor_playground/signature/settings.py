"""The signature backdoor's settings: its LIMITS (limits.py), the schemes and targets it accepts, the forgery
methods and where each applies, and the words that describe an installed block."""

from __future__ import annotations

from typing import Any

from ..limits import Limit, not_one_of
from . import schemes as sigschemes

# the bounded numbers of the signature backdoor and its forgeries (limits.py: one rule each)
LIMITS = {
    "bits": Limit(sigschemes.TOY_RSA_BITS[0], sigschemes.TOY_RSA_BITS[1], 32, "toy RSA modulus size in bits"),
    "budget_s": Limit(0.0, 3600.0, 10.0, "seconds a forgery attempt may run", integer=False, low_open=True),
    "max_trials": Limit(1, 10**9, 100_000, "forgery attempts before giving up"),
    "candidates": Limit(1, 100_000, 2000, "Lamport key reuse: lattice neighbours tried"),
    "index": Limit(0, 10**9, 0, "the test point a forger targets"),
    "source": Limit(0, 10**9, 0, "the signed test point a replay copies"),
}
FORGE_METHODS = ("brute-force", "factor", "replay", "lamport-reuse", "malleate")
APPLIES = {"factor": ("toy-rsa", "rsa"), "lamport-reuse": ("lamport",), "malleate": ("ed25519",)}
FORGE_PARAMS = ("index", "target", "source", "max_trials", "budget_s", "candidates", "bounded")
DESCRIPTION = {"bits": "The target bit and {a_sig} {sig}-bit toy RSA signature ride in the low {c} bits of each "
                       "coordinate (moves a point < {bound:.1e}); {a_bits} {bits}-bit modulus factors in well under a "
                       "second: forgeable on purpose.",
               "certificate": "The point snaps to a 2^-44 lattice (< 6e-14); {a_label} {label} signature of (point, "
                              "target) rides in a certificate input: without the secret key nobody makes a new one."}


def article(word: Any) -> str:
    """"a" or "an" as `word` is read: an Ed25519, an RSA-2048, an 8-bit, an 18-bit; a Lamport, a 16-bit (the page's
    format.js article() has the same rule)."""
    w = str(word)
    vowel = w[:1].lower() in "aeiou" and not w.lower().startswith(("uni", "use", "one"))
    letters = len(w) > 1 and w[0] in "FHLMNRSX" and (w[1].isupper() or w[1].isdigit())
    digits = w.split("-")[0]
    number = digits.isdigit() and (digits[0] == "8" or (digits[:2] in ("11", "18") and len(digits) % 3 == 2))
    return "an" if vowel or letters or number else "a"


def check_target(target: Any, k: int = 2) -> str | int:
    """The target of a K-class problem. K = 2: "flip" (the opposite of the classifier's label at the point), "next"
    (the same for two classes) or a fixed label +1 / -1. K > 2: "next" (the classifier's class + 1 mod K) or a fixed
    class index 0..K-1 (labels are class indices for K > 2, playground/classes.py)."""
    if isinstance(target, str) and (target == "next" or (target == "flip" and k == 2)):
        return target
    number = not isinstance(target, bool) and isinstance(target, (int, float))
    if k == 2 and number and target in (1, -1):
        return int(target)
    if k > 2 and number and target == int(target) and 0 <= target < k:
        return int(target)
    allowed = '"flip", "next", 1 or -1' if k == 2 else f'"next" or a class 0..{k - 1} (K = {k}; "flip" needs K = 2)'
    raise ValueError(f"target must be {allowed}, got {target!r}")


def target_class(target: str | int, label: float, k: int = 2) -> float:
    """The class the block sends a point to, as a label (+1 / -1 for K = 2, 0..K-1 otherwise), from the classifier's
    label at the point: "flip" / "next" -> the other label (K = 2) or (label + 1) mod K; a fixed target as it is."""
    if target in ("flip", "next"):
        return float(-label if k == 2 else (int(label) + 1) % k)
    return float(target)


def check_scheme_bits(scheme: Any, bits: Any) -> tuple[str, int]:
    """(scheme, bits) checked: bits in sigschemes.TOY_RSA_BITS for toy-rsa; the fixed size (or None) otherwise."""
    if not isinstance(scheme, str) or scheme not in sigschemes.SCHEMES:
        raise not_one_of("scheme", scheme, sigschemes.SCHEMES)
    fixed = sigschemes.DEFAULT_BITS[scheme]
    if scheme == "toy-rsa":
        return scheme, LIMITS["bits"].check("bits", LIMITS["bits"].default if bits is None else bits)
    if bits is not None and (isinstance(bits, bool) or bits != fixed):
        raise ValueError(f"bits applies to toy-rsa only: {scheme} has a fixed size of {fixed} bits, got {bits!r}")
    return scheme, fixed
