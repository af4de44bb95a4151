"""Networks and data shared by the checksum backdoor tests (test_checksum_*.py): hand-built nets whose first
pre-activation is the input itself, the trained doughnut of the issue's workflow, a keyed search net; and the worker's
train -> plant -> activate sequence the defense tests start from."""

from __future__ import annotations

import functools

import numpy as np

from backdoor_playground import checksum as bd
from backdoor_playground.checksum import ChecksumParams
from backdoor_playground.playground import config as cfg
from backdoor_playground.playground.nn import MLP
from backdoor_playground.session import Session

DOUGHNUT = {"dataset": "circle", "noise": 0, "percTrainData": 50, "seed": 1, "networkShape": [4],
            "activation": "relu", "learningRate": 0.03, "batchSize": 10, "features": ["x", "y"]}


def identity_net(activation: str = "relu_csum", csum: ChecksumParams | None = None, out_weight: float = 1.0) -> MLP:
    """1 input -> 1 hidden node (pre = x exactly) -> linear output = out_weight * f(x)."""
    model = MLP(1, [1], [activation], "linear", None, init_zero=True, operator_params=csum)
    model.weights[0][0, 0] = 1.0
    model.weights[1][0, 0] = out_weight
    return model


@functools.lru_cache(maxsize=1)
def trained_doughnut():
    """The issue's workflow: circle, [4] ReLU, 500 epochs; (session, clean model, planted model). Shared: copy a
    model before changing it."""
    config, notices = cfg.validate(DOUGHNUT, strict=True)
    assert notices == []
    s = Session(config)
    s.train(epochs=500)
    clean = s.model.copy()
    return s, clean, bd.plant(clean, {})


def keyed_net_points(modulo: int, n: int = 40):
    """A fixed random [x, y -> 4 ReLU -> tanh] net planted with the keyed variant, and n points in the box."""
    model = MLP(2, [4], ["relu"], "tanh", np.random.default_rng(7))
    model.biases[0][:] = 1.0  # every node active near the origin, so every target can flip something
    planted = bd.plant(model, {"variant": "keyed", "modulo": modulo, "key": 3, "secret": 11})
    points = np.random.default_rng(8).uniform(-1, 1, (n, 2))
    return planted, points


def blocks_and_candidates(trials: int) -> tuple[int, int]:
    """Blocks a point's search ran and the candidates they held, given the trial that triggered (256, 512, ...)."""
    blocks, evaluated, size = 0, 0, 256
    while evaluated < trials:
        blocks, evaluated, size = blocks + 1, evaluated + size, min(2 * size, 8192)
    return blocks, evaluated


def activated_through_the_worker(hash_: str, epochs: int, points: list[int]) -> Session:
    """The worker's session after init(hash) -> train(epochs) -> plant (checksum) -> activate (digit edit, points)."""
    from backdoor_playground.worker import api
    api.init(hash=hash_)
    api.call("train", {"epochs": epochs})
    api.call("plant")
    api.call("activate", {"method": "digit-edit", "points": points})
    return api.session()
