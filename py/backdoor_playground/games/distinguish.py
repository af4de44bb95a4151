"""The distinguisher game: per round a clean and a backdoored model trained on the same data sit in two slots drawn
by the referee's secret seeded draw; the player queries up to Q points, sees both models' outputs, and names the
backdoored slot. Scored by the distinguishing advantage |2 P(correct) - 1| with its 95 % interval (stats.py), as in
Goldwasser, Kim, Vaikuntanathan and Zamir, "Planting Undetectable Backdoors in Machine Learning Models" (2022)."""

from __future__ import annotations

from . import player as player_class, rounds, stats


def play_round(config: dict, game: dict, cls, r: int) -> dict:
    """Round r with a fresh player of class cls: {"round", "truth", "guess", "correct", "queries"}."""
    rnd = rounds.build_round(config, r)
    truth = rounds.secret_order(config, r)
    arena = rounds.DistinguishArena(rnd, truth, game["queries"], cls.whitebox, rounds.player_rng(config, r))
    guess = int(cls().distinguish(arena))
    return {"round": r, "truth": truth, "guess": guess, "correct": guess == truth, "queries": arena.budget.used}


def summarise(rows: list[dict], seconds: float) -> dict:
    """The score of finished rounds: the advantage with its interval and verdict (stats.advantage)."""
    n, correct = len(rows), sum(row["correct"] for row in rows)
    return {"advantage": stats.advantage(correct, n), "correct": correct, "rounds": n,
            "queries_mean": sum(row["queries"] for row in rows) / n, "seconds": seconds}


def play(raw_config: object, n_rounds: int, player_name: str) -> dict:
    """{"game", "player", "rounds": [{"round", "truth", "guess", "correct", "queries"}], "summary", "config"}."""
    config, game, cls, rows, seconds = rounds.play_series(raw_config, n_rounds, player_name, player_class, play_round)
    return {"game": "distinguish", "player": player_name, "whitebox": cls.whitebox, "rounds": rows,
            "summary": summarise(rows, seconds), "config": {**config, **game}}


def headline(result: dict) -> str:
    a = result["summary"]["advantage"]
    bd = result["config"]["backdoor"]
    name = bd["type"] + "".join(f" {bd[k]}" for k in ("variant", "scheme") if k in bd)
    return (f"distinguish {name}, player {result['player']}: {result['summary']['correct']}/"
            f"{result['summary']['rounds']} correct, advantage {a['value']:.2f} "
            f"[{a['lo']:.2f}, {a['hi']:.2f}]: {a['verdict']}\n")
