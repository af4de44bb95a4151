"""The page's experiment: what the user did, kept as an experiment config (`s.plan_record`); the result JSON and
tidy TSV of the live state; and Replay links ("replay=<base64url JSON config>") that re-run a config from scratch.

The result has the command line's sections and keys (experiment.py), so a file exported from the page and one
written by `python3 -m backdoor_playground experiment` read the same way. A replay trains from scratch, so hand
edits made in the page (weights, live learning-rate changes) are not part of it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Mapping

from ..defense import attacked, run as defense
from .. import checksum as backdoor
from . import stages as experiment, sweep

PREFIX = "replay="
MAX_REPLAY_CHARS = 20_000


def record(s, method: str, args: Mapping[str, Any], value: Any) -> None:
    """Note a successful page action in the session's experiment config (actions that do not shape the
    experiment are ignored)."""
    plan = s.plan_record
    bd = plan.get("backdoor")
    if method not in ("defend", "signature_forge"):
        s.defended = None  # the attack changed: the last defense no longer describes it
        plan.pop("defense", None)
    if method == "plant":
        plan["backdoor"] = {"type": "checksum", **value["backdoor"]["params"], "activation": "none"}
    elif method in ("unplant", "signature_remove"):
        plan.pop("backdoor", None)
    elif method in ("activate", "search_start") and bd and bd.get("type") == "checksum":
        activation = args.get("method", "digit-edit") if method == "activate" else "search"
        for key in experiment.BACKDOOR_KEYS:  # the previous activation's settings go; the plant's stay
            if key not in ("type", *backdoor.PLANT_KEYS):
                bd.pop(key, None)
        bd.update({"activation": activation, "points": args.get("points", "all"), **dict(args.get("params") or {})})
        if activation == "search":
            bd["calibrate_ms"] = 0
    elif method == "csum_signature":
        s.csum_signature_result = value
        plan["backdoor"] = {"type": "csum-signature", "modulo": value["modulo"], "precision": value["precision"]}
    elif method == "signature_install":
        plan["backdoor"] = {"type": "signature", **{k: args[k] for k in ("scheme", "bits", "target") if k in args},
                            "points": []}
        s.last_forgery = None
    elif method == "signature_activate" and bd and bd.get("type") == "signature":
        bd["points"] = args.get("points", "all")
        if args.get("target") is not None:
            bd["target"] = args["target"]
    elif method == "signature_forge" and bd and bd.get("type") == "signature":
        from ..signature.experiment import FORGERY_KEYS
        params = {k: v for k, v in dict(args.get("params") or {}).items() if k in FORGERY_KEYS}
        bd["forgery"] = {**params, "method": args.get("method")}
        s.last_forgery = value
    elif method == "defend":
        plan["defense"] = defense.check_defense(args.get("params") or {})


def session_result(s) -> dict:
    """The live state as an experiment result: config (with "epochs" = epochs trained and the recorded
    backdoor / defense), versions, clean, backdoored, activation, forgery, defense, metrics."""
    plan = s.plan_record
    config = {**s.config, "epochs": s.epoch, **json.loads(json.dumps(plan))}
    if s.planted_activations is not None:  # train as the clean model was trained; the plant stage swaps them
        config["activations"] = list(s.planted_activations)
    result: dict[str, Any] = {"config": config,
                              "versions": experiment.versions(), "clean": experiment.clean_section(s)}
    kind = (plan.get("backdoor") or {}).get("type")
    if kind in ("signature", "csum-signature"):
        from ..signature import experiment as sigexperiment
    if kind == "signature" and s.signature is not None:
        result["backdoored"] = sigexperiment.signature_section(s)
        if s.signature.activated:
            result["activation"] = {**s.signature.activated["summary"], "records": s.signature.activated["records"]}
        if s.last_forgery:
            result["forgery"] = {k: v for k, v in s.last_forgery.items() if k != "estimate"}
    elif kind == "csum-signature" and s.csum_signature_result:
        result["backdoored"] = sigexperiment.csum_section(s.csum_signature_result)
        result["activation"] = sigexperiment.csum_activation(s, result["backdoored"])
    elif kind == "checksum" and s.clean_model is not None:
        result["backdoored"] = experiment.checksum_section(s)
        if s.activated:
            result["activation"] = {**s.activated["summary"], "records": s.activated["records"]}
    if s.config["problem"] != "regression" and len(s.data.test_points):
        att = attacked.from_session(s)
        if s.defended is not None:
            result["defense"] = {k: v for k, v in s.defended.items() if k not in defense.BULKY and k != "metrics"}
        result["metrics"] = defense.metrics(att, s.defended)
    return defense.json_safe(result)


def result_tsv(result: Mapping[str, Any]) -> str:
    """The result as tidy rows (the sweep's format, cell "page")."""
    return sweep.to_tsv(sweep.TSV_COLUMNS, sweep.tidy_rows(result, "page", result["config"].get("seed", "")))


def encode(config: Mapping[str, Any]) -> str:
    """"replay=<base64url of the JSON config>" (no padding): a URL hash that re-runs `config`."""
    text = json.dumps(config, separators=(",", ":"), allow_nan=False)
    return PREFIX + base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode(text: Any) -> dict:
    """The config inside a replay hash; ValueError saying what is wrong with a damaged link."""
    if not isinstance(text, str):
        raise ValueError("a replay link must be text")
    text = text.lstrip("#")
    if text.startswith(PREFIX):
        text = text[len(PREFIX):]
    if not text or len(text) > MAX_REPLAY_CHARS:
        raise ValueError(f"the replay link is empty or longer than {MAX_REPLAY_CHARS} characters")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        config = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("the replay link is damaged (not base64url-encoded JSON)") from None
    if not isinstance(config, dict):
        raise ValueError("the replay link does not hold an experiment config (a JSON object)")
    return config
