"""Benchmark figures of issue 14's page views (api.benchmark adds them): the digits network's training time and the
3-D slice redraw's worker side. Each is measured, nothing asserted (the targets are in the issue, not in tests)."""

from __future__ import annotations

import time

from ..playground import config, datasets_nd
from ..session import Session

DIGITS_HIDDEN = datasets_nd.WIDE_NEURONS  # the issue's 64 -> 32 -> 10: the digits' own cap, set as the page sets it
DIGITS_TRAIN, DIGITS_EPOCHS = 1000, 30


def digits_session() -> Session:
    """The digits with the wide network 64 -> 32 -> 10 as a link sets it up (tanh, softmax cross-entropy, batch 10,
    learning rate 0.03, raw pixels 0..16, the config's init stream)."""
    cfg, _ = config.validate({"dataset": "digits", "networkShape": [DIGITS_HIDDEN], "seed": "bench"}, strict=True)
    return Session(cfg)


def digits_train_s() -> float:
    """Seconds for 30 epochs of the session's 64 -> 32 -> 10 network on the first 1,000 training images."""
    s = digits_session()
    assert list(s.model.layer_sizes) == [64, DIGITS_HIDDEN, 10]
    trainer = s.trainer_for(s.model, s.X_train[:DIGITS_TRAIN], s.data.train_labels[:DIGITS_TRAIN])
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
