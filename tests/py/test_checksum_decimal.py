"""NN Calculator's decimal csum (checksum/decimal.py, bit-exact), its fast path and exact routes.

The decimal checksum is checked three ways: against golden strings printed by V8 (Node 20), against the tables of
the spec, and against a plain string-based scalar reference of the JavaScript rules (js_reference.py), written
independently of the vectorised code under test.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from js_reference import chars_checksum, csum_reference, js_parts, js_to_exponential

from backdoor_playground.checksum import decimal as ck
from backdoor_playground.checksum import decimal_fast
from backdoor_playground.checksum import ChecksumParams
from backdoor_playground.checksum.params import PARAMS

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


@pytest.mark.parametrize("modulo, precision", [(256, 15), (20, 15), (97, 17), (251, 3), (1000, 17)])
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


@pytest.mark.parametrize("modulo, precision", [(20, 15), (97, 17), (7, 3), (1000, 1), (251, 12), (256, 17)])
def test_vectorised_equals_reference_other_parameters(modulo, precision):
    values = wide_sample(np.random.default_rng(modulo * 100 + precision))[::25]
    expected = np.array([csum_reference(float(v), modulo, precision) for v in values])
    assert np.array_equal(ck.csum(values, modulo, precision), expected)


def test_decimal_residues_are_few_and_modulo_is_not_a_security_parameter():
    # backdoor-theory.md §1.7: with p = 15 only ~80 raw sums occur, so m >= 128 just relabels them
    values = np.random.default_rng(3).uniform(-6, 6, 20_000)
    occupied = [np.count_nonzero(ChecksumParams("decimal", modulo=m).histogram(values)) for m in (128, 256, 1024)]
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
    plan = decimal_fast._fast_plan(97, precision)
    fast, certified = decimal_fast._fast_residues(values, plan)
    exact = decimal_fast._exact_residues(values, 97, precision)
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
    _, certified = decimal_fast._fast_residues(values, decimal_fast._fast_plan(256, 15))
    assert certified.mean() > 0.95
    # those take the exact routes
    assert decimal_fast._fast_plan(256, 1) is None and decimal_fast._fast_plan(256, 16) is None


def test_fast_path_never_warns_on_special_values():
    specials = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -2.2e-308, 1.7976931348623157e308, -1e300,
                         1e-300, 1e41, 1e-41, 9.999999999999999e40])
    values = np.concatenate([specials, np.random.default_rng(4).uniform(-6, 6, 50)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for precision in (1, 2, 9, 15, 17):
            plan = decimal_fast._fast_plan(256, precision)
            if plan is not None:
                _, certified = decimal_fast._fast_residues(values, plan)
                assert not certified[: specials.size].any()
            got = ck.csum(values, 256, precision)
            assert got.tolist() == [csum_reference(float(v), 256, precision) for v in values]


@pytest.mark.parametrize("modulo, precision", [(256, 15), (20, 15), (97, 17), (7, 3), (1000, 1), (251, 17)])
def test_one_at_a_time_route_equals_reference(modulo, precision):
    values = wide_sample(np.random.default_rng(precision))[::40].tolist()
    got = decimal_fast._scalar_residues(values, modulo, precision)
    assert got == [csum_reference(v, modulo, precision) for v in values]


@pytest.mark.parametrize("n", [1, 2, decimal_fast.SCALAR_MAX, decimal_fast.SCALAR_MAX + 1, 40,
                               decimal_fast.FALLBACK_SCALAR_MAX * 3])
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
    # the smallest modulo, 2, is the raw sum's parity (raw sums are below 4096)
    assert np.array_equal(ck.csum(values, 2), ck.csum(values, 4096) % 2)
    # precision beyond the coefficient's length changes nothing: 6 decimals of |v| < 10 print in at most 9 chars
    short = np.round(values, 6)
    assert np.array_equal(ck.csum(short, 256, 9), ck.csum(short, 256, 17))
    # precision 1 reads one character: for exponent 0 (1 <= |v| < 10), the sign ('-' = -3) or the leading digit
    ones = values[np.abs(values) >= 1]
    leading = np.where(ones < 0, -3, np.floor(np.abs(ones)))
    assert np.array_equal(ck.csum(ones, 256, 1), (1344 + leading.astype(int)) % 256)
    # a larger modulo never lowers a residue: raw sums are about 1300-1500
    assert np.all(ck.csum(values, 4096) > 1200)


@pytest.mark.parametrize("bad", [0, 1, -1, 2.5, "256", None, True, PARAMS["modulo"].high + 1])
def test_bad_modulo_raises(bad):
    with pytest.raises(ValueError, match="modulo"):
        ck.csum(1.0, bad)


@pytest.mark.parametrize("bad", [0, -3, 1.5, "15", PARAMS["precision"].high + 1])
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
# property tests (CPython only: hypothesis is not in Pyodide)

try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # Pyodide: these tests are listed in tests/conftest.py's CPYTHON_ONLY
    given = None

if given is not None:

    @settings(max_examples=300, deadline=None)
    @given(st.floats(allow_nan=True, allow_infinity=True), st.integers(2, 1000), st.integers(1, 17))
    def test_property_csum_equals_reference(value, modulo, precision):
        assert ck.csum(value, modulo, precision) == csum_reference(value, modulo, precision)
        assert ck.csum(np.array([value, value]), modulo, precision).tolist() == [csum_reference(value, modulo,
                                                                                                 precision)] * 2
