"""The one rule for every checksum number: name -> (low, high, default, description), and the checks that read it.

Every place that accepts a checksum number checks it here: the URL state table (playground/config.py takes its
csum_* limits and defaults from PARAMS), ChecksumParams, plant_params, SearchParams, the digit-edit parameters, the
residue histograms and the search estimate.

The key rule (`reduce_key`, the only place that writes "key mod m"): any key 0 <= key < 65536 is accepted and read
modulo m, so a link, config or command line that keeps NN Calculator's key 150 while setting m = 20 means key 10.

This module imports nothing from the package (playground/config.py imports it).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Param", "PARAMS", "VARIANT_NAMES", "LAYERS", "check", "reduce_key", "int_in", "float_in",
           "DEFAULT_MODULO", "DEFAULT_KEY", "DEFAULT_PRECISION"]

MAX_SAFE_INT = 2**53 - 1  # JavaScript reads larger integers inexactly


@dataclass(frozen=True)
class Param:
    """One checksum number: integers in [low, high], or floats in (low, high] when `integer` is False."""

    low: int | float
    high: int | float
    default: int | float
    doc: str
    integer: bool = True


PARAMS: dict[str, Param] = {
    "modulo": Param(2, 65536, 256, "checksum modulus m (NN Calculator: 256)"),
    "key": Param(0, 65535, 150, "residue that fires a node (NN Calculator: 150); read modulo m"),
    "precision": Param(1, 17, 15, "characters of the mantissa that count (NN Calculator: 15)"),
    "secret": Param(0, MAX_SAFE_INT, 0, "the keyed variant's hash key (public: this is a playground)"),
    "window": Param(-1, 1 << 24, 45, "digit-edit: nodes with |key - residue| <= window are candidates; "
                                     "-1 = every node (NN Calculator: 10 digits x average change 4.5)"),
    "refine": Param(0, 20, 3, "digit-edit: Newton steps on the moved coordinate; 0 = NN Calculator's one shot"),
    "k": Param(1, 64, 1, "search: first-layer nodes that must fire at once (at most the layer's width)"),
    "radius": Param(0.0, 1.0, 1e-3, "search: perturbation per coordinate, in (0, 1]", integer=False),
    "max_trials": Param(1, 10**9, 1_000_000, "search: candidates per point before giving up"),
}

VARIANT_NAMES = ("decimal", "keyed", "parity")
LAYERS = ("all", "first")

DEFAULT_MODULO = PARAMS["modulo"].default
DEFAULT_KEY = PARAMS["key"].default
DEFAULT_PRECISION = PARAMS["precision"].default


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


def float_in(name: str, value: Any, low: float, high: float) -> float:
    """`value` as a finite float in (low, high]; ValueError naming `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and low < number <= high):
        raise ValueError(f"{name} must be a number in ({low:g}, {high:g}], got {value!r}")
    return number


def check(name: str, value: Any, high: int | None = None) -> Any:
    """`value` checked against PARAMS[name] (ValueError naming `name`); `high` lowers the upper limit (k <= the
    layer's width)."""
    param = PARAMS[name]
    top = param.high if high is None else min(param.high, high)
    if param.integer:
        return int_in(name, value, param.low, top)
    return float_in(name, value, param.low, top)


def reduce_key(key: Any, modulo: int) -> int:
    """The key rule: 0 <= key < 65536 accepted, read as key mod m (m already checked)."""
    return check("key", key) % modulo
