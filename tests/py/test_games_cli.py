"""The `game` subcommand: a bad game or player name lists the valid ones and exits with status 2; a short run
writes the JSON record with per-round rows, the summary, the config and versions."""

from __future__ import annotations

import json

from backdoor_playground.experiment import cli

CONFIG = {"dataset": "circle", "noise": 0, "seed": 3, "networkShape": [3], "features": ["x", "y"], "epochs": 20,
          "queries": 30, "backdoor": {"type": "poisoning"}}


def test_bad_player_or_game_exits_2(tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(CONFIG))
    assert cli.main(["game", "distinguish", str(path), "--player", "psychic"]) == 2
    assert "player 'psychic' is not one of random, boundary, probe, whitebox" in capsys.readouterr().err
    assert cli.main(["game", "guessing", str(path)]) == 2
    assert "game 'guessing' is not one of distinguish, trigger" in capsys.readouterr().err


def test_game_writes_the_record(tmp_path, capsys):
    path, out = tmp_path / "c.json", tmp_path / "game.json"
    path.write_text(json.dumps(CONFIG))
    assert cli.main(["game", "distinguish", str(path), "--rounds", "2", "--player", "random", "--out", str(out)]) == 0
    assert "advantage" in capsys.readouterr().out
    record = json.loads(out.read_text())
    assert len(record["rounds"]) == 2 and {"truth", "guess", "queries"} <= set(record["rounds"][0])
    assert {"advantage", "correct", "rounds"} <= set(record["summary"])
    assert record["config"]["backdoor"]["type"] == "poisoning" and "package" in record["versions"]
