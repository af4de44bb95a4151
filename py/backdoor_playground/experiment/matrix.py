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
from ..defense import stats
from ..limits import not_one_of
from ..session import Session
from .matrix_columns import COLUMNS
from .plan import parse_config

BACKDOORS: dict[str, dict] = {
    "poisoning": {"type": "poisoning"},
    "checksum:decimal": {"type": "checksum", "variant": "decimal"},
    "checksum:keyed": {"type": "checksum", "variant": "keyed"},
    "checksum:parity": {"type": "checksum", "variant": "parity"},
    "signature:toy-rsa": {"type": "signature", "scheme": "toy-rsa"},
    "signature:ed25519": {"type": "signature", "scheme": "ed25519"},
    "csum-signature": {"type": "csum-signature"},
}
DEFAULT_BACKDOORS = ("poisoning", "checksum:decimal", "signature:toy-rsa", "signature:ed25519", "csum-signature")
DEFENSES = COLUMNS  # name -> column function (matrix_columns.py)
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


def run_backdoor(job: tuple[Session, str, str, list[str]]) -> list[tuple]:
    """Rows (backdoor, defense, seed, metric, value, k, n) of one backdoor on a trained session, every defense."""
    base, seed, backdoor, defenses = job
    s = copy.deepcopy(base)
    settings = attacks.check(BACKDOORS[backdoor], s.config)
    s.install(settings["type"], settings).activate_as(s, settings)
    att = s.attacked()
    rows = []
    for name in defenses:
        start = time.perf_counter()
        values = {**COLUMNS[name](s, att, seed), "seconds": time.perf_counter() - start}
        for metric, v in values.items():
            if isinstance(v, Mapping):
                rows.append((backdoor, name, seed, metric, v["value"], v["k"], v["n"]))
            else:
                rows.append((backdoor, name, seed, metric, v, None, None))
    return rows


def trained(config: Mapping[str, Any], seed: str) -> Session:
    play_config, _ = parse_config({**config, "seed": seed})
    s = Session(play_config)
    s.train(epochs=play_config["epochs"])
    return s


def run_matrix(config: Mapping[str, Any], seeds: int, backdoors: Sequence[str] | None = None,
               defenses: Sequence[str] | None = None, workers: int = 1) -> list[tuple]:
    """Every (backdoor, defense, seed, metric) row; the same rows whatever `workers` is (timing aside)."""
    raw = {k: v for k, v in dict(config).items() if k not in ("backdoor", "defense")}
    parse_config(raw)  # a bad config fails before any training
    bds = check_names(backdoors, BACKDOORS, DEFAULT_BACKDOORS, "backdoor")
    dfs = check_names(defenses, DEFENSES, tuple(DEFENSES), "defense")
    jobs = []
    for seed in (str(i) for i in range(seeds)):
        base = trained(raw, seed)
        jobs.extend((base, seed, bd, dfs) for bd in bds)
    if workers <= 1:
        return [row for job in jobs for row in run_backdoor(job)]
    from concurrent.futures import ProcessPoolExecutor  # not in Pyodide

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [row for rows in pool.map(run_backdoor, jobs) for row in rows]


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
