"""The picture grid over the data box: every node's values on it, and uint8 packing for frames.

Grids are row-major with row 0 at the TOP (y = +6) and column 0 at the left (x = -6); cell centres are
x_j = -6 + 12 (j + 0.5)/n and y_i = 6 - 12 (i + 0.5)/n. A grid of values is a flat array of n*n numbers.
For 3-D data the grid is the slice at height z (default 0); for K > 2 classes class_grid gives each cell's class
(argmax of the K outputs) and confidence (the largest softmax probability).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np

from .arrays import with_ones_row
from . import classes
from .features import SPACE_FEATURES, feature_matrix
from .nn import MLP

GRID_N = 100
DOMAIN = (-6.0, 6.0)
NAN_SHADE = 127  # the neutral grey: what a NaN value (diverged network) is drawn as
_CACHE_LIMIT = 16  # grids kept per cache; the page uses one or two sizes and one feature set at a time

_points_cache: dict[int, np.ndarray] = {}
_feature_cache: dict[tuple[int, tuple[str, ...], float], np.ndarray] = {}


def _check_n(n: Any, what: str = "n") -> int:
    """`n` as a positive int; ValueError naming `what` otherwise."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    return int(n)


def grid_points(n: int = GRID_N) -> np.ndarray:
    """Cell centres (x_j, y_i) in row-major, top-row-first order: shape (n*n, 2), read-only."""
    n = _check_n(n)
    points = _points_cache.get(n)
    if points is None:
        lo, hi = DOMAIN
        centres = (np.arange(n) + 0.5) * ((hi - lo) / n)
        points = np.empty((n * n, 2))
        points[:, 0] = np.tile(lo + centres, n)
        points[:, 1] = np.repeat(hi - centres, n)
        points.flags.writeable = False
        if len(_points_cache) >= _CACHE_LIMIT:
            _points_cache.clear()
        _points_cache[n] = points
    return points


def quantize(values: Any) -> np.ndarray:
    """uint8 shade round((clip(v, -1, 1) + 1) * 127.5), halves rounding up; NaN -> 127."""
    # Always a fresh float64 array, so the in-place steps below never touch the caller's data.
    v = np.array(values, dtype=np.float64)
    # maximum/minimum rather than np.clip, which is ~10x slower in Pyodide's numpy 2.0; both keep NaN.
    np.maximum(v, -1.0, out=v)
    np.minimum(v, 1.0, out=v)
    # (v + 1) * 127.5 + 0.5 lies in [0.5, 255.5], so truncating toward zero is rounding half up.
    v *= 127.5
    v += 128.0
    np.copyto(v, float(NAN_SHADE), where=np.isnan(v))
    return v.astype(np.uint8)


def reduce_grid(values: Any, n: int, factor: int) -> np.ndarray:
    """Means of factor x factor boxes of an n x n grid: flat (n/factor)^2 array, same row order."""
    n = _check_n(n)
    factor = _check_n(factor, "factor")
    if n % factor:
        raise ValueError(f"reduce_grid: grid size {n} is not a multiple of the box size {factor}")
    values = np.asarray(values, dtype=np.float64)
    if values.size != n * n:
        raise ValueError(f"reduce_grid: expected {n * n} values for a {n}x{n} grid, got {values.size}")
    m = n // factor
    return values.reshape(m, factor, m, factor).mean(axis=(1, 3)).ravel()


def _side(values: np.ndarray, grid_id: str) -> int:
    """n for a flat n*n grid; ValueError naming the grid otherwise."""
    n = math.isqrt(values.size)
    if values.ndim != 1 or n * n != values.size or n == 0:
        raise ValueError(f"grid {grid_id!r}: expected a flat n*n array, got shape {values.shape}")
    return n


def pack_grids(
    grids: Sequence[tuple[str, Any]], full: Iterable[str], thumb_n: int
) -> tuple[bytes, list[dict[str, Any]]]:
    """One uint8 buffer: each grid quantised, at full size if its id is in `full`, else box-averaged to
    thumb_n x thumb_n; layout = [{"id", "offset", "w", "h"}] in the order given (offsets in bytes)."""
    thumb_n = _check_n(thumb_n, "thumb_n")
    full = set(full)
    layout: list[dict[str, Any]] = []
    thumbs: dict[int, list[int]] = {}   # grid side -> indices of the grids to shrink from that side
    parts: list[np.ndarray | None] = []
    for index, (grid_id, values) in enumerate(grids):
        values = np.asarray(values, dtype=np.float64)
        n = _side(values, str(grid_id))
        if grid_id in full or n == thumb_n:
            parts.append(values)
            layout.append({"id": grid_id, "offset": 0, "w": n, "h": n})
            continue
        if n % thumb_n:
            raise ValueError(f"grid {grid_id!r}: side {n} is not a multiple of thumb_n {thumb_n}")
        thumbs.setdefault(n, []).append(index)
        parts.append(values)
        layout.append({"id": grid_id, "offset": 0, "w": thumb_n, "h": thumb_n})
    for n, indices in thumbs.items():
        for i, small in zip(indices, _box_means([parts[i] for i in indices], n, n // thumb_n)):
            parts[i] = small
    offset = 0
    for entry in layout:
        entry["offset"] = offset
        offset += entry["w"] * entry["h"]
    if not parts:
        return b"", layout
    return quantize(np.concatenate(parts)).tobytes(), layout


def _box_means(grids: list[np.ndarray], n: int, factor: int) -> np.ndarray:
    """Box means of several flat n x n grids at once: shape (len(grids), (n / factor)^2)."""
    m = n // factor
    # Summing the `factor` rows of each box band first reduces over contiguous rows (fast); the
    # remaining sums over `factor` adjacent columns go through one matrix-vector product, which beats
    # numpy's reductions over a short last axis by ~2x in Pyodide.
    bands = np.stack([g.reshape(m, factor, n).sum(axis=1) for g in grids])
    weights = np.full(factor, 1.0 / (factor * factor))
    return (bands.reshape(-1, factor) @ weights).reshape(len(grids), m * m)


def slice_points(n: int, z: float) -> np.ndarray:
    """The grid's cell centres at height z: (n*n, 3), rows (x_j, y_i, z)."""
    return np.column_stack([grid_points(n), np.full(n * n, float(z))])


def _check_z(z: Any) -> float:
    if isinstance(z, bool) or not isinstance(z, (int, float, np.integer, np.floating)) or not math.isfinite(z):
        raise ValueError(f"z must be a finite number, got {z!r}")
    return float(z)


def _feature_grids(n: int, feature_names: tuple[str, ...], z: float = 0.0) -> np.ndarray:
    """[F^T; 1]: the features on the grid (the slice at height z when a feature reads z), node-major (F + 1, n*n),
    last row ones; cached and read-only."""
    space = any(name in SPACE_FEATURES for name in feature_names)
    key = (n, feature_names, float(z) if space else 0.0)
    cached = _feature_cache.get(key)
    if cached is None:
        cached = with_ones_row(feature_matrix(slice_points(n, z) if space else grid_points(n), feature_names).T)
        cached.flags.writeable = False
        if len(_feature_cache) >= _CACHE_LIMIT:
            _feature_cache.clear()
        _feature_cache[key] = cached
    return cached


def network_grids(model: MLP, feature_names: Sequence[str], n: int = GRID_N,
                  z: float = 0.0) -> list[tuple[str, np.ndarray]]:
    """Every node's values on the n x n grid from one batched forward pass: feature nodes (ids = feature
    keys), then hidden and output nodes (ids "1", "2", ... in layer order, output last); a node's values
    are its activation outputs as they are (TFP draws them on [-1, 1] too). Feature rows are read-only
    views of a cache (they never change). For 3-D features the grid is the slice at height `z`; a model with K
    output nodes gives K output grids (its logits)."""
    n = _check_n(n)
    names = tuple(feature_names)
    if len(names) != model.layer_sizes[0]:
        raise ValueError(
            f"network_grids: the model has {model.layer_sizes[0]} inputs but {len(names)} features were given"
        )
    inputs = _feature_grids(n, names, _check_z(z))
    model.parameter_vector()
    model.activation_functions()
    # Node-major, every hidden layer's rows written straight into one array: each node's grid is a
    # contiguous row with no transposing copies (the ones row after each layer feeds the next bias).
    hidden = model.layer_sizes[1:-1]
    rows = np.empty((sum(hidden) + len(hidden), n * n))
    buffers, start = [], 0
    for size in hidden:
        buf = rows[start:start + size + 1]
        buf[-1] = 1.0
        buffers.append((buf, buf[:-1]))
        start += size + 1
    with np.errstate(all="ignore"):  # a diverged model gives NaN grids (drawn grey), not warnings
        nodes = model.forward_nodes(inputs, buffers)
    out: list[tuple[str, np.ndarray]] = list(zip(names, inputs[:-1]))
    out.extend((str(i + 1), values) for i, values in enumerate(row for post in nodes.post for row in post))
    return out


def class_grid(model: MLP, feature_names: Sequence[str], n: int = GRID_N,
               z: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(class index int64 (n*n,), confidence float64 (n*n,)) on the grid (the slice at z): the predicted class and
    its probability (classes.probabilities: softmax for K outputs, (o + 1) / 2 for one tanh output)."""
    outputs = network_grids(model, feature_names, n, z)[-model.layer_sizes[-1]:]
    out = np.column_stack([values for _, values in outputs])
    with np.errstate(all="ignore"):
        p = classes.probabilities(out)
    index = np.argmax(np.nan_to_num(p, nan=-1.0), axis=1)
    return index.astype(np.int64), p[np.arange(p.shape[0]), index]
