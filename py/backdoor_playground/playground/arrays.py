"""Shape-checked arrays for the network: sizes, float and bool arrays of an exact shape (ValueError naming the
field otherwise), and the node-major [A; 1] layout."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def with_ones_row(A: np.ndarray) -> np.ndarray:
    """[A; 1]: A (k, m) with a row of ones appended, shape (k + 1, m), C-contiguous."""
    out = np.empty((A.shape[0] + 1, A.shape[1]))
    out[:-1] = A
    out[-1] = 1.0
    return out


def as_size(value: Any, what: str, minimum: int) -> int:
    """`value` as an int >= minimum (integral floats accepted, bools not); ValueError naming `what`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, (float, np.floating)) and not float(value).is_integer():
        raise ValueError(f"{what} must be an integer, got {value!r}")
    size = int(value)
    if size < minimum:
        raise ValueError(f"{what} must be >= {minimum}, got {size}")
    return size


def as_float_array(value: Any, shape: tuple[int, ...], what: str, *, finite: bool) -> np.ndarray:
    """`value` as a new float64 array of exactly `shape`; ValueError naming `what` otherwise."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: not an array of numbers ({exc})") from None
    if arr.size == 0 and math.prod(shape) == 0:
        arr = arr.reshape(shape)  # JSON turns a (0, k) matrix into [], which has shape (0,)
    if arr.shape != shape:
        raise ValueError(f"{what}: expected shape {shape}, got {arr.shape}")
    if finite and not np.isfinite(arr).all():
        raise ValueError(f"{what} contains NaN or infinity")
    return arr


def as_bool_array(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """`value` as a new bool array of exactly `shape`, entries true/false or 1/0 only."""
    arr = as_float_array(value, shape, what, finite=True)
    if not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError(f"{what}: entries must be true/false")
    return arr.astype(bool)
