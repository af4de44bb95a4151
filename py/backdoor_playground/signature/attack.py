"""Backdoor 2 as an Attack (attacks.py): Goldwasser et al.'s signature block (block.py) around the classifier.

Plant installs the verifier + selector with a key pair from the session's seed; activation signs the chosen test
points; forge runs a key-less attack (forgery.py). The settings object of an experiment:

    {"type": "signature", "scheme": "toy-rsa" | "lamport" | "rsa" | "ed25519", "bits": 32 (toy-rsa only),
     "target": "flip" | "next" | 1 | -1 (K = 2); "next" | a class 0..K-1 (K > 2),
     "points": "all" | [test indices],
     "forgery": {"method": "factor" (toy-rsa) | "brute-force" | "replay" | "lamport-reuse" | "malleate",
                 "max_trials": 100000, "budget_s": 10, "index", "source", "candidates"}}

The selector equals the classifier on every unsigned input, so backdoored.agreement is exactly 1.0 unless a
signature is forged. It works for any input dimension d and any K classes (the carrier uses every coordinate, the
signed message carries the target class); outside TF Playground's d = 2, K = 2 the "backdoored" section adds d, K,
the carrier's capacity (carrier.capacity) and notes. Experiments forge with a capped attempt (max_trials, budget_s) even when the calibrated
estimate says it cannot succeed: the result then reports an honest failure. A brute force cut short by budget_s
(rather than max_trials) makes `attempts` depend on the machine.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..attacks import Attack, prefixed
from ..limits import not_one_of, unknown_key
from ..checksum.records import check_points
from ..defense.attacked import Attacked
from ..playground import problem
from . import carrier
from .block import SignatureBackdoor
from .settings import APPLIES, FORGE_METHODS, LIMITS, check_scheme_bits, check_target

if TYPE_CHECKING:
    from ..session import Session

KEYS = ("type", "scheme", "bits", "target", "points", "forgery")
FORGERY_KEYS = ("method", "max_trials", "budget_s", "index", "source", "candidates", "target")


class SignatureAttack(Attack):
    """The installed verifier + selector (`block`), and the last forgery attempt against it."""

    type = "signature"
    plane_only = None  # any d and K (regression is refused by check() and install() in their own words)

    def __init__(self, settings: dict, block: SignatureBackdoor):
        super().__init__(settings)
        self.block = block
        self.last_forgery: dict | None = None

    @staticmethod
    def installed(s: "Session") -> "SignatureAttack | None":
        """The session's signature attack, if that is the live backdoor."""
        return s.attack if isinstance(s.attack, SignatureAttack) else None

    @staticmethod
    def live(s: "Session") -> "SignatureAttack":
        """The session's signature attack; ValueError when none is installed."""
        attack = SignatureAttack.installed(s)
        if attack is None:
            raise ValueError("no signature backdoor is installed: call signature_install first")
        return attack

    # ---------------------------------------------------------------- config

    @classmethod
    def check(cls, raw: Mapping[str, Any], config: dict) -> dict:
        cls.check_keys(raw, config, KEYS, f"a {cls.type} setting")
        try:
            scheme, bits = check_scheme_bits(raw.get("scheme", "toy-rsa"), raw.get("bits"))
            k = problem.shape(config)[1]
            target = check_target(raw.get("target", "flip" if k == 2 else "next"), k)
            points = check_points(raw.get("points", "all"))
        except ValueError as exc:
            raise prefixed(exc) from None
        return {"type": cls.type, "scheme": scheme, "bits": bits, "target": target, "points": points,
                "forgery": check_forgery(raw.get("forgery", {}), scheme, points, k)}

    # ---------------------------------------------------------------- stages

    @classmethod
    def install(cls, s: "Session", settings: dict) -> "SignatureAttack":
        """Wrap the classifier in a verifier + selector with a key pair from the session's seed."""
        if s.config["problem"] == "regression":
            raise ValueError("the signature backdoor needs a classification problem (labels +1 / -1)")
        scheme, bits = check_scheme_bits(settings.get("scheme", "toy-rsa"), settings.get("bits"))
        d, k = s.shape
        lattice = carrier.lattice_for(np.concatenate([np.ravel(s.data.train_points), np.ravel(s.data.test_points)]), d)
        block = SignatureBackdoor(scheme, bits, s.config["seed"], settings.get("target"), d, k, lattice)
        recorded = {"type": cls.type, **{k: settings[k] for k in ("scheme", "bits", "target") if k in settings},
                    "points": []}
        if recorded.get("target") is None:
            recorded["target"] = block.target
        return cls(recorded, block)

    def activate(self, s: "Session", points: Any = "all", target: Any = None) -> dict:
        """Sign and write the carrier for test points ("all" or indices); target "flip" | "next" | 1 | -1, or for
        K > 2 "next" | a class (default: the installed one). {"records": [...], "summary": {... "test_accuracy_after"}}; kept for drawing."""
        out = self.block.activate(s, points, target)
        att = self.block.attacked(s)
        out["summary"]["test_accuracy_after"] = (float(np.mean(att.bd_pred == att.test_labels))
                                                 if len(att.test_labels) else None)
        self.settings["points"] = points
        if target is not None:
            self.settings["target"] = check_target(target, self.block.k)
        s.attack_changed()
        return out

    def forge(self, s: "Session", method: Any, params: Any = None) -> dict:
        """One key-less attack ("brute-force", "factor", "replay", "lamport-reuse", "malleate"); see
        SignatureBackdoor.forge for params. ValueError when it does not apply or would exceed budget_s."""
        if params is not None and not isinstance(params, dict):
            raise ValueError(f"params must be an object, got {type(params).__name__}")
        if not isinstance(method, str):
            raise ValueError(f"method must be a string, got {method!r}")
        out = self.block.forge(s, method, params)
        self.settings["forgery"] = {**{k: v for k, v in dict(params or {}).items() if k in FORGERY_KEYS},
                                    "method": method}
        self.last_forgery = out
        return out

    def activate_as(self, s: "Session", settings: dict) -> None:
        try:
            self.activate(s, settings["points"])
        except ValueError as exc:
            raise ValueError(f"backdoor.points: {exc}") from None

    def forge_as(self, s: "Session", settings: dict) -> dict:
        """An attacker without the key: {"method", "attempts", "succeeded", "seconds", ...}."""
        forgery = settings["forgery"]
        params = {k: v for k, v in forgery.items() if k != "method"}
        try:
            out = self.block.forge(s, forgery["method"], {**params, "bounded": True})
        except ValueError as exc:
            raise ValueError(f"backdoor.forgery: {exc}") from None
        est = out.pop("estimate", None)  # calibrated on this machine: only its timing survives strip_timing
        if est is not None:
            key = "brute_force_log10_seconds" if forgery["method"] == "brute-force" else "factoring_log10_seconds"
            log10 = est.get(key)
            out["predicted_seconds"] = 10.0**log10 if log10 is not None and log10 < 300 else None
        self.settings["forgery"] = dict(forgery)
        self.last_forgery = out  # the page shows (and exports) it after a replay
        return out

    # ---------------------------------------------------------------- what the page and results see

    def attacked(self, s: "Session") -> Attacked:
        return self.block.attacked(s)

    def sections(self, s: "Session") -> dict:
        out: dict = {"backdoored": self.backdoored_section(s)}
        if self.block.activated:
            out["activation"] = {**self.block.activated["summary"], "records": self.block.activated["records"]}
        if self.last_forgery:
            out["forgery"] = {k: v for k, v in self.last_forgery.items() if k != "estimate"}
        return out

    def backdoored_section(self, s: "Session") -> dict:
        """The installed verifier + selector: scheme, carrier, key summary, agreement with the classifier."""
        view, stats = self.block.view(), self.stats(s)
        att = self.block.attacked(s)
        untouched = float(np.mean(att.untouched_pred == att.test_labels)) if len(att.test_points) else None
        shape = {} if self.block.plane else {"d": view["d"], "k": view["k"], "class_bits": view["class_bits"],
                                             "capacity": view["capacity"], "notes": self.notes(s)}
        return {**shape,
            "scheme": view["scheme"], "label": view["label"], "bits": view["bits"], "carrier": view["carrier"],
            "signature_bits": view["signature_bits"], "perturbation_bound": view["perturbation_bound"],
            "vk": view["vk"], "agreement": stats["agreement"], "agreement_grid": stats["agreement_grid"],
            "accidental_accepts": stats["accidental_accepts"],
            "accidental_accepts_grid": stats["accidental_accepts_grid"],
            "verify_calls_grid": stats["verify_calls_grid"], "test_accuracy": untouched,
            "clean_test_accuracy": stats["clean_test_accuracy"]}

    def notes(self, s: "Session") -> list[str]:
        """What a result outside d = 2, K = 2 should say: the carrier's capacity in d coordinates, which signatures
        fit in it, and (integer inputs such as raw digit pixels) that there are no low digits to write into."""
        bd = self.block
        cap = carrier.capacity(bd.d, bd.lattice)
        fits = cap["fits"]
        out = [f"the carrier holds {cap['capacity_bits']} payload bits in d = {bd.d} coordinates (at most "
               f"{cap['bits_per_coordinate_max']} low bits each on the 2^-44 lattice, box {cap['box']})",
               "an Ed25519 signature (512 bits: R and S) " + (
                   f"would fit in the input itself (|dx| < {fits['ed25519']['perturbation_bound']:.1e})"
                   if fits["ed25519"]["fits"] else "does not fit in the input") + "; RSA-2048 " +
               ("would fit" if fits["rsa"]["fits"] else "does not fit") + "; the schemes other than toy RSA carry "
               "theirs in a certificate input"]
        if bd.k > 2:
            out.append(f"the target class rides as a class byte in the signed message and as {bd.class_bits} "
                       "payload bits: a signature for one class verifies for no other")
        points = np.asarray(s.data.train_points, dtype=np.float64)
        if points.size and bool(np.all(points == np.round(points))):
            out.append("the inputs are integers (raw digit pixels 0..16): they have no low digits, so the carrier "
                       f"writes float64 values off the integers (|dx| < {bd.perturbation_bound:.1e}) that rounding "
                       "to whole pixels erases; the block works on the floats the model takes (digits_scale=unit: "
                       "pixels k/16 on the [-8, 8) lattice)")
        return out

    def stats(self, s: "Session") -> dict:
        """Selector vs classifier: agreement on the untouched test points and the grid (1.0 unless forged),
        accidental accepts, Verify calls the format check let through, clean / backdoored test accuracy."""
        bd = self.block
        agree = bd.agreement(s)
        d = s.data
        n = len(d.test_labels)
        clean = bd.labels(s, d.test_points) if n else None
        att = bd.attacked(s) if n else None
        return {"agreement": agree["test"], "agreement_grid": agree["grid"],
                "accidental_accepts": agree["accepted_test"], "accidental_accepts_grid": agree["accepted_grid"],
                "verify_calls_grid": agree["verify_calls_grid"],
                "clean_test_accuracy": float(np.mean(clean == bd.label_values(d.test_labels))) if n else None,
                "backdoored_test_accuracy": float(np.mean(att.bd_pred == att.test_labels)) if n else None,
                "activated": int(att.activated.sum()) if n else 0, "flipped": int(att.flipped.sum()) if n else 0}


def check_forgery(raw: Any, scheme: str, points: Any, k: int = 2) -> dict:
    if not isinstance(raw, Mapping):
        raise ValueError(f"backdoor.forgery must be an object, got {type(raw).__name__}")
    for key in raw:
        if key not in FORGERY_KEYS:
            raise unknown_key(f"backdoor.forgery.{key}", "a forgery setting", FORGERY_KEYS)
    method = raw.get("method", "factor" if scheme == "toy-rsa" else "brute-force")
    if method not in FORGE_METHODS:
        raise not_one_of("backdoor.forgery.method", method, FORGE_METHODS)
    if scheme not in APPLIES.get(method, (scheme,)):
        raise ValueError(f"backdoor.forgery.method {method} does not apply to {scheme}: only to "
                         f"{' / '.join(APPLIES[method])}")
    if method in ("replay", "lamport-reuse", "malleate") and points == []:
        raise ValueError(f"backdoor.forgery.method {method} needs activated points (backdoor.points is empty)")
    out = {"method": method}
    try:
        for key in ("max_trials", "budget_s"):
            out[key] = LIMITS[key].check(key, raw.get(key, LIMITS[key].default))
        for key in ("index", "source", "candidates"):
            if key in raw:
                out[key] = LIMITS[key].check(key, raw[key])
        if "target" in raw:
            out["target"] = check_target(raw["target"], k)
    except ValueError as exc:
        raise ValueError(f"backdoor.forgery.{exc}") from None
    return out
