"""Geometry of NN Calculator's trojans T1-T10 in data coordinates, for drawing the regions on the plot.

The regions are the ones `datasets.trojan_mask` selects (that function stays the single source of truth for
relabelling; this module only describes its shapes). Kinds, all in data coordinates of the box [-6, 6]^2:

- "disk":  {cx, cy, r}; a point is inside when hypot(x - cx, y - cy) < r (boundary excluded).
- "rect":  {x0, x1, y0, y1}; inside when x0 <= x <= x1 and y0 <= y <= y1 (boundary included).
- "band":  {nx, ny, offset, half_width, polygon}; inside when |nx x + ny y - offset| < half_width (boundary
           excluded); `polygon` is the band clipped to the box, ready to fill.
- "checksum": T10's Fletcher-16 rule. It reads x only (through the uint16 (10000 x) & 0xFFFF), so its region is
           a comb of vertical stripes 1e-4 wide, far too fine to draw one by one: {x_min, x_max, fractions} gives,
           for equal columns over [x_min, x_max], the fraction of that column's x values the rule selects (the page
           shades each column by it). NN Calculator also never relabels point 0: that exception is by index, so it
           is not part of the geometry.
Each region also carries "inclusive" (is its boundary inside?).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..playground.datasets import BOX, MAX_TROJAN, trojan_mask

T10_STEP = 1e-4   # T10 reads x through trunc(10000 x): the rule is constant on steps of this width
T10_COLUMNS = 100

# What each level does to the labels inside its region (datasets.add_trojan).
EFFECTS: dict[int, str] = {
    1: "to -1", 2: "to -1", 3: "to -1", 4: "to -1", 5: "to +1",
    6: "flip", 7: "flip", 8: "+1 to -1", 9: "flip", 10: "flip",
}

DESCRIPTIONS: dict[int, str] = {
    1: "T1: points in the disk r < 1 around the origin become -1 (orange).",
    2: "T2: points in the disk r < 1.5 around the origin become -1 (orange).",
    3: "T3: points in the square [1.5, 3.5] x [1.5, 3.5] become -1 (orange).",
    4: "T4: points in the square [2.5, 4.5] x [1.5, 3.5] become -1 (orange).",
    5: "T5: points in the square [-3.5, -1.5] x [1.5, 3.5] become +1 (blue).",
    6: "T6: labels flip in the squares [1.5, 3.5]^2 and [-3.5, -1.5]^2.",
    7: "T7: labels flip in the disks r < 1 around (2, 2) and (-2, -2).",
    8: "T8: in the diagonal band |x - y| / sqrt(2) < 1, +1 (blue) points become -1 (orange).",
    9: "T9: labels flip in the diagonal band |x - y| / sqrt(2) < 1.",
    10: "T10: labels flip where a Fletcher-16 check of x's digits (10000 x as uint16) differs from the stored "
        "check bytes by more than 100 (NN Calculator's checksum trojan; the first point is never changed).",
}


def _disk(cx: float, cy: float, r: float) -> dict[str, Any]:
    return {"kind": "disk", "cx": cx, "cy": cy, "r": r, "inclusive": False}


def _rect(x0: float, x1: float, y0: float, y1: float) -> dict[str, Any]:
    return {"kind": "rect", "x0": x0, "x1": x1, "y0": y0, "y1": y1, "inclusive": True}


def _diagonal_band(half_width: float) -> dict[str, Any]:
    """|x - y| / sqrt(2) < w, i.e. the strip between the lines y = x - w sqrt(2) and y = x + w sqrt(2)."""
    d = half_width * math.sqrt(2.0)  # vertical offset of the two edge lines
    polygon = [[-BOX, -BOX], [-BOX + d, -BOX], [BOX, BOX - d], [BOX, BOX], [BOX - d, BOX], [-BOX, -BOX + d]]
    s = 1.0 / math.sqrt(2.0)
    return {"kind": "band", "nx": s, "ny": -s, "offset": 0.0, "half_width": half_width,
            "polygon": polygon, "inclusive": False}


def checksum_column_fractions(columns: int = T10_COLUMNS) -> list[float]:
    """Per column of [-BOX, BOX], the fraction of the T10 x-steps (width T10_STEP) whose x the rule selects."""
    if isinstance(columns, bool) or not isinstance(columns, int) or not 1 <= columns <= 10_000:
        raise ValueError(f"columns must be an integer in 1..10000, got {columns!r}")
    n_steps = int(round(2 * BOX / T10_STEP))
    # One sample in the middle of each step: the rule is constant across a step (it truncates 10000 x).
    xs = -BOX + (np.arange(n_steps) + 0.5) * T10_STEP
    selected = trojan_mask(np.column_stack([xs, np.zeros_like(xs)]), 10)
    selected[0] = _t10_selects(xs[0])  # trojan_mask exempts row 0 (a point index rule), not an x value
    # int64 for the product (it passes 2^31 for many columns), then intp: bincount wants it on wasm32 too.
    column = ((np.arange(n_steps, dtype=np.int64) * columns) // n_steps).astype(np.intp)
    hits = np.bincount(column, weights=selected.astype(np.float64), minlength=columns)
    sizes = np.bincount(column, minlength=columns)
    return (hits / sizes).tolist()


def _t10_selects(x: float) -> bool:
    """T10's rule for one x value, as trojan_mask applies it to every point but the first."""
    return bool(trojan_mask(np.array([[0.0, 0.0], [x, 0.0]]), 10)[1])


def trojan_regions(level: int) -> list[dict[str, Any]]:
    """The regions of trojan `level` (0 = none: []), each a dict described in the module docstring."""
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 0 <= level <= MAX_TROJAN:
        raise ValueError(f"trojan level {level!r} is not an integer in 0..{MAX_TROJAN}")
    level = int(level)
    if level == 0:
        return []
    if level == 1:
        return [_disk(0.0, 0.0, 1.0)]
    if level == 2:
        return [_disk(0.0, 0.0, 1.5)]
    if level == 3:
        return [_rect(1.5, 3.5, 1.5, 3.5)]
    if level == 4:
        return [_rect(2.5, 4.5, 1.5, 3.5)]
    if level == 5:
        return [_rect(-3.5, -1.5, 1.5, 3.5)]
    if level == 6:
        return [_rect(1.5, 3.5, 1.5, 3.5), _rect(-3.5, -1.5, -3.5, -1.5)]
    if level == 7:
        return [_disk(2.0, 2.0, 1.0), _disk(-2.0, -2.0, 1.0)]
    if level in (8, 9):
        return [_diagonal_band(1.0)]
    return [{"kind": "checksum", "x_min": -BOX, "x_max": BOX, "fractions": checksum_column_fractions(),
             "inclusive": False}]


def trojan_info(level: int) -> dict[str, Any]:
    """{level, effect, description, regions} for the page's legend and plot overlay."""
    regions = trojan_regions(level)
    if level == 0:
        return {"level": 0, "effect": "none", "description": "No trojan.", "regions": []}
    return {"level": int(level), "effect": EFFECTS[int(level)], "description": DESCRIPTIONS[int(level)],
            "regions": regions}
