"""Worker handlers for the playground itself (each takes the live Session first): settings, training, frames,
hand edits, model and data files, the data-set thumbnails. Plain data in and out."""

from __future__ import annotations

import time

import numpy as np

from .. import limits
from ..playground import config as cfg
from ..playground import modelio
from ..session import Session

# The height of the 3-D slice the plot shows (the data box is [-6, 6]^3): the page's slider reads this rule.
LIMITS = {"z": limits.Limit(-6.0, 6.0, 0.0, "height z of the slice the 3-D plot shows",
                                 integer=False)}


def update(s: Session, patch: dict) -> dict:
    """Change some settings. Learning rate, regularisation and batch size apply live; others rebuild.

    Returns {"kind": "none" | "live" | "model" | "data" | "backdoor", "config", "hash", "notices"} plus a snapshot
    when rebuilt; "backdoor" (new csum_* numbers on a planted model, same weights) adds "frame" and "backdoor"
    (backdoor_stats()).
    """
    new_config, notices = cfg.validate({**s.config, **patch})
    kind = s.update(new_config)
    if kind in ("model", "data"):
        return {"kind": kind, **s.snapshot(notices)}
    reply = {"kind": kind, "config": s.config, "hash": cfg.to_hash(s.config), "notices": notices}
    if kind == "backdoor":
        reply.update(frame=s.frame(), backdoor=s.attack.stats(s))
    return reply


def train(s: Session, epochs: int = 0, budget_ms: float = 0.0) -> dict:
    """Train `epochs` epochs, or as many as fit in `budget_ms`; returns one frame (with `epochs_run`, `train_ms`)."""
    t0 = time.perf_counter()
    ran = s.train(epochs=int(epochs), budget_ms=float(budget_ms))
    t1 = time.perf_counter()
    frame = s.frame()
    frame["epochs_run"] = ran
    frame["train_ms"] = (t1 - t0) * 1000.0
    frame["frame_ms"] = (time.perf_counter() - t1) * 1000.0
    return frame


def frame(s: Session, hover: str | None = None, z: float | None = None) -> dict:
    """The current frame; `hover` names a node whose grid comes at full resolution; `z` (3-D data) moves the slice
    the grids show (LIMITS["z"]), and later frames keep it."""
    s.hover = hover or None
    if z is not None:
        d, _ = s.shape
        if d != 3:
            raise ValueError(f"z: the slice height applies to 3-D data only; this data is {d}-D")
        s.slice_z = float(LIMITS["z"].check("z", z))
    return s.frame()


def reset(s: Session, reinit: bool = False) -> dict:
    """Back to epoch 0 with the same initial weights; `reinit` draws new ones (initSeed + 1)."""
    if reinit:
        s.config = {**s.config, "initSeed": s.config["initSeed"] + 1}
    s.rebuild_model()
    return s.snapshot()


def set_weight(s: Session, layer: int, source: int, target: int, value: float) -> dict:
    s.set_weight(layer, source, target, value)
    return s.frame()


def set_bias(s: Session, layer: int, node: int, value: float) -> dict:
    s.set_bias(layer, node, value)
    return s.frame()


def export_model(s: Session) -> dict:
    return s.export_model()


def import_model(s: Session, text: str) -> dict:
    """Load an exported model file (JSON text); a bad file raises ValueError and leaves the playground as it was."""
    notices = s.import_model(text)
    return s.snapshot(notices)


def export_csv(s: Session) -> str:
    d = s.data
    points = np.concatenate([d.train_points, d.test_points])
    labels = np.concatenate([d.train_labels, d.test_labels])
    split = ["train"] * len(d.train_labels) + ["test"] * len(d.test_labels)
    return modelio.data_to_csv(points, labels, split, dims=points.shape[1])


def import_csv(s: Session, text: str) -> dict:
    """Train on uploaded points (x, y, label[, split]); row-level errors raise ValueError, nothing changes."""
    points, labels, split = modelio.parse_data_csv(text, problem=s.config["problem"])
    s.use_uploaded(points, labels, split)
    return s.snapshot([f"using {len(labels)} uploaded points (they are not part of the link)"])


def experiment_result(s: Session) -> dict:
    """The live state as an experiment result (the command line's JSON): {"result", "tsv" (tidy rows),
    "replay" (a URL hash "replay=..." that re-runs the result's config from scratch)}."""
    from ..experiment import replay

    result = replay.session_result(s)
    return {"result": result, "tsv": replay.result_tsv(result), "replay": replay.encode(result["config"])}
