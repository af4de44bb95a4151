"""The white-box inspector: reads both models' deployed computation (rounds.py says what it may read) and suspects
the one with an operator of a registered operator family (playground/activations.FAMILIES: the checksum's *_csum
operators) or a block wrapped around the network (the signature verifier); when the structures
match it compares weight statistics and, if those do not settle it, plays the perturbation probe with its queries."""

from __future__ import annotations

import numpy as np

from ..playground.activations import FAMILIES
from . import probe_player


def structure_marks(view: dict) -> int:
    """How many unusual parts a white-box view shows: operators of a registered family, wrapping blocks."""
    net = view["network"]
    return sum(1 for n in net["activation_names"] if n in FAMILIES) + len(view["blocks"])


def weight_vector(view: dict) -> np.ndarray:
    """Every weight and bias of the network, flattened (the keys of MLP.to_dict that hold numbers)."""
    net = view["network"]
    parts = [np.asarray(net[k], dtype=object).ravel() for k in ("weights", "biases") if k in net]
    flat: list[float] = []
    for p in parts:
        for v in p.tolist():
            flat.extend(np.asarray(v, dtype=np.float64).ravel().tolist())
    return np.asarray(flat, dtype=np.float64)


def weight_stats(view: dict) -> dict:
    w = weight_vector(view)
    if not len(w):
        return {"n": 0, "mean_abs": 0.0, "max_abs": 0.0}
    return {"n": int(len(w)), "mean_abs": float(np.mean(np.abs(w))), "max_abs": float(np.max(np.abs(w)))}


class WhiteboxPlayer:
    name = "whitebox"
    whitebox = True

    def distinguish(self, arena) -> int:
        views = [arena.whitebox(0), arena.whitebox(1)]
        marks = [structure_marks(v) for v in views]
        if marks[0] != marks[1]:
            return 0 if marks[0] > marks[1] else 1
        return probe_player.ProbePlayer().distinguish(arena)

    def trigger(self, arena) -> None:
        arena.whitebox(1)  # the structure names the backdoor but not its key: the probe is what is left
        probe_player.ProbePlayer().trigger(arena)
