"""The matrix as a study: experiment/matrix.py's backdoor x defense grid (its rows, unchanged) through the study
runner, so it gets the same files, executors and a figure. A cell is "backdoor=B defense=D"."""

from __future__ import annotations

from typing import Any, Sequence

from ..experiment import matrix
from ..playground.datasets import CLASSIFY_DATASETS
from . import registry
from .registry import Option


def plan(opts: dict, seeds: int) -> tuple[list, dict]:
    """One job per (seed, backdoor) as matrix.run_matrix has them; the training runs in the job."""
    config = {**matrix.BENCH_CONFIG, "dataset": opts["dataset"], "epochs": opts["epochs"]}
    raw, bds, dfs = matrix.check_matrix(config, opts["backdoors"], opts["defenses"])
    trigger = matrix.check_trigger(opts["trigger"])
    jobs = [(raw, str(seed), bd, dfs, trigger) for seed in range(seeds) for bd in bds]
    return jobs, {"config": raw, "backdoors": bds, "defenses": dfs, "trigger": trigger}


def run_job(job: tuple) -> list[tuple]:
    raw, seed, bd, dfs, trigger = job
    rows = matrix.run_backdoor((matrix.trained(raw, seed), seed, bd, dfs, trigger))
    return [(f"backdoor={b} defense={d}", s, metric, v, k, n) for b, d, s, metric, v, k, n in rows]


def headline(summary: Sequence[tuple], record: dict) -> str:
    from .runner import parse_cell

    rows = [(parse_cell(c)["backdoor"], parse_cell(c)["defense"], m, *rest) for c, m, *rest in summary]
    return matrix.grid_text(rows)


def draw(summary: Sequence[tuple], record: dict, plt: Any) -> tuple[Any, str]:
    from .figures import matrix_figure

    return matrix_figure(summary, record, plt)


STUDY = registry.register(registry.Study(
    name="matrix", doc="every backdoor x defense pair (experiment/matrix.py) through the study runner",
    options={
        "dataset": Option("circle", registry.one_of(tuple(CLASSIFY_DATASETS)), "the data set"),
        "epochs": Option(300, registry.number(1, 10_000, integer=True), "training epochs"),
        "backdoors": Option(list(matrix.DEFAULT_BACKDOORS), registry.names(tuple(matrix.BACKDOORS)), "backdoors"),
        "defenses": Option(list(matrix.DEFENSES), registry.names(tuple(matrix.DEFENSES)), "defenses"),
        "trigger": Option("box", registry.one_of(tuple(matrix.TRIGGERS)), "the poisoning row's trigger"),
    },
    plan=plan, run_job=run_job, headline=headline, draw=draw, seeds=1))
