"""Command line: `python3 -m backdoor_playground experiment CONFIG.json [--out RESULT.json]`.

Runs experiment.run_experiment on the JSON config and writes the result as JSON (to stdout without --out).
A bad config prints "error: ..." naming the bad key and exits with status 2. Subcommands live in COMMANDS, so
later ones (sweep) slot in next to `experiment`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import experiment

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


def _write_json(value: object, out: str | None) -> None:
    text = json.dumps(value, indent=2, allow_nan=False) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {out}: {exc.strerror or exc}") from None


def cmd_experiment(args: argparse.Namespace) -> int:
    """train clean -> plant -> activate on one config."""
    config = _read_json(args.config)
    try:
        result = experiment.run_experiment(config)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    _write_json(result, args.out)
    return 0


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "experiment": (cmd_experiment, "run one experiment: train clean -> plant -> activate"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m backdoor_playground",
                                     description="Backdoor Playground experiments from the command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    experiment_parser = sub.add_parser("experiment", help=COMMANDS["experiment"][1])
    experiment_parser.add_argument("config", metavar="CONFIG.json", help="experiment config (JSON object)")
    experiment_parser.add_argument("--out", metavar="RESULT.json", help="write the result here instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # usage errors exit with status 2 too
    try:
        return COMMANDS[args.command][0](args)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
