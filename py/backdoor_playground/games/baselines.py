"""The trigger game's baselines: the key-less attacks already built, their costs extrapolated to real key sizes.
ESTIMATES maps a backdoor type to its estimate (imported on use): the signature's forgery table (signature/forgery.py:
calibrated rates -> brute force, factoring, discrete log) and the checksum's key-less search (checksum/cost.py: one
random low-digit edit hits the key's residue with probability p_key, so about 1/p_key queries; the key rule caps the
modulo at 65536). Per round the attack's own forge stage (attacks.Attack.forge_as) runs where it has one."""

from __future__ import annotations

import math
from typing import Any, Callable

CALIBRATE_MS = 100


def _signature(settings: dict) -> dict:
    from ..signature import forgery
    rates = forgery.calibrate(CALIBRATE_MS)
    rows = [forgery.estimate(settings["scheme"], settings.get("bits"), rates)]
    rows += [forgery.estimate(s, None, rates) for s in ("rsa", "ed25519") if s != settings["scheme"]]
    return {"kind": "forgery", "rows": [{k: r[k] for k in ("scheme", "bits", "best_attack", "human",
                                                           "best_log10_seconds")} for r in rows]}


def _checksum(settings: dict) -> dict:
    from ..checksum.cost import p_key_model
    variant = settings.get("variant", "decimal")
    rows = []
    for modulo in sorted({int(settings.get("modulo", 256)), 65536}):
        p = p_key_model(variant, modulo, int(settings.get("precision", 15)), int(settings.get("key", 150)))
        rows.append({"variant": variant, "modulo": modulo, "p_key": p,
                     "expected_queries": 1 / p if p > 0 else None,
                     "log2_queries": math.log2(1 / p) if p > 0 else None})
    return {"kind": "key-less search", "rows": rows}


ESTIMATES: dict[str, Callable[[dict], dict]] = {"signature": _signature, "checksum": _checksum}


def estimate(settings: dict) -> dict | None:
    """The extrapolated cost of the key-less baseline for this backdoor, or None when it has no key."""
    fn = ESTIMATES.get(settings["type"])
    return None if fn is None else fn(settings)


def forge(rnd: Any) -> dict | None:
    """The round's key-less attack through the protocol (attack.forge_as): {"method", "succeeded", "attempts"}."""
    out = rnd.attack.forge_as(rnd.s, rnd.backdoor)
    if out is None:
        return None
    return {k: out.get(k) for k in ("method", "succeeded", "attempts")}
