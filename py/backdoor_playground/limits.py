"""One rule per number, and one way to refuse a name.

A bounded setting is declared once, as a `Limit` in its owner's table (checksum/params.py PARAMS, defense/run.py
LIMITS, ...), and every checker (URL state table, config files, worker handlers, the command
line) goes through it. The build writes every table into the page's generated `state-table.js`
(worker/tables.py), so the page's fields use the same bounds and defaults.

Integers accept integral floats (150.0 is 150: JSON writers and JavaScript do not always tell them apart) and
refuse bools and fractions. This module imports nothing from the package.
"""

from __future__ import annotations

import difflib
import math
import operator
from dataclasses import asdict, dataclass
from typing import Any, Iterable

import numpy as np


@dataclass(frozen=True)
class Limit:
    """Integers in [low, high]; or numbers in [low, high] with either end open (`low_open`, `high_open`)."""

    low: int | float
    high: int | float
    default: Any
    doc: str
    integer: bool = True
    low_open: bool = False
    high_open: bool = False

    def check(self, name: str, value: Any, high: int | float | None = None) -> Any:
        """`value` within the limit (`high` lowers the upper end, e.g. k <= a layer's width); ValueError naming
        `name` otherwise."""
        top = self.high if high is None else min(self.high, high)
        if self.integer:
            return int_in(name, value, self.low, top)
        return number_in(name, value, self.low, top, self.low_open, self.high_open)

    def to_json(self) -> dict:
        return asdict(self)


def int_in(name: str, value: Any, low: int, high: int) -> int:
    """`value` as an int in [low, high] (integral floats accepted, bools not); ValueError naming `name`."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            number = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {number}")
    return number


def number_in(name: str, value: Any, low: float, high: float, low_open: bool = True,
              high_open: bool = False) -> float:
    """`value` as a finite float between low and high (ends open as given; default (low, high]); ValueError
    naming `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    above = number > low if low_open else number >= low
    below = number < high if high_open else number <= high
    if not (math.isfinite(number) and above and below):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    return number


def table(limits: dict[str, Limit]) -> dict[str, dict]:
    """A limits table as plain data for the page."""
    return {name: limit.to_json() for name, limit in limits.items()}


def suggestion(value: Any, valid: Iterable[str]) -> str:
    """" (did you mean X?)" for the valid name closest to `value`, else ""."""
    close = difflib.get_close_matches(str(value), [str(v) for v in valid], n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def unknown_key(name: str, what: str, valid: Iterable[str]) -> ValueError:
    """"<name> is not <what> (did you mean X?); expected one of a, b, c"."""
    valid = list(valid)
    return ValueError(f"{name} is not {what}{suggestion(name.rpartition('.')[2], valid)}; "
                      f"expected one of {', '.join(map(str, valid))}")


def not_one_of(name: str, value: Any, valid: Iterable[Any]) -> ValueError:
    """"<name> 'x' is not one of a, b, c (did you mean X?)"."""
    valid = list(valid)
    return ValueError(f"{name} {value!r} is not one of {', '.join(map(str, valid))}{suggestion(value, valid)}")
