"""One experiment = one config -> one result: train clean -> plant -> activate -> forge -> defend.

CONFIG is a JSON object of URL-state keys (config.STATE_TABLE; `features` may list the enabled features, `epochs`
is the training length) plus an optional `backdoor` object and an optional `defense` object:

    {"type": "checksum", "variant": "decimal" | "keyed" | "parity", "key", "modulo", "precision", "secret",
     "layers": "all" | "first", "activation": "digit-edit" | "search" | "none", "points": "all" | [test indices],
     "window": 45, "refine": 3 (digit-edit), "k": 1, "radius": 1e-3, "max_trials": 1000000, "calibrate_ms": 300
     (search)}
    {"type": "csum-signature"} (NN Calculator's simulation) or
    {"type": "signature", "scheme": "toy-rsa" | "lamport" | "rsa" | "ed25519", "bits": 32, ...} (sigexperiment.py)

    "defense": {"type": "proximity", "radius": "auto" | "r_sep" | number, ...} or
               {"type": "smoothing", "sigma": 0.1, "n0": 100, "n": 1000, "alpha": 0.001} (defense.py)

Missing checksum numbers come from the config's csum_* keys (whose defaults are NN Calculator's 150 / 256 / 15).
Every stage reads and extends one result dict; `STAGES` lists them in order. The result is deterministic given
the config, except for the timing fields named in TIMING_KEYS.
A bad config raises ValueError whose message starts with the bad key ("backdoor.key must be ...").
"""

from __future__ import annotations

import platform
import re
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from .. import __version__
from ..defense import attacked, run as defense
from .. import checksum as backdoor
from ..signature import experiment as sigexperiment
from ..playground import config as cfg
from ..playground import features, grid
from ..playground.losses import accuracy
from ..session import Session, finite_or_none

BACKDOOR_TYPES = ("checksum",)
ACTIVATIONS = (*backdoor.METHODS, "none")
ATTACK_KEYS = {"digit-edit": backdoor.DIGIT_EDIT_KEYS, "search": ("k", "radius", "max_trials"), "none": ()}
BACKDOOR_KEYS = ("type", *backdoor.PLANT_KEYS, "activation", "points", *backdoor.DIGIT_EDIT_KEYS, "k", "radius",
                 "max_trials", "calibrate_ms")
TIMING_KEYS = frozenset({"seconds", "trials_per_s", "trials_per_s_measured", "predicted_seconds", "sign_ms",
                         "sign_ms_per_point", "activation_seconds_per_point"})


def versions() -> dict[str, str]:
    return {"package": __version__, "numpy": np.__version__, "python": platform.python_version(),
            "platform": sys.platform}


def _check_backdoor(raw: Any, config: dict) -> dict:
    """The backdoor object with every key checked and defaults filled in; ValueError names "backdoor.<key>"."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"backdoor must be an object, got {type(raw).__name__}")
    for key in raw:
        if key not in BACKDOOR_KEYS:
            raise ValueError(f"backdoor.{key} is not a backdoor setting; expected one of {', '.join(BACKDOOR_KEYS)}")
    kind = raw.get("type", "checksum")
    if kind not in BACKDOOR_TYPES:
        raise ValueError(f"backdoor.type {kind!r} is not one of {', '.join(BACKDOOR_TYPES)}")
    method = raw.get("activation", "digit-edit")
    if method not in ACTIVATIONS:
        raise ValueError(f"backdoor.activation {method!r} is not one of {', '.join(ACTIVATIONS)}")
    try:
        plant = backdoor.plant_params({k: raw[k] for k in backdoor.PLANT_KEYS if k in raw},
                                      backdoor.params_from_config(config))
        attack = {k: raw[k] for k in ATTACK_KEYS[method] if k in raw}
        if method == "search":
            backdoor.SearchParams.from_dict(attack)  # k is re-checked against the net
        elif method == "digit-edit":
            backdoor.digit_edit_params(attack)
        calibrate_ms = raw.get("calibrate_ms", 300)
        if method == "search" and calibrate_ms != 0:
            backdoor.float_in("calibrate_ms", calibrate_ms, 0.0, 60_000.0)
    except ValueError as exc:
        raise ValueError(f"backdoor.{exc}") from None
    misplaced = [k for k in (*backdoor.DIGIT_EDIT_KEYS, "k", "radius", "max_trials", "calibrate_ms")
                 if k in raw and k not in ATTACK_KEYS[method] and not (k == "calibrate_ms" and method == "search")]
    if misplaced:
        raise ValueError(f"backdoor.{misplaced[0]} does not apply to activation {method!r}")
    try:
        points = backdoor.check_points(raw.get("points", "all"))
    except ValueError as exc:
        raise ValueError(f"backdoor.{exc}") from None
    return {"type": kind, **plant.to_dict(), "activation": method, "points": points, **attack,
            **({"calibrate_ms": calibrate_ms} if method == "search" else {})}


@dataclass(frozen=True)
class Plan:
    """The checked `backdoor` and `defense` objects of a config (None when absent)."""

    backdoor: dict | None = None
    defense: dict | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in (("backdoor", self.backdoor), ("defense", self.defense)) if v is not None}


def is_signature(bd: dict | None) -> bool:
    return bd is not None and bd["type"] in sigexperiment.SIGNATURE_TYPES


def parse_config(raw: Any) -> tuple[dict, Plan]:
    """(validated playground config, checked plan); ValueError naming the first bad key."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"the config must be a JSON object, got {type(raw).__name__}")
    raw = dict(raw)
    bd_raw, df_raw = raw.pop("backdoor", None), raw.pop("defense", None)
    try:
        config, _ = cfg.validate(raw, strict=True, extra_sections=())
    except ValueError as exc:  # validate words its notices for the lenient page: "...; using 0", "... ignored"
        raise ValueError(re.sub(r"(; using .*| ignored)$", "", str(exc))) from None
    if bd_raw is None:
        bd = None
    elif isinstance(bd_raw, Mapping) and bd_raw.get("type") in sigexperiment.SIGNATURE_TYPES:
        bd = sigexperiment.check_signature_backdoor(bd_raw, config)
    else:
        bd = _check_backdoor(bd_raw, config)
    df = None if df_raw is None else defense.check_defense(df_raw)
    if df is not None and config["problem"] == "regression":
        raise ValueError("defense needs a classification problem")
    return config, Plan(bd, df)


# ----------------------------------------------------------------------------------------------------------------
# stages: each takes (session, backdoor settings, result) and adds its section


def _metrics(model: Any, s: Session) -> dict:
    out = {}
    for split, X, y in (("train", s.X_train, s.data.train_labels), ("test", s.X_test, s.data.test_labels)):
        out[f"{split}_accuracy"] = finite_or_none(accuracy(model.predict(X), y)) if len(y) else None
    return out


def stage_train(s: Session, plan: Plan, result: dict) -> None:
    """Train the clean model for config["epochs"] epochs."""
    start = time.perf_counter()
    s.train(epochs=s.config["epochs"])
    result["clean"] = {**clean_section(s), "seconds": time.perf_counter() - start}


def stage_plant(s: Session, plan: Plan, result: dict) -> None:
    """Plant, keeping the weights: agreement with the clean model (test set, grid) and trigger rates."""
    bd = plan.backdoor
    if bd is None:
        return
    if is_signature(bd):
        sigexperiment.stage_plant(s, bd, result)
        return
    start = time.perf_counter()
    s.plant({k: bd[k] for k in backdoor.PLANT_KEYS})
    result["backdoored"] = {**checksum_section(s), "seconds": time.perf_counter() - start}


def checksum_section(s: Session) -> dict:
    """The planted checksum model against its clean reference: accuracies, agreement, trigger rates."""
    stats = s.backdoor_stats()
    X_grid = features.feature_matrix(grid.grid_points(grid.GRID_N), s.feature_names)
    clean = s.clean_model if s.clean_model is not None else s.model
    return {
        "params": stats["params"], "layers": stats["layers"], **_metrics(s.model, s),
        "agreement": stats.get("agreement"), "agreement_grid": stats.get("agreement_grid"),
        "agreement_train": finite_or_none(backdoor.agreement(clean, s.model, s.X_train)),
        "trigger_rate": stats["trigger_rate"], "node_trigger_rate": stats["node_trigger_rate"],
        "trigger_rate_grid": stats["trigger_rate_grid"],
        "node_trigger_rate_grid": backdoor.node_trigger_rate(s.model, X_grid),
    }


def clean_section(s: Session) -> dict:
    """The clean model (the reference a planted model keeps) after training."""
    model = s.clean_model if s.clean_model is not None else s.model
    m = s.metrics(model)
    return {"epochs": s.epoch, **_metrics(model, s), "train_loss": m["loss_train"], "test_loss": m["loss_test"],
            "diverged": bool(s.trainer.diverged)}


def stage_activate(s: Session, plan: Plan, result: dict) -> None:
    """Activate on the chosen test points; for `search`, also this machine's calibrated prediction."""
    bd = plan.backdoor
    if is_signature(bd):
        sigexperiment.stage_activate(s, bd, result)
        return
    if bd is None or bd["activation"] == "none":
        return
    method = bd["activation"]
    params = {k: bd[k] for k in ATTACK_KEYS[method] if k in bd}
    try:
        backdoor.select_indices(len(s.data.test_labels), bd["points"])
    except ValueError as exc:
        raise ValueError(f"backdoor.points: {exc}") from None
    try:
        out = s.activate(method, bd["points"], params)
    except ValueError as exc:
        raise ValueError(f"backdoor.{exc}") from None
    summary = dict(out["summary"])
    if method == "search":
        n = summary["attempted"]
        summary["trials_per_s_measured"] = summary["trials"] / summary["seconds"] if summary["seconds"] else None
        if bd["calibrate_ms"]:
            rate = backdoor.calibrate(bd["calibrate_ms"], s.feature_names, (summary["variant"],))[summary["variant"]]
            expected = [r["expected_trials"] for r in out["records"]]
            summary["trials_per_s"] = rate
            summary["predicted_seconds"] = (sum(expected) / rate if n and None not in expected else None)
    result["activation"] = {**summary, "records": out["records"]}


def stage_forge(s: Session, plan: Plan, result: dict) -> None:
    """A key-less attacker against a signature backdoor (nothing for the checksum, which anyone can trigger)."""
    if is_signature(plan.backdoor):
        sigexperiment.stage_forge(s, plan.backdoor, result)


def stage_defend(s: Session, plan: Plan, result: dict) -> None:
    """The defense on the (activated) test set, and the metrics table with and without it."""
    if plan.defense is not None:
        defense.stage_defend(s, plan.defense, result)
    elif plan.backdoor is not None and s.config["problem"] != "regression":
        result["metrics"] = defense.metrics(attacked.from_session(s))


STAGES: tuple[Callable[[Session, Plan, dict], None], ...] = (
    stage_train, stage_plant, stage_activate, stage_forge, stage_defend)


def run_session(config: Mapping[str, Any]) -> tuple[Session, dict]:
    """Run every stage on `config` (see the module docstring): the session it leaves and the result dict."""
    play_config, plan = parse_config(config)
    result: dict[str, Any] = {"config": {**play_config, **plan.to_dict()}, "versions": versions()}
    s = Session(play_config)
    for stage in STAGES:
        stage(s, plan, result)
    s.plan_record = plan.to_dict()  # so the page can export and replay what it shows
    return s, result


def run_experiment(config: Mapping[str, Any]) -> dict:
    """The result of `config` (run_session without the session)."""
    return run_session(config)[1]


def strip_timing(value: Any) -> Any:
    """A copy of a result without the timing fields (TIMING_KEYS): what must repeat exactly."""
    if isinstance(value, dict):
        return {k: strip_timing(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [strip_timing(v) for v in value]
    return value
