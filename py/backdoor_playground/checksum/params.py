"""The one rule for every checksum number: name -> (low, high, default, description), and the checks that read it.

Every place that accepts a checksum number checks it here: the URL state table (playground/config.py takes its
csum_* limits and defaults from PARAMS), ChecksumParams, plant_params, SearchParams, the digit-edit parameters, the
residue histograms and the search estimate.

The key rule (`reduce_key`, the only place that writes "key mod m"): any key 0 <= key < 65536 is accepted and read
modulo m, so a link, config or command line that keeps NN Calculator's key 150 while setting m = 20 means key 10.

This module imports only limits.py from the package (playground/config.py imports it).
"""

from __future__ import annotations

from typing import Any

from ..limits import Limit, int_in, number_in as float_in

__all__ = ["PARAMS", "VARIANT_NAMES", "LAYERS", "check", "reduce_key", "int_in", "float_in",
           "DEFAULT_MODULO", "DEFAULT_KEY", "DEFAULT_PRECISION"]

MAX_SAFE_INT = 2**53 - 1  # JavaScript reads larger integers inexactly


PARAMS: dict[str, Limit] = {
    "modulo": Limit(2, 65536, 256, "checksum modulus m (NN Calculator: 256)"),
    "key": Limit(0, 65535, 150, "residue that fires a node (NN Calculator: 150); read modulo m"),
    "precision": Limit(1, 17, 15, "characters of the mantissa that count (NN Calculator: 15)"),
    "secret": Limit(0, MAX_SAFE_INT, 0, "the keyed variant's hash key (public: this is a playground)"),
    "window": Limit(-1, 1 << 24, 45, "digit-edit: nodes with |key - residue| <= window are candidates; "
                                     "-1 = every node (NN Calculator: 10 digits x average change 4.5)"),
    "refine": Limit(0, 20, 3, "digit-edit: Newton steps on the moved coordinate; 0 = NN Calculator's one shot"),
    "k": Limit(1, 64, 1, "search: first-layer nodes that must fire at once (at most the layer's width)"),
    "radius": Limit(0.0, 1.0, 1e-3, "search: perturbation per coordinate, in (0, 1]", integer=False, low_open=True),
    "max_trials": Limit(1, 10**9, 1_000_000, "search: candidates per point before giving up"),
}

VARIANT_NAMES = ("decimal", "keyed", "parity")
LAYERS = ("all", "first")

DEFAULT_MODULO = PARAMS["modulo"].default
DEFAULT_KEY = PARAMS["key"].default
DEFAULT_PRECISION = PARAMS["precision"].default


def check(name: str, value: Any, high: int | None = None) -> Any:
    """`value` checked against PARAMS[name] (ValueError naming `name`); `high` lowers the upper limit (k <= the
    layer's width)."""
    return PARAMS[name].check(name, value, high)


def reduce_key(key: Any, modulo: int) -> int:
    """The key rule: 0 <= key < 65536 accepted, read as key mod m (m already checked)."""
    return check("key", key) % modulo
