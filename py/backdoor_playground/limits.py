"""One rule per number: a bounded numeric setting is declared once, as a `Limit` in its owner's LIMITS table, and
every checker (config files, worker handlers, the command line) calls `Limit.check`. The build writes every table
into the page's generated `state-table.js` (worker/tables.py), so the page's fields use the same bounds."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Limit:
    """lo <= value <= hi (or < where open); an integer when `integer`; `default` when absent."""

    name: str
    lo: float
    hi: float
    default: Any = None
    integer: bool = False
    lo_open: bool = False
    hi_open: bool = False
    doc: str = ""

    def ok(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.integer and not isinstance(value, int):
            return False
        if not math.isfinite(value):
            return False
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def text(self) -> str:
        """"an integer from 2 to 65536" / "a number with 0 < sigma <= 6"."""
        if self.integer and not (self.lo_open or self.hi_open):
            return f"an integer from {self.lo:g} to {self.hi:g}"
        lo_s, hi_s = ("<" if self.lo_open else "<="), ("<" if self.hi_open else "<=")
        kind = "an integer" if self.integer else "a number"
        return f"{kind} with {self.lo:g} {lo_s} {self.name} {hi_s} {self.hi:g}"

    def check(self, value: Any = None, prefix: str = "") -> Any:
        """The value (the default when None) if it is within bounds; ValueError "<prefix><name> must be ..."."""
        if value is None and self.default is not None:
            value = self.default
        if not self.ok(value):
            raise ValueError(f"{prefix}{self.name} must be {self.text()}, got {value!r}")
        return value if self.integer else float(value)

    def to_json(self) -> dict:
        return asdict(self)


def table(limits: dict[str, Limit]) -> dict[str, dict]:
    """A LIMITS table as plain data for the page."""
    return {name: limit.to_json() for name, limit in limits.items()}
