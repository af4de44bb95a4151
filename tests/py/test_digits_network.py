"""Issue 14's digits network 64 -> 32 -> 10: the per-data-set width cap (TF Playground's 8 on every set but the
digits, 32 there; datasets_nd.max_neurons, the page reads it from the generated state table) and the issue's
done-when on the wide network: >= 95 % test accuracy, the checksum planted with agreement >= 0.97 and activated, the
signature planted and activated with agreement exactly 1.0 (fixed seeds, margins noted)."""

from __future__ import annotations

import pytest

from backdoor_playground.experiment.plan import parse_config
from backdoor_playground.experiment.stages import run_experiment
from backdoor_playground.playground import config as c, datasets_nd
from backdoor_playground.session import Session

WIDE = {"dataset": "digits", "digits_scale": "unit", "networkShape": [32], "activation": "tanh",
        "learningRate": 0.1, "percTrainData": 80, "epochs": 10, "seed": "1"}


# ---------------------------------------------------------------- the cap, one rule in py/

def test_the_digits_take_32_neurons_and_the_plane_keeps_tf_playgrounds_8():
    assert datasets_nd.max_neurons("digits") == 32 and datasets_nd.max_neurons("circle") == 8
    assert datasets_nd.max_neurons("circle3d") == 8 and datasets_nd.max_neurons("spiral3") == 8
    config, notices = c.validate({"dataset": "digits", "networkShape": [32, 16]})
    assert notices == [] and config["networkShape"] == [32, 16]
    assert c.from_hash(c.to_hash(config)) == (config, [])


@pytest.mark.parametrize("raw, cap", [
    ({"dataset": "circle", "networkShape": [4, 9]}, 8),
    ({"dataset": "circle3d", "networkShape": [12]}, 8),
    ({"dataset": "blobs4", "networkShape": [32]}, 8),
    ({"problem": "regression", "dataset": "digits", "networkShape": [32]}, 8),  # regression: reg-plane decides
])
def test_a_layer_wider_than_the_data_set_takes_falls_back_with_a_notice_naming_the_cap(raw, cap):
    config, notices = c.validate(raw)
    assert config["networkShape"] == [4, 2] and len(notices) == 1
    assert notices[0].startswith("networkShape=") and f"at most {cap} per layer" in notices[0]
    with pytest.raises(ValueError, match=f"^networkShape=.*at most {cap} per layer"):
        c.validate(raw, strict=True)


def test_beyond_the_widest_cap_the_entry_is_refused_for_every_data_set():
    _, notices = c.validate({"dataset": "digits", "networkShape": [33]})
    assert notices[0].startswith("networkShape=33") and "1..32" in notices[0]
    with pytest.raises(ValueError, match="^networkShape"):
        parse_config({**WIDE, "networkShape": [64]})


def test_the_page_reads_the_caps_from_the_generated_table():
    table = c.table_json()
    shape = next(p for p in table["props"] if p["name"] == "networkShape")
    assert shape["hi"] == datasets_nd.MAX_NEURONS == 8
    assert {name: spec["max_neurons"] for name, spec in table["datasets_nd"].items() if spec["max_neurons"] != 8} \
        == {"digits": 32}


# ---------------------------------------------------------------- issue 14's done-when on 64 -> 32 -> 10

@pytest.fixture(scope="module")
def wide():
    config, plan = parse_config({**WIDE, "backdoor": {"type": "checksum"}})
    s = Session(config)
    s.train(epochs=config["epochs"])
    return s, plan


def test_the_wide_network_trains_to_95_percent(wide):
    s, _ = wide
    assert list(s.model.layer_sizes) == [64, 32, 10]
    assert s.metrics()["acc_test"] >= 0.95  # 0.972 on this seed after 10 epochs


def test_the_checksum_plants_with_agreement_and_activates_on_the_wide_network(wide):
    s, plan = wide
    att = s.install("checksum", plan.backdoor)
    try:
        stats = att.stats(s)
        assert stats["agreement"] >= 0.97  # 1.0 on this seed
        out = att.activate(s, "digit-edit", "all", {})
        summary = out["summary"]
        assert summary["matched"] >= 0.95 * summary["attempted"]  # 358 of 360 fire a node
        # one firing node of 32 moves fewer images than one of 8 (19 of 360 here, 5 %; width 8: 24 %)
        sent = [r for r in out["records"] if r["flipped"]]
        assert len(sent) >= 0.02 * summary["attempted"]
        assert all(r["class1"] == r["target"] == (r["class0"] + 1) % 10 for r in sent)
    finally:
        s.remove_attack()


def test_the_signature_activates_with_agreement_exactly_one_on_the_wide_network(wide):
    s, _ = wide
    attack = s.install("signature", {"scheme": "toy-rsa", "bits": 24})
    try:
        out = attack.activate(s, list(range(0, 300, 3)))
        clean = attack.block.labels(s, s.data.test_points)
        assert len(out["records"]) == 100
        for r in out["records"]:
            assert r["accepted"] and r["flipped"] and r["target"] == (int(clean[r["index"]]) + 1) % 10
        sec = attack.sections(s)["backdoored"]
        assert sec["agreement"] == 1.0 and sec["accidental_accepts"] == 0
    finally:
        s.remove_attack()


def test_the_command_lines_experiment_runs_the_wide_network_and_records_it():
    res = run_experiment({**WIDE, "backdoor": {"type": "checksum"}, "defense": {"type": "proximity"}})
    m = res["metrics"]
    assert m["clean_accuracy"]["value"] >= 0.95 and m["agreement"]["value"] >= 0.97  # 0.972 and 1.0
    assert m["attack_success_rate"]["n"] > 0
    assert res["config"]["networkShape"] == [32]
    with pytest.raises(ValueError, match="^networkShape=40 .*1..32"):
        run_experiment({**WIDE, "networkShape": [40], "backdoor": {"type": "checksum"}})
