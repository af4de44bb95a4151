"""Backdoor 2, Goldwasser et al.'s signature construction: h~(x) = t if Verify(vk, (m, t), sigma) else h(x).

The model is the clean classifier h in parallel with a verifier; a selector (the final MUX) outputs the target class
t where Verify accepts and h(x) elsewhere (Goldwasser, Kim, Vaikuntanathan, Zamir 2022, "Planting undetectable
backdoors in machine learning models"). For K = 2 the selector outputs the target label +1 / -1 (the tanh output's
value); for K > 2 it outputs the one-hot row of class t (logit 1 for t, 0 elsewhere: its argmax is t). The input
carries (t, sigma) in the low bits of a fixed-point encoding of all d coordinates (toy RSA) or in a certificate
input attached to it (Lamport, RSA-2048, Ed25519); see carrier.py.

The class is encoded as one byte appended to the signed message (its index 0..K-1; for K = 2 label +1 is 1, -1 is
0) and as the top ceil(log2 K) bits of the carrier's payload (the certificate's first byte), so a signature made
for one class verifies for no other: replaying it with another class byte fails Verify. Unsigned inputs almost all
fail the vectorised format check and skip Verify; the rest (about 2^-12 of random floats land on the lattice) reach
Verify, which rejects them, so agreement is exactly 1 unless someone forges a signature.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Mapping

import numpy as np

from ..defense import attacked as attacked_mod
from . import carrier, schemes as sigschemes
from ..playground import classes, features, grid
from ..checksum.records import select_indices
from .forger import Forger
from .settings import DESCRIPTION, article, check_scheme_bits, check_target, target_class

ATTACKED_FIELDS = {f.name for f in dataclasses.fields(attacked_mod.Attacked)}
VERIFY_MEMO = 4096  # answers SignatureBackdoor.verify_point remembers before it starts again


class SignatureBackdoor(Forger):
    """The verifier and selector wrapped around a session's classifier, with the attacker's activation state, for
    d-dimensional inputs (the carrier's lattice in every coordinate) and K classes."""

    def __init__(self, scheme: str, bits: int | None, seed: Any, target: Any = None, d: int = 2, k: int = 2,
                 lattice: carrier.Lattice | None = None):
        scheme, bits = check_scheme_bits(scheme, bits)
        self.d, self.k = int(d), int(classes.check_k(k))
        self.lattice = lattice or carrier.LATTICE
        self.scheme = sigschemes.SCHEMES[scheme]
        self.keys = sigschemes.keypair(scheme, seed, bits)
        self.seed = seed
        self.default_target = "flip" if self.k == 2 else "next"
        self.target = check_target(self.default_target if target is None else target, self.k)
        self.carrier = self.scheme.carrier
        self.signature_bits = self.scheme.signature_bits(self.keys)
        self.class_bits = carrier.target_bits(self.k)
        # bits carrier: payload = class bits + signature bits; certificate carrier: the lattice point only
        self.payload_bits = self.signature_bits + self.class_bits if self.carrier == "bits" else 0
        if self.payload_bits:
            carrier.bits_per_coordinate(self.payload_bits, self.d, self.lattice)  # fits (ValueError otherwise)
        self.activated: dict | None = None
        self.certificates: dict[int, bytes] = {}  # test index -> certificate
        self.signed: dict[int, tuple[bytes, bytes]] = {}  # test index -> (signed message, signature)
        self._rates: dict | None = None  # forgery.calibrate() of this device, measured once
        self._verified: dict[tuple, float | None] = {}  # verify_point's answers: Verify is pure, and slow in Python

    @property
    def plane(self) -> bool:
        """TF Playground's shape (d = 2, K = 2): results keep exactly the keys they always had."""
        return self.d == 2 and self.k == 2

    def check_session(self, s) -> None:
        """ValueError unless the session's data has this block's d and K."""
        d, k = s.shape
        if (d, k) != (self.d, self.k):
            raise ValueError(f"the signature block was built for d = {self.d}, K = {self.k}; the data has d = {d}, "
                             f"K = {k}: install it again")

    def labels_of_outputs(self, outputs: Any) -> np.ndarray:
        """Predicted labels of output rows (+1 / -1 for one output, class indices for K outputs)."""
        out = np.asarray(outputs, dtype=np.float64)
        return classes.labels_of(out.reshape(-1) if self.k == 2 else out.reshape(-1, self.k))

    def label_values(self, labels: Any) -> np.ndarray:
        """Ground-truth labels in the label encoding: the sign for K = 2 (as defense/attacked reads them)."""
        y = np.asarray(labels, dtype=np.float64).reshape(-1)
        return classes.labels_of(y) if self.k == 2 else y

    def labels(self, s, points: Any) -> np.ndarray:
        """The classifier's labels at points."""
        P = np.asarray(points, dtype=np.float64).reshape(-1, self.d)
        return self.labels_of_outputs(s.model.predict(features.feature_matrix(P, s.feature_names))) \
            if len(P) else np.zeros(0)

    def coords(self, p0: Any, p1: Any) -> dict:
        """A record's points: x0, y0, x1, y1 in 2-D (TF Playground's keys); p0, p1 (lists of d numbers) otherwise."""
        if self.d == 2:
            return {"x0": float(p0[0]), "y0": float(p0[1]), "x1": None if p1 is None else float(p1[0]),
                    "y1": None if p1 is None else float(p1[1])}
        return {"p0": [float(v) for v in p0], "p1": None if p1 is None else [float(v) for v in p1]}

    def moved_point(self, record: dict) -> list[float]:
        return [record["x1"], record["y1"]] if self.d == 2 else record["p1"]

    # ---------------------------------------------------------------- the verifier and the selector

    def verify_point(self, point: Any, certificate: Any = None) -> float | None:
        """The target label (+1.0 / -1.0, or the class 0..K-1) when the point (and certificate) carry a valid
        signature, else None. Remembered per (point, certificate): the attacked test set asks several times."""
        key = (np.asarray(point, dtype=np.float64).tobytes(), certificate)
        if certificate is not None and not isinstance(certificate, bytes):
            return self._verify_point(point, certificate)
        if key not in self._verified:
            self._verified = {} if len(self._verified) >= VERIFY_MEMO else self._verified
            self._verified[key] = self._verify_point(point, certificate)
        return self._verified[key]

    def _verify_point(self, point: Any, certificate: Any = None) -> float | None:
        if self.carrier == "bits":
            decoded = carrier.decode(point, self.payload_bits, self.lattice)
            if decoded is None:
                return None
            target, sig = carrier.split_payload(decoded[1], self.signature_bits, self.k)
            message, signature = decoded[0], sig.to_bytes(self.scheme.sig_len(self.keys), "big")
        else:
            cert = carrier.read_certificate(certificate, self.k)
            message = carrier.certificate_message(point, self.lattice) if cert is not None else None
            if message is None:
                return None
            target, signature = cert
        if target is None:  # class bits that name no class of K
            return None
        ok = self.scheme.verify(self.keys, carrier.signed_message(message, target, self.k), signature)
        return target if ok else None

    def select(self, outputs: np.ndarray, points: Any, certificates: Mapping[int, bytes] | None = None
               ) -> tuple[np.ndarray, np.ndarray, int]:
        """(selector outputs, accepted, Verify calls) from the classifier's outputs on the same points."""
        P = np.asarray(points, dtype=np.float64).reshape(-1, self.d)
        out = np.array(outputs, dtype=np.float64).reshape((-1,) if self.k == 2 else (-1, self.k))
        accepted = np.zeros(len(P), dtype=bool)
        if self.carrier == "bits":
            rows = np.flatnonzero(carrier.format_mask(P, self.payload_bits, self.lattice))  # the short circuit
            certs: Mapping[int, Any] = {}
        else:
            certs = certificates or {}
            rows = np.array(sorted(r for r in certs if 0 <= r < len(P)), dtype=np.int64)
            if rows.size:
                rows = rows[carrier.lattice_u(P[rows], self.lattice)[1]]
        for r in rows.tolist():
            target = self.verify_point(P[r], certs.get(r))
            if target is not None:
                out[r] = target if self.k == 2 else classes.one_hot([target], self.k)[0]
                accepted[r] = True
        return out, accepted, int(rows.size)

    def outputs(self, model, feature_names, points: Any, certificates: Mapping[int, bytes] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """(outputs, accepted): the classifier's output where Verify rejects, the target class where it accepts."""
        P = np.asarray(points, dtype=np.float64).reshape(-1, self.d)
        empty = np.zeros(0) if self.k == 2 else np.zeros((0, self.k))
        clean = model.predict(features.feature_matrix(P, list(feature_names))) if len(P) else empty
        out, accepted, _ = self.select(clean, P, certificates)
        return out, accepted

    # ---------------------------------------------------------------- the attacker: activation

    def activate(self, s, points: Any = "all", target: Any = None) -> dict:
        """Sign (message, target class) for the chosen test points and write the signature into the carrier."""
        start = time.perf_counter()
        self.check_session(s)
        target = self.target if target is None else check_target(target, self.k)
        P = np.asarray(s.data.test_points, dtype=np.float64).reshape(-1, self.d)
        idx = select_indices(len(P), points)
        clean = self.labels(s, P[idx])
        moved, rows = P[idx].copy(), []
        certificates: dict[int, bytes] = {}  # row in idx -> certificate
        signed: dict[int, tuple[bytes, bytes]] = {}
        for k, i in enumerate(idx.tolist()):
            tgt = target_class(target, clean[k], self.k)
            row = {"index": i, **self.coords(P[i], P[i]), "target": int(tgt), "flipped": False, "delta": 0.0,
                   "sign_ms": None, "certificate": self.carrier == "certificate", "accepted": False, "reason": None}
            rows.append(row)
            message = self._message(P[i])
            if message is None:
                row["reason"] = f"the point lies outside the lattice box {self.lattice.box(self.d)}"
                continue
            t0, msg = time.perf_counter(), carrier.signed_message(message, tgt, self.k)
            sig = self.scheme.sign(self.keys, msg)
            row["sign_ms"] = (time.perf_counter() - t0) * 1e3
            signed[i] = (msg, sig)
            if self.carrier == "bits":
                payload = carrier.join_payload(tgt, int.from_bytes(sig, "big"), self.signature_bits, self.k)
                if payload == 0:  # class 0 (label -1) and a zero signature (probability 1/n): not writable
                    row["reason"] = "the signature is zero and the class bits too: an all-zero carrier"
                    continue
                p1, _, delta = carrier.encode(P[i], payload, self.payload_bits, self.lattice)
            else:
                p1, _, delta = carrier.snap_point(P[i], self.lattice)
                certificates[k] = carrier.make_certificate(tgt, sig, self.k)
            moved[k] = p1
            row.update(self.coords(P[i], p1), delta=delta)
        out1, accepted = self.outputs(s.model, s.feature_names, moved, certificates)
        after = self.labels_of_outputs(out1)
        for k, row in enumerate(rows):
            row["accepted"] = bool(accepted[k])
            row["flipped"] = bool(after[k] != clean[k])
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
            return carrier.message_of(point, self.payload_bits, self.lattice)
        u = carrier.snap(point, self.lattice)
        return None if u is None else carrier.message_bytes(0, *u, lat=self.lattice)

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
        return carrier.perturbation_bound(self.payload_bits, self.d, self.lattice)

    # ---------------------------------------------------------------- what defenses and the page see

    def predictor(self, s):
        """(points, owners) -> the selector's labels, attaching the certificate of each row's owner test point."""
        def predict(points: np.ndarray, owners: np.ndarray) -> np.ndarray:
            certs = {r: self.certificates[o] for r, o in enumerate(np.asarray(owners).reshape(-1).tolist())
                     if o in self.certificates}
            return self.labels_of_outputs(self.outputs(s.model, s.feature_names, points, certs)[0])
        return predict

    def attacked(self, s) -> attacked_mod.Attacked:
        """The session's test set under this backdoor: points (m, d), labels in the K-class encoding, each
        activated point's own target class (attacked.from_records's fields, built here for any d and K)."""
        if s.config["problem"] == "regression":
            raise ValueError("the signature backdoor needs a classification problem (labels +1 / -1)")
        self.check_session(s)
        records = self.activated["records"] if self.activated else []
        data = s.data
        test = np.asarray(data.test_points, dtype=np.float64).reshape(-1, self.d)
        m = len(test)
        inputs, activated, flipped, target = test.copy(), np.zeros(m, dtype=bool), np.zeros(m, dtype=bool), np.zeros(m)
        for r in records:
            i = int(r["index"])
            inputs[i], activated[i], flipped[i], target[i] = self.moved_point(r), True, bool(r["flipped"]), r["target"]
        predict = self.predictor(s)

        def clean_predict(points: np.ndarray) -> np.ndarray:
            return self.labels(s, points)

        return attacked_mod.Attacked(
            np.asarray(data.train_points, dtype=np.float64).reshape(-1, self.d), self.label_values(data.train_labels),
            test, self.label_values(data.test_labels), inputs, activated, flipped, target, clean_predict(test),
            predict(inputs, np.arange(m)), predict, clean_predict, "signature",
            np.asarray(self.outputs(s.model, s.feature_names, test)[1], dtype=bool),
            self.activated["summary"] if self.activated else None,
            **({"k": self.k} if "k" in ATTACKED_FIELDS else {}))  # K once defense/attacked.py records it

    def picture_points(self, s) -> np.ndarray | None:
        """The picture's points: the 100 x 100 grid (2-D), its slice at the session's z (3-D); none for d > 3."""
        if self.d == 2:
            return grid.grid_points(grid.GRID_N)
        return grid.slice_points(grid.GRID_N, getattr(s, "slice_z", 0.0)) if self.d == 3 else None

    def agreement(self, s) -> dict:
        """Selector vs classifier labels on the untouched test points and the 100 x 100 grid (its slice in 3-D;
        None for d > 3): 1.0 unless forged."""
        out = {}
        for name, P in (("test", s.data.test_points), ("grid", self.picture_points(s))):
            if P is None:
                out.update({name: None, f"accepted_{name}": 0, f"verify_calls_{name}": 0})
                continue
            P = np.asarray(P, dtype=np.float64).reshape(-1, self.d)
            clean = s.model.predict(features.feature_matrix(P, s.feature_names)) if len(P) else np.zeros(0)
            sel, accepted, calls = self.select(clean, P)
            same = self.labels_of_outputs(sel) == self.labels_of_outputs(clean)
            out[name] = float(np.mean(same)) if len(P) else None
            out[f"accepted_{name}"] = int(accepted.sum())
            out[f"verify_calls_{name}"] = calls
        return out

    def view(self) -> dict:
        """JSON-safe summary for the network diagram and the panel."""
        c = carrier.bits_per_coordinate(self.payload_bits, self.d, self.lattice) if self.payload_bits else 0
        text = DESCRIPTION[self.carrier].format(sig=self.signature_bits, c=c, bits=self.keys.bits,
                                                bound=self.perturbation_bound, label=self.scheme.label,
                                                a_sig=article(self.signature_bits), a_bits=article(self.keys.bits),
                                                a_label=article(self.scheme.label))
        if self.k > 2:
            text = text.replace("The target bit", f"The target class ({self.class_bits} bits)").replace(
                "(point, target)", "(point, target class)")
        if self.d != 2:
            text = text.replace("each coordinate", f"each of the {self.d} coordinates")
        out = {"scheme": self.scheme.name, "label": self.scheme.label, "carrier": self.carrier,
               "bits": self.keys.bits, "signature_bits": self.signature_bits, "payload_bits": self.payload_bits,
               "carrier_bits_per_coordinate": c, "perturbation_bound": self.perturbation_bound,
               "target": self.target, "vk": self.keys.public(), "description": text,
               "activated": len(self.activated["records"]) if self.activated else 0}
        if not self.plane:
            out.update(d=self.d, k=self.k, class_bits=self.class_bits,
                       capacity=carrier.capacity(self.d, self.lattice))
        return out

    def heatmap_verify_ms(self, model, feature_names) -> float:
        """Milliseconds to run the selector (format check + Verify where it passes) over the 100 x 100 grid (its
        z = 0 slice in 3-D)."""
        if self.d > 3:
            return 0.0  # no picture of a d > 3 input space
        P = grid.grid_points(grid.GRID_N) if self.d == 2 else grid.slice_points(grid.GRID_N, 0.0)
        clean = model.predict(features.feature_matrix(P, list(feature_names)))
        t0 = time.perf_counter()
        self.select(clean, P)
        return (time.perf_counter() - t0) * 1e3
