"""`python3 -m backdoor_playground.studies [--out docs/figures]`: every available study with its default settings,
one after the other (the figures and data under docs/figures; docs/STUDIES.md)."""

from __future__ import annotations

import argparse
import sys

from .registry import load_all
from .runner import run_and_write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m backdoor_playground.studies",
                                     description="Run every available study with its defaults.")
    parser.add_argument("--out", default="docs/figures", help="folder for every study's files (default docs/figures)")
    parser.add_argument("--executor", default="local", help="local (default), dask://HOST:PORT or ray")
    args = parser.parse_args(argv)
    for name, study in load_all().items():
        if study.unavailable:
            print(f"{name}: skipped: {study.unavailable}", file=sys.stderr)
            continue
        print(f"== {name}", flush=True)
        sys.stdout.write(run_and_write(name, args.out, executor=args.executor))
    return 0


if __name__ == "__main__":
    sys.exit(main())
