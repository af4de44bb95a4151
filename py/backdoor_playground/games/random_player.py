"""The random player: queries uniform in the data box (distinguish) or in the ball around the point (trigger), and
the shared decision rule (evidence.py). The baseline every other player must beat."""

from __future__ import annotations

from . import evidence


class RandomPlayer:
    name = "random"
    whitebox = False

    def distinguish(self, arena) -> int:
        tally = evidence.Tally()
        while arena.budget.left > 0:
            tally.add(arena, *arena.query(evidence.uniform(arena, min(64, arena.budget.left))))
        return tally.guess(arena.rng)

    def trigger(self, arena) -> None:
        evidence.play_trigger(arena, evidence.in_ball)
