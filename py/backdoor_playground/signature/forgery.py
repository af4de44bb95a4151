"""Forgery attempts by an attacker who holds only the public key, and what they would cost on this device.

Every attack returns a JSON-safe dict {"method", "attempts", "succeeded", "seconds", "detail", ...}; success is
always decided by the scheme's own verify() with the public key, never by the attack's own bookkeeping.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Iterable

import numpy as np

from . import ed25519
from .schemes import DEFAULT_BITS, SCHEMES, TOY_RSA_BITS, KeyPair, Scheme, _bits, fdh, is_prime, keypair

LOG10_2 = math.log10(2)
SECONDS_PER_YEAR = 365.25 * 86400
# Largest prime below 2^48: calibration runs rho on it, so rho never finds a factor and runs for the whole slice.
_P48 = next(c for c in range(2**48 - 1, 2**48 - 1000, -2) if is_prime(c))


def _scheme(scheme) -> Scheme:
    return scheme if isinstance(scheme, Scheme) else SCHEMES[scheme]


def _public_only(keys: KeyPair) -> KeyPair:
    """The attacker's view of a key pair: the verification key and nothing else."""
    return KeyPair(keys.scheme, keys.bits, keys.vk, None)


def _result(method, attempts, succeeded, t0, detail, **extra) -> dict:
    return {"method": method, "attempts": int(attempts), "succeeded": bool(succeeded),
            "seconds": time.perf_counter() - t0, "detail": detail, **extra}


def brute_force(scheme, keys: KeyPair, message: bytes, max_trials: int, rng: np.random.Generator,
                budget_s: float | None = None) -> dict:
    """Random signatures of the right size until verify accepts; a toy-RSA trial is one test sigma^e == H(m) mod n."""
    s, pub, t0 = _scheme(scheme), _public_only(keys), time.perf_counter()
    deadline = None if budget_s is None else t0 + budget_s
    sig_bits = s.signature_bits(keys)
    trials, found = 0, None
    if s.name == "toy-rsa":
        n, e = keys.vk
        h = fdh(bytes(message), n, False)
        # sigma -> sigma^e is a permutation of Z_n, so exactly one sigma in [0, n) works: expected n trials.
        log2_expected = math.log2(n)
        while trials < max_trials and found is None and (deadline is None or time.perf_counter() < deadline):
            chunk = rng.integers(0, n, size=min(4096, max_trials - trials), dtype=np.int64).tolist()
            for j, c in enumerate(chunk):
                if pow(c, e, n) == h:
                    found, trials = c.to_bytes(s.sig_len(keys), "big"), trials + j + 1
                    break
            else:
                trials += len(chunk)
    else:
        log2_expected = float(sig_bits)   # about 2^-|sigma| of random strings verify (roughly one valid sigma per m)
        size = s.sig_len(keys)
        while trials < max_trials and (deadline is None or time.perf_counter() < deadline):
            cand = rng.bytes(size)
            trials += 1
            if s.verify(pub, message, cand):
                found = cand
                break
    ok = found is not None and s.verify(pub, message, found)
    expected = 2.0**log2_expected if log2_expected < 1000 else None
    detail = (f"{trials} random {sig_bits}-bit signatures tried; "
              + ("verify accepted one" if ok else f"none accepted (expected about 2^{log2_expected:.1f} trials)"))
    return _result("brute_force", trials, ok, t0, detail, expected_trials=expected, log2_expected_trials=log2_expected,
                   signature_hex=found.hex() if ok else None)


def pollard_brent(n: int, deadline: float | None = None, max_iter: int | None = None, batch: int = 64):
    """Brent's cycle-finding rho on x -> x^2 + c mod n (x0 = 2, c = 1, 2, ...): (factor or None, iterations)."""
    if n % 2 == 0:
        return 2, 0
    iters = 0

    def over() -> bool:
        return (deadline is not None and time.perf_counter() > deadline) or bool(max_iter and iters >= max_iter)

    for c in range(1, 64):
        y, r, q, g = 2, 1, 1, 1
        x = ys = y
        while g == 1:
            x = y
            for start in range(0, r, 16 * batch):           # advance y by r steps, checking the budget on the way
                for _ in range(min(16 * batch, r - start)):
                    y = (y * y + c) % n
                iters += min(16 * batch, r - start)
                if over():
                    return None, iters
            k = 0
            while k < r and g == 1:
                ys = y
                m = min(batch, r - k)
                for _ in range(m):                      # accumulate |x - y| products: one gcd per batch
                    y = (y * y + c) % n
                    q = q * abs(x - y) % n
                iters += m
                g = math.gcd(q, n)
                k += m
                if over():
                    return None, iters
            r *= 2
        if g == n:                                      # the batch overshot: step back one iteration at a time
            g = 1
            while g == 1:
                ys = (ys * ys + c) % n
                iters += 1
                g = math.gcd(abs(x - ys), n)
        if 1 < g < n:
            return g, iters
    return None, iters


def factor_and_sign(keys: KeyPair, message: bytes, budget_s: float | None = None) -> dict:
    """Factor n = p q by Pollard rho, d = e^-1 mod lcm(p-1, q-1), sign m, and check with the public key."""
    if keys.scheme not in ("toy-rsa", "rsa"):
        raise ValueError("factoring attacks apply to the RSA schemes only")
    if budget_s is None and keys.scheme == "rsa":
        budget_s = 1.0                                  # rho on 2048 bits never ends; do not hang the worker
    s, t0 = SCHEMES[keys.scheme], time.perf_counter()
    n, e = keys.vk
    p, iters = pollard_brent(n, None if budget_s is None else t0 + budget_s)
    if p is None:
        return _result("factor_and_sign", iters, False, t0,
                       f"Pollard rho found no factor of the {n.bit_length()}-bit modulus in {iters} iterations",
                       iterations=iters, factors=None)
    q = n // p
    d = pow(e, -1, math.lcm(p - 1, q - 1))
    stolen = KeyPair(keys.scheme, keys.bits, keys.vk, {"n": n, "e": e, "d": d, "p": p, "q": q})
    sig = s.sign(stolen, message)
    ok = s.verify(_public_only(keys), message, sig)
    return _result("factor_and_sign", iters, ok, t0,
                   f"Pollard rho split n = {min(p, q)} x {max(p, q)} after {iters} iterations; "
                   f"derived d and the forged signature {'verifies' if ok else 'does NOT verify'}",
                   iterations=iters, factors=[min(p, q), max(p, q)], signature_hex=sig.hex())


def replay(scheme, keys: KeyPair, signed_message: bytes, signature: bytes, other_message: bytes) -> dict:
    """Present an observed (m, sigma) as a signature of m'; a secure scheme's verify rejects it."""
    s, t0 = _scheme(scheme), time.perf_counter()
    pub = _public_only(keys)
    original = s.verify(pub, signed_message, signature)
    ok = s.verify(pub, other_message, signature)
    same = bytes(signed_message) == bytes(other_message)
    detail = (f"the observed signature {'verifies' if original else 'does not verify'} on its own message and is "
              f"{'ACCEPTED' if ok else 'rejected'} on the other message"
              + (" (the messages are identical: that is no forgery)" if same else ""))
    return _result("replay", 1, ok and not same, t0, detail, original_verifies=original, accepted=ok)


def _digest_bits(message: bytes) -> list[int]:
    return _bits(hashlib.sha256(bytes(message)).digest())


def lamport_reuse(keys: KeyPair, observed: list, candidates: Iterable[bytes]) -> dict:
    """Collect the preimages revealed by signatures from one Lamport key; forge any candidate they fully cover."""
    t0, s = time.perf_counter(), SCHEMES["lamport"]
    revealed: list[list[bytes | None]] = [[None] * 256, [None] * 256]
    for msg, sig in observed:
        sig = bytes(sig)
        if len(sig) != 256 * 32:
            continue
        for i, b in enumerate(_digest_bits(msg)):
            block = sig[32 * i:32 * i + 32]
            if hashlib.sha256(block).digest() == keys.vk[b][i]:   # the attacker can check each block himself
                revealed[b][i] = block
    both = sum(revealed[0][i] is not None and revealed[1][i] is not None for i in range(256))
    tried, best, forged = 0, 0, None
    for cand in candidates:
        tried += 1
        bits = _digest_bits(cand)
        covered = sum(revealed[b][i] is not None for i, b in enumerate(bits))
        best = max(best, covered)
        if covered == 256:
            forged = (bytes(cand), b"".join(revealed[b][i] for i, b in enumerate(bits)))
            break
    ok = forged is not None and s.verify(_public_only(keys), forged[0], forged[1])
    k = len(observed)
    detail = (f"{k} signature(s) from one key reveal both preimages at {both}/256 positions; "
              f"{tried} candidate message(s) tried, best covered {best}/256 hash bits; "
              + ("forged signature ACCEPTED" if ok else "no forgery"))
    return _result("lamport_reuse", tried, ok, t0, detail, signatures_observed=k, both_revealed=both,
                   best_covered_bits=best, candidates_tried=tried,
                   p_candidate_covered=(1 - 2.0**-k) ** 256 if k else 0.0,
                   forged_message_hex=forged[0].hex() if ok else None)


def malleate_ed25519(keys: KeyPair, message: bytes, signature: bytes) -> dict:
    """Submit (R, S + L): the same group equation holds, so only the S < L check stops this second signature."""
    t0, s = time.perf_counter(), SCHEMES["ed25519"]
    sig = bytes(signature)
    S = int.from_bytes(sig[32:64], "little")
    mall = sig[:32] + (S + ed25519.L).to_bytes(32, "little")
    pub = _public_only(keys)
    original = s.verify(pub, message, sig)
    ok = s.verify(pub, message, mall)
    detail = (f"original {'verifies' if original else 'does not verify'}; (R, S+L) is "
              f"{'ACCEPTED: the scheme is malleable' if ok else 'rejected (S must be < L): strongly unforgeable'}")
    return _result("malleate_ed25519", 1, ok, t0, detail, original_verifies=original, signature_hex=mall.hex())


def _rate(fn, seconds: float, min_calls: int = 3) -> float:
    """Calls per second of fn() over about `seconds` (at least min_calls calls)."""
    calls, t0 = 0, time.perf_counter()
    while calls < min_calls or time.perf_counter() - t0 < seconds:
        fn()
        calls += 1
    return calls / (time.perf_counter() - t0)


def calibrate(budget_ms: float = 200) -> dict:
    """Verify rates per scheme, rho iterations and toy-RSA brute-force trials per second, measured here."""
    share = budget_ms / 1000 / (len(SCHEMES) + 2)
    verify_per_s = {}
    for name, s in SCHEMES.items():
        keys = keypair(name, 0, 48 if name == "toy-rsa" else None)
        msg = b"calibrate"
        sig = s.sign(keys, msg)
        s.verify(keys, msg, sig)                     # warm-up: Ed25519 builds its base-point table on first use
        verify_per_s[name] = _rate(lambda: s.verify(keys, msg, sig), share)
    t0 = time.perf_counter()
    _, iters = pollard_brent(_P48, deadline=t0 + share)
    rho = iters / (time.perf_counter() - t0)
    # Brute force is only live around 16..24 bits, so time trials on a 24-bit modulus (48-bit ones cost ~3x more).
    keys = keypair("toy-rsa", 0, 24)
    n, e = keys.vk
    gen = np.random.default_rng(0)
    trials, t0 = 0, time.perf_counter()
    while trials == 0 or time.perf_counter() - t0 < share:
        for c in gen.integers(0, n, size=1024, dtype=np.int64).tolist():
            pow(c, e, n) == 1                         # the same work as one brute-force trial
        trials += 1024
    return {"verify_per_s": verify_per_s, "rho_iterations_per_s": rho,
            "toy_rsa_brute_force_per_s": trials / (time.perf_counter() - t0)}


def human(log10_seconds: float | None) -> str:
    """'about 3 minutes', 'about 10^42 years on this device', ..."""
    if log10_seconds is None:
        return "not applicable"
    if log10_seconds < 0:
        return "under a second on this device"
    sec = 10.0**log10_seconds if log10_seconds < 300 else math.inf
    for unit, size in (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400)):
        if sec < 120 * size or unit == "days" and sec < 2 * SECONDS_PER_YEAR:
            return f"about {sec / size:.0f} {unit} on this device"
    years = log10_seconds - math.log10(SECONDS_PER_YEAR)
    if years < 6:
        return f"about {10**years:,.0f} years on this device"
    return f"about 10^{years:.0f} years on this device"


def _seconds(log2_ops: float, rate: float) -> dict:
    lg = log2_ops * LOG10_2 - math.log10(rate)
    return {"log10": lg, "seconds": 10.0**lg if lg < 300 else None, "human": human(lg)}


def estimate(scheme: str, bits: int | None, rates: dict) -> dict:
    """Expected forging time from calibrated rates, in log space (2^2048 trials overflow a float)."""
    bits = bits if bits is not None else DEFAULT_BITS[scheme]
    verify_rate = rates["verify_per_s"][scheme]
    notes = []
    if scheme == "toy-rsa":
        bf = _seconds(bits, rates["toy_rsa_brute_force_per_s"])
    elif scheme == "lamport":
        bf = _seconds(256 * 256, verify_rate)        # a random 8 KiB block passes all 256 hash checks w.p. 2^-65536
    else:
        bf = _seconds(bits if scheme == "rsa" else 256, verify_rate)
    out = {"scheme": scheme, "bits": bits, "brute_force_seconds": bf["seconds"], "brute_force_log10_seconds":
           bf["log10"], "brute_force_human": bf["human"], "factoring_seconds": None, "factoring_log10_seconds": None}
    main, attack = bf, "brute force"
    if scheme == "lamport":
        # The best key-less attack: SHA-256 preimages for the 256 revealed halves of a new message, ~2^256 hashes
        # each (2^264 in all); one Lamport verify hashes 256 halves, so hashes/s = 256 x verifies/s.
        main, attack = _seconds(264, verify_rate * 256), "SHA-256 preimages (~2^264 hashes)"
        notes.append("reusing the one-time key is the real weakness")
    if scheme in ("toy-rsa", "rsa"):
        # Rho needs about sqrt(smallest prime) ~ 2^(bits/4) steps; big-int steps cost more above one machine word,
        # so scale the 48-bit rate by (bits/48)^1.585 (Karatsuba).
        step_cost = max(1.0, (bits / 48) ** 1.585)
        fa = _seconds(bits / 4 + math.log2(step_cost), rates["rho_iterations_per_s"])
        out.update(factoring_seconds=fa["seconds"], factoring_log10_seconds=fa["log10"], factoring_human=fa["human"])
        if fa["log10"] < bf["log10"]:
            main, attack = fa, "Pollard rho factoring, then signing"
        if scheme == "rsa":
            nfs = _seconds(112 + math.log2(step_cost), rates["rho_iterations_per_s"])
            out.update(nfs_log10_seconds=nfs["log10"], nfs_human=nfs["human"])
            notes.append("the number field sieve (~2^112 operations) beats rho for RSA-2048 but is still out of reach")
            main, attack = nfs, "number field sieve factoring (~2^112 operations)"
    if scheme == "ed25519":
        # Pollard rho for the discrete log needs ~ sqrt(pi L / 4) ~ 2^125.8 group operations; one verify ~ 300 of them.
        dl = _seconds(125.8, verify_rate * 300)
        out.update(discrete_log_log10_seconds=dl["log10"], discrete_log_human=dl["human"])
        main, attack = dl, "Pollard rho discrete log (~2^125.8 group operations)"
    out.update(best_log10_seconds=main["log10"], human=main["human"], best_attack=attack, note="; ".join(notes))
    return out


def live_limit(rates: dict, budget_s: float) -> dict:
    """Largest toy-RSA sizes whose expected factoring / brute-force time fits budget_s (None if not even 16 bits)."""
    lo, hi = TOY_RSA_BITS
    lim = {"factor_bits": None, "brute_force_bits": None}
    for b in range(lo, hi + 1):
        e = estimate("toy-rsa", b, rates)
        if e["factoring_seconds"] is not None and e["factoring_seconds"] <= budget_s:
            lim["factor_bits"] = b
        if e["brute_force_seconds"] is not None and e["brute_force_seconds"] <= budget_s:
            lim["brute_force_bits"] = b
    lim["budget_s"] = budget_s
    return lim


def estimate_table(rates: dict, budget_s: float, toy_bits: int | None = None) -> dict:
    """What forging each scheme costs at `rates` (calibrate()): {"rates", "budget_s", "live_limit": {factor_bits,
    brute_force_bits}, "schemes": [estimate + "text", "live"]}; toy RSA at its sizes plus `toy_bits`."""
    lo, hi = TOY_RSA_BITS
    rows = []
    toy_sizes = sorted({lo, 32, hi} | ({toy_bits} if toy_bits is not None else set()))
    for scheme, bits in (*(("toy-rsa", b) for b in toy_sizes), ("lamport", None), ("rsa", None), ("ed25519", None)):
        e = estimate(scheme, bits, rates)
        label = SCHEMES[scheme].label + (f" {e['bits']}-bit" if scheme == "toy-rsa" else "")
        e["text"] = f"{label}: {e['human']} (best attack: {e['best_attack']})"
        e["live"] = e["best_log10_seconds"] <= math.log10(budget_s)
        rows.append(e)
    return {"rates": rates, "budget_s": budget_s, "live_limit": live_limit(rates, budget_s), "schemes": rows}
