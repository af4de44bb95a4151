"""Backdoor 1, the checksum inside the non-linear operator (NN Calculator's, and keyed and parity variants).

Modules, each one job (the math in its docstring's first line):
    params        the one table of checksum numbers (modulo, key, precision, secret, window, refine, k, radius,
                  max_trials) and the key rule (key mod m)
    values        array in / array out helpers
    decimal       NN Calculator's simpleChecksum and matchChecksum, bit-exact (decimal_fast, decimal_digits: the
                  certified fast path and the exact digit arithmetic behind it)
    variants      keyed and parity checksums; VARIANTS, get_variant
    activation    ChecksumParams and the *_csum operator family (registered with playground.activations)
    plant         plant / unplant, agreement and trigger rates
    records, inverse, digit_edit, search   the two activations (NN Calculator's digit edit; the key holder's search)
    cost, calibrate   p_key, expected trials, predicted search time and caps; this device's search speed
    csumsig       NN Calculator's "CSUM signature"

This package namespace re-exports the names the rest of the package uses, each imported from its module on first
use (PEP 562), so importing one module of the package (the operator family, say) does not import them all.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

# name -> the module of this package that defines it
_EXPORTS: dict[str, str] = {name: module for module, names in {
    "activation": ("CHECKSUM_BASES", "CSUM_SUFFIX", "DEFAULT_CHECKSUM", "ChecksumParams"),
    "calibrate": ("calibrate",),
    "cost": ("SearchRate", "expected_search_trials", "expected_trials", "p_key_model", "predict_search_seconds",
             "search_cap", "search_k_cap"),
    "decimal": ("csum", "match_checksum"),
    "digit_edit": ("DIGIT_EDIT_KEYS", "activate_digit_edit", "digit_edit_params"),
    "inverse": ("MOVED_COORDINATE", "invert_feature"),
    "params": ("DEFAULT_KEY", "DEFAULT_MODULO", "DEFAULT_PRECISION", "LAYERS", "PARAMS", "VARIANT_NAMES", "check",
               "float_in", "int_in", "reduce_key"),
    "plant": ("PLANT_KEYS", "PlantParams", "agreement", "fired", "model_checksum", "node_trigger_rate",
              "params_from_config", "plant", "plant_params", "planted_layers", "trigger_rate", "unplant"),
    "records": ("METHODS", "check_points", "select_indices"),
    "search": ("SEARCH_KEYS", "SearchParams", "SearchRun"),
    "variants": ("VARIANTS", "DecimalChecksum", "KeyedChecksum", "ParityChecksum", "fraction_bits_kept",
                 "get_variant", "keyed_residue", "parity_blocks", "parity_residue"),
}.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """`checksum.plant` and `checksum.calibrate` are the functions, as before, even once their modules are imported
    (importing a submodule sets it as an attribute of its package; here that is skipped for those names)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if not (isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "CHECKSUM_BASES", "CSUM_SUFFIX", "DEFAULT_CHECKSUM", "ChecksumParams", "calibrate", "SearchRate",
    "expected_search_trials", "expected_trials", "p_key_model", "predict_search_seconds", "search_cap",
    "search_k_cap", "csum", "match_checksum", "DIGIT_EDIT_KEYS", "activate_digit_edit", "digit_edit_params",
    "MOVED_COORDINATE", "invert_feature", "DEFAULT_KEY", "DEFAULT_MODULO", "DEFAULT_PRECISION", "LAYERS", "PARAMS",
    "VARIANT_NAMES",
    "check", "float_in", "int_in", "reduce_key", "PLANT_KEYS", "PlantParams", "agreement", "fired",
    "model_checksum", "node_trigger_rate", "params_from_config", "plant", "plant_params", "planted_layers",
    "trigger_rate", "unplant", "METHODS", "check_points", "select_indices", "SEARCH_KEYS", "SearchParams",
    "SearchRun", "VARIANTS", "DecimalChecksum", "KeyedChecksum", "ParityChecksum", "fraction_bits_kept",
    "get_variant", "keyed_residue", "parity_blocks", "parity_residue",
]
