"""Inverting an input feature: the coordinate values nearest a point that give the feature value z (NN Calculator's
INVERSEINPUTS, done right: each feature is inverted with its own value, not feature 0's). invert_point does it for
points of any dimension d: the planar features move x or y, the 3-D ones (z, z², xz, yz) move z, x or y, and a raw
coordinate px<i> (d > 3, the digits) is its own inverse."""

from __future__ import annotations

import math

import numpy as np

from ..playground.datasets import BOX
from ..playground.features import FEATURES, SPACE_FEATURES, _pixel


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


# coordinate each 3-D feature's inverse moves (2 = X3)
SPACE_MOVED = {"z": 2, "zSquared": 2, "xTimesZ": 0, "yTimesZ": 1}
if set(SPACE_MOVED) != set(SPACE_FEATURES):
    raise RuntimeError("every 3-D feature needs an inverse")


def moved_coordinate(name: str) -> int:
    """The coordinate feature `name`'s inverse moves: MOVED_COORDINATE, SPACE_MOVED, or i for px<i>."""
    pixel = _pixel(name)
    if pixel is not None:
        return pixel
    return SPACE_MOVED[name] if name in SPACE_MOVED else MOVED_COORDINATE[name]


def invert_point(name: str, z: np.ndarray, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P', ok): rows of the (n, d) points P moved along moved_coordinate(name) so that feature `name` equals z.

    2-D points go through invert_feature (the numbers of the plane stay as they were); 3-D points keep every
    coordinate inside the data box; a raw coordinate (px<i>, d > 3) is set to z (only finiteness is required: the
    digits' pixel range 0..16 or 0..1 is not the box, and the model reads any float)."""
    P = np.asarray(P, dtype=np.float64)
    out = P.copy()
    if P.shape[1] == 2 or name in FEATURES:
        x, y, ok = invert_feature(name, z, P[:, 0], P[:, 1])
        out[:, 0], out[:, 1] = x, y
        if P.shape[1] == 3:
            ok &= np.abs(P[:, 2]) <= BOX
        return out, ok
    ok = np.isfinite(z)
    with np.errstate(all="ignore"):
        if _pixel(name) is not None:
            out[:, _pixel(name)] = z
            return out, ok & np.isfinite(z)
        x, y, c = P[:, 0], P[:, 1], P[:, 2]
        if name == "z":
            c = z
        elif name == "zSquared":
            ok &= z >= 0
            c = _sign(c) * np.sqrt(np.abs(z))
        elif name == "xTimesZ":
            ok &= c != 0
            x = z / c
        elif name == "yTimesZ":
            ok &= c != 0
            y = z / c
        else:
            raise ValueError(f"unknown feature {name!r}")
        out[:, 0], out[:, 1], out[:, 2] = x, y, c
        ok &= np.isfinite(out).all(axis=1) & (np.abs(out) <= BOX).all(axis=1)
    return out, ok
