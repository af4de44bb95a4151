"""The boundary player: queries near the decision boundary both models seem to share (a backdoor has to change a
label somewhere, and a boundary is where a small change shows). It bisects between nearest training points of
different labels on slot 0's labels (they look alike), then jitters around the boundary points it found."""

from __future__ import annotations

import numpy as np

from . import evidence

BISECTIONS = 8
PAIRS = 8


def opposite_pairs(arena, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """n (point, nearest point of another label) pairs of training points, the first points drawn at random."""
    P, y = arena.train_points, arena.train_labels
    out = []
    for i in arena.rng.permutation(len(P))[:4 * n].tolist():
        other = np.flatnonzero(y != y[i])
        if len(other):
            j = other[np.argmin(((P[other] - P[i]) ** 2).sum(axis=1))]
            out.append((P[i], P[j]))
        if len(out) >= n:
            break
    return out


class BoundaryPlayer:
    name = "boundary"
    whitebox = False

    def _bisect(self, arena, ask, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
        la = ask(a[None, :])
        if la is None:
            return None
        for _ in range(BISECTIONS):
            mid = (a + b) / 2
            lm = ask(mid[None, :])
            if lm is None:
                break
            a, b = (mid, b) if lm[0] == la[0] else (a, mid)
        return (a + b) / 2

    def distinguish(self, arena) -> int:
        tally = evidence.Tally()

        def ask(P):
            if arena.budget.left < len(P):
                return None
            a, b = arena.query(P)
            tally.add(arena, a, b)
            return a["labels"]
        edges = [e for e in (self._bisect(arena, ask, a, b) for a, b in opposite_pairs(arena, PAIRS)) if e is not None]
        spread = 0.05 * (arena.high - arena.low)
        while arena.budget.left > 0 and edges:
            n = min(32, arena.budget.left)
            base = np.asarray(edges)[np.arange(n) % len(edges)]
            tally.add(arena, *arena.query(base + spread * arena.rng.standard_normal(base.shape)))
        while arena.budget.left > 0:
            tally.add(arena, *arena.query(evidence.uniform(arena, min(64, arena.budget.left))))
        return tally.guess(arena.rng)

    def trigger(self, arena) -> None:
        """Walk from the point toward the nearest training point of another label, inside the ball."""
        P, y = arena.train_points, arena.train_labels
        here = arena.query(arena.point[None, :])["labels"]
        other = np.flatnonzero(y != here[0]) if len(here) else np.zeros(0, int)
        target = P[other[np.argmin(((P[other] - arena.point) ** 2).sum(axis=1))]] if len(other) else arena.point

        def sampler(a, n):
            t = a.rng.random((n, 1))
            return a.point + t * (target - a.point) + 0.1 * a.radius * a.rng.standard_normal((n, a.d))
        evidence.play_trigger(arena, sampler)
