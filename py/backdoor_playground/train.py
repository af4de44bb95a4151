"""Training with TensorFlow Playground's update rule, plus loss/accuracy evaluation.

The rule (TFP `oneStep` + `updateWeights`): points are visited in data order, never reshuffled. Training
is one endless stream of points: per-point gradients accumulate and every `batch_size` points the
parameters take the MEAN accumulated gradient step; a partial batch left at the end of an epoch is
carried into the next epoch and completed by its first points. After each gradient step the weights
(never the biases) take the regularisation step w -= lr * rate * R'(w), with R' evaluated at the weight
as it was before this update (as TFP's code does). With L1 a weight that this step moves across zero is
set to 0 and marked dead, and dead weights never change again.

Speed matters (this runs in Pyodide): each batch is one vectorised forward/backward pass, all parameters
are updated through the model's single flat parameter vector, and np.errstate wraps whole epochs only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .losses import Loss, accuracy, get_loss
from .nn import MLP, _as_size, with_ones_column
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
    return Xf, yf.reshape(-1, 1)


class Trainer:
    """Trains `model` on (X, y). Settings are plain attributes; change them (or model/X/y) between epochs."""

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
            batch_size=_as_size(self.batch_size, "batch_size", 1),
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
            self._buffers: list[np.ndarray] = []
            self._carry_count = 0  # a gradient carried from another model is meaningless
            self._X_src = None     # X must be re-checked against the new model's input count
        if self.X is not self._X_src or self.y is not self._y_src:
            X, self._ycol = _data(model, self.X, self.y)
            self._inputs = with_ones_column(X)
            self._X_src, self._y_src = self.X, self.y
            self._carry_count = 0  # the carried points belonged to the old data

    def _masks(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(live, regularised) as float 0/1 vectors over the parameters, or None if no weight is dead."""
        if not self._dead.any():
            return None
        live = np.logical_not(self._dead).astype(np.float64)
        return live, live * self._weight_mask

    # ----- training -----------------------------------------------------------------------------------

    def epoch(self) -> None:
        """One pass over the training points in data order (see the module docstring for the rule)."""
        self.run(1)

    def run(self, epochs: int) -> None:
        """`epochs` consecutive epochs; settings are read once, at the start."""
        epochs = _as_size(epochs, "epochs", 0)
        settings = self._settings()
        self._bind()
        with np.errstate(all="ignore"):  # divergence shows up as NaN weights, reported by `diverged`
            for _ in range(epochs):
                self._epoch(settings)
                self.epochs_done += 1
            self.diverged = not bool(np.isfinite(self._params).all())

    def _epoch(self, st: _Settings) -> None:
        inputs, targets = self._inputs, self._ycol
        n = inputs.shape[0]
        bs = st.batch_size
        if not self._buffers or self._buffers[0].shape[0] < bs:
            self._buffers = self._model.layer_buffers(bs)
        forward, backward = self._model._forward_into, self._model._backward_into
        buffers, loss_df = self._buffers, st.loss.df
        grad, blocks, carry = self._grad, self._grad_blocks, self._carry
        masks = self._masks()
        if self._carry_count >= bs:  # batch_size was lowered below the carried count: flush it now
            np.copyto(grad, carry)
            masks = self._update(st, self._carry_count, masks)
            self._carry_count = 0
        start = 0
        while start < n:
            carried = self._carry_count
            stop = min(start + bs - carried, n)
            cache = forward(inputs[start:stop], buffers)
            backward(cache, loss_df(cache.post[-1], targets[start:stop]), blocks)
            if carried:
                grad += carry
            count = carried + stop - start
            if count == bs:
                masks = self._update(st, count, masks)
                self._carry_count = 0
            else:
                np.copyto(carry, grad)
                self._carry_count = count
            start = stop

    def _update(
        self, st: _Settings, count: int, masks: tuple[np.ndarray, np.ndarray] | None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Apply the accumulated gradient sum in self._grad (mean over `count` points), then regularise.

        `masks` is _masks()'s (live, regularised) pair, or None when no weight is dead; returns it updated.
        """
        params, grad = self._params, self._grad
        if masks is not None:
            grad *= masks[0]
        reg = st.regularizer
        rate = st.regularization_rate
        if rate == 0.0 or reg.name == "none":
            grad *= st.learning_rate / count
            params -= grad
            return masks
        # TFP evaluates R' before the gradient step and applies it after; biases and dead weights are exempt.
        reg_step = reg.df(params)
        reg_step *= self._weight_mask if masks is None else masks[1]
        reg_step *= st.learning_rate * rate
        grad *= st.learning_rate / count
        params -= grad
        if not reg.dead_on_crossing:
            params -= reg_step
            return masks
        new_params = params - reg_step
        crossed = (params * new_params) < 0.0
        np.copyto(params, new_params)
        if crossed.any():
            params[crossed] = 0.0
            self._dead |= crossed
            return self._masks()
        return masks


def evaluate(model: MLP, X: Any, y: Any, loss: str | Loss = "square") -> dict[str, float]:
    """{"loss": mean_i L(o_i, t_i) without the regularisation term, "accuracy": sign accuracy}; NaN if no points."""
    loss_fn = loss if isinstance(loss, Loss) else get_loss(loss)
    out = model.predict(X)
    target = np.asarray(y, dtype=np.float64).ravel()
    if target.shape != out.shape:
        raise ValueError(f"y: expected {out.size} labels (one per row of X), got {target.size}")
    if out.size == 0:
        return {"loss": float("nan"), "accuracy": float("nan")}
    with np.errstate(all="ignore"):
        mean_loss = float(np.mean(loss_fn.f(out, target)))
    return {"loss": mean_loss, "accuracy": accuracy(out, target)}
