"""BadNets' trigger in 2-D: T(x) = c + h x / 6 maps the data box [-6, 6]^2 onto the square of half-width h around c
(distinct points stay distinct), and poisoning applies T to a seeded share of the training points and relabels them
to the target class. |T(x) - x| is of the order of the box itself: the trigger is visible, unlike the checksum's."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..playground.datasets import BOX


@dataclass(frozen=True)
class Trigger:
    """The square trigger region: centre (cx, cy) and half-width h."""

    cx: float
    cy: float
    half_width: float

    def apply(self, points: np.ndarray) -> np.ndarray:
        """T(x) = c + h x / 6, row by row."""
        P = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        return np.array([self.cx, self.cy]) + self.half_width * P / BOX

    def contains(self, points: np.ndarray) -> np.ndarray:
        """(k,) bool: the point lies in the region (where an untouched input already wears the trigger)."""
        P = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        return (np.abs(P[:, 0] - self.cx) <= self.half_width) & (np.abs(P[:, 1] - self.cy) <= self.half_width)

    def to_dict(self) -> dict:
        return {"center": [self.cx, self.cy], "half_width": self.half_width}


def choose_poisoned(n: int, rate: float, gen: np.random.Generator) -> np.ndarray:
    """Sorted indices of round(rate n) training points (at least one when n > 0), drawn without replacement."""
    count = min(n, max(1, int(round(rate * n)))) if n else 0
    return np.sort(gen.permutation(n)[:count])


def poison(points: np.ndarray, labels: np.ndarray, chosen: np.ndarray, trigger: Trigger,
           target: float) -> tuple[np.ndarray, np.ndarray]:
    """Copies of the training set with the chosen points moved into the trigger region and labelled `target`."""
    P = np.array(points, dtype=np.float64).reshape(-1, 2)
    y = np.array(labels, dtype=np.float64).ravel()
    P[chosen] = trigger.apply(P[chosen])
    y[chosen] = target
    return P, y
