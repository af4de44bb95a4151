"""Forgery without the secret key: factoring toy RSA, brute force, replay, Lamport key reuse, Ed25519 malleability."""

import json
import math

import numpy as np
import pytest

from backdoor_playground.signature import forgery as fg
from backdoor_playground.signature.schemes import SCHEMES, keypair

RATES = {"verify_per_s": {"toy-rsa": 1e5, "lamport": 2e3, "rsa": 3e3, "ed25519": 300.0},
         "rho_iterations_per_s": 1e6, "toy_rsa_brute_force_per_s": 1e6}


def _json_safe(res):
    return json.loads(json.dumps(res, allow_nan=False)) == res


@pytest.mark.parametrize("bits", [16, 32, 48])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_factoring_forges_toy_rsa(bits, seed):
    keys = keypair("toy-rsa", seed, bits)
    res = fg.factor_and_sign(keys, b"pay 100 to mallory")
    assert res["succeeded"], res["detail"]
    p, q = res["factors"]
    assert p * q == keys.vk[0] and 1 < p <= q
    assert SCHEMES["toy-rsa"].verify(keys, b"pay 100 to mallory", bytes.fromhex(res["signature_hex"]))
    assert res["iterations"] == res["attempts"] > 0 and _json_safe(res)


def test_pollard_brent_respects_its_budget():
    prime = fg._P48
    factor, iters = fg.pollard_brent(prime, max_iter=5000)
    assert factor is None and 5000 <= iters <= 5000 + 16 * 64
    assert fg.pollard_brent(91)[0] in (7, 13)
    res = fg.factor_and_sign(keypair("rsa", 0), b"m", budget_s=0.05)
    assert not res["succeeded"] and res["factors"] is None
    with pytest.raises(ValueError):
        fg.factor_and_sign(keypair("ed25519", 0), b"m")


def test_brute_force_toy_rsa_16_bits():
    keys = keypair("toy-rsa", 4, 16)
    n = keys.vk[0]
    res = fg.brute_force("toy-rsa", keys, b"m", 30 * n, np.random.default_rng(0))
    # One sigma in [0, n) verifies: the chance of missing it in 30 n uniform draws is e^-30.
    assert res["succeeded"], res["detail"]
    assert SCHEMES["toy-rsa"].verify(keys, b"m", bytes.fromhex(res["signature_hex"]))
    assert res["expected_trials"] == pytest.approx(n) and _json_safe(res)
    capped = fg.brute_force("toy-rsa", keys, b"m", 3, np.random.default_rng(0))
    assert capped["attempts"] <= 3


@pytest.mark.parametrize("name", ["lamport", "rsa", "ed25519"])
def test_brute_force_fails_on_real_schemes(name):
    res = fg.brute_force(name, keypair(name, 0), b"m", 20, np.random.default_rng(0))
    assert not res["succeeded"] and res["attempts"] == 20
    assert res["log2_expected_trials"] >= 256 and _json_safe(res)


@pytest.mark.parametrize("name", list(SCHEMES))
def test_replayed_signature_does_not_transfer(name):
    s = SCHEMES[name]
    keys = keypair(name, 0, 32 if name == "toy-rsa" else None)
    sig = s.sign(keys, b"w=1 y=0")
    res = fg.replay(name, keys, b"w=1 y=0", sig, b"w=1 y=1")
    assert res["original_verifies"] and not res["accepted"] and not res["succeeded"]
    same = fg.replay(name, keys, b"w=1 y=0", sig, b"w=1 y=0")
    assert same["accepted"] and not same["succeeded"]


def _observed(keys, k):
    return [(b"observed %d" % i, SCHEMES["lamport"].sign(keys, b"observed %d" % i)) for i in range(k)]


def test_lamport_reuse_forges_with_enough_signatures():
    keys = keypair("lamport", 5)
    res = fg.lamport_reuse(keys, _observed(keys, 12), (b"candidate %d" % i for i in range(300)))
    assert res["succeeded"], res["detail"]
    forged = bytes.fromhex(res["forged_message_hex"])
    assert forged.startswith(b"candidate")
    assert res["best_covered_bits"] == 256 and res["both_revealed"] > 240 and _json_safe(res)


def test_lamport_one_signature_is_safe():
    keys = keypair("lamport", 5)
    res = fg.lamport_reuse(keys, _observed(keys, 1), (b"candidate %d" % i for i in range(300)))
    assert not res["succeeded"] and res["both_revealed"] == 0 and res["candidates_tried"] == 300
    assert res["best_covered_bits"] < 256


def test_lamport_ignores_signatures_from_another_key():
    keys, other = keypair("lamport", 5), keypair("lamport", 6)
    res = fg.lamport_reuse(keys, _observed(other, 12), (b"candidate %d" % i for i in range(50)))
    assert not res["succeeded"] and res["best_covered_bits"] == 0


def test_ed25519_malleation_is_rejected():
    keys = keypair("ed25519", 2)
    sig = SCHEMES["ed25519"].sign(keys, b"m")
    res = fg.malleate_ed25519(keys, b"m", sig)
    assert res["original_verifies"] and not res["succeeded"]
    assert bytes.fromhex(res["signature_hex"]) != sig and _json_safe(res)


def test_calibrate_returns_positive_rates():
    rates = fg.calibrate(budget_ms=30)
    assert set(rates["verify_per_s"]) == set(SCHEMES)
    assert all(v > 0 for v in rates["verify_per_s"].values())
    assert rates["rho_iterations_per_s"] > 0 and rates["toy_rsa_brute_force_per_s"] > 0
    assert _json_safe(rates)


def test_estimates_are_finite_in_log_space():
    rsa = fg.estimate("rsa", 2048, RATES)
    assert rsa["brute_force_seconds"] is None and math.isfinite(rsa["brute_force_log10_seconds"])
    assert rsa["brute_force_log10_seconds"] > 600 and rsa["factoring_log10_seconds"] > 140
    assert 20 < rsa["nfs_log10_seconds"] < rsa["factoring_log10_seconds"]
    assert "10^" in rsa["human"] and "years" in rsa["human"] and "sieve" in rsa["note"]
    ed = fg.estimate("ed25519", None, RATES)
    assert ed["factoring_seconds"] is None and ed["discrete_log_log10_seconds"] > 20
    lam = fg.estimate("lamport", None, RATES)
    assert lam["brute_force_log10_seconds"] > 19000
    for res in (rsa, ed, lam):
        assert _json_safe(res)
    toy = fg.estimate("toy-rsa", 16, RATES)
    # 2^16 trials at 10^6 per second; 2^4 rho iterations at 10^6 per second.
    assert toy["brute_force_seconds"] == pytest.approx(2**16 / 1e6)
    assert toy["factoring_seconds"] == pytest.approx(2**4 / 1e6)


def test_live_limits():
    lim = fg.live_limit(RATES, 1.0)
    assert lim["brute_force_bits"] == 19            # 2^19 <= 10^6 < 2^20
    assert lim["factor_bits"] == 48
    slow = dict(RATES, toy_rsa_brute_force_per_s=1.0, rho_iterations_per_s=1.0)
    assert fg.live_limit(slow, 1.0) == {"factor_bits": None, "brute_force_bits": None, "budget_s": 1.0}


def test_human_readable_times():
    assert fg.human(-2) == "under a second on this device"
    assert fg.human(math.log10(90)) == "about 90 seconds on this device"
    assert fg.human(math.log10(3 * 3600)) == "about 3 hours on this device"
    assert fg.human(40) == "about 10^33 years on this device"     # 10^40 s = 10^32.5 years


def test_every_scheme_headlines_its_best_attack_by_name():
    """Issue 12 #2: Lamport's row was "about 10^19718 years" (a random block passing), while its best key-less
    attack is SHA-256 preimages (~2^264 hashes); every row now leads with the best attack and names it."""
    rows = {(r["scheme"], r["bits"]): r for r in fg.estimate_table(RATES, 5.0)["schemes"]}
    lam = next(r for (scheme, _), r in rows.items() if scheme == "lamport")
    hash_rate = RATES["verify_per_s"]["lamport"] * 256
    assert lam["best_log10_seconds"] == pytest.approx(264 * math.log10(2) - math.log10(hash_rate))
    assert lam["best_log10_seconds"] < lam["brute_force_log10_seconds"] / 100
    assert "SHA-256 preimages" in lam["text"] and "19718" not in lam["text"]
    names = {s: r["best_attack"] for (s, _), r in rows.items()}
    assert "number field sieve" in names["rsa"] and "discrete log" in names["ed25519"]
    assert all(f"best attack: {r['best_attack']}" in r["text"] for r in rows.values())
