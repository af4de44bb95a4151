"""Data sets beyond TensorFlow Playground's 2-D two-class ones, keyed by URL name: 2-D with K classes (spiral3, blobs4,
blobs with a chosen K), 3-D two-class (circle3d, xor3d, gauss3d, spiral3d) and the 8x8 handwritten digits (d = 64,
K = 10; UCI optdigits as bundled with scikit-learn, loaded by playground/digits.py).

Every set knows its input dimension d and its number of classes K (a `Spec`); generated sets draw from the "data"
stream like the planar ones, `make(n, noise, rng, k) -> (points (n, d), labels (n,))`, with labels in the encoding
of playground/classes.py (+1 / -1 for K = 2, class indices 0..K-1 otherwise). Noise keeps the family's meaning: it
flips labels near the boundary for circle3d and xor3d, widens the clusters of gauss3d and the blobs, and jitters the
spirals. Points stay inside the data box [-6, 6]^d (digits: pixel values 0..16, or 0..1 scaled).
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import classes

BOX = 6.0
Make = Callable[[int, float, np.random.Generator, int], tuple[np.ndarray, np.ndarray]]
DIGITS = "digits"
DIGITS_SCALES = ("raw", "unit")  # raw pixel counts 0..16, or divided by 16
DIGITS_MAX = 16.0
# Neurons per hidden layer (networkShape's entries), per data set: TF Playground's 8 wherever every neuron draws a
# picture of the plane or the 3-D slice (one grid per neuron per frame); 32 for the digits, whose neurons draw no
# picture, so issue 14's 64 -> 32 -> 10 fits (30 epochs on 1,000 images: the benchmark's digits_train_s).
MAX_NEURONS = 8
WIDE_NEURONS = 32


@dataclass(frozen=True)
class Spec:
    """What a data set is: input dimension d, classes K (the default when `k_choices` lets the config choose), the
    sample count, its generator (None: loaded, see load_digits) and the page's one-line description."""
    d: int
    k: int
    n: int
    make: Make | None
    info: str
    k_choices: tuple[int, int] | None = None  # (lo, hi) when the config's `classes` may choose K
    max_neurons: int = MAX_NEURONS  # the widest hidden layer networkShape may ask for on this set


def _counts(n: int, k: int) -> list[int]:
    """k class sizes adding up to n, the first classes one larger when k does not divide n."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _std(noise: float) -> float:
    """TF Playground's Gaussian spread: variance 0.5 at noise 0 up to 4 at noise 0.5."""
    return math.sqrt(0.5 + noise * 7.0)


def _blobs(n: int, noise: float, rng: np.random.Generator, k: int, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clusters around `centres` (k, d), class c around centre c, clipped to the box."""
    points, idx = [], []
    for c, count in enumerate(_counts(n, k)):
        points.append(rng.normal(loc=centres[c], scale=_std(noise), size=(count, centres.shape[1])))
        idx.append(np.full(count, c))
    return np.clip(np.concatenate(points), -BOX, BOX), classes.label_values(np.concatenate(idx), k)


def blobs(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """K Gaussian clusters N(c_j, s^2) on the circle |c| = 4 at angles 2 pi j / K, s^2 = 0.5 + 7 noise."""
    angle = 2.0 * math.pi * np.arange(k) / k
    return _blobs(n, noise, rng, k, 4.0 * np.column_stack([np.cos(angle), np.sin(angle)]))


def blobs4(n: int, noise: float, rng: np.random.Generator, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian clusters at (3, 3), (-3, 3), (-3, -3), (3, -3) (classes 0..3), s^2 = 0.5 + 7 noise."""
    return _blobs(n, noise, rng, 4, np.array([[3.0, 3.0], [-3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]]))


def spiral3(n: int, noise: float, rng: np.random.Generator, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Three spiral arms r = 0.5 + 4.5 f, t = 2 pi f + 2 pi c / 3 (f = i/m along arm c), moved by U(-1, 1)^2 noise."""
    parts, idx = [], []
    for c, count in enumerate(_counts(n, 3)):
        frac = np.arange(count) / max(count, 1)
        r, t = 0.5 + 4.5 * frac, 2.0 * math.pi * (frac + c / 3.0)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        idx.append(np.full(count, c))
    points = np.concatenate(parts)
    return points + rng.uniform(-1.0, 1.0, points.shape) * noise, np.concatenate(idx).astype(np.float64)


def _sphere(n: int, rng: np.random.Generator) -> np.ndarray:
    """n directions uniform on the unit sphere (normalised Gaussians)."""
    v = rng.normal(size=(n, 3))
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def circle3d(n: int, noise: float, rng: np.random.Generator, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Ball r~U(0, 2.5) inside a shell r~U(3.5, 5); label +1 if |p + U(-5, 5)^3 noise| < 2.5 else -1."""
    n_in = n // 2
    radius = np.concatenate([rng.uniform(0.0, 2.5, n_in), rng.uniform(3.5, 5.0, n - n_in)])
    points = _sphere(n, rng) * radius[:, None]
    noised = points + rng.uniform(-5.0, 5.0, (n, 3)) * noise
    return points, np.where(np.linalg.norm(noised, axis=1) < 2.5, 1.0, -1.0)


def xor3d(n: int, noise: float, rng: np.random.Generator, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Octants: p~U(-5, 5)^3 pushed 0.3 off the planes; label +1 if x'y'z' >= 0 for p' = p + U(-5, 5)^3 noise."""
    raw = rng.uniform(-5.0, 5.0, (n, 3))
    points = raw + np.where(raw > 0, 0.3, -0.3)
    noised = points + rng.uniform(-5.0, 5.0, (n, 3)) * noise
    return points, np.where(np.prod(noised, axis=1) >= 0, 1.0, -1.0)


def gauss3d(n: int, noise: float, rng: np.random.Generator, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """N((2, 2, 2), s^2) -> +1 (class 1) and N((-2, -2, -2), s^2) -> -1, s^2 = 0.5 + 7 noise, clipped to the box."""
    return _blobs(n, noise, rng, 2, np.array([[-2.0, -2.0, -2.0], [2.0, 2.0, 2.0]]))


def spiral3d(n: int, noise: float, rng: np.random.Generator, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved conical helices: r = 1 + 3 f, t = 2.5 pi f + {0, pi}, z = 10 f - 5 (f = i/m), labels +1 / -1,
    moved by U(-1, 1)^3 noise."""
    parts, labels = [], []
    for count, delta, label in zip((n // 2, n - n // 2), (0.0, math.pi), (1.0, -1.0)):
        frac = np.arange(count) / max(count, 1)
        r, t = 1.0 + 3.0 * frac, 2.5 * math.pi * frac + delta
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t), 10.0 * frac - 5.0]))
        labels.append(np.full(count, label))
    points = np.concatenate(parts)
    return points + rng.uniform(-1.0, 1.0, points.shape) * noise, np.concatenate(labels)


SPECS: dict[str, Spec] = {
    "spiral3": Spec(2, 3, 600, spiral3, "Three spiral arms, one class each; noise jitters the points."),
    "blobs4": Spec(2, 4, 500, blobs4, "Four Gaussian clusters at (±3, ±3), one class each; noise widens them."),
    "blobs": Spec(2, 3, 600, blobs, "K Gaussian clusters on a circle of radius 4 (K from `classes`, 2..10).",
                  k_choices=(2, 10)),
    "circle3d": Spec(3, 2, 1000, circle3d, "3-D circle: a ball (r < 2.5) inside a shell (3.5 < r < 5)."),
    "xor3d": Spec(3, 2, 1000, xor3d, "3-D exclusive or: +1 where x y z >= 0 (four of the eight octants)."),
    "gauss3d": Spec(3, 2, 1000, gauss3d, "Two 3-D Gaussian clusters at (2, 2, 2) and (-2, -2, -2)."),
    "spiral3d": Spec(3, 2, 1000, spiral3d, "Two interleaved conical helices rising along z."),
    DIGITS: Spec(64, 10, 1797, None, "8×8 handwritten digits 0..9 (UCI optdigits, CC BY 4.0; as bundled with "
                                     "scikit-learn): 64 pixel inputs 0..16, 10 classes.",
                  max_neurons=WIDE_NEURONS),
}
WIDEST = max(spec.max_neurons for spec in SPECS.values())


def max_neurons(name: str) -> int:
    """The widest hidden layer data set `name` takes: its Spec's, or TF Playground's 8 for the planar sets."""
    spec = SPECS.get(name)
    return spec.max_neurons if spec is not None else MAX_NEURONS


def too_wide(name: str, shape: list[int]) -> str:
    """Why hidden layers `shape` are too wide for data set `name` (its max_neurons), or "" when they fit."""
    cap = max_neurons(name)
    wide = [n for n in shape if n > cap]
    return f"has a layer of {wide[0]} neurons; dataset {name} takes at most {cap} per layer" if wide else ""


def classes_of(name: str, chosen: int = 0) -> int:
    """K of data set `name`: its own, or `chosen` (classes 2..10) where the set lets the config choose."""
    spec = SPECS[name]
    if chosen and spec.k_choices is not None:
        return classes.check_k(chosen)
    return spec.k


def load_digits(scale: str) -> tuple[np.ndarray, np.ndarray]:
    """(images (1797, 64) float64, labels 0..9 float64) from playground/digits.py, divided by 16 for scale "unit"."""
    if scale not in DIGITS_SCALES:
        raise ValueError(f"digits_scale {scale!r} is not one of {', '.join(DIGITS_SCALES)}")
    try:  # lazily: the data file is large and only this set needs it
        digits = importlib.import_module(f"{__package__}.digits")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.digits":
            raise
        raise ValueError("dataset digits: its data is not part of this build (playground/digits.py is missing)") from None
    images, labels = digits.load()
    images = np.asarray(images, dtype=np.float64)
    labels = np.asarray(labels)
    spec = SPECS[DIGITS]
    if images.ndim != 2 or images.shape[1] != spec.d or labels.shape != (images.shape[0],):
        raise ValueError(f"digits: expected images (n, {spec.d}) and n labels, got {images.shape} and {labels.shape}")
    if not (np.isfinite(images).all() and images.min(initial=0) >= 0 and images.max(initial=0) <= DIGITS_MAX):
        raise ValueError(f"digits: pixel values must lie in 0..{DIGITS_MAX:g}")
    y = classes.check_labels(labels, spec.k, "digits label")
    return (images / DIGITS_MAX if scale == "unit" else images), y


def generate(name: str, noise: float, rng: np.random.Generator, k: int, scale: str = "raw") -> tuple[np.ndarray, np.ndarray]:
    """(points (n, d), labels (n,)) of data set `name` with K = k (noise already divided by 100)."""
    spec = SPECS[name]
    if spec.make is None:
        return load_digits(scale)
    return spec.make(spec.n, noise, rng, k)
