"""This device's search speed: trials per second per variant, timed on the search's own trial kernel (the slope
between blocks of 256 and 8192 candidates), plus the fixed costs per block and per point (checksum/cost.py
combines them into a predicted search time).
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from typing import Sequence

import numpy as np

from ..playground import rng as rng_streams
from ..playground.features import SPACE_FEATURES
from ..playground.nn import MLP
from .activation import ChecksumParams
from .cost import _FIRST_BLOCK, _MAX_BLOCK, SearchRate
from .params import DEFAULT_MODULO, PARAMS, VARIANT_NAMES, float_in
from .plant import model_checksum, plant
from .search import SearchRun, _TrialKernel

_RADIUS = PARAMS["radius"].default


_CALIBRATION_POINTS = np.array([[0.7310585786300049, -1.2345678901234567], [-2.718281828459045, 0.5772156649015329],
                                [1.4142135623730951, 3.141592653589793], [-0.6931471805599453, -1.618033988749895]])


def calibrate(budget_ms: float = 300.0, feature_names: Sequence[str] = ("x", "y"),
              variants: Sequence[str] = VARIANT_NAMES) -> dict[str, SearchRate]:
    """{variant: SearchRate} for this device, measured with the search's own code in about budget_ms in all.

    A [features -> 4 -> 1] ReLU model stands in for the real one. Per variant, two thirds of its share time the
    search's trial kernel on blocks of 256 and 8192 candidates at m = 256 (one target: every candidate's residue is
    computed, as in a search; parity's cost grows with log2 m, the others' does not): the line through the fastest
    time of each size gives trials_per_s (its slope) and block_s. The last third runs a real SearchRun on the model
    planted with m = 2, where the first block triggers: its median time per point less one such block is point_s. See
    predict_search_seconds for how they combine.
    """
    budget = float_in("budget_ms", budget_ms, 0.0, 60_000.0) / 1000.0
    names = list(feature_names)
    model = MLP(len(names), [4], ["relu"], "tanh", rng_streams.stream("calibrate", "search"))
    points = calibration_points(names)
    point = points[0]
    out: dict[str, SearchRate] = {}
    for variant in variants:
        share = budget / len(variants)
        # (with k = 1 every candidate's residue is computed whatever the key; parity costs grow with log2 m)
        csum = ChecksumParams(variant=variant, key=0, modulo=DEFAULT_MODULO)
        kernel = _TrialKernel(model, names, csum, point, np.array([0]), _RADIUS)
        gen = rng_streams.stream("calibrate", "search", len(out))
        fastest = {_FIRST_BLOCK: math.inf, _MAX_BLOCK: math.inf}
        start = time.perf_counter()
        for size in fastest:  # untimed: lazy tables, first calls (and, in wasm, code not yet optimised)
            kernel.hits(kernel.candidates(gen, size))
        for rounds in itertools.count(1):
            for size in fastest:
                t0 = time.perf_counter()
                kernel.hits(kernel.candidates(gen, size))
                fastest[size] = min(fastest[size], time.perf_counter() - t0)
            if rounds >= 2 and time.perf_counter() - start > share * 2 / 3 - 1.1 * sum(fastest.values()):
                break
        small, large = fastest[_FIRST_BLOCK], fastest[_MAX_BLOCK]
        trial_s = max(large - small, 0.25 * large) / (_MAX_BLOCK - _FIRST_BLOCK)  # noise never makes it <= 0
        block_s = max(small - _FIRST_BLOCK * trial_s, 0.0)
        point_s = _point_seconds(model, names, variant, start + share - time.perf_counter(), points)
        out[variant] = SearchRate(1.0 / trial_s, point_s, block_s, variant)
    return out


def calibration_points(names: Sequence[str]) -> np.ndarray:
    """The four calibration points, in as many coordinates as the features read: 2 (the plane's), 3 for a 3-D
    feature (z, z², xz, yz), n for raw coordinates px0..px{n-1} (the numbers repeated)."""
    pixels = [int(n[2:]) for n in names if n.startswith("px") and n[2:].isdigit()]
    d = max(pixels) + 1 if pixels else 3 if any(n in SPACE_FEATURES for n in names) else 2
    return _CALIBRATION_POINTS if d == 2 else np.resize(_CALIBRATION_POINTS.ravel(), (4, d))


def _point_seconds(model: MLP, names: list[str], variant: str, budget: float,
                   points: np.ndarray = _CALIBRATION_POINTS) -> float:
    """Fixed seconds per searched point: a SearchRun on `model` planted with m = 2 (a trigger within the first block
    of 256), the median time of its points after one warm-up point, less the fastest time of such a block; points
    until budget seconds are spent (warm-up included), at least one."""
    start = time.perf_counter()
    planted = plant(model, {"variant": variant, "modulo": 2, "key": 0})
    params = {"k": 1, "max_trials": _FIRST_BLOCK}
    SearchRun(planted, points[:1], names, params, seed="calibrate").run()  # caches, lazy tables
    kernel = _TrialKernel(planted, names, model_checksum(planted), points[0], np.array([0]), _RADIUS)
    gen = rng_streams.stream("calibrate", "search", 99)
    block = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        kernel.hits(kernel.candidates(gen, _FIRST_BLOCK))
        block = min(block, time.perf_counter() - t0)
    run = SearchRun(planted, np.tile(points, (16, 1)), names, params, seed="calibrate")
    times: list[float] = []
    while not run.finished and (not times or time.perf_counter() - start + times[-1] < budget):
        t0 = time.perf_counter()
        run.step(1e-6)  # one block, which here is one whole point
        times.append(time.perf_counter() - t0)
    return max(statistics.median(times) - block, 0.0)
