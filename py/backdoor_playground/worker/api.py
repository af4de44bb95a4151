"""The only module the browser worker calls: `call(method, args)` with plain data in and out (dict, list, str,
number, bool, bytes).

METHODS is the one table of worker methods: method name -> the handler module in this folder that defines a
function of that name. Handlers take the live Session first and keyword arguments after it, except those of this
module ("api"), which start or describe the worker. The build writes the table's names into the page's
`api-table.js`, so the page calls methods by constant. Handler modules are imported on first use, so the page's
boot pays only for the playground. One module-level Session holds the playground between calls (one worker = one
page = one session).
"""

from __future__ import annotations

import importlib
import sys

import numpy as np

from .. import __version__
from ..playground import config as cfg
from ..playground import datasets
from ..session import Session

METHODS: dict[str, str] = {
    # the worker itself (this module)
    "info": "api", "init": "api", "replay": "api", "benchmark": "api", "dataset_thumbnails": "api",
    # the playground
    "update": "playground", "train": "playground", "frame": "playground", "reset": "playground",
    "set_weight": "playground", "set_bias": "playground", "export_model": "playground",
    "import_model": "playground", "export_csv": "playground", "import_csv": "playground",
    "experiment_result": "playground",
    # Backdoor 1: the checksum in the operator
    "plant": "checksum", "unplant": "checksum", "backdoor_stats": "checksum", "activate": "checksum",
    "search_start": "checksum", "search_step": "checksum", "search_cancel": "checksum", "calibrate": "checksum",
    "search_estimate": "checksum", "residue_histograms": "checksum",
    # Backdoor 2: the signature block, and NN Calculator's CSUM signature
    "csum_signature": "signature", "signature_install": "signature", "signature_remove": "signature",
    "signature_activate": "signature", "signature_forge": "signature", "signature_estimate": "signature",
    "signature_view": "signature", "signature_stats": "signature",
    # defenses
    "defend": "defense", "defend_start": "defense", "defend_step": "defense", "defend_cancel": "defense",
    "defense_metrics": "defense", "neural_cleanse": "cleanse", "cleanse_start": "cleanse", "cleanse_step": "cleanse",
    "cleanse_cancel": "cleanse",
    # the backdoor x defense matrix
    "matrix_names": "matrix", "matrix_start": "matrix", "matrix_step": "matrix", "matrix_cancel": "matrix",
    "matrix_cell_config": "matrix",
    # the studies (studies/: the runner's studies in steps, and files made on the command line)
    "studies_names": "studies", "studies_start": "studies", "studies_step": "studies", "studies_cancel": "studies",
    "studies_files": "studies", "studies_load": "studies",
    # the games (issue 16): a person's rounds and the automated players'
    "games_names": "games", "games_start": "games", "games_query": "games", "games_guess": "games",
    "games_give_up": "games", "games_whitebox": "games", "games_baselines": "games", "games_player_start": "games",
    "games_player_step": "games", "games_player_cancel": "games",
    # NN Calculator's buttons
    "memory_info": "calculator", "data_memory": "calculator", "model_memory": "calculator",
    "trojan_regions": "calculator", "run_inference": "calculator", "run_inefficiency": "calculator",
    "sensitivity_start": "calculator", "sensitivity_step": "calculator", "sensitivity_cancel": "calculator",
    "save_nn_csv": "calculator", "save_results_csv": "calculator",
}

_session: Session | None = None


def info() -> dict:
    """Versions and limits, sent with the worker's "ready" message."""
    return {"package": __version__, "numpy": np.__version__, "python": sys.version.split()[0],
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


def replay(link: str) -> dict:
    """Re-run the experiment in a Replay link ("replay=<base64url JSON>"): train -> plant -> activate -> forge ->
    defend from scratch; the run becomes the live playground. Returns a snapshot plus "result"."""
    global _session
    from ..defense.run import json_safe
    from ..experiment import replay as replays, stages

    s, result = stages.run_session(replays.decode(link))
    _session = s
    return {**s.snapshot(), "result": json_safe(result)}


def benchmark(only: str = "") -> dict:
    """In-browser figures for `python3 build.py bench` (a separate session: the page's playground is untouched);
    `only`: one group of them (benchmark.run_all)."""
    from . import benchmark as bench  # imported on demand: the page never needs it

    return bench.run_all(only)


def dataset_thumbnails() -> list:
    """Small point sets for the dataset picker, one per data set."""
    out = []
    for problem, names in (("classification", datasets.CLASSIFY_DATASETS), ("regression", datasets.REGRESS_DATASETS)):
        for name in names:
            out.append({"name": name, "problem": problem, "label": datasets.DATASET_INFO.get(name, name),
                        "points": datasets.thumbnail_points(name)})
    return out


def handler(method: str):
    """The function behind a worker method; ValueError for a name that is not in METHODS."""
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    module = METHODS[method]
    if module == "api":
        return globals()[method]
    return getattr(importlib.import_module(f"{__package__}.{module}"), method)


def call(method: str, args: dict | None = None):
    """Dispatch one worker request to the handler of `method` with keyword arguments `args`."""
    fn = handler(method)
    if args is not None and not isinstance(args, dict):
        raise ValueError(f"the arguments of {method} must be an object, got {type(args).__name__}")
    args = dict(args or {})
    if METHODS[method] == "api":
        return fn(**args)
    return fn(session(), **args)
