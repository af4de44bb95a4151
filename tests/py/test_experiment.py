"""The experiment runner and its command line: the issue's example config end to end, determinism, errors that
name the bad key (exit status 2 on the command line), and the config additions it relies on (a `features` list,
a numeric seed, the csum_* keys)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from backdoor_playground.experiment import cli
from backdoor_playground.playground import config as cfg
from backdoor_playground.experiment import stages as experiment

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = {"dataset": "circle", "noise": 0, "percTrainData": 50, "seed": 1, "networkShape": [4], "activation": "relu",
           "learningRate": 0.03, "batchSize": 10, "features": ["x", "y"], "epochs": 500,
           "backdoor": {"type": "checksum", "variant": "decimal", "key": 150, "modulo": 256, "precision": 15,
                        "layers": "all", "activation": "digit-edit"}}


@pytest.fixture(scope="module")
def example_result():
    return experiment.run_experiment(EXAMPLE)


def test_example_config_end_to_end(example_result):
    r = example_result
    assert r["config"]["x"] is True and r["config"]["y"] is True and r["config"]["xSquared"] is False
    assert r["config"]["seed"] == "1" and r["config"]["backdoor"]["activation"] == "digit-edit"
    assert set(r["versions"]) >= {"package", "numpy", "python"}
    assert r["clean"]["epochs"] == 500 and r["clean"]["test_accuracy"] >= 0.97
    bd = r["backdoored"]
    assert bd["layers"] == [1] and bd["params"]["key"] == 150
    assert bd["agreement"] >= 0.97 and bd["agreement_grid"] >= 0.97
    assert abs(bd["test_accuracy"] - r["clean"]["test_accuracy"]) <= 1 - bd["agreement"]
    assert 0 <= bd["trigger_rate"] <= 0.05
    a = r["activation"]
    assert a["attempted"] == 250 == len(a["records"])
    assert a["matched"] >= 0.95 * 250
    assert 0.2 * 250 <= a["flipped"] <= 0.6 * 250
    assert a["median_abs_delta"] < 1e-5
    assert a["seconds"] >= 0
    assert a["flipped"] == sum(rec["flipped"] for rec in a["records"])
    # the flipped points now get the other class: accuracy after activation drops by the flips (labels unchanged)
    assert a["test_accuracy_after"] == pytest.approx(bd["test_accuracy"] - a["flipped"] / 250, abs=0.02)


def test_result_is_json_and_deterministic(example_result):
    text = json.dumps(example_result, allow_nan=False)
    assert json.loads(text) == example_result
    again = experiment.run_experiment(EXAMPLE)
    assert experiment.strip_timing(again) == experiment.strip_timing(example_result)
    assert "seconds" not in experiment.strip_timing(example_result)["clean"]


def test_search_experiment_reports_the_prediction():
    config = {"seed": "s", "networkShape": [3], "activation": "relu", "features": ["x", "y"], "epochs": 5,
              "backdoor": {"variant": "keyed", "modulo": 32, "activation": "search", "k": 1,
                           "points": [0, 1, 2, 3], "calibrate_ms": 20}}
    a = experiment.run_experiment(config)["activation"]
    assert a["method"] == "search" and a["attempted"] == 4 and a["matched"] == 4
    assert a["expected_trials"] == 32 and a["trials_per_s"] > 0
    assert a["predicted_seconds"] == pytest.approx(4 * 32 / a["trials_per_s"])
    assert all(rec["csum1"] == [150 % 32] for rec in a["records"])


def test_no_backdoor_object_means_clean_training_only():
    r = experiment.run_experiment({"seed": 2, "epochs": 3})
    assert r["clean"]["epochs"] == 3 and "backdoored" not in r and "activation" not in r
    r = experiment.run_experiment({"seed": 2, "epochs": 0, "networkShape": [2],
                                   "backdoor": {"activation": "none", "layers": "first"}})
    assert r["backdoored"]["layers"] == [1] and "activation" not in r


@pytest.mark.parametrize("config, key", [
    ({"nois": 5}, "^unknown key nois \\(did you mean noise\\?\\); the config keys are activation, "),
    ({"noise": 80}, "^noise=80 is outside 0..50$"),
    ({"features": ["x", "z"]}, "^features"),
    ({"seed": "a b"}, "^seed"),
    ({"defense": []}, "^defense"),
    ({"defense": {"type": "pgd"}}, "^defense.type"),
    ({"defense": {"type": "smoothing", "sigma": 0}}, "^defense.sigma"),
    ({"defense": {"type": "proximity", "radius": "huge"}}, "^defense.radius"),
    ({"backdoor": []}, "^backdoor must be an object"),
    ({"backdoor": {"colour": 1}}, "^backdoor.colour"),
    ({"backdoor": {"kye": 1}}, "^backdoor.kye is not a checksum backdoor setting \\(did you mean key\\?\\)"),
    ({"defense": {"type": "smoothing", "sigmaa": 1}}, "^defense.sigmaa is not a smoothing setting \\(did you mean sigma"),
    ({"backdoor": {"type": "quantum"}}, "^backdoor.type"),
    ({"backdoor": {"type": "signature", "scheme": "dsa"}}, "^backdoor.scheme"),
    ({"backdoor": {"type": "signature", "bits": 64}}, "^backdoor.bits"),
    ({"backdoor": {"variant": "md5"}}, "^backdoor.variant"),
    ({"backdoor": {"key": 65536}}, "^backdoor.key"),
    ({"backdoor": {"modulo": 1}}, "^backdoor.modulo"),
    ({"backdoor": {"precision": 40}}, "^backdoor.precision"),
    ({"backdoor": {"layers": "last"}}, "^backdoor.layers"),
    ({"backdoor": {"activation": "magic"}}, "^backdoor.activation"),
    ({"backdoor": {"window": 3.5}}, "^backdoor.window"),
    ({"backdoor": {"k": 2}}, "^backdoor.k does not apply"),
    ({"backdoor": {"activation": "search", "radius": -1}}, "^backdoor.radius"),
    ({"backdoor": {"activation": "search", "k": 9}}, "^backdoor.k must be between 1 and 4"),
    ({"backdoor": {"points": [1, -1]}}, "^backdoor.points"),
    ({"backdoor": {"points": [250]}}, "^backdoor.points: point index 250 is out of range"),
    ({"networkShape": [], "backdoor": {}}, "^networkShape"),
])
def test_bad_configs_name_the_key(config, key):
    with pytest.raises(ValueError, match=key):
        experiment.run_experiment({"seed": 1, "epochs": 0, **config})


def test_config_accepts_a_feature_list_and_a_numeric_seed():
    config, notices = cfg.validate({"features": ["y", "sinX"], "seed": 1}, strict=True)
    assert notices == [] and config["seed"] == "1"
    assert cfg.enabled_features(config) == ["y", "sinX"]  # in the table's order, not the list's
    config, _ = cfg.validate({"features": "x,cir", "cir": False})  # a per-feature key overrides the list
    assert cfg.enabled_features(config) == ["x"]
    config, notices = cfg.validate({"features": ["q"]})
    assert cfg.enabled_features(config) == ["x", "y"] and notices[0].startswith("features=")


def test_config_csum_keys():
    config, notices = cfg.validate({"csum_key": "99", "csum_variant": "parity", "csum_layers": "first",
                                    "csum_secret": 12}, strict=True)
    assert notices == [] and (config["csum_key"], config["csum_variant"]) == (99, "parity")
    assert "csum_variant=parity" in cfg.to_hash(config) and "csum_layers=first" in cfg.to_hash(config)
    for key, bad in (("csum_variant", "md5"), ("csum_layers", "last"), ("csum_key", 70000)):
        with pytest.raises(ValueError, match=f"^{key}="):
            cfg.validate({key: bad}, strict=True)


def test_cli_writes_the_result_and_exits_2_on_bad_input(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"seed": 1, "epochs": 2, "networkShape": [2], "activation": "relu",
                                "backdoor": {"points": [0, 1]}}))
    out = tmp_path / "result.json"
    assert cli.main(["experiment", str(good), "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["activation"]["attempted"] == 2 and result["clean"]["epochs"] == 2
    told = capsys.readouterr()  # with --out, stdout stays empty and people get a short summary on stderr
    assert told.out == "" and "trained circle for 2 epochs" in told.err and f"wrote {out}" in told.err
    assert "flipped" in told.err and "of 2 activated test points" in told.err
    assert cli.main(["experiment", str(good)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert experiment.strip_timing(printed) == experiment.strip_timing(result)

    for name, text, message in (("bad.json", '{"seed": 1, "backdoor": {"key": 70000}}', "error: backdoor.key"),
                                ("broken.json", '{"seed": ', "error: "), ("list.json", "[1]", "error: the config")):
        path = tmp_path / name
        path.write_text(text)
        assert cli.main(["experiment", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(message) and "Traceback" not in err
    assert cli.main(["experiment", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_python_dash_m_entry_point(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"seed": 1, "epochs": 1, "backdoor": {"activation": "none"}}))
    env = {"PYTHONPATH": str(ROOT / "py"), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "backdoor_playground", "experiment", str(config)], cwd=ROOT,
                        capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert math.isfinite(json.loads(ok.stdout)["backdoored"]["agreement"])
    config.write_text(json.dumps({"seed": 1, "backdoor": {"variant": "crc"}}))
    bad = subprocess.run([sys.executable, "-m", "backdoor_playground", "experiment", str(config)], cwd=ROOT,
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("error: backdoor.variant")
