"""The backdoor x defense matrix: for each seed, train the clean model once, plant each backdoor on a copy, activate it
on the test set, and run each defense on the attacked test set (attacks.py and defense/run.py: every pair, no
branch on either's type). Rows are tidy (backdoor, defense, seed, metric, value); rates carry their counts so the
summary pools them into one Wilson interval per cell.

Names: a backdoor is its config `type`, with a variant after a colon (`checksum:keyed`, `signature:ed25519`); a
defense likewise (`proximity:r_sep`); `none` is the undefended column.
"""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any, Mapping, Sequence

from .. import attacks
from ..defense import run as defense
from ..defense import stats
from ..limits import int_in, not_one_of
from ..named_backdoors import select
from ..playground import problem
from ..poisoning.trigger import TRIGGERS
from ..session import Session
from . import replay
from .matrix_columns import COLUMNS
from .plan import parse_config

# the matrix's rows (named_backdoors.py: the one table): every named backdoor but the signature schemes only the
# games offer (lamport, rsa)
BACKDOORS: dict[str, dict] = select(without=("signature:lamport", "signature:rsa"))
TRIGGER_ROWS = ("poisoning",)  # the rows whose settings take the matrix's poisoning trigger (poisoning/trigger.py)
DEFAULT_BACKDOORS = ("poisoning", "checksum:decimal", "signature:toy-rsa", "signature:ed25519", "csum-signature")
DEFENSES = COLUMNS  # name -> the column's function (matrix_columns.py)
# the defense object of a cell's experiment config: every column that runs a registered defense (defense/registry.py,
# matrix_columns.DefenseColumn); None for the undefended column (and for a column that is a plain function)
REPLAYABLE: dict[str, dict | None] = {name: getattr(column, "params", None) for name, column in COLUMNS.items()}
TSV_COLUMNS = ("backdoor", "defense", "seed", "metric", "value")
SUMMARY_COLUMNS = ("backdoor", "defense", "metric", "seeds", "mean", "sd", "k", "n", "lo", "hi")
HEADLINE = ("attack_success_rate_after", "clean_accuracy_after")


def check_names(names: Sequence[str] | None, table: Mapping[str, Any], default: Sequence[str], what: str) -> list[str]:
    """The chosen names in table order (default when None); ValueError naming a wrong one and the valid ones."""
    chosen = list(default if names is None else names)
    for name in chosen:
        if name not in table:
            raise not_one_of(what, name, table)
    return [name for name in table if name in chosen]


def backdoor_object(backdoor: str, trigger: str = "box") -> dict:
    """The config object of a matrix row: BACKDOORS' settings, with the chosen trigger for TRIGGER_ROWS."""
    return {**BACKDOORS[backdoor], **({"trigger": trigger} if backdoor in TRIGGER_ROWS else {})}


def default_backdoors(config: Mapping[str, Any]) -> tuple[str, ...]:
    """DEFAULT_BACKDOORS, less those that take only 2-D two-class data (Attack.plane_only) when the config's data is
    not (issue 14: circle3d, digits, K > 2)."""
    if problem.shape(config) in ((2, 2), (2, 0)):
        return DEFAULT_BACKDOORS
    return tuple(b for b in DEFAULT_BACKDOORS if attacks.get(BACKDOORS[b]["type"]).plane_only is None)


def check_trigger(trigger: Any) -> str:
    if not isinstance(trigger, str) or trigger not in TRIGGERS:
        raise not_one_of("trigger", trigger, TRIGGERS)
    return trigger


def attacked_copy(base: Session, backdoor: str, trigger: str = "box") -> tuple[Session, Any]:
    """`backdoor` planted and activated on a copy of the trained session `base`: (the copy, its attacked test
    set)."""
    s = copy.deepcopy(base)
    settings = attacks.check(backdoor_object(backdoor, trigger), s.config)
    s.install(settings["type"], settings).activate_as(s, settings)
    return s, s.attacked()


def defense_rows(attacked: tuple[Session, Any], seed: str, backdoor: str, name: str) -> list[tuple]:
    """Rows (backdoor, defense, seed, metric, value, k, n) of one defense column on one attacked session."""
    start = time.perf_counter()
    s, att = attacked
    values = {**COLUMNS[name](s, att, seed), "seconds": time.perf_counter() - start}
    rows = []
    for metric, v in values.items():
        if isinstance(v, Mapping):
            rows.append((backdoor, name, seed, metric, v["value"], v["k"], v["n"]))
        else:
            rows.append((backdoor, name, seed, metric, v, None, None))
    return rows


def run_backdoor(job: tuple[Session, str, str, list[str], str]) -> list[tuple]:
    """Rows (backdoor, defense, seed, metric, value, k, n) of one backdoor on a trained session, every defense."""
    base, seed, backdoor, defenses, trigger = job
    att = attacked_copy(base, backdoor, trigger)
    return [row for name in defenses for row in defense_rows(att, seed, backdoor, name)]


def trained(config: Mapping[str, Any], seed: str) -> Session:
    play_config, _ = parse_config({**config, "seed": seed})
    s = Session(play_config)
    s.train(epochs=play_config["epochs"])
    return s


def check_matrix(config: Mapping[str, Any], backdoors: Sequence[str] | None,
                 defenses: Sequence[str] | None) -> tuple[dict, list[str], list[str]]:
    """(the playground config without backdoor and defense, backdoor names, defense names); ValueError first."""
    raw = {k: v for k, v in dict(config).items() if k not in ("backdoor", "defense")}
    play_config, _ = parse_config(raw)  # a bad config fails before any training
    bds = check_names(backdoors, BACKDOORS, default_backdoors(play_config), "backdoor")
    dfs = check_names(defenses, DEFENSES, tuple(DEFENSES), "defense")
    return raw, bds, dfs


def run_matrix(config: Mapping[str, Any], seeds: int, backdoors: Sequence[str] | None = None,
               defenses: Sequence[str] | None = None, workers: int = 1, trigger: str = "box") -> list[tuple]:
    """Every (backdoor, defense, seed, metric) row; the same rows whatever `workers` is (timing aside). `trigger`:
    the poisoning row's trigger ("box" or a trojan region "T1".."T9")."""
    raw, bds, dfs = check_matrix(config, backdoors, defenses)
    check_trigger(trigger)
    jobs = []
    for seed in (str(i) for i in range(seeds)):
        base = trained(raw, seed)
        jobs.extend((base, seed, bd, dfs, trigger) for bd in bds)
    if workers <= 1:
        return [row for job in jobs for row in run_backdoor(job)]
    from concurrent.futures import ProcessPoolExecutor  # not in Pyodide

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [row for rows in pool.map(run_backdoor, jobs) for row in rows]


MAX_SEEDS = 20
# The speed target's matrix (worker/benchmark.py, tests/bench.py): the page's default playground (circle, 500 points
# so 250 test points, [4, 2] tanh), 300 epochs, every default backdoor and defense, one seed.
BENCH_CONFIG: dict[str, Any] = {"dataset": "circle", "epochs": 300}


def cell_config(config: Mapping[str, Any], backdoor: str, defense_name: str, seed: str = "0",
                trigger: str = "box") -> dict:
    """The experiment config (experiment/stages.py) that reproduces one cell of one seed: the playground config
    with that seed, the backdoor's settings and the defense's (no `defense` object for none)."""
    raw = {k: v for k, v in dict(config).items() if k not in ("backdoor", "defense")}
    check_names([backdoor], BACKDOORS, (), "backdoor")
    check_names([defense_name], DEFENSES, (), "defense")
    play_config, _ = parse_config({**raw, "seed": seed})
    out = {**raw, "seed": seed, "backdoor": attacks.check(backdoor_object(backdoor, check_trigger(trigger)),
                                                          play_config)}
    if REPLAYABLE.get(defense_name) is not None:
        out["defense"] = defense.check_defense(REPLAYABLE[defense_name])
    return defense.json_safe(out)


class MatrixRun:
    """run_matrix in steps, for the page's worker: the same units in the same order (per seed: train; per
    backdoor: plant and activate on a copy; per defense: defend), so the same rows (timing aside). step() runs
    whole units until its budget is spent (at least one), cancel() stops between units."""

    def __init__(self, config: Mapping[str, Any], seeds: int = 1, backdoors: Sequence[str] | None = None,
                 defenses: Sequence[str] | None = None, trigger: str = "box"):
        self.config, self.backdoors, self.defenses = check_matrix(config, backdoors, defenses)
        self.trigger = check_trigger(trigger)
        self.seeds = [str(i) for i in range(int_in("seeds", seeds, 1, MAX_SEEDS))]
        self.units: list[tuple[str, str, str | None, str | None]] = []
        for seed in self.seeds:
            self.units.append(("train", seed, None, None))
            for bd in self.backdoors:
                self.units.append(("plant", seed, bd, None))
                self.units.extend(("defend", seed, bd, df) for df in self.defenses)
        self.rows: list[tuple] = []
        self.done = 0
        self.cancelled = False
        self.seconds = 0.0
        self._base: Session | None = None
        self._att: Any = None

    @property
    def finished(self) -> bool:
        return self.cancelled or self.done == len(self.units)

    def _run_unit(self, unit: tuple[str, str, str | None, str | None]) -> None:
        kind, seed, bd, df = unit
        if kind == "train":
            self._base, self._att = trained(self.config, seed), None
        elif kind == "plant":
            assert self._base is not None and bd is not None
            self._att = attacked_copy(self._base, bd, self.trigger)
        else:
            assert bd is not None and df is not None
            self.rows.extend(defense_rows(self._att, seed, bd, df))
        self.done += 1
        if self.finished:
            self._base = self._att = None

    def step(self, budget_ms: float = 100.0) -> dict:
        """Run units until about budget_ms has passed (at least one unit); the progress."""
        start = time.perf_counter()
        while not self.finished:
            self._run_unit(self.units[self.done])
            if (time.perf_counter() - start) * 1000.0 >= budget_ms:
                break
        self.seconds += time.perf_counter() - start
        return self.progress()

    def cancel(self) -> dict:
        """Stop before the next unit; the progress with the cells finished so far."""
        if not self.finished:
            self.cancelled = True
            self._base = self._att = None
        return self.progress()

    def running(self) -> str:
        """What the next unit does, in words."""
        if self.finished:
            return ""
        kind, seed, bd, df = self.units[self.done]
        return {"train": f"training seed {seed}", "plant": f"planting and activating {bd} (seed {seed})",
                "defend": f"{df} against {bd} (seed {seed})"}[kind]

    def cells(self) -> list[dict]:
        """One dict per cell with rows: backdoor, defense, seeds, metrics {metric: {mean, sd, k, n, lo, hi}} and
        the Replay link of its first seed."""
        out: dict[tuple[str, str], dict] = {}
        for b, d, metric, n_seeds, mean, sd, k, n, lo, hi in summarize(self.rows):
            cell = out.setdefault((b, d), {"backdoor": b, "defense": d, "seeds": n_seeds, "metrics": {}})
            cell["metrics"][metric] = {"mean": mean, "sd": sd, "k": k, "n": n, "lo": lo, "hi": hi}
            cell["seeds"] = min(cell["seeds"], n_seeds)
        return [{**c, "link": replay.encode(cell_config(self.config, c["backdoor"], c["defense"], self.seeds[0],
                                                        self.trigger))}
                for c in out.values()]

    def progress(self) -> dict:
        return {"done": self.done, "total": len(self.units), "finished": self.finished,
                "cancelled": self.cancelled, "seconds": self.seconds, "running": self.running(),
                "backdoors": list(self.backdoors), "defenses": list(self.defenses), "seeds": len(self.seeds),
                "trigger": self.trigger,
                "config": defense.json_safe(self.config), "cells": defense.json_safe(self.cells())}


def summarize(rows: Sequence[tuple]) -> list[tuple]:
    """(backdoor, defense, metric, seeds, mean, sd, k, n, lo, hi): mean ± sd over seeds, and for rates the pooled
    Wilson interval over every seed's points."""
    groups: dict[tuple, list[tuple]] = {}
    for backdoor, name, _seed, metric, value, k, n in rows:
        groups.setdefault((backdoor, name, metric), []).append((value, k, n))
    out = []
    for key, items in groups.items():
        values = [v for v, _, _ in items if v is not None]
        mean = statistics.fmean(values) if values else None
        sd = statistics.stdev(values) if len(values) > 1 else 0.0 if values else None
        k = sum(i[1] for i in items) if all(i[1] is not None for i in items) else None
        n = sum(i[2] for i in items) if k is not None else None
        pooled = stats.rate(k, n) if k is not None else {"lo": None, "hi": None}
        out.append((*key, len(items), mean, sd, k, n, pooled["lo"], pooled["hi"]))
    return out


def grid_text(summary: Sequence[tuple]) -> str:
    """The headline: attack success after / clean accuracy after, one row per backdoor, one column per defense."""
    cells = {(b, d): {} for b, d, *_ in summary}
    for b, d, metric, _s, mean, *_ in summary:
        cells[(b, d)][metric] = mean
    backdoors = list(dict.fromkeys(b for b, _ in cells))
    defenses = list(dict.fromkeys(d for _, d in cells))
    width = max(len("backdoor"), *map(len, backdoors))

    def show(v: Any) -> str:
        return "  -  " if v is None else f"{v:.2f}"

    lines = ["attack success after / clean accuracy after (mean over seeds)",
             f"{'backdoor':<{width}}  " + "  ".join(f"{d:>15}" for d in defenses)]
    for b in backdoors:
        row = [f"{show(cells[(b, d)].get(HEADLINE[0]))} / {show(cells[(b, d)].get(HEADLINE[1]))}" for d in defenses]
        lines.append(f"{b:<{width}}  " + "  ".join(f"{c:>15}" for c in row))
    return "\n".join(lines) + "\n"
