"""The Games panel's worker handlers (worker/games.py over games/human.py and games/steps.py): a person's rounds keep
the secret slot in Python until the guess and are scored as the command line scores its players; the automated
players in steps give the command line's rows; the trigger game's time budget stops a player."""

from __future__ import annotations

import json

import numpy as np
import pytest

from backdoor_playground.games import PLAYER_NOTES, PLAYERS, distinguish, rounds, stats, trigger
from backdoor_playground.worker import api

HASH = "dataset=circle&networkShape=3&activation=relu&seed=5&epochs=20&noise=0"


@pytest.fixture
def live():
    api.init(HASH)
    from backdoor_playground.worker import games
    games._game = games._run = None
    return games


def test_names_list_every_player_with_a_note_and_the_limits(live):
    n = api.call("games_names", {})
    assert n["players"] == list(PLAYERS)
    assert set(n["notes"]) == set(PLAYERS) and all(n["notes"][p] for p in PLAYERS)
    assert "poisoning" in n["backdoors"] and "signature:ed25519" in n["backdoors"] and "checksum:decimal" in n["backdoors"]
    assert n["limits"]["queries"]["default"] == 200 and n["limits"]["time_budget_s"]["lo"] == 0.0


def test_the_slot_stays_in_python_until_the_guess_and_the_score_is_the_clis(live):
    correct = 0
    for i in range(3):
        view = api.call("games_start", {"game": "distinguish", "backdoor": "poisoning", "queries": 4, "keep_score": True})
        text = json.dumps(view)
        assert "truth" not in text and "slot" not in text, "the answer must not reach the page before the guess"
        assert view["round"] == i and view["left"] == 4 and view["finished"] == i
        q = api.call("games_query", {"points": [[0.5, 0.5], [-3, 2]]})
        assert q["left"] == 2 and len(q["answers"]) == 2
        assert all(len(a["labels"]) == 2 and len(a["raw"]) == 2 for a in q["answers"])
        out = api.call("games_guess", {"slot": 0})
        truth = rounds.secret_order(view["config"] | {"seed": view["config"]["seed"]}, i)
        assert out["truth"] == truth and out["correct"] == (truth == 0)
        correct += out["correct"]
        assert out["score"]["rounds"] == i + 1
    assert out["score"]["advantage"] == stats.advantage(correct, 3)
    with pytest.raises(ValueError, match="^round: no round"):
        api.call("games_query", {"points": [[0, 0]]})


def test_queries_are_checked_and_counted(live):
    api.call("games_start", {"game": "distinguish", "backdoor": "checksum:decimal", "queries": 2})
    for bad in ([], [[1]], [["a", 2]], [[float("nan"), 0]], "0,0"):
        with pytest.raises(ValueError, match="^points: "):
            api.call("games_query", {"points": bad})
    assert api.call("games_query", {"points": [[0, 0], [1, 1], [2, 2]]})["left"] == 0, "only what is left is answered"
    with pytest.raises(ValueError, match="^queries: all 2 queries"):
        api.call("games_query", {"points": [[0, 0]]})
    with pytest.raises(ValueError, match="^slot: "):
        api.call("games_guess", {"slot": 2})
    with pytest.raises(ValueError, match="^backdoor 'nope' is not one of poisoning"):
        api.call("games_start", {"backdoor": "nope"})


def test_white_box_shows_the_checksum_operator_in_the_backdoored_slot_only(live):
    api.call("games_start", {"game": "distinguish", "backdoor": "checksum:decimal", "queries": 1})
    with pytest.raises(ValueError, match="^whitebox: this round is black-box"):
        api.call("games_whitebox", {})
    api.call("games_start", {"game": "distinguish", "backdoor": "checksum:decimal", "queries": 1, "whitebox": True})
    views = api.call("games_whitebox", {})
    csum = [any(layer["operator"].endswith("_csum") for layer in v["layers"]) for v in views]
    assert sorted(csum) == [False, True]
    assert [bool(v["operator_params"]) for v in views] == csum
    truth = api.call("games_guess", {"slot": 0})["truth"]
    assert csum[truth], "the slot with the checksum operator is the backdoored one"


def test_white_box_shows_the_signature_verifier_block(live):
    api.call("games_start", {"game": "distinguish", "backdoor": "signature:toy-rsa", "queries": 1, "whitebox": True})
    views = api.call("games_whitebox", {})
    blocks = [len(v["blocks"]) for v in views]
    assert sorted(blocks) == [0, 1]
    assert api.call("games_guess", {"slot": 0})["truth"] == blocks.index(1)


def test_trigger_round_ends_when_the_budget_is_spent_and_give_up_scores_a_loss(live):
    view = api.call("games_start", {"game": "trigger", "backdoor": "signature:toy-rsa", "queries": 3, "radius": 0.25})
    assert view["radius"] == 0.25 and len(view["point"]) == 2 and view["point_label"] in (-1.0, 1.0)
    p = view["point"]
    far = [p[0] + 1, p[1]]
    with pytest.raises(ValueError, match="outside the radius"):
        api.call("games_query", {"points": [far]})
    view = api.call("games_start", {"game": "trigger", "backdoor": "signature:toy-rsa", "queries": 3, "radius": 0.25})
    p = view["point"]
    out = api.call("games_query", {"points": [p, [p[0] + 0.1, p[1]]]})
    assert not out["over"] and out["left"] == 1 and not out["fired"], "no key, no trigger"
    out = api.call("games_query", {"points": [[p[0], p[1] - 0.1]]})
    assert out["over"] and out["result"]["success"] is False and out["result"]["queries"] == 3
    api.call("games_start", {"game": "trigger", "backdoor": "signature:toy-rsa", "queries": 3, "radius": 0.25,
                             "keep_score": True})
    given = api.call("games_give_up", {})
    assert given["success"] is False and given["score"]["success"]["n"] == 2


def test_the_trigger_game_takes_a_time_budget():
    """A fake clock: one second per reading; a 2.5 s budget refuses the queries after the deadline."""
    config, game = rounds.split_config({"dataset": "circle", "seed": 1, "networkShape": [3], "epochs": 10,
                                        "queries": 100, "time_budget_s": 2.5, "backdoor": {"type": "signature"}})
    assert game["time_budget_s"] == 2.5
    rnd = rounds.build_round(config, 0)
    _, point = trigger.chosen_point(config, rnd, 0)
    ticks = iter(range(1000))
    arena = rounds.TriggerArena(rnd, point, 0.5, 100, False, rounds.player_rng(config, 0), 2.5,
                                clock=lambda: float(next(ticks)))
    answered = [len(arena.query(point[None, :])["points"]) for _ in range(5)]
    assert answered == [1, 1, 0, 0, 0] and arena.timed_out and arena.done and arena.budget.used == 2
    with pytest.raises(ValueError, match="^time_budget_s must be a number in"):
        rounds.split_config({"dataset": "circle", "time_budget_s": -1, "backdoor": {"type": "signature"}})


def test_a_time_budget_stops_the_cli_players():
    cfg = {"dataset": "circle", "seed": 1, "networkShape": [3], "epochs": 10, "queries": 100_000,
           "time_budget_s": 1e-9, "backdoor": {"type": "signature", "scheme": "toy-rsa"}}
    out = trigger.play(cfg, 1, "random")
    row = out["rounds"][0]
    assert row["timed_out"] and not row["success"] and row["queries"] < 100_000


def test_an_automated_player_in_steps_gives_the_command_lines_rows(live):
    p = api.call("games_player_start", {"game": "distinguish", "backdoor": "poisoning", "player": "probe",
                                        "rounds": 3, "queries": 40})
    assert p["done"] == 0 and not p["finished"] and p["summary"] is None
    config = p["config"]
    seen = []
    while not p["finished"]:
        p = api.call("games_player_step", {"budget_ms": 1})
        seen.append(p["done"])
    assert seen == [1, 2, 3], "one round per step at a tiny budget"
    cli = distinguish.play(config, 3, "probe")
    assert [r["guess"] for r in p["rounds"]] == [r["guess"] for r in cli["rounds"]]
    assert p["summary"]["advantage"] == cli["summary"]["advantage"]


def test_a_cancelled_player_keeps_its_rounds_and_trigger_reports_baselines(live):
    api.call("games_player_start", {"game": "trigger", "backdoor": "checksum:decimal", "player": "random",
                                    "rounds": 5, "queries": 20})
    p = api.call("games_player_step", {"budget_ms": 1})
    p = api.call("games_player_cancel", {})
    assert p["finished"] and p["cancelled"] and p["done"] == 1
    assert p["summary"]["success"]["n"] == 1
    assert p["summary"]["baseline_estimate"]["kind"] == "key-less search"
    rows = api.call("games_baselines", {"backdoor": "signature:ed25519"})["rows"]
    assert rows[0]["scheme"] == "ed25519" and np.isfinite(rows[0]["best_log10_seconds"])
    assert api.call("games_baselines", {"backdoor": "poisoning"}) is None
    with pytest.raises(ValueError, match="^player 'psychic' is not one of"):
        api.call("games_player_start", {"player": "psychic"})
