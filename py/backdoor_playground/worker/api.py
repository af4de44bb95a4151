"""The only module the browser worker calls: plain data in and out (dict, list, str, number, bool, bytes).

The worker sends `call(method, args)`; each public function below takes keyword arguments and returns plain data.
One module-level Session holds the playground between calls (one worker = one page = one session).
"""

from __future__ import annotations

import importlib
import platform
import sys
import time

import numpy as np

from .. import __version__
from ..playground import config as cfg
from .. import checksum as backdoor
from ..playground import datasets, modelio
from ..session import Session

_session: Session | None = None
_trials_per_s: dict[str, float] = {}  # this device's search-trial throughput, from calibrate()


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

    Returns {"kind": "none" | "live" | "model" | "data" | "backdoor", "config", "hash", "notices"} plus a snapshot
    when rebuilt; "backdoor" (new csum_* numbers on a planted model, same weights) adds "frame" and "backdoor"
    (backdoor_stats()).
    """
    s = session()
    new_config, notices = cfg.validate({**s.config, **patch})
    kind = s.update(new_config)
    if kind in ("model", "data"):
        return {"kind": kind, **s.snapshot(notices)}
    reply = {"kind": kind, "config": s.config, "hash": cfg.to_hash(s.config), "notices": notices}
    if kind == "backdoor":
        reply.update(frame=s.frame(), backdoor=s.backdoor_stats())
    return reply


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


# ---------------------------------------------------------------- backdoor 1: the checksum in the operator


def plant(params: dict | None = None) -> dict:
    """Plant the checksum backdoor, keeping the trained weights. params: {variant, key, modulo, precision, secret,
    layers: "all" | "first"}, missing ones from the config's csum_* keys.

    Returns a snapshot (config with the planted `activations` and csum_* numbers, hash, data, model, frame) plus
    "backdoor": backdoor_stats()."""
    s = session()
    stats = s.plant(params)
    return {**s.snapshot(), "backdoor": stats}


def unplant() -> dict:
    """Back to the plain operators (current weights kept): a snapshot plus "backdoor"."""
    s = session()
    s.unplant()
    return {**s.snapshot(), "backdoor": s.backdoor_stats()}


def backdoor_stats() -> dict:
    """{planted, layers (1-based), params, has_clean} and, when planted: trigger_rate (test points where any checksum
    node fires), node_trigger_rate, trigger_rate_grid, test_accuracy; with a clean reference also agreement (test
    set), agreement_grid (100 x 100 grid), clean_test_accuracy. Rates are fractions in [0, 1]."""
    return session().backdoor_stats()


def activate(method: str = "digit-edit", points="all", params: dict | None = None) -> dict:
    """Activate on test points ("all" or a list of test indices): {"records": [...], "summary": {...}}.

    digit-edit params: {window}; search params: {k, radius, max_trials} (runs to the end: prefer search_start).
    Record: index, x0, y0, x1, y1, node(s), pre0, pre1, csum0, csum1, out0, out1, matched, flipped, delta, reason
    (search adds trials, p_key, expected_trials). Summary: attempted, matched, flipped, flip_rate,
    median_abs_delta / max_abs_delta (flipped points), *_moved (every moved point), seconds,
    test_accuracy_after, and the checksum numbers."""
    return session().activate(method, points, params)


def search_start(points="all", params: dict | None = None) -> dict:
    """Start the key holder's search (params {k, radius, max_trials}); returns progress (see search_step)."""
    return session().search_start(points, params)


def search_step(budget_ms: float = 50.0) -> dict:
    """Search for about budget_ms: {done, total, trials, point_trials, matched, flipped, finished, cancelled,
    seconds, expected_trials, new_records}; when finished also "result" ({records, summary})."""
    return session().search_step(budget_ms)


def search_cancel() -> dict:
    """Stop the search: progress plus "result" for the points finished so far."""
    return session().search_cancel()


def calibrate(budget_ms: float = 300.0) -> dict:
    """Measure this device's search trials per second per variant in about budget_ms: {"trials_per_s": {...}}."""
    global _trials_per_s
    names = session().feature_names if _session is not None and _session.feature_names else ["x", "y"]
    _trials_per_s = backdoor.calibrate(budget_ms, names)
    return {"trials_per_s": dict(_trials_per_s), "budget_ms": budget_ms}


def search_estimate(budget_s: float = 1.0, k: int = 1, variant: str | None = None, modulo: int | None = None,
                    precision: int | None = None, key: int | None = None,
                    trials_per_s: float | None = None) -> dict:
    """What a k-node search costs on this device (numbers default to the config, the rate to calibrate()'s):
    {variant, trials_per_s, p_key, expected_trials, predicted_seconds, over_budget, max_modulo, max_k, text}.

    max_modulo is None when not even m = 2 fits; max_k is 0 when not even k = 1 fits."""
    c = session().config
    params = backdoor.plant_params({"variant": variant or c["csum_variant"],
                                    "modulo": c["csum_modulo"] if modulo is None else modulo,
                                    "precision": c["csum_precision"] if precision is None else precision,
                                    "key": c["csum_key"] if key is None else key})
    csum = params.csum
    if trials_per_s is None:
        if csum.variant not in _trials_per_s:
            raise ValueError("no calibration yet: call calibrate first (or pass trials_per_s)")
        trials_per_s = _trials_per_s[csum.variant]
    p_key = backdoor.p_key_model(csum.variant, csum.modulo, csum.precision, csum.key)
    seconds = backdoor.predict_search_seconds(trials_per_s, p_key, k)
    cap = backdoor.search_cap(trials_per_s, budget_s, k, csum.variant, csum.precision, csum.key)
    n_nodes = session().model.layer_sizes[1] if len(session().model.layer_sizes) > 2 else 1
    max_k = backdoor.search_k_cap(trials_per_s, budget_s, p_key, n_nodes)
    cap_text = "no modulo fits" if cap is None else f"max modulo {cap}"
    return {"variant": csum.variant, "trials_per_s": trials_per_s, "p_key": p_key,
            "expected_trials": backdoor.expected_search_trials(p_key, k) if p_key > 0 else None,
            "predicted_seconds": seconds if seconds != float("inf") else None, "over_budget": seconds > budget_s,
            "max_modulo": cap, "max_k": max_k,
            "text": f"this device: {trials_per_s:,.0f} trials/s → {cap_text} (k = {k}, {budget_s:g} s)"}


def residue_histograms(modulo: int | None = None, precision: int | None = None) -> dict:
    """Residue counts per variant over the current model's first-layer pre-activations of all data points:
    {source, count, modulo, precision, key, histograms: {variant: [m counts]}, key_frequency, distinct,
    descriptions: {variant: one-line description}}."""
    return session().residue_histograms(modulo, precision)


# ---------------------------------------------------------------- results and replays


def experiment_result() -> dict:
    """The live state as an experiment result (the command line's JSON): {"result", "tsv" (tidy rows),
    "replay" (a URL hash "replay=..." that re-runs the result's config from scratch)}."""
    from ..experiment import replay

    result = replay.session_result(session())
    return {"result": result, "tsv": replay.result_tsv(result), "replay": replay.encode(result["config"])}


def replay(link: str) -> dict:
    """Re-run the experiment in a Replay link ("replay=<base64url JSON>"): train -> plant -> activate -> forge ->
    defend from scratch; the run becomes the live playground. Returns a snapshot plus "result"."""
    global _session
    from ..experiment import stages as experiment, replay as replays
    from ..defense.run import json_safe

    s, result = experiment.run_session(replays.decode(link))
    _session = s
    return {**s.snapshot(), "result": json_safe(result)}


def benchmark() -> dict:
    """In-browser figures for `python3 build.py bench` (a separate session: the page's playground is untouched)."""
    from . import benchmark as bench# imported on demand: the page never needs it

    return bench.run_all()


PUBLIC = {f.__name__: f for f in (benchmark, info, init, update, train, frame, reset, set_weight, set_bias, export_model,
                                  import_model, export_csv, import_csv, dataset_thumbnails, plant, unplant,
                                  backdoor_stats, activate, search_start, search_step, search_cancel, calibrate,
                                  search_estimate, residue_histograms, experiment_result, replay)}


# Page actions that become part of the experiment config an export or a Replay link carries.
RECORDED = frozenset({"plant", "unplant", "activate", "search_start", "csum_signature", "signature_install",
                      "signature_remove", "signature_activate", "signature_forge", "defend"})

# Modules whose HANDLERS take the live session first: NN Calculator's buttons, the defenses, the signature backdoor.
# Imported on first use, so the page's boot does not pay for them.
HANDLER_MODULES = ("calculator", "defense", "signature")


def session_handler(method: str):
    for name in HANDLER_MODULES:
        handler = importlib.import_module(f"{__package__}.{name}").HANDLERS.get(method)
        if handler is not None:
            return handler
    return None


def call(method: str, args: dict | None = None):
    """Dispatch one worker request to the public function `method` with keyword arguments `args`; actions that
    shape the experiment are recorded (replay.record) so the page can export and replay them."""
    args = dict(args or {})
    fn = PUBLIC.get(method)
    if fn is not None:
        value = fn(**args)
    else:
        handler = session_handler(method)
        if handler is None:
            raise ValueError(f"unknown method {method!r}")
        value = handler(session(), **args)
    if _session is not None and method in RECORDED:
        from ..experiment import replay
        replay.record(_session, method, args, value)
    return value
