"""Array in, array out for the checksums: a number or array-like of reals -> float64 array; results back in the
input's shape (a Python number for a scalar); float64 bit patterns of finite values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def as_float_array(values: Any) -> tuple[np.ndarray, bool]:
    """(float64 array, is_scalar) for a number or an array-like of real numbers; ValueError otherwise."""
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError) as exc:  # ragged lists and the like
        raise ValueError(f"values must be real numbers: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"values must be real numbers, got dtype {arr.dtype}")
    is_scalar = arr.ndim == 0 and not isinstance(values, np.ndarray)
    return arr.astype(np.float64, copy=False), is_scalar


def finish(result: np.ndarray, shape: tuple[int, ...], is_scalar: bool) -> Any:
    """Residues in the input's shape; a Python int for a scalar input."""
    result = result.reshape(shape)
    return result.item() if is_scalar else result


def match_output(result: np.ndarray, shape: tuple[int, ...], is_scalar: bool) -> Any:
    """Edited values in the input's shape (NaN where the edit missed); a float or None for a scalar input."""
    if is_scalar:
        value = float(result[0])
        return None if math.isnan(value) else value
    return result.reshape(shape)


def finite_bits(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(float64 bit patterns with -0 mapped to +0, finite mask) of a 1-D array."""
    finite = np.isfinite(values)
    clean = np.where(finite & (values != 0), values, 0.0)
    return clean.view(np.uint64), finite


def check_rng(rng: Any) -> None:
    """ValueError unless rng is a numpy Generator or None."""
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator or None")
