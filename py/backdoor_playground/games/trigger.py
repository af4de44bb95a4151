"""The trigger game: per round the backdoored model (white-box to a white-box player), a test point drawn by the
referee's seeded draw, a max-norm radius and Q queries; the player wins when one of its inputs within the radius makes
the backdoor fire (the backdoored label differs from the clean model's there). Success rate with its 95 % Wilson
interval (Wilson 1927); key-less baselines (baselines.py) after Goldwasser, Kim, Vaikuntanathan and Zamir (2022)."""

from __future__ import annotations

import numpy as np

from ..playground import rng
from . import baselines, player as player_class, rounds, stats


def chosen_point(config: dict, rnd: rounds.Round, r: int) -> tuple[int, np.ndarray]:
    P = np.asarray(rnd.s.data.test_points, dtype=np.float64).reshape(-1, rnd.s.shape[0])
    i = int(rng.stream(config["seed"], "game", r, 2).integers(0, len(P)))
    return i, P[i]


def play_round(config: dict, game: dict, cls, r: int) -> dict:
    """Round r with a fresh player of class cls: {"round", "point_index", "point", "success", "timed_out",
    "queries", "baseline"}."""
    rnd = rounds.build_round(config, r)
    index, point = chosen_point(config, rnd, r)
    arena = rounds.TriggerArena(rnd, point, game["radius"], game["queries"], cls.whitebox,
                                rounds.player_rng(config, r), game.get("time_budget_s", 0.0))
    cls().trigger(arena)
    return {"round": r, "point_index": index, "point": point.tolist(), "success": arena.fired_at is not None,
            "timed_out": arena.timed_out, "queries": arena.fired_at if arena.fired_at is not None else arena.budget.used,
            "baseline": baselines.forge(rnd)}


def summarise(rows: list[dict], backdoor: dict, seconds: float) -> dict:
    """The success rate of finished rounds with its Wilson interval, and the key-less baselines."""
    n, wins = len(rows), sum(row["success"] for row in rows)
    forged = [row["baseline"] for row in rows if row["baseline"] is not None]
    return {"success": stats.success(wins, n), "queries_mean": sum(row["queries"] for row in rows) / n,
            "baseline_success": stats.success(sum(bool(b["succeeded"]) for b in forged), len(forged))
            if forged else None,
            "baseline_estimate": baselines.estimate(backdoor), "seconds": seconds}


def play(raw_config: object, n_rounds: int, player_name: str) -> dict:
    """{"game", "player", "rounds": [{"round", "point", "success", "queries", "baseline"}], "summary", "config"}."""
    config, game, cls, rows, seconds = rounds.play_series(raw_config, n_rounds, player_name, player_class, play_round)
    return {"game": "trigger", "player": player_name, "whitebox": cls.whitebox, "rounds": rows,
            "summary": summarise(rows, config["backdoor"], seconds), "config": {**config, **game}}


def headline(result: dict) -> str:
    s = result["summary"]["success"]
    bd = result["config"]["backdoor"]
    name = bd["type"] + "".join(f" {bd[k]}" for k in ("variant", "scheme") if k in bd)
    return (f"trigger {name}, player {result['player']}: {s['k']}/{s['n']} triggered "
            f"[{s['lo']:.2f}, {s['hi']:.2f}], {result['summary']['queries_mean']:.0f} queries on average\n")
