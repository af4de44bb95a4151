"""What the automated players share: the decision rule of a black-box distinguisher and the trigger game's loop.

Decision rule: at each queried point where the two models disagree, the suspect is the slot whose label disagrees
with the public training data there (the majority label of the k = 5 nearest training points); the guess is the slot
with more suspicion, and a coin flip (the player's own stream) on a tie -- including when they never disagreed.
"""

from __future__ import annotations

import numpy as np

K_NEAREST = 5


def data_labels(train_points: np.ndarray, train_labels: np.ndarray, P: np.ndarray) -> np.ndarray:
    """The majority label of the K_NEAREST training points of each row of P (ties: the nearest point's label)."""
    if not len(P):
        return np.zeros(0)
    d2 = ((P[:, None, :] - train_points[None, :, :]) ** 2).sum(axis=2)
    k = min(K_NEAREST, train_points.shape[0])
    near = np.argsort(d2, axis=1, kind="stable")[:, :k]
    votes = train_labels[near]
    out = np.empty(len(P))
    for i, row in enumerate(votes):
        values, counts = np.unique(row, return_counts=True)
        best = values[counts == counts.max()]
        out[i] = row[0] if len(best) > 1 else best[0]
    return out


class Tally:
    """Suspicion per slot from the disagreements seen so far."""

    def __init__(self) -> None:
        self.suspicion = [0, 0]
        self.disagreements = 0

    def add(self, arena, a: dict, b: dict) -> None:
        differ = np.flatnonzero(a["labels"] != b["labels"])
        if not len(differ):
            return
        self.disagreements += len(differ)
        truth = data_labels(arena.train_points, arena.train_labels, a["points"][differ])
        self.suspicion[0] += int(np.sum(a["labels"][differ] != truth))
        self.suspicion[1] += int(np.sum(b["labels"][differ] != truth))

    def guess(self, gen: np.random.Generator) -> int:
        if self.suspicion[0] == self.suspicion[1]:
            return int(gen.integers(0, 2))
        return 0 if self.suspicion[0] > self.suspicion[1] else 1


def uniform(arena, n: int) -> np.ndarray:
    """n points uniform in the data box."""
    return arena.low + (arena.high - arena.low) * arena.rng.random((max(0, n), len(arena.low)))


def in_ball(arena, n: int) -> np.ndarray:
    """n points uniform in the max-norm ball of the trigger game's radius around its point."""
    return arena.point + arena.radius * (2 * arena.rng.random((max(0, n), arena.d)) - 1)


def tiny_perturbations(arena, base: np.ndarray, n: int, scales=(1e-3, 1e-6, 1e-9)) -> np.ndarray:
    """n tiny random perturbations of `base` (rows cycled), each at one of the scales relative to the box."""
    base = np.asarray(base, dtype=np.float64).reshape(-1, len(arena.low))
    rows = base[np.arange(n) % len(base)]
    scale = np.asarray(scales)[np.arange(n) % len(scales)][:, None] * (arena.high - arena.low)
    return rows + scale * (2 * arena.rng.random(rows.shape) - 1)


def play_trigger(arena, sampler, batch: int = 16) -> None:
    """Query batches from sampler(arena, n) until the referee says the backdoor fired or the budget is spent."""
    while not arena.done:
        P = sampler(arena, min(batch, arena.budget.left))
        if not len(P):
            return
        arena.query(np.clip(P, arena.point - arena.radius, arena.point + arena.radius))
