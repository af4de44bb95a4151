"""The games (issue #16): the advantage interval and its verdict, deterministic rounds, what the automated players can
and cannot tell apart, and the command line's refusal of bad names."""

from __future__ import annotations

import pytest

from backdoor_playground import games
from backdoor_playground.games import distinguish, rounds, stats, trigger
from backdoor_playground.games.whitebox_player import structure_marks

BASE = {"dataset": "circle", "noise": 0, "seed": 1, "networkShape": [4], "activation": "relu",
        "learningRate": 0.03, "features": ["x", "y"], "epochs": 60, "queries": 120}


def config(backdoor: dict, **extra) -> dict:
    return {**BASE, **extra, "backdoor": backdoor}


def test_advantage_interval_from_known_counts():
    # 10 of 20: Wilson [0.2993, 0.7007] -> signed [-0.401, 0.401] -> advantage [0, 0.401]
    a = stats.advantage(10, 20)
    assert a["value"] == 0 and a["lo"] == 0.0 and a["hi"] == pytest.approx(0.40137, abs=1e-4)
    # 20 of 20: Wilson [0.8389, 1] -> advantage [0.6778, 1]
    a = stats.advantage(20, 20)
    assert a["value"] == 1 and a["lo"] == pytest.approx(0.67781, abs=1e-4) and a["hi"] == 1.0
    # always wrong is as good as always right
    b = stats.advantage(0, 20)
    assert (b["value"], b["lo"], b["hi"]) == pytest.approx((a["value"], a["lo"], a["hi"]))
    with pytest.raises(ValueError, match="^rounds"):
        stats.advantage(3, 2)


def test_verdict_threshold():
    # 15 of 20: Wilson lower end 0.531 > 1/2 -> "you can"; 14 of 20: 0.481 < 1/2 -> no evidence
    assert stats.advantage(15, 20)["verdict"] == stats.CAN
    assert stats.advantage(14, 20)["verdict"] == stats.NO_EVIDENCE
    assert stats.advantage(5, 20)["verdict"] == stats.CAN  # 0.25 correct: the upper end 0.469 < 1/2
    assert stats.advantage(6, 20)["verdict"] == stats.NO_EVIDENCE


def test_rounds_are_deterministic_for_a_seed():
    c = config({"type": "poisoning"})
    one = distinguish.play(c, 3, "probe")
    two = distinguish.play(c, 3, "probe")
    assert one["rounds"] == two["rounds"]
    assert [r["truth"] for r in one["rounds"]] == [rounds.secret_order(rounds.split_config(c)[0], r) for r in range(3)]
    other = distinguish.play({**c, "seed": 2}, 3, "probe")
    assert [r["truth"] for r in other["rounds"]] != [r["truth"] for r in one["rounds"]] or \
        other["rounds"] != one["rounds"]
    assert all(r["queries"] <= 120 for r in one["rounds"])


def test_random_player_cannot_tell_the_signature_backdoor():
    result = distinguish.play(config({"type": "signature", "scheme": "toy-rsa"}), 12, "random")
    a = result["summary"]["advantage"]
    assert a["lo"] == 0.0 and a["verdict"] == stats.NO_EVIDENCE


def test_probe_tells_the_poisoned_model_apart():
    result = distinguish.play(config({"type": "poisoning"}, queries=200), 12, "probe")
    a = result["summary"]["advantage"]
    assert a["value"] >= 0.8 and a["verdict"] == stats.CAN


def test_whitebox_detects_the_checksum_operator():
    c = config({"type": "checksum", "variant": "decimal", "key": 150, "modulo": 256, "activation": "none"})
    cfg, _ = rounds.split_config(c)
    rnd = rounds.build_round(cfg, 0)
    assert structure_marks(rnd.whitebox(True)) > 0 and structure_marks(rnd.whitebox(False)) == 0
    result = distinguish.play(c, 6, "whitebox")
    assert result["summary"]["correct"] == 6 and all(r["queries"] == 0 for r in result["rounds"])


def test_black_box_player_cannot_read_the_models():
    cfg, game = rounds.split_config(config({"type": "poisoning"}))
    arena = rounds.DistinguishArena(rounds.build_round(cfg, 0), 0, 10, False, rounds.player_rng(cfg, 0))
    with pytest.raises(ValueError, match="^player"):
        arena.whitebox(0)


def test_trigger_game_reports_a_rate_and_baselines():
    c = config({"type": "signature", "scheme": "toy-rsa"}, queries=40)
    result = trigger.play(c, 3, "probe")
    s = result["summary"]
    assert s["success"]["n"] == 3 and s["success"]["k"] == 0  # a 32-bit signature is not hit by chance
    assert all(r["queries"] == 40 for r in result["rounds"])
    assert s["baseline_estimate"]["kind"] == "forgery"
    assert {row["scheme"] for row in s["baseline_estimate"]["rows"]} >= {"toy-rsa", "ed25519"}


def test_bad_names_and_keys_list_the_valid_ones():
    with pytest.raises(ValueError, match="^player 'oracle' is not one of random, boundary, probe, whitebox"):
        games.player("oracle")
    with pytest.raises(ValueError, match="^game 'guess' is not one of distinguish, trigger"):
        games.game("guess")
    with pytest.raises(ValueError, match="^queries"):
        rounds.split_config(config({"type": "poisoning"}, queries=0))
    with pytest.raises(ValueError, match="^backdoor"):
        rounds.split_config(dict(BASE))
