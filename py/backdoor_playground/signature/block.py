"""Backdoor 2, Goldwasser et al.'s signature construction: h~(x) = target if Verify(vk, (m, y), sigma) else h(x).

The model is the clean classifier h in parallel with a verifier; a selector (the final MUX) outputs the target label
(+1 / -1) where Verify accepts and h(x) elsewhere. The input carries (y, sigma) in the low bits of a fixed-point
encoding of the point (toy RSA) or in a certificate input attached to it (Lamport, RSA-2048, Ed25519); see
carrier.py. Unsigned inputs almost all fail the vectorised format check and skip Verify; the rest (about 2^-12 of
random floats land on the lattice) reach Verify, which rejects them, so agreement is exactly 1 unless someone
forges a signature.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from typing import Any, Mapping

import numpy as np

from ..defense import attacked as attacked_mod
from . import carrier, forgery, schemes as sigschemes
from ..playground import features, grid, rng
from ..defense.attacked import labels_of
from ..limits import not_one_of
from ..checksum.records import select_indices
from .settings import (APPLIES, DESCRIPTION, FORGE_METHODS, FORGE_PARAMS, LIMITS, article, check_scheme_bits,
                       check_target)

VERIFY_MEMO = 4096  # answers SignatureBackdoor.verify_point remembers before it starts again


def _labels(s, points: np.ndarray) -> np.ndarray:
    """The classifier's labels (+1 / -1) at points."""
    return labels_of(s.model.predict(features.feature_matrix(points, s.feature_names)) if len(points) else [])


class SignatureBackdoor:
    """The verifier and selector wrapped around a session's classifier, with the attacker's activation state."""

    def __init__(self, scheme: str, bits: int | None, seed: Any, target: Any = "flip"):
        scheme, bits = check_scheme_bits(scheme, bits)
        self.scheme = sigschemes.SCHEMES[scheme]
        self.keys = sigschemes.keypair(scheme, seed, bits)
        self.seed = seed
        self.target = check_target(target)
        self.carrier = self.scheme.carrier
        self.signature_bits = self.scheme.signature_bits(self.keys)
        # bits carrier: payload = target bit + signature bits; certificate carrier: the lattice point only
        self.payload_bits = self.signature_bits + 1 if self.carrier == "bits" else 0
        self.activated: dict | None = None
        self.certificates: dict[int, bytes] = {}  # test index -> certificate
        self.signed: dict[int, tuple[bytes, bytes]] = {}  # test index -> (signed message, signature)
        self._rates: dict | None = None  # forgery.calibrate() of this device, measured once
        self._verified: dict[tuple, float | None] = {}  # verify_point's answers: Verify is pure, and slow in Python

    # ---------------------------------------------------------------- the verifier and the selector

    def verify_point(self, point: Any, certificate: Any = None) -> float | None:
        """The target label (+1.0 / -1.0) when the point (and certificate) carry a valid signature, else None.
        Remembered per (point, certificate): the attacked test set asks about each triggered point several times."""
        key = (np.asarray(point, dtype=np.float64).tobytes(), certificate)
        if certificate is not None and not isinstance(certificate, bytes):
            return self._verify_point(point, certificate)
        if key not in self._verified:
            self._verified = {} if len(self._verified) >= VERIFY_MEMO else self._verified
            self._verified[key] = self._verify_point(point, certificate)
        return self._verified[key]

    def _verify_point(self, point: Any, certificate: Any = None) -> float | None:
        if self.carrier == "bits":
            decoded = carrier.decode(point, self.payload_bits)
            if decoded is None:
                return None
            target, sig = carrier.split_payload(decoded[1], self.signature_bits)
            message, signature = decoded[0], sig.to_bytes(self.scheme.sig_len(self.keys), "big")
        else:
            cert = carrier.read_certificate(certificate)
            message = carrier.certificate_message(point) if cert is not None else None
            if message is None:
                return None
            target, signature = cert
        ok = self.scheme.verify(self.keys, carrier.signed_message(message, target), signature)
        return target if ok else None

    def select(self, outputs: np.ndarray, points: Any, certificates: Mapping[int, bytes] | None = None
               ) -> tuple[np.ndarray, np.ndarray, int]:
        """(selector outputs, accepted, Verify calls) from the classifier's outputs on the same points."""
        P = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        out = np.array(outputs, dtype=np.float64).reshape(-1)
        accepted = np.zeros(len(P), dtype=bool)
        if self.carrier == "bits":
            rows = np.flatnonzero(carrier.format_mask(P, self.payload_bits))  # the short circuit
            certs: Mapping[int, Any] = {}
        else:
            certs = certificates or {}
            rows = np.array(sorted(r for r in certs if 0 <= r < len(P)), dtype=np.int64)
            if rows.size:
                rows = rows[carrier.lattice_u(P[rows])[1]]
        for r in rows.tolist():
            target = self.verify_point(P[r], certs.get(r))
            if target is not None:
                out[r], accepted[r] = target, True
        return out, accepted, int(rows.size)

    def outputs(self, model, feature_names, points: Any, certificates: Mapping[int, bytes] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """(outputs, accepted): the classifier's output where Verify rejects, the target label where it accepts."""
        P = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        clean = model.predict(features.feature_matrix(P, list(feature_names))) if len(P) else np.zeros(0)
        out, accepted, _ = self.select(clean, P, certificates)
        return out, accepted

    # ---------------------------------------------------------------- the attacker: activation

    def activate(self, s, points: Any = "all", target: Any = None) -> dict:
        """Sign (message, target) for the chosen test points and write the signature into the carrier."""
        start = time.perf_counter()
        target = self.target if target is None else check_target(target)
        P = s.data.test_points
        idx = select_indices(len(P), points)
        clean = _labels(s, P[idx])
        moved, rows = P[idx].copy(), []
        certificates: dict[int, bytes] = {}  # row in idx -> certificate
        signed: dict[int, tuple[bytes, bytes]] = {}
        for k, i in enumerate(idx.tolist()):
            tgt = float(-clean[k] if target == "flip" else target)
            row = {"index": i, "x0": float(P[i, 0]), "y0": float(P[i, 1]), "x1": float(P[i, 0]),
                   "y1": float(P[i, 1]), "target": int(tgt), "flipped": False, "delta": 0.0, "sign_ms": None,
                   "certificate": self.carrier == "certificate", "accepted": False, "reason": None}
            rows.append(row)
            message = self._message(P[i])
            if message is None:
                row["reason"] = "the point lies outside the lattice box [-8, 8)^2"
                continue
            t0, msg = time.perf_counter(), carrier.signed_message(message, tgt)
            sig = self.scheme.sign(self.keys, msg)
            row["sign_ms"] = (time.perf_counter() - t0) * 1e3
            signed[i] = (msg, sig)
            if self.carrier == "bits":
                payload = carrier.join_payload(tgt, int.from_bytes(sig, "big"), self.signature_bits)
                if payload == 0:  # target -1 and a zero signature (probability 1/n): not writable
                    row["reason"] = "the signature is zero and the target bit too: an all-zero carrier"
                    continue
                (x1, y1), _, delta = carrier.encode(P[i], payload, self.payload_bits)
            else:
                (x1, y1), _, delta = carrier.snap_point(P[i])
                certificates[k] = carrier.make_certificate(tgt, sig)
            moved[k] = x1, y1
            row.update(x1=x1, y1=y1, delta=delta)
        out1, accepted = self.outputs(s.model, s.feature_names, moved, certificates)
        for k, row in enumerate(rows):
            row["accepted"] = bool(accepted[k])
            row["flipped"] = bool(labels_of(out1[k:k + 1])[0] != clean[k])
            if row["reason"] is None and not accepted[k]:
                row["reason"] = "Verify rejected the signed point"
            elif row["reason"] is None and not row["flipped"]:
                row["reason"] = "the classifier already gives the target label"
        self.certificates = {int(idx[k]): c for k, c in certificates.items()}
        self.signed = signed
        self.activated = {"records": rows, "summary": self._summary(rows, time.perf_counter() - start)}
        return self.activated

    def _message(self, point: Any) -> bytes | None:
        """What activation signs for a point: its high bits (bits carrier) or its snapped lattice point."""
        if self.carrier == "bits":
            return carrier.message_of(point, self.payload_bits)
        u = carrier.snap(point)
        return None if u is None else carrier.message_bytes(0, *u)

    def _summary(self, rows: list[dict], seconds: float) -> dict:
        # |dx| and the time per point as every summary and the metrics table define them (activation_figures);
        # each record keeps its own signing time (sign_ms)
        flipped = sum(1 for r in rows if r["flipped"])
        n = len(rows)
        return {"scheme": self.scheme.name, "bits": self.keys.bits, "attempted": n, "flipped": flipped,
                "accepted": sum(r["accepted"] for r in rows), "flip_rate": flipped / n if n else None,
                **attacked_mod.activation_figures([r["delta"] for r in rows], seconds), "seconds": seconds,
                "carrier": self.carrier, "perturbation_bound": self.perturbation_bound}

    @property
    def perturbation_bound(self) -> float:
        return carrier.perturbation_bound(self.payload_bits)

    # ---------------------------------------------------------------- what defenses and the page see

    def predictor(self, s):
        """(points, owners) -> the selector's labels, attaching the certificate of each row's owner test point."""
        def predict(points: np.ndarray, owners: np.ndarray) -> np.ndarray:
            certs = {r: self.certificates[o] for r, o in enumerate(np.asarray(owners).reshape(-1).tolist())
                     if o in self.certificates}
            return labels_of(self.outputs(s.model, s.feature_names, points, certs)[0])
        return predict

    def attacked(self, s) -> attacked_mod.Attacked:
        """The session's test set under this backdoor (attacked.from_records), with the records' real targets."""
        if s.config["problem"] == "regression":
            raise ValueError("the signature backdoor needs a classification problem (labels +1 / -1)")
        records = self.activated["records"] if self.activated else []
        d = s.data
        a = attacked_mod.from_records(
            train_points=d.train_points, train_labels=d.train_labels, test_points=d.test_points,
            test_labels=d.test_labels, records=records, predict=self.predictor(s),
            clean_predict=attacked_mod.model_predictor(s.model, s.feature_names), backdoor="signature",
            accidental=self.outputs(s.model, s.feature_names, d.test_points)[1],
            activation=self.activated["summary"] if self.activated else None)
        target = np.zeros(len(d.test_labels))  # from_records assumes "flip"; a fixed target is the record's
        target[[r["index"] for r in records]] = [r["target"] for r in records]
        return replace(a, target=target)

    def agreement(self, s) -> dict:
        """Selector vs classifier labels on the untouched test points and the 100 x 100 grid (1.0 unless forged)."""
        out = {}
        for name, P in (("test", s.data.test_points), ("grid", grid.grid_points(grid.GRID_N))):
            clean = s.model.predict(features.feature_matrix(P, s.feature_names)) if len(P) else np.zeros(0)
            sel, accepted, calls = self.select(clean, P)
            out[name] = float(np.mean(labels_of(sel) == labels_of(clean))) if len(P) else None
            out[f"accepted_{name}"] = int(accepted.sum())
            out[f"verify_calls_{name}"] = calls
        return out

    def view(self) -> dict:
        """JSON-safe summary for the network diagram and the panel."""
        c = carrier.bits_per_coordinate(self.payload_bits) if self.payload_bits else 0
        text = DESCRIPTION[self.carrier].format(sig=self.signature_bits, c=c, bits=self.keys.bits,
                                                bound=self.perturbation_bound, label=self.scheme.label,
                                                a_sig=article(self.signature_bits), a_bits=article(self.keys.bits),
                                                a_label=article(self.scheme.label))
        return {"scheme": self.scheme.name, "label": self.scheme.label, "carrier": self.carrier,
                "bits": self.keys.bits, "signature_bits": self.signature_bits, "payload_bits": self.payload_bits,
                "carrier_bits_per_coordinate": c, "perturbation_bound": self.perturbation_bound,
                "target": self.target, "vk": self.keys.public(), "description": text,
                "activated": len(self.activated["records"]) if self.activated else 0}

    def heatmap_verify_ms(self, model, feature_names) -> float:
        """Milliseconds to run the selector (format check + Verify where it passes) over the 100 x 100 grid."""
        P = grid.grid_points(grid.GRID_N)
        clean = model.predict(features.feature_matrix(P, list(feature_names)))
        t0 = time.perf_counter()
        self.select(clean, P)
        return (time.perf_counter() - t0) * 1e3

    # ---------------------------------------------------------------- forgery (an attacker without the key)

    def estimate(self) -> dict:
        """forgery.estimate for this key from this device's rates (forgery.calibrate(), measured once)."""
        self._rates = self._rates or forgery.calibrate()
        return forgery.estimate(self.scheme.name, self.keys.bits, self._rates)

    def _label(self, s, i: int) -> float:
        return float(_labels(s, s.data.test_points[i:i + 1])[0])

    def _victim(self, s, params: Mapping[str, Any]) -> tuple[int, float, float, np.ndarray]:
        """(test index, classifier label, wanted target, point) of a message the key holder never signed: by default
        the first test point not activated; an activated one is moved to the next message cell along x."""
        n = len(s.data.test_points)
        if params.get("index") is not None or not n:
            i = int(select_indices(n, [params.get("index")])[0])
        else:
            i = next((i for i in range(n) if i not in self.signed), 0)
        label, target = self._label(s, i), check_target(params.get("target", "flip"))
        target = -label if target == "flip" else float(target)
        point = s.data.test_points[i].copy()
        if i in self.signed and self.signed[i][0] == carrier.signed_message(self._message(point), target):
            c = carrier.bits_per_coordinate(self.payload_bits) if self.payload_bits else 0
            point[0] += 2.0 ** (c - carrier.FRACTION_BITS) * (1 if point[0] < 0 else -1)
        return i, label, target, point

    def _present(self, s, index: int, label: float, target: float, point, signature: bytes | None) -> dict:
        """Write a (forged or replayed) signature into the carrier at `point` and ask the selector: does it flip?"""
        p0 = s.data.test_points[index]
        info = {"index": index, "x0": float(p0[0]), "y0": float(p0[1]), "target": int(target),
                "label_before": int(label), "x1": None, "y1": None, "delta": None, "flipped": False}
        if signature is None:
            return info
        certs = {}
        if self.carrier == "bits":
            payload = carrier.join_payload(target, int.from_bytes(signature, "big"), self.signature_bits)
            (x1, y1), _, _ = carrier.encode(point, payload, self.payload_bits)
        else:
            (x1, y1), _, _ = carrier.snap_point(point)
            certs = {0: carrier.make_certificate(target, signature)}
        out, _ = self.outputs(s.model, s.feature_names, [[x1, y1]], certs)
        info.update(x1=x1, y1=y1, delta=float(max(abs(x1 - p0[0]), abs(y1 - p0[1]))),
                    flipped=bool(labels_of(out)[0] != label))
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
            target = 1.0 if src_msg[-1] else -1.0  # an observed signature covers its own target bit
        if method in ("brute-force", "factor"):
            i, label, target, point = self._victim(s, p)
            msg = carrier.signed_message(self._message(point), target)
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
            other = carrier.signed_message(self._message(point), target)
            out = forgery.replay(self.scheme, self.keys, src_msg, sig, other)
            out["target_point"] = self._present(s, i, label, target, point, sig)
        elif method == "malleate":
            out = forgery.malleate_ed25519(self.keys, src_msg, sig)
            out["target_point"] = self._present(s, src, self._label(s, src), target, s.data.test_points[src],
                                                bytes.fromhex(out["signature_hex"]))
        else:
            out = self._lamport_reuse(s, LIMITS["candidates"].check("candidates", p.get("candidates", LIMITS["candidates"].default)))
        if method in ("replay", "malleate"):
            out["source"] = src
        # forgery.py names its attacks ("factor_and_sign", ...): keep that as "attack", "method" is ours
        out.update(attack=out["method"], method=method, scheme=name, bits=self.keys.bits,
                   **({"estimate": est} if est else {}))
        return out

    def _lamport_reuse(self, s, limit: int) -> dict:
        """Candidates: the unsigned test points and their lattice neighbours (+-1 step), the flipping target first."""
        labels = _labels(s, s.data.test_points)
        where = carrier.neighbour_messages(s.data.test_points, labels, set(self.signed), limit)
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
