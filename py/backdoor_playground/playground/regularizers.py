"""Weight penalties: URL name -> Regularizer(f, df), as TensorFlow Playground's `RegularizationFunction`.

Only weights are regularised, never biases. `dead_on_crossing` marks L1: a weight that the regularisation
step pushes across zero is set to 0 and frozen (a "dead link").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Regularizer:
    name: str
    f: Callable[[np.ndarray], np.ndarray]    # w -> per-weight penalty
    df: Callable[[np.ndarray], np.ndarray]   # w -> d penalty / d w
    dead_on_crossing: bool = False


def _zero(w: np.ndarray) -> np.ndarray:
    """R(w) = 0 and R'(w) = 0."""
    return np.zeros_like(w)


def _l1(w: np.ndarray) -> np.ndarray:
    """R(w) = |w|."""
    return np.abs(w)


def _l1_df(w: np.ndarray) -> np.ndarray:
    """R'(w) = sign(w), 0 at w = 0."""
    return np.sign(w)


def _l2(w: np.ndarray) -> np.ndarray:
    """R(w) = w^2 / 2."""
    return 0.5 * w * w


def _l2_df(w: np.ndarray) -> np.ndarray:
    """R'(w) = w."""
    return np.array(w, dtype=np.float64, copy=True)


REGULARIZERS: dict[str, Regularizer] = {
    reg.name: reg
    for reg in (
        Regularizer("none", _zero, _zero),
        Regularizer("L1", _l1, _l1_df, dead_on_crossing=True),
        Regularizer("L2", _l2, _l2_df),
    )
}


def get_regularizer(name: str) -> Regularizer:
    """The registered Regularizer called `name`; ValueError if there is none."""
    try:
        return REGULARIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown regularization {name!r}; expected one of {', '.join(REGULARIZERS)}"
        ) from None
