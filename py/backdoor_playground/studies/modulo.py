"""The modulo study (the paper's open check 1: the checksum backdoor at m >= 20 "to measure computational breakdown
points"): for m on a log grid from 2 to 4096 and each checksum variant, plant the checksum in one trained model
and measure the digit edit's success (NN Calculator's one-shot activation, refine 0), the key holder's search
success and time per point at the budget calibrated on this device, the accidental trigger rate and the
agreement with the clean model. Rates are counts over the test points (pooled over seeds in the summary).

Breakpoints (from the summary, per variant): the digit edit's is the smallest m from which its trigger rate
(matched) stays below one half; the search's is the smallest m from which its success within the interactive
budget stays below one half or its median point takes longer than the budget.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np

from .. import checksum as cs
from ..checksum import cost
from ..experiment import matrix
from ..playground.datasets import CLASSIFY_DATASETS
from ..playground.features import feature_matrix
from . import registry
from .registry import Option

MODULI = (2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 48, 64, 128, 256, 512, 1024, 2048, 4096)
SEARCH_POINTS = 10


def _cell(variant: str, m: int) -> str:
    return f"variant={variant} modulo={m}"


def plan(opts: dict, seeds: int) -> tuple[list, dict]:
    """Jobs (seed, variant, moduli, settings): one model per seed, trained in the job; the search budget in trials
    comes from this device's calibrated speed (or the `max_trials` option), fixed here so every executor runs the
    same searches."""
    for m in opts["moduli"]:
        cs.check("modulo", m)
    config = {"dataset": opts["dataset"], "epochs": opts["epochs"]}
    matrix.parse_config({**config, "seed": "0"})
    rates = cs.calibrate(opts["calibrate_ms"], variants=tuple(opts["variants"]))
    budget = opts["budget_s"]
    trials = {v: int(opts["max_trials"] or min(max(1.0, float(rates[v]) * budget), 1e9)) for v in opts["variants"]}
    caps = {v: {f"k={k}": cost.search_cap(rates[v], budget, k, v, cs.DEFAULT_PRECISION, opts["key"])
                for k in (1, 2)} for v in opts["variants"]}
    settings = {"key": opts["key"], "refine": opts["refine"], "window": opts["window"], "points": opts["search_points"]}
    jobs = [(str(seed), v, list(opts["moduli"]), config, {**settings, "max_trials": trials[v]})
            for seed in range(seeds) for v in opts["variants"]]
    return jobs, {"config": config, "search_max_trials": trials, "budget_s": budget,
                  "trials_per_s": {v: float(r) for v, r in rates.items()},
                  "predicted_search_cap": caps}


def _rate(k: Any, n: int) -> tuple[float | None, int, int]:
    k = int(k)
    return (k / n if n else None), k, n


def run_job(job: tuple) -> list[tuple]:
    """Rows (cell, seed, metric, value, k, n) of one seed and variant over every modulo."""
    seed, variant, moduli, config, settings = job
    s = matrix.trained(config, seed)
    names, points = s.feature_names, s.data.test_points
    X = feature_matrix(points, names)
    n = len(points)
    search_idx = list(range(min(settings["points"], n)))
    rows: list[tuple] = []
    for m in moduli:
        cell = _cell(variant, m)
        bd = cs.plant(s.model, {"variant": variant, "modulo": m, "key": settings["key"]})
        same = (s.model.predict(X) >= 0) == (bd.predict(X) >= 0)
        fired = cs.fired(bd, X).any(axis=1)
        t0 = time.perf_counter()
        edit = cs.activate_digit_edit(bd, points, names, {"refine": settings["refine"], "window": settings["window"]})
        edit_s = time.perf_counter() - t0
        recs = edit["records"]
        values = {
            "agreement": _rate(same.sum(), n),
            "accidental_trigger_rate": _rate(fired.sum(), n),
            "digit_edit_matched": _rate(sum(r["matched"] for r in recs), n),
            "digit_edit_flipped": _rate(sum(r["flipped"] for r in recs), n),
            "digit_edit_seconds": (edit_s / n if n else None, None, None),
        }
        p_key = cost.p_key_model(variant, m, cs.DEFAULT_PRECISION, settings["key"])
        if p_key > 0 and search_idx:
            found, times = [], []
            for i in search_idx:  # one run per point (its own seeded stream, so the same as one run over all)
                t0 = time.perf_counter()
                found.extend(cs.SearchRun(bd, points, names, {"max_trials": settings["max_trials"]}, [i],
                                          seed).run()["records"])
                times.append(time.perf_counter() - t0)
            values.update({
                "search_matched": _rate(sum(r["matched"] for r in found), len(found)),
                "search_flipped": _rate(sum(r["flipped"] for r in found), len(found)),
                "search_trials": (float(np.median([r["trials"] for r in found])), None, None),
                "search_seconds": (float(np.median(times)), None, None),
                "search_seconds_mean": (float(np.mean(times)), None, None),
            })
        else:  # the checksum cannot produce the key at all (decimal digit sums lie in [1336, 1481]): not searched
            values["search_matched"] = _rate(0, len(search_idx))
        values["p_key"] = (p_key, None, None)
        rows.extend((cell, seed, metric, v, k, nn) for metric, (v, k, nn) in values.items())
    return rows


def breakpoints(summary: Sequence[tuple], record: dict) -> dict:
    """{variant: {"digit_edit": m or None, "search": m or None}}: the smallest m from which the rate stays < 1/2
    (for the search: or the mean time per point exceeds the budget)."""
    from .runner import metric_means

    means = metric_means(summary)
    budget = record.get("budget_s", 1.0)
    out = {}
    for v in record["options"]["variants"]:
        moduli = record["options"]["moduli"]

        def broken(m: int, metric: str) -> bool:
            rate = means.get((_cell(v, m), metric), {}).get("mean")
            if metric == "search_matched":
                t = means.get((_cell(v, m), "search_seconds"), {}).get("mean")
                if t is not None and t > budget:
                    return True
            return rate is None or rate < 0.5

        out[v] = {}
        for key, metric in (("digit_edit", "digit_edit_matched"), ("search", "search_matched")):
            first = None
            for m in sorted(moduli, reverse=True):
                if broken(m, metric):
                    first = m
                else:
                    break
            out[v][key] = first
    return out


def verdict(summary: Sequence[tuple], record: dict) -> str:
    """What the data says about the paper's "values below 20": a limit of the digit edit, of the checksum, or of
    neither (then: what small moduli cost instead)."""
    from .runner import metric_means

    means = metric_means(summary)
    bp = breakpoints(summary, record)
    moduli = record["options"]["moduli"]
    parts = []
    for v, b in bp.items():
        edit, search = b["digit_edit"], b["search"]
        unreachable = [m for m in moduli if means.get((_cell(v, m), "p_key"), {}).get("mean") == 0.0]
        if edit is None:
            parts.append(f"{v}: the one-shot digit edit triggers at every m up to {max(moduli)}")
        elif unreachable and edit == min(unreachable) and search == edit:
            parts.append(f"{v}: digit edit and search both stop at m = {edit}, where the checksum can no longer "
                         "produce the key at all (p_key = 0: a property of the checksum)")
        elif edit <= 20 and (search is None or search > 20):
            parts.append(f"{v}: the digit edit stops at m = {edit} while the search goes on (a property of the edit)")
        else:
            parts.append(f"{v}: the digit edit stops at m = {edit}, the search at m = {search or 'none'}")
    small = [(v, means.get((_cell(v, 20), "accidental_trigger_rate"), {}).get("mean"),
              means.get((_cell(v, 20), "agreement"), {}).get("mean")) for v in bp]
    small = [(v, a, g) for v, a, g in small if a is not None and g is not None]
    stuck = [v for v, b in bp.items() if b["digit_edit"] is not None and b["digit_edit"] <= 20]
    if stuck:
        why = f"the limit at 20 shows for {', '.join(stuck)}"
    else:
        why = "\"values below 20\" is not where the digit edit (nor the checksum) breaks"
        if small:
            why += "; small m costs stealth instead: at m = 20 " + ", ".join(
                f"{v} fires on {a:.0%} of clean test points (agreement {g:.0%})" for v, a, g in small)
    return "; ".join(parts) + f". The data: {why}."


def headline(summary: Sequence[tuple], record: dict) -> str:
    bp = breakpoints(summary, record)
    lines = [f"modulo study: {len(record['options']['moduli'])} moduli x {len(bp)} variants x {record['seeds']} "
             f"seeds; search budget {record['budget_s']:g} s per point"]
    for v, b in bp.items():
        lines.append(f"  {v:8} digit edit stops at m = {b['digit_edit'] or 'never (in the grid)'}; search leaves the "
                     f"budget at m = {b['search'] or 'never (in the grid)'}; predicted largest m within budget "
                     f"{record['predicted_search_cap'][v]['k=1']} (k=1), {record['predicted_search_cap'][v]['k=2']} "
                     f"(k=2)")
    lines.append("  " + verdict(summary, record))
    return "\n".join(lines) + "\n"


def draw(summary: Sequence[tuple], record: dict, plt: Any) -> tuple[Any, str]:
    from .figures import modulo_figure

    return modulo_figure(summary, record, plt, breakpoints(summary, record), verdict(summary, record))


STUDY = registry.register(registry.Study(
    name="modulo", doc="checksum backdoor over m = 2 .. 4096: digit edit vs search, triggers, agreement",
    options={
        "moduli": Option(list(MODULI), registry.ints, "the m grid"),
        "variants": Option(list(cs.VARIANT_NAMES), registry.names(cs.VARIANT_NAMES), "checksum variants"),
        "dataset": Option("circle", registry.one_of(tuple(CLASSIFY_DATASETS)), "the data set"),
        "epochs": Option(300, registry.number(1, 10_000, integer=True), "training epochs"),
        "key": Option(cs.DEFAULT_KEY, registry.number(0, 65535, integer=True), "the key (read modulo m)"),
        "refine": Option(0, registry.number(0, 20, integer=True), "digit edit: Newton steps (0: one shot)"),
        "window": Option(45, registry.number(-1, 1 << 24, integer=True), "digit edit: candidate window"),
        "search_points": Option(SEARCH_POINTS, registry.number(0, 1000, integer=True), "test points searched"),
        "budget_s": Option(1.0, registry.number(1e-3, 3600.0), "interactive budget per searched point (s)"),
        "max_trials": Option(0, registry.number(0, 10**9, integer=True),
                             "search trials per point (0: the calibrated budget)"),
        "calibrate_ms": Option(300.0, registry.number(1.0, 60_000.0), "calibration time"),
    },
    plan=plan, run_job=run_job, headline=headline, draw=draw, seeds=3))
