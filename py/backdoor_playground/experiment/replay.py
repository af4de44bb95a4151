"""The page's experiment: what the user did, kept as an experiment config (the live attack's `settings` and the last
defense's); the result JSON and tidy TSV of the live state; and Replay links ("replay=<base64url JSON config>")
that re-run a config from scratch.

The result has the command line's sections and keys (stages.py), so a file exported from the page and one
written by `python3 -m backdoor_playground experiment` read the same way. A replay trains from scratch, so hand
edits made in the page (weights, live learning-rate changes) are not part of it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Mapping

from ..defense import registry
from ..defense import run as defense
from . import sweep
from .plan import versions
from .stages import clean_section

PREFIX = "replay="
MAX_REPLAY_CHARS = 20_000


def session_result(s) -> dict:
    """The live state as an experiment result: config (with "epochs" = epochs trained, the live attack's settings
    and the last defense's), versions, clean, backdoored, activation, forgery, defense, metrics."""
    attack = s.attack
    config = {**s.config, "epochs": s.epoch}
    result: dict[str, Any] = {"config": config, "versions": versions(), "clean": clean_section(s)}
    if attack is not None and attack.settings is not None:
        config.update(attack.clean_config(config))  # train as the clean model was trained; the plant swaps again
        config["backdoor"] = json.loads(json.dumps(attack.settings))
        result.update(attack.sections(s))
    if s.defense_settings is not None:
        config["defense"] = json.loads(json.dumps(s.defense_settings))
    if s.config["problem"] != "regression" and len(s.data.test_points):
        att = s.attacked()
        done = s.defended
        if done is not None:
            result["defense"] = {k: v for k, v in done.items() if k not in defense.BULKY and k != "metrics"}
        if done is not None and "labels" in done:
            m = defense.metrics(att, done)
            # with the matrix's column metrics, as the experiment's defend stage writes them (defense/registry.py)
            result["metrics"] = {**m, **registry.labelled_columns(m, done)}
        else:  # no defense, or one without labels (quantisation, fine-tuning, the detectors): its run's column metrics
            m = defense.metrics(att)
            result["metrics"] = {**m, **{k: v for k, v in (done or {}).get("metrics", {}).items() if k not in m}}
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
