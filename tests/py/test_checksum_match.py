"""NN Calculator's greedy digit edit, matchChecksum (checksum/decimal.py), against the spec's worked examples and a
string reference of its rules (js_reference.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from js_reference import match_reference, ulp_distance

from backdoor_playground.checksum import decimal as ck

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
        ck.match_checksum(1.0, 256, 15, 65536)
    with pytest.raises(ValueError, match="key"):
        ck.match_checksum(1.0, 20, 15, -1)
    # the key rule: any key below 65536 is read modulo m
    assert ck.match_checksum(0.5, 256, 15, 71 + 256) == ck.match_checksum(0.5, 256, 15, 71) == 0.9


# ----------------------------------------------------------------------------------------------------------------------
# property tests (CPython only: hypothesis is not in Pyodide)

try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # Pyodide: these tests are listed in tests/conftest.py's CPYTHON_ONLY
    given = None

if given is not None:

    @settings(max_examples=200, deadline=None)
    @given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) >= 1e-6),
           st.integers(2, 300), st.integers(1, 17), st.data())
    def test_property_match_equals_reference(value, modulo, precision, data):
        key = data.draw(st.integers(0, modulo - 1))
        got = ck.match_checksum(value, modulo, precision, key)
        assert got == match_reference(value, modulo, precision, key)
