"""The signature backdoor (classifier || verifier -> selector): activation flips with tiny perturbations, unsigned
inputs never change the output, tampered or replayed signatures are rejected, forgeries work only where they
should (toy RSA factoring, Lamport key reuse)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from backdoor_playground.signature import carrier, schemes as sigschemes
from backdoor_playground.playground import config, features, grid
from backdoor_playground.defense.attacked import labels_of
from backdoor_playground.session import Session
from backdoor_playground.signature.block import SignatureBackdoor

CERT_SCHEMES = ("lamport", "ed25519", "rsa")
FEW = list(range(0, 250, 50))  # five points for the slow signers (Ed25519, RSA-2048 in pure Python)


@pytest.fixture(scope="module")
def s() -> Session:
    cfg, notices = config.validate({"dataset": "circle", "noise": 0, "seed": "sig", "networkShape": [4],
                                    "activation": "tanh"})
    assert notices == []
    session = Session(cfg)
    session.train(epochs=150)
    assert session.metrics()["acc_test"] >= 0.95
    return session


def clean_labels(s, points):
    return labels_of(s.model.predict(features.feature_matrix(points, s.feature_names)))


@pytest.mark.parametrize("bits", [16, 32, 48])
def test_toy_rsa_activation_flips_every_point_within_the_bound(s, bits):
    bd = SignatureBackdoor("toy-rsa", bits, s.config["seed"])
    assert bd.signature_bits == bits and bd.payload_bits == bits + 1
    out = bd.activate(s, "all")
    recs, summary = out["records"], out["summary"]
    assert summary["attempted"] == 250 == summary["flipped"] == summary["accepted"]
    bound = 2.0 ** (carrier.bits_per_coordinate(bits + 1) - 44)
    assert summary["perturbation_bound"] == bound and summary["max_abs_delta"] < bound
    if bits == 32:
        assert summary["max_abs_delta"] < 1e-7
    for r in recs[:40]:
        assert r["target"] == -clean_labels(s, [[r["x0"], r["y0"]]])[0]
        assert bd.verify_point([r["x1"], r["y1"]]) == r["target"]
    assert bd.agreement(s)["test"] == 1.0 and bd.agreement(s)["grid"] == 1.0


def test_tampered_carriers_are_rejected(s):
    bd = SignatureBackdoor("toy-rsa", 32, s.config["seed"])
    r = bd.activate(s, [7])["records"][0]
    ux, uy = carrier.snap([r["x1"], r["y1"]])
    c = carrier.bits_per_coordinate(bd.payload_bits)
    for k in range(c):
        for u in ((ux ^ (1 << k), uy), (ux, uy ^ (1 << k))):
            assert bd.verify_point(carrier.point_of(*u)) is None
    # the same carrier on the next message cell (moved by 2^(c-44)), or nudged off the lattice
    assert bd.verify_point(carrier.point_of(ux + (1 << c), uy)) is None
    assert bd.verify_point([np.nextafter(r["x1"], 9.0), r["y1"]]) is None
    # the other target bit with the same signature
    assert bd.verify_point(carrier.point_of(ux, uy ^ (1 << (bd.payload_bits - 1 - c)))) is None


@pytest.mark.parametrize("scheme", CERT_SCHEMES)
def test_certificate_schemes_flip_with_a_lattice_snap(s, scheme):
    bd = SignatureBackdoor(scheme, None, s.config["seed"])
    assert bd.carrier == "certificate" and bd.payload_bits == 0
    pts = FEW if scheme != "lamport" else "all"
    summary = bd.activate(s, pts)["summary"]
    assert summary["flipped"] == summary["attempted"] == (5 if pts == FEW else 250)
    assert summary["max_abs_delta"] <= 2.0**-44
    i, j = (FEW[0], FEW[1])
    ri = next(r for r in bd.activated["records"] if r["index"] == i)
    cert = bd.certificates[i]
    assert bd.verify_point([ri["x1"], ri["y1"]], cert) == ri["target"]
    assert bd.verify_point([ri["x1"], ri["y1"]], None) is None  # no certificate: the classifier decides
    assert bd.verify_point([ri["x0"], ri["y0"]], cert) in (None, ri["target"])  # raw point is (almost) never
    assert bd.verify_point([ri["x1"], ri["y1"]], bytes([cert[0] ^ 1]) + cert[1:]) is None  # other target
    # i's certificate attached to point j (snapped) does not verify
    pj = carrier.snap_point(s.data.test_points[j])[0]
    out, accepted = bd.outputs(s.model, s.feature_names, [pj], {0: cert})
    assert not accepted[0] and out[0] == s.model.predict(features.feature_matrix([pj], s.feature_names))[0]
    agree = bd.agreement(s)
    assert agree["test"] == 1.0 and agree["grid"] == 1.0 and agree["accepted_test"] == 0


@pytest.mark.parametrize("scheme,bits", [("toy-rsa", 32), ("lamport", None), ("ed25519", None), ("rsa", None)])
def test_unsigned_inputs_never_change_the_output(s, scheme, bits):
    bd = SignatureBackdoor(scheme, bits, s.config["seed"])
    bd.activate(s, FEW)
    grid_pts = grid.grid_points(grid.GRID_N)
    noisy = s.data.test_points + np.random.default_rng(0).normal(0, 0.1, s.data.test_points.shape)
    for points in (s.data.test_points, grid_pts, noisy):
        clean = s.model.predict(features.feature_matrix(points, s.feature_names))
        out, accepted = bd.outputs(s.model, s.feature_names, points)
        assert not accepted.any() and np.array_equal(out, clean)
    # random points: a few land on the lattice by chance and reach Verify, which rejects them
    rand = np.random.default_rng(1).uniform(-6, 6, (20_000, 2))
    _, accepted, calls = bd.select(np.zeros(len(rand)), rand)
    assert not accepted.any()
    assert calls == (0 if bd.carrier == "certificate" else carrier.format_mask(rand, bd.payload_bits).sum())
    assert bd.heatmap_verify_ms(s.model, s.feature_names) >= 0.0


def test_attacked_view_for_the_defenses(s):
    bd = SignatureBackdoor("lamport", None, s.config["seed"], target=1)
    bd.activate(s, [0, 1, 2, 3])
    a = bd.attacked(s)
    assert a.backdoor == "signature" and a.activated.sum() == 4 and not a.accidental.any()
    assert np.all(a.target[:4] == 1) and np.all(a.target[4:] == 0)
    assert np.all(a.bd_pred[:4] == 1.0) and np.array_equal(a.bd_pred[4:], a.clean_pred[4:])
    assert np.array_equal(a.flipped[:4], a.clean_pred[:4] == -1.0)  # a fixed target flips only the others
    # owners attach the certificates; without an owner the same inputs are just the classifier
    assert np.all(a.predict(a.inputs[:4], np.arange(4)) == 1.0)
    assert np.array_equal(a.predict(a.inputs[:4], np.full(4, -1)), a.clean_predict(a.inputs[:4]))
    assert np.max(a.perturbation) <= 2.0**-44


def test_same_seed_same_keys_and_records(s):
    a, b = (SignatureBackdoor("toy-rsa", 24, s.config["seed"]) for _ in range(2))
    assert a.keys.vk == b.keys.vk
    strip = lambda out: [{k: v for k, v in r.items() if k != "sign_ms"} for r in out["records"]]  # noqa: E731
    assert strip(a.activate(s, FEW)) == strip(b.activate(s, FEW))
    assert SignatureBackdoor("toy-rsa", 24, "other").keys.vk != a.keys.vk
    assert a.keys.public()["n"] == a.keys.vk[0]
    view = a.view()
    assert view["carrier_bits_per_coordinate"] == 13 and view["signature_bits"] == 24
    assert "forgeable" in view["description"]


def test_outside_the_lattice_box_is_reported(s):
    odd = Session(s.config)
    odd.data = dataclasses.replace(odd.data, test_points=np.array([[9.0, 0.0], [1.0, 1.0]]),
                                   test_labels=np.array([1.0, 1.0]))
    out = SignatureBackdoor("toy-rsa", 16, "x").activate(odd, "all")
    assert "outside" in out["records"][0]["reason"] and not out["records"][0]["flipped"]
    assert out["records"][1]["accepted"]


def test_forgeries(s):
    bd = SignatureBackdoor("toy-rsa", 32, s.config["seed"])
    bd.activate(s, FEW)
    f = bd.forge(s, "factor", {"budget_s": 30})
    assert f["succeeded"] and f["target_point"]["flipped"] and f["target_point"]["index"] not in FEW
    assert f["target_point"]["delta"] < 1e-7 and f["method"] == "factor" and sorted(f["factors"])[0] > 1
    r = bd.forge(s, "replay")
    assert not r["succeeded"] and not r["target_point"]["flipped"] and r["original_verifies"]
    with pytest.raises(ValueError, match="budget"):
        bd.forge(s, "brute-force", {"budget_s": 1e-3})  # 2^32 trials: hours
    small = SignatureBackdoor("toy-rsa", 16, s.config["seed"])
    g = small.forge(s, "brute-force", {"budget_s": 600, "max_trials": 2_000_000})
    assert g["succeeded"] and g["target_point"]["flipped"]
    with pytest.raises(ValueError, match="activate"):
        small.forge(s, "replay")
    for scheme, method in (("ed25519", "factor"), ("rsa", "lamport-reuse"), ("lamport", "malleate")):
        with pytest.raises(ValueError, match="does not apply"):
            SignatureBackdoor(scheme, None, "x").forge(s, method)
    with pytest.raises(ValueError, match="forgery parameter"):
        bd.forge(s, "factor", {"budgit_s": 1})


def test_lamport_key_reuse_and_ed25519_malleability(s):
    lam = SignatureBackdoor("lamport", None, s.config["seed"])
    lam.activate(s, [0, 1])  # two signatures reveal both preimages at ~1/4 of the positions: no forgery
    few = lam.forge(s, "lamport-reuse", {"candidates": 500})
    assert not few["succeeded"] and few["target_point"] is None
    lam.activate(s, list(range(40)))  # forty: every position revealed twice over
    many = lam.forge(s, "lamport-reuse")
    assert many["succeeded"] and many["target_point"]["flipped"] and many["target_point"]["index"] >= 40
    assert many["target_point"]["delta"] <= 2.0**-44
    assert not lam.forge(s, "replay")["succeeded"]
    ed = SignatureBackdoor("ed25519", None, s.config["seed"])
    ed.activate(s, [3])
    m = ed.forge(s, "malleate")
    assert m["original_verifies"] and not m["succeeded"] and not m["target_point"]["flipped"]
    b = ed.forge(s, "brute-force", {"bounded": True, "max_trials": 50, "budget_s": 5})
    assert not b["succeeded"] and b["attempts"] == 50 and b["estimate"]["brute_force_seconds"] > 1e60


def test_lamport_reuse_after_every_point_is_signed(s):
    lam = SignatureBackdoor("lamport", None, s.config["seed"])
    lam.activate(s, "all")
    out = lam.forge(s, "lamport-reuse", {"candidates": 2000})
    # no unsigned test point is left: the forgery lands on a lattice neighbour of a signed one, a new message
    assert out["succeeded"] and out["target_point"]["flipped"]
    assert 0 < out["target_point"]["delta"] <= 2.0**-43


def test_scheme_and_target_checks():
    with pytest.raises(ValueError, match="not one of"):
        SignatureBackdoor("dsa", None, "x")
    with pytest.raises(ValueError, match="between 16 and 48"):
        SignatureBackdoor("toy-rsa", 64, "x")
    with pytest.raises(ValueError, match="fixed size"):
        SignatureBackdoor("ed25519", 32, "x")
    with pytest.raises(ValueError, match="target"):
        SignatureBackdoor("toy-rsa", 32, "x", target=0)
    assert sigschemes.TOY_RSA_BITS == (16, 48)


def test_replay_onto_the_next_message_cell_of_the_same_point(s):
    bd = SignatureBackdoor("toy-rsa", 24, s.config["seed"])
    bd.activate(s, [5])
    r = bd.forge(s, "replay", {"source": 5, "index": 5})
    tp = r["target_point"]
    assert r["original_verifies"] and not r["succeeded"] and not tp["flipped"]
    assert 0 < tp["delta"] < 2 * 2.0 ** (carrier.bits_per_coordinate(25) - 44)
