"""The data CSV: x, y[, z], label[, split], one point per row; parsing never crashes and every ValueError names the
row and the field (row numbers are line numbers).

Points have 2 or 3 coordinates inside the data box [-6, 6]^d. Classification labels are -1/1 or 0/1 (0 maps to -1:
two classes, TF Playground's encoding) or class indices 0..K-1 for K = 3..10 classes with every class present
(playground/classes.py); regression labels lie in [-1, 1]. Separators are comma, semicolon or tab; a header line is
optional. Without a header, 3 fields are x, y, label; 4 are x, y, label, split when the last is a word and x, y, z,
label when it is a number; 5 are x, y, z, label, split.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

import numpy as np

from .classes import MAX_CLASSES

DATA_BOX = 6.0
PROBLEMS = ("classification", "regression")
DATA_COLUMNS = ("x", "y", "z", "label", "split")
MAX_DATA_CHARS = 2 * 1024 * 1024

_NUMBER_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NON_FINITE_WORDS = {"nan", "inf", "infinity"}


def _number_text(value: float) -> str:
    """Shortest round-trip decimal; integers without a trailing '.0' (so labels read -1 and 1)."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def data_to_csv(points: Any, labels: Any, split: Sequence[str] | None = None, dims: int = 2) -> str:
    """CSV text with header x,y[,z],label (and split = train|test when given), one point per row; `dims` (2 or 3)
    is the number of coordinates the caller means to write."""
    if dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, not {dims!r}")
    points = np.asarray(points, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    if points.ndim != 2 or points.shape[1] != dims:
        raise ValueError(f"points must have shape (n, {dims}), not {points.shape}")
    if labels.shape[0] != points.shape[0]:
        raise ValueError(f"{points.shape[0]} points but {labels.shape[0]} labels")
    if split is not None:
        split = list(split)
        if len(split) != points.shape[0]:
            raise ValueError(f"{points.shape[0]} points but {len(split)} split entries")
        bad = [s for s in split if s not in ("train", "test")]
        if bad:
            raise ValueError(f"split entry {bad[0]!r} is not train or test")
    header = ",".join(DATA_COLUMNS[:dims]) + ",label" + (",split" if split is not None else "")
    rows = [header]
    for i in range(points.shape[0]):
        row = ",".join(_number_text(v) for v in points[i]) + f",{_number_text(labels[i])}"
        rows.append(row + (f",{split[i]}" if split is not None else ""))
    return "\n".join(rows) + "\n"


def data_shape(points: Any, labels: Any) -> tuple[int, int]:
    """(d, K) of parsed points and classification labels: K = 2 for -1/1 labels, max + 1 for class indices."""
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    k = 2 if y.size == 0 or y.min() < 0 or y.max() <= 1 else int(y.max()) + 1
    return int(np.asarray(points).shape[1]), k


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
        n = len(first)
        if n == 3:
            return ["x", "y", "label"], False
        if n == 4:
            return (["x", "y", "z", "label"] if _is_number(first[3]) else ["x", "y", "label", "split"]), False
        if n == 5:
            return ["x", "y", "z", "label", "split"], False
        raise ValueError(f"row {first_row}: expected 3 or 4 fields (x, y, label[, split]) or 4 or 5 fields "
                         f"(x, y, z, label[, split]), found {n}")
    names = [name.lower() for name in first]
    for name in names:
        if name not in DATA_COLUMNS:
            raise ValueError(f"header: unknown column {_clip(name)!r}; expected x, y, optionally z, label and "
                             "optionally split")
    for name in set(names):
        if names.count(name) > 1:
            raise ValueError(f"header: column {name!r} appears twice")
    missing = [name for name in ("x", "y", "label") if name not in names]
    if missing:
        raise ValueError(f"header: missing column(s) {', '.join(missing)}")
    return names, True


def _check_classes(labels: np.ndarray, label_rows: dict[float, int], texts: dict[float, str]) -> np.ndarray:
    """-1/1 or 0/1 (0 -> -1) for two classes, or indices 0..K-1 (K = 3..10, every class present)."""
    found = sorted(label_rows)
    if found and found[-1] >= 2:  # class indices
        k = int(found[-1]) + 1
        absent = [c for c in range(k) if float(c) not in label_rows]
        if -1.0 in label_rows or absent:
            bad = max(found)
            why = ("-1 mixes with class indices" if -1.0 in label_rows
                   else f"class indices 0..{k - 1} need every class, and no row has {', '.join(map(str, absent))}")
            raise ValueError(f"row {label_rows[bad]}: label {_clip(texts[bad])!r} is not a class label ({why}); "
                             f"use -1/1, 0/1 or 0..K-1 with K <= {MAX_CLASSES}")
        return labels
    if 0.0 in label_rows and -1.0 in label_rows:
        raise ValueError(f"labels mix the 0/1 and -1/1 conventions (row {label_rows[0.0]} has 0, "
                         f"row {label_rows[-1.0]} has -1)")
    labels[labels == 0.0] = -1.0
    if len(np.unique(labels)) < 2:
        raise ValueError(f"only one class (label {_number_text(labels[0])}) in the data; "
                         "classification needs both")
    return labels


def parse_data_csv(text: str, *, problem: str = "classification",
                   max_rows: int = 5000) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    """(points (n, d) with d = 2 or 3, labels (n,), split list or None) from CSV text (see the module docstring)."""
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
    if problem == "regression" and "z" in columns:
        raise ValueError("header: column 'z': regression data is 2-D (x, y, label)")

    at = {name: columns.index(name) for name in columns}
    coords = [name for name in ("x", "y", "z") if name in at]
    points = np.empty((len(body), len(coords)))
    labels = np.empty(len(body))
    split: list[str] | None = [] if "split" in at else None
    label_rows: dict[float, int] = {}  # first row of each class label, for the error messages
    label_texts: dict[float, str] = {}
    for i, (row, line) in enumerate(body):
        fields = [_field(f) for f in line.split(sep)]
        if len(fields) != len(columns):
            raise ValueError(f"row {row}: expected {len(columns)} fields ({', '.join(columns)}), found {len(fields)}")
        point = [_cell_number(fields[at[name]], row, name) for name in coords]
        label = _cell_number(fields[at["label"]], row, "label")
        if any(abs(v) > DATA_BOX for v in point):
            shown = ", ".join(fields[at[name]] for name in coords)
            raise ValueError(f"row {row}: point ({shown}) lies outside the data box [-6, 6]{'²' if len(coords) == 2 else '³'}")
        if problem == "classification":
            if not (label == -1.0 or (label.is_integer() and 0.0 <= label < MAX_CLASSES)):
                raise ValueError(f"row {row}: label {_clip(fields[at['label']])!r} is not a class label; "
                                 f"use -1/1, 0/1 or class indices 0..K-1 (K <= {MAX_CLASSES})")
            label_rows.setdefault(label, row)
            label_texts.setdefault(label, fields[at["label"]])
        elif abs(label) > 1.0:
            raise ValueError(f"row {row}: label {_clip(fields[at['label']])!r} lies outside [-1, 1]")
        if split is not None:
            which = fields[at["split"]].lower()
            if which not in ("train", "test"):
                raise ValueError(f"row {row}: split {_clip(fields[at['split']])!r} is not train or test")
            split.append(which)
        points[i] = point
        labels[i] = label

    if problem == "classification":
        labels = _check_classes(labels, label_rows, label_texts)
    if split is not None and "train" not in split:
        raise ValueError("no row has split=train")
    return points, labels, split
