"""A plain string-based scalar reference of NN Calculator's JavaScript checksum rules (one value at a time), written
independently of the vectorised code under test; used by test_checksum_decimal.py and test_checksum_match.py."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

def js_to_exponential(v: float) -> str:
    """JS v.toExponential(): shortest round-trip digits (CPython's repr picks the same ones), "d.ddde+X"."""
    if v == 0:
        return "0e+0"  # also for -0: JS tests v < 0 for the sign
    _, digits, exponent = Decimal(repr(abs(v))).normalize().as_tuple()
    text = "".join(map(str, digits))
    e = exponent + len(text) - 1
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return ("-" if v < 0 else "") + mantissa + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def js_number_to_string(x: float) -> str:
    """JS Number(x).toString() for 1 <= |x| <= 10: positional shortest digits, no trailing ".0"."""
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def js_parts(v: float) -> tuple[str, str]:
    """The coefficient and exponent strings simpleChecksum sums: both halves of toExponential() re-printed."""
    coefficient, exponent = js_to_exponential(v).split("e")
    return js_number_to_string(float(coefficient)), str(int(exponent))


def chars_checksum(coefficient: str, exponent: str, modulo: int, precision: int) -> int:
    """simpleChecksum's sum over strings: first p coefficient chars padded with '0' to 24, exponent padded to 4."""
    used = coefficient[:precision]
    raw = sum(map(ord, used)) + (24 - len(used)) * 48 + sum(map(ord, exponent)) + (4 - len(exponent)) * 48
    return raw % modulo


def csum_reference(v: float, modulo: int = 256, precision: int = 15) -> int:
    if not math.isfinite(v):
        return -1
    return chars_checksum(*js_parts(v), modulo, precision)


# V8's Math.pow(10, e) for the exponents the edit reference below meets (printed by Node 20):
# Math.pow(10, -4) = 0.00009999999999999999 and Math.pow(10, -5) = 0.000009999999999999999, one ulp below 1e-4, 1e-5.
V8_POW10_SMALL = {e: float(f"1e{e}") for e in range(-6, 7)}
V8_POW10_SMALL[-4] = math.nextafter(1e-4, 0.0)
V8_POW10_SMALL[-5] = math.nextafter(1e-5, 0.0)


def match_reference(v: float, modulo: int, precision: int, key: int) -> float | None:
    """matchChecksum as the spec words it (§2.4 step 4), on strings; for values with exponent in [-6, 6]."""
    coefficient, exponent = js_parts(v)
    chars = list(coefficient)
    for i in range(len(chars) - 1, -1, -1):
        if i >= precision or chars[i] in "-.":
            continue
        delta = chars_checksum("".join(chars), exponent, modulo, precision) - key
        digit = int(chars[i])
        digit = min(digit - delta, 9) if delta < 0 else max(digit - delta, 0)
        chars[i] = str(digit)
    rebuilt = float("".join(chars)) * V8_POW10_SMALL[int(exponent)]
    return rebuilt if csum_reference(rebuilt, modulo, precision) == key else None


def ulp_distance(a: float, b: float) -> int:
    ia, ib = np.array([a, b]).view(np.int64)
    return abs(int(ia) - int(ib))
