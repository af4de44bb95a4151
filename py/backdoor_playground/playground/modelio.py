"""Import and export that never crash: data CSV (playground/datacsv.py, re-exported here) and the model JSON file,
with ValueErrors that say what is wrong.

Model file (version 1):
    {"format": "backdoor-playground-model", "version": 1,
     "config": {...a config that config.validate accepts in strict mode...},
     "d": inputs per point, "K": classes (0 for regression) -- both optional on reading (older files), always written,
     "model": {"layer_sizes": [n_inputs, h_1, ..., n_outputs (1, or K for K > 2)],
               "activation_names": [one per weight layer; the last is the output's],
               "weights": [W_l as n_in rows of n_out numbers], "biases": [b_l as n_out numbers],
               "dead": [a bool per weight, shaped like weights: L1-pruned links]}}
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable, Sequence

import numpy as np

from . import features, problem
from . import config as cfg
from .datacsv import (DATA_BOX, DATA_COLUMNS, MAX_DATA_CHARS, PROBLEMS, _clip, data_shape, data_to_csv,  # noqa: F401
                      parse_data_csv)

MODEL_FORMAT = "backdoor-playground-model"
MODEL_VERSION = 1
MAX_EPOCH = 10**9  # a model file's epoch count (older files have none: 0)
MAX_MODEL_CHARS = 2 * 1024 * 1024
_MODEL_KEYS = ("layer_sizes", "activation_names", "weights", "biases", "dead")


# ----------------------------------------------------------------------------------------------------------------------
# Model JSON


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


MAX_JSON_DEPTH = 32  # a model file nests 4 deep; Pyodide's stack overflows (fatally) long before RecursionError


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """Deepest nesting of [ and { in JSON text, outside strings (regex + cumulative sum; no recursion)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets:
        return 0
    steps = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    return int(np.cumsum(np.where((steps == ord("[")) | (steps == ord("{")), 1, -1)).max(initial=0))


def _load(text_or_dict: Any) -> dict:
    if isinstance(text_or_dict, str):
        if len(text_or_dict) > MAX_MODEL_CHARS:
            raise ValueError(f"the model file is larger than {MAX_MODEL_CHARS // (1024 * 1024)} MB")
        if json_depth(text_or_dict) > MAX_JSON_DEPTH:
            raise ValueError(f"the model file is not valid JSON: nested more than {MAX_JSON_DEPTH} levels deep")
        try:
            doc = json.loads(text_or_dict, parse_constant=_reject_constant)
        except RecursionError:
            raise ValueError("the model file is not valid JSON: nested too deeply") from None
        except ValueError as exc:  # json.JSONDecodeError is a ValueError, as are huge-integer and NaN rejections
            raise ValueError(f"the model file is not valid JSON: {exc}") from None
    else:
        doc = text_or_dict
    if not isinstance(doc, dict):
        raise ValueError(f"the model file must be a JSON object, not {type(doc).__name__}")
    return doc


def _finite(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} is not a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{where} is not a finite number")
    return number


def _sized_list(value: Any, length: int, where: str) -> list:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list")
    if len(value) != length:
        raise ValueError(f"{where} has {len(value)} {'entry' if len(value) == 1 else 'entries'}; expected {length}")
    return value


def _matrix(value: Any, rows: int, cols: int, where: str, cell: Callable[[Any, str], Any]) -> list[list]:
    return [[cell(v, f"{where}[{i}][{j}]") for j, v in enumerate(_sized_list(row, cols, f"{where}[{i}]"))]
            for i, row in enumerate(_sized_list(value, rows, where))]


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where} is not true or false")
    return value


def _check_model(model: Any, config: dict) -> dict:
    if not isinstance(model, dict):
        raise ValueError("model must be an object")
    for key in model:
        if key not in _MODEL_KEYS:
            raise ValueError(f"model has an unknown key {str(key)[:40]!r}")
    for key in _MODEL_KEYS:
        if key not in model:
            raise ValueError(f"model.{key} is missing")

    d, k = problem.shape(config)
    inputs = features.input_names(d) if d > 3 else cfg.enabled_features(config)
    expected = [len(inputs), *config["networkShape"], problem.output_nodes(config)]
    sizes = model["layer_sizes"]
    if not isinstance(sizes, list) or any(isinstance(s, bool) or not isinstance(s, int) for s in sizes):
        raise ValueError("model.layer_sizes must be a list of integers")
    if sizes[-1:] != expected[-1:] and k:
        raise ValueError(f"model.layer_sizes {_short(sizes)} ends in {_short(sizes[-1:])} output node(s), but "
                         f"dataset {problem.active_dataset(config)} has K = {k} classes "
                         f"({expected[-1]} output node{'s' if expected[-1] > 1 else ''})")
    if sizes != expected:
        what = f"{d}-D data ({len(inputs)} inputs)" if d > 3 else f"{len(inputs)} enabled feature(s)"
        raise ValueError(f"model.layer_sizes {_short(sizes)} does not match the config: "
                         f"{what} and networkShape {_short(config['networkShape'])} "
                         f"give {expected}")
    depth = len(sizes) - 1

    names = _sized_list(model["activation_names"], depth, "model.activation_names")
    want = [*cfg.hidden_activations(config), None]
    for layer, name in enumerate(names):
        if not isinstance(name, str) or name not in cfg.ACTIVATION_NAMES:
            raise ValueError(f"model.activation_names[{layer}] {_short(name)} is not one of "
                             f"{', '.join(cfg.ACTIVATION_NAMES)}")
        if want[layer] is not None and name != want[layer]:
            raise ValueError(f"model.activation_names[{layer}] is {name!r} but the config says {want[layer]!r}")

    weights = [_matrix(w, sizes[l], sizes[l + 1], f"model.weights[{l}]", _finite)
               for l, w in enumerate(_sized_list(model["weights"], depth, "model.weights"))]
    biases = [[_finite(v, f"model.biases[{l}][{j}]") for j, v in
               enumerate(_sized_list(b, sizes[l + 1], f"model.biases[{l}]"))]
              for l, b in enumerate(_sized_list(model["biases"], depth, "model.biases"))]
    dead = [_matrix(d, sizes[l], sizes[l + 1], f"model.dead[{l}]", _flag)
            for l, d in enumerate(_sized_list(model["dead"], depth, "model.dead"))]
    return {"layer_sizes": list(sizes), "activation_names": list(names), "weights": weights, "biases": biases,
            "dead": dead}


def _short(value: Any) -> str:
    text = json.dumps(value, default=repr) if not isinstance(value, str) else repr(value)
    return _clip(text, 60)


def _check_shape(doc: dict, config: dict, expect: tuple[int, int] | None) -> tuple[int, int]:
    """(d, K) of the file's config; the file's own "d" and "K" (when present) and `expect` must agree with it."""
    d, k = problem.shape(config)
    name = problem.active_dataset(config)
    for key, value in (("d", d), ("K", k)):
        if key in doc and (isinstance(doc[key], bool) or doc[key] != value):
            raise ValueError(f"{key} {_short(doc[key])} does not match the config: dataset {name} has d = {d}, "
                             f"K = {k}")
    if expect is not None and (d, k) != tuple(expect):
        raise ValueError(f"the model file is for d = {d} inputs and K = {k} classes (dataset {name}); this "
                         f"playground has d = {expect[0]}, K = {expect[1]}: a model cannot change its inputs or "
                         "classes")
    return d, k


def parse_model_json(text_or_dict: str | dict, expect: tuple[int, int] | None = None) -> dict:
    """The checked model document (config validated strictly; every shape equal to layer_sizes; all finite; d and
    K those of the config's data set, and `expect` when given).

    Numbers come back as floats and flags as bools, in plain lists, so the result is itself a valid model file.
    """
    doc = _load(text_or_dict)
    for key in doc:
        if key not in ("format", "version", "config", "model", "epoch", "d", "K"):
            raise ValueError(f"unknown top-level key {str(key)[:40]!r}; expected format, version, config, model, "
                             "epoch, d, K")
    for key in ("format", "version", "config", "model"):
        if key not in doc:
            raise ValueError(f"the model file has no {key!r}")
    if doc["format"] != MODEL_FORMAT:
        raise ValueError(f"format {_short(doc['format'])} is not {MODEL_FORMAT!r}")
    version = doc["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version != MODEL_VERSION:
        raise ValueError(f"version {_short(version)} is not supported; this build reads version {MODEL_VERSION}")
    if not isinstance(doc["config"], dict):
        raise ValueError("config must be an object")
    try:
        config, _ = cfg.validate(doc["config"], strict=True, extra_sections=cfg.EXTRA_SECTIONS)
        config, _ = cfg.check_problem(config, strict=True)
    except ValueError as exc:
        raise ValueError(f"config: {exc}") from None
    d, k = _check_shape(doc, config, expect)
    model = _check_model(doc["model"], config)
    epoch = doc.get("epoch", 0)  # files written before the epoch was kept start at 0
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= MAX_EPOCH:
        raise ValueError(f"epoch {_short(epoch)} is not a whole number of epochs (0 to {MAX_EPOCH})")
    return {"format": MODEL_FORMAT, "version": MODEL_VERSION, "config": config, "d": d, "K": k, "model": model,
            "epoch": epoch}


def model_document(config: dict, model_dict: dict, epoch: int = 0) -> dict:
    """The version-1 model file for `config` and a model given as arrays or lists (dead defaults to all false),
    trained for `epoch` epochs (an import resumes the count)."""
    if not isinstance(model_dict, dict):
        raise ValueError("model must be a dict")
    missing = [key for key in _MODEL_KEYS if key != "dead" and key not in model_dict]
    if missing:
        raise ValueError(f"model is missing {', '.join(missing)}")
    weights = [np.asarray(w, dtype=np.float64) for w in model_dict["weights"]]
    dead = model_dict.get("dead")
    if dead is None:
        dead = [np.zeros(w.shape, dtype=bool) for w in weights]
    model = {
        "layer_sizes": [int(s) for s in model_dict["layer_sizes"]],
        "activation_names": [str(a) for a in model_dict["activation_names"]],
        "weights": [w.tolist() for w in weights],
        "biases": [np.asarray(b, dtype=np.float64).tolist() for b in model_dict["biases"]],
        "dead": [np.asarray(d, dtype=bool).tolist() for d in dead],
    }
    return parse_model_json({"format": MODEL_FORMAT, "version": MODEL_VERSION, "config": dict(config),
                             "model": model, "epoch": int(epoch)})
