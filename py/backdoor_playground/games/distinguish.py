"""The distinguisher game: per round a clean and a backdoored model trained on the same data sit in two slots drawn
by the referee's secret seeded draw; the player queries up to Q points, sees both models' outputs, and names the
backdoored slot. Scored by the distinguishing advantage |2 P(correct) - 1| with its 95 % interval (stats.py), as in
Goldwasser, Kim, Vaikuntanathan and Zamir, "Planting Undetectable Backdoors in Machine Learning Models" (2022)."""

from __future__ import annotations

import time

from . import player as player_class, rounds, stats


def play(raw_config: object, n_rounds: int, player_name: str) -> dict:
    """{"game", "player", "rounds": [{"round", "truth", "guess", "correct", "queries"}], "summary", "config"}."""
    config, game = rounds.split_config(raw_config)
    n_rounds = rounds.LIMITS["rounds"].check("rounds", n_rounds)
    cls = player_class(player_name)
    rows, start = [], time.perf_counter()
    for r in range(n_rounds):
        rnd = rounds.build_round(config, r)
        truth = rounds.secret_order(config, r)
        arena = rounds.DistinguishArena(rnd, truth, game["queries"], cls.whitebox, rounds.player_rng(config, r))
        guess = int(cls().distinguish(arena))
        rows.append({"round": r, "truth": truth, "guess": guess, "correct": guess == truth,
                     "queries": arena.budget.used})
    correct = sum(row["correct"] for row in rows)
    summary = {"advantage": stats.advantage(correct, n_rounds), "correct": correct, "rounds": n_rounds,
               "queries_mean": sum(row["queries"] for row in rows) / n_rounds, "seconds": time.perf_counter() - start}
    return {"game": "distinguish", "player": player_name, "whitebox": cls.whitebox, "rounds": rows,
            "summary": summary, "config": {**config, **game}}


def headline(result: dict) -> str:
    a = result["summary"]["advantage"]
    bd = result["config"]["backdoor"]
    name = bd["type"] + "".join(f" {bd[k]}" for k in ("variant", "scheme") if k in bd)
    return (f"distinguish {name}, player {result['player']}: {result['summary']['correct']}/"
            f"{result['summary']['rounds']} correct, advantage {a['value']:.2f} "
            f"[{a['lo']:.2f}, {a['hi']:.2f}]: {a['verdict']}\n")
