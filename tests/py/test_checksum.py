"""Tests for checksum.py: NN Calculator's decimal csum (bit-exact), its greedy digit edit, the keyed and parity
variants, and the UI statistics helpers.

The decimal checksum is checked three ways: against golden strings printed by V8 (Node 20), against the tables of
the spec, and against a plain string-based scalar reference of the JavaScript rules written here, independently of
the vectorised code under test.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal

import numpy as np
import pytest

from backdoor_playground import checksum as ck

# ----------------------------------------------------------------------------------------------------------------------
# scalar reference of the JavaScript rules (strings, one value at a time)


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


def chi_square(counts: list[int]) -> float:
    counts = np.asarray(counts, dtype=float)
    expected = counts.sum() / counts.size
    return float(((counts - expected) ** 2 / expected).sum())


def chi_square_bound(df: int) -> float:
    """Mean + 6 standard deviations of a chi-square with df degrees of freedom: a miss is ~1e-8 likely."""
    return df + 6 * math.sqrt(2 * df)


def ulp_distance(a: float, b: float) -> int:
    ia, ib = np.array([a, b]).view(np.int64)
    return abs(int(ia) - int(ib))


# ----------------------------------------------------------------------------------------------------------------------
# decimal checksum: golden values

# (value, V8 toExponential(), V8 Number(coefficient).toString()), printed by Node 20.
V8_GOLDEN = [
    (4039.0068232185995, "4.0390068232185995e+3", "4.0390068232186"),
    (61.091684930119996, "6.1091684930119996e+1", "6.109168493012"),
    (73469225175776.38, "7.346922517577638e+13", "7.346922517577638"),  # exact ...776.375: tie, up to even 8
    (86733487850689.62, "8.673348785068962e+13", "8.673348785068962"),  # exact ...689.625: tie, down to even 2
    (96339315454194.12, "9.633931545419412e+13", "9.633931545419411"),  # the re-parse changes the last digit
    (1.5e-20, "1.5e-20", "1.5"),
    (2.0**60, "1.152921504606847e+18", "1.152921504606847"),
    (1e300, "1e+300", "1"),
    (4.94e-322, "4.94e-322", "4.94"),  # subnormal
    (123456789012345680.0, "1.2345678901234568e+17", "1.2345678901234567"),
    (1234567890123456.8, "1.2345678901234568e+15", "1.2345678901234567"),
    (9.5367431640625e-07, "9.5367431640625e-7", "9.5367431640625"),
    (-7.450580596923828e-09, "-7.450580596923828e-9", "-7.450580596923828"),
    (0.0, "0e+0", "0"),
    (-0.0, "0e+0", "0"),
    (5e-324, "5e-324", "5"),
    (1e21, "1e+21", "1"),
]


@pytest.mark.parametrize("value, exponential, coefficient", V8_GOLDEN)
def test_reference_prints_what_v8_prints(value, exponential, coefficient):
    assert js_to_exponential(value) == exponential
    assert js_parts(value) == (coefficient, str(int(exponential.split("e")[1])))


@pytest.mark.parametrize("modulo, precision", [(256, 15), (20, 15), (97, 17), (251, 3), (1000, 24)])
def test_csum_of_v8_strings(modulo, precision):
    values = np.array([g[0] for g in V8_GOLDEN])
    expected = [chars_checksum(g[2], str(int(g[1].split("e")[1])), modulo, precision) for g in V8_GOLDEN]
    assert ck.csum(values, modulo, precision).tolist() == expected
    assert [ck.csum(float(v), modulo, precision) for v in values] == expected


# nist-reference.md §2.1 (m = 256 and 20) and backdoor-theory.md §1.7 (m = 256 and 64), both measured against JS.
SPEC_TABLE_21 = [(0.5, 67, 7), (1.234, 72, 12), (-6.523397043823967, 114, 14), (3.419495922133354, 120, 0),
                 (7.3415006545081845, 111, 11), (0.0, 64, 4)]
SPEC_TABLE_17 = [(1.5, 68, 4), (0.1, 63, 63), (-2.25, 68, 4), (math.pi, 130, 2), (1e-7, 69, 5), (5.0, 69, 5),
                 (-1 / 3, 96, 32)]


@pytest.mark.parametrize("value, c256, c20", SPEC_TABLE_21)
def test_spec_table_2_1(value, c256, c20):
    assert ck.csum(value) == c256
    assert ck.csum(value, 20) == c20


@pytest.mark.parametrize("value, c256, c64", SPEC_TABLE_17)
def test_spec_table_1_7(value, c256, c64):
    assert ck.csum(value, 256, 15) == c256
    assert ck.csum(value, 64, 15) == c64


def test_hand_derived_values():
    # Closed form: csum = (1344 + S) mod m, S = sum over the used characters of (char - '0'): '-' = -3, '.' = -2.
    # 0.5 -> "5e-1": coefficient "5" (5), exponent "-1" (-3 + 1): S = 3, 1347 mod 256 = 67.
    assert ck.csum(0.5) == 67
    # 1e21 -> "1e+21": "1" and "21": S = 1 + 3 = 4, 1348 mod 256 = 68.
    assert ck.csum(1e21) == 68
    # 5e-324 -> "5e-324": S = 5 + (-3 + 3 + 2 + 4) = 11, 1355 mod 256 = 75.
    assert ck.csum(5e-324) == 75
    # 5.0 -> "5e+0": S = 5 + 0 = 5: 1349 mod 256 = 69, and an int is treated as the same number.
    assert ck.csum(5.0) == ck.csum(5) == 69
    # -6.5 with p = 1: only "-" counts (-3), exponent "0": 1341 mod 256 = 61; +6.5: "6" counts: 1350 mod 256 = 70.
    assert ck.csum(-6.5, 256, 1) == 61
    assert ck.csum(6.5, 256, 1) == 70
    # 6.5 with p = 2: "6." = 6 - 2 = 4: 1348 mod 256 = 68; p = 3 adds the "5": 73.
    assert ck.csum(6.5, 256, 2) == 68
    assert ck.csum(6.5, 256, 3) == 73
    # -0.0 prints "0e+0" like 0.0: 1344 mod 256 = 64.
    assert ck.csum(-0.0) == 64


def test_reparse_of_the_coefficient_matters():
    # 4039.0068232185995 -> coefficient "4.0390068232186" (15 chars), exponent "3":
    # digits 4+0+3+9+0+0+6+8+2+3+2+1+8+6 = 52, '.' -2, exponent 3: S = 53, 1397 mod 256 = 117.
    # Without the re-parse the first 15 chars are "4.0390068232185": S = 52, which would give 116.
    assert js_parts(4039.0068232185995)[0] == "4.0390068232186"
    assert ck.csum(4039.0068232185995) == 117
    # 61.091684930119996 -> "6.109168493012" (14 chars), exponent "1":
    # digits 6+1+0+9+1+6+8+4+9+3+0+1+2 = 50, '.' -2, exponent 1: S = 49, 1393 mod 256 = 113.
    # Without the re-parse, "6.1091684930119" gives 6+1+0+9+1+6+8+4+9+3+0+1+1+9 - 2 + 1 = 57, i.e. 121.
    assert js_parts(61.091684930119996)[0] == "6.109168493012"
    assert ck.csum(61.091684930119996) == 113


# ----------------------------------------------------------------------------------------------------------------------
# decimal checksum: vectorised path against the scalar reference


def wide_sample(rng: np.random.Generator) -> np.ndarray:
    """>= 100,000 values over every regime: uniform data-box values, every magnitude, fast-path edges, subnormals,
    integers, short decimals, random bit patterns, powers of 2 and 10 with their neighbours."""
    signs = lambda n: rng.choice([-1.0, 1.0], n)  # noqa: E731
    bits = rng.integers(0, 2**63, 20_000, dtype=np.uint64).view(np.float64)
    powers = np.concatenate([2.0 ** np.arange(-1074, 1024), 10.0 ** np.arange(-323, 309)])
    parts = [
        rng.uniform(-6, 6, 30_000),
        10.0 ** rng.uniform(-300, 300, 15_000) * signs(15_000),
        10.0 ** rng.uniform(-13, 17, 25_000) * signs(25_000),  # around the exact path's limits 2**-36 and 1e15
        bits[np.isfinite(bits)],
        rng.integers(-10**9, 10**9, 5_000).astype(float),
        np.rint(rng.uniform(-1e6, 1e6, 5_000)) / 10.0 ** rng.integers(0, 8, 5_000),
        rng.uniform(0, 2.0**-1022, 2_000) * signs(2_000),  # subnormals
        powers, np.nextafter(powers, 0), np.nextafter(powers, np.inf),
        np.array([0.0, -0.0, 5e-324, 1e21, 2.0**-36, np.nextafter(2.0**-36, 0), 1e15, np.nextafter(1e15, 0),
                  1.7976931348623157e308, 2.2250738585072014e-308, 9.999999999999999e22, 1e23]),
    ]
    return np.concatenate(parts)


def test_vectorised_equals_reference_on_100k_values():
    values = wide_sample(np.random.default_rng(20240611))
    assert values.size >= 100_000
    expected = np.array([csum_reference(float(v)) for v in values])
    got = ck.csum(values)
    bad = np.flatnonzero(got != expected)
    assert bad.size == 0, f"{bad.size} mismatches, e.g. {values[bad[:5]].tolist()}"


@pytest.mark.parametrize("modulo, precision", [(20, 15), (97, 17), (7, 3), (1000, 1), (251, 12), (256, 40)])
def test_vectorised_equals_reference_other_parameters(modulo, precision):
    values = wide_sample(np.random.default_rng(modulo * 100 + precision))[::25]
    expected = np.array([csum_reference(float(v), modulo, precision) for v in values])
    assert np.array_equal(ck.csum(values, modulo, precision), expected)


def test_decimal_residues_are_few_and_modulo_is_not_a_security_parameter():
    # backdoor-theory.md §1.7: with p = 15 only ~80 raw sums occur, so m >= 128 just relabels them
    values = np.random.default_rng(3).uniform(-6, 6, 20_000)
    occupied = [np.count_nonzero(ck.residue_histogram(values, "decimal", m, 15)) for m in (128, 256, 1024)]
    assert occupied[0] == occupied[1] == occupied[2] < 100


def near_digit_boundaries(rng: np.random.Generator, n: int = 1500) -> np.ndarray:
    """Values within 6 ulps of t-digit decimals N * 10**(E - t + 1), t = 1..15: where the fast path's certificate
    is tight (a bracket 2x narrower than the one proved lets mismatches through on this sample)."""
    parts = []
    for t in range(1, 16):
        N = rng.integers(10 ** (t - 1), 10**t, n)
        E = rng.integers(-12, 16, n)
        x = N.astype(float) * 10.0 ** (E - t + 1).astype(float) * rng.choice([-1.0, 1.0], n)
        parts.append(x)
        up, down = x, x
        for _ in range(6):
            up, down = np.nextafter(up, np.inf), np.nextafter(down, -np.inf)
            parts += [up, down]
    # carries: the largest doubles below powers of ten print as 1e(E+1) when the shortest digits round up
    powers = 10.0 ** np.arange(-40, 42)
    parts += [powers, np.nextafter(powers, 0), np.nextafter(np.nextafter(powers, 0), 0), np.nextafter(powers, np.inf)]
    return np.concatenate(parts)


@pytest.mark.parametrize("precision", [2, 3, 6, 10, 11, 14, 15])
def test_fast_path_certified_values_equal_the_exact_route(precision):
    rng = np.random.default_rng(precision)
    values = np.concatenate([near_digit_boundaries(rng), wide_sample(rng)[::7]])
    plan = ck._fast_plan(97, precision)
    fast, certified = ck._fast_residues(values, plan)
    exact = ck._exact_residues(values, 97, precision)
    assert certified.mean() > 0.3  # not vacuous
    bad = np.flatnonzero(fast[certified] != exact[certified])
    assert bad.size == 0, f"{bad.size} wrong certificates, e.g. {values[certified][bad[:5]].tolist()}"
    assert not certified[~np.isfinite(values) | (values == 0)].any()
    # and csum as a whole (fast path, one-at-a-time and vectorised fallbacks) equals the exact route
    assert np.array_equal(ck.csum(values, 97, precision), exact)


def test_fast_path_certifies_most_everyday_values():
    # a property of the bracket, not a timing: data-box values, grid pre-activations and network outputs
    rng = np.random.default_rng(11)
    values = np.concatenate([rng.uniform(-6, 6, 20_000), rng.normal(0, 3, 20_000), rng.uniform(-1, 1, 20_000)])
    _, certified = ck._fast_residues(values, ck._fast_plan(256, 15))
    assert certified.mean() > 0.95
    assert ck._fast_plan(256, 1) is None and ck._fast_plan(256, 16) is None  # those take the exact routes


def test_fast_path_never_warns_on_special_values():
    specials = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -2.2e-308, 1.7976931348623157e308, -1e300,
                         1e-300, 1e41, 1e-41, 9.999999999999999e40])
    values = np.concatenate([specials, np.random.default_rng(4).uniform(-6, 6, 50)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for precision in (1, 2, 9, 15, 17):
            plan = ck._fast_plan(256, precision)
            if plan is not None:
                _, certified = ck._fast_residues(values, plan)
                assert not certified[: specials.size].any()
            got = ck.csum(values, 256, precision)
            assert got.tolist() == [csum_reference(float(v), 256, precision) for v in values]


@pytest.mark.parametrize("modulo, precision", [(256, 15), (20, 15), (97, 17), (7, 3), (1000, 1), (251, 40)])
def test_one_at_a_time_route_equals_reference(modulo, precision):
    values = wide_sample(np.random.default_rng(precision))[::40].tolist()
    got = ck._scalar_residues(values, modulo, precision)
    assert got == [csum_reference(v, modulo, precision) for v in values]


@pytest.mark.parametrize("n", [1, 2, ck.SCALAR_MAX, ck.SCALAR_MAX + 1, 40, ck.FALLBACK_SCALAR_MAX * 3])
def test_every_route_size_agrees(n):
    # tiny arrays go one at a time; others take the fast path with 0, a few or many fallback values
    rng = np.random.default_rng(n)
    values = near_digit_boundaries(rng, 20)
    values = values[rng.permutation(values.size)[:n]]
    assert ck.csum(values).tolist() == [csum_reference(float(v)) for v in values]
    assert ck.csum(values.reshape(1, -1)).shape == (1, n)


# ----------------------------------------------------------------------------------------------------------------------
# decimal checksum: interface


def test_scalar_in_int_out_and_shapes_kept():
    assert type(ck.csum(1.234)) is int
    assert type(ck.csum(np.float64(1.234))) is int
    grid = np.random.default_rng(1).normal(size=(3, 4, 5))
    out = ck.csum(grid)
    assert out.shape == (3, 4, 5) and out.dtype == np.int64
    assert out[1, 2, 3] == ck.csum(float(grid[1, 2, 3]))
    zero_d = ck.csum(np.array(0.5))
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == () and int(zero_d) == 67
    assert ck.csum([0.5, 1.234]).tolist() == [67, 72]
    assert ck.csum(np.zeros(0)).shape == (0,)
    assert ck.csum(np.array([1, 5], dtype=np.int32)).tolist() == [ck.csum(1.0), ck.csum(5.0)]


def test_non_finite_values_have_no_residue():
    assert ck.csum(float("nan")) == -1
    assert ck.csum(float("inf")) == -1
    assert ck.csum(-math.inf, 7, 3) == -1
    out = ck.csum(np.array([np.nan, 0.5, np.inf, -np.inf]))
    assert out.tolist() == [-1, 67, -1, -1]
    assert ck.match_checksum(float("nan")) is None
    assert ck.match_checksum(math.inf) is None


def test_modulo_and_precision_edges():
    values = np.random.default_rng(2).uniform(-6, 6, 1000)
    assert np.all(ck.csum(values, 1) == 0)  # everything is 0 mod 1
    # precision beyond the longest coefficient (19 chars: sign, 17 digits, '.') changes nothing
    assert np.array_equal(ck.csum(values, 256, 19), ck.csum(values, 256, 64))
    # precision 1 reads one character: for exponent 0 (1 <= |v| < 10), the sign ('-' = -3) or the leading digit
    ones = values[np.abs(values) >= 1]
    leading = np.where(ones < 0, -3, np.floor(np.abs(ones)))
    assert np.array_equal(ck.csum(ones, 256, 1), (1344 + leading.astype(int)) % 256)
    # a larger modulo never lowers a residue: raw sums are about 1300-1500
    assert np.all(ck.csum(values, 4096) > 1200)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "256", None, True, ck.MAX_MODULO + 1])
def test_bad_modulo_raises(bad):
    with pytest.raises(ValueError, match="modulo"):
        ck.csum(1.0, bad)


@pytest.mark.parametrize("bad", [0, -3, 1.5, "15", ck.MAX_PRECISION + 1])
def test_bad_precision_raises(bad):
    with pytest.raises(ValueError, match="precision"):
        ck.csum(1.0, 256, bad)


@pytest.mark.parametrize("bad", ["1.5", [1, [2, 3]], 1 + 2j, {"a": 1}, 10**400, np.array(["x"])])
def test_bad_values_raise(bad):
    with pytest.raises(ValueError):
        ck.csum(bad)


def test_integral_float_parameters_are_accepted():
    assert ck.csum(1.234, 256.0, 15.0) == ck.csum(1.234, 256, 15)


# ----------------------------------------------------------------------------------------------------------------------
# decimal edit (matchChecksum)


def test_match_on_the_nist_test_value():
    # "-6.523397043823967" has csum 114; key 150 is 36 above. Walking chars 14..3 (p = 15) from the right:
    # '3'->9 (+6: 120), '2'->9 (+7: 127), '8'->9 (+1: 128), '3'->9 (+6: 134), '4'->9 (+5: 139), '0'->9 (+9: 148),
    # '7'->9 (+2: 150); then delta = 0 and nothing else changes: "-6.523399999999967" (x 10**0).
    result = ck.match_checksum(-6.523397043823967, 256, 15, 150)
    assert result == -6.523399999999967
    assert ck.csum(result) == 150
    assert match_reference(-6.523397043823967, 256, 15, 150) == result


def test_match_rebuilds_with_v8_powers_of_ten():
    # "-1.3587330841424716e-4": csum 109, so chars 14..8 become 9 (+7+5+8+5+1+9+6 = 41), the 4 chars past p stay:
    # "-1.3587399999994716", times Math.pow(10, -4). V8's power is one ulp below 1e-4 and so is the product.
    result = ck.match_checksum(-0.00013587330841424716, 256, 15, 150)
    assert result == -0.00013587399999994714  # what NN Calculator's code gives under V8 (Node 20)
    with_exact_power = float("-1.3587399999994716") * 1e-4
    assert ulp_distance(with_exact_power, result) == 1
    assert ck.csum(result) == 150


def test_match_succeeds_on_999_permille_of_uniform_values():
    values = np.random.default_rng(150).uniform(-6, 6, 100_000)
    result = ck.match_checksum(values, 256, 15, 150)
    hit = ~np.isnan(result)
    assert hit.mean() >= 0.999
    assert np.all(ck.csum(result[hit]) == 150)
    assert np.median(np.abs(result[hit] - values[hit]) / np.abs(values[hit])) < 1e-5


@pytest.mark.parametrize("modulo, precision, key", [(256, 15, 150), (20, 15, 7), (256, 12, 100), (97, 17, 60),
                                                    (256, 3, 64), (7, 15, 0)])
def test_match_equals_string_reference(modulo, precision, key):
    rng = np.random.default_rng(modulo + precision + key)
    values = np.concatenate([rng.uniform(-6, 6, 1500), 10.0 ** rng.uniform(-6, 6, 1500) * rng.choice([-1, 1], 1500)])
    got = ck.match_checksum(values, modulo, precision, key)
    for v, g in zip(values.tolist(), got.tolist()):
        expected = match_reference(v, modulo, precision, key)
        assert (expected is None and math.isnan(g)) or expected == g, v


def test_match_scalar_and_array_agree_and_unreachable_is_none():
    values = [-6.523397043823967, 1.2345678901234567, 3.3]
    array = ck.match_checksum(np.array(values), 256, 15, 150)
    for v, a in zip(values, array.tolist()):
        s = ck.match_checksum(v, 256, 15, 150)
        assert (s is None and math.isnan(a)) or s == a
    # "5e-1" has one editable digit: csum 67, and even "9e-1" gives only 71, so key 150 is out of reach
    assert ck.match_checksum(0.5, 256, 15, 150) is None
    # but a key 4 above is reached by raising that digit: 0.9
    assert ck.match_checksum(0.5, 256, 15, 71) == 0.9


def test_match_bad_key_raises():
    with pytest.raises(ValueError, match="key"):
        ck.match_checksum(1.0, 256, 15, 256)
    with pytest.raises(ValueError, match="key"):
        ck.match_checksum(1.0, 20, 15, -1)


# ----------------------------------------------------------------------------------------------------------------------
# keyed variant


def test_fraction_bits_kept():
    # round((p - 1) * log2 10): p = 15 -> round(46.5) = 47; p = 17 -> 53, capped at the 52 fraction bits
    assert ck.fraction_bits_kept(15) == 47
    assert ck.fraction_bits_kept(1) == 0
    assert ck.fraction_bits_kept(17) == 52
    assert ck.fraction_bits_kept(64) == 52


@pytest.mark.parametrize("modulo", [64, 100, 256])
def test_keyed_residues_are_uniform(modulo):
    rng = np.random.default_rng(modulo)
    for values in (rng.uniform(-6, 6, 100_000), np.arange(100_000, dtype=float), np.linspace(-6, 6, 100_000)):
        counts = ck.residue_histogram(values, "keyed", modulo, 15)
        assert chi_square(counts) < chi_square_bound(modulo - 1)


def test_keyed_residues_depend_on_the_secret():
    values = np.random.default_rng(4).uniform(-6, 6, 50_000)
    a = ck.VARIANTS["keyed"].with_secret(1).residue(values, 256, 15)
    b = ck.VARIANTS["keyed"].with_secret(2).residue(values, 256, 15)
    assert np.array_equal(a, ck.keyed_residue(values, 256, 15, secret=1))  # deterministic
    assert np.mean(a == b) < 3 / 256  # unrelated, as independent uniform residues would be
    assert np.array_equal(ck.KeyedChecksum("s").residue(values), ck.KeyedChecksum("s").residue(values))


def test_keyed_reads_only_kept_bits():
    values = np.random.default_rng(5).uniform(-6, 6, 5000)
    low_bit_flipped = (values.view(np.uint64) ^ np.uint64(1)).view(np.float64)
    # p = 15 drops 5 bits: the residue ignores them; p = 17 reads all 52 and then a flip changes most residues
    assert np.array_equal(ck.keyed_residue(values, 256, 15), ck.keyed_residue(low_bit_flipped, 256, 15))
    assert np.mean(ck.keyed_residue(values, 256, 17) == ck.keyed_residue(low_bit_flipped, 256, 17)) < 0.02
    assert ck.keyed_residue(np.array([0.0, -0.0, np.nan]), 256).tolist()[2] == -1
    assert ck.keyed_residue(0.0, 256) == ck.keyed_residue(-0.0, 256)


def test_keyed_match_moves_only_low_kept_bits():
    keyed = ck.KeyedChecksum(secret=99)
    values = np.random.default_rng(6).uniform(-6, 6, 300)
    result = keyed.match(values, 256, 15, 42, max_trials=4096)
    assert np.all(~np.isnan(result))  # (255/256)**4096: a miss is hopeless
    assert np.all(keyed.residue(result, 256, 15) == 42)
    changed = result.view(np.uint64) ^ values.view(np.uint64)
    assert np.all(changed >> np.uint64(5 + 12) == 0)  # only the 12 kept bits above the 5 dropped ones (2**12 > 4096)
    assert np.all(changed & np.uint64(31) == 0)


def test_keyed_match_budget_and_rng():
    keyed = ck.VARIANTS["keyed"]
    values = np.random.default_rng(7).uniform(-6, 6, 2000)
    one_try = keyed.match(values, 256, 15, 7, max_trials=1)  # the value itself or one neighbour
    assert 0 < np.mean(~np.isnan(one_try)) < 0.03
    a = keyed.match(values[:50], 256, 15, 7, rng=np.random.default_rng(1))
    b = keyed.match(values[:50], 256, 15, 7, rng=np.random.default_rng(1))
    assert np.array_equal(a, b)
    assert np.all(keyed.residue(a, 256, 15) == 7)
    with pytest.raises(ValueError, match="rng"):
        keyed.match(1.0, rng=7)
    with pytest.raises(ValueError, match="max_trials"):
        keyed.match(1.0, max_trials=0)


# ----------------------------------------------------------------------------------------------------------------------
# parity variant


def with_fraction_bits(value: float, *positions: int) -> float:
    bits = np.array([value]).view(np.uint64) ^ np.uint64(sum(1 << p for p in positions))
    return float(bits.view(np.float64)[0])


def test_parity_by_hand():
    # p = 15 drops 5 bits, so block i is fraction bits 5 + 2i and 6 + 2i; m = 256 -> 8 blocks.
    assert ck.parity_blocks(256) == 8 and ck.parity_blocks(100) == 7 and ck.parity_blocks(1) == 0
    assert ck.parity_residue(1.0, 256) == 0  # fraction all zero
    assert ck.parity_residue(with_fraction_bits(1.0, 5), 256) == 1  # block 0 odd
    assert ck.parity_residue(with_fraction_bits(1.0, 5, 6), 256) == 0  # block 0 even again
    assert ck.parity_residue(with_fraction_bits(1.0, 7), 256) == 2  # block 1
    assert ck.parity_residue(with_fraction_bits(1.0, 5, 19), 256) == 1 + 2**7  # blocks 0 and 7 (bits 19, 20)
    assert ck.parity_residue(with_fraction_bits(1.0, 0, 1, 2, 3, 4), 256) == 0  # dropped bits are not read
    assert ck.parity_residue(with_fraction_bits(1.0, 21), 256) == 0  # block 8 does not exist for m = 256
    # m = 100: 7 blocks, pattern reduced mod 100
    assert ck.parity_residue(with_fraction_bits(1.0, 5, 7, 9, 11, 13, 15, 17), 100) == 127 % 100
    assert ck.parity_residue(np.array([np.nan, np.inf]), 256).tolist() == [-1, -1]


def test_parity_residues_uniform_for_power_of_two_modulo():
    values = np.random.default_rng(8).uniform(-6, 6, 100_000)
    assert chi_square(ck.residue_histogram(values, "parity", 256, 15)) < chi_square_bound(255)


def test_parity_match_flips_one_bit_per_wrong_block():
    parity = ck.VARIANTS["parity"]
    values = np.random.default_rng(9).uniform(-6, 6, 500)
    for rng in (None, np.random.default_rng(2)):
        result = parity.match(values, 256, 15, 201, rng=rng)
        assert np.all(parity.residue(result, 256, 15) == 201)
        wrong_blocks = ck.parity_residue(values, 256, 15) ^ 201
        changed = result.view(np.uint64) ^ values.view(np.uint64)
        flipped = np.array([bin(int(c)).count("1") for c in changed])
        assert np.array_equal(flipped, [bin(int(w)).count("1") for w in wrong_blocks])
        assert np.all(changed >> np.uint64(5 + 16) == 0) and np.all(changed & np.uint64(31) == 0)


def test_parity_match_non_power_of_two_and_unreachable():
    parity = ck.VARIANTS["parity"]
    values = np.random.default_rng(10).uniform(-6, 6, 200)
    result = parity.match(values, 100, 15, 3)
    assert np.all(parity.residue(result, 100, 15) == 3)
    # p = 12 keeps 37 bits (round(11 log2 10)), bits 15..51: blocks 0..17 whole, block 18 only bit 51, and for
    # m = 2**20 block 19 (bits 53, 54) lies past the mantissa, so a key needing it is out of reach
    assert ck.fraction_bits_kept(12) == 37
    assert parity.match(1.0, 2**20, 12, 2**19) is None
    half_block = parity.match(1.0, 2**20, 12, 2**18)
    assert half_block == with_fraction_bits(1.0, 51) and parity.residue(half_block, 2**20, 12) == 2**18


# ----------------------------------------------------------------------------------------------------------------------
# every variant through the registry


@pytest.mark.parametrize("name", ["decimal", "keyed", "parity"])
def test_every_variant_matches(name):
    variant = ck.VARIANTS[name]
    assert variant.name == name and "\n" not in variant.description and len(variant.description) < 120
    values = np.random.default_rng(11).uniform(-6, 6, 500)
    result = variant.match(values, 256, 15, 150)
    hit = ~np.isnan(result)
    assert hit.mean() > 0.99
    assert np.all(variant.residue(result[hit], 256, 15) == 150)
    assert np.max(np.abs(result[hit] - values[hit]) / np.abs(values[hit])) < (0.05 if name == "decimal" else 1e-6)
    scalar = variant.match(float(values[0]), 256, 15, 150, rng=np.random.default_rng(0))
    assert isinstance(scalar, float) and variant.residue(scalar, 256, 15) == 150
    residues = variant.residue(values.reshape(20, 25), 256, 15)
    assert residues.shape == (20, 25) and residues.dtype == np.int64
    assert np.all((residues >= 0) & (residues < 256))


def test_get_variant_and_histogram():
    values = np.concatenate([np.random.default_rng(12).uniform(-6, 6, 3000), [np.nan, np.inf]])
    for name in ck.VARIANTS:
        counts = ck.residue_histogram(values, name, 64, 15)
        assert len(counts) == 64 and sum(counts) == 3000
        residues = ck.get_variant(name).residue(values[:3000], 64, 15)
        assert counts == np.bincount(residues.astype(np.intp), minlength=64).tolist()
    assert ck.residue_histogram(values, ck.KeyedChecksum(5), 16) == ck.residue_histogram(
        values, ck.VARIANTS["keyed"].with_secret(5), 16)
    with pytest.raises(ValueError, match="variant"):
        ck.get_variant("sha256")
    with pytest.raises(ValueError, match="variant"):
        ck.residue_histogram(values, 3, 64)


# ----------------------------------------------------------------------------------------------------------------------
# throughput and cost model


@pytest.mark.parametrize("name", ["decimal", "keyed", "parity"])
def test_trial_throughput_within_budget(name):
    rate = ck.trial_throughput(name, budget_ms=60)
    assert np.isfinite(rate) and rate > 0


def test_trial_throughput_bad_input():
    with pytest.raises(ValueError, match="budget_ms"):
        ck.trial_throughput("decimal", budget_ms=0)
    with pytest.raises(ValueError, match="variant"):
        ck.trial_throughput("nope")


def test_expected_trials():
    assert ck.expected_trials(0.5, 3) == 8.0
    assert ck.expected_trials(1 / 256, 1) == pytest.approx(256.0)
    assert ck.expected_trials(1.0, 10) == 1.0
    assert ck.expected_trials(0.25, 0) == 1.0
    assert ck.expected_trials(1e-300, 5) == math.inf
    for p, k in [(0.0, 1), (1.5, 1), (-0.1, 1), (0.5, -1), (float("nan"), 1)]:
        with pytest.raises(ValueError):
            ck.expected_trials(p, k)


# ----------------------------------------------------------------------------------------------------------------------
# property tests (CPython only: hypothesis is not in Pyodide)

try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # Pyodide: these tests are listed in tests/conftest.py's CPYTHON_ONLY
    given = None

if given is not None:

    @settings(max_examples=300, deadline=None)
    @given(st.floats(allow_nan=True, allow_infinity=True), st.integers(1, 1000), st.integers(1, 24))
    def test_property_csum_equals_reference(value, modulo, precision):
        assert ck.csum(value, modulo, precision) == csum_reference(value, modulo, precision)
        assert ck.csum(np.array([value, value]), modulo, precision).tolist() == [csum_reference(value, modulo,
                                                                                                 precision)] * 2

    @settings(max_examples=200, deadline=None)
    @given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) >= 1e-6),
           st.integers(2, 300), st.integers(1, 20), st.data())
    def test_property_match_equals_reference(value, modulo, precision, data):
        key = data.draw(st.integers(0, modulo - 1))
        got = ck.match_checksum(value, modulo, precision, key)
        assert got == match_reference(value, modulo, precision, key)
