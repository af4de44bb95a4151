"""The only module the browser worker calls: plain data in and out (dict, list, str, number, bool, bytes).

The worker sends `call(method, args)`; each public function below takes keyword arguments and returns plain data.
One module-level Session holds the playground between calls (one worker = one page = one session).
"""

from __future__ import annotations

import json
import platform
import sys
import time

import numpy as np

from . import __version__
from . import config as cfg
from . import calculator, datasets, modelio
from .session import Session

_session: Session | None = None


def info() -> dict:
    """Versions and limits, sent with the worker's "ready" message."""
    return {"package": __version__, "numpy": np.__version__, "python": platform.python_version(),
            "platform": sys.platform}


def session() -> Session:
    if _session is None:
        raise ValueError("no playground yet: call init first")
    return _session


def init(hash: str = "", config: dict | None = None) -> dict:
    """Start a playground from a URL hash (or a config dict); invalid values fall back to defaults with notices."""
    global _session
    if config is not None:
        new_config, notices = cfg.validate(config)
    else:
        new_config, notices = cfg.from_hash(hash)
    _session = Session(new_config)
    return _session.snapshot(notices)


def update(patch: dict) -> dict:
    """Change some settings. Learning rate, regularisation and batch size apply live; others rebuild.

    Returns {"kind": "none" | "live" | "model" | "data", "config", "hash", "notices"} plus a snapshot when rebuilt.
    """
    s = session()
    new_config, notices = cfg.validate({**s.config, **patch})
    kind = s.update(new_config)
    if kind in ("model", "data"):
        return {"kind": kind, **s.snapshot(notices)}
    return {"kind": kind, "config": s.config, "hash": cfg.to_hash(s.config), "notices": notices}


def train(epochs: int = 0, budget_ms: float = 0.0) -> dict:
    """Train `epochs` epochs, or as many as fit in `budget_ms`; returns one frame (with `epochs_run`, `train_ms`)."""
    s = session()
    t0 = time.perf_counter()
    ran = s.train(epochs=int(epochs), budget_ms=float(budget_ms))
    t1 = time.perf_counter()
    frame = s.frame()
    frame["epochs_run"] = ran
    frame["train_ms"] = (t1 - t0) * 1000.0
    frame["frame_ms"] = (time.perf_counter() - t1) * 1000.0
    return frame


def frame(hover: str | None = None) -> dict:
    """The current frame; `hover` names a node whose grid comes at full resolution."""
    s = session()
    s.hover = hover or None
    return s.frame()


def reset(reinit: bool = False) -> dict:
    """Back to epoch 0 with the same initial weights; `reinit` draws new ones (initSeed + 1)."""
    s = session()
    if reinit:
        s.config = {**s.config, "initSeed": s.config["initSeed"] + 1}
    s.rebuild_model()
    return s.snapshot()


def set_weight(layer: int, source: int, target: int, value: float) -> dict:
    s = session()
    s.set_weight(layer, source, target, value)
    return s.frame()


def set_bias(layer: int, node: int, value: float) -> dict:
    s = session()
    s.set_bias(layer, node, value)
    return s.frame()


def export_model() -> dict:
    return session().export_model()


def import_model(text: str) -> dict:
    """Load an exported model file (JSON text); a bad file raises ValueError and leaves the playground as it was."""
    s = session()
    notices = s.import_model(text)
    return s.snapshot(notices)


def export_csv() -> str:
    d = session().data
    points = np.concatenate([d.train_points, d.test_points])
    labels = np.concatenate([d.train_labels, d.test_labels])
    split = ["train"] * len(d.train_labels) + ["test"] * len(d.test_labels)
    return modelio.data_to_csv(points, labels, split)


def import_csv(text: str) -> dict:
    """Train on uploaded points (x, y, label[, split]); row-level errors raise ValueError, nothing changes."""
    s = session()
    points, labels, split = modelio.parse_data_csv(text, problem=s.config["problem"])
    s.use_uploaded(points, labels, split)
    return s.snapshot([f"using {len(labels)} uploaded points (they are not part of the link)"])


def dataset_thumbnails() -> list:
    """Small point sets for the dataset picker, one per data set."""
    out = []
    for problem, names in (("classification", datasets.CLASSIFY_DATASETS), ("regression", datasets.REGRESS_DATASETS)):
        for name in names:
            out.append({"name": name, "problem": problem, "label": datasets.DATASET_INFO.get(name, name),
                        "points": datasets.thumbnail_points(name)})
    return out


PUBLIC = {f.__name__: f for f in (info, init, update, train, frame, reset, set_weight, set_bias, export_model,
                                  import_model, export_csv, import_csv, dataset_thumbnails)}


def call(method: str, args: dict | None = None):
    """Dispatch one worker request to the public function `method` with keyword arguments `args`.

    NN Calculator's buttons (calculator.HANDLERS) take the live session as their first argument."""
    fn = PUBLIC.get(method)
    if fn is not None:
        return fn(**dict(args or {}))
    handler = calculator.HANDLERS.get(method)
    if handler is not None:
        return handler(session(), **dict(args or {}))
    raise ValueError(f"unknown method {method!r}")


def to_json(value) -> str:
    """JSON text of a reply (bytes as lists), for tests and the command line."""
    return json.dumps(value, default=lambda o: list(o) if isinstance(o, (bytes, bytearray)) else str(o))
