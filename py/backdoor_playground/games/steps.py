"""An automated player's game in steps, for the page's worker: the command line's rounds (distinguish.play_round,
trigger.play_round: the same seeds, slots and points, so the same rows) run whole rounds at a time within a time
budget per step, with the score so far; cancel() keeps the finished rounds. Scored as distinguish.summarise /
trigger.summarise (the advantage |2 P - 1| with its 95 % interval; Goldwasser, Kim, Vaikuntanathan, Zamir 2022)."""

from __future__ import annotations

import time
from typing import Any

from . import distinguish, player as player_class, rounds, trigger
from ..limits import not_one_of

MODULES = {"distinguish": distinguish, "trigger": trigger}


class PlayerRun:
    """`rounds` rounds of `game` played by the registered player `player_name` on a game config."""

    def __init__(self, raw_config: Any, game: Any, player_name: Any, n_rounds: Any):
        if not isinstance(game, str) or game not in MODULES:
            raise not_one_of("game", game, MODULES)
        self.cls = player_class(player_name)
        self.config, self.settings = rounds.split_config(raw_config)
        self.game, self.player = game, player_name
        self.total = rounds.LIMITS["rounds"].check("rounds", n_rounds)
        self.rows: list[dict] = []
        self.seconds = 0.0
        self.cancelled = False
        self._final: dict | None = None

    @property
    def finished(self) -> bool:
        return self.cancelled or len(self.rows) >= self.total

    def step(self, budget_ms: float = 200.0) -> dict:
        """Whole rounds for about budget_ms (at least one); the progress."""
        start = time.perf_counter()
        while not self.finished:
            self.rows.append(MODULES[self.game].play_round(self.config, self.settings, self.cls, len(self.rows)))
            if (time.perf_counter() - start) * 1000 >= budget_ms:
                break
        self.seconds += time.perf_counter() - start
        return self.progress()

    def cancel(self) -> dict:
        """Stop between rounds: the progress with the rounds finished so far."""
        self.cancelled = True
        return self.progress()

    def summary(self) -> dict | None:
        if not self.rows:
            return None
        if self.game == "distinguish":
            return distinguish.summarise(self.rows, self.seconds)
        if self.finished:  # the baselines' estimate calibrates for ~0.1 s: once, at the end
            if self._final is None:
                self._final = trigger.summarise(self.rows, self.config["backdoor"], self.seconds)
            return self._final
        n, wins = len(self.rows), sum(r["success"] for r in self.rows)
        return {"success": trigger.stats.success(wins, n), "queries_mean": sum(r["queries"] for r in self.rows) / n,
                "seconds": self.seconds}

    def progress(self) -> dict:
        return {"game": self.game, "player": self.player, "whitebox": self.cls.whitebox, "done": len(self.rows),
                "total": self.total, "finished": self.finished, "cancelled": self.cancelled,
                "seconds": self.seconds, "summary": self.summary(), "rounds": self.rows}
