"""Signature schemes for Backdoor 2: toy RSA-FDH, Lamport OTS, RSA-2048 FDH and Ed25519, stdlib ints + hashlib only.

Every key is drawn from rng.stream(seed, "keys", <scheme index>, bits) through the Generator's bytes(), which numpy
defines as little-endian uint32 words, so keys are identical in CPython and Pyodide (wasm32).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import ed25519
from ..playground import rng as rngmod

TOY_RSA_BITS = (16, 48)
DEFAULT_BITS = {"toy-rsa": 40, "lamport": 256, "rsa": 2048, "ed25519": 256}
RSA_KEY_FILE = Path(__file__).with_name("rsa2048_key.json")
# Deterministic Miller-Rabin: the first 13 primes are a proof of primality for every n < 3.3e24 (Sorenson & Webster).
_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
_SMALL_PRIMES = tuple(q for q in range(3, 2000, 2) if all(q % f for f in range(3, int(q**0.5) + 1, 2)))


def randbits(gen: np.random.Generator, k: int) -> int:
    """A uniform k-bit integer from the generator's bytes (big-endian, surplus high bits dropped)."""
    nbytes = (k + 7) // 8
    return int.from_bytes(gen.bytes(nbytes), "big") >> (8 * nbytes - k)


def _mr_round(n: int, a: int, d: int, r: int) -> bool:
    """One Miller-Rabin round with n - 1 = d 2^r: True when base a does not witness compositeness."""
    x = pow(a, d, n)
    if x in (1, n - 1):
        return True
    for _ in range(r - 1):
        x = x * x % n
        if x == n - 1:
            return True
    return False


def is_prime(n: int, gen: np.random.Generator | None = None, rounds: int = 40) -> bool:
    """Deterministic bases below 3.3e24; above that `rounds` random bases from `gen` (error <= 4^-rounds)."""
    if n < 2:
        return False
    for q in (2,) + _SMALL_PRIMES:
        if n % q == 0:
            return n == q
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    if n < 3_317_044_064_679_887_385_961_981:
        return all(_mr_round(n, a, d, r) for a in _MR_BASES)
    if gen is None:
        raise ValueError("a random generator is needed to test primality above 3.3e24")
    return all(_mr_round(n, 2 + randbits(gen, n.bit_length() + 64) % (n - 3), d, r) for _ in range(rounds))


def _prime(gen: np.random.Generator, k: int, e: int | None = None) -> int:
    """A random k-bit prime with its top two bits set (so a product of a k- and a j-bit one has exactly k + j bits)."""
    while True:
        c = randbits(gen, k) | (3 << (k - 2)) | 1
        if is_prime(c, gen) and (e is None or math.gcd(e, c - 1) == 1):
            return c


def _rsa_exponents(p: int, q: int) -> tuple[int, int]:
    """e = 65537 when coprime to and below lambda(n) = lcm(p-1, q-1), else the smallest such odd prime; d = e^-1."""
    lam = math.lcm(p - 1, q - 1)
    e = 65537
    if not (e < lam and math.gcd(e, lam) == 1):
        e = next(f for f in _SMALL_PRIMES if math.gcd(f, lam) == 1)
    return e, pow(e, -1, lam)


def generate_rsa(gen: np.random.Generator, bits: int) -> dict:
    """n = p q with exactly `bits` bits, p != q primes of ceil/floor(bits/2) bits, e and d = e^-1 mod lambda(n)."""
    while True:
        p = _prime(gen, (bits + 1) // 2, 65537 if bits >= 64 else None)
        q = _prime(gen, bits // 2, 65537 if bits >= 64 else None)
        if p != q:
            break
    e, d = _rsa_exponents(p, q)
    return {"n": p * q, "e": e, "d": d, "p": p, "q": q}


def fdh(message: bytes, n: int, counter_mode: bool) -> int:
    """Full-domain hash: SHA-256(m) mod n (toy), or SHA-256(m || i) for i = 0, 1, ... filling len(n) bytes, mod n."""
    if not counter_mode:
        return int.from_bytes(hashlib.sha256(message).digest(), "big") % n
    k = (n.bit_length() + 7) // 8
    out = b"".join(hashlib.sha256(message + i.to_bytes(4, "big")).digest() for i in range(-(-k // 32)))
    return int.from_bytes(out[:k], "big") % n


@dataclass(frozen=True)
class KeyPair:
    scheme: str
    bits: int
    vk: object
    # Left out of ==, hash and repr: keys stay hashable (RSA's sk is a dict) and secrets stay out of logs.
    sk: object = field(compare=False, repr=False)

    def public(self) -> dict:
        """JSON-safe summary (ints < 2^53 stay ints; the RSA-2048 modulus is a hex string)."""
        s = SCHEMES[self.scheme]
        out = {"scheme": self.scheme, "label": s.label, "bits": self.bits, "carrier": s.carrier,
               "sig_bytes": s.sig_len(self), "sig_bits": s.signature_bits(self)}
        raw = s.vk_bytes(self)
        if self.scheme in ("toy-rsa", "rsa"):
            n, e = self.vk
            out.update(n=n if n < 2**53 else hex(n), e=e, n_hex=hex(n), vk_bytes=len(raw))
        else:
            out.update(vk_hex=raw.hex(), vk_bytes=len(raw))
        out["vk_fingerprint"] = hashlib.sha256(raw).hexdigest()[:16]
        out["vk_short"] = out["n_hex"] if self.scheme == "toy-rsa" else raw[:8].hex() + "..." + raw[-4:].hex()
        if self.scheme == "rsa":
            out["note"] = "pre-generated from the keys stream of seed 0 (the same key for every seed)"
        return out


class Scheme:
    name = ""
    label = ""
    carrier = "certificate"
    index = 0

    def keygen(self, gen: np.random.Generator, bits: int | None = None) -> KeyPair:
        raise NotImplementedError

    def sign(self, keys: KeyPair, message: bytes) -> bytes:
        raise NotImplementedError

    def verify(self, vk_keys: KeyPair, message: bytes, signature: bytes) -> bool:
        """Never raises: anything that is not a valid signature of `message` under vk_keys.vk returns False."""
        try:
            return bool(self._verify(vk_keys.vk, bytes(message), bytes(signature)))
        except (TypeError, ValueError, AttributeError, IndexError, OverflowError):
            return False

    def _verify(self, vk, message: bytes, signature: bytes) -> bool:
        raise NotImplementedError

    def sig_len(self, keys: KeyPair) -> int:
        raise NotImplementedError

    def signature_bits(self, keys: KeyPair) -> int:
        return 8 * self.sig_len(keys)

    def vk_bytes(self, keys: KeyPair) -> bytes:
        raise NotImplementedError


class _RSAFDH(Scheme):
    """sigma = H(m)^d mod n; verify sigma < n and sigma^e == H(m) mod n. Signatures are fixed-length big-endian."""
    counter_mode = False

    def sign(self, keys, message):
        sk = keys.sk
        n, d, p, q = sk["n"], sk["d"], sk["p"], sk["q"]
        h = fdh(bytes(message), n, self.counter_mode)
        # CRT (Garner): two half-size exponentiations instead of one full one, about 3x faster; same sigma.
        sp, sq = pow(h, d % (p - 1), p), pow(h, d % (q - 1), q)
        sigma = sq + q * ((sp - sq) * pow(q, -1, p) % p)
        return sigma.to_bytes(self.sig_len(keys), "big")

    def _verify(self, vk, message, signature):
        n, e = vk
        if len(signature) != (n.bit_length() + 7) // 8:
            return False
        s = int.from_bytes(signature, "big")
        return s < n and pow(s, e, n) == fdh(message, n, self.counter_mode)

    def sig_len(self, keys):
        return (keys.vk[0].bit_length() + 7) // 8

    def vk_bytes(self, keys):
        n, e = keys.vk
        return n.to_bytes((n.bit_length() + 7) // 8, "big") + e.to_bytes(3, "big")


class ToyRSA(_RSAFDH):
    name, label, carrier, index = "toy-rsa", "toy RSA-FDH", "bits", 0

    def keygen(self, gen, bits=None):
        bits = DEFAULT_BITS[self.name] if bits is None else bits
        key = generate_rsa(gen, bits)
        return KeyPair(self.name, bits, (key["n"], key["e"]), key)

    def signature_bits(self, keys):
        return keys.vk[0].bit_length()


class RSA2048(_RSAFDH):
    name, label, carrier, index = "rsa", "RSA-2048 FDH", "certificate", 2
    counter_mode = True

    def keygen(self, gen, bits=None):
        key = generate_rsa(gen, 2048 if bits is None else bits)
        return KeyPair(self.name, key["n"].bit_length(), (key["n"], key["e"]), key)


def _bits(digest: bytes) -> list[int]:
    """The 256 bits of a SHA-256 digest, most significant bit of byte 0 first."""
    return [c == "1" for c in format(int.from_bytes(digest, "big"), "0256b")]   # bools index like 0/1, fast


class Lamport(Scheme):
    """sk = x[b][i] random 32-byte strings, vk = SHA-256(x[b][i]); sigma(m) = x[bit_i(SHA-256 m)][i] for i < 256."""
    name, label, carrier, index = "lamport", "Lamport OTS (SHA-256)", "certificate", 1

    def keygen(self, gen, bits=None):
        raw = gen.bytes(2 * 256 * 32)
        sk = tuple(tuple(raw[(b * 256 + i) * 32:(b * 256 + i + 1) * 32] for i in range(256)) for b in (0, 1))
        vk = tuple(tuple(hashlib.sha256(x).digest() for x in row) for row in sk)
        return KeyPair(self.name, 256, vk, sk)

    def sign(self, keys, message):
        sk = keys.sk
        return b"".join(sk[b][i] for i, b in enumerate(_bits(hashlib.sha256(bytes(message)).digest())))

    def _verify(self, vk, message, signature):
        if len(signature) != 256 * 32:
            return False
        sha = hashlib.sha256
        return all(sha(signature[32 * i:32 * i + 32]).digest() == vk[b][i]
                   for i, b in enumerate(_bits(sha(message).digest())))

    def sig_len(self, keys):
        return 256 * 32

    def vk_bytes(self, keys):
        return b"".join(keys.vk[0]) + b"".join(keys.vk[1])


class Ed25519(Scheme):
    name, label, carrier, index = "ed25519", "Ed25519 (RFC 8032)", "certificate", 3

    def keygen(self, gen, bits=None):
        seed = gen.bytes(32)
        return KeyPair(self.name, 256, ed25519.public_key(seed), seed)

    def sign(self, keys, message):
        return ed25519.sign(keys.sk, bytes(message), keys.vk)

    def _verify(self, vk, message, signature):
        return ed25519.verify(vk, message, signature)

    def sig_len(self, keys):
        return 64

    def vk_bytes(self, keys):
        return bytes(keys.vk)


SCHEMES: dict[str, Scheme] = {s.name: s for s in (ToyRSA(), Lamport(), RSA2048(), Ed25519())}


def _check_bits(scheme: str, bits: int | None) -> int:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown signature scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    if bits is None:
        return DEFAULT_BITS[scheme]
    if isinstance(bits, bool) or int(bits) != bits:
        raise ValueError(f"bits must be an integer, got {bits!r}")
    bits = int(bits)
    if scheme == "toy-rsa":
        lo, hi = TOY_RSA_BITS
        if not lo <= bits <= hi:
            raise ValueError(f"toy-rsa modulus bits must be in {lo}..{hi} (inclusive), got {bits}")
    elif bits != DEFAULT_BITS[scheme]:
        raise ValueError(f"{scheme} has a fixed size of {DEFAULT_BITS[scheme]} bits, got {bits}")
    return bits


@functools.lru_cache(maxsize=None)
def load_rsa2048() -> KeyPair:
    """The shipped RSA-2048 key (rsa2048_key.json), checked for p q = n."""
    data = json.loads(RSA_KEY_FILE.read_text())
    key = {k: int(data[k], 16) for k in ("n", "e", "d", "p", "q")}
    if key["p"] * key["q"] != key["n"] or key["n"].bit_length() != 2048:
        raise ValueError("rsa2048_key.json is corrupt")
    return KeyPair("rsa", 2048, (key["n"], key["e"]), key)


@functools.lru_cache(maxsize=256)
def keypair(scheme: str, seed, bits: int | None = None) -> KeyPair:
    """Deterministic key pair of `scheme` from rng.stream(seed, "keys", index, bits); RSA-2048 is the shipped key."""
    bits = _check_bits(scheme, bits)
    if scheme == "rsa":
        return load_rsa2048()
    s = SCHEMES[scheme]
    return s.keygen(rngmod.stream(seed, "keys", s.index, bits), bits)


def regenerate_rsa2048(path: Path = RSA_KEY_FILE) -> dict:
    """Regenerate the shipped key from rng.stream(0, "keys", 2, 2048) and write it as hex JSON."""
    key = generate_rsa(rngmod.stream(0, "keys", SCHEMES["rsa"].index, 2048), 2048)
    doc = {"comment": "RSA-2048 key for Backdoor 2, from generate_rsa(rng.stream(0, 'keys', 2, 2048), 2048); "
                      "regenerate with python3 -m backdoor_playground.signature.schemes",
           **{k: hex(v) for k, v in key.items()}}
    path.write_text(json.dumps(doc, indent=1) + "\n")
    return doc


# Operations per timed batch: the browser's clock ticks in 0.1 ms steps (performance.now without cross-origin
# isolation), so the fast schemes are timed over many operations at once.
BENCH_BATCH = {"toy-rsa": 200, "lamport": 20, "rsa": 1, "ed25519": 2}


def bench(repeats: int = 5) -> dict:
    """Median sign and verify milliseconds per scheme (toy-rsa at 32 bits) on this device, each the mean over a
    batch of BENCH_BATCH operations."""
    sign_ms, verify_ms = {}, {}
    for name, s in SCHEMES.items():
        keys = keypair(name, 0, 32 if name == "toy-rsa" else None)
        batch = BENCH_BATCH.get(name, 1)
        ts, tv = [], []
        for r in range(repeats):
            msgs = [b"bench %d %d" % (r, i) for i in range(batch)]
            t0 = time.perf_counter()
            sigs = [s.sign(keys, m) for m in msgs]
            t1 = time.perf_counter()
            ok = all([s.verify(keys, m, g) for m, g in zip(msgs, sigs)])
            t2 = time.perf_counter()
            if not ok:
                raise AssertionError(f"{name} failed to verify its own signature")
            ts.append((t1 - t0) / batch)
            tv.append((t2 - t1) / batch)
        sign_ms[name] = statistics.median(ts) * 1e3
        verify_ms[name] = statistics.median(tv) * 1e3
    return {"sign_ms": sign_ms, "verify_ms": verify_ms}


if __name__ == "__main__":
    t = time.perf_counter()
    regenerate_rsa2048()
    print(f"wrote {RSA_KEY_FILE} in {time.perf_counter() - t:.1f} s")
