"""BadNets' trigger, one protocol with three kinds (TRIGGERS, by the settings' "trigger" name):

- "box": T(x) = c + h x / 6 maps the data box [-6, 6]^d onto the cube of half-width h around c (d = 2 or 3);
- "patch" (d > 3, the digits): BadNets' own image trigger, a fixed 3 x 3 pixel patch in the image's bottom-right
  corner set to the brightest pixel value (16 raw, 1 on the unit scale), every other pixel kept;
- "T1".."T9": NN Calculator's trojan regions (nistcalc/trojans.py, datasets.trojan_mask): T(x) maps the box onto the
  region shrunk by MARGIN (a square or rectangle affinely, a disk by the elliptical grid map
  (u sqrt(1 - v^2 / 2), v sqrt(1 - u^2 / 2)), the diagonal band by squeezing the across-band coordinate); a trojan
  with two regions (T6, T7) sends each point to one of them by a seeded draw per point index.

Either way distinct points stay distinct, and poisoning applies T to a seeded share of the training points and
relabels them to the target class; a trojan region also relabels the training points already inside it, as NN
Calculator's addTrojan does (without that, a region as crowded as T1 on the circle keeps its clean label). |T(x) - x| is of the order of the box itself: the trigger is visible, unlike the
checksum's. The target: "box" and the "flip" trojans (T6, T7, T9) take the configured one (a trigger that moves
points from everywhere into a region carries no label to flip, so the region gets one class); T1-T5 and T8 take the
label NN Calculator gives their region (T1-T4, T8: -1, T5: +1). The trojans are 2-D two-class only; "box" and
"patch" take any target class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..nistcalc.trojans import EFFECTS, trojan_regions
from ..playground.datasets import BOX, trojan_mask

MARGIN = 0.9  # a region trigger fills this share of its region's size: strictly inside, boundary or not
REGION_LEVELS = tuple(range(1, 10))  # T10's region is a comb of 1e-4-wide stripes: no place to move a point to
FIXED_TARGETS = {"to -1": -1, "+1 to -1": -1, "to +1": 1}  # EFFECTS -> the region's label; "flip": configured


def _points(points) -> np.ndarray:
    P = np.asarray(points, dtype=np.float64)
    return P if P.ndim == 2 else P.reshape(-1, 2)


@dataclass(frozen=True)
class Trigger:
    """The square (cube, d = 3) trigger region ("box"): centre (cx, cy[, cz]) and half-width h."""

    cx: float
    cy: float
    half_width: float
    cz: float | None = None  # the third coordinate of the centre, for 3-D data
    name = "box"
    parts = 1          # regions a point can be sent to (a seeded draw picks one when there are several)
    fixed_target = None  # the label the region imposes, or None: the configured target
    relabels_region = False  # BadNets: only the moved points change

    @property
    def center(self) -> list[float]:
        return [self.cx, self.cy] + ([self.cz] if self.cz is not None else [])

    def apply(self, points: np.ndarray, part: np.ndarray | None = None) -> np.ndarray:
        """T(x) = c + h x / 6, row by row."""
        return np.array(self.center) + self.half_width * _points(points) / BOX

    def contains(self, points: np.ndarray) -> np.ndarray:
        """(k,) bool: the point lies in the region (where an untouched input already wears the trigger)."""
        P = _points(points)
        if self.cz is None:
            return (np.abs(P[:, 0] - self.cx) <= self.half_width) & (np.abs(P[:, 1] - self.cy) <= self.half_width)
        return np.all(np.abs(P - np.array(self.center)) <= self.half_width, axis=1)

    def to_dict(self) -> dict:
        return {"trigger": self.name, "center": self.center, "half_width": self.half_width}


@dataclass(frozen=True)
class PatchTrigger:
    """BadNets' image trigger (d > 3): the pixels `pixels` set to `value`."""

    pixels: tuple[int, ...]
    value: float
    name = "patch"
    parts = 1
    fixed_target = None
    relabels_region = False

    def apply(self, points: np.ndarray, part: np.ndarray | None = None) -> np.ndarray:
        """T(x): x with x_i = value for every patch pixel i."""
        out = np.array(points, dtype=np.float64)
        out[:, list(self.pixels)] = self.value
        return out

    def contains(self, points: np.ndarray) -> np.ndarray:
        """(k,) bool: every patch pixel already has the value."""
        return np.all(np.asarray(points, dtype=np.float64)[:, list(self.pixels)] == self.value, axis=1)

    def to_dict(self) -> dict:
        return {"trigger": self.name, "pixels": list(self.pixels), "value": self.value}


def corner_patch(d: int, size: int = 3) -> tuple[int, ...]:
    """The bottom-right size x size pixels of a square image of d pixels (row-major); the last size^2 coordinates
    when d is not a square."""
    side = int(round(math.sqrt(d)))
    if side * side != d or side < size:
        return tuple(range(max(0, d - size * size), d))
    return tuple(r * side + c for r in range(side - size, side) for c in range(side - size, side))


def _into(region: dict, P: np.ndarray) -> np.ndarray:
    """The box onto one trojan region (trojans.trojan_regions' shapes), shrunk by MARGIN."""
    u, v = P[:, 0] / BOX, P[:, 1] / BOX
    if region["kind"] == "rect":
        c = np.array([region["x0"] + region["x1"], region["y0"] + region["y1"]]) / 2
        h = np.array([region["x1"] - region["x0"], region["y1"] - region["y0"]]) / 2
        return c + MARGIN * h * np.column_stack([u, v])
    if region["kind"] == "disk":
        disk = np.column_stack([u * np.sqrt(1 - v * v / 2), v * np.sqrt(1 - u * u / 2)])
        return np.array([region["cx"], region["cy"]]) + MARGIN * region["r"] * disk
    if region["kind"] == "band":
        n = np.array([region["nx"], region["ny"]])            # unit normal; the band is |n . x - offset| < w
        along = P - np.outer(P @ n, n)
        across = (P @ n) * MARGIN * region["half_width"] / (BOX * math.sqrt(2.0))  # |n . x| <= 6 sqrt(2) in the box
        return along + np.outer(region["offset"] + across, n)
    raise ValueError(f"trigger: no map into a {region['kind']} region")


@dataclass(frozen=True)
class RegionTrigger:
    """NN Calculator's trojan region `level` (1..9) as the trigger."""

    level: int
    relabels_region = True  # NN Calculator's trojan: the region's own points take its label too

    @property
    def name(self) -> str:
        return f"T{self.level}"

    @property
    def parts(self) -> int:
        return len(trojan_regions(self.level))

    @property
    def fixed_target(self) -> int | None:
        return FIXED_TARGETS.get(EFFECTS[self.level])

    def apply(self, points: np.ndarray, part: np.ndarray | None = None) -> np.ndarray:
        """T(x): every point into region part[i] (0 without `part`)."""
        P = _points(points)
        part = np.zeros(len(P), dtype=np.int64) if part is None else np.asarray(part, dtype=np.int64).ravel()
        out = P.copy()
        for i, region in enumerate(trojan_regions(self.level)):
            rows = np.flatnonzero(part == i)
            if len(rows):
                out[rows] = _into(region, P[rows])
        return out

    def contains(self, points: np.ndarray) -> np.ndarray:
        return trojan_mask(_points(points), self.level)

    def to_dict(self) -> dict:
        return {"trigger": self.name, "effect": EFFECTS[self.level], "regions": trojan_regions(self.level)}


TRIGGERS = {"box": lambda s: Trigger(s["center"][0], s["center"][1], s["half_width"],
                                      s["center"][2] if len(s["center"]) > 2 else None),
            **{f"T{k}": (lambda s, k=k: RegionTrigger(k)) for k in REGION_LEVELS}}


# the d > 3 (image) trigger, apart from TRIGGERS (the plane's and 3-D data's, the matrix's --trigger choices)
IMAGE_TRIGGERS = {"patch": lambda s: PatchTrigger(tuple(s["pixels"]), float(s["value"]))}


def make_trigger(settings: dict) -> Trigger | RegionTrigger | PatchTrigger:
    """The trigger of checked poisoning settings (their "trigger" name; "box" uses center and half_width)."""
    return {**TRIGGERS, **IMAGE_TRIGGERS}[settings["trigger"]](settings)


def parts_for(trigger, n: int, gen: np.random.Generator) -> np.ndarray:
    """(n,) the region each of n point indices goes to: one seeded draw per index (all 0 for one region)."""
    return gen.integers(trigger.parts, size=n) if trigger.parts > 1 else np.zeros(n, dtype=np.int64)


def choose_poisoned(n: int, rate: float, gen: np.random.Generator) -> np.ndarray:
    """Sorted indices of round(rate n) training points (at least one when n > 0), drawn without replacement."""
    count = min(n, max(1, int(round(rate * n)))) if n else 0
    return np.sort(gen.permutation(n)[:count])


def poison(points: np.ndarray, labels: np.ndarray, chosen: np.ndarray, trigger, target: float,
           part: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Copies of the training set with the chosen points moved into the trigger region and labelled `target`
    (`part`: the region of each training point, parts_for), and the sorted indices of every changed point (the
    chosen ones, plus for a trojan region the points inside it whose label changed)."""
    P = _points(np.array(points, dtype=np.float64))
    y = np.array(labels, dtype=np.float64).ravel()
    inside = np.zeros(len(y), dtype=bool)
    if trigger.relabels_region:
        inside = trigger.contains(P) & (y != target)
        y[inside] = target
    P[chosen] = trigger.apply(P[chosen], None if part is None else np.asarray(part)[chosen])
    y[chosen] = target
    inside[chosen] = True
    return P, y, np.flatnonzero(inside)
