"""Backdoor 2 through the experiment stages and the worker handlers: config checks naming the bad key, a full
toy-RSA run (flips, |delta| < 1e-7, agreement exactly 1.0, factoring forges, replay does not), the CSUM signature,
and the handlers' refusals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from backdoor_playground.worker import api
from backdoor_playground.playground import config
from backdoor_playground import attacks
from backdoor_playground.experiment import stages
from backdoor_playground.experiment.plan import Plan
from backdoor_playground.worker import signature as sapi
from backdoor_playground.session import Session

BASE = {"dataset": "circle", "noise": 0, "percTrainData": 50, "seed": "sigexp", "networkShape": [4],
        "activation": "tanh"}


def trained(**overrides) -> Session:
    cfg, notices = config.validate({**BASE, **overrides})
    assert notices == []
    s = Session(cfg)
    s.train(epochs=150)
    return s


def run(s: Session, raw: dict) -> dict:
    plan = Plan(attacks.check(raw, s.config))
    result: dict = {}
    for stage in (stages.stage_plant, stages.stage_activate, stages.stage_forge):
        stage(s, plan, result)
    json.dumps(result, allow_nan=False)
    return result


def test_toy_rsa_run_through_every_stage():
    s = trained()
    r = run(s, {"type": "signature"})
    b, a, f = r["backdoored"], r["activation"], r["forgery"]
    assert b["scheme"] == "toy-rsa" and b["bits"] == 32 and b["carrier"] == "bits"
    assert b["agreement"] == 1.0 and b["agreement_grid"] == 1.0 and b["accidental_accepts"] == 0
    assert b["test_accuracy"] == b["clean_test_accuracy"]
    assert a["attempted"] == 250 == a["flipped"] == len(a["records"])
    assert a["max_abs_delta"] < 1e-7 and a["median_abs_delta"] < 1e-7
    assert f["method"] == "factor" and f["succeeded"] and f["attempts"] >= 1 and f["seconds"] >= 0
    assert f["target_point"]["flipped"]  # every test point was signed: the forger signs the next message cell
    replay = s.attack.block.forge(s, "replay")
    assert not replay["succeeded"] and not replay["target_point"]["flipped"]


def test_certificate_run_and_defaults():
    s = trained()
    raw = {"type": "signature", "scheme": "lamport", "points": [0, 1, 2], "forgery": {"method": "replay"}}
    r = run(s, raw)
    assert r["backdoored"]["agreement"] == 1.0 and r["activation"]["flipped"] == 3
    assert r["activation"]["max_abs_delta"] <= 2.0**-44
    assert r["forgery"]["method"] == "replay" and not r["forgery"]["succeeded"]
    bd = attacks.check({"type": "signature", "scheme": "ed25519"}, s.config)
    assert bd["bits"] == 256 and bd["target"] == "flip" and bd["points"] == "all"
    assert bd["forgery"] == {"method": "brute-force", "max_trials": 100000, "budget_s": 10.0}
    assert attacks.check({"type": "signature"}, s.config)["forgery"]["method"] == "factor"


def test_csum_signature_stage():
    s = trained()
    r = run(s, {"type": "csum-signature", "modulo": 20})
    b = r["backdoored"]
    assert b["modulo"] == 20 and b["precision"] == 15 and "residues" not in b and "labels_after" not in b
    assert 10 <= b["flipped"] <= 40 and len(b["flipped_indices"]) == b["flipped"] == r["activation"]["flipped"]
    assert b["loss_test_after"] > b["loss_test_before"]
    assert b["test_accuracy_after"] == pytest.approx(b["test_accuracy_before"] - b["flipped"] / 250, abs=0.02)
    assert r["forgery"]["succeeded"] and r["forgery"]["method"] == "digit-edit"


@pytest.mark.parametrize("raw,message", [
    ({"type": "signature", "scheme": "dsa"}, "backdoor.scheme"),
    ({"type": "signature", "bits": 64}, "backdoor.bits"),
    ({"type": "signature", "scheme": "lamport", "bits": 32}, "backdoor.bits"),
    ({"type": "signature", "target": "up"}, "backdoor.target"),
    ({"type": "signature", "points": "some"}, "backdoor.points"),
    ({"type": "signature", "key": 3}, "backdoor.key"),
    ({"type": "signature", "forgery": {"method": "factor", "speed": 1}}, "backdoor.forgery.speed"),
    ({"type": "signature", "scheme": "ed25519", "forgery": {"method": "factor"}}, "backdoor.forgery.method"),
    ({"type": "signature", "scheme": "rsa", "forgery": {"method": "lamport-reuse"}}, "backdoor.forgery.method"),
    ({"type": "signature", "forgery": {"max_trials": 0}}, "backdoor.forgery.max_trials"),
    ({"type": "signature", "forgery": {"method": "replay"}, "points": []}, "backdoor.forgery.method"),
    ({"type": "csum-signature", "modulo": 1}, "backdoor.modulo"),
    ({"type": "csum-signature", "scheme": "toy-rsa"}, "backdoor.scheme"),
])
def test_bad_configs_name_the_key(raw, message):
    cfg, _ = config.validate(BASE)
    with pytest.raises(ValueError) as err:
        attacks.check(raw, cfg)
    assert str(err.value).startswith(message)


def test_regression_is_refused():
    cfg, _ = config.validate({**BASE, "problem": "regression"})
    with pytest.raises(ValueError, match="classification"):
        attacks.check({"type": "signature"}, cfg)
    with pytest.raises(ValueError, match="classification"):
        sapi.signature_install(Session(cfg))


def test_handlers_through_the_worker_api():
    api.init(config=BASE)
    api.call("train", {"epochs": 100})
    assert api.call("signature_view") == {"installed": False}
    with pytest.raises(ValueError, match="signature_install first"):
        api.call("signature_activate", {})
    api.call("plant")
    with pytest.raises(ValueError, match="remove the checksum backdoor first"):
        api.call("signature_install", {})
    api.call("unplant")
    reply = api.call("signature_install", {"scheme": "toy-rsa", "bits": 20})
    assert reply["view"]["bits"] == 20 and reply["stats"]["agreement"] == 1.0
    act = api.call("signature_activate", {"points": [1, 2, 3], "target": -1})
    assert act["summary"]["accepted"] == 3 and all(r["target"] == -1 for r in act["records"])
    stats = api.call("signature_stats")
    assert stats["activated"] == 3 and stats["agreement_grid"] == 1.0 and stats["accidental_accepts"] == 0
    forged = api.call("signature_forge", {"method": "factor", "params": {"budget_s": 30}})
    assert forged["succeeded"]
    with pytest.raises(ValueError, match="budget"):
        api.call("signature_forge", {"method": "brute-force", "params": {"budget_s": 1e-4}})
    est = api.call("signature_estimate", {"budget_s": 5.0})
    rsa = next(e for e in est["schemes"] if e["scheme"] == "rsa")
    assert "RSA-2048" in rsa["text"] and "years on this device" in rsa["text"] and not rsa["live"]
    assert est["live_limit"]["factor_bits"] is not None
    with pytest.raises(ValueError, match="remove the signature backdoor first"):  # one backdoor at a time
        api.call("csum_signature", {})
    assert api.call("signature_remove") == {"removed": True}
    assert api.call("signature_view") == {"installed": False}
    csum = api.call("csum_signature", {})
    assert csum["modulo"] == 256 and csum["precision"] == 15 and csum["flipped"] >= 1
    json.dumps([reply, act, stats, forged, est, csum], allow_nan=False)
    api.call("signature_install", {"scheme": "toy-rsa", "bits": 20})  # the CSUM signature makes way
    assert api.call("signature_view")["installed"]


@pytest.mark.parametrize("method,args,message", [
    ("signature_install", {"scheme": "toy-rsa", "bits": 15}, "bits"),
    ("signature_install", {"scheme": "rsa", "bits": 1024}, "fixed size"),
    ("signature_install", {"scheme": "toy-rsa", "target": "both"}, "target"),
    ("csum_signature", {"modulo": 0}, "modulo"),
    ("csum_signature", {"precision": 40}, "precision"),
    ("signature_estimate", {"budget_s": -1}, "budget_s"),
])
def test_handlers_validate_arguments(method, args, message):
    api.init(config=BASE)
    with pytest.raises(ValueError, match=message):
        api.call(method, args)


def test_forge_argument_checks():
    s = trained()
    sapi.signature_install(s, "ed25519")
    with pytest.raises(ValueError, match="does not apply"):
        sapi.signature_forge(s, "factor")
    with pytest.raises(ValueError, match="params must be an object"):
        sapi.signature_forge(s, "replay", params=[1])
    with pytest.raises(ValueError, match="not one of"):
        sapi.signature_forge(s, "guess")
    assert np.isfinite(sapi.signature_view(s)["perturbation_bound"])
