"""NN Calculator's calculator memories: data memory (D MC/MR/M+/M-/MS) and model memory (NN MC/MR/M+/M-/MS/AVG).

Both hold DEEP copies: editing the current data or network afterwards (backdoor buttons, training, hand edits)
never changes what is stored, and a recall hands out fresh copies (NN Calculator stores references, so its
memory changes under later edits).

Model memory holds every weight AND every bias, the output node's bias included (NN Calculator skips it and stores
the input nodes' unused biases instead). It keeps a signed model count:
    MS:  M <- W,        count = 1
    M+:  M <- M + W,    count += 1        (empty memory: like MS)
    M-:  M <- M - W,    count -= 1        (empty memory: M <- -W, count = -1)
    AVG: M <- M / count, count = 1        (needs count >= 2)
so M+ a, M+ b, M+ c, M- c, AVG gives (a + b) / 2: M- takes one model back out of the running sum. NN Calculator's
M- computes W - M instead (and leaves its count alone); `describe("subtract")` says so for the tooltip.

Data memory holds train and test points with their labels and the problem type:
    MS: store the current sets;  M+: append them (same problem type only);
    M-: drop as many points from the END of the stored train and test sets as the current sets hold;
    MR: return copies;  MC: forget.  (RG, regenerate, is just a new seed: the session does that.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..playground.nn import MLP

PROBLEMS = ("classification", "regression")

DATA_DESCRIPTIONS: dict[str, str] = {
    "clear": "D MC: forget the stored data (the current data stays as it is).",
    "recall": "D MR: replace the current train and test points with copies of the stored ones (and their problem "
              "type); the network is reset.",
    "add": "D M+: append copies of the current train and test points to the stored ones (same problem type only; "
           "an empty memory just stores them).",
    "subtract": "D M−: remove as many points from the end of the stored train and test sets as the current sets "
                "hold (it undoes the last D M+ of data of the same size; the points themselves are not compared).",
    "store": "D MS: store copies of the current train and test points and the problem type, replacing the memory.",
}

MODEL_DESCRIPTIONS: dict[str, str] = {
    "clear": "NN MC: forget the stored weights and biases and the model count.",
    "recall": "NN MR: write the stored weights and biases (output bias included) into the current network; it must "
              "have the same shape.",
    "add": "NN M+: memory ← memory + current network (every weight and bias, output bias included); "
           "model count + 1. An empty memory just stores the network.",
    "subtract": "NN M−: memory ← memory − current network (every weight and bias, output bias included); "
                "model count − 1. (NN Calculator computes current − memory instead.)",
    "store": "NN MS: memory ← copy of the current network's weights and biases (output bias included); "
             "model count = 1.",
    "average": "NN AVG: memory ← memory ÷ model count, then count = 1 (needs 2 or more models added); "
               "NN MR then puts the average into the network.",
}


def _describe(table: dict[str, str], op: str) -> str:
    if op not in table:
        raise ValueError(f"unknown memory operation {op!r}; expected one of {', '.join(table)}")
    return table[op]


def _shape_text(sizes: tuple[int, ...] | list[int]) -> str:
    """Layer sizes as '2-4-2-1' (inputs, hidden layers, output)."""
    return "-".join(str(s) for s in sizes)


# ----------------------------------------------------------------------------------------------------------------------
# Data memory


def _points(value: Any, what: str) -> np.ndarray:
    """A new float64 (n, 2) array of finite numbers, or ValueError naming `what`."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: not an array of numbers") from None
    if arr.size == 0:
        arr = arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{what}: expected shape (n, 2), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{what} contains NaN or infinity")
    return arr


def _labels(value: Any, n: int, what: str) -> np.ndarray:
    """A new float64 (n,) array of finite numbers, or ValueError naming `what`."""
    try:
        arr = np.array(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: not an array of numbers") from None
    if arr.shape[0] != n:
        raise ValueError(f"{what}: {n} points but {arr.shape[0]} labels")
    if not np.isfinite(arr).all():
        raise ValueError(f"{what} contains NaN or infinity")
    return arr


def _data_copies(data: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Deep, validated copies of data.train_points/train_labels/test_points/test_labels (any object with those)."""
    try:
        raw = (data.train_points, data.train_labels, data.test_points, data.test_labels)
    except AttributeError:
        raise ValueError("data must have train_points, train_labels, test_points and test_labels") from None
    train_p = _points(raw[0], "train points")
    test_p = _points(raw[2], "test points")
    return train_p, _labels(raw[1], len(train_p), "train labels"), test_p, _labels(raw[3], len(test_p), "test labels")


def _problem(problem: Any) -> str:
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {', '.join(PROBLEMS)}, got {problem!r}")
    return problem


class DataMemory:
    """D MC / MR / M+ / M− / MS over deep copies of train and test points (see the module docstring)."""

    def __init__(self) -> None:
        self.clear()

    @staticmethod
    def describe(op: str) -> str:
        """The one-line tooltip text of operation `op` (clear, recall, add, subtract, store)."""
        return _describe(DATA_DESCRIPTIONS, op)

    @property
    def empty(self) -> bool:
        return self.problem is None

    def clear(self) -> None:
        """D MC."""
        self.problem: str | None = None
        self.train_points = np.zeros((0, 2))
        self.train_labels = np.zeros(0)
        self.test_points = np.zeros((0, 2))
        self.test_labels = np.zeros(0)
        self.sources: list[str] = []   # one name per data set stored or added since the last MS/MC

    def store(self, data: Any, problem: str, source: str = "") -> None:
        """D MS: memory <- copies of the current train and test sets."""
        problem = _problem(problem)
        train_p, train_l, test_p, test_l = _data_copies(data)
        self.problem = problem
        self.train_points, self.train_labels, self.test_points, self.test_labels = train_p, train_l, test_p, test_l
        self.sources = [str(source) or "data"]

    def add(self, data: Any, problem: str, source: str = "") -> None:
        """D M+: append copies of the current sets; an empty memory stores them; the problem types must agree."""
        problem = _problem(problem)
        if self.empty:
            self.store(data, problem, source)
            return
        if problem != self.problem:
            raise ValueError(f"the memory holds {self.problem} data and the current data is {problem}: "
                             "they cannot be mixed (D MC clears the memory)")
        train_p, train_l, test_p, test_l = _data_copies(data)
        self.train_points = np.concatenate([self.train_points, train_p])
        self.train_labels = np.concatenate([self.train_labels, train_l])
        self.test_points = np.concatenate([self.test_points, test_p])
        self.test_labels = np.concatenate([self.test_labels, test_l])
        self.sources.append(str(source) or "data")

    def subtract(self, data: Any, problem: str) -> None:
        """D M−: drop len(current train) points from the stored train tail and len(current test) from the test tail.

        The memory must keep at least one point and hold at least as many points as the current data in each set.
        """
        problem = _problem(problem)
        if self.empty:
            raise ValueError("the data memory is empty: there is nothing to subtract from")
        if problem != self.problem:
            raise ValueError(f"the memory holds {self.problem} data and the current data is {problem}: "
                             "they cannot be mixed")
        _, train_l, _, test_l = _data_copies(data)
        n_tr, n_te = len(train_l), len(test_l)
        m_tr, m_te = len(self.train_labels), len(self.test_labels)
        if n_tr > m_tr or n_te > m_te or n_tr + n_te >= m_tr + m_te:
            raise ValueError(f"the memory ({m_tr} train + {m_te} test points) is not larger than the current data "
                             f"({n_tr} train + {n_te} test points); D MC clears it instead")
        self.train_points = self.train_points[:m_tr - n_tr].copy()
        self.train_labels = self.train_labels[:m_tr - n_tr].copy()
        self.test_points = self.test_points[:m_te - n_te].copy()
        self.test_labels = self.test_labels[:m_te - n_te].copy()
        if len(self.sources) > 1:  # the tail removed is (usually) the last set added
            self.sources.pop()

    def recall(self) -> dict[str, Any]:
        """D MR: fresh copies {train_points, train_labels, test_points, test_labels, problem}."""
        if self.empty:
            raise ValueError("the data memory is empty: store data first (D MS or D M+)")
        return {"train_points": self.train_points.copy(), "train_labels": self.train_labels.copy(),
                "test_points": self.test_points.copy(), "test_labels": self.test_labels.copy(),
                "problem": self.problem}

    def summary(self) -> dict[str, Any]:
        """JSON-ready state for the page."""
        if self.empty:
            return {"empty": True, "problem": None, "n_train": 0, "n_test": 0, "sets": 0, "sources": [],
                    "what": "empty"}
        n_tr, n_te = len(self.train_labels), len(self.test_labels)
        what = f"{n_tr} train + {n_te} test {self.problem} points"
        if len(self.sources) > 1:
            what += f" from {len(self.sources)} data sets"
        return {"empty": False, "problem": self.problem, "n_train": n_tr, "n_test": n_te, "sets": len(self.sources),
                "sources": list(self.sources), "what": what}


# ----------------------------------------------------------------------------------------------------------------------
# Model memory


def _model_arrays(model: Any) -> tuple[tuple[int, ...], list[np.ndarray], list[np.ndarray]]:
    """(layer sizes, deep copies of weights, deep copies of biases) of an MLP, checked finite."""
    if not isinstance(model, MLP):
        raise ValueError(f"expected a network (MLP), got {type(model).__name__}")
    model.parameter_vector()  # re-packs (and validates) arrays a caller may have replaced
    weights = [np.array(w, dtype=np.float64, copy=True) for w in model.weights]
    biases = [np.array(b, dtype=np.float64, copy=True) for b in model.biases]
    if not all(np.isfinite(a).all() for a in (*weights, *biases)):
        raise ValueError("the current network has NaN or infinite weights (it diverged): lower the learning rate "
                         "and reset before using the memory")
    return tuple(model.layer_sizes), weights, biases


class ModelMemory:
    """NN MC / MR / M+ / M− / MS / AVG over deep copies of all weights and biases (see the module docstring)."""

    def __init__(self) -> None:
        self.clear()

    @staticmethod
    def describe(op: str) -> str:
        """The one-line tooltip text of operation `op` (clear, recall, add, subtract, store, average)."""
        return _describe(MODEL_DESCRIPTIONS, op)

    @property
    def empty(self) -> bool:
        return self.layer_sizes is None

    def clear(self) -> None:
        """NN MC."""
        self.layer_sizes: tuple[int, ...] | None = None
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.count = 0          # signed: +1 per stored/added model, -1 per subtracted one; AVG resets it to 1
        self.added = 0          # models stored/added since the last MS/AVG (an average counts as one)
        self.subtracted = 0     # models subtracted since then
        self.averaged_from: int | None = None   # the count the last AVG divided by (None: no AVG since MS/M+/M−)

    def _check_shape(self, sizes: tuple[int, ...], op: str) -> None:
        if sizes != self.layer_sizes:
            raise ValueError(f"{op}: the network in memory has shape {_shape_text(self.layer_sizes)} but the current "
                             f"network has shape {_shape_text(sizes)} (layer sizes, inputs first); they must match")

    def store(self, model: MLP) -> None:
        """NN MS: memory <- copy of the model, count = 1."""
        self.layer_sizes, self.weights, self.biases = _model_arrays(model)
        self.count, self.added, self.subtracted = 1, 1, 0
        self.averaged_from = None

    def add(self, model: MLP) -> None:
        """NN M+: memory <- memory + model, count += 1 (empty memory: store)."""
        if self.empty:
            self.store(model)
            return
        sizes, weights, biases = _model_arrays(model)
        self._check_shape(sizes, "NN M+")
        for mine, theirs in zip((*self.weights, *self.biases), (*weights, *biases)):
            mine += theirs
        self.count += 1
        self.added += 1
        self.averaged_from = None

    def subtract(self, model: MLP) -> None:
        """NN M−: memory <- memory - model, count -= 1 (empty memory: memory <- -model, count = -1)."""
        sizes, weights, biases = _model_arrays(model)
        if self.empty:
            self.layer_sizes = sizes
            self.weights = [-w for w in weights]
            self.biases = [-b for b in biases]
            self.count, self.added, self.subtracted = -1, 0, 1
            self.averaged_from = None
            return
        self._check_shape(sizes, "NN M−")
        for mine, theirs in zip((*self.weights, *self.biases), (*weights, *biases)):
            mine -= theirs
        self.count -= 1
        self.subtracted += 1
        self.averaged_from = None

    def average(self) -> None:
        """NN AVG: memory <- memory / count, count = 1; needs count >= 2."""
        if self.empty:
            raise ValueError("the model memory is empty: add trained networks with NN M+ first")
        if self.count < 2:
            raise ValueError(f"NN AVG needs at least 2 networks added with NN M+; the memory holds a model count of "
                             f"{self.count}")
        for arr in (*self.weights, *self.biases):
            arr /= self.count
        self.averaged_from = self.count
        self.count, self.added, self.subtracted = 1, 1, 0

    def recall(self, model: MLP) -> None:
        """NN MR: write the stored weights and biases into `model` (same layer sizes; activations are kept)."""
        if self.empty:
            raise ValueError("the model memory is empty: store a network first (NN MS or NN M+)")
        if not isinstance(model, MLP):
            raise ValueError(f"expected a network (MLP), got {type(model).__name__}")
        model.parameter_vector()
        self._check_shape(tuple(model.layer_sizes), "NN MR")
        for target, source in zip((*model.weights, *model.biases), (*self.weights, *self.biases)):
            np.copyto(target, source)

    def summary(self) -> dict[str, Any]:
        """JSON-ready state: count, shape, parameter count and what the memory holds."""
        if self.empty:
            return {"empty": True, "count": 0, "added": 0, "subtracted": 0, "layer_sizes": None, "shape": None,
                    "n_parameters": 0, "averaged_from": None, "what": "empty"}
        n_params = int(sum(w.size for w in self.weights) + sum(b.size for b in self.biases))
        if self.averaged_from is not None:
            what = f"the average of {self.averaged_from} networks"
        elif self.subtracted == 0 and self.count == 1:
            what = "1 network"
        elif self.subtracted == 0:
            what = f"the sum of {self.count} networks (NN AVG divides by {self.count})"
        else:
            what = (f"{self.added} network(s) added and {self.subtracted} subtracted "
                    f"(net model count {self.count})")
        return {"empty": False, "count": self.count, "added": self.added, "subtracted": self.subtracted,
                "layer_sizes": list(self.layer_sizes), "shape": _shape_text(self.layer_sizes),
                "n_parameters": n_params, "averaged_from": self.averaged_from, "what": what}

    def parameters(self) -> dict[str, Any]:
        """The stored weights and biases as nested lists (for display or export)."""
        return {"layer_sizes": None if self.empty else list(self.layer_sizes),
                "weights": [w.tolist() for w in self.weights], "biases": [b.tolist() for b in self.biases]}
