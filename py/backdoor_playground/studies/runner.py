"""The study runner: plan -> jobs on an executor -> DIR/NAME.tsv (tidy: cell, seed, metric, value),
DIR/NAME.summary.tsv (mean, sd over seeds; for rates the pooled Wilson interval: experiment/matrix.summarize),
DIR/NAME.json (the exact configs, versions, machine, git commit) and DIR/NAME.svg + .png when matplotlib is there.

Metrics whose name has "seconds" in it or ends in "_per_s" are timings: the only numbers that depend on the machine or the
executor.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..experiment import matrix, plan as experiment_plan, sweep
from . import executors
from .registry import Study, get_study

TSV_COLUMNS = ("cell", "seed", "metric", "value")
SUMMARY_COLUMNS = ("cell", "metric", "seeds", "mean", "sd", "k", "n", "lo", "hi")
MAX_SEEDS = 50
FIGURES_HINT = "figures need matplotlib: pip install './py[plots]' and run the study again"


def is_timing(metric: str) -> bool:
    return "seconds" in metric or metric.endswith("_per_s")


def parse_options(study: Study, pairs: Sequence[str]) -> dict:
    """The study's options: defaults, overridden by KEY=VALUE pairs; ValueError naming a bad key and the valid ones."""
    out = {k: o.default for k, o in study.options.items()}
    for text in pairs:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or key not in study.options:
            valid = ", ".join(study.options) or "none"
            raise ValueError(f"--option {text!r}: {study.name} takes KEY=VALUE with KEY one of {valid}")
        out[key] = study.options[key].parse(key, value.strip())
    return out


def summarize(rows: Sequence[tuple]) -> list[tuple]:
    """(cell, metric, seeds, mean, sd, k, n, lo, hi) per cell and metric, in first-seen order (matrix.summarize)."""
    return [(cell, *rest) for cell, _, *rest in matrix.summarize([(c, "", s, m, v, k, n) for c, s, m, v, k, n in rows])]


def git_commit() -> str | None:
    """HEAD of the repository this package lives in, if it is one and git is there (never in Pyodide)."""
    if sys.platform == "emscripten":
        return None
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def machine() -> dict:
    return {"platform": platform.platform(), "machine": platform.machine(), "processor": platform.processor(),
            "cpu_count": os.cpu_count(), "python": platform.python_version()}


def prepare(name: str, seeds: int | None, options: Sequence[str], executor: str | None = "local"
            ) -> tuple[Study, int, dict, str]:
    """(study, seeds, options, executor) checked; ValueError for a bad name, option or executor (before any work)."""
    study = get_study(name)
    spec = executors.check_executor(executor)
    seeds = study.seeds if seeds is None else seeds
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise ValueError(f"--seeds must be an integer between 1 and {MAX_SEEDS}, got {seeds!r}")
    return study, seeds, parse_options(study, options), spec


def full_record(study: Study, seeds: int, opts: dict, record: dict, executor: str, seconds: float) -> dict:
    """The JSON record: the study's own (configs, calibration) with options, versions, machine and commit."""
    return {"study": study.name, "seeds": seeds, "options": opts, **record, "executor": executor,
            "versions": experiment_plan.versions(), "machine": machine(), "git_commit": git_commit(),
            "seconds": seconds}


def run(name: str, seeds: int | None = None, options: Sequence[str] = (), workers: int | None = None,
        executor: str | None = "local") -> tuple[Study, list[tuple], dict]:
    """(study, rows, record) of one study run; ValueError for a bad name, option or executor (before any work)."""
    study, seeds, opts, spec = prepare(name, seeds, options, executor)
    assert study.plan is not None and study.run_job is not None
    start = time.perf_counter()
    jobs, record = study.plan(opts, seeds)
    results = executors.map_jobs(study.run_job, jobs, spec, workers)
    rows = [row for part in results for row in part]
    return study, rows, full_record(study, seeds, opts, record, spec, time.perf_counter() - start)


def write(study: Study, rows: Sequence[tuple], record: dict, out_dir: str | Path) -> tuple[list[str], str]:
    """Write the files of a run; (the paths written, the headline)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(rows)
    base = out / study.name
    paths = [f"{base}.tsv", f"{base}.summary.tsv", f"{base}.json"]
    Path(paths[0]).write_text(sweep.to_tsv(TSV_COLUMNS, (r[:4] for r in rows)), encoding="utf-8")
    Path(paths[1]).write_text(sweep.to_tsv(SUMMARY_COLUMNS, summary), encoding="utf-8")
    headline = study.headline(summary, record) if study.headline else ""
    from . import figures

    drawn = figures.draw(study, summary, record, base)
    if drawn is None:
        record = {**record, "figure": None}
        note = FIGURES_HINT
    else:
        record = {**record, "figure": drawn}
        paths.extend(drawn["files"])
        note = f"caption: {drawn['caption']}"
    record = {**record, "headline": headline}
    Path(paths[2]).write_text(json.dumps(_plain(record), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return paths, headline + note + "\n"


def _plain(v: Any) -> Any:
    from ..defense.run import json_safe

    return json_safe(v)


def run_and_write(name: str, out_dir: str | Path, seeds: int | None = None, options: Sequence[str] = (),
                  workers: int | None = None, executor: str | None = "local") -> str:
    """run() then write(): the text the command line prints."""
    study, rows, record = run(name, seeds, options, workers, executor)
    paths, text = write(study, rows, record, out_dir)
    return text + "wrote " + ", ".join(paths) + "\n"


def metric_means(summary: Sequence[tuple]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """{(cell, metric): {seeds, mean, sd, k, n, lo, hi}} of a summary."""
    return {(c, m): dict(zip(SUMMARY_COLUMNS[2:], rest)) for c, m, *rest in summary}


def parse_cell(cell: str) -> dict[str, str]:
    """"variant=keyed modulo=20" -> {"variant": "keyed", "modulo": "20"}."""
    return dict(part.split("=", 1) for part in cell.split())
