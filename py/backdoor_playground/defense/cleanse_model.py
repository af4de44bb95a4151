"""The small interface Neural Cleanse (cleanse.py) optimises through, and its adapter for the playground's network.

A `Classifier` is anything with `n_classes` (K), `labels(X) -> (n,) class indices in 0..K-1` and
`loss_grad(X, c) -> (labels (n,), loss (n,), dloss/dX (n, d))`, the labels with the cross-entropy of class c and
its input gradient from the same forward pass. Neither
cares how many classes or input dimensions there are; the playground's network is one case of it:

- `MLPClassifier`: the playground's network on the feature map phi(x) (any d: the planar, 3-D and pixel features).
  With one tanh output (K = 2) class 1 is label +1 (output >= 0), class 0 is label -1, its scores are (-o, +o), so
  the cross-entropy of class c is softplus(-2 t o) with t = +-1; with K logits it is the softmax cross-entropy. The
  input gradient is the network's backward pass to the features, times the features' Jacobian.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np

from ..playground import classes, features
from ..playground.arrays import with_ones_row


class Classifier(Protocol):
    n_classes: int

    def labels(self, X: np.ndarray) -> np.ndarray: ...

    def loss_grad(self, X: np.ndarray, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


def _zeros(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.zeros_like(x)


def _ones(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.ones_like(x)


def _halves(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.full_like(x, 0.5)


Partial = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
# feature key -> (d f / d x, d f / d y[, d f / d z]): the Jacobian of playground/features.FEATURES and SPACE_FEATURES
# (a missing entry is 0); px<i> (the raw coordinates of d > 3 data) is coordinate i itself
JACOBIAN: dict[str, tuple[Partial, ...]] = {
    "x": (_ones, _zeros),
    "y": (_zeros, _ones),
    "xSquared": (lambda x, y, z: 2.0 * x, _zeros),
    "ySquared": (_zeros, lambda x, y, z: 2.0 * y),
    "xTimesY": (lambda x, y, z: y, lambda x, y, z: x),
    "sinX": (lambda x, y, z: np.cos(x), _zeros),
    "sinY": (_zeros, lambda x, y, z: np.cos(y)),
    "sinXTimesY": (lambda x, y, z: y * np.cos(x * y), lambda x, y, z: x * np.cos(x * y)),
    "cir": (lambda x, y, z: 2.0 * x * np.cos(x * x + y * y), lambda x, y, z: 2.0 * y * np.cos(x * x + y * y)),
    "avg": (_halves, _halves),
    "z": (_zeros, _zeros, _ones),
    "zSquared": (_zeros, _zeros, lambda x, y, z: 2.0 * z),
    "xTimesZ": (lambda x, y, z: z, _zeros, lambda x, y, z: x),
    "yTimesZ": (_zeros, lambda x, y, z: z, lambda x, y, z: y),
}


def _pixel(name: str) -> int | None:
    digits = name[len(features.PIXEL_PREFIX):] if name.startswith(features.PIXEL_PREFIX) else ""
    return int(digits) if digits.isdigit() else None


def chain_to_inputs(d_feat: np.ndarray, X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """(n, d): sum_k d L / d phi_k * d phi_k / d x_j at every row of X, without a dense Jacobian (a pixel feature
    px<i> adds its column to coordinate i; the digits' 64 x 64 Jacobian would cost 64 times as much)."""
    n, d = X.shape
    grad = np.zeros((n, d))
    cols = [X[:, j] if j < d else np.zeros(n) for j in range(3)]
    for k, name in enumerate(names):
        pixel = _pixel(name)
        if pixel is not None:
            grad[:, pixel] += d_feat[:, k]
            continue
        for j, partial in enumerate(JACOBIAN[name][:d]):
            grad[:, j] += d_feat[:, k] * partial(*cols)
    return grad


def backward_to_features(model, F: np.ndarray, loss_of: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(outputs (n, n_out), loss (n,), d loss / d features (n, n_features)) of an MLP (playground/nn.py) at the rows
    of F: its own forward pass, `loss_of(outputs node-major (n_out, n)) -> (loss, d loss / d outputs)`, and the
    chain rule back through every layer."""
    model.parameter_vector()
    acts = model.activation_functions()
    m = F.shape[0]
    with np.errstate(all="ignore"):  # node-major, as the network trains: contiguous rows (nn.py)
        nodes = model.forward_nodes(with_ones_row(np.ascontiguousarray(F.T)), model.node_buffers(m))
        out = np.array(nodes.post[-1])  # the buffers are reused by the next pass
        loss, d = loss_of(out)
        for l in range(len(acts) - 1, -1, -1):
            d = d * acts[l].df(nodes.pre[l], nodes.post[l])
            d = model.weights[l] @ d
    return out.T, loss, d.T


def output_input_gradient(model, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(output (n,), d output / d features (n, n_features)) of a single-output MLP at the rows of F."""
    out, _, d = backward_to_features(model, F, lambda o: (np.zeros(o.shape[1]), np.ones_like(o)))
    return out[:, 0], d


def _binary_loss(c: int) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Scores (-o, +o) of one tanh output: CE of class c = softplus(-2 t o), t = +-1."""
    t = 1.0 if c == 1 else -1.0

    def loss_of(out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = -2.0 * t * out[0]
        return np.logaddexp(0.0, z), (-2.0 * t / (1.0 + np.exp(-z)))[None, :]  # d softplus(z) / d out
    return loss_of


def _softmax_loss(c: int) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """K logits z: CE of class c = logsumexp(z) - z_c, gradient softmax(z) - onehot(c)."""
    def loss_of(out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        top = np.max(out, axis=0)
        e = np.exp(out - top)
        total = e.sum(axis=0)
        d = e / total
        d[c] -= 1.0
        return np.log(total) + top - out[c], d
    return loss_of


class MLPClassifier:
    """The playground's network as a K-class Classifier on points (n, d): one tanh output (K = 2; class 1 is label +1,
    class 0 is label -1) or K logits (class k is label k), on the feature map phi(x) of its feature names."""

    def __init__(self, model, feature_names: Sequence[str]):
        self.model = model
        self.names = list(feature_names)
        unknown = [n for n in self.names if n not in JACOBIAN and _pixel(n) is None]
        if unknown:
            raise ValueError(f"features: no derivative for {', '.join(unknown)}")
        self.n_classes = classes.k_of_model(model)
        self.class_labels = tuple(float(v) for v in classes.label_values(np.arange(self.n_classes), self.n_classes))

    def labels(self, X: np.ndarray) -> np.ndarray:
        out = self.model.predict(features.feature_matrix(X, self.names))
        # NaN is -1 (class 0) for K = 2, class 0 for K > 2, as classes.labels_of
        return classes.indices(classes.labels_of(out), self.n_classes)

    def loss_grad(self, X: np.ndarray, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            X = X.reshape(-1, 2)
        loss_of = _binary_loss(c) if self.n_classes == 2 else _softmax_loss(c)
        out, loss, d_feat = backward_to_features(self.model, features.feature_matrix(X, self.names), loss_of)
        grad = chain_to_inputs(d_feat, X, self.names)
        labels = classes.indices(classes.labels_of(out), self.n_classes)
        return labels, loss, np.nan_to_num(grad, nan=0.0, posinf=0.0, neginf=0.0)
