"""Training with TensorFlow Playground's update rule, plus loss/accuracy evaluation.

The rule (TFP `oneStep` + `updateWeights`): points are visited in data order, never reshuffled; per-point
gradients accumulate and every `batch_size` points the parameters take the MEAN accumulated gradient
step. After each gradient step the weights (never the biases) take the regularisation step
w -= lr * rate * R'(w), with R' evaluated at the weight as it was before this update (as TFP's code does).
With L1 a weight that this step moves across zero is set to 0 and marked dead; dead weights never change
again (also after the regularisation is switched off: `dead` belongs to the model).

Batches across epochs: training is one endless stream of points. A partial batch left at the end of an
epoch is carried into the next epoch and completed by its first points, so every update averages exactly
`batch_size` points. (TFP itself updates when (i + 1) % batchSize == 0 with i the index within the epoch:
its first update of an epoch averages the carried points plus a whole batch, and it never updates at all
when the training set is smaller than one batch. The stream avoids both quirks.)

Speed matters (this runs in Pyodide): each batch is one vectorised node-major forward/backward pass, all
parameters are updated through the model's single flat parameter vector, and np.errstate wraps whole
runs only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import classes
from .arrays import as_size, with_ones_row
from .losses import SOFTMAX_CROSSENTROPY, Loss, accuracy, get_loss
from .nn import MLP
from .regularizers import Regularizer, get_regularizer


@dataclass(frozen=True)
class _Settings:
    learning_rate: float
    batch_size: int
    regularizer: Regularizer
    regularization_rate: float
    loss: Loss


def _non_negative(value: Any, what: str) -> float:
    """`value` as a finite float >= 0; ValueError naming `what` otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0.0:
        raise ValueError(f"{what} must be finite and >= 0, got {value!r}")
    return number


def _data(model: MLP, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X as float64 C-contiguous (n, n_inputs) and y as an (n, 1) column, both finite."""
    try:
        Xf = np.ascontiguousarray(X, dtype=np.float64)
        yf = np.array(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"training data is not numeric ({exc})") from None
    n_inputs = model.layer_sizes[0]
    if Xf.ndim != 2 or Xf.shape[1] != n_inputs:
        raise ValueError(f"X: expected shape (n, {n_inputs}) for this model, got {Xf.shape}")
    if yf.ndim not in (1, 2) or yf.size != Xf.shape[0] or (yf.ndim == 2 and yf.shape[1] != 1):
        raise ValueError(f"y: expected {Xf.shape[0]} labels (one per row of X), got shape {yf.shape}")
    if not (np.isfinite(Xf).all() and np.isfinite(yf).all()):
        raise ValueError("training data contains NaN or infinity")
    if model.layer_sizes[-1] > 1:  # K logits: the labels must be class indices 0..K-1
        classes.check_labels(yf, classes.k_of_model(model), "y: label")
    return Xf, yf.reshape(-1, 1)


def _check_loss(model: MLP, loss: Loss) -> None:
    """Softmax cross-entropy exactly when the model has K > 1 output nodes (classes.py)."""
    if (model.layer_sizes[-1] > 1) != (loss is SOFTMAX_CROSSENTROPY):
        raise ValueError(f"loss {loss.name!r} does not fit a model with {model.layer_sizes[-1]} output node(s); "
                         f"K output nodes train with {SOFTMAX_CROSSENTROPY.name}, one node with square or "
                         "crossentropy")


class Trainer:
    """Trains `model` on (X, y) with TFP's update rule (see the module docstring).

    `learning_rate`, `batch_size`, `regularization`, `regularization_rate` and `loss` are plain attributes,
    read (and validated, ValueError) at the start of every run; so are `model`, `X` and `y`: assigning a new
    model or new arrays is noticed, and so is a weight array replaced inside the model. Editing X or y in
    place is not: call sync() after that. `epochs_done` counts epochs; `diverged` is True when the last run
    left a non-finite parameter (NaN or inf: "lower the learning rate").
    """

    def __init__(
        self,
        model: MLP,
        X: Any,
        y: Any,
        *,
        learning_rate: float,
        batch_size: int,
        regularization: str = "none",
        regularization_rate: float = 0.0,
        loss: str = "square",
    ) -> None:
        self.model = model
        self.X = X
        self.y = y
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.regularization = regularization
        self.regularization_rate = regularization_rate
        self.loss = loss
        self.epochs_done = 0
        self.diverged = False
        self.sync()
        self._settings()
        self._bind()

    # ----- keeping derived state in step with the attributes ------------------------------------------

    def sync(self) -> None:
        """Forget every cached derived value (and any carried partial batch); the next epoch rebuilds them."""
        self._model: MLP | None = None
        self._params: np.ndarray | None = None
        self._X_src: Any = None
        self._y_src: Any = None
        self._carry_count = 0

    def _settings(self) -> _Settings:
        """The current attributes, validated."""
        return _Settings(
            learning_rate=_non_negative(self.learning_rate, "learning_rate"),
            batch_size=as_size(self.batch_size, "batch_size", 1),
            regularizer=get_regularizer(self.regularization),
            regularization_rate=_non_negative(self.regularization_rate, "regularization_rate"),
            loss=get_loss(self.loss),
        )

    def _bind(self) -> None:
        """Rebuild buffers if the model, its parameter storage, X or y changed since the last epoch."""
        model = self.model
        if not isinstance(model, MLP):
            raise ValueError(f"model must be an MLP, got {type(model).__name__}")
        params = model.parameter_vector()
        model.activation_functions()
        if model is not self._model or params is not self._params:
            self._model, self._params = model, params
            self._grad, self._grad_blocks = model.new_gradient_buffer()
            self._carry = np.zeros_like(params)
            self._dead = model.dead_vector()
            self._weight_mask = model.weight_mask()
            self._buffers: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
            self._carry_count = 0  # a gradient carried from another model is meaningless
            self._X_src = None     # X must be re-checked against the new model's input count
        if self.X is not self._X_src or self.y is not self._y_src:
            X, y = _data(model, self.X, self.y)
            self._inputs, self._targets = with_ones_row(X.T), y.reshape(1, -1)  # node-major, see nn.py
            self._X_src, self._y_src = self.X, self.y
            self._carry_count = 0  # the carried points belonged to the old data

    def _refresh_masks(self, st: _Settings) -> None:
        """Per-parameter factors for this epoch's settings and dead links, as float vectors (or None):
        _live = 0 on dead weights, else 1; _reg_scale = lr * rate on live weights, 0 on biases and dead ones."""
        live = np.logical_not(self._dead).astype(np.float64) if self._dead.any() else None
        self._live = live
        if st.regularization_rate == 0.0 or st.regularizer.name == "none":
            self._reg_scale = None
            return
        mask = self._weight_mask if live is None else live * self._weight_mask
        self._reg_scale = mask * (st.learning_rate * st.regularization_rate)

    # ----- training -----------------------------------------------------------------------------------

    def epoch(self) -> None:
        """One pass over the training points in data order (see the module docstring for the rule)."""
        self.run(1)

    def run(self, epochs: int) -> None:
        """`epochs` consecutive epochs; settings are read once, at the start."""
        epochs = as_size(epochs, "epochs", 0)
        settings = self._settings()
        self._bind()
        _check_loss(self.model, settings.loss)
        with np.errstate(all="ignore"):  # divergence shows up as NaN weights, reported by `diverged`
            for _ in range(epochs):
                self._epoch(settings)
                self.epochs_done += 1
            self.diverged = not bool(np.isfinite(self._params).all())

    def _epoch(self, st: _Settings) -> None:
        inputs, targets = self._inputs, self._targets
        n = inputs.shape[1]
        bs = st.batch_size
        model, buffers = self._model, self._buffers
        forward, backward = model.forward_nodes, model.backward_nodes
        loss_df = st.loss.df
        grad, blocks, carry = self._grad, self._grad_blocks, self._carry
        self._refresh_masks(st)
        if self._carry_count >= bs:  # batch_size was lowered below the carried count: flush it now
            np.copyto(grad, carry)
            self._update(st, self._carry_count)
            self._carry_count = 0
        start = 0
        while start < n:
            carried = self._carry_count
            stop = min(start + bs - carried, n)
            m = stop - start
            layer_buffers = buffers.get(m)
            if layer_buffers is None:  # one set per batch length: full batches, carry-completions, tails
                layer_buffers = buffers[m] = model.node_buffers(m)
            cache = forward(inputs[:, start:stop], layer_buffers)
            backward(cache, loss_df(cache.post[-1], targets[:, start:stop]), blocks)
            if carried:
                grad += carry
            count = carried + m
            if count == bs:
                self._update(st, count)
                self._carry_count = 0
            else:
                np.copyto(carry, grad)
                self._carry_count = count
            start = stop

    def _update(self, st: _Settings, count: int) -> None:
        """Apply the accumulated gradient sum in self._grad (mean over `count` points), then regularise."""
        params, grad, reg_scale = self._params, self._grad, self._reg_scale
        if self._live is not None:
            grad *= self._live
        grad *= st.learning_rate / count
        if reg_scale is None:
            params -= grad
            return
        # TFP evaluates R' before the gradient step and applies it after; biases and dead weights are exempt.
        reg_step = st.regularizer.df(params)
        reg_step *= reg_scale
        params -= grad
        if not st.regularizer.dead_on_crossing:
            params -= reg_step
            return
        new_params = params - reg_step
        crossed = (params * new_params) < 0.0
        np.copyto(params, new_params)
        if crossed.any():
            params[crossed] = 0.0
            self._dead |= crossed
            self._refresh_masks(st)


def evaluate(model: MLP, X: Any, y: Any, loss: str | Loss = "square") -> dict[str, float]:
    """{"loss": mean_i L(o_i, t_i) without the regularisation term, "accuracy": sign accuracy (argmax accuracy for
    K output nodes)}; NaN if no points."""
    loss_fn = loss if isinstance(loss, Loss) else get_loss(loss)
    out = model.predict(X)
    target = np.asarray(y, dtype=np.float64).ravel()
    if target.shape != out.shape[:1] or (out.ndim == 1 and target.shape != out.shape):
        raise ValueError(f"y: expected {out.shape[0]} labels (one per row of X), got {target.size}")
    if out.size == 0:
        return {"loss": float("nan"), "accuracy": float("nan")}
    if out.ndim == 2:  # K logits: node-major softmax cross-entropy (losses.py)
        _check_loss(model, loss_fn)
        with np.errstate(all="ignore"):
            mean_loss = float(np.mean(loss_fn.f(out.T, target.reshape(1, -1))))
        return {"loss": mean_loss, "accuracy": classes.accuracy(out, target)}
    with np.errstate(all="ignore"):
        mean_loss = float(np.mean(loss_fn.f(out, target)))
    return {"loss": mean_loss, "accuracy": accuracy(out, target)}
