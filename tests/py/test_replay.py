"""The page's experiment: recorded actions, the exported result (same sections as the command line's) and Replay
links that re-run it from scratch."""

from __future__ import annotations

import json

import pytest

from backdoor_playground.worker import api
from backdoor_playground.experiment import stages as experiment, replay


def test_encode_decode_round_trip_and_damaged_links():
    config = {"dataset": "circle", "epochs": 20, "backdoor": {"type": "checksum", "modulo": 64}}
    link = replay.encode(config)
    assert link.startswith("replay=") and "=" not in link[len("replay="):]
    assert replay.decode(link) == config
    assert replay.decode("#" + link) == config
    for bad, words in (("replay=", "empty"), ("replay=!!!!", "damaged"), ("replay=" + "A" * 30_000, "longer"),
                       (replay.encode([1, 2]), "JSON object"), (42, "text")):
        with pytest.raises(ValueError, match=words):
            replay.decode(bad)


@pytest.fixture(scope="module")
def page_run():
    """What a user does in the page: train, plant, activate, defend; then Export results."""
    api.init(hash="dataset=circle&networkShape=8&seed=3")
    api.call("train", {"epochs": 60})
    api.call("plant", {"params": {"modulo": 256}})
    api.call("activate", {"method": "digit-edit", "points": list(range(40))})
    api.call("defend", {"params": {"type": "proximity", "radius": "auto"}})
    return api.call("experiment_result")


def test_export_has_the_command_line_sections(page_run):
    result = page_run["result"]
    assert {"config", "versions", "clean", "backdoored", "activation", "defense", "metrics"} <= set(result)
    bd = result["config"]["backdoor"]
    assert bd["type"] == "checksum" and bd["activation"] == "digit-edit" and bd["points"] == list(range(40))
    assert bd["modulo"] == 256 and result["config"]["epochs"] == 60
    assert result["config"]["defense"]["type"] == "proximity"
    assert result["activation"]["attempted"] == 40
    assert result["metrics"]["attack_success_rate_after"]["n"] == 40
    json.dumps(result, allow_nan=False)
    lines = page_run["tsv"].splitlines()
    assert lines[0] == "cell\tseed\tstage\tmetric\tvalue" and len(lines) > 20
    assert all(line.split("\t")[0] == "page" for line in lines[1:])


def test_replay_reruns_the_exported_config(page_run):
    expected = experiment.run_experiment(replay.decode(page_run["replay"]))
    reply = api.call("replay", {"link": "#" + page_run["replay"]})
    assert {"config", "hash", "data", "model", "frame", "result"} <= set(reply)
    got = reply["result"]
    assert experiment.strip_timing(got) == experiment.strip_timing(json.loads(json.dumps(expected)))
    # the page's own run and its replay are the same experiment (no hand edits were made)
    for section in ("clean", "backdoored", "activation", "defense", "metrics"):
        assert experiment.strip_timing(got[section]) == experiment.strip_timing(page_run["result"][section]), section
    # the replay became the live playground: exporting again gives the same experiment
    again = api.call("experiment_result")["result"]
    assert again["config"]["backdoor"] == got["config"]["backdoor"]
    assert again["metrics"]["attack_success_rate"] == got["metrics"]["attack_success_rate"]


def test_a_new_attack_forgets_the_old_defense():
    api.init(hash="dataset=circle&networkShape=4&seed=1")
    api.call("train", {"epochs": 20})
    api.call("plant", {})
    api.call("activate", {"points": [0, 1, 2]})
    api.call("defend", {"params": {"type": "proximity"}})
    assert "defense" in api.call("experiment_result")["result"]
    api.call("activate", {"points": [3, 4]})
    out = api.call("experiment_result")["result"]
    assert "defense" not in out and "defense" not in out["config"]
    assert out["config"]["backdoor"]["points"] == [3, 4]
    api.call("unplant")
    out = api.call("experiment_result")["result"]
    assert "backdoor" not in out["config"] and "backdoored" not in out


def test_signature_actions_export_and_replay():
    api.init(hash="dataset=circle&networkShape=4&seed=2")
    api.call("train", {"epochs": 30})
    api.call("signature_install", {"scheme": "toy-rsa", "bits": 24})
    api.call("signature_activate", {"points": [0, 1, 2, 3]})
    api.call("signature_forge", {"method": "factor"})
    exported = api.call("experiment_result")
    result = exported["result"]
    bd = result["config"]["backdoor"]
    assert bd["type"] == "signature" and bd["bits"] == 24 and bd["points"] == [0, 1, 2, 3]
    assert bd["forgery"]["method"] == "factor"
    assert result["backdoored"]["agreement"] == 1.0 and result["activation"]["attempted"] == 4
    assert result["forgery"]["succeeded"] is True
    replayed = api.call("replay", {"link": exported["replay"]})["result"]
    assert replayed["activation"]["flipped"] == result["activation"]["flipped"]
    assert [r["x1"] for r in replayed["activation"]["records"]] == [r["x1"] for r in result["activation"]["records"]]
    assert replayed["forgery"]["succeeded"] is True


def test_csum_signature_export():
    api.init(hash="dataset=circle&networkShape=4&seed=2")
    api.call("train", {"epochs": 10})
    out = api.call("csum_signature", {"modulo": 20})
    result = api.call("experiment_result")["result"]
    assert result["config"]["backdoor"] == {"type": "csum-signature", "modulo": 20, "precision": out["precision"]}
    assert result["backdoored"]["flipped"] == out["flipped"] == result["activation"]["flipped"]


def test_export_after_a_replay_keeps_the_defense(page_run):
    api.call("replay", {"link": page_run["replay"]})
    assert api.session().defended["model_labels"] and len(api.session().defended["labels"]) == 250
    again = api.call("experiment_result")["result"]
    assert again["defense"]["restored"] == page_run["result"]["defense"]["restored"]
    assert "model_labels" not in again["defense"] and "labels" not in again["defense"]


def test_page_and_command_line_describe_the_signature_block_the_same_way():
    config = {"dataset": "circle", "networkShape": [4], "seed": "sig-page", "epochs": 30,
              "backdoor": {"type": "signature", "scheme": "toy-rsa", "bits": 24, "points": list(range(30)),
                           "forgery": {"method": "factor"}}}
    expected = experiment.strip_timing(experiment.run_experiment(config))
    api.call("replay", {"link": replay.encode(config)})
    got = experiment.strip_timing(api.call("experiment_result")["result"])
    for section in ("clean", "backdoored", "activation", "forgery", "metrics"):
        assert got[section] == json.loads(json.dumps(expected[section])), section
