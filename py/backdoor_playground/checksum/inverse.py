"""Inverting an input feature: the coordinate values nearest a point that give the feature value z (NN Calculator's
INVERSEINPUTS, done right: each feature is inverted with its own value, not feature 0's)."""

from __future__ import annotations

import math

import numpy as np

from ..playground.datasets import BOX
from ..playground.features import FEATURES


def _sine_branch(z: np.ndarray, near: np.ndarray) -> np.ndarray:
    """The t with sin t = z nearest to `near`: asin z + 2 pi k or pi - asin z + 2 pi k."""
    a = np.arcsin(np.clip(z, -1.0, 1.0))
    two_pi = 2.0 * math.pi
    c1 = a + two_pi * np.round((near - a) / two_pi)
    b = math.pi - a
    c2 = b + two_pi * np.round((near - b) / two_pi)
    return np.where(np.abs(c1 - near) <= np.abs(c2 - near), c1, c2)


def _sign(v: np.ndarray) -> np.ndarray:
    return np.where(v < 0, -1.0, 1.0)


def invert_feature(name: str, z: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x', y', ok): the point nearest (x, y) along the coordinate that feature `name` is inverted for."""
    ok = np.isfinite(z)
    with np.errstate(all="ignore"):
        if name == "x":
            x = z
        elif name == "y":
            y = z
        elif name == "xSquared":
            ok &= z >= 0
            x = _sign(x) * np.sqrt(np.abs(z))
        elif name == "ySquared":
            ok &= z >= 0
            y = _sign(y) * np.sqrt(np.abs(z))
        elif name == "xTimesY":
            ok &= y != 0
            x = z / y
        elif name == "sinX":
            ok &= np.abs(z) <= 1
            x = _sine_branch(z, x)
        elif name == "sinY":
            ok &= np.abs(z) <= 1
            y = _sine_branch(z, y)
        elif name == "sinXTimesY":
            ok &= (np.abs(z) <= 1) & (y != 0)
            x = _sine_branch(z, x * y) / y
        elif name == "cir":
            t = _sine_branch(z, x * x + y * y)
            ok &= (np.abs(z) <= 1) & (t - y * y >= 0)
            x = _sign(x) * np.sqrt(np.abs(t - y * y))
        elif name == "avg":
            x = 2.0 * z - y
        else:
            raise ValueError(f"unknown feature {name!r}")
        ok &= np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= BOX) & (np.abs(y) <= BOX)
    return x, y, ok


# coordinate each feature's inverse moves (0 = X1, 1 = X2)
MOVED_COORDINATE = {"x": 0, "y": 1, "xSquared": 0, "ySquared": 1, "xTimesY": 0, "sinX": 0, "sinY": 1,
                    "sinXTimesY": 0, "cir": 0, "avg": 0}
if set(MOVED_COORDINATE) != set(FEATURES):
    raise RuntimeError("every feature needs an inverse")
