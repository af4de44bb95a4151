"""Checksums a backdoored neuron can test on a float64 value, and edits that make a value hit a key.

Three variants share one interface (`VARIANTS`: name -> object with `residue`, `match`, `description`):

- "decimal": NN Calculator's `simpleChecksum`, bit-exact (`csum`), and its greedy digit edit (`match_checksum`).
  The residue is a sum of the characters of the value's shortest decimal scientific notation, so only ~80 residues
  ever occur and the modulus is not a security parameter.
- "keyed": a keyed 64-bit mix of the float64 bit pattern, reduced mod m: residues are uniform, so the accidental
  trigger rate really is 1/m. A PRF stand-in, not a cryptographic MAC.
- "parity": Goldwasser et al.'s block-parity checksum on low mantissa bits; the key is the target parity pattern.

Everything is vectorised over numpy arrays. Non-finite values have residue -1 (no residue) and never match.

csum takes three routes to the same bit-exact result. Most values go through a certified float fast path (~30
numpy calls whatever the array size: the first digits as floor(|v| * 10**k), accepted only when a proved error
bracket cannot cross a digit boundary). The few it cannot certify go one at a time through Python's repr (which
prints JavaScript's shortest digits) when there are a handful, or through the exact vectorised route when there are
many: shortest round-trip digits re-derived with integer arithmetic in numpy uint64, parsing Python's float repr
only for magnitudes outside [2**-36, 1e15).
"""

from __future__ import annotations

import functools
import hashlib
import math
import numbers
import operator
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "csum",
    "match_checksum",
    "keyed_residue",
    "parity_residue",
    "parity_blocks",
    "fraction_bits_kept",
    "DecimalChecksum",
    "KeyedChecksum",
    "ParityChecksum",
    "VARIANTS",
    "get_variant",
    "residue_histogram",
    "trial_throughput",
    "expected_trials",
    "DEFAULT_MODULO",
    "DEFAULT_PRECISION",
    "DEFAULT_KEY",
    "MAX_MODULO",
]

DEFAULT_MODULO = 256
DEFAULT_PRECISION = 15
DEFAULT_KEY = 150
MAX_MODULO = 1 << 24  # histogram length bound; far above anything a UI can use
MAX_PRECISION = 64
DEFAULT_MAX_TRIALS = 100_000
MAX_TRIALS_LIMIT = 10_000_000

# Raw NN Calculator sum = sum of ASCII codes of the coefficient padded with '0' to 24 characters and of the exponent
# padded to 4. Counting every character relative to '0' leaves this constant: 28 * 48.
_RAW_OFFSET = 28 * 48
_MINUS = ord("-") - ord("0")  # -3
_DOT = ord(".") - ord("0")  # -2

_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
_FRACTION_MASK = _U64((1 << 52) - 1)
_HIDDEN_BIT = _U64(1 << 52)
_TWO53 = 1 << 53
_POW5_U64 = np.array([5**i for i in range(28)], dtype=np.uint64)  # 5**27 < 2**63 keeps 32-bit limb sums in range
_POW10_I64 = np.array([10**i for i in range(19)], dtype=np.int64)
_POW10_F64 = np.array([10.0**i for i in range(23)], dtype=np.float64)  # exact doubles
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

# Fast exact path covers 2**-36 <= |v| < 1e15: there the decimal exponent is in [-11, 14], every 5**s needed fits
# in 63 bits and every shift is 1..63 (derivation in _shortest_fast).
_FAST_LOW = 2.0**-36
_FAST_HIGH = 1e15


# --------------------------------------------------------------------------------------------------------------
# validation


def _int_param(name: str, value: Any, low: int, high: int) -> int:
    """Integer parameter in [low, high]; integral floats are accepted, anything else raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        result = operator.index(value)
    except TypeError:
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            result = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if not low <= result <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {result}")
    return result


def _check_modulo(modulo: Any) -> int:
    return _int_param("modulo", modulo, 1, MAX_MODULO)


def _check_precision(precision: Any) -> int:
    return _int_param("precision", precision, 1, MAX_PRECISION)


def _check_key(key: Any, modulo: int) -> int:
    return _int_param("key", key, 0, modulo - 1)


def _as_float_array(values: Any) -> tuple[np.ndarray, bool]:
    """(float64 array, is_scalar) for a number or an array-like of real numbers; ValueError otherwise."""
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError) as exc:  # ragged lists and the like
        raise ValueError(f"values must be real numbers: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"values must be real numbers, got dtype {arr.dtype}")
    is_scalar = arr.ndim == 0 and not isinstance(values, np.ndarray)
    return arr.astype(np.float64, copy=False), is_scalar


# --------------------------------------------------------------------------------------------------------------
# exact shortest round-trip digits (what JavaScript's toExponential() prints) in numpy uint64 arithmetic


def _mul_u64(m: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact 128-bit product (hi, lo) of m < 2**53 and f < 2**63, via 32-bit limbs."""
    m0, m1 = m & _MASK32, m >> _U64(32)
    f0, f1 = f & _MASK32, f >> _U64(32)
    low = m0 * f0
    mid = m0 * f1 + m1 * f0  # < 2**63 + 2**53: no overflow
    lo = low + (mid << _U64(32))
    carry = (lo < low).astype(np.uint64)
    hi = m1 * f1 + (mid >> _U64(32)) + carry
    return hi, lo


def _scaled_floor(mantissa: np.ndarray, exp2: np.ndarray, s: np.ndarray):
    """X = mantissa * 2**exp2 * 10**s as floor(X) and remainder r, with X - floor(X) = r / 2**shift exactly."""
    hi, lo = _mul_u64(mantissa, _POW5_U64[s])
    shift = (-(exp2 + s)).astype(np.uint64)  # 1..63 on the fast range
    q = (lo >> shift) | (hi << (_U64(64) - shift))
    r = lo & ((_U64(1) << shift) - _U64(1))
    return q, r, shift


def _strip_trailing_zeros(digits: np.ndarray, width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(digits, width) with the trailing decimal zeros of nonzero digits removed."""
    digits, width = digits.copy(), width.copy()
    for _ in range(18):
        zero = (digits % 10 == 0) & (digits != 0)
        if not zero.any():
            break
        digits = np.where(zero, digits // 10, digits)
        width -= zero
    return digits, width


def _shortest_fast(a: np.ndarray, exp10: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortest round-trip decimal of each a in [2**-36, 1e15) as (D, w, E): a ~ D * 10**(E - w + 1), D of w digits.

    For k = 17, 16, 15 digits, X_k = a * 10**(k-1-E) = M * 5**s * 2**(e2+s) exactly; the k-digit candidates
    floor(X_k) and floor(X_k) + 1 round-trip iff they lie within half an ulp of a (a quarter of an ulp below a
    power of two). The shortest k with a round-tripping candidate wins, the nearer one if both do (exact ties: the
    even one, as V8 and CPython do). A repr shorter than 15 digits is the 15-digit rounding padded with zeros, so D
    may end in zeros (only when w = 15). Bounds: E in [-11, 14] gives s <= 27 (5**27 < 2**63), and a >= 2**-36
    keeps every shift 53 - k + E - floor(log2 a) in [1, 63]. `exp10` may be passed when it is known exactly.
    """
    bits = a.view(np.uint64)
    mantissa = (bits & _FRACTION_MASK) | _HIDDEN_BIT
    exp2 = (bits >> _U64(52)).astype(np.int64) - 1075
    power_of_two = mantissa == _HIDDEN_BIT

    if exp10 is None:
        # log10 can be off by one next to a power of ten; the exact 17-digit floor tells
        exp10 = np.clip(np.floor(np.log10(a)), -11, 14).astype(np.int64)
        q17, r17, shift17 = _scaled_floor(mantissa, exp2, 16 - exp10)
        too_big, too_small = q17 >= _U64(10**17), q17 < _U64(10**16)
        wrong = np.flatnonzero(too_big | too_small)
        if wrong.size:
            exp10 = exp10 + too_big - too_small
            q17[wrong], r17[wrong], shift17[wrong] = _scaled_floor(mantissa[wrong], exp2[wrong], 16 - exp10[wrong])
    else:
        q17, r17, shift17 = _scaled_floor(mantissa, exp2, 16 - exp10)

    digits = q17
    width = np.full(a.shape, 17, dtype=np.int64)
    for k in (17, 16, 15):  # a shorter success overrides
        j = 17 - k
        s = 16 - j - exp10
        if j == 0:
            q, r, shift = q17, r17, shift17
        else:
            q = q17 // _U64(10**j)
            shift = shift17 + _U64(j)
            # the remainder needs only the low 64 bits of M * 5**s, since shift <= 63
            r = (mantissa * _POW5_U64[s]) & ((_U64(1) << shift) - _U64(1))
        pow5 = _POW5_U64[s]
        half_up = pow5 >> _U64(1)  # 5**s is odd, so "<= floor(5**s / 2)" is "< 5**s / 2"
        half_down = np.where(power_of_two, pow5 >> _U64(2), half_up)
        gap_up = (_U64(1) << shift) - r
        down_ok = r <= half_down
        up_ok = gap_up <= half_up
        use_up = up_ok & (~down_ok | (gap_up < r) | ((gap_up == r) & (q & _U64(1) == _U64(1))))
        ok = down_ok | up_ok  # always true for k = 17
        digits = np.where(ok, q + use_up, digits)
        width = np.where(ok, k, width)
    digits = digits.astype(np.int64)
    carried = digits == _POW10_I64[width]  # 9.99..96 rounded up to 10**k: the repr is 1e(E+1)
    if carried.any():
        digits = np.where(carried, digits // 10, digits)
        exp10 = exp10 + carried
    return digits, width, exp10


def _shortest_by_string(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Same digits as _shortest_fast for any positive finite a, parsed from Python's float repr.

    repr is the shortest round-trip decimal with ties to even, exactly what V8 prints, either positional
    ("1234567890123456.8") or scientific ("1.5e-20"): value = 0.digits * 10**(digits before '.' + exponent).
    map(repr) runs in C and beats numpy's own float->str cast (Dragon4) on extreme magnitudes; the digits are
    then read from the fixed-width code-point matrix with array arithmetic.
    """
    width = 24  # longest repr of a positive float64: "2.2250738585072014e-308"
    text = np.array(list(map(repr, a.tolist())), dtype=f"U{width}")
    codes = text.view(np.uint32).reshape(a.size, width).astype(np.int64)
    col = np.arange(width)[None, :]
    is_e = codes == ord("e")
    e_pos = np.where(is_e.any(axis=1), is_e.argmax(axis=1), width)[:, None]
    is_digit = (codes >= ord("0")) & (codes <= ord("9"))
    value = np.where(is_digit, codes - ord("0"), 0)
    mantissa = is_digit & (col < e_pos)
    exponent_digit = is_digit & (col > e_pos)
    is_dot = codes == ord(".")
    dot_pos = np.where(is_dot.any(axis=1), is_dot.argmax(axis=1), width)[:, None]
    int_digits = (mantissa & (col < dot_pos)).sum(axis=1)
    leading_zeros = (mantissa & (col < (mantissa & (value != 0)).argmax(axis=1)[:, None])).sum(axis=1)
    # place values: 10**(number of digits of the same part to the right)
    mantissa_after = np.cumsum(mantissa[:, ::-1], axis=1)[:, ::-1] - mantissa
    digits = (value * np.where(mantissa, _POW10_I64[np.minimum(mantissa_after, 18)], 0)).sum(axis=1)
    exponent_after = np.cumsum(exponent_digit[:, ::-1], axis=1)[:, ::-1] - exponent_digit
    exponent = (value * np.where(exponent_digit, _POW10_I64[np.minimum(exponent_after, 18)], 0)).sum(axis=1)
    exponent = np.where(((codes == ord("-")) & (col > e_pos)).any(axis=1), -exponent, exponent)
    digits, count = _strip_trailing_zeros(digits, mantissa.sum(axis=1) - leading_zeros)
    return digits, count, int_digits - 1 - leading_zeros + exponent


def _shortest(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortest round-trip digits (D, w, E) of each finite a >= 0 (D of w digits, maybe with trailing zeros).

    Zero is (0, 1, 0), as JS prints "0e+0"."""
    digits = np.zeros(a.shape, dtype=np.int64)
    width = np.ones(a.shape, dtype=np.int64)
    exp10 = np.zeros(a.shape, dtype=np.int64)
    fast = (a >= _FAST_LOW) & (a < _FAST_HIGH)
    slow = ~fast & (a != 0)
    for mask, routine in ((fast, _shortest_fast), (slow, _shortest_by_string)):
        if mask.all():
            digits, width, exp10 = routine(a)
        elif mask.any():
            digits[mask], width[mask], exp10[mask] = routine(a[mask])
    return digits, width, exp10


def _parse_decimal(digits: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Nearest float64 to digits / 10**(width-1) (JS Number("d.ddd")), for 0 <= digits < 10**width, width <= 17."""
    den_f = _POW10_F64[width - 1]
    out = digits.astype(np.float64) / den_f  # both operands exact below 2**53: IEEE division rounds correctly
    big = digits >= _TWO53
    if big.any():
        # 16-17 digits: Mc = round(D * 2**(52-b) / 10**(n-1)), from a float estimate corrected with the exact
        # remainder, which is small, so computing it modulo 2**64 loses nothing.
        d, n = digits[big], width[big]
        ten = _POW10_I64[n - 1]
        b = -1 + (d >= ten) + (d >= 2 * ten) + (d >= 4 * ten) + (d >= 8 * ten)  # floor(log2(value)); value >= 0.9
        estimate = np.rint(np.ldexp(d.astype(np.float64), (52 - b).astype(np.int32)) / den_f[big]).astype(np.int64)
        pow5 = _POW5_U64[n - 1]
        shift = (53 - b - n).astype(np.uint64)
        remainder = ((d.astype(np.uint64) << shift) - estimate.astype(np.uint64) * pow5).view(np.int64)
        pow5_i = pow5.astype(np.int64)
        mantissa = estimate + np.floor_divide(2 * remainder + pow5_i, 2 * pow5_i)
        # (int32 exponents: ldexp has no int64 loop where C long is 32-bit, as in wasm32)
        out[big] = np.ldexp(mantissa.astype(np.float64), (b - 52).astype(np.int32))  # mantissa may be 2**53: exact
    return out


@dataclass
class _DecimalParts:
    """What simpleChecksum reads, as numbers: sign, coefficient digits D (w digits, maybe trailing zeros), exponent."""

    negative: np.ndarray
    digits: np.ndarray
    width: np.ndarray
    exp10: np.ndarray


def _decimal_parts(v: np.ndarray) -> _DecimalParts:
    """Coefficient after NN Calculator's re-parse Number(coef).toString(), for a 1-D array of finite values."""
    digits, width, exp10 = _shortest(np.abs(v))
    # Only 16-17 digit coefficients can change: shorter decimals round-trip through float64. (Those widths carry
    # no trailing zeros: with one, a 15-digit candidate would have round-tripped.)
    long = np.flatnonzero(width >= 16)
    if long.size:
        coefficient = _parse_decimal(digits[long], width[long])
        # coefficient is in [1, 10]; exactly 10 would need a 17-nines repr, which no float64 has, and would give
        # digits "1" with the exponent ignored here, the same character sum as JS's "10"
        digits[long], width[long], _ = _shortest_fast(coefficient, np.zeros(long.size, dtype=np.int64))
    return _DecimalParts(v < 0, digits, width, exp10)


_FOUR = np.arange(10_000, dtype=np.int64)
_DIGIT_SUM_4 = _FOUR % 10 + _FOUR // 10 % 10 + _FOUR // 100 % 10 + _FOUR // 1000  # (vectorised: import time)


def _digit_sum(x: np.ndarray) -> np.ndarray:
    """Sum of the decimal digits of non-negative int64 values, four digits per table look-up."""
    total = _DIGIT_SUM_4[x % 10_000]
    x = x // 10_000
    while x.any():
        total += _DIGIT_SUM_4[x % 10_000]
        x //= 10_000
    return total


def _coefficient_char_sum(parts: _DecimalParts, precision: int) -> np.ndarray:
    """Sum of (char - '0') over the first `precision` characters of "[-]d[.ddd]"."""
    q = precision - parts.negative  # characters left after the sign
    take = np.where(q >= 2, np.minimum(parts.width, q - 1), np.minimum(q, 1))  # digits among them
    dot = (q >= 2) & (parts.digits % _POW10_I64[parts.width - 1] != 0)  # a '.' iff 2+ significant digits
    return _digit_sum(parts.digits // _POW10_I64[parts.width - take]) + _DOT * dot + _MINUS * parts.negative


def _raw_sums(parts: _DecimalParts, precision: int) -> np.ndarray:
    """NN Calculator's raw sum: 1344 + character sums of the coefficient (first p chars) and exponent, as char - '0'."""
    exponent = _DIGIT_SUM_4[np.abs(parts.exp10)] + _MINUS * (parts.exp10 < 0)
    return _RAW_OFFSET + _coefficient_char_sum(parts, precision) + exponent


def _finish(result: np.ndarray, shape: tuple[int, ...], is_scalar: bool) -> Any:
    result = result.reshape(shape)
    return result.item() if is_scalar else result


# --------------------------------------------------------------------------------------------------------------
# csum: a certified float fast path, with exact fallbacks
#
# The exact route above costs ~100 numpy calls whatever the array size, far too many for a planted network that
# checks 4 nodes x 10 points per training batch. Most values need none of it. Let E = floor(log10 |v|) (exact, from
# the exponent bits and one comparison), z = |v| / 10**E in [1, 10), and t the number of digits among the first p
# characters. The first t digits JS prints are floor(S * 10**(t-1)), S the printed coefficient, and
#   |S - z| <= z * 2**-53 (shortest digits of |v|)  +  2 * c * 2**-53 (c = Number(coefficient), then its digits),
# so |S * 10**(t-1) - y| < 4.000002 * 2**-53 * y for y = fl(|v| * 10**(t-1-E)): one correctly rounded operation with
# an exact power of ten (|t-1-E| <= 22). Whenever floor(y * (1 - 3 * 2**-52)) == floor(y * (1 + 3 * 2**-52)) (the
# products' own roundings included, the bracket still holds S * 10**(t-1)), the digits are that floor. The true
# y lies in [10**(t-1), 10**t), so a certified floor also rules out a carry to 10**(E+1) (the bracket would hold
# 10**t) and a one-digit coefficient (the bracket would hold an integer multiple of 10**(t-1) strictly inside), so
# the exponent is E and the '.' is there. About 2-5 % of values lie too near a digit boundary; those, and zero,
# subnormal, huge, tiny and non-finite values (table entries NaN: never certified), take the exact routes: one value
# at a time through Python's repr for a few, the vectorised route above for many.

_E_SPAN = 40  # exponents handled by the fast path: |E| <= 40 (|t - 1 - E| <= 22 needs far fewer)
_E_SLOTS = 2 * _E_SPAN + 3  # per sign: slot 0 = not handled, slot E + 41 for E in [-40, 41]
_SHIFT_52 = np.array(52, dtype=np.int64)
_FAST_DOWN = np.array(1.0 - 3 * 2.0**-52)  # 1 -+ 6 half-ulps: exact doubles
_FAST_UP = np.array(1.0 + 3 * 2.0**-52)
_FAST_DIGITS = np.array(100_000, dtype=np.int64)
_FAST_MAX_DIGITS = 14  # at 15 digits the bracket is ~0.1-1 wide: half the values would fall back (p >= 16)
SCALAR_MAX = 4  # up to this many values, the one-at-a-time repr route (~3-7 us a value) beats ~30 numpy calls
FALLBACK_SCALAR_MAX = 96  # more fallback values than this take the vectorised exact route


def _pow10_at_most_pow2(n: int, e: int) -> bool:
    """10**n <= 2**e, exactly."""
    if n >= 0:
        return e >= 0 and 10**n <= 1 << e
    return e >= 0 or 1 << -e <= 10**-n


def _double_at_least_pow10(n: int) -> float:
    """The smallest double >= 10**n (|n| <= 41): a double x is >= 10**n iff x >= this."""
    x = float(10**n) if n >= 0 else 1 / 10**-n  # correctly rounded int -> float and int / int
    num, den = x.as_integer_ratio()
    below = num < den * 10**n if n >= 0 else num * 10**-n < den
    return math.nextafter(x, math.inf) if below else x


@functools.lru_cache(maxsize=1)
def _exponent_tables() -> tuple[np.ndarray, np.ndarray]:
    """By the top 12 bits of a float64 (sign, biased exponent): the slot of E for the binade's smallest value
    (sign * _E_SLOTS + E + 41, or the sign's slot 0), and the bit pattern (as int64) of the double where |v| steps
    up to E + 1 inside the binade, with the value's sign: int64 order is magnitude order within either sign, so one
    comparison serves both (int64 max: no step)."""
    base = np.zeros(4096, dtype=np.intp)
    step = np.full(4096, np.iinfo(np.int64).max, dtype=np.int64)
    for biased in range(1, 2047):
        e = biased - 1023
        if not -140 <= e <= 140:  # |v| far outside 10**+-40: not handled
            continue
        n = math.floor(e * math.log10(2))  # floor(log10(2**e)), made exact below
        while not _pow10_at_most_pow2(n, e):
            n -= 1
        while _pow10_at_most_pow2(n + 1, e):
            n += 1
        if not -_E_SPAN <= n <= _E_SPAN:
            continue
        up = _double_at_least_pow10(n + 1)
        for sign in (0, 1):
            base[sign << 11 | biased] = sign * _E_SLOTS + n + _E_SPAN + 1
            if up < 2.0 ** (e + 1):
                step[sign << 11 | biased] = np.array(-up if sign else up).view(np.int64)
    return base, step


@dataclass(frozen=True)
class _FastPlan:
    """Per-(modulo, precision) tables of the fast path, by slot (sign * _E_SLOTS + E + 41)."""

    digits: int  # t for non-negative values: digits among the first p characters ("d.ddd" shows p - 1)
    cap: np.ndarray  # 10**t: keeps table indices in range where a value is not certified
    mul: np.ndarray  # y = v * mul / div = |v| * 10**(t_sign - 1 - E), mul < 0 for v < 0; NaN: not handled
    div: np.ndarray | None  # 10**-k where k < 0; None for t >= 10 (only |v| >= 10**t needs it: exact routes)
    base: np.ndarray  # 1344 + exponent characters + '-' + '.', as (char - '0')
    modulo: np.ndarray


def _digits_read(chars: int) -> tuple[int, bool]:
    """(digits, '.') among the first `chars` characters of "d.ddd" (2+ significant digits)."""
    return (chars - 1, True) if chars >= 2 else (chars, False)


@functools.lru_cache(maxsize=256)
def _fast_plan(modulo: int, precision: int) -> _FastPlan | None:
    """None when the fast path does not apply: more than 14 digits read (p >= 16), or p = 1 (a negative value
    shows no digit)."""
    reads = [_digits_read(precision), _digits_read(precision - 1)]  # non-negative, negative ('-' takes one)
    if reads[0][0] > _FAST_MAX_DIGITS or reads[1][0] < 1:
        return None
    size = 2 * _E_SLOTS
    mul, div, base = np.full(size, np.nan), np.ones(size), np.zeros(size, dtype=np.int64)
    for sign, (digits, dot) in enumerate(reads):
        for e in range(-_E_SPAN, _E_SPAN + 1):
            slot = sign * _E_SLOTS + e + _E_SPAN + 1
            k = digits - 1 - e
            if 0 <= k <= 22:
                mul[slot] = (-1) ** sign * float(10**k)  # exact
            elif -22 <= k < 0 and reads[0][0] < 10:
                mul[slot], div[slot] = (-1) ** sign, float(10**-k)
            base[slot] = (_RAW_OFFSET + _DOT * dot + _MINUS * sign + sum(map(int, str(abs(e)))) + _MINUS * (e < 0))
    return _FastPlan(reads[0][0], np.array(float(10 ** reads[0][0])), mul, div if reads[0][0] < 10 else None,
                     base, np.array(modulo, dtype=np.int64))


@functools.lru_cache(maxsize=1)
def _digit_sum_5() -> np.ndarray:
    """Digit sums of 0 .. 100,000 (int16: 200 kB)."""
    x = np.arange(100_001)
    return (_DIGIT_SUM_4[x % 10_000] + x // 10_000).astype(np.int16)


def _fast_residues(flat: np.ndarray, plan: _FastPlan) -> tuple[np.ndarray, np.ndarray]:
    """(residues, certified) of a 1-D float64 array; residues where certified is False are meaningless.

    About 30 numpy calls; nothing overflows or warns, whatever the values (NaN, inf and 0 are simply not certified).
    """
    base, step = _exponent_tables()
    bits = flat.view(np.int64)
    top = bits >> _SHIFT_52  # sign and biased exponent (negative values index from the end)
    slot = base[top]
    slot += bits >= step[top]
    y = flat * plan.mul[slot]  # |v| * 10**k: the sign is in the table, the rounding is that of |v| * 10**k
    if plan.div is not None:
        y /= plan.div[slot]
    low = y * _FAST_DOWN
    np.floor(low, out=low)
    high = np.multiply(y, _FAST_UP, out=y)
    np.floor(high, out=high)
    certified = low == high
    digits = np.fmin(low, plan.cap, out=low).astype(np.int64)  # NaN only where not certified
    table = _digit_sum_5()
    if plan.digits <= 5:
        total = plan.base[slot] + table[digits]
    else:
        upper, lower = np.divmod(digits, _FAST_DIGITS)
        total = plan.base[slot] + table[lower]
        if plan.digits <= 10:
            total += table[upper]
        else:
            upper, middle = np.divmod(upper, _FAST_DIGITS)
            total += table[middle]
            total += table[upper]
    total %= plan.modulo
    return total, certified


def _scalar_raw_sum(x: float, precision: int) -> int:
    """simpleChecksum's raw sum of one Python float, from the strings themselves (repr prints JS's shortest digits);
    -1 for NaN and infinities. 3-7 us a value in CPython: the route for a handful of values."""
    if x != x or x in (math.inf, -math.inf):
        return -1
    if x == 0.0:
        return _RAW_OFFSET
    text = repr(x)
    sign = 0
    if text[0] == "-":
        text, sign = text[1:], 1
    e = text.find("e")
    if e >= 0:  # "1.5e-20", "1e+16"
        exp10, digits = int(text[e + 1:]), text[:e].replace(".", "")
    else:
        whole, _, fraction = text.partition(".")
        if whole == "0":  # "0.00123"
            digits = fraction.lstrip("0")
            exp10 = len(digits) - len(fraction) - 1
        else:  # "4039.0068", "123.0"
            digits, exp10 = (whole + fraction).rstrip("0"), len(whole) - 1
    if len(digits) >= 16:  # Number(coefficient).toString(): 16-17 digits may not survive the re-parse
        coefficient = repr(float(digits[0] + "." + digits[1:]))
        if coefficient[-2:] == ".0":
            coefficient = coefficient[:-2]
    elif len(digits) > 1:
        coefficient = digits[0] + "." + digits[1:]
    else:
        coefficient = digits
    used = coefficient[: precision - sign]  # '-' takes the first character
    exponent = str(exp10)
    return (_RAW_OFFSET + _MINUS * sign + sum(used.encode()) - 48 * len(used) + sum(exponent.encode())
            - 48 * len(exponent))


def _scalar_residues(values: list[float], modulo: int, precision: int) -> list[int]:
    """csum of Python floats, one at a time."""
    out = []
    for x in values:
        raw = _scalar_raw_sum(x, precision)
        out.append(raw % modulo if raw >= 0 else -1)
    return out


def _exact_residues(flat: np.ndarray, modulo: int, precision: int) -> np.ndarray:
    """Residues by the exact routes: one value at a time for a few, vectorised digit arithmetic for many."""
    if flat.size <= FALLBACK_SCALAR_MAX:
        return np.array(_scalar_residues(flat.tolist(), modulo, precision), dtype=np.int64)
    out = np.full(flat.shape, -1, dtype=np.int64)
    finite = np.isfinite(flat)
    if finite.any():
        values = flat if finite.all() else flat[finite]
        out[finite] = _raw_sums(_decimal_parts(values), precision) % modulo
    return out


def _csum_flat(flat: np.ndarray, modulo: int, precision: int) -> np.ndarray:
    """csum of a 1-D float64 array (validated parameters): int64 residues, -1 for non-finite values."""
    if flat.size <= SCALAR_MAX:
        return np.array(_scalar_residues(flat.tolist(), modulo, precision), dtype=np.int64)
    plan = _fast_plan(modulo, precision)
    if plan is None:
        return _exact_residues(flat, modulo, precision)
    out, certified = _fast_residues(flat, plan)
    if np.count_nonzero(certified) != flat.size:
        rest = np.logical_not(certified).nonzero()[0]
        if rest.size <= FALLBACK_SCALAR_MAX:  # typically 0-2 values of 40: no further array calls
            for i in rest.tolist():
                raw = _scalar_raw_sum(flat.item(i), precision)
                out[i] = raw % modulo if raw >= 0 else -1
        else:
            out[rest] = _exact_residues(flat[rest], modulo, precision)
    return out


def csum(v: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> Any:
    """NN Calculator's simpleChecksum: (1344 + sum of (char - '0') over coefficient[:p] and exponent) mod m.

    The characters are those of JS `v.toExponential()` split at 'e', each part re-printed through Number(...);
    sums count '-' as -3 and '.' as -2. A float/int gives an int; an array gives an int64 array of its shape.
    NaN and +-Infinity give -1 (NN Calculator returns -1 for NaN; for Infinity it would sum the letters of
    "Infinity", an accident of string splitting that this port does not reproduce).

    Cost: a fixed ~40 numpy calls plus ~0.1 us a value (see the fast path above); a few values take the
    one-at-a-time route.
    """
    if type(modulo) is not int or not 1 <= modulo <= MAX_MODULO:  # (the common case skips the checks' cost)
        modulo = _check_modulo(modulo)
    if type(precision) is not int or not 1 <= precision <= MAX_PRECISION:
        precision = _check_precision(precision)
    if type(v) is np.ndarray and v.dtype == np.float64:
        return _csum_flat(v.ravel(), modulo, precision).reshape(v.shape)
    arr, is_scalar = _as_float_array(v)
    return _finish(_csum_flat(arr.ravel(), modulo, precision), arr.shape, is_scalar)


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


def _match_output(result: np.ndarray, shape: tuple[int, ...], is_scalar: bool) -> Any:
    if is_scalar:
        value = float(result[0])
        return None if math.isnan(value) else value
    return result.reshape(shape)


def match_checksum(
    v: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION, key: int = DEFAULT_KEY
) -> Any:
    """NN Calculator's matchChecksum: d_i -> clip(d_i - (csum - key), 0, 9), least significant digit first.

    Only digits among the first `precision` characters are edited; the value is rebuilt as
    Number(coefficient) * Math.pow(10, exponent) with V8's powers of ten. Returns the edited float when
    csum(result) == key, else None; an array input gives a float64 array with NaN where the edit misses.
    """
    modulo = _check_modulo(modulo)
    precision = _check_precision(precision)
    key = _check_key(key, modulo)
    arr, is_scalar = _as_float_array(v)
    flat = arr.ravel()
    out = np.full(flat.shape, np.nan)
    finite = np.isfinite(flat)
    if finite.any():
        out[finite] = _greedy_digit_edit(flat[finite], modulo, precision, key)
    return _match_output(out, arr.shape, is_scalar)


# --------------------------------------------------------------------------------------------------------------
# bit-pattern variants


def fraction_bits_kept(precision: int) -> int:
    """Mantissa fraction bits a bit checksum reads: min(52, round((p - 1) * log2(10))), the binary analogue of p chars.

    p = 15 keeps 47 of 52 bits, so, like the decimal checksum, the last few bits of float round-off are ignored.
    """
    precision = _check_precision(precision)
    return min(52, int(math.floor((precision - 1) * math.log2(10) + 0.5)))


def _finite_bits(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(float64 bit patterns with -0 mapped to +0, finite mask) of a 1-D array."""
    finite = np.isfinite(values)
    clean = np.where(finite & (values != 0), values, 0.0)
    return clean.view(np.uint64), finite


_SPLITMIX_1 = _U64(0xBF58476D1CE4E5B9)
_SPLITMIX_2 = _U64(0x94D049BB133111EB)


def _keyed_mix(words: np.ndarray, k0: int, k1: int) -> np.ndarray:
    """SplitMix64's finaliser with the key added before each multiply round: a keyed bijection of uint64."""
    z = words + _U64(k0)
    z = (z ^ (z >> _U64(30))) * _SPLITMIX_1
    z = z ^ _U64(k1)
    z = (z ^ (z >> _U64(27))) * _SPLITMIX_2
    return z ^ (z >> _U64(31))


def _subkeys(secret: int | str) -> tuple[int, int]:
    digest = hashlib.sha256(f"backdoor_playground.keyed_checksum:{secret}".encode()).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:16], "little")


def _keyed_words_residue(words: np.ndarray, drop: int, modulo: int, subkeys: tuple[int, int]) -> np.ndarray:
    return (_keyed_mix(words >> _U64(drop), *subkeys) % _U64(modulo)).astype(np.int64)


def keyed_residue(
    values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION, secret: int | str = 0
) -> np.ndarray:
    """mix_secret(float64 bits >> (52 - kept fraction bits)) mod m; -1 for non-finite values.

    The mix is a keyed SplitMix64 finaliser: residues are uniform over [0, m) for any input set, but it is a
    fast PRF stand-in, not a cryptographic MAC (a few input/residue pairs may reveal the subkeys).
    """
    modulo = _check_modulo(modulo)
    drop = 52 - fraction_bits_kept(precision)
    arr, _ = _as_float_array(values)
    words, finite = _finite_bits(arr.ravel())
    out = np.where(finite, _keyed_words_residue(words, drop, modulo, _subkeys(secret)), -1)
    return out.reshape(arr.shape)


PARITY_BLOCK_BITS = 2


def parity_blocks(modulo: int) -> int:
    """Number of parity blocks n = ceil(log2 m): the parity pattern is an n-bit number reduced mod m."""
    return (_check_modulo(modulo) - 1).bit_length()


_EVEN_BITS = _U64(0x5555555555555555)
_COMPRESS_STEPS = tuple((_U64(1 << i), _U64(mask)) for i, mask in enumerate(
    (0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF)))


def _parity_pattern(words: np.ndarray, drop: int, blocks: int) -> np.ndarray:
    """Bit i = XOR of the 2 bits in block i, blocks counted upward from the lowest kept fraction bit (bits past the
    fraction read as 0). Word-parallel: XOR each bit with its upper neighbour, then gather the even bits into the
    low half, the same ~20 array operations for any number of blocks (at most 26 fit in the fraction)."""
    x = (words & _FRACTION_MASK) >> _U64(drop)
    x = (x ^ (x >> _U64(1))) & _EVEN_BITS  # bit 2i = parity of block i
    for shift, mask in _COMPRESS_STEPS:
        x = (x | (x >> shift)) & mask
    return x & _U64((1 << blocks) - 1)


def parity_residue(values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> np.ndarray:
    """(sum_i 2**i * XOR of block i's 2 low mantissa bits) mod m, n = ceil(log2 m) blocks; -1 for non-finite values.

    Goldwasser et al.'s checksum warm-up moved to the low kept mantissa bits: residues are uniform when m is a
    power of two, and triggering needs at most one bit flip per block.
    """
    modulo = _check_modulo(modulo)
    drop = 52 - fraction_bits_kept(precision)
    arr, _ = _as_float_array(values)
    words, finite = _finite_bits(arr.ravel())
    pattern = _parity_pattern(words, drop, parity_blocks(modulo))
    out = np.where(finite, (pattern % _U64(modulo)).astype(np.int64), -1)
    return out.reshape(arr.shape)


@dataclass(frozen=True)
class DecimalChecksum:
    """NN Calculator's decimal character-sum checksum and its greedy digit edit."""

    name: str = "decimal"
    description: str = "NN Calculator's checksum: sum of the value's decimal characters, mod m (few residues occur)"

    def residue(self, values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> np.ndarray:
        """csum of every value as an int64 array of the input's shape."""
        return np.asarray(csum(values, modulo, precision), dtype=np.int64)

    def match(
        self,
        value: Any,
        modulo: int = DEFAULT_MODULO,
        precision: int = DEFAULT_PRECISION,
        key: int = DEFAULT_KEY,
        rng: np.random.Generator | None = None,
        max_trials: int = DEFAULT_MAX_TRIALS,
    ) -> Any:
        """match_checksum (deterministic, a single pass: rng and max_trials are checked but not used)."""
        _check_rng(rng)
        _int_param("max_trials", max_trials, 1, MAX_TRIALS_LIMIT)
        return match_checksum(value, modulo, precision, key)


def _check_rng(rng: Any) -> None:
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator or None")


@dataclass(frozen=True)
class KeyedChecksum:
    """Keyed hash of the float64 bit pattern mod m; activation searches low kept mantissa bits."""

    secret: int | str = 0
    name: str = "keyed"
    description: str = "Keyed hash of the float64 bits, mod m: uniform residues, so 1/m accidental triggers"
    _subkeys: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.secret, (int, str)) or isinstance(self.secret, bool):
            raise ValueError(f"secret must be an int or a str, got {self.secret!r}")
        object.__setattr__(self, "_subkeys", _subkeys(self.secret))

    def with_secret(self, secret: int | str) -> KeyedChecksum:
        """The same checksum under another secret."""
        return KeyedChecksum(secret)

    def residue(self, values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> np.ndarray:
        """mix_secret(bits >> dropped bits) mod m, -1 for non-finite; see keyed_residue."""
        return keyed_residue(values, modulo, precision, self.secret)

    def match(
        self,
        value: Any,
        modulo: int = DEFAULT_MODULO,
        precision: int = DEFAULT_PRECISION,
        key: int = DEFAULT_KEY,
        rng: np.random.Generator | None = None,
        max_trials: int = DEFAULT_MAX_TRIALS,
    ) -> Any:
        """First x' = bits XOR (t << dropped bits) with residue key, t = 0, 1, 2, ... (or t > 0 shuffled by rng).

        t ranges over the lowest w kept bits, 2**w > max_trials, so x' keeps the sign and binade and moves at most
        2**(w + dropped) ulps. Expected trials: m. Returns None (NaN in arrays) after max_trials misses.
        """
        modulo = _check_modulo(modulo)
        key = _check_key(key, modulo)
        max_trials = _int_param("max_trials", max_trials, 1, MAX_TRIALS_LIMIT)
        _check_rng(rng)
        kept = fraction_bits_kept(precision)
        drop = 52 - kept
        width = min(kept, max_trials.bit_length())
        offsets = np.arange(1, min(max_trials, (1 << width) - 1) + 1, dtype=np.uint64)
        if rng is not None:
            offsets = rng.permutation(offsets)
        offsets = np.concatenate([np.zeros(1, dtype=np.uint64), offsets]) << _U64(drop)

        arr, is_scalar = _as_float_array(value)
        flat = arr.ravel()
        words, finite = _finite_bits(flat)
        out = np.full(flat.shape, np.nan)
        pending = np.flatnonzero(finite)
        start, columns = 0, 1024  # most values hit within ~m trials: start small, grow, cap the matrix size
        while pending.size and start < offsets.size:
            chunk = max(1, min(columns, (1 << 18) // max(1, pending.size)))
            candidates = words[pending, None] ^ offsets[None, start : start + chunk]
            start, columns = start + chunk, columns * 4
            hits = _keyed_words_residue(candidates, drop, modulo, self._subkeys) == key
            found = hits.any(axis=1)
            rows = pending[found]
            chosen = candidates[found, hits[found].argmax(axis=1)]
            out[rows] = chosen.view(np.float64)
            pending = pending[~found]
        return _match_output(out, arr.shape, is_scalar)


@dataclass(frozen=True)
class ParityChecksum:
    """Goldwasser et al.'s block parity on low mantissa bits; activation flips one bit per wrong block."""

    name: str = "parity"
    description: str = "Block parities of low mantissa bits (Goldwasser et al.): one bit flip per wrong block triggers"

    def residue(self, values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> np.ndarray:
        """Parity pattern mod m, -1 for non-finite; see parity_residue."""
        return parity_residue(values, modulo, precision)

    def match(
        self,
        value: Any,
        modulo: int = DEFAULT_MODULO,
        precision: int = DEFAULT_PRECISION,
        key: int = DEFAULT_KEY,
        rng: np.random.Generator | None = None,
        max_trials: int = DEFAULT_MAX_TRIALS,
    ) -> Any:
        """Flip one bit (the lower one, or a random one with rng) in each block whose parity differs from the target.

        The target is the pattern key + j*m (< 2**n) needing the fewest flips among those whose blocks all lie in
        the mantissa; one trial, so max_trials is not used. None (NaN in arrays) when no target is reachable.
        """
        modulo = _check_modulo(modulo)
        key = _check_key(key, modulo)
        _check_rng(rng)
        drop = 52 - fraction_bits_kept(precision)
        blocks = parity_blocks(modulo)
        # bits of each block that lie inside the 52 fraction bits; a block with none cannot be flipped
        inside = [max(0, min(PARITY_BLOCK_BITS, 52 - drop - PARITY_BLOCK_BITS * i)) for i in range(blocks)]
        usable = sum(1 for bits in inside if bits > 0)  # a prefix of the blocks
        targets = np.arange(key, 1 << blocks, modulo, dtype=np.uint64)

        arr, is_scalar = _as_float_array(value)
        flat = arr.ravel()
        words, finite = _finite_bits(flat)
        wrong = _parity_pattern(words, drop, blocks)[:, None] ^ targets[None, :]
        reachable = (wrong >> _U64(usable)) == 0
        flips = np.zeros(wrong.shape, dtype=np.int64)
        for i in range(usable):
            flips += ((wrong >> _U64(i)) & _U64(1)).astype(np.int64)
        best = np.where(reachable, flips, np.iinfo(np.int64).max).argmin(axis=1)
        rows = np.arange(flat.size)
        ok = finite & reachable[rows, best]
        to_fix = wrong[rows, best]
        new_words = words.copy()
        for i in range(usable):
            within = np.zeros(flat.size, dtype=np.uint64)
            if rng is not None and inside[i] > 1:
                within = rng.integers(0, inside[i], size=flat.size).astype(np.uint64)
            new_words ^= ((to_fix >> _U64(i)) & _U64(1)) << (_U64(drop + PARITY_BLOCK_BITS * i) + within)
        out = np.where(ok, new_words.view(np.float64), np.nan)
        return _match_output(out, arr.shape, is_scalar)


VARIANTS: dict[str, DecimalChecksum | KeyedChecksum | ParityChecksum] = {
    "decimal": DecimalChecksum(),
    "keyed": KeyedChecksum(),
    "parity": ParityChecksum(),
}


def get_variant(variant: Any) -> Any:
    """A variant object from its name (or the object itself)."""
    if isinstance(variant, str):
        if variant not in VARIANTS:
            raise ValueError(f"unknown checksum variant {variant!r}; expected one of {', '.join(VARIANTS)}")
        return VARIANTS[variant]
    if all(hasattr(variant, attr) for attr in ("residue", "match", "description")):
        return variant
    raise ValueError(f"not a checksum variant: {variant!r}")


# --------------------------------------------------------------------------------------------------------------
# statistics for the UI


def residue_histogram(
    values: Any, variant: Any = "decimal", modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION
) -> list[int]:
    """counts[r] = #{finite values with residue r}, r = 0 .. m-1."""
    modulo = _check_modulo(modulo)
    residues = np.asarray(get_variant(variant).residue(values, modulo, precision)).ravel()
    # intp: bincount refuses int64 input where intp is 32-bit (wasm32)
    return np.bincount(residues[residues >= 0].astype(np.intp), minlength=modulo).tolist()


def trial_throughput(variant: Any = "decimal", budget_ms: float = 300.0) -> float:
    """Checksum evaluations per second = values processed / wall time, over vectorised batches within budget_ms."""
    checker = get_variant(variant)
    if isinstance(budget_ms, bool) or not isinstance(budget_ms, numbers.Real) or not 1 <= budget_ms <= 60_000:
        raise ValueError(f"budget_ms must be a number between 1 and 60000, got {budget_ms!r}")
    budget = budget_ms / 1000.0
    batch = 256
    # pre-activation-like magnitudes; deterministic, so no generator is needed
    base = np.linspace(-6.0, 6.0, 1 << 16) * (1.0 + np.pi * 1e-9)
    done, elapsed = 0, 0.0
    while True:
        values = base[:batch]
        start = time.perf_counter()
        checker.residue(values, DEFAULT_MODULO, DEFAULT_PRECISION)
        spent = time.perf_counter() - start
        done += batch
        elapsed += spent
        # stop before a batch twice this one's cost would overrun the budget
        if elapsed + 2.2 * spent > budget:
            break
        batch = min(batch * 2, 1 << 16)
    return done / max(elapsed, 1e-9)


def expected_trials(p_key: float, k: int = 1) -> float:
    """(1 / p_key)**k: expected independent trials until k neurons all hit a key of probability p_key."""
    if isinstance(p_key, bool) or not isinstance(p_key, numbers.Real) or not 0 < p_key <= 1:
        raise ValueError(f"p_key must be a probability in (0, 1], got {p_key!r}")
    if isinstance(k, bool) or not isinstance(k, numbers.Real) or not math.isfinite(k) or k < 0:
        raise ValueError(f"k must be a non-negative number, got {k!r}")
    try:
        return (1.0 / p_key) ** k
    except OverflowError:
        return math.inf
