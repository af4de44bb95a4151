"""Import and export that never crash: data CSV and the model JSON file, with ValueErrors that say what is wrong.

Model file (version 1):
    {"format": "backdoor-playground-model", "version": 1,
     "config": {...a config that config.validate accepts in strict mode...},
     "model": {"layer_sizes": [n_features, h_1, ..., 1],
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

from . import config as cfg

MODEL_FORMAT = "backdoor-playground-model"
MODEL_VERSION = 1
MAX_EPOCH = 10**9  # a model file's epoch count (older files have none: 0)
MAX_MODEL_CHARS = 2 * 1024 * 1024
MAX_DATA_CHARS = 2 * 1024 * 1024
DATA_BOX = 6.0
PROBLEMS = ("classification", "regression")
DATA_COLUMNS = ("x", "y", "label", "split")

_NUMBER_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NON_FINITE_WORDS = {"nan", "inf", "infinity"}
_MODEL_KEYS = ("layer_sizes", "activation_names", "weights", "biases", "dead")


# ----------------------------------------------------------------------------------------------------------------------
# Data CSV


def _number_text(value: float) -> str:
    """Shortest round-trip decimal; integers without a trailing '.0' (so labels read -1 and 1)."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def data_to_csv(points: Any, labels: Any, split: Sequence[str] | None = None) -> str:
    """CSV text with header x,y,label (and split = train|test when given), one point per row."""
    points = np.asarray(points, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), not {points.shape}")
    if labels.shape[0] != points.shape[0]:
        raise ValueError(f"{points.shape[0]} points but {labels.shape[0]} labels")
    if split is not None:
        split = list(split)
        if len(split) != points.shape[0]:
            raise ValueError(f"{points.shape[0]} points but {len(split)} split entries")
        bad = [s for s in split if s not in ("train", "test")]
        if bad:
            raise ValueError(f"split entry {bad[0]!r} is not train or test")
    header = "x,y,label" + (",split" if split is not None else "")
    rows = [header]
    for i in range(points.shape[0]):
        row = f"{_number_text(points[i, 0])},{_number_text(points[i, 1])},{_number_text(labels[i])}"
        rows.append(row + (f",{split[i]}" if split is not None else ""))
    return "\n".join(rows) + "\n"


def _field(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


def _is_number(text: str) -> bool:
    return bool(_NUMBER_RE.fullmatch(text))


def _cell_number(text: str, row: int, name: str) -> float:
    """The finite number in a cell, or a ValueError naming the row and the field."""
    if text.lstrip("+-").lower() in _NON_FINITE_WORDS:
        raise ValueError(f"row {row}: {name} {text!r} is not finite")
    if not _is_number(text):
        raise ValueError(f"row {row}: {name} {_clip(text)!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"row {row}: {name} {_clip(text)!r} is not finite")
    return value


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _columns(first: list[str], first_row: int) -> tuple[list[str], bool]:
    """(column names, whether the first line is a header): a header is a first line whose first field is no number."""
    if first and _is_number(first[0]):
        if len(first) not in (3, 4):
            raise ValueError(f"row {first_row}: expected 3 or 4 fields (x, y, label[, split]), found {len(first)}")
        return list(DATA_COLUMNS[: len(first)]), False
    names = [name.lower() for name in first]
    for name in names:
        if name not in DATA_COLUMNS:
            raise ValueError(f"header: unknown column {_clip(name)!r}; expected x, y, label and optionally split")
    for name in set(names):
        if names.count(name) > 1:
            raise ValueError(f"header: column {name!r} appears twice")
    missing = [name for name in ("x", "y", "label") if name not in names]
    if missing:
        raise ValueError(f"header: missing column(s) {', '.join(missing)}")
    return names, True


def parse_data_csv(text: str, *, problem: str = "classification",
                   max_rows: int = 5000) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    """(points (n, 2), labels (n,), split list or None) from CSV text; row numbers in errors are line numbers.

    Classification labels are -1/1 or 0/1 (0 maps to -1) with both classes present; regression labels lie in
    [-1, 1]; points lie in [-6, 6]^2; separators are comma, semicolon or tab; a header line is optional.
    """
    if problem not in PROBLEMS:
        raise ValueError(f"problem {problem!r} is not classification or regression")
    if not isinstance(text, str):
        raise ValueError(f"the data must be text, not {type(text).__name__}")
    if len(text) > MAX_DATA_CHARS:
        raise ValueError(f"the data file is larger than {MAX_DATA_CHARS // (1024 * 1024)} MB")
    lines = [(number, line) for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
             if line.strip()]
    if not lines:
        raise ValueError("the data file is empty")
    first_row, first_line = lines[0]
    sep = "\t" if "\t" in first_line else ";" if ";" in first_line else ","
    columns, has_header = _columns([_field(f) for f in first_line.split(sep)], first_row)
    body = lines[1:] if has_header else lines
    if len(body) > max_rows:
        raise ValueError(f"the data has {len(body)} rows; at most {max_rows} are allowed")
    if len(body) < 2:
        raise ValueError(f"the data has {len(body)} row(s); at least 2 are needed")

    at = {name: columns.index(name) for name in columns}
    points = np.empty((len(body), 2))
    labels = np.empty(len(body))
    split: list[str] | None = [] if "split" in at else None
    label_rows: dict[float, int] = {}  # first row of each class label, for the error messages
    for i, (row, line) in enumerate(body):
        fields = [_field(f) for f in line.split(sep)]
        if len(fields) != len(columns):
            raise ValueError(f"row {row}: expected {len(columns)} fields ({', '.join(columns)}), found {len(fields)}")
        x = _cell_number(fields[at["x"]], row, "x")
        y = _cell_number(fields[at["y"]], row, "y")
        label = _cell_number(fields[at["label"]], row, "label")
        if abs(x) > DATA_BOX or abs(y) > DATA_BOX:
            raise ValueError(f"row {row}: point ({fields[at['x']]}, {fields[at['y']]}) lies outside the data box "
                             f"[-6, 6]²")
        if problem == "classification":
            if label not in (-1.0, 0.0, 1.0):
                raise ValueError(f"row {row}: label {_clip(fields[at['label']])!r} is not a class label; "
                                 "use -1/1 or 0/1")
            label_rows.setdefault(label, row)
        elif abs(label) > 1.0:
            raise ValueError(f"row {row}: label {_clip(fields[at['label']])!r} lies outside [-1, 1]")
        if split is not None:
            which = fields[at["split"]].lower()
            if which not in ("train", "test"):
                raise ValueError(f"row {row}: split {_clip(fields[at['split']])!r} is not train or test")
            split.append(which)
        points[i] = x, y
        labels[i] = label

    if problem == "classification":
        if 0.0 in label_rows and -1.0 in label_rows:
            raise ValueError(f"labels mix the 0/1 and -1/1 conventions (row {label_rows[0.0]} has 0, "
                             f"row {label_rows[-1.0]} has -1)")
        labels[labels == 0.0] = -1.0
        if len(np.unique(labels)) < 2:
            raise ValueError(f"only one class (label {_number_text(labels[0])}) in the data; "
                             "classification needs both")
    if split is not None and "train" not in split:
        raise ValueError("no row has split=train")
    return points, labels, split


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

    features = cfg.enabled_features(config)
    expected = [len(features), *config["networkShape"], 1]
    sizes = model["layer_sizes"]
    if not isinstance(sizes, list) or any(isinstance(s, bool) or not isinstance(s, int) for s in sizes):
        raise ValueError("model.layer_sizes must be a list of integers")
    if sizes != expected:
        raise ValueError(f"model.layer_sizes {_short(sizes)} does not match the config: "
                         f"{len(features)} enabled feature(s) and networkShape {_short(config['networkShape'])} "
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


def parse_model_json(text_or_dict: str | dict) -> dict:
    """The checked model document (config validated strictly; every shape equal to layer_sizes; all finite).

    Numbers come back as floats and flags as bools, in plain lists, so the result is itself a valid model file.
    """
    doc = _load(text_or_dict)
    for key in doc:
        if key not in ("format", "version", "config", "model", "epoch"):
            raise ValueError(f"unknown top-level key {str(key)[:40]!r}; expected format, version, config, model, "
                             "epoch")
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
    except ValueError as exc:
        raise ValueError(f"config: {exc}") from None
    model = _check_model(doc["model"], config)
    epoch = doc.get("epoch", 0)  # files written before the epoch was kept start at 0
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= MAX_EPOCH:
        raise ValueError(f"epoch {_short(epoch)} is not a whole number of epochs (0 to {MAX_EPOCH})")
    return {"format": MODEL_FORMAT, "version": MODEL_VERSION, "config": config, "model": model, "epoch": epoch}


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
