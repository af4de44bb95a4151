"""Input features: URL key -> f(x, y), as in TensorFlow Playground plus NN Calculator's three additions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np


@dataclass(frozen=True)
class Feature:
    key: str     # URL key, e.g. "xSquared"
    label: str   # what the page shows, e.g. "X₁²"
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    feat.key: feat
    for feat in (
        Feature("x", "X₁", lambda x, y: x),
        Feature("y", "X₂", lambda x, y: y),
        Feature("xSquared", "X₁²", lambda x, y: x * x),
        Feature("ySquared", "X₂²", lambda x, y: y * y),
        Feature("xTimesY", "X₁X₂", lambda x, y: x * y),
        Feature("sinX", "sin(X₁)", lambda x, y: np.sin(x)),
        Feature("sinY", "sin(X₂)", lambda x, y: np.sin(y)),
        Feature("sinXTimesY", "sin(X₁X₂)", lambda x, y: np.sin(x * y)),
        Feature("cir", "sin(X₁²+X₂²)", lambda x, y: np.sin(x * x + y * y)),
        Feature("avg", "(X₁+X₂)/2", lambda x, y: (x + y) / 2),
    )
}

FEATURE_ORDER: tuple[str, ...] = tuple(FEATURES)


def feature_matrix(points: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Columns f_k(x, y) for the named features, in the order given: shape (n, len(names)), float64."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x, y = points[:, 0], points[:, 1]
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s): {', '.join(unknown)}")
    out = np.empty((points.shape[0], len(names)), dtype=np.float64)
    for k, name in enumerate(names):
        out[:, k] = FEATURES[name].f(x, y)
    return out
