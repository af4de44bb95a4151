"""Worker handlers for the defenses: each takes the live Session first (api.call dispatches to them)."""

from __future__ import annotations

from ..defense import attacked, run as defense
from ..playground import rng


def _attacked(s):
    if not len(s.data.test_points):
        raise ValueError("the defenses need test points (raise the share of test data)")
    return attacked.from_session(s)  # raises ValueError for a regression problem


def defend(s, params: dict | None = None, curves: bool = True) -> dict:
    """run_defense(params) on the session's attacked test set, plus "metrics"; kept as s.defended for drawing."""
    if not isinstance(curves, bool):
        raise ValueError(f"curves must be true or false, got {curves!r}")
    att = _attacked(s)
    out = defense.run_defense(att, defense.check_defense({} if params is None else params),
                              rng.stream(s.config["seed"], "defense"), curves=curves)
    out["metrics"] = defense.metrics(att, out)
    s.defended = out
    return out


def defense_metrics(s) -> dict:
    """The metrics table without a defense (clean / backdoored accuracy, agreement, attack success, cost)."""
    return defense.metrics(_attacked(s))


HANDLERS = {f.__name__: f for f in (defend, defense_metrics)}
