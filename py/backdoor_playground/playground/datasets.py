"""2-D data sets keyed by their URL names, trojan relabelling, and the seeded train/test split.

Every generator has the signature `(n, noise, rng) -> (points float64[n, 2], labels float64[n])`, where `noise` is the
slider value already divided by 100 (so 0..0.5) and `rng` is a `numpy.random.Generator`. The TensorFlow Playground sets
keep its ranges and noise semantics: for circle, xor and the regression sets noise perturbs only the copy of the point
that decides the label (so noise flips labels, the plotted point stays put); for gauss it widens the clusters; for
spiral it moves the points. NN Calculator's backdoor-study sets ("csum-*") follow its construction.

Two deliberate departures keep the project's invariants (points in the data box [-6, 6]^2, regression labels in
[-1, 1], see docs/ARCHITECTURE.md): Gaussian clusters are clipped to the box, and reg-plane's label is clipped to
[-1, 1] (TF lets a few noisy points fall outside both).

The sets with K > 2 classes or d != 2 inputs live in playground/datasets_nd.py; make_dataset and shape() serve both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import datasets_nd
from . import rng as rng_streams

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]

NUM_SAMPLES_CLASSIFY = 500
NUM_SAMPLES_REGRESS = 1200
BOX = 6.0                      # the data box is [-BOX, BOX]^2
MAX_NOISE_SLIDER = 50
MAX_TROJAN = 10
THUMBNAIL_SEED = "thumbnail"


# ----------------------------------------------------------------------------------------------------------------------
# TensorFlow Playground's sets


def _halves(n: int) -> tuple[int, int]:
    """Sizes of two classes that add up to n (the first gets the smaller half when n is odd)."""
    return n // 2, n - n // 2


def _gauss_variance(noise: float) -> float:
    """TF's linear map of noise [0, 0.5] onto the cluster variance [0.5, 4]."""
    return 0.5 + noise * (4.0 - 0.5) / 0.5


def _gauss_clusters(counts: list[int], centres: list[tuple[float, float, float]], noise: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clusters (cx, cy, label) with TF's noise-to-variance map, clipped to the data box."""
    std = math.sqrt(_gauss_variance(noise))
    points, labels = [], []
    for count, (cx, cy, label) in zip(counts, centres):
        points.append(rng.normal(loc=(cx, cy), scale=std, size=(count, 2)))
        labels.append(np.full(count, label))
    return np.clip(np.concatenate(points), -BOX, BOX), np.concatenate(labels).astype(np.float64)


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Disc r~U(0, 2.5) and ring r~U(3.5, 5); label = +1 if |p + U(-5, 5)^2 * noise| < 2.5 else -1."""
    n_in, n_out = _halves(n)
    radius = np.concatenate([rng.uniform(0.0, 2.5, n_in), rng.uniform(3.5, 5.0, n_out)])
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    points = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    # Noise moves only the copy that decides the label, so it flips labels near the boundary (TF's semantics).
    noised = points + rng.uniform(-5.0, 5.0, (n, 2)) * noise
    labels = np.where(np.hypot(noised[:, 0], noised[:, 1]) < 2.5, 1.0, -1.0)
    return points, labels


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """p~U(-5, 5)^2 pushed 0.3 off both axes; label = +1 if x'y' >= 0 else -1 for p' = p + U(-5, 5)^2 * noise."""
    raw = rng.uniform(-5.0, 5.0, (n, 2))
    points = raw + np.where(raw > 0, 0.3, -0.3)
    noised = points + rng.uniform(-5.0, 5.0, (n, 2)) * noise
    labels = np.where(noised[:, 0] * noised[:, 1] >= 0, 1.0, -1.0)
    return points, labels


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """N((2, 2), s^2) -> +1 and N((-2, -2), s^2) -> -1, with s^2 = 0.5 + 7 * noise."""
    return _gauss_clusters(list(_halves(n)), [(2.0, 2.0, 1.0), (-2.0, -2.0, -1.0)], noise, rng)


def _spiral_arms(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Arms i/m: r = 5 i/m, t = 3.5 pi i/m (+pi for the -1 arm), each point moved by U(-1, 1)^2 * noise."""
    parts, labels = [], []
    for count, delta_t, label in zip(_halves(n), (0.0, math.pi), (1.0, -1.0)):
        frac = np.arange(count) / max(count, 1)
        r = 5.0 * frac
        t = 1.75 * 2.0 * math.pi * frac + delta_t
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(count, label))
    points = np.concatenate(parts)
    points = points + rng.uniform(-1.0, 1.0, points.shape) * noise
    return points, np.concatenate(labels)


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms r = 5 i/m, t = 3.5 pi i/m + {0, pi}, displaced by U(-1, 1) * noise."""
    return _spiral_arms(n, noise, rng)


def reg_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """p~U(-6, 6)^2; label = clip((x' + y') / 10, -1, 1) for p' = p + U(-6, 6)^2 * noise."""
    points = rng.uniform(-BOX, BOX, (n, 2))
    noised = points + rng.uniform(-BOX, BOX, (n, 2)) * noise
    return points, np.clip((noised[:, 0] + noised[:, 1]) / 10.0, -1.0, 1.0)


_REG_BUMPS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                       [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])


def reg_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """p~U(-6, 6)^2; label = the bump value s_k * clip(1 - d_k(p') / 2, 0, 1) of largest magnitude (first on ties)."""
    points = rng.uniform(-BOX, BOX, (n, 2))
    noised = points + rng.uniform(-BOX, BOX, (n, 2)) * noise
    dist = np.hypot(noised[:, None, 0] - _REG_BUMPS[:, 0], noised[:, None, 1] - _REG_BUMPS[:, 1])
    values = _REG_BUMPS[:, 2] * np.clip(1.0 - dist / 2.0, 0.0, 1.0)
    # argmax returns the first maximum, like TF's strict ">" scan over the bumps in order.
    best = np.argmax(np.abs(values), axis=1)
    return points, values[np.arange(n), best]


# ----------------------------------------------------------------------------------------------------------------------
# NN Calculator's backdoor-study sets


def csum_circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """NN Calculator's CSUM circle: the circle set (its checksums are computed later, from the points)."""
    return circle(n, noise, rng)


def csum_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Four clusters in XOR layout: N((+-2, +-2), s^2) labelled sign(cx * cy), s^2 = 0.5 + 7 * noise."""
    counts = [n // 4 + (1 if k < n % 4 else 0) for k in range(4)]
    centres = [(2.0, 2.0, 1.0), (-2.0, -2.0, 1.0), (2.0, -2.0, -1.0), (-2.0, 2.0, -1.0)]
    return _gauss_clusters(counts, centres, noise, rng)


def csum_spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """NN Calculator's CSUM spiral: the spiral set."""
    return _spiral_arms(n, noise, rng)


def _grid(lo: float, width: float, cells: float) -> np.ndarray:
    """Nodes of a square grid starting at (lo, lo) with spacing width / cells, ceil(cells) nodes per side."""
    side = math.ceil(cells - 1e-9)
    axis = lo + np.arange(side) * (width / cells)
    gx, gy = np.meshgrid(axis, axis)
    return np.column_stack([gx.ravel(), gy.ravel()])


def csum_grid(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """+1 grid over [-5, 5) with spacing 10/sqrt(n/2), then a -1 grid over [-3.5, 3.5) with spacing 7/sqrt(n - n+),
    both moved by U(-1, 1)^2 * noise.

    The count is the grids' natural size, not n: 512 points for n = 500 (as in NN Calculator), 200 for n = 200.
    """
    if n <= 0:
        return np.zeros((0, 2)), np.zeros(0)
    plus = _grid(-5.0, 10.0, math.sqrt(n / 2.0))
    rest = n - plus.shape[0]
    minus = _grid(-3.5, 7.0, math.sqrt(rest)) if rest > 0 else np.zeros((0, 2))
    points = np.concatenate([plus, minus])
    labels = np.concatenate([np.ones(plus.shape[0]), -np.ones(minus.shape[0])])
    points = points + rng.uniform(-1.0, 1.0, points.shape) * noise
    return points, labels


CLASSIFY_DATASETS: dict[str, Generator] = {
    "circle": circle,
    "xor": xor,
    "gauss": gauss,
    "spiral": spiral,
    "csum-circle": csum_circle,
    "csum-gauss": csum_gauss,
    "csum-spiral": csum_spiral,
    "csum-grid": csum_grid,
}

REGRESS_DATASETS: dict[str, Generator] = {
    "reg-plane": reg_plane,
    "reg-gauss": reg_gauss,
}

DATASET_INFO: dict[str, str] = {
    "circle": "Circle: a blue disc (r < 2.5) inside an orange ring (3.5 < r < 5); noise flips labels near the gap.",
    "xor": "Exclusive or: blue where x and y have the same sign, orange elsewhere; noise flips labels near the axes.",
    "gauss": "Two Gaussian clusters, blue at (2, 2) and orange at (-2, -2); noise widens them until they overlap.",
    "spiral": "Two interleaved spiral arms, blue and orange; noise jitters the points.",
    "csum-circle": "NN Calculator's backdoor-study circle (same shape as Circle).",
    "csum-gauss": "NN Calculator's four Gaussian clusters in an XOR layout: blue at (2, 2) and (-2, -2), "
                  "orange at (2, -2) and (-2, 2).",
    "csum-spiral": "NN Calculator's backdoor-study spiral (same shape as Spiral).",
    "csum-grid": "NN Calculator's two interleaved grids: a coarse blue grid over [-5, 5) and a fine orange grid "
                 "over [-3.5, 3.5); 512 points; noise jitters them.",
    "reg-plane": "Regression: the plane (x + y) / 10; noise perturbs the value.",
    "reg-gauss": "Regression: six signed Gaussian-like bumps at x in {-4, 0, 4}, y = +-2.5.",
}


# Every classification set's URL name: TF Playground's and NN Calculator's (the page's picker), then datasets_nd's.
ALL_CLASSIFY: tuple[str, ...] = (*CLASSIFY_DATASETS, *datasets_nd.SPECS)


def shape(name: str, chosen_classes: int = 0) -> tuple[int, int]:
    """(d, K) of data set `name`: d inputs, K classes (0 for a regression set); `chosen_classes` (the config's
    `classes`, 0 = the set's own) counts only where the set lets the config choose K."""
    if isinstance(name, str) and name in datasets_nd.SPECS:
        return datasets_nd.SPECS[name].d, datasets_nd.classes_of(name, chosen_classes)
    generator(name)
    return 2, 0 if is_regression(name) else 2


def is_regression(name: str) -> bool:
    """True when `name` is a regression data set."""
    return name in REGRESS_DATASETS


def generator(name: str) -> Generator:
    """The generator registered under `name` in either registry."""
    gen = (CLASSIFY_DATASETS.get(name) or REGRESS_DATASETS.get(name)) if isinstance(name, str) else None
    if gen is None:
        known = ", ".join([*CLASSIFY_DATASETS, *REGRESS_DATASETS])
        raise ValueError(f"unknown dataset {name!r}; expected one of {known}")
    return gen


def num_samples(name: str) -> int:
    """TF's sample count: 1200 for regression sets, 500 for classification sets."""
    generator(name)
    return NUM_SAMPLES_REGRESS if is_regression(name) else NUM_SAMPLES_CLASSIFY


# ----------------------------------------------------------------------------------------------------------------------
# Trojans (NN Calculator's addTrojan), applied to the whole set before the split


def _fletcher16_mismatch(x: np.ndarray) -> np.ndarray:
    """|F16(b) - (c1 << 8 | c0)| for the bytes b = (hi, lo) of the uint16 (10000 x) & 0xFFFF; c0, c1 its check bytes."""
    # Truncation toward zero then two's-complement masking, as JavaScript's `&` does to a double.
    word = np.trunc(10000.0 * x).astype(np.int64) & 0xFFFF
    hi, lo = word >> 8, word & 0xFF
    sum1 = hi % 255
    sum2 = sum1 % 255
    sum1 = (sum1 + lo) % 255
    sum2 = (sum2 + sum1) % 255
    checksum = (sum2 << 8) | sum1
    c0 = 255 - (sum1 + sum2) % 255
    c1 = 255 - (sum1 + c0) % 255
    return np.abs(checksum - ((c1 << 8) | c0))


def trojan_mask(points: np.ndarray, level: int) -> np.ndarray:
    """Boolean mask of the points inside trojan `level`'s region (T10: the points its checksum rule selects)."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x, y = points[:, 0], points[:, 1]

    def in_square(x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)

    band = np.abs(x - y) / math.sqrt(2.0) < 1.0
    if level == 1:
        return np.hypot(x, y) < 1.0
    if level == 2:
        return np.hypot(x, y) < 1.5
    if level == 3:
        return in_square(1.5, 3.5, 1.5, 3.5)
    if level == 4:
        return in_square(2.5, 4.5, 1.5, 3.5)
    if level == 5:
        return in_square(-3.5, -1.5, 1.5, 3.5)
    if level == 6:
        return in_square(1.5, 3.5, 1.5, 3.5) | in_square(-3.5, -1.5, -3.5, -1.5)
    if level == 7:
        return (np.hypot(x - 2.0, y - 2.0) < 1.0) | (np.hypot(x + 2.0, y + 2.0) < 1.0)
    if level in (8, 9):
        return band
    if level == 10:
        mask = _fletcher16_mismatch(x) > 100
        mask[:1] = False  # NN Calculator skips the first point
        return mask
    raise ValueError(f"trojan level {level!r} is not in 1..{MAX_TROJAN}")


def add_trojan(points: np.ndarray, labels: np.ndarray, level: int) -> np.ndarray:
    """New labels: T1, T2, T3, T4 set -1 in their region, T5 sets +1, T6, T7, T9, T10 negate, T8 turns +1 into -1."""
    labels = np.array(labels, dtype=np.float64, copy=True)
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 0 <= level <= MAX_TROJAN:
        raise ValueError(f"trojan level {level!r} is not an integer in 0..{MAX_TROJAN}")
    if level == 0:
        return labels
    mask = trojan_mask(points, int(level))
    if mask.shape[0] != labels.shape[0]:
        raise ValueError(f"trojan: {mask.shape[0]} points but {labels.shape[0]} labels")
    if level in (1, 2, 3, 4):
        labels[mask] = -1.0
    elif level == 5:
        labels[mask] = 1.0
    elif level == 8:
        labels[mask & (labels > 0)] = -1.0
    else:
        labels[mask] = -labels[mask]
    return labels


# ----------------------------------------------------------------------------------------------------------------------
# The split a Session uses


@dataclass
class Dataset:
    """One generated data set after the trojan and the split; points are rows (x, y), labels floats."""
    name: str
    train_points: np.ndarray   # (n_train, 2)
    train_labels: np.ndarray   # (n_train,)
    test_points: np.ndarray    # (n_test, 2)
    test_labels: np.ndarray    # (n_test,)
    d: int = 2                 # coordinates per point (datasets_nd: 3 or 64)
    k: int = 2                 # classes (0: regression); labels as in playground/classes.py


def _number_in(value: object, lo: float, hi: float, key: str) -> float:
    """`value` as a finite float in [lo, hi], or a ValueError naming `key`."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or not lo <= number <= hi:
        raise ValueError(f"{key}={value!r} is not a number in {lo:g}..{hi:g}")
    return number


def make_dataset(name: str, noise_slider: int | float, seed: str | int | float, perc_train: int | float,
                 trojan: int = 0, *, classes: int = 0, digits_scale: str = "raw") -> Dataset:
    """Generate `name` from stream (seed, "data") (K = `classes` where the set lets one choose; digits are loaded,
    scaled by `digits_scale`), relabel with `trojan`, permute with stream (seed, "split"), and put the first
    floor(n * perc_train / 100) points in the training set."""
    noise = _number_in(noise_slider, 0, MAX_NOISE_SLIDER, "noise")
    perc = _number_in(perc_train, 0, 100, "percTrainData")
    d, k = shape(name, classes)
    if isinstance(name, str) and name in datasets_nd.SPECS:
        if trojan:
            raise ValueError(f"trojan={trojan!r}: the trojans are drawn for 2-D two-class data; dataset {name} has "
                             f"d = {d}, K = {k} (use trojan=0)")
        points, labels = datasets_nd.generate(name, noise / 100.0, rng_streams.stream(seed, "data"), k,
                                              digits_scale)
    else:
        points, labels = generator(name)(num_samples(name), noise / 100.0, rng_streams.stream(seed, "data"))
        labels = add_trojan(points, labels, trojan)
    order = rng_streams.stream(seed, "split").permutation(points.shape[0])
    points, labels = points[order], labels[order]
    cut = math.floor(points.shape[0] * perc / 100.0)
    return Dataset(name, points[:cut].copy(), labels[:cut].copy(), points[cut:].copy(), labels[cut:].copy(), d, k)


def thumbnail_points(name: str, n: int = 200) -> list[float]:
    """Flat [x0, y0, label0, x1, ...] of `name` drawn with noise 0 from a fixed seed, for the data-set picker."""
    points, labels = generator(name)(n, 0.0, rng_streams.stream(THUMBNAIL_SEED, "data"))
    return np.column_stack([points, labels]).ravel().tolist()
