"""Exact shortest round-trip decimal digits of float64 values (what JavaScript's toExponential() prints), in numpy
uint64 arithmetic, and NN Calculator's raw simpleChecksum sum from them: 1344 + sum of (char - '0').

This is the exact vectorised route of csum (checksum/decimal.py): Python's float repr is parsed only for
magnitudes outside [2**-36, 1e15); everywhere else the digits are re-derived with integer arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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

# Fast exact path covers 2**-36 <= |v| < 1e15: there the decimal exponent is in [-11, 14], every 5**s needed fits
# in 63 bits and every shift is 1..63 (derivation in _shortest_fast).
_FAST_LOW = 2.0**-36
_FAST_HIGH = 1e15


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

