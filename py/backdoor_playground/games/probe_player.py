"""The perturbation probe: tiny random perturbations (1e-3, 1e-6 and 1e-9 of the box) of base points drawn
uniform in the box (half the budget), looking for a label change that one model shows and the other does not (a
checksum in the operator fires on low-order digits, a poisoned patch on a region); decided by the shared rule."""

from __future__ import annotations

from . import evidence

PER_BASE = 1  # one tiny perturbation per base point: half the budget scans the box


class ProbePlayer:
    name = "probe"
    whitebox = False

    def distinguish(self, arena) -> int:
        tally = evidence.Tally()
        while arena.budget.left > 0:
            n_base = max(1, min(32, arena.budget.left // (PER_BASE + 1)))
            base = evidence.uniform(arena, n_base)
            tally.add(arena, *arena.query(base))
            if arena.budget.left > 0:
                tally.add(arena, *arena.query(evidence.tiny_perturbations(arena, base, n_base * PER_BASE)))
        return tally.guess(arena.rng)

    def trigger(self, arena) -> None:
        evidence.play_trigger(arena, lambda a, n: evidence.tiny_perturbations(a, a.point, n))
