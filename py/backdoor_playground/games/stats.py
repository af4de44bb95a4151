"""The games' statistics: the distinguishing advantage |2 P(correct) - 1| with a 95 % interval, its verdict, and
success rates with Wilson intervals (Wilson 1927, defense/stats.wilson).

Advantage interval: with [lo, hi] the Wilson score interval of P(correct) = k/n, the map p -> 2p - 1 gives the
interval [2 lo - 1, 2 hi - 1] of the signed advantage; the advantage |2p - 1| then lies in
[0, max(|2 lo - 1|, |2 hi - 1|)] when that interval contains 0 (lo <= 1/2 <= hi), else in
[min(|2 lo - 1|, |2 hi - 1|), max(|2 lo - 1|, |2 hi - 1|)]. A player that is always wrong can tell the models apart
just as well (it only has to swap its guess), hence the absolute value.
"""

from __future__ import annotations

from ..defense.stats import rate, wilson

NO_EVIDENCE = "no evidence you can tell them apart"
CAN = "you can tell them apart"


def advantage(correct: int, n: int) -> dict:
    """{"value", "lo", "hi", "p_correct": rate(correct, n), "verdict"} for `correct` right guesses out of `n`."""
    correct, n = int(correct), int(n)
    if n <= 0 or not 0 <= correct <= n:
        raise ValueError(f"rounds: need 0 <= correct <= n and n >= 1, got {correct} of {n}")
    lo, hi = wilson(correct, n)
    assert lo is not None and hi is not None
    a, b = 2 * lo - 1, 2 * hi - 1
    contains_zero = a <= 0.0 <= b
    ends = sorted((abs(a), abs(b)))
    interval = (0.0, ends[1]) if contains_zero else (ends[0], ends[1])
    return {"value": abs(2 * correct / n - 1), "lo": interval[0], "hi": interval[1],
            "signed_lo": a, "signed_hi": b, "p_correct": rate(correct, n), "verdict": verdict(contains_zero)}


def verdict(interval_contains_zero: bool) -> str:
    """NO_EVIDENCE when the advantage's interval contains 0, CAN otherwise."""
    return NO_EVIDENCE if interval_contains_zero else CAN


def success(k: int, n: int) -> dict:
    """A success rate with its 95 % Wilson interval (defense/stats.rate)."""
    return rate(k, n)


__all__ = ["advantage", "verdict", "success", "NO_EVIDENCE", "CAN"]
