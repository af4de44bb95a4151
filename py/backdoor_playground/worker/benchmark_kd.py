"""Benchmark figures of issue 14's page views (api.benchmark adds them): the digits network's training time and the
3-D slice redraw's worker side. Each is measured, nothing asserted (the targets are in the issue, not in tests)."""

from __future__ import annotations

import time

from ..playground import classes, config, rng
from ..playground.nn import MLP
from ..playground.train import Trainer
from ..session import Session

DIGITS_HIDDEN = 32  # the 64 -> 32 -> 10 (wider than the page's per-layer cap: built here directly)
DIGITS_TRAIN, DIGITS_EPOCHS = 1000, 30


def digits_train_s() -> float:
    """Seconds for 30 epochs of a 64 -> 32 -> 10 tanh network (softmax cross-entropy, batch 10, learning rate
    0.03) on the first 1,000 training images of the digits (raw pixels 0..16), built from the config's streams."""
    cfg, _ = config.validate({"dataset": "digits", "networkShape": [8], "seed": "bench"})
    s = Session(cfg)
    X, y = s.X_train[:DIGITS_TRAIN], s.data.train_labels[:DIGITS_TRAIN]
    model = MLP(X.shape[1], [DIGITS_HIDDEN], ["tanh"], classes.output_activation(10),
                rng.stream(cfg["seed"], "init", 0), n_outputs=classes.output_nodes(10))
    trainer = Trainer(model, X, y, learning_rate=0.03, batch_size=10, regularization="none",
                      regularization_rate=0.0, loss=classes.loss_name(10, cfg["loss"]))
    t0 = time.perf_counter()
    trainer.run(DIGITS_EPOCHS)
    return time.perf_counter() - t0


def slice_ms(repeats: int = 7) -> float:
    """Median ms of the worker's part of a 3-D slice redraw: the frame at a new height z (every node's grid on the
    slice) for circle3d with x, y, z and the default [4, 2] network."""
    cfg, _ = config.validate({"dataset": "circle3d", "z": True, "seed": "bench"})
    s = Session(cfg)
    s.train(epochs=5)
    times = []
    for k in range(repeats + 1):
        s.slice_z = -5.0 + 10.0 * k / repeats  # a new height each time: no cached feature grid helps
        t0 = time.perf_counter()
        s.frame()
        times.append((time.perf_counter() - t0) * 1000.0)
    times = sorted(times[1:])
    return times[len(times) // 2]
