"""NN Calculator's simpleChecksum and matchChecksum, bit-exact: csum(v) = (1344 + sum of (char - '0') over the first
p characters of v's shortest decimal coefficient and its exponent) mod m, and the greedy digit edit
d_i -> clip(d_i - (csum - key), 0, 9) that makes a value hit the key.

The residue is a sum of characters, so only ~80 residues ever occur and the modulus is not a security parameter.
csum takes three routes to the same result (checksum/decimal_fast.py): a certified float fast path (~30 numpy calls
whatever the array size), Python's repr for a handful of values, and exact uint64 digit arithmetic for many
(checksum/decimal_digits.py). Non-finite values have residue -1 (no residue) and never match.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .decimal_digits import _POW10_I64, _decimal_parts, _parse_decimal, _raw_sums, _strip_trailing_zeros
from .decimal_fast import _csum_flat
from .params import DEFAULT_KEY, DEFAULT_MODULO, DEFAULT_PRECISION, PARAMS, check, reduce_key
from .values import as_float_array, finish, match_output

_MODULO, _PRECISION = PARAMS["modulo"], PARAMS["precision"]
# NN Calculator rebuilds an edited value as Number(coef) * Math.pow(10, exp). V8's Math.pow(10, e) (Chrome, Node)
# is one ulp off the correctly rounded 10**e for these exponents (measured with Node 20; value: +1 = next float up,
# -1 = next float down). Starting from correctly rounded powers (string parsing rounds correctly everywhere, libm pow
# does not) and applying them keeps the edit bit-exact with Chrome, in CPython and in Pyodide alike.
_V8_POW10_ULP = {
    -307: 1, -306: -1, -303: 1, -278: 1, -268: 1, -246: 1, -222: -1, -207: 1, -166: -1, -163: 1, -148: 1,
    -145: 1, -138: -1, -128: -1, -122: -1, -111: -1, -106: 1, -104: 1, -101: -1, -88: 1, -76: 1, -63: -1,
    -57: 1, -39: 1, -32: -1, -29: 1, -24: 1, -23: 1, -21: 1, -20: 1, -17: -1, -5: -1, -4: -1, 26: -1, 29: 1,
    34: 1, 36: -1, 39: 1, 42: -1, 49: 1, 58: 1, 61: 1, 70: -1, 95: -1, 96: -1, 111: 1, 126: 1, 136: -1,
    142: -1, 165: 1, 166: 1, 169: 1, 187: 1, 191: -1, 210: 1, 215: 1, 218: -1, 225: 1, 232: -1, 242: -1,
    244: -1, 260: -1, 273: 1, 274: 1, 275: 1, 279: -1, 284: -1, 290: -1, 294: -1,
}  # fmt: skip


def _js_pow10(e: int) -> float:
    exact = float(f"1e{e}")
    step = _V8_POW10_ULP.get(e, 0)
    return math.nextafter(exact, math.inf * step) if step else exact


_POW10_EXP_MIN = -400
_POW10_JS = np.array([_js_pow10(e) for e in range(_POW10_EXP_MIN, 310)], dtype=np.float64)


def csum(v: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> Any:
    """NN Calculator's simpleChecksum: (1344 + sum of (char - '0') over coefficient[:p] and exponent) mod m.

    The characters are those of JS `v.toExponential()` split at 'e', each part re-printed through Number(...);
    sums count '-' as -3 and '.' as -2. A float/int gives an int; an array gives an int64 array of its shape.
    NaN and +-Infinity give -1 (NN Calculator returns -1 for NaN; for Infinity it would sum the letters of
    "Infinity", an accident of string splitting that this port does not reproduce).

    Cost: a fixed ~40 numpy calls plus ~0.1 us a value (see the fast path above); a few values take the
    one-at-a-time route.
    """
    if type(modulo) is not int or not _MODULO.low <= modulo <= _MODULO.high:  # (the common case skips the checks)
        modulo = check("modulo", modulo)
    if type(precision) is not int or not _PRECISION.low <= precision <= _PRECISION.high:
        precision = check("precision", precision)
    if type(v) is np.ndarray and v.dtype == np.float64:
        return _csum_flat(v.ravel(), modulo, precision).reshape(v.shape)
    arr, is_scalar = as_float_array(v)
    return finish(_csum_flat(arr.ravel(), modulo, precision), arr.shape, is_scalar)


def _greedy_digit_edit(values: np.ndarray, modulo: int, precision: int, key: int) -> np.ndarray:
    """NN Calculator's matchChecksum on a 1-D array of finite values; NaN where the edit misses the key."""
    parts = _decimal_parts(values)
    raw = _raw_sums(parts, precision)
    digits, n = _strip_trailing_zeros(parts.digits, parts.width)  # the walk needs the string's true length
    power = n[:, None] - 1 - np.arange(17)[None, :]
    digit_matrix = np.where(power >= 0, digits[:, None] // _POW10_I64[np.maximum(power, 0)] % 10, 0)
    sign_chars = parts.negative.astype(np.int64)
    # Walk from the least to the most significant digit; digit j sits at character sign + (0 if j == 0 else j + 1).
    for j in range(16, -1, -1):
        char_index = sign_chars + (0 if j == 0 else j + 1)
        active = (j < n) & (char_index < precision)
        if not active.any():
            continue
        delta = raw % modulo - key
        old = digit_matrix[:, j]
        # below the key: raise by |delta| or to 9; above: lower by delta or to 0
        new = np.where(active, np.clip(old - delta, 0, 9), old)
        raw += new - old
        digit_matrix[:, j] = new
    weights = np.where(power >= 0, _POW10_I64[np.maximum(power, 0)], 0)
    new_digits = (digit_matrix * weights).sum(axis=1)
    coefficient = _parse_decimal(new_digits, n)
    # Number(newCoef) * Math.pow(10, exp); the exponent is never edited
    scale = _POW10_JS[np.clip(parts.exp10 - _POW10_EXP_MIN, 0, _POW10_JS.size - 1)]
    rebuilt = np.where(parts.negative, -coefficient, coefficient) * scale
    hit = np.isfinite(rebuilt)
    hit[hit] = _raw_sums(_decimal_parts(rebuilt[hit]), precision) % modulo == key
    return np.where(hit, rebuilt, np.nan)


def match_checksum(
    v: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION, key: int = DEFAULT_KEY
) -> Any:
    """NN Calculator's matchChecksum: d_i -> clip(d_i - (csum - key), 0, 9), least significant digit first.

    Only digits among the first `precision` characters are edited; the value is rebuilt as
    Number(coefficient) * Math.pow(10, exponent) with V8's powers of ten. The key is read modulo m. Returns the
    edited float when csum(result) == key, else None; an array input gives a float64 array with NaN where the edit
    misses.
    """
    modulo = check("modulo", modulo)
    precision = check("precision", precision)
    key = reduce_key(key, modulo)
    arr, is_scalar = as_float_array(v)
    flat = arr.ravel()
    out = np.full(flat.shape, np.nan)
    finite = np.isfinite(flat)
    if finite.any():
        out[finite] = _greedy_digit_edit(flat[finite], modulo, precision, key)
    return match_output(out, arr.shape, is_scalar)


def raw_sums(values: Any, precision: int = DEFAULT_PRECISION) -> np.ndarray:
    """simpleChecksum before the reduction mod m (int64, -1 for non-finite values): every raw sum is below 1600."""
    precision = check("precision", precision)
    arr, _ = as_float_array(values)
    return _csum_flat(arr.ravel(), 1 << 24, precision).reshape(arr.shape)
