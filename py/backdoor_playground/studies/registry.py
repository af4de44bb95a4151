"""The table of studies: name -> Study. A study module calls register() on import (its Study is its STUDY);
load_all() imports them all and keeps the table in MODULES order, so listings do not depend on import order."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

# a row of a study: (cell, seed, metric, value, k, n); k and n are the counts of a rate (None otherwise)
Row = tuple

MODULES = ("modulo", "proximity", "matrix_study", "dimension")


@dataclass(frozen=True)
class Option:
    """One study setting: its default and a parser from the command line's text (ValueError naming the key)."""

    default: Any
    parse: Callable[[str, str], Any]
    doc: str


@dataclass(frozen=True)
class Study:
    """What the runner needs from a study.

    plan(options, seeds) -> (jobs, record): picklable jobs and the JSON record of the exact configs (computed once,
    in the driver: anything device-dependent, like a calibrated search budget, goes into the jobs from here);
    run_job(job) -> rows, a module-level function (executors pickle it); headline(summary, record) -> text;
    draw(summary, record, plt) -> (figure, caption) for matplotlib; seeds: the default number of seeds.
    `unavailable`: why the study cannot run yet (then it is listed but refused)."""

    name: str
    doc: str
    options: Mapping[str, Option] = field(default_factory=dict)
    plan: Callable[[dict, int], tuple[list, dict]] | None = None
    run_job: Callable[[Any], list[Row]] | None = None
    headline: Callable[[Sequence[tuple], dict], str] | None = None
    draw: Callable[..., tuple[Any, str]] | None = None
    seeds: int = 2
    unavailable: str | None = None


STUDIES: dict[str, Study] = {}


def register(study: Study) -> Study:
    STUDIES[study.name] = study
    return study


def load_all() -> dict[str, Study]:
    """Import every study module; STUDIES in MODULES order (whichever module was imported first), any study
    registered from elsewhere after them."""
    names = [importlib.import_module(f"{__package__}.{module}").STUDY.name for module in MODULES]
    ordered = {name: STUDIES[name] for name in names}
    ordered.update(STUDIES)
    if list(ordered) != list(STUDIES):
        STUDIES.clear()
        STUDIES.update(ordered)
    return STUDIES


def get_study(name: str) -> Study:
    """The study `name`; ValueError listing the valid names (and why an unavailable one cannot run)."""
    load_all()
    if name not in STUDIES:
        raise ValueError(f"study {name!r} is not one of {', '.join(STUDIES)}")
    study = STUDIES[name]
    if study.unavailable:
        raise ValueError(f"{name}: {study.unavailable}")
    return study


# ---------------------------------------------------------------------------------------------- option parsers

def ints(key: str, text: str) -> list[int]:
    try:
        out = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"{key} must be whole numbers separated by commas, got {text!r}") from None
    if not out:
        raise ValueError(f"{key} needs at least one value")
    return out


def floats(key: str, text: str) -> list[float]:
    try:
        out = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"{key} must be numbers separated by commas, got {text!r}") from None
    if not out or not all(v > 0 and v == v and v != float("inf") for v in out):
        raise ValueError(f"{key} must be positive finite numbers, got {text!r}")
    return out


def names(choices: Sequence[str]) -> Callable[[str, str], list[str]]:
    def parse(key: str, text: str) -> list[str]:
        out = [v.strip() for v in text.split(",") if v.strip()]
        bad = [v for v in out if v not in choices]
        if bad or not out:
            raise ValueError(f"{key}: {bad[0] if bad else text!r} is not one of {', '.join(choices)}")
        return out
    return parse


def number(low: float, high: float, integer: bool = False) -> Callable[[str, str], Any]:
    def parse(key: str, text: str) -> Any:
        try:
            v = int(text) if integer else float(text)
        except ValueError:
            raise ValueError(f"{key} must be {'a whole number' if integer else 'a number'}, got {text!r}") from None
        if not low <= v <= high:
            raise ValueError(f"{key} must be between {low:g} and {high:g}, got {text}")
        return v
    return parse


def one_of(choices: Sequence[str]) -> Callable[[str, str], str]:
    def parse(key: str, text: str) -> str:
        if text not in choices:
            raise ValueError(f"{key}: {text!r} is not one of {', '.join(choices)}")
        return text
    return parse
