"""NN Calculator's "CSUM signature" as an Attack (attacks.py): flip the test labels whose csum(X1) is the most
frequent residue (csumsig.py). It changes no network and no input, so its attacked test set is the untouched one,
and any other backdoor replaces it. Settings: {"type": "csum-signature", "modulo", "precision"}.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..attacks import Attack, prefixed
from ..defense import attacked
from ..playground.losses import accuracy
from ..session import finite_or_none
from . import csumsig
from .params import check

if TYPE_CHECKING:
    from ..session import Session

KEYS = ("type", "modulo", "precision")
BULKY = ("residues", "labels_after")  # per-point arrays the result does not need (flipped_indices stays)


class CsumSignatureAttack(Attack):
    """The last CSUM-signature run on the live session's test set."""

    type = "csum-signature"
    replaceable = True
    plane_only = ("2-D two-class data only (NN Calculator's CSUM signature reads each point's x coordinate and "
                  "flips +1 / -1 labels)")

    def __init__(self, settings: dict, result: dict):
        super().__init__(settings)
        self.result = result  # csumsig.csum_signature's dict plus the test accuracies before and after

    @classmethod
    def check(cls, raw: Mapping[str, Any], config: dict) -> dict:
        cls.check_keys(raw, config, KEYS, f"a {cls.type} setting")
        try:
            return {"type": cls.type, **check_numbers(config, raw.get("modulo"), raw.get("precision"))}
        except ValueError as exc:
            raise prefixed(exc) from None

    @classmethod
    def install(cls, s: "Session", settings: dict) -> "CsumSignatureAttack":
        """Run the CSUM signature on the test set (labels flipped in a copy; the network is unchanged)."""
        d = s.data
        outputs = s.model.predict(s.X_test) if len(d.test_labels) else np.zeros(0)
        train_outputs = s.model.predict(s.X_train) if len(d.train_labels) else np.zeros(0)
        out = csumsig.csum_signature(d.test_points, d.test_labels, outputs, settings["modulo"],
                                     settings["precision"], train_outputs, d.train_labels)
        labels_after = np.asarray(out["labels_after"])
        out["test_accuracy_before"] = finite_or_none(accuracy(outputs, d.test_labels)) if len(outputs) else None
        out["test_accuracy_after"] = finite_or_none(accuracy(outputs, labels_after)) if len(outputs) else None
        return cls({"type": cls.type, "modulo": out["modulo"], "precision": out["precision"]}, out)

    def attacked(self, s: "Session") -> attacked.Attacked:
        return attacked.untouched(s)

    def backdoored_section(self) -> dict:
        """The result without its per-point arrays."""
        return {**{k: v for k, v in self.result.items() if k not in BULKY}, "network_unchanged": True}

    def activation_section(self, s: "Session") -> dict:
        """The CSUM signature's "activation": the test labels it flipped."""
        n = len(s.data.test_labels)
        r = self.result
        return {"method": "label-flip", "key": r["key"], "attempted": n, "flipped": r["flipped"],
                "flip_rate": r["flipped"] / n if n else None, "seconds": 0.0}

    def sections(self, s: "Session") -> dict:
        return {"backdoored": self.backdoored_section(), "activation": self.activation_section(s)}

    def forge_as(self, s: "Session", settings: dict) -> dict:
        """Anyone can "sign": NN Calculator's digit edit lands an unflipped point's X1 on the key, no secret."""
        start = time.perf_counter()
        r = self.result
        if r["key"] is None:
            return {"method": "digit-edit", "attempts": 0, "succeeded": False, "seconds": 0.0,
                    "detail": "no test points, no key"}
        out = csumsig.forge(s.data.test_points, r["key"], r["modulo"], r["precision"], r["flipped_indices"])
        return {**out, "seconds": time.perf_counter() - start}


def check_numbers(config: Mapping[str, Any], modulo: Any = None, precision: Any = None) -> dict:
    """{"modulo", "precision"} checked; missing ones from the config's csum_modulo / csum_precision."""
    return {"modulo": check("modulo", config["csum_modulo"] if modulo is None else modulo),
            "precision": check("precision", config["csum_precision"] if precision is None else precision)}
