"""The small interface Neural Cleanse (cleanse.py) optimises through, and its adapter for the playground's network.

A `Classifier` is anything with `n_classes` (K), `labels(X) -> (n,) class indices in 0..K-1` and
`loss_grad(X, c) -> (labels (n,), loss (n,), dloss/dX (n, d))`, the labels with the cross-entropy of class c and
its input gradient from the same forward pass. Neither
cares how many classes or input dimensions there are; the playground's network is one case of it:

- `MLPClassifier`: a single-output network on the feature map phi(x, y); class 1 is label +1 (output >= 0), class 0
  is label -1. Its scores are (-o, +o), so the cross-entropy of class c is softplus(-2 t o) with t = +-1, and the
  input gradient is the network's backward pass to the features, times the features' Jacobian.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np

from ..playground import features
from ..playground.arrays import with_ones_row


class Classifier(Protocol):
    n_classes: int

    def labels(self, X: np.ndarray) -> np.ndarray: ...

    def loss_grad(self, X: np.ndarray, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


def _zeros(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.zeros_like(x)


def _ones(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.ones_like(x)


def _halves(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.full_like(x, 0.5)


Partial = Callable[[np.ndarray, np.ndarray], np.ndarray]
# feature key -> (d f / d x, d f / d y), the Jacobian of playground/features.FEATURES
JACOBIAN: dict[str, tuple[Partial, Partial]] = {
    "x": (_ones, _zeros),
    "y": (_zeros, _ones),
    "xSquared": (lambda x, y: 2.0 * x, _zeros),
    "ySquared": (_zeros, lambda x, y: 2.0 * y),
    "xTimesY": (lambda x, y: y, lambda x, y: x),
    "sinX": (lambda x, y: np.cos(x), _zeros),
    "sinY": (_zeros, lambda x, y: np.cos(y)),
    "sinXTimesY": (lambda x, y: y * np.cos(x * y), lambda x, y: x * np.cos(x * y)),
    "cir": (lambda x, y: 2.0 * x * np.cos(x * x + y * y), lambda x, y: 2.0 * y * np.cos(x * x + y * y)),
    "avg": (_halves, _halves),
}


def output_input_gradient(model, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(output (n,), d output / d features (n, n_features)) of a single-output MLP (playground/nn.py) at the rows
    of F, by its own forward pass and the chain rule back through every layer."""
    model.parameter_vector()
    acts = model.activation_functions()
    m = F.shape[0]
    with np.errstate(all="ignore"):  # node-major, as the network trains: contiguous rows (nn.py)
        nodes = model.forward_nodes(with_ones_row(np.ascontiguousarray(F.T)), model.node_buffers(m))
        d = np.ones((1, m))
        for l in range(len(acts) - 1, -1, -1):
            d = d * acts[l].df(nodes.pre[l], nodes.post[l])
            d = model.weights[l] @ d
    return nodes.post[-1][0], d.T


class MLPClassifier:
    """The playground's network as a 2-class Classifier on points (n, 2) of the plane."""

    n_classes = 2
    class_labels = (-1.0, 1.0)  # class index -> the playground's label

    def __init__(self, model, feature_names: Sequence[str]):
        self.model = model
        self.names = list(feature_names)
        unknown = [n for n in self.names if n not in JACOBIAN]
        if unknown:
            raise ValueError(f"features: no derivative for {', '.join(unknown)}")

    def labels(self, X: np.ndarray) -> np.ndarray:
        out = self.model.predict(features.feature_matrix(X, self.names))
        return (out >= 0.0).astype(np.int64)  # NaN is -1, class 0, as defense/attacked.labels_of

    def loss_grad(self, X: np.ndarray, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
        out, d_feat = output_input_gradient(self.model, features.feature_matrix(X, self.names))
        t = 1.0 if c == 1 else -1.0
        z = -2.0 * t * out
        with np.errstate(all="ignore"):
            loss = np.logaddexp(0.0, z)
            d_out = -2.0 * t / (1.0 + np.exp(-z))  # d softplus(z) / d out
        x, y = X[:, 0], X[:, 1]
        jac_x = np.stack([JACOBIAN[n][0](x, y) for n in self.names], axis=1)
        jac_y = np.stack([JACOBIAN[n][1](x, y) for n in self.names], axis=1)
        grad = np.stack([(d_feat * jac_x).sum(axis=1), (d_feat * jac_y).sum(axis=1)], axis=1) * d_out[:, None]
        labels = (out >= 0.0).astype(np.int64)
        return labels, loss, np.nan_to_num(grad, nan=0.0, posinf=0.0, neginf=0.0)
