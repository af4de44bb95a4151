"""The key-less attacker against an installed signature block (block.SignatureBackdoor): brute force, factoring,
replay, Lamport key reuse and Ed25519 malleation on a message of the session, the forged signature written into the
carrier and shown to the selector (does it send the point to the target class?). forgery.py holds the attacks'
math; this mixin picks the victim and presents the result, for any d and K.

A forged or replayed signature covers (message, class byte), so a signature observed for one class never makes the
block output another class (carrier.signed_message).
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

import numpy as np

from . import carrier, forgery, schemes as sigschemes
from ..playground import rng
from ..limits import not_one_of
from ..checksum.records import select_indices
from .settings import APPLIES, FORGE_METHODS, FORGE_PARAMS, LIMITS, check_target, target_class


class Forger:
    """Forgery on a SignatureBackdoor (mixed into it: uses its keys, scheme, carrier, lattice, d, k and signed)."""

    def estimate(self) -> dict:
        """forgery.estimate for this key from this device's rates (forgery.calibrate(), measured once)."""
        self._rates = self._rates or forgery.calibrate()
        return forgery.estimate(self.scheme.name, self.keys.bits, self._rates)

    def _label(self, s, i: int) -> float:
        return float(self.labels(s, s.data.test_points[i:i + 1])[0])

    def _victim(self, s, params: Mapping[str, Any]) -> tuple[int, float, float, np.ndarray]:
        """(test index, classifier label, wanted target, point) of a message the key holder never signed: by default
        the first test point not activated; an activated one is moved to the next message cell along x."""
        n = len(s.data.test_points)
        if params.get("index") is not None or not n:
            i = int(select_indices(n, [params.get("index")])[0])
        else:
            i = next((i for i in range(n) if i not in self.signed), 0)
        label = self._label(s, i)
        target = target_class(check_target(params.get("target", self.default_target), self.k), label, self.k)
        point = np.array(s.data.test_points[i], dtype=np.float64).reshape(-1)
        if i in self.signed and self.signed[i][0] == carrier.signed_message(self._message(point), target, self.k):
            c = carrier.bits_per_coordinate(self.payload_bits, self.d, self.lattice) if self.payload_bits else 0
            point[0] += 2.0 ** (c - carrier.FRACTION_BITS) * (1 if point[0] < 0 else -1)
        return i, label, target, point

    def _present(self, s, index: int, label: float, target: float, point, signature: bytes | None) -> dict:
        """Write a (forged or replayed) signature into the carrier at `point` and ask the selector: does it flip?"""
        p0 = np.asarray(s.data.test_points[index], dtype=np.float64).reshape(-1)
        info = {"index": index, **self.coords(p0, None), "target": int(target), "label_before": int(label),
                "delta": None, "flipped": False}
        if signature is None:
            return info
        certs = {}
        if self.carrier == "bits":
            payload = carrier.join_payload(target, int.from_bytes(signature, "big"), self.signature_bits, self.k)
            p1, _, _ = carrier.encode(point, payload, self.payload_bits, self.lattice)
        else:
            p1, _, _ = carrier.snap_point(point, self.lattice)
            certs = {0: carrier.make_certificate(target, signature, self.k)}
        out, _ = self.outputs(s.model, s.feature_names, [p1], certs)
        info.update(self.coords(p0, p1), delta=float(np.max(np.abs(np.subtract(p1, p0)))),
                    flipped=bool(self.labels_of_outputs(out)[0] != label))
        return info

    def forge(self, s, method: str, params: Mapping[str, Any] | None = None) -> dict:
        """One key-less attack on a message of this session: forgery.py's dict plus "target_point" (the selector
        shown the forged input). params: index (victim), target, source (replay / malleate: an activated index),
        max_trials, budget_s, candidates (lamport-reuse), bounded (run a capped attempt even when the calibrated
        estimate exceeds budget_s; otherwise brute-force and factor refuse)."""
        p = dict(params or {})
        name = self.scheme.name
        if method not in FORGE_METHODS:
            raise not_one_of("forgery method", method, FORGE_METHODS)
        if name not in APPLIES.get(method, (name,)):
            raise ValueError(f"{method} does not apply to {self.scheme.label}: only to {' / '.join(APPLIES[method])}")
        for key in p:
            if key not in FORGE_PARAMS:
                raise ValueError(f"{key} is not a forgery parameter; expected one of {', '.join(FORGE_PARAMS)}")
        self.check_session(s)
        budget_s = LIMITS["budget_s"].check("budget_s", p.get("budget_s", LIMITS["budget_s"].default))
        max_trials = LIMITS["max_trials"].check("max_trials", p.get("max_trials", LIMITS["max_trials"].default))
        est = None
        if method in ("brute-force", "factor"):
            est = self.estimate()
            log10 = est["brute_force_log10_seconds" if method == "brute-force" else "factoring_log10_seconds"]
            if not p.get("bounded") and log10 > np.log10(budget_s):
                raise ValueError(f"{method} against {self.scheme.label} ({self.keys.bits} bits) would take "
                                 f"{forgery.human(log10)}, over the {budget_s:g} s budget")
        elif not self.signed:
            raise ValueError(f"{method} needs observed signatures: activate some points first")
        if method in ("replay", "malleate"):
            src = p.get("source", min(self.signed))
            if src not in self.signed:
                raise ValueError(f"source {src!r} is not an activated test point: no signature to reuse")
            src_msg, sig = self.signed[src]
            target = carrier.class_label(src_msg[-1], self.k)  # an observed signature covers its own class byte
        if method in ("brute-force", "factor"):
            i, label, target, point = self._victim(s, p)
            msg = carrier.signed_message(self._message(point), target, self.k)
            if method == "brute-force":
                gen = rng.stream(self.seed, "search", 0x516, i)  # the forger's own stream
                out = forgery.brute_force(self.scheme, self.keys, msg, max_trials, gen, budget_s)
            else:
                out = forgery.factor_and_sign(self.keys, msg, budget_s)
            forged = bytes.fromhex(out["signature_hex"]) if out.get("signature_hex") else None
            out["target_point"] = self._present(s, i, label, target, point, forged)
        elif method == "replay":
            # the source itself (index=source) moves to the next message cell: the replay is onto a new message
            i, label, _, point = self._victim(s, {**p, "target": int(target)})
            other = carrier.signed_message(self._message(point), target, self.k)
            out = forgery.replay(self.scheme, self.keys, src_msg, sig, other)
            out["target_point"] = self._present(s, i, label, target, point, sig)
        elif method == "malleate":
            out = forgery.malleate_ed25519(self.keys, src_msg, sig)
            out["target_point"] = self._present(s, src, self._label(s, src), target, s.data.test_points[src],
                                                bytes.fromhex(out["signature_hex"]))
        else:
            limit = LIMITS["candidates"].check("candidates", p.get("candidates", LIMITS["candidates"].default))
            out = self._lamport_reuse(s, limit)
        if method in ("replay", "malleate"):
            out["source"] = src
        # forgery.py names its attacks ("factor_and_sign", ...): keep that as "attack", "method" is ours
        out.update(attack=out["method"], method=method, scheme=name, bits=self.keys.bits,
                   **({"estimate": est} if est else {}))
        return out

    def _lamport_reuse(self, s, limit: int) -> dict:
        """Candidates: the unsigned test points and their lattice neighbours (+-1 step), the target class first."""
        labels = self.labels(s, s.data.test_points)
        where = carrier.neighbour_messages(s.data.test_points, labels, set(self.signed), limit, self.k, self.lattice)
        out = forgery.lamport_reuse(self.keys, list(self.signed.values()), list(where))
        out["target_point"] = None
        if out["succeeded"]:
            m = bytes.fromhex(out["forged_message_hex"])
            i, point, target = where[m]
            out["target_point"] = self._present(s, i, labels[i], target, point, self._lamport_signature(m))
        return out

    def _lamport_signature(self, message: bytes) -> bytes:
        """The forged signature: the preimages the observed signatures revealed, picked by `message`'s hash bits."""
        bits = lambda m: enumerate(sigschemes._bits(hashlib.sha256(m).digest()))  # noqa: E731
        revealed = {(b, j): sig[32 * j:32 * j + 32] for msg, sig in self.signed.values() for j, b in bits(msg)}
        return b"".join(revealed[(b, j)] for j, b in bits(message))
