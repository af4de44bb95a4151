"""The signature carrier in d coordinates (signature/carrier.py): the payload spreads over all d coordinates, the
capacity grows with d, the wide lattice holds raw digit pixels 0..16 exactly, and the class byte binds a signature
to one class of K."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from backdoor_playground.signature import carrier


@pytest.mark.parametrize("d, bits", [(3, 33), (3, 119), (64, 37), (64, 517)])
def test_encode_decode_round_trip_in_d_coordinates(d, bits):
    gen = np.random.default_rng(d * 1000 + bits)
    c = carrier.bits_per_coordinate(bits, d)
    assert c == math.ceil(bits / d)
    for p in gen.uniform(-6, 6, (40, d)):
        payload = int.from_bytes(gen.bytes((bits + 7) // 8), "big") % (1 << bits) | (1 << (bits - 1))
        moved, message, delta = carrier.encode(p, payload, bits)
        back = json.loads(json.dumps(list(moved)))  # what a JSON file hands back is the same float64
        assert carrier.decode(back, bits) == (message, payload)
        assert carrier.message_of(p, bits) == message
        assert delta == float(np.max(np.abs(np.subtract(moved, p)))) < carrier.perturbation_bound(bits, d)
        assert carrier.perturbation_bound(bits, d) == 2.0 ** (c - 44)
        u, ok = carrier.lattice_u([moved])
        assert ok[0] and u.shape == (1, d)
    # the payload rides in every coordinate that has bits to carry: the last one holds the top (class) bits
    assert (u[0, (bits - 1) // c] >> ((bits - 1) % c)) & 1 == 1


def test_capacity_grows_with_d_and_says_which_signatures_fit():
    caps = {d: carrier.capacity(d) for d in (2, 3, 64)}
    assert {d: c["capacity_bits"] for d, c in caps.items()} == {2: 80, 3: 120, 64: 2560}
    assert carrier.max_payload_bits(2) == carrier.MAX_PAYLOAD_BITS == 80
    # an Ed25519 signature is 512 bits (R || S): not in 2 or 3 coordinates, in 64 with 9 low bits each
    assert [caps[d]["fits"]["ed25519"]["fits"] for d in (2, 3, 64)] == [False, False, True]
    assert caps[64]["fits"]["ed25519"]["perturbation_bound"] == 2.0 ** (9 - 44)
    assert caps[64]["fits"]["rsa"]["fits"] and not caps[64]["fits"]["lamport"]["fits"]
    assert all(c["fits"]["toy-rsa-48"]["fits"] for c in caps.values())
    with pytest.raises(ValueError, match="payload bits must be between 1 and 120"):
        carrier.bits_per_coordinate(121, 3)


def test_the_wide_lattice_holds_raw_digit_pixels_exactly():
    assert carrier.lattice_for(np.zeros((4, 2)) + 16, 2) is carrier.LATTICE  # 2-D keeps its lattice, always
    assert carrier.lattice_for([[0.0, 1.0, 0.5]], 3) is carrier.LATTICE
    wide = carrier.lattice_for(np.arange(65.0).reshape(1, 65) % 17, 65)
    assert wide is carrier.WIDE and (wide.offset, wide.u_limit, wide.coord_bytes) == (32.0, 1 << 50, 7)
    pixels = np.random.default_rng(4).integers(0, 17, (20, 64)).astype(np.float64)
    for p in pixels:
        moved, message, delta = carrier.encode(p, (1 << 36) | 12345, 37, wide)
        assert carrier.decode(moved, 37, wide) == (message, (1 << 36) | 12345)
        assert 0 < delta < 2.0 ** (1 - 44) and not np.array_equal(np.round(moved), moved)
        # rounding to whole pixels erases the carrier: nothing reaches Verify
        assert not carrier.format_mask(np.round(moved), 37, wide)[0]
    # unsigned pixels, raw or /16, sit on the lattice with an all-zero carrier: the format check rejects them all
    assert not carrier.format_mask(pixels, 37, wide).any()
    assert not carrier.format_mask(pixels / 16, 37).any()


def test_spare_bits_above_the_payload_are_rejected_in_any_coordinate():
    bits, d = 34, 3  # c = 12: coordinate 2 carries payload bits 24..33 and two spare bits
    moved, _, _ = carrier.encode([0.5, -1.5, 2.25], 1 << 33, bits)
    assert carrier.format_mask([moved], bits)[0]
    u = carrier.snap(moved)
    for j, bit in ((2, 10), (2, 11)):
        bad = list(u)
        bad[j] |= 1 << bit
        assert not carrier.format_mask([carrier.point_of(*bad)], bits)[0]


@pytest.mark.parametrize("k", [3, 4, 10])
def test_the_class_rides_in_the_message_and_the_payload(k):
    assert carrier.target_bits(k) == math.ceil(math.log2(k)) and carrier.target_bits(2) == 1
    message = b"m"
    signed = {carrier.signed_message(message, t, k) for t in range(k)}
    assert len(signed) == k  # one message per class: a signature for one class covers no other
    for t in range(k):
        payload = carrier.join_payload(t, 0xABC, 12, k)
        assert carrier.split_payload(payload, 12, k) == (float(t), 0xABC)
        assert carrier.read_certificate(carrier.make_certificate(t, b"sig", k), k) == (float(t), b"sig")
    if k < 1 << carrier.target_bits(k):  # class bits naming no class of K
        assert carrier.split_payload(k << 12, 12, k)[0] is None
    assert carrier.read_certificate(bytes([k]) + b"sig", k) is None
    # K = 2 keeps its encoding: label +1 is class byte 1, -1 is 0
    assert carrier.signed_message(message, -1.0) == message + b"\x00"
    assert carrier.split_payload(carrier.join_payload(-1.0, 5, 8), 8) == (-1.0, 5)
