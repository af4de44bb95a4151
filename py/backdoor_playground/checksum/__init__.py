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

This package namespace re-exports the names the rest of the package uses.
"""

from .activation import CHECKSUM_BASES, CSUM_SUFFIX, DEFAULT_CHECKSUM, ChecksumParams
from .calibrate import calibrate
from .cost import (SearchRate, expected_search_trials, expected_trials, p_key_model, predict_search_seconds,
                   search_cap, search_k_cap)
from .decimal import csum, match_checksum
from .digit_edit import DIGIT_EDIT_KEYS, activate_digit_edit, digit_edit_params
from .inverse import MOVED_COORDINATE, invert_feature
from .params import (DEFAULT_KEY, DEFAULT_MODULO, DEFAULT_PRECISION, LAYERS, PARAMS, VARIANT_NAMES, check,
                     float_in, int_in, reduce_key)
from .plant import (PLANT_KEYS, PlantParams, agreement, fired, model_checksum, node_trigger_rate, params_from_config,
                    plant, plant_params, planted_layers, trigger_rate, unplant)
from .records import METHODS, check_points, select_indices
from .search import SEARCH_KEYS, SearchParams, SearchRun
from .variants import (VARIANTS, DecimalChecksum, KeyedChecksum, ParityChecksum, fraction_bits_kept, get_variant,
                       keyed_residue, parity_blocks, parity_residue)

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
