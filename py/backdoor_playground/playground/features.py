"""Input features: URL key -> f(x, y), as in TensorFlow Playground plus NN Calculator's three additions; for 3-D
data, SPACE_FEATURES add z, z², xz and yz (x, y, x², y², xy come from the planar set); for d > 3 (digits) the
inputs are the raw coordinates, named px0, px1, ... (input_names)."""

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

# Features of the third coordinate: f(x, y, z). Kept apart from FEATURES, the planar playground's column.
SPACE_FEATURES: dict[str, Feature] = {
    feat.key: feat
    for feat in (
        Feature("z", "X₃", lambda x, y, z: z),
        Feature("zSquared", "X₃²", lambda x, y, z: z * z),
        Feature("xTimesZ", "X₁X₃", lambda x, y, z: x * z),
        Feature("yTimesZ", "X₂X₃", lambda x, y, z: y * z),
    )
}
SPACE_ORDER: tuple[str, ...] = tuple(SPACE_FEATURES)
PIXEL_PREFIX = "px"  # px0 .. px{d-1}: the raw coordinates of high-dimensional data (d > 3)


def input_names(d: int) -> list[str]:
    """The inputs of d > 3 dimensional data: one per coordinate, px0 .. px{d-1}."""
    return [f"{PIXEL_PREFIX}{i}" for i in range(d)]


def _pixel(name: str) -> int | None:
    """i for the name px<i> (no leading zeros), else None."""
    digits = name[len(PIXEL_PREFIX):] if isinstance(name, str) and name.startswith(PIXEL_PREFIX) else ""
    return int(digits) if digits.isdigit() and str(int(digits)) == digits else None


def feature_matrix(points: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Columns f_k(x, y[, z]) (or coordinate i for px<i>) for the named features, in the order given: shape
    (n, len(names)), float64. `points` is (n, d); a flat array is read as 2-D points."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2:
        points = points.reshape(-1, 2)
    d = points.shape[1]
    unknown = [n for n in names if n not in FEATURES and n not in SPACE_FEATURES and _pixel(n) is None]
    if unknown:
        raise ValueError(f"unknown feature(s): {', '.join(map(str, unknown))}")
    out = np.empty((points.shape[0], len(names)), dtype=np.float64)
    x, y = (points[:, 0], points[:, 1]) if d >= 2 else (None, None)
    for k, name in enumerate(names):
        pixel = _pixel(name)
        if pixel is not None:
            if pixel >= d:
                raise ValueError(f"feature {name} needs {pixel + 1} coordinates; the points have {d}")
            out[:, k] = points[:, pixel]
        elif name in SPACE_FEATURES:
            if d != 3:
                raise ValueError(f"feature {name} needs 3-D data (x, y, z); the points have {d} coordinates")
            out[:, k] = SPACE_FEATURES[name].f(x, y, points[:, 2])
        else:
            if d not in (2, 3):
                raise ValueError(f"feature {name} needs 2-D or 3-D data; the points have {d} coordinates")
            out[:, k] = FEATURES[name].f(x, y)
    return out
