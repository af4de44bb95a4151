"""Worker handlers for the defenses (each takes the live Session first): thin calls into defense/run.py."""

from __future__ import annotations

from ..defense import run as defense
from ..playground import rng
from ..session import Session


def _attacked(s: Session):
    if not len(s.data.test_points):
        raise ValueError("the defenses need test points (raise the share of test data)")
    return s.attacked()  # raises ValueError for a regression problem


def defend(s: Session, params: dict | None = None, curves: bool = True) -> dict:
    """run_defense(params) on the session's attacked test set, plus "metrics"; kept as s.defended for drawing."""
    if not isinstance(curves, bool):
        raise ValueError(f"curves must be true or false, got {curves!r}")
    att = _attacked(s)
    settings = defense.check_defense({} if params is None else params)
    out = defense.run_defense(att, settings, rng.stream(s.config["seed"], "defense"), curves=curves)
    out["metrics"] = defense.metrics(att, out)
    s.defended, s.defense_settings = out, settings
    return out


def defense_metrics(s: Session) -> dict:
    """The metrics table without a defense (clean / backdoored accuracy, agreement, attack success, cost)."""
    return defense.metrics(_attacked(s))

