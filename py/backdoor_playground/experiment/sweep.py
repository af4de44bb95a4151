"""Sweeps: one experiment config run over a grid of settings and seeds, written as tidy rows.

`--set backdoor.modulo=20,64,256` (repeatable) gives the grid; the cells are its cartesian product, and each cell
runs with seeds 0 .. n-1 (the config's `seed`, so data, split, init, poison and defense streams all change).
A result becomes tidy rows (cell, seed, stage, metric, value): every number of every top-level section, nested
keys joined with dots, lists (per-point records, curves) left out. The summary is mean ± sd per
(cell, stage, metric). Runs go to a process pool; the rows do not depend on the pool (only timings vary).
"""

from __future__ import annotations

import itertools
import json
import math
import statistics
from typing import Any, Iterable, Mapping, Sequence

from . import stages as experiment

TSV_COLUMNS = ("cell", "seed", "stage", "metric", "value")
SUMMARY_COLUMNS = ("cell", "stage", "metric", "n", "mean", "sd")
SKIP_SECTIONS = frozenset({"config", "versions"})
MAX_RUNS = 10_000


def parse_assignment(text: str) -> tuple[tuple[str, ...], list[Any]]:
    """"backdoor.modulo=20,64,256" -> (("backdoor", "modulo"), [20, 64, 256]); values are JSON where they parse
    (numbers, true, null, "quoted"), else plain strings."""
    path, sep, values = text.partition("=")
    keys = tuple(k.strip() for k in path.split("."))
    if not sep or not all(keys) or not values.strip():
        raise ValueError(f"--set {text!r} must look like key=v1,v2 or section.key=v1,v2")
    out = []
    for item in values.split(","):
        item = item.strip()
        try:
            out.append(json.loads(item))
        except ValueError:
            out.append(item)
    return keys, out


def with_value(config: Mapping[str, Any], keys: Sequence[str], value: Any) -> dict:
    """A copy of `config` with the nested key set (sections are created as needed)."""
    out = dict(config)
    if len(keys) == 1:
        out[keys[0]] = value
        return out
    section = out.get(keys[0], {})
    if not isinstance(section, Mapping):
        raise ValueError(f"--set {'.'.join(keys)}: {keys[0]} is not an object in the config")
    out[keys[0]] = with_value(section, keys[1:], value)
    return out


def cells(config: Mapping[str, Any], assignments: Sequence[str]) -> list[tuple[str, dict]]:
    """(cell label, config) for every combination of the --set values; one cell "base" without any."""
    parsed = [parse_assignment(a) for a in assignments]
    if not parsed:
        return [("base", dict(config))]
    out = []
    for combo in itertools.product(*(values for _, values in parsed)):
        cell_config, labels = dict(config), []
        for (keys, _), value in zip(parsed, combo):
            cell_config = with_value(cell_config, keys, value)
            labels.append(f"{'.'.join(keys)}={json.dumps(value) if not isinstance(value, str) else value}")
        out.append((" ".join(labels), cell_config))
    return out


def flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, float]]:
    """(dotted key, number) for every int/float/bool leaf of nested dicts; lists are skipped."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, bool):
        yield prefix, float(value)
    elif isinstance(value, (int, float)) and math.isfinite(value):
        yield prefix, float(value)


def tidy_rows(result: Mapping[str, Any], cell: str, seed: Any) -> list[tuple]:
    """One row per (stage, metric) of one result."""
    return [(cell, str(seed), stage, metric, value)
            for stage, section in result.items() if stage not in SKIP_SECTIONS and isinstance(section, Mapping)
            for metric, value in flatten(section)]


def summarize(rows: Sequence[tuple]) -> list[tuple]:
    """(cell, stage, metric, n, mean, sd) per cell, stage and metric, in first-seen order."""
    groups: dict[tuple, list[float]] = {}
    for cell, _seed, stage, metric, value in rows:
        groups.setdefault((cell, stage, metric), []).append(value)
    return [(*key, len(v), statistics.fmean(v), statistics.stdev(v) if len(v) > 1 else 0.0)
            for key, v in groups.items()]


def _run(job: tuple[str, Any, dict]) -> list[tuple]:
    cell, seed, config = job
    return tidy_rows(experiment.run_experiment({**config, "seed": seed}), cell, seed)


def jobs_for(config: Mapping[str, Any], assignments: Sequence[str], seeds: int) -> list[tuple[str, Any, dict]]:
    """Every (cell, seed, config) to run, each config checked first so a typo fails before any work."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 1000:
        raise ValueError(f"--seeds must be an integer between 1 and 1000, got {seeds!r}")
    grid = cells(config, assignments)
    if len(grid) * seeds > MAX_RUNS:
        raise ValueError(f"the sweep has {len(grid) * seeds} runs; the limit is {MAX_RUNS}")
    for label, cell_config in grid:
        try:
            experiment.parse_config(cell_config)
        except ValueError as exc:
            raise ValueError(f"cell {label}: {exc}") from None
    return [(label, str(seed), cell_config) for label, cell_config in grid for seed in range(seeds)]


def run_sweep(config: Mapping[str, Any], assignments: Sequence[str], seeds: int,
              workers: int | None = None, executor: str | None = "local") -> list[tuple]:
    """Tidy rows of every cell and seed (in cell, seed order), computed on `executor` (studies/executors.py: the
    local pool of `workers` processes, 1 = in process; dask://HOST:PORT; ray)."""
    from ..studies import executors  # imports no engine (nor a process pool) until one is chosen

    executors.check_executor(executor)
    jobs = jobs_for(config, assignments, seeds)
    return [row for rows in executors.map_jobs(_run, jobs, executor, workers) for row in rows]


def to_tsv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Tab-separated text with a header; a missing value (None) is an empty field."""
    def cell(v: Any) -> str:
        if v is None:
            return ""
        return repr(v) if isinstance(v, float) else str(v).replace("\t", " ").replace("\n", " ")
    return "\n".join(["\t".join(columns), *("\t".join(cell(v) for v in row) for row in rows)]) + "\n"
