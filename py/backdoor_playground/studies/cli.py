"""`python3 -m backdoor_playground study NAME [--seeds N] [--jobs N] [--executor local|dask://HOST:PORT|ray]
[--option KEY=VALUE ...] --out DIR`: runs one study (runner.py) and prints its headline."""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from . import executors, registry, runner


def add_executor_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--executor", default="local", metavar="local|dask://HOST:PORT|ray",
                        help="where the runs go: the local process pool (default), a dask.distributed scheduler, "
                             "or ray (optional extras: pip install './py[dask]' / './py[ray]')")


def add_parser(sub: argparse._SubParsersAction, positive_int: Callable[[str], int]) -> None:
    studies = registry.load_all()
    listing = "; ".join(f"{n}: {s.doc}" + (" (not available yet)" if s.unavailable else "") for n, s in studies.items())
    p = sub.add_parser("study", help="run a study (modulo, proximity, matrix, dimension): TSV, summary, JSON, figure",
                       description=f"Studies: {listing}.")
    p.add_argument("name", metavar="NAME", help=f"one of {', '.join(studies)}")
    p.add_argument("--seeds", type=positive_int, default=None, help="seeds 0..N-1 (default: the study's)")
    p.add_argument("--jobs", type=positive_int, default=None, help="local worker processes (default: CPU count)")
    add_executor_argument(p)
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="a study setting, e.g. moduli=2,20,256 (repeatable; see docs/STUDIES.md)")
    p.add_argument("--out", metavar="DIR", required=True, help="writes DIR/NAME.tsv, .summary.tsv, .json, .svg, .png")


def cmd_study(args: argparse.Namespace, bad_input: type[Exception]) -> int:
    try:
        text = runner.run_and_write(args.name, args.out, args.seeds, args.option, args.jobs, args.executor)
    except ValueError as exc:
        raise bad_input(str(exc)) from None
    except OSError as exc:
        raise bad_input(f"cannot write {args.out}: {exc.strerror or exc}") from None
    sys.stdout.write(text)
    return 0


__all__ = ["add_parser", "add_executor_argument", "cmd_study", "executors"]
