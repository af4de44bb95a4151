"""Every check of an experiment config: the playground keys (config.STATE_TABLE), the `backdoor` object (checked by
its type's Attack, attacks.py) and the `defense` object (defense/run.py).

A bad config raises ValueError whose message starts with the bad key ("backdoor.key must be ...").
"""

from __future__ import annotations

import platform
import re
import sys
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .. import __version__, attacks
from ..limits import suggestion
from ..defense import run as defense
from ..playground import config as cfg, problem


@dataclass(frozen=True)
class Plan:
    """The checked `backdoor` and `defense` objects of a config (None when absent)."""

    backdoor: dict | None = None
    defense: dict | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in (("backdoor", self.backdoor), ("defense", self.defense)) if v is not None}


def versions() -> dict[str, str]:
    return {"package": __version__, "numpy": np.__version__, "python": platform.python_version(),
            "platform": sys.platform}


def parse_config(raw: Any) -> tuple[dict, Plan]:
    """(validated playground config, checked plan); ValueError naming the first bad key."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"the config must be a JSON object, got {type(raw).__name__}")
    raw = dict(raw)
    bd_raw, df_raw = raw.pop("backdoor", None), raw.pop("defense", None)
    valid = (*cfg.PROPS, cfg.FEATURES_KEY)
    for key in raw:
        if key not in valid:
            known = sorted((*valid, "backdoor", "defense"))
            raise ValueError(f"unknown key {key}{suggestion(key, known)}; the config keys are {', '.join(known)}")
    try:
        config, _ = cfg.validate(raw, strict=True, extra_sections=())
    except ValueError as exc:  # validate words its notices for the lenient page: "...; using 0", "... ignored"
        raise ValueError(re.sub(r"(; using .*| ignored)$", "", str(exc))) from None
    config, _ = cfg.check_problem(config, strict=True)  # classes, 3-D features, trojan against the data set
    shape = problem.shape(config)
    if isinstance(bd_raw, Mapping) and shape not in ((2, 2), (2, 0)):  # the defenses take any d and K
        reason = attacks.get(bd_raw.get("type", "checksum")).plane_only
        if reason is not None:
            raise ValueError(f"backdoor: the {bd_raw.get('type', 'checksum')} backdoor takes {reason}; dataset "
                             f"{problem.active_dataset(config)} has d = {shape[0]}, K = {shape[1]}")
    bd = None if bd_raw is None else attacks.check(bd_raw, config)
    df = None if df_raw is None else defense.check_defense(df_raw)
    if df is not None and config["problem"] == "regression":
        raise ValueError("defense needs a classification problem")
    return config, Plan(bd, df)
