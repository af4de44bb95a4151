"""Signature schemes: round trips, rejection of every tampering, deterministic keys, sizes, the shipped RSA key."""

import json
import math
import sys

import numpy as np
import pytest

from backdoor_playground.playground import rng
from backdoor_playground.signature import schemes as ss
from backdoor_playground.signature.schemes import SCHEMES, keypair

MSG = b"w=0101 y=1"


def _keys(name):
    return keypair(name, 0, 32 if name == "toy-rsa" else None)


def _flip(sig: bytes, bit: int) -> bytes:
    out = bytearray(sig)
    out[bit // 8] ^= 0x80 >> (bit % 8)
    return bytes(out)


@pytest.mark.parametrize("name", list(SCHEMES))
def test_round_trip_and_changed_message(name):
    s, keys = SCHEMES[name], _keys(name)
    sig = s.sign(keys, MSG)
    assert isinstance(sig, bytes) and len(sig) == keys.public()["sig_bytes"]
    assert s.verify(keys, MSG, sig)
    for other in (b"w=0101 y=0", MSG + b" ", b""):
        assert not s.verify(keys, other, sig)
    assert s.signature_bits(keys) == (keys.vk[0].bit_length() if name == "toy-rsa" else 8 * len(sig))


@pytest.mark.parametrize("name", list(SCHEMES))
def test_tampered_signatures_are_rejected_without_raising(name):
    s, keys = SCHEMES[name], _keys(name)
    sig = s.sign(keys, MSG)
    nbits = 8 * len(sig)
    # Every bit for the short signatures; for Lamport (65536 bits) one bit inside each 32-byte preimage.
    bits = range(nbits) if nbits <= 4096 else [256 * i + (37 * i) % 256 for i in range(256)]
    for bit in bits:
        assert not s.verify(keys, MSG, _flip(sig, bit)), bit
    garbage = [b"", sig[:-1], sig + b"\x00", b"\x00" * len(sig), b"\xff" * len(sig),
               np.random.default_rng(1).bytes(len(sig)), None, "text", 7, 3.5, [1, 2, 3]]
    for bad in garbage:
        assert s.verify(keys, MSG, bad) is False
    assert s.verify(keys, None, sig) is False


# RSA-2048 ships one key for every seed, so it has no "other seed's key" to try
@pytest.mark.parametrize("name", [name for name in SCHEMES if name != "rsa"])
def test_signature_does_not_verify_under_another_key(name):
    s = SCHEMES[name]
    k0 = keypair(name, 0, 32 if name == "toy-rsa" else None)
    k1 = keypair(name, 1, 32 if name == "toy-rsa" else None)
    assert not s.verify(k1, MSG, s.sign(k0, MSG))


def test_keys_are_deterministic_per_seed_and_differ_across_seeds():
    for name, s in SCHEMES.items():
        if name == "rsa":
            continue
        bits = 40 if name == "toy-rsa" else None
        a = keypair(name, "0.59704", bits)
        fresh = s.keygen(rng.stream("0.59704", "keys", s.index, ss.DEFAULT_BITS[name]), ss.DEFAULT_BITS[name])
        assert fresh == a
        assert keypair(name, "0.59705", bits).vk != a.vk
    assert keypair("toy-rsa", 3, 32).vk != keypair("toy-rsa", 3, 33).vk


def test_golden_keys_are_the_same_on_every_platform():
    # Fixed values: this test also runs inside Pyodide (wasm32), where they must come out identical.
    assert keypair("toy-rsa", 0, 32).vk == (3258278729, 65537)
    assert keypair("toy-rsa", "0.59704", 48).vk == (203817534663289, 65537)
    assert keypair("ed25519", 0).vk.hex() == "033e4acb54726dc7f9a8a1216a7ac932aaf98f595bc2dee391ca34420fc269d3"
    assert keypair("lamport", 0).public()["vk_fingerprint"] == "7939c1f5d94f8894"


def test_toy_rsa_sizes_are_exact_and_keys_are_valid():
    lo, hi = ss.TOY_RSA_BITS
    assert (lo, hi) == (16, 48)
    for bits in range(lo, hi + 1):
        for seed in (0, 1, 2):
            k = keypair("toy-rsa", seed, bits)
            n, e = k.vk
            p, q, d = k.sk["p"], k.sk["q"], k.sk["d"]
            assert n.bit_length() == bits == k.bits == SCHEMES["toy-rsa"].signature_bits(k)
            assert p * q == n and p != q and ss.is_prime(p) and ss.is_prime(q)
            lam = math.lcm(p - 1, q - 1)
            assert e < lam and e * d % lam == 1 and ss.is_prime(e)
            assert len(SCHEMES["toy-rsa"].sign(k, MSG)) == (bits + 7) // 8


def test_out_of_range_sizes_and_unknown_schemes_are_refused():
    for bad in (15, 49, 0, -3, 2048):
        with pytest.raises(ValueError, match="16..48"):
            keypair("toy-rsa", 0, bad)
    with pytest.raises(ValueError):
        keypair("ed25519", 0, 128)
    with pytest.raises(ValueError):
        keypair("rsa", 0, 1024)
    with pytest.raises(ValueError):
        keypair("dsa", 0)
    with pytest.raises(ValueError):
        keypair("toy-rsa", 0, 32.5)


def test_primality_test():
    small = [q for q in range(2, 3000) if all(q % f for f in range(2, int(q**0.5) + 1))]
    assert [q for q in range(3000) if ss.is_prime(q)] == small
    assert not ss.is_prime(3215031751)           # strong pseudoprime to bases 2, 3, 5, 7
    assert not ss.is_prime(561) and ss.is_prime(2**61 - 1)
    gen = np.random.default_rng(3)
    assert ss.is_prime(2**127 - 1, gen) and not ss.is_prime((2**31 - 1) * (2**61 - 1), gen)
    with pytest.raises(ValueError):
        ss.is_prime(2**127 - 1)


def test_shipped_rsa_key_is_valid():
    k = keypair("rsa", 0)
    assert keypair("rsa", "any other seed") is k
    n, e = k.vk
    p, q, d = k.sk["p"], k.sk["q"], k.sk["d"]
    assert p * q == n and n.bit_length() == 2048 and e == 65537
    assert e * d % math.lcm(p - 1, q - 1) == 1
    assert pow(pow(123456789, e, n), d, n) == 123456789
    gen = np.random.default_rng(5)
    assert ss.is_prime(p, gen, rounds=8) and ss.is_prime(q, gen, rounds=8)
    pub = k.public()
    assert "seed 0" in pub["note"] and pub["n"] == hex(n) and pub["sig_bits"] == 2048
    # The counter-mode hash fills the whole modulus, unlike a bare 256-bit SHA-256.
    assert max(ss.fdh(b"m%d" % i, n, True).bit_length() for i in range(4)) > 2000


def test_generate_rsa_is_deterministic_per_seed():
    a = ss.generate_rsa(rng.stream(11, "keys", 2, 256), 256)
    b = ss.generate_rsa(rng.stream(11, "keys", 2, 256), 256)
    c = ss.generate_rsa(rng.stream(12, "keys", 2, 256), 256)
    assert a == b and a["n"] != c["n"]
    assert a["n"].bit_length() == 256 and a["e"] == 65537 and a["p"] * a["q"] == a["n"]


def test_shipped_rsa_key_is_what_the_generator_makes(tmp_path):
    doc = ss.regenerate_rsa2048(tmp_path / "key.json")
    shipped = json.loads(ss.RSA_KEY_FILE.read_text())
    assert {k: doc[k] for k in "nedpq"} == {k: shipped[k] for k in "nedpq"}


def test_public_summaries_are_json_safe():
    for name in SCHEMES:
        pub = _keys(name).public()
        text = json.dumps(pub, allow_nan=False)
        assert json.loads(text) == pub
        assert {"scheme", "bits", "vk_bytes", "sig_bytes", "sig_bits"} <= set(pub)
        assert ("vk_hex" in pub) != (name in ("toy-rsa", "rsa"))
    toy = keypair("toy-rsa", 0, 48).public()
    assert isinstance(toy["n"], int) and toy["carrier"] == "bits" and toy["sig_bits"] == 48


def test_bench_reports_every_scheme():
    out = ss.bench(repeats=1)
    for key in ("sign_ms", "verify_ms"):
        assert set(out[key]) == set(SCHEMES) and all(v > 0 for v in out[key].values())
