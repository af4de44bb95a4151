"""What both activations share: the points they attack (checked; "all" or test-point indices), JSON-safe record
values, and the summary of a run: attempted, matched, flipped, |dx| statistics and the checksum numbers."""

from __future__ import annotations

import math
import statistics
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..defense.attacked import activation_figures
from ..playground.nn import MLP
from .activation import ChecksumParams

METHODS = ("digit-edit", "search")


def _num(value: Any) -> float | None:
    """A JSON-safe float (None for NaN/inf)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _check_points(points: Any) -> np.ndarray:
    """(n, d) float64 points (a flat list is read as 2-D points); ValueError for anything else."""
    try:
        P = np.array(points, dtype=np.float64)
        P = P if P.ndim == 2 else P.reshape(-1, 2)
    except (TypeError, ValueError):
        raise ValueError("points must be an (n, d) array of numbers") from None
    if not np.isfinite(P).all():
        raise ValueError("points contain NaN or infinity")
    return P


def check_points(points: Any) -> Any:
    """A config's `points`: "all" or a list of non-negative test indices (ValueError otherwise); range is checked
    later against the test set (select_indices)."""
    if not (points == "all" or (isinstance(points, list) and all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in points))):
        raise ValueError(f"points must be \"all\" or a list of test-point indices, got {points!r}")
    return points


def select_indices(n: int, indices: Any) -> np.ndarray:
    """"all" or None -> 0..n-1; otherwise the given point indices, each checked to lie in 0..n-1."""
    if indices is None or (isinstance(indices, str) and indices == "all"):
        return np.arange(n)
    if isinstance(indices, (str, bytes, Mapping)) or not isinstance(indices, Iterable):
        raise ValueError(f"points must be \"all\" or a list of point indices, got {indices!r}")
    out = []
    for i in indices:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
            raise ValueError(f"point index {i!r} is out of range 0..{n - 1}")
        out.append(int(i))
    return np.array(out, dtype=np.int64)


def _check_model_inputs(model: MLP, feature_names: Sequence[str]) -> list[str]:
    names = list(feature_names)
    if len(names) != model.layer_sizes[0]:
        raise ValueError(f"the model has {model.layer_sizes[0]} inputs but {len(names)} features were given")
    if len(model.layer_sizes) < 3:
        raise ValueError("networkShape: activation needs at least one hidden layer")
    return names


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _summary(records: list[dict], csum: ChecksumParams, seconds: float, method: str) -> dict:
    """attempted, matched, flipped, and the activation's size and cost (defense/attacked.activation_figures: |dx|
    over every activated point, seconds per activated point), as the metrics table has them."""
    flipped = sum(1 for r in records if r["flipped"])
    n = len(records)
    return {
        "method": method,
        "attempted": n,
        "matched": sum(1 for r in records if r["matched"]),
        "flipped": flipped,
        "flip_rate": flipped / n if n else None,
        **activation_figures([r["delta"] for r in records], seconds),
        "seconds": seconds,
        **csum.to_dict(),
    }
