"""A person plays the games (the page's Games panel): the same rounds as the command line's players get
(rounds.build_round on seed "<seed>/r", the referee's secret slot draw, the trigger game's point), with the person's
queries in place of a player's. The secret (which slot is backdoored) stays in this object until the guess: the
public view of a round carries the data, the budget and the answers to queries, never the slot. Scored as the
automated players are: the distinguishing advantage |2 P(correct) - 1| with its 95 % interval (stats.py), the
trigger success rate with its Wilson interval; Goldwasser, Kim, Vaikuntanathan and Zamir (2022).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from ..limits import not_one_of
from ..playground.activations import FAMILIES
from . import GAMES, distinguish, rounds, stats, trigger


def _points(raw: Any, d: int) -> np.ndarray:
    """(m, d) finite floats from a list of points; ValueError starting "points"."""
    if isinstance(raw, (str, bytes)) or not isinstance(raw, (list, tuple)) or not raw:
        raise ValueError(f"points: expected a non-empty list of points with {d} coordinates each")
    out = []
    for i, p in enumerate(raw):
        if isinstance(p, (str, bytes)) or not isinstance(p, (list, tuple)) or len(p) != d:
            raise ValueError(f"points: point {i} must have {d} coordinates, got {p!r}")
        try:
            row = [float(v) for v in p]
        except (TypeError, ValueError):
            raise ValueError(f"points: point {i} must be numbers, got {p!r}") from None
        if not all(math.isfinite(v) for v in row):
            raise ValueError(f"points: point {i} must be finite, got {p!r}")
        out.append(row)
    return np.asarray(out, dtype=np.float64)


def _raw(v: Any) -> Any:
    return np.asarray(v, dtype=np.float64).tolist()


def network_view(view: dict) -> dict:
    """A white-box view for a table: per layer its size, operator, weights and biases with their statistics,
    the operator's parameters (a registered family's field) and the wrapping blocks' public views."""
    net = view["network"]
    layers = []
    for i, (w, b) in enumerate(zip(net["weights"], net["biases"])):
        flat = np.abs(np.concatenate([np.asarray(w, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64)]))
        layers.append({"layer": i + 1, "n_in": net["layer_sizes"][i], "n_out": net["layer_sizes"][i + 1],
                       "operator": net["activation_names"][i], "weights": w, "biases": b,
                       "mean_abs": float(flat.mean()) if len(flat) else 0.0,
                       "max_abs": float(flat.max()) if len(flat) else 0.0})
    standard = {"layer_sizes", "activation_names", "weights", "biases", "dead"}
    # a model file carries its family's parameters even when no operator of the family is in use: shown when one is
    used = any(name in FAMILIES for name in net["activation_names"])
    extra = {k: v for k, v in net.items() if k not in standard} if used else {}
    return {"layers": layers, "operator_params": extra, "blocks": view["blocks"]}


class HumanGame:
    """One person's series of rounds of one game on one config. new_round() builds the next round; query()
    answers; guess() (distinguish) or the spent budget (trigger) ends it; score() sums up the finished rounds."""

    def __init__(self, raw_config: Any, game: Any, whitebox: bool = False, first_round: int = 0):
        if not isinstance(game, str) or game not in GAMES:
            raise not_one_of("game", game, GAMES)
        self.config, self.settings = rounds.split_config(raw_config)
        self.raw_config = raw_config
        self.game, self.whitebox = game, bool(whitebox)
        self.rows: list[dict] = []
        self.started = int(first_round)  # a new series goes on from the last one's rounds: fresh secret draws
        self._round: rounds.Round | None = None
        self._arena: Any = None
        self._truth: int | None = None
        self._point_index = -1
        self._began = 0.0

    # -- a round -----------------------------------------------------------------------------------------------
    def new_round(self) -> dict:
        """Train and plant round r (the next one); its public view. An unfinished round is dropped unscored."""
        r = self.started
        self.started += 1
        self._round = rnd = rounds.build_round(self.config, r)
        gen = rounds.player_rng(self.config, r)
        if self.game == "distinguish":
            self._truth = rounds.secret_order(self.config, r)
            self._arena = rounds.DistinguishArena(rnd, self._truth, self.settings["queries"], self.whitebox, gen)
        else:
            self._point_index, point = trigger.chosen_point(self.config, rnd, r)
            self._arena = rounds.TriggerArena(rnd, point, self.settings["radius"], self.settings["queries"],
                                              self.whitebox, gen, self.settings["time_budget_s"])
        self._began = time.perf_counter()
        return self.view()

    def view(self) -> dict:
        """What the page may know of the live round: data, budget, the trigger point; never the slot."""
        a = self._live()
        k = int(self._round.s.shape[1]) if self._round else 2
        out = {"game": self.game, "round": self.started - 1, "whitebox": self.whitebox, "d": int(a.d), "k": k,
               "queries": a.budget.limit, "left": a.budget.left, "low": a.low.tolist(), "high": a.high.tolist(),
               "train_points": a.train_points.tolist(), "train_labels": a.train_labels.tolist(),
               "finished": len(self.rows), "score": self.score()}
        if self.game == "trigger":
            label = self._round.outputs(True, a.point[None, :])[0][0] if self._round else float("nan")
            out.update(point=a.point.tolist(), radius=a.radius, time_budget_s=a.time_budget_s,
                       point_label=float(label))
        return out

    def _live(self) -> Any:
        if self._arena is None:
            raise ValueError("round: no round is under way; start a new round")
        return self._arena

    def query(self, points: Any) -> dict:
        """Distinguish: both slots' labels and raw outputs per point. Trigger: the backdoored model's, whether the
        backdoor fired there, and the round's end (fired, budget spent or time up)."""
        a = self._live()
        P = _points(points, a.d)
        if a.budget.left <= 0:
            raise ValueError(f"queries: all {a.budget.limit} queries of this round are used")
        if self.game == "distinguish":
            A, B = a.query(P)
            rows = [{"point": A["points"][i].tolist(), "labels": [float(A["labels"][i]), float(B["labels"][i])],
                     "raw": [_raw(A["raw"][i]), _raw(B["raw"][i])]} for i in range(len(A["points"]))]
            return {"answers": rows, "left": a.budget.left}
        start = a.budget.used
        out = a.query(P)
        rows = [{"point": out["points"][i].tolist(), "label": float(out["labels"][i]), "raw": _raw(out["raw"][i]),
                 "fired": a.fired_at == start + i + 1} for i in range(len(out["points"]))]
        reply = {"answers": rows, "left": a.budget.left, "fired": a.fired_at is not None,
                 "timed_out": a.timed_out, "over": a.done}
        if a.done:
            reply["result"] = self._end_trigger()
        return reply

    def _end_trigger(self) -> dict:
        a = self._live()
        row = {"round": self.started - 1, "point_index": self._point_index, "success": a.fired_at is not None,
               "timed_out": a.timed_out, "queries": a.fired_at if a.fired_at is not None else a.budget.used,
               "seconds": time.perf_counter() - self._began}
        self.rows.append(row)
        self._arena = self._round = None
        return {**row, "score": self.score()}

    def give_up(self) -> dict:
        """End a trigger round now (time is up, or the person stops): scored as not triggered."""
        if self.game != "trigger":
            raise ValueError("game: only the trigger game ends without a guess; guess A or B")
        self._live().out_of_time()
        return self._end_trigger()

    def guess(self, slot: Any) -> dict:
        """Name the backdoored slot (0 = A, 1 = B): the truth revealed, the round scored."""
        if self.game != "distinguish":
            raise ValueError("game: only the distinguish game takes a guess")
        if slot not in (0, 1) or isinstance(slot, bool):
            raise ValueError(f"slot: 0 (A) or 1 (B), got {slot!r}")
        a = self._live()
        row = {"round": self.started - 1, "truth": self._truth, "guess": int(slot),
               "correct": int(slot) == self._truth, "queries": a.budget.used,
               "seconds": time.perf_counter() - self._began}
        self.rows.append(row)
        self._arena = self._round = None
        self._truth = None
        return {**row, "score": self.score()}

    def whitebox_view(self) -> list[dict]:
        """White-box rounds: both slots' networks (distinguish) or the backdoored one (trigger), as tables."""
        a = self._live()
        if not self.whitebox:
            raise ValueError("whitebox: this round is black-box; tick white-box and start a new round")
        if self.game == "distinguish":
            return [network_view(a.whitebox(0)), network_view(a.whitebox(1))]
        return [network_view(a.whitebox())]

    # -- the score -----------------------------------------------------------------------------------------------
    def score(self) -> dict | None:
        """The finished rounds' score (None before the first): distinguish's summary or the trigger rate."""
        if not self.rows:
            return None
        if self.game == "distinguish":
            return distinguish.summarise(self.rows, sum(r["seconds"] for r in self.rows))
        wins = sum(r["success"] for r in self.rows)
        return {"success": stats.success(wins, len(self.rows)), "rounds": len(self.rows),
                "queries_mean": sum(r["queries"] for r in self.rows) / len(self.rows)}
