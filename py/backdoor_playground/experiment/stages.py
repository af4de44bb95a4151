"""One experiment = one config -> one result: train clean -> plant -> activate -> forge -> defend.

CONFIG is a JSON object of URL-state keys (config.STATE_TABLE; `features` may list the enabled features, `epochs`
is the training length) plus an optional `backdoor` object, checked by its type's Attack (attacks.py:
checksum/attack.py, checksum/csumsig_attack.py, signature/attack.py document theirs) and an optional `defense`
object (defense/run.py):

    "backdoor": {"type": "checksum", "variant": "decimal", "key": 150, "modulo": 256, "activation": "digit-edit"}
    "defense": {"type": "proximity", "radius": "auto" | "r_sep" | number, ...} or
               {"type": "smoothing", "sigma": 0.1, "n0": 100, "n": 1000, "alpha": 0.001} or any other defense
               of defense/run.DEFAULTS (quantisation, fine-tuning, fine-pruning, spectral, clustering), the matrix's
               columns by the same names (defense/registry.py runs each)

Every stage reads and extends one result dict and sees the backdoor only through the Attack protocol; `STAGES`
lists them in order. The result is deterministic given the config, except for the timing fields in TIMING_KEYS.
A bad config raises ValueError whose message starts with the bad key ("backdoor.key must be ...").
"""

from __future__ import annotations

import copy
import time
from typing import Any, Callable, Mapping

from ..defense import registry
from ..defense import run as defense
from ..playground.classes import accuracy
from ..session import Session, finite_or_none
from .plan import Plan, parse_config, versions

TIMING_KEYS = frozenset({"seconds", "trials_per_s", "trials_per_s_measured", "predicted_seconds", "sign_ms",
                         "activation_seconds_per_point"})


def clean_section(s: Session) -> dict:
    """The clean model (the reference a planted model keeps) after training."""
    model = s.clean_model()
    m = s.metrics(model)
    out: dict[str, Any] = {"epochs": s.epoch}
    for split, X, y in (("train", s.X_train, s.data.train_labels), ("test", s.X_test, s.data.test_labels)):
        out[f"{split}_accuracy"] = finite_or_none(accuracy(model.predict(X), y)) if len(y) else None
    return {**out, "train_loss": m["loss_train"], "test_loss": m["loss_test"], "diverged": bool(s.trainer.diverged)}


def stage_train(s: Session, plan: Plan, result: dict) -> None:
    """Train the clean model for config["epochs"] epochs."""
    start = time.perf_counter()
    s.train(epochs=s.config["epochs"])
    result["clean"] = {**clean_section(s), "seconds": time.perf_counter() - start}


def stage_plant(s: Session, plan: Plan, result: dict) -> None:
    """Plant the backdoor on the trained model: result["backdoored"]."""
    if plan.backdoor is None:
        return
    start = time.perf_counter()
    attack = s.install(plan.backdoor["type"], plan.backdoor)
    attack.settings = copy.deepcopy(plan.backdoor)  # what the page exports and replays after this run
    result["backdoored"] = {**attack.sections(s)["backdoored"], "seconds": time.perf_counter() - start}


def stage_activate(s: Session, plan: Plan, result: dict) -> None:
    """The attacker triggers the backdoor on the chosen test points: result["activation"]."""
    if plan.backdoor is None or s.attack is None:
        return
    s.attack.activate_as(s, plan.backdoor)
    activation = s.attack.sections(s).get("activation")
    if activation is not None:
        result["activation"] = activation


def stage_forge(s: Session, plan: Plan, result: dict) -> None:
    """A key-less attacker (where the backdoor has a key to forge): result["forgery"]."""
    if plan.backdoor is None or s.attack is None:
        return
    forgery = s.attack.forge_as(s, plan.backdoor)
    if forgery is not None:
        result["forgery"] = forgery


def stage_defend(s: Session, plan: Plan, result: dict) -> None:
    """The defense on the (activated) test set, and the metrics table with and without it."""
    if plan.defense is not None:
        registry.stage_defend(s, plan.defense, result)
    elif plan.backdoor is not None and s.config["problem"] != "regression":
        result["metrics"] = defense.metrics(s.attacked())


STAGES: tuple[Callable[[Session, Plan, dict], None], ...] = (
    stage_train, stage_plant, stage_activate, stage_forge, stage_defend)


def run_session(config: Mapping[str, Any]) -> tuple[Session, dict]:
    """Run every stage on `config` (see the module docstring): the session it leaves and the result dict."""
    play_config, plan = parse_config(config)
    result: dict[str, Any] = {"config": {**play_config, **plan.to_dict()}, "versions": versions()}
    s = Session(play_config)
    result["d"], result["K"] = s.shape  # inputs per point; classes (0 for regression)
    for stage in STAGES:
        stage(s, plan, result)
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
