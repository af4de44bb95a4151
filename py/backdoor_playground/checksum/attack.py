"""Backdoor 1 as an Attack (attacks.py): NN Calculator's checksum planted in the non-linear operator.

Plant swaps the hidden operators for checksum operators and keeps the trained weights; the config records the
numbers (csum_*) and the planted operators (activations), so links and model files carry the backdoor. Activation
is NN Calculator's digit edit or the key holder's search (plant.py). The settings object of an experiment:

    {"type": "checksum", "variant": "decimal" | "keyed" | "parity", "key", "modulo", "precision", "secret",
     "layers": "all" | "first", "activation": "digit-edit" | "search" | "none", "points": "all" | [test indices],
     "window": 45, "refine": 3 (digit-edit), "k": 1, "radius": 1e-3, "max_trials": 1000000, "calibrate_ms": 300
     (search), "target": "flip" (K = 2) | "next" (K > 2, the default) | a class index (K > 2)}

Any d and K (issue 14): the operator reads the low digits of first-layer pre-activations, each a weighted sum of all
d coordinates; the digit edit moves one coordinate, the search all of them (checksum/digit_edit.py, search.py).
K = 2 flips the label; K > 2 sends the point to the target class (checksum/targets.py). The agreement and the
trigger rates on the picture grid are over the plane (d = 2) or the shown z-slice (d = 3); none for d > 3.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..attacks import Attack, prefixed
from ..limits import not_one_of
from ..defense import attacked
from ..playground import config as cfg
from ..playground import features, problem
from ..playground.classes import accuracy, k_of_model, labels_of
from ..playground.nn import MLP
from ..session import finite_or_none
from .. import checksum as backdoor
from . import targets

if TYPE_CHECKING:
    from ..session import Session

ACTIVATIONS = (*backdoor.METHODS, "none")
ATTACK_KEYS = {"digit-edit": backdoor.DIGIT_EDIT_KEYS, "search": ("k", "radius", "max_trials"), "none": ()}
KEYS = ("type", *backdoor.PLANT_KEYS, "activation", "points", *backdoor.DIGIT_EDIT_KEYS, "k", "radius",
        "max_trials", "calibrate_ms", "target")
# Checksum numbers: a planted model's operator takes them live (same weights, new numbers).
CSUM_KEYS = frozenset({"csum_key", "csum_modulo", "csum_precision", "csum_variant", "csum_secret"})


def config_params(config: Mapping[str, Any], params: dict | None = None) -> backdoor.PlantParams:
    """Plant parameters: `params` over the config's csum_* keys."""
    return backdoor.plant_params(params, backdoor.params_from_config(config))


def operator_model(s: "Session") -> MLP:
    """The model an activation runs on: the live one; an unplanted one tests the config's numbers (a control)."""
    if backdoor.planted_layers(s.model):
        return s.model
    model = s.model.copy()
    model.operator_params = config_params(s.config).csum
    return model


class ChecksumAttack(Attack):
    """The planted checksum operator, its clean reference and the last activation (or a running search)."""

    type = "checksum"
    plane_only = None  # any d and K

    def __init__(self, settings: dict | None, clean_model: MLP | None, planted_activations: list[str] | None):
        super().__init__(settings)
        self.clean_model = clean_model                  # None for a model that came planted (link, model file)
        self.planted_activations = planted_activations  # config["activations"] before planting
        self.activated: dict | None = None              # {"records", "summary"} of the last activation
        self.search: backdoor.SearchRun | None = None   # a running key-holder search

    @staticmethod
    def live(s: "Session") -> "ChecksumAttack | None":
        """The session's checksum attack, if that is the live backdoor."""
        return s.attack if isinstance(s.attack, ChecksumAttack) else None

    # ---------------------------------------------------------------- config

    @classmethod
    def check(cls, raw: Mapping[str, Any], config: dict) -> dict:
        cls.check_keys(raw, config, KEYS, "a checksum backdoor setting", classification=False)
        method = raw.get("activation", "digit-edit")
        if method not in ACTIVATIONS:
            raise not_one_of("backdoor.activation", method, ACTIVATIONS)
        try:
            plant = config_params(config, {k: raw[k] for k in backdoor.PLANT_KEYS if k in raw})
            attack = {k: raw[k] for k in ATTACK_KEYS[method] if k in raw}
            if method == "search":
                backdoor.SearchParams.from_dict(attack)  # k is re-checked against the net
            elif method == "digit-edit":
                backdoor.digit_edit_params(attack)
            calibrate_ms = raw.get("calibrate_ms", 300)
            if method == "search" and calibrate_ms != 0:
                backdoor.float_in("calibrate_ms", calibrate_ms, 0.0, 60_000.0)
            points = backdoor.check_points(raw.get("points", "all"))
            k = problem.shape(config)[1]
            target = targets.check_target(raw.get("target"), max(k, 2))
        except ValueError as exc:
            raise prefixed(exc) from None
        misplaced = [k for k in (*backdoor.DIGIT_EDIT_KEYS, "k", "radius", "max_trials", "calibrate_ms")
                     if k in raw and k not in ATTACK_KEYS[method] and not (k == "calibrate_ms" and method == "search")]
        if misplaced:
            raise ValueError(f"backdoor.{misplaced[0]} does not apply to activation {method!r}")
        return {"type": cls.type, **plant.to_dict(), "activation": method, "points": points, **attack,
                **({"calibrate_ms": calibrate_ms} if method == "search" else {}),
                **({"target": target} if "target" in raw or k > 2 else {})}

    @classmethod
    def adopt(cls, s: "Session") -> "ChecksumAttack | None":
        if not backdoor.planted_layers(s.model):
            return None
        return cls(None, None, None)  # the config's csum_* keys and activations already describe it

    def config_changed(self, s: "Session", changed: set[str]) -> bool:
        if not (changed & CSUM_KEYS and backdoor.planted_layers(s.model)):
            return False
        s.model.operator_params = config_params(s.config).csum
        return True

    def rebuild_config(self, changed: set[str], config: dict) -> dict:
        if "activation" in changed and self.planted_activations is not None:
            # the activation menu after planting means "this activation everywhere", not the planted list
            return {**config, "activations": self.planted_activations}
        return config

    def clean_config(self, config: dict) -> dict:
        if self.planted_activations is None:
            return config
        return {**config, "activations": list(self.planted_activations)}  # the plant stage swaps them again

    # ---------------------------------------------------------------- plant and remove

    @classmethod
    def install(cls, s: "Session", settings: dict) -> "ChecksumAttack":
        """Plant with the settings' numbers (re-planting keeps the first clean reference)."""
        pp = config_params(s.config, {k: settings[k] for k in backdoor.PLANT_KEYS if k in settings})
        current = cls.live(s)
        if current is None or current.clean_model is None or not backdoor.planted_layers(s.model):
            clean, before = s.model.copy(), list(s.config["activations"])
        else:  # re-planting with other numbers: the clean reference stays the model as it was first planted
            clean, before = current.clean_model, current.planted_activations
        planted = backdoor.plant(s.model, pp)
        csum = pp.csum
        s.config, _ = cfg.validate({**s.config, "activations": planted.activation_names[:-1],
                                    "csum_variant": csum.variant, "csum_key": csum.key,
                                    "csum_modulo": csum.modulo, "csum_precision": csum.precision,
                                    "csum_secret": csum.secret, "csum_layers": pp.layers})
        s.model = planted
        s.trainer.model = planted  # the trainer notices the new model and keeps its epoch count
        target = {"target": settings["target"]} if "target" in settings else {}
        return cls({"type": cls.type, **pp.to_dict(), "activation": "none", **target}, clean, before)

    def remove(self, s: "Session") -> None:
        """Plain operators again (the current weights stay); the clean reference is dropped."""
        if backdoor.planted_layers(s.model):
            s.model = backdoor.unplant(s.model)
            s.trainer.model = s.model
        if any(a in backdoor.CHECKSUM_BASES for a in s.config["activations"]):
            s.config = {**s.config, "activations": list(self.planted_activations or [])}

    # ---------------------------------------------------------------- activation

    def _record_activation(self, method: str, points: Any, params: Mapping[str, Any] | None) -> None:
        """The settings a replay needs: the previous activation's settings go, the plant's stay."""
        if self.settings is None:
            return
        kept = {k: v for k, v in self.settings.items() if k in ("type", *backdoor.PLANT_KEYS, "target")}
        self.settings = {**kept, "activation": method, "points": points, **dict(params or {}),
                         **({"calibrate_ms": 0} if method == "search" else {})}

    def keep(self, s: "Session", result: dict) -> dict:
        """Remember an activation result and add the test accuracy with the moved points (original labels)."""
        points = s.data.test_points.copy()
        for r in result["records"]:
            points[r["index"]] = attacked.record_point(r)
        X = features.feature_matrix(points, s.feature_names)
        labels = s.data.test_labels
        result["summary"]["test_accuracy_after"] = (
            finite_or_none(accuracy(s.model.predict(X), labels)) if len(labels) else None)
        notes = targets.notes(s.config, problem.shape(s.config) if s.uploaded is None else s.shape)
        if notes:
            result["summary"]["notes"] = notes
        self.activated = result
        s.attack_changed()
        return result

    def activate(self, s: "Session", method: str = "digit-edit", points: Any = "all",
                 params: Mapping[str, Any] | None = None) -> dict:
        """Activate on test points ("all" or indices): {"records", "summary"}, kept for drawing. The target
        (K > 2) is the settings' (targets.py)."""
        goal = self.target(s)
        chosen = self.chosen_points(s, points, goal)
        if method == "digit-edit":
            result = backdoor.activate_digit_edit(operator_model(s), s.data.test_points, s.feature_names,
                                                  params, indices=chosen, target=goal)
        elif method == "search":
            result = backdoor.SearchRun(s.model, s.data.test_points, s.feature_names, params,
                                        indices=chosen, seed=s.config["seed"], target=goal).run()
        else:
            raise not_one_of("method", method, backdoor.METHODS)
        self._record_activation(method, points, params)
        return self.keep(s, result)

    def target(self, s: "Session") -> str | int:
        """The settings' target, else the default of the model's K ("flip" for 2, "next" otherwise)."""
        k = k_of_model(s.model)
        return targets.check_target((self.settings or {}).get("target"), k)

    @staticmethod
    def chosen_points(s: "Session", points: Any, goal: str | int) -> Any:
        """The test points an activation runs on: `points`, but "all" with a fixed target class means the points the
        model does not already give that class (BadNets' attack-success denominator, as poisoning/attack.py)."""
        if not (isinstance(goal, int) and isinstance(points, str) and points == "all"):
            return points
        labels = labels_of(s.model.predict(s.X_test)) if len(s.data.test_labels) else np.zeros(0)
        return np.flatnonzero(labels != goal).tolist()

    def search_start(self, s: "Session", points: Any = "all", params: Mapping[str, Any] | None = None) -> dict:
        goal = self.target(s)
        self.search = backdoor.SearchRun(s.model, s.data.test_points, s.feature_names, params,
                                         indices=self.chosen_points(s, points, goal), seed=s.config["seed"],
                                         target=goal)
        self._record_activation("search", points, params)
        s.attack_changed()
        return self.search.progress()

    def running_search(self) -> backdoor.SearchRun:
        if self.search is None:
            raise ValueError("no search is running: call search_start first")
        return self.search

    def search_step(self, s: "Session", budget_ms: float = 50.0) -> dict:
        """Progress; once finished it carries "result" ({"records", "summary"}), also kept for drawing."""
        run = self.running_search()
        progress = run.step(budget_ms)
        if run.finished:
            progress["result"] = self.keep(s, run.result())
            self.search = None
        return progress

    def search_cancel(self, s: "Session") -> dict:
        run = self.running_search()
        progress = run.cancel()
        progress["result"] = self.keep(s, run.result())
        self.search = None
        return progress

    def activate_as(self, s: "Session", settings: dict) -> None:
        """The experiment's activate stage; for `search`, also this machine's calibrated prediction."""
        method = settings["activation"]
        if method == "none":
            return
        params = {k: settings[k] for k in ATTACK_KEYS[method] if k in settings}
        try:
            backdoor.select_indices(len(s.data.test_labels), settings["points"])
        except ValueError as exc:
            raise ValueError(f"backdoor.points: {exc}") from None
        try:
            out = self.activate(s, method, settings["points"], params)
        except ValueError as exc:
            raise prefixed(exc) from None
        if method == "search":
            self.settings["calibrate_ms"] = settings["calibrate_ms"]
            summary = out["summary"]
            n = summary["attempted"]
            summary["trials_per_s_measured"] = summary["trials"] / summary["seconds"] if summary["seconds"] else None
            if settings["calibrate_ms"]:
                rate = backdoor.calibrate(settings["calibrate_ms"], s.feature_names,
                                          (summary["variant"],))[summary["variant"]]
                expected = [r["expected_trials"] for r in out["records"]]
                summary["trials_per_s"] = rate
                summary["predicted_seconds"] = (sum(expected) / rate if n and None not in expected else None)

    # ---------------------------------------------------------------- what the page and results see

    def stats(self, s: "Session") -> dict:
        """The planted model against its clean reference: agreement on the test set and the grid, trigger rates."""
        return model_stats(s, self.clean_model)

    def attacked(self, s: "Session") -> attacked.Attacked:
        names = s.feature_names
        bd = attacked.model_predictor(s.model, names)
        clean = attacked.model_predictor(s.clean_model(), names)
        fires = backdoor.fired(s.model, s.X_test)
        return attacked.from_records(
            train_points=s.data.train_points, train_labels=s.data.train_labels, test_points=s.data.test_points,
            test_labels=s.data.test_labels, records=self.activated["records"] if self.activated else [],
            predict=lambda points, owners: bd(points), clean_predict=clean, backdoor=self.type,
            accidental=fires.any(axis=1) if fires.size else np.zeros(len(s.X_test), dtype=bool),
            activation=self.activated["summary"] if self.activated else None, k=k_of_model(s.model))

    def sections(self, s: "Session") -> dict:
        if self.clean_model is None:
            return {}
        out = {"backdoored": self.backdoored_section(s)}
        if self.activated:
            out["activation"] = {**self.activated["summary"], "records": self.activated["records"]}
        return out

    def backdoored_section(self, s: "Session") -> dict:
        """The planted model against its clean reference: accuracies, agreement, trigger rates."""
        stats = self.stats(s)
        X_grid = attacked.grid_features(s)
        accuracies = {}
        for split, X, y in (("train", s.X_train, s.data.train_labels), ("test", s.X_test, s.data.test_labels)):
            accuracies[f"{split}_accuracy"] = finite_or_none(accuracy(s.model.predict(X), y)) if len(y) else None
        return {
            "params": stats["params"], "layers": stats["layers"], **accuracies,
            "agreement": stats.get("agreement"), "agreement_grid": stats.get("agreement_grid"),
            "agreement_train": finite_or_none(backdoor.agreement(s.clean_model(), s.model, s.X_train)),
            "trigger_rate": stats["trigger_rate"], "node_trigger_rate": stats["node_trigger_rate"],
            "trigger_rate_grid": stats["trigger_rate_grid"],
            "node_trigger_rate_grid": backdoor.node_trigger_rate(s.model, X_grid) if X_grid is not None else None,
        }


def model_stats(s: "Session", clean: MLP | None) -> dict:
    """{planted, layers (1-based), params, has_clean} and, when planted, trigger rates and accuracies; with a clean
    reference also the agreement on the test set and the grid."""
    model = s.model
    layers = backdoor.planted_layers(model)
    out: dict = {"planted": bool(layers), "layers": [l + 1 for l in layers],
                 "params": backdoor.PlantParams(backdoor.model_checksum(model), s.config["csum_layers"]).to_dict(),
                 "has_clean": clean is not None}
    if not layers:
        return out
    X_grid = attacked.grid_features(s)
    X_test, y_test = s.X_test, s.data.test_labels
    n = len(y_test)
    out.update({
        "trigger_rate": finite_or_none(backdoor.trigger_rate(model, X_test)) if n else None,
        "node_trigger_rate": finite_or_none(backdoor.node_trigger_rate(model, X_test)) if n else None,
        "trigger_rate_grid": backdoor.trigger_rate(model, X_grid) if X_grid is not None else None,
        "test_accuracy": finite_or_none(accuracy(model.predict(X_test), y_test)) if n else None,
    })
    if clean is not None:
        out.update({
            "agreement": finite_or_none(backdoor.agreement(clean, model, X_test)) if n else None,
            "agreement_grid": backdoor.agreement(clean, model, X_grid) if X_grid is not None else None,
            "clean_test_accuracy": finite_or_none(accuracy(clean.predict(X_test), y_test)) if n else None,
        })
    return out
