"""NN Calculator's simpleChecksum by the certified float fast path: the first t digits as floor(|v| * 10**k), kept
only when a proved error bracket cannot cross a digit boundary; the rest by the exact routes (Python's repr one
value at a time for a few, checksum/decimal_digits.py's vectorised digits for many). Bit-exact either way.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .decimal_digits import _DIGIT_SUM_4, _DOT, _MINUS, _RAW_OFFSET, _decimal_parts, _raw_sums

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

