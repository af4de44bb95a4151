"""Worker handlers for Backdoor 1, the checksum in the operator (each takes the live Session first): thin calls into
checksum/attack.py and checksum/estimate.py. Plain data in and out."""

from __future__ import annotations

from typing import Any

from ..checksum import estimate
from .. import checksum as backdoor
from ..checksum.attack import ChecksumAttack, model_stats
from ..session import Session

_trials_per_s: dict[str, float] = {}  # this device's search-trial throughput, from calibrate()


def _live(s: Session) -> ChecksumAttack:
    attack = ChecksumAttack.live(s)
    if attack is None:
        raise ValueError("plant the backdoor first: the key holder's search runs on a planted model")
    return attack


def plant(s: Session, params: dict | None = None) -> dict:
    """Plant the checksum backdoor, keeping the trained weights. params: {variant, key, modulo, precision, secret,
    layers: "all" | "first"}, missing ones from the config's csum_* keys.

    Returns a snapshot (config with the planted `activations` and csum_* numbers, hash, data, model, frame) plus
    "backdoor": backdoor_stats()."""
    if params is not None and not isinstance(params, dict):
        raise ValueError(f"params must be an object, got {type(params).__name__}")
    attack = s.install("checksum", dict(params or {}))
    return {**s.snapshot(), "backdoor": attack.stats(s)}


def unplant(s: Session) -> dict:
    """Back to the plain operators (current weights kept): a snapshot plus "backdoor"."""
    if ChecksumAttack.live(s) is not None:
        s.remove_attack()
    return {**s.snapshot(), "backdoor": backdoor_stats(s)}


def backdoor_stats(s: Session) -> dict:
    """{planted, layers (1-based), params, has_clean} and, when planted: trigger_rate (test points where any checksum
    node fires), node_trigger_rate, trigger_rate_grid, test_accuracy; with a clean reference also agreement (test
    set), agreement_grid (100 x 100 grid), clean_test_accuracy. Rates are fractions in [0, 1]."""
    attack = ChecksumAttack.live(s)
    return attack.stats(s) if attack is not None else model_stats(s, None)


def activate(s: Session, method: str = "digit-edit", points: Any = "all", params: dict | None = None) -> dict:
    """Activate on test points ("all" or a list of test indices): {"records": [...], "summary": {...}}.

    digit-edit params: {window}; search params: {k, radius, max_trials} (runs to the end: prefer search_start).
    Record: index, x0, y0, x1, y1, node(s), pre0, pre1, csum0, csum1, out0, out1, matched, flipped, delta, reason
    (search adds trials, p_key, expected_trials). Summary: attempted, matched, flipped, flip_rate,
    median_abs_delta / max_abs_delta (max-norm |dx| over every activated point), activation_seconds_per_point, seconds,
    test_accuracy_after, and the checksum numbers. Without a planted backdoor the model is tested with the
    config's numbers (a control) and nothing is kept."""
    attack = ChecksumAttack.live(s)
    if attack is None:
        return ChecksumAttack({}, None, None).activate(s, method, points, params)  # a throwaway control
    return attack.activate(s, method, points, params)


def search_start(s: Session, points: Any = "all", params: dict | None = None) -> dict:
    """Start the key holder's search (params {k, radius, max_trials}); returns progress (see search_step)."""
    return _live(s).search_start(s, points, params)


def search_step(s: Session, budget_ms: float = 50.0) -> dict:
    """Search for about budget_ms: {done, total, trials, point_trials, matched, flipped, finished, cancelled,
    seconds, expected_trials, new_records}; when finished also "result" ({records, summary})."""
    return _live(s).search_step(s, budget_ms)


def search_cancel(s: Session) -> dict:
    """Stop the search: progress plus "result" for the points finished so far."""
    return _live(s).search_cancel(s)


def calibrate(s: Session, budget_ms: float = 300.0) -> dict:
    """Measure this device's search trials per second per variant in about budget_ms: {"trials_per_s": {...}}."""
    global _trials_per_s
    # the device's speed, measured on the plane when the live data is not 2-D (its features need 3 or 64 coordinates)
    planar = s.shape[0] == 2 and s.feature_names
    _trials_per_s = backdoor.calibrate(budget_ms, s.feature_names if planar else ["x", "y"])
    return {"trials_per_s": dict(_trials_per_s), "budget_ms": budget_ms}


def search_estimate(s: Session, budget_s: float = 1.0, k: int = 1, variant: str | None = None,
                    modulo: int | None = None, precision: int | None = None, key: int | None = None,
                    trials_per_s: float | None = None) -> dict:
    """What a k-node search costs on this device (estimate.search_estimate with calibrate()'s rates)."""
    return estimate.search_estimate(s, _trials_per_s, budget_s, k, variant, modulo, precision, key, trials_per_s)


def residue_histograms(s: Session, modulo: int | None = None, precision: int | None = None) -> dict:
    """Residue counts per variant over the current model's first-layer pre-activations of all data points:
    {source, count, modulo, precision, key, histograms: {variant: [m counts]}, key_frequency, distinct,
    descriptions: {variant: one-line description}}."""
    return estimate.residue_histograms(s, modulo, precision)
