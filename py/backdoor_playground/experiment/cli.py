"""Command line:

    python3 -m backdoor_playground experiment CONFIG.json [--out RESULT.json]
    python3 -m backdoor_playground sweep CONFIG.json --seeds 5 --set backdoor.modulo=20,64,256 [--out results.tsv]
    python3 -m backdoor_playground matrix CONFIG.json --seeds 5 [--backdoors a,b] [--defenses x,y] [--jobs N]
        [--trigger box|T1..T9] --out matrix.tsv
    python3 -m backdoor_playground study NAME [--seeds N] [--jobs N] [--executor local|dask://HOST:PORT|ray] --out DIR

sweep, matrix and study take --executor (studies/executors.py); study is studies/cli.py.

`experiment` runs stages.run_experiment on the JSON config and writes the result as JSON (stdout without --out;
with --out a short summary goes to stderr). The config names any data set, 2-D or not: "dataset": "circle3d" with
"features": ["x", "y", "z", ...], "dataset": "spiral3" / "blobs4", or "dataset": "blobs" with "classes": 2..10; the
result records the data's d (inputs per point) and K (classes; 0 for regression). `sweep` runs the grid of --set values (repeatable) times seeds on a
process pool, writes the tidy TSV (one row per cell, seed, stage and metric) to --out and the summary (mean ± sd per
cell and metric) next to it as NAME.summary.tsv, and prints the headline metrics per cell as a table (to stderr when
the tidy TSV goes to stdout, without --out).
`matrix` trains once per seed, plants each backdoor, runs each defense (experiment/matrix.py), writes the tidy
TSV (backdoor, defense, seed, metric, value) to --out and NAME.summary.tsv (mean, sd, pooled Wilson interval), and
prints the headline grid. A bad config or name prints "error: ..." naming it and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import matrix, report, stages as experiment, sweep
from ..games import cli as game_cli
from ..studies import cli as study_cli

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """A problem with the user's files or config: reported as "error: ..." with exit status 2."""


def _read_json(path: str) -> object:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadInput(f"{path} is not valid JSON: {exc}") from None


def _write_text(text: str, out: str | None) -> None:
    """To the file `out`, or to stdout without one."""
    if out is None:
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {out}: {exc.strerror or exc}") from None


def cmd_experiment(args: argparse.Namespace) -> int:
    """train -> plant -> activate -> forge -> defend on one config."""
    config = _read_json(args.config)
    try:
        result = experiment.run_experiment(config)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    _write_text(json.dumps(result, indent=2, allow_nan=False) + "\n", args.out)
    if args.out is not None:
        sys.stderr.write(report.experiment_lines(result, args.out))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """The grid of --set values times seeds, as tidy rows and a summary."""
    config = _read_json(args.config)
    if not isinstance(config, dict):
        raise BadInput("the config must be a JSON object")
    if args.out is not None and not Path(args.out).resolve().parent.is_dir():
        raise BadInput(f"cannot write {args.out}: its folder does not exist")  # say so before the long run
    try:
        rows = sweep.run_sweep(config, args.set or [], args.seeds, args.jobs, args.executor)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    summary = sweep.summarize(rows)
    if args.out is None:
        _write_text(sweep.to_tsv(sweep.TSV_COLUMNS, rows), None)
        sys.stderr.write(report.sweep_table(summary))
        return 0
    out = Path(args.out)
    summary_path = out.with_name(out.stem + ".summary.tsv")
    _write_text(sweep.to_tsv(sweep.TSV_COLUMNS, rows), str(out))
    _write_text(sweep.to_tsv(sweep.SUMMARY_COLUMNS, summary), str(summary_path))
    sys.stdout.write(report.sweep_table(summary) + f"wrote {out} and {summary_path} (every metric)\n")
    return 0


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (so --jobs 0 or --seeds 0 is refused with exit status 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def cmd_matrix(args: argparse.Namespace) -> int:
    """Every backdoor x defense pair over seeds, as tidy rows, a summary and the headline grid."""
    config = _read_json(args.config)
    if not isinstance(config, dict):
        raise BadInput("the config must be a JSON object")
    out = Path(args.out)
    if not out.resolve().parent.is_dir():
        raise BadInput(f"cannot write {args.out}: its folder does not exist")  # say so before the long run
    names = {k: None if v is None else [n.strip() for n in v.split(",") if n.strip()]
             for k, v in (("backdoors", args.backdoors), ("defenses", args.defenses))}
    try:
        rows = study_cli.executors.run_matrix(config, args.seeds, names["backdoors"], names["defenses"],
                                              args.jobs or 1, args.executor, args.trigger)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    summary = matrix.summarize(rows)
    summary_path = out.with_name(out.stem + ".summary.tsv")
    _write_text(sweep.to_tsv(matrix.TSV_COLUMNS, (row[:5] for row in rows)), str(out))
    _write_text(sweep.to_tsv(matrix.SUMMARY_COLUMNS, summary), str(summary_path))
    sys.stdout.write(matrix.grid_text(summary) + f"wrote {out} and {summary_path}\n")
    return 0


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "experiment": (cmd_experiment, "run one experiment: train -> plant -> activate -> forge -> defend"),
    "sweep": (cmd_sweep, "run an experiment over a grid of settings and seeds; tidy TSV + summary"),
    "matrix": (cmd_matrix, "every backdoor x defense pair over seeds; tidy TSV + summary + headline grid"),
    "study": (lambda args: study_cli.cmd_study(args, BadInput), "a study: tidy TSV + summary + JSON + figure"),
    "game": (lambda args: game_cli.cmd_game(args, BadInput, _read_json), "play a game: JSON + headline"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m backdoor_playground",
                                     description="Backdoor Playground experiments from the command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    experiment_parser = sub.add_parser("experiment", help=COMMANDS["experiment"][1])
    experiment_parser.add_argument("config", metavar="CONFIG.json", help="experiment config (JSON object)")
    experiment_parser.add_argument("--out", metavar="RESULT.json", help="write the result here instead of stdout")
    sweep_parser = sub.add_parser("sweep", help=COMMANDS["sweep"][1])
    sweep_parser.add_argument("config", metavar="CONFIG.json", help="experiment config (JSON object)")
    sweep_parser.add_argument("--seeds", type=positive_int, default=5, help="seeds 0..N-1 per cell (default 5)")
    sweep_parser.add_argument("--set", action="append", metavar="KEY=V1,V2",
                              help="a setting to vary, e.g. backdoor.modulo=20,64,256 (repeatable)")
    sweep_parser.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default: CPU count)")
    sweep_parser.add_argument("--out", metavar="results.tsv", help="tidy TSV here, summary in results.summary.tsv")
    study_cli.add_executor_argument(sweep_parser)
    matrix_parser = sub.add_parser("matrix", help=COMMANDS["matrix"][1])
    matrix_parser.add_argument("config", metavar="CONFIG.json", help="playground config (JSON object)")
    matrix_parser.add_argument("--seeds", type=positive_int, default=5, help="seeds 0..N-1 (default 5)")
    matrix_parser.add_argument("--backdoors", metavar="A,B", help=f"backdoors (default {','.join(matrix.DEFAULT_BACKDOORS)}; "
                               f"all: {','.join(matrix.BACKDOORS)})")
    matrix_parser.add_argument("--defenses", metavar="X,Y", help=f"defenses (default all: {','.join(matrix.DEFENSES)})")
    matrix_parser.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default 1)")
    matrix_parser.add_argument("--trigger", default="box", help="the poisoning row's trigger: box (default) or "
                               "T1..T9, NN Calculator's trojan regions")
    matrix_parser.add_argument("--out", metavar="matrix.tsv", required=True,
                               help="tidy TSV here, summary in matrix.summary.tsv")
    study_cli.add_executor_argument(matrix_parser)
    study_cli.add_parser(sub, positive_int)
    game_cli.add_parser(sub, positive_int)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # usage errors exit with status 2 too
    try:
        return COMMANDS[args.command][0](args)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

