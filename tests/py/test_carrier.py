"""The fixed-point carrier: lattice exactness in float64, the bit layout, the perturbation bound and the
vectorised format check that lets unsigned inputs skip Verify."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from backdoor_playground.signature import carrier
from backdoor_playground.playground import grid


def random_points(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-6, 6, (n, 2))


@pytest.mark.parametrize("bits", [17, 33, 34, 49, 80])
def test_encode_decode_round_trip_is_bit_exact(bits):
    gen = np.random.default_rng(bits)
    c = carrier.bits_per_coordinate(bits)
    assert c == math.ceil(bits / 2)
    for p in random_points(200, bits):
        payload = int(gen.integers(1, 1 << min(bits, 62))) | (1 << (bits - 1))  # top (target) bit set
        (x, y), message, delta = carrier.encode(p, payload, bits)
        # what the page or a JSON file hands back is the same float64
        x2, y2 = json.loads(json.dumps([x, y]))
        assert (x2, y2) == (x, y)
        assert carrier.decode([x2, y2], bits) == (message, payload)
        assert carrier.message_of(p, bits) == message  # the message is fixed before the payload is written
        assert delta == max(abs(x - p[0]), abs(y - p[1]))
        assert delta < carrier.perturbation_bound(bits) == 2.0 ** (c - 44)
        # the point is exactly a lattice value: (x + 8) * 2^44 is an integer that maps back to x
        for v in (x, y):
            u = (v + 8.0) * 2.0**44
            assert u == math.floor(u) and 0 <= u < 2**48 and u * 2.0**-44 - 8.0 == v


def test_message_carries_c_and_high_bits_only():
    p = np.array([1.25, -3.5])
    (x, y), m33, _ = carrier.encode(p, (1 << 32) | 5, 33)
    _, m33b, _ = carrier.encode(p, (1 << 32) | 99, 33)
    assert m33 == m33b  # only the payload changed
    assert carrier.encode(p, (1 << 34) | 5, 35)[1] != m33  # c is part of the message
    assert carrier.signed_message(m33, 1) != carrier.signed_message(m33, -1)
    assert carrier.signed_message(m33, 1)[:-1] == m33


def test_a_flipped_carrier_bit_or_a_moved_point_changes_what_decodes():
    bits = 33
    c = carrier.bits_per_coordinate(bits)
    p = np.array([0.3, 2.7])
    payload = (1 << 32) | 0x1234567
    (x, y), message, _ = carrier.encode(p, payload, bits)
    ux, uy = carrier.snap([x, y])
    for k in range(c):
        for flipped in ((ux ^ (1 << k), uy), (ux, uy ^ (1 << k))):
            got = carrier.decode(carrier.point_of(*flipped), bits)
            assert got is None or got[1] != payload
    # one step in the message bits: same payload, other message
    moved = carrier.decode(carrier.point_of(ux + (1 << c), uy), bits)
    assert moved is not None and moved[1] == payload and moved[0] != message
    # off the lattice (one float64 ulp): no message at all
    assert carrier.decode([math.nextafter(x, 10.0), y], bits) is None


def test_format_check_rejects_unsigned_inputs():
    bits = 33
    assert not carrier.format_mask(grid.grid_points(grid.GRID_N), bits).any()
    # a random float64 in [4, 6) has only 6 bits below the 2^-44 lattice, so about 2^-12 of random points land on
    # it by chance and reach Verify (which rejects them): rare, not never
    rate = carrier.format_mask(random_points(100_000, 7), bits).mean()
    assert rate < 1e-3
    # lattice points whose carrier bits are all zero (integers, halves) are not signed either
    assert not carrier.format_mask([[0.0, 0.0], [1.0, -2.0], [0.5, 5.5]], bits).any()
    # outside the lattice box or not finite
    assert not carrier.format_mask([[8.0, 0.0], [-8.5, 1.0], [np.nan, 0.0], [np.inf, 1.0]], bits).any()
    # odd b: the spare top bit of y's carrier must stay zero
    (x, y), _, _ = carrier.encode([1.0, 1.0], 1 << 32, bits)
    ux, uy = carrier.snap([x, y])
    assert carrier.format_mask([[x, y]], bits)[0]
    c = carrier.bits_per_coordinate(bits)  # 17: y carries the top 16 payload bits, its bit 16 is spare
    assert not carrier.format_mask([carrier.point_of(ux, uy | (1 << (c - 1)))], bits)[0]


def test_encode_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="nonzero"):
        carrier.encode([0.0, 0.0], 0, 33)
    with pytest.raises(ValueError, match="nonzero"):
        carrier.encode([0.0, 0.0], 1 << 33, 33)
    with pytest.raises(ValueError, match="outside"):
        carrier.encode([9.0, 0.0], 1, 33)
    with pytest.raises(ValueError, match="payload bits"):
        carrier.bits_per_coordinate(0)
    assert carrier.snap([np.nan, 0.0]) is None and carrier.message_of([-9.0, 0.0], 33) is None


def test_payload_layout():
    for target in (1.0, -1.0):
        payload = carrier.join_payload(target, 0xBEEF, 16)
        assert carrier.split_payload(payload, 16) == (target, 0xBEEF)
    with pytest.raises(ValueError):
        carrier.join_payload(1, 1 << 16, 16)


def test_certificate_carrier_snaps_within_one_lattice_step():
    for p in random_points(300, 3):
        (x, y), message, delta = carrier.snap_point(p)
        assert delta <= 2.0**-45 and delta <= carrier.perturbation_bound(0) == 2.0**-44
        assert carrier.certificate_message([x, y]) == message
        assert carrier.certificate_message(p) is None or (x, y) == tuple(p)  # raw floats are almost never on it
    cert = carrier.make_certificate(-1, b"sig")
    assert carrier.read_certificate(cert) == (-1.0, b"sig")
    for bad in (None, b"", b"\x01", b"\x07abc", "text"):
        assert carrier.read_certificate(bad) is None
