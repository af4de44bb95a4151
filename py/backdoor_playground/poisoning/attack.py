"""The data-poisoning backdoor as an Attack (attacks.py): BadNets (Gu et al. 2017), for any d and K.

Plant poisons a seeded share of the training points (trigger.py) and trains the network from its initial weights on
that set for as many epochs as the clean model had; the clean model stays the reference. Activation applies the
trigger to test points; its |dx| is of the order of the data box (visible), the opposite of a cryptographic
trigger. The settings object of an experiment:

    {"type": "poisoning", "rate": 0.1, "trigger": "box" (the square below) | "T1".."T9" (NN Calculator's trojan
     regions, trigger.py), "center": [4.5, -4.5], "half_width": 0.5 (the box's), "target": 1 (default: the region's
     own label for T1-T5 and T8, else 1), "epochs": 0 (0: the clean model's epochs), "points": "all" (the test
     points the clean model does not already label as the target, BadNets' attack-success denominator) |
     [test indices]}

Any d and K (issue 14): the box is a cube around a d-dimensional centre for d = 3 (default [4.5, -4.5, 4.5]); on
d > 3 data (the digits) the trigger is BadNets' own pixel patch ("patch"; "box" is read as it there): the 3 x 3
bottom-right pixels set to the brightest value (trigger.py). The target is any class: +1 / -1 for K = 2, 0..K-1
for K > 2 (default 0). The trojan regions T1..T9 stay 2-D two-class only.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..attacks import Attack, prefixed
from ..checksum.records import check_points, select_indices
from ..defense import attacked
from ..defense.attacked import labels_of
from ..limits import Limit, not_one_of
from ..playground import features, problem, rng
from ..playground.classes import accuracy, k_of_model, probabilities
from ..playground.datasets_nd import DIGITS_MAX
from ..session import finite_or_none
from .trigger import (IMAGE_TRIGGERS, TRIGGERS, PatchTrigger, RegionTrigger, Trigger, choose_poisoned, corner_patch, make_trigger,
                      parts_for, poison)

if TYPE_CHECKING:
    from ..playground.nn import MLP
    from ..session import Session

KEYS = ("type", "rate", "trigger", "center", "half_width", "target", "epochs", "points", "pixels", "value")
LIMITS = {
    "rate": Limit(0.0, 1.0, 0.1, "share of the training points poisoned", integer=False, low_open=True),
    "half_width": Limit(0.0, 3.0, 0.5, "half-width of the square trigger region", integer=False, low_open=True),
    "center": Limit(-6.0, 6.0, 4.5, "a coordinate of the trigger region's centre", integer=False),
    "epochs": Limit(0, 100_000, 0, "training epochs on the poisoned set (0: as many as the clean model had)"),
}
DEFAULT_CENTER = (4.5, -4.5)
TRAIN_PARTS, TEST_PARTS = 1, 2  # sub-streams of "poison": the region each training / test point index goes to


def check_target(raw: Any, trigger: Trigger | RegionTrigger | PatchTrigger, k: int = 2) -> int:
    """The target label: the region's own for a trojan that imposes one (another is refused), else 1 or -1 (K = 2)
    or a class 0..K-1 (K > 2, default 0)."""
    fixed = trigger.fixed_target
    if k > 2:
        target = 0 if raw is None else raw
        if isinstance(target, bool) or not isinstance(target, (int, float)) or target not in range(k):
            raise ValueError(f"target must be a class 0..{k - 1} (BadNets sends triggered inputs to one class), "
                             f"got {target!r}")
        return int(target)
    target = raw if raw is not None else fixed if fixed is not None else 1
    if isinstance(target, bool) or target not in (1, -1):
        raise ValueError(f"target must be 1 or -1 (BadNets sends triggered inputs to one class), got {target!r}")
    if fixed is not None and target != fixed:
        raise ValueError(f"target must be {fixed} with trigger {trigger.name}: NN Calculator's {trigger.name} "
                         f"labels its region {fixed}, got {target!r}")
    return int(target)


class PoisoningAttack(Attack):
    """The model trained on the poisoned set, its clean reference, and the last activation."""

    type = "poisoning"
    plane_only = None  # any d and K (the trojan regions refuse other data in check)

    def __init__(self, settings: dict, trigger: Trigger | RegionTrigger, clean_model: "MLP", poisoned: np.ndarray,
                 train_points: np.ndarray, train_labels: np.ndarray):
        super().__init__(settings)
        self.trigger = trigger
        self.clean_model = clean_model
        self.poisoned = poisoned            # indices of the changed training points (for detectors' TPR / FPR)
        # the training set as the defender has it: poisoned (what the model was trained on)
        self.train_points, self.train_labels = train_points, train_labels
        self.activated: dict | None = None

    @classmethod
    def check(cls, raw: Mapping[str, Any], config: dict) -> dict:
        cls.check_keys(raw, config, KEYS, "a poisoning setting")
        try:
            d, k = problem.shape(config)
            d, k = max(d, 2), max(k, 2)  # regression: refused above
            name = raw.get("trigger", "box")
            allowed = {**TRIGGERS, **IMAGE_TRIGGERS} if d > 3 else TRIGGERS
            if not isinstance(name, str) or (name not in TRIGGERS and name not in IMAGE_TRIGGERS):
                raise not_one_of("trigger", name, allowed)
            if d > 3 and name == "box":
                name = "patch"
            if name == "patch" and d <= 3:
                raise ValueError(f"trigger patch is an image trigger for d > 3 (digits); this data is {d}-D: use box")
            if name not in ("box", "patch") and (d, k) != (2, 2):
                raise ValueError(f"trigger {name}: NN Calculator's trojan regions are drawn for 2-D two-class data; "
                                 f"this data has d = {d}, K = {k} (use box)")
            rate = LIMITS["rate"].check("rate", raw.get("rate", LIMITS["rate"].default))
            if name == "patch":
                value = 1.0 if config.get("digits_scale") == "unit" else DIGITS_MAX
                out = {"type": cls.type, "rate": rate, "trigger": name, "pixels": list(corner_patch(d)),
                       "value": value}
            else:
                center = raw.get("center", [*DEFAULT_CENTER, *([DEFAULT_CENTER[0]] if d == 3 else [])])
                if not isinstance(center, (list, tuple)) or len(center) != min(d, 3):
                    raise ValueError(f"center must be a pair [x, y], got {center!r}" if d == 2 else
                                     f"center must be a list of 3 numbers [x, y, z], got {center!r}")
                out = {"type": cls.type, "rate": rate, "trigger": name,
                       "center": [LIMITS["center"].check("center", c) for c in center],
                       "half_width": LIMITS["half_width"].check("half_width",
                                                                raw.get("half_width", LIMITS["half_width"].default))}
            target = check_target(raw.get("target"), make_trigger(out), k)
            return {**out, "target": target,
                    "epochs": LIMITS["epochs"].check("epochs", raw.get("epochs", LIMITS["epochs"].default)),
                    "points": check_points(raw.get("points", "all"))}
        except ValueError as exc:
            raise prefixed(exc) from None

    @classmethod
    def install(cls, s: "Session", settings: dict) -> "PoisoningAttack":
        """Poison the training set and train the network from its initial weights on it (the clean model stays)."""
        settings = cls.check(settings, s.config)
        trigger = make_trigger(settings)
        d = s.data
        chosen = choose_poisoned(len(d.train_labels), settings["rate"], rng.stream(s.config["seed"], "poison"))
        part = parts_for(trigger, len(d.train_labels), rng.stream(s.config["seed"], "poison", TRAIN_PARTS))
        points, labels, changed = poison(d.train_points, d.train_labels, chosen, trigger, settings["target"], part)
        clean = s.model.copy()
        model = s.initial_model()
        s.trainer_for(model, features.feature_matrix(points, s.feature_names), labels).run(
            settings["epochs"] or s.epoch)
        s.model = model
        s.trainer.model = model  # the page's training goes on with clean data: fine-tuning, in the matrix's words
        recorded = {k: v for k, v in settings.items() if k != "points"}
        return cls({**recorded, "points": []}, trigger, clean, changed, points, labels)

    def poisoned_indices(self) -> list[int]:
        return [int(i) for i in self.poisoned]

    def remove(self, s: "Session") -> None:
        s.model = self.clean_model
        s.trainer.model = self.clean_model

    # ---------------------------------------------------------------- activation

    def activate(self, s: "Session", points: Any = "all") -> dict:
        """Apply the trigger to test points: {"records", "summary"}; "all" means the points the clean model does not
        already give the target label."""
        start = time.perf_counter()
        P = s.data.test_points
        clean = labels_of(self.clean_model.predict(s.X_test)) if len(P) else np.zeros(0)
        target = float(self.settings["target"])
        if isinstance(points, str):
            indices = np.flatnonzero(clean != target)
        else:
            indices = select_indices(len(P), points)
        part = parts_for(self.trigger, len(P), rng.stream(s.config["seed"], "poison", TEST_PARTS))
        moved = self.trigger.apply(P[indices], part[indices])
        out0 = s.model.predict(features.feature_matrix(P[indices], s.feature_names)) if len(indices) else []
        out1 = s.model.predict(features.feature_matrix(moved, s.feature_names)) if len(indices) else []
        multi = k_of_model(s.model) > 2
        if multi and len(indices):  # K > 2: out0 / out1 are the target class's probability
            out0, out1 = (probabilities(o)[:, int(target)] for o in (out0, out1))
        d = P.shape[1]
        records = []
        for j, i in enumerate(indices.tolist()):
            label1 = labels_of(s.model.predict(features.feature_matrix(moved[j:j + 1], s.feature_names)))[0] \
                if multi else labels_of([out1[j]])[0]
            flipped = bool(label1 == target and clean[i] != target)
            records.append({"index": i, "x0": float(P[i, 0]), "y0": float(P[i, 1]), "x1": float(moved[j, 0]),
                            "y1": float(moved[j, 1]), "out0": finite_or_none(out0[j]), "out1": finite_or_none(out1[j]),
                            "flipped": flipped, "delta": float(np.abs(moved[j] - P[i]).max()),
                            **({"p0": P[i].tolist(), "p1": moved[j].tolist()} if d != 2 else {}),
                            **({"target": int(target)} if multi else {})})
        flipped = sum(1 for r in records if r["flipped"])
        n = len(records)
        seconds = time.perf_counter() - start
        summary = {"method": "trigger", "attempted": n, "flipped": flipped, "flip_rate": flipped / n if n else None,
                   **attacked.activation_figures([r["delta"] for r in records], seconds), "seconds": seconds}
        if isinstance(self.trigger, PatchTrigger):
            summary["notes"] = [f"BadNets' image trigger: the {len(self.trigger.pixels)} bottom-right pixels "
                                f"{list(self.trigger.pixels)} set to {self.trigger.value:g}, every other pixel kept"]
        self.activated = {"records": records, "summary": summary}
        self.settings["points"] = points
        s.attack_changed()
        return self.activated

    def activate_as(self, s: "Session", settings: dict) -> None:
        try:
            self.activate(s, settings["points"])
        except ValueError as exc:
            raise ValueError(f"backdoor.points: {exc}") from None

    # ---------------------------------------------------------------- what the page and results see

    def attacked(self, s: "Session") -> attacked.Attacked:
        names = s.feature_names
        bd = attacked.model_predictor(s.model, names)
        return attacked.from_records(
            train_points=self.train_points, train_labels=self.train_labels, test_points=s.data.test_points,
            test_labels=s.data.test_labels, records=self.activated["records"] if self.activated else [],
            predict=lambda points, owners: bd(points), clean_predict=attacked.model_predictor(self.clean_model, names),
            backdoor=self.type, accidental=self.trigger.contains(s.data.test_points),
            activation=self.activated["summary"] if self.activated else None, k=k_of_model(s.model))

    def stats(self, s: "Session") -> dict:
        """The poisoned model against its clean reference: accuracies and agreement at untouched points."""
        X_grid = attacked.grid_features(s)
        out: dict[str, Any] = {"poisoned": int(len(self.poisoned)), "rate": self.settings["rate"],
                               "trigger": self.trigger.to_dict(), "target": self.settings["target"]}
        for split, X, y in (("train", s.X_train, s.data.train_labels), ("test", s.X_test, s.data.test_labels)):
            out[f"{split}_accuracy"] = finite_or_none(accuracy(s.model.predict(X), y)) if len(y) else None
        for name, X in (("agreement", s.X_test), ("agreement_grid", X_grid)):
            if X is None:  # d > 3: no picture grid
                out[name] = None
                continue
            same = labels_of(s.model.predict(X)) == labels_of(self.clean_model.predict(X)) if len(X) else []
            out[name] = float(np.mean(same)) if len(X) else None
        out["clean_test_accuracy"] = (finite_or_none(accuracy(self.clean_model.predict(s.X_test), s.data.test_labels))
                                      if len(s.data.test_labels) else None)
        return out

    def sections(self, s: "Session") -> dict:
        out: dict = {"backdoored": self.stats(s)}
        if self.activated:
            out["activation"] = {**self.activated["summary"], "records": self.activated["records"]}
        return out
