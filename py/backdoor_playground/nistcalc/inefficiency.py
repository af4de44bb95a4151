"""NN Calculator's Inference, Inefficiency (KL divergence of layer-state histograms) and Sensitivity analyses.

Layer states. Every layer after the inputs (each hidden layer and the output layer) turns a point into a bit string,
node 0 first: bit = 1 when the node's output is > 0. A point's PREDICTED label is P when the network output is > 0,
else N (so it equals the output layer's bit; a NaN output counts as N). Its GROUND-TRUTH label is P when its label
is > 0, else N.

Inefficiency of layer l with n_l nodes, for label c in {N, P}:
    KL(c, l) = sum over states s of q(c, s) * log2(q(c, s) / p_l),
    q(c, s)  = #(points predicted c in state s) / #(points whose ground truth is c),   p_l = 2 / 2^n_l.
(These are NN Calculator's definitions: q need not sum to 1 over s, so KL can be negative, most often at the
output layer of an imperfect classifier.) A label without ground-truth points has no KL (None, with a note) where
NN Calculator divides by zero. With T_l = KL(N, l) + KL(P, l) (the defined terms only) over L layers:
    arithmetic average = sum_l T_l / L,    geometric average = (prod_l T_l)^(1/L),
the geometric one being 0 when a T_l is 0 and undefined (None, with a note) when a T_l is negative.

Per layer the result also lists, in order of first occurrence: the states with their counts per predicted label
(NN Calculator's state histogram and "all non-zero states" table), the same split by ground truth (its four
histograms), the KL table (KL, non-zero state count, most and least frequent state, first one on ties), the states
used by both labels, and the bits that are constant over all states of a label (computeLabelPredictionOverlap;
NN Calculator reads those bits with substr(k, k + 1) and so miscounts; here bit k is character k).

Sensitivity (NN Calculator's "Sensitivity" button): `runs` runs of `iterations` iterations; each iteration
regenerates the data from a new seed (drawn from the "data" stream) and trains one epoch; the network is not reset
between runs; after each run the per-layer KL values are computed on that run's last training data, and their mean
and population standard deviation over the runs are reported. `SensitivityRun.step(budget_ms)` does a slice of that
work so the worker can report progress and honour a cancel between slices. It trains a copy: the caller's network
is left untouched (NN Calculator trains the live one).
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import numpy as np

from ..playground import config as cfg
from ..playground import datasets, features, rng
from .nistcsv import js_round3
from ..playground.nn import MLP
from ..playground.train import Trainer

LABELS = ("N", "P")
SENSITIVITY_STREAM_TAG = 0x5E45  # sub-stream of "data" that draws the per-iteration data seeds
MAX_RUNS = 100
MAX_ITERATIONS = 10_000


# ----------------------------------------------------------------------------------------------------------------------
# Layer states


def _inputs(model: MLP, X: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """X as (n, n_inputs) float64 and labels as finite (n,) float64; ValueError otherwise."""
    if not isinstance(model, MLP):
        raise ValueError(f"expected a network (MLP), got {type(model).__name__}")
    try:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(labels, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError("points and labels must be arrays of numbers") from None
    if X.ndim == 1 and X.size == 0:
        X = X.reshape(0, model.layer_sizes[0])
    if X.ndim != 2 or X.shape[1] != model.layer_sizes[0]:
        raise ValueError(f"inputs: expected shape (n, {model.layer_sizes[0]}) for this network, got {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"{X.shape[0]} points but {y.shape[0]} labels")
    if not np.isfinite(y).all():
        raise ValueError("labels contain NaN or infinity")
    return X, y


def layer_states(model: MLP, X: Any) -> tuple[list[np.ndarray], np.ndarray]:
    """(codes, output): codes[l][i] = sum_k bit_k 2^(n_l - 1 - k), bit_k = [node k of layer l outputs > 0]."""
    post = model.forward(X).post
    codes = []
    for values in post:
        bits = (values > 0).astype(np.int64)  # NaN > 0 is False: a diverged node reads as 0
        weights = 1 << np.arange(values.shape[1] - 1, -1, -1, dtype=np.int64)
        codes.append(bits @ weights)
    return codes, post[-1][:, 0]


def state_text(code: int, n_nodes: int) -> str:
    """The bit string of a state code, node 0 first (e.g. code 5 of 4 nodes -> '0101')."""
    return format(int(code), f"0{n_nodes}b")


def _ordered_counts(predicted: np.ndarray, codes: np.ndarray, n_nodes: int) -> list[dict[str, Any]]:
    """[{label, state, count}] of the (predicted label, state) pairs, in order of first occurrence."""
    if codes.size == 0:
        return []
    keys = predicted.astype(np.int64) * (1 << n_nodes) + codes
    uniq, first, counts = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    out = []
    for k in order:
        key = int(uniq[k])
        out.append({"label": LABELS[key >> n_nodes], "state": state_text(key & ((1 << n_nodes) - 1), n_nodes),
                    "count": int(counts[k])})
    return out


# ----------------------------------------------------------------------------------------------------------------------
# Per-layer tables


def _kl(entries: list[dict[str, Any]], label: str, n_truth: int, p_ref: float) -> float | None:
    """sum over the label's states of q log2(q / p_ref), q = count / n_truth; None when n_truth is 0."""
    if n_truth == 0:
        return None
    total = 0.0
    for e in entries:
        if e["label"] == label:
            q = e["count"] / n_truth
            total += q * math.log2(q / p_ref)
    return total


def _table_row(entries: list[dict[str, Any]], label: str, kl: float | None) -> dict[str, Any]:
    """KL, number of non-zero states, most and least frequent state (first one wins ties) for one label."""
    mine = [e for e in entries if e["label"] == label]
    row: dict[str, Any] = {"label": label, "kl": kl, "nonzero_states": len(mine), "max_state": None,
                           "max_count": 0, "min_state": None, "min_count": 0}
    if mine:
        best = max(mine, key=lambda e: e["count"])   # max/min return the first of equal items
        worst = min(mine, key=lambda e: e["count"])
        row.update(max_state=best["state"], max_count=best["count"],
                   min_state=worst["state"], min_count=worst["count"])
    return row


def _constant_bits(entries: list[dict[str, Any]], n_nodes: int) -> list[dict[str, Any]]:
    """[{label, bit, value}] for each bit that has the same value in every state of a label (labels with states)."""
    out = []
    for label in LABELS:
        states = [e["state"] for e in entries if e["label"] == label]
        if not states:
            continue
        for k in range(n_nodes):
            values = {s[k] for s in states}
            if len(values) == 1:
                out.append({"label": label, "bit": k, "value": int(values.pop())})
    return out


def _overlap(entries: list[dict[str, Any]]) -> list[str]:
    """States used for both predicted labels, in the order the N states first occurred."""
    p_states = {e["state"] for e in entries if e["label"] == "P"}
    return [e["state"] for e in entries if e["label"] == "N" and e["state"] in p_states]


def _averages(terms: list[float], notes: list[str]) -> tuple[float | None, float | None]:
    """(sum T_l / L, (prod T_l)^(1/L)); geometric 0 if a term is 0, None (with a note) if a term is negative."""
    if not terms:
        return None, None
    arithmetic = sum(terms) / len(terms)
    if any(t < 0 for t in terms):
        notes.append("the geometric average is undefined: a layer's KL sum (N + P) is negative")
        return arithmetic, None
    if any(t == 0 for t in terms):
        return arithmetic, 0.0
    # exp(mean(log)) instead of prod ** (1/L): same value, no under/overflow of the product.
    return arithmetic, math.exp(sum(math.log(t) for t in terms) / len(terms))


def kl_inefficiency(model: MLP, X: Any, labels: Any) -> dict[str, Any]:
    """Per-layer KL(N), KL(P), their averages, state histograms and tables for the points X (feature rows).

    Returns {n_points, counts: {N, P} (ground truth), predicted: {N, P}, layers: [...], arithmetic_mean,
    geometric_mean, notes}; each layer is {layer, kind: hidden|output, nodes, p_ref, kl: {N, P}, states: [{label,
    state, count}], histogram: {N: {state: count}, P: {...}}, by_truth: {N: [{label, state, count}], P: [...]},
    table: [row N, row P], overlap: [state], constant_bits: [{label, bit, value}]}.
    """
    X, y = _inputs(model, X, labels)
    codes, output = layer_states(model, X)
    predicted = output > 0          # P; NaN -> N, like the output layer's bit
    truth = y > 0
    counts = {"N": int((~truth).sum()), "P": int(truth.sum())}
    notes: list[str] = []
    for label in LABELS:
        if counts[label] == 0:
            notes.append(f"no points with ground-truth label {label}: its KL values are undefined (None)")
    if not np.isfinite(output).all():
        notes.append("the network output is NaN or infinite for some points (the training diverged)")

    layers, terms = [], []
    n_layers = len(codes)
    for l, layer_codes in enumerate(codes):
        n_nodes = model.layer_sizes[l + 1]
        p_ref = 2.0 / 2.0 ** n_nodes
        entries = _ordered_counts(predicted, layer_codes, n_nodes)
        kl = {label: _kl(entries, label, counts[label], p_ref) for label in LABELS}
        defined = [v for v in kl.values() if v is not None]
        if defined:
            terms.append(sum(defined))
        layers.append({
            "layer": l,
            "kind": "output" if l == n_layers - 1 else "hidden",
            "nodes": n_nodes,
            "p_ref": p_ref,
            "kl": kl,
            "states": entries,
            "histogram": {label: {e["state"]: e["count"] for e in entries if e["label"] == label}
                          for label in LABELS},
            "by_truth": {label: _ordered_counts(predicted[mask], layer_codes[mask], n_nodes)
                         for label, mask in (("N", ~truth), ("P", truth))},
            "table": [_table_row(entries, label, kl[label]) for label in LABELS],
            "overlap": _overlap(entries),
            "constant_bits": _constant_bits(entries, n_nodes),
        })
    arithmetic, geometric = _averages(terms, notes) if len(terms) == n_layers else (None, None)
    return {"n_points": int(y.shape[0]), "counts": counts,
            "predicted": {"N": int((~predicted).sum()), "P": int(predicted.sum())},
            "layers": layers, "arithmetic_mean": arithmetic, "geometric_mean": geometric, "notes": notes}


# ----------------------------------------------------------------------------------------------------------------------
# Inference and the full Inefficiency report


def half_mse(model: MLP, X: Any, labels: Any) -> float | None:
    """mean_i (o_i - t_i)^2 / 2 (TensorFlow Playground's loss); None without points."""
    X, y = _inputs(model, X, labels)
    if y.size == 0:
        return None
    with np.errstate(all="ignore"):
        value = float(np.mean(0.5 * (model.predict(X) - y) ** 2))
    return value if math.isfinite(value) else None


def inference(model: MLP, X_train: Any, y_train: Any, X_test: Any, y_test: Any) -> dict[str, Any]:
    """NN Calculator's Inference: {loss_train, loss_test, text: 'MSE Train loss: a, MSE Test loss: b'} (half-MSE)."""
    train, test = half_mse(model, X_train, y_train), half_mse(model, X_test, y_test)
    return {"loss_train": train, "loss_test": test,
            "text": f"MSE Train loss: {js_round3(train)}, MSE Test loss: {js_round3(test)}"}


def inefficiency_report(model: MLP, X_train: Any, y_train: Any, X_test: Any, y_test: Any) -> dict[str, Any]:
    """NN Calculator's Inefficiency button: {"train": kl_inefficiency(train), "test": kl_inefficiency(test)}."""
    return {"train": kl_inefficiency(model, X_train, y_train), "test": kl_inefficiency(model, X_test, y_test)}


# ----------------------------------------------------------------------------------------------------------------------
# Sensitivity


def _count(value: Any, what: str, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= hi:
        raise ValueError(f"{what} must be an integer in 1..{hi}, got {value!r}")
    return int(value)


def _stats(values: list[float]) -> dict[str, Any]:
    """{mean, sd (population, as NN Calculator), values}; mean and sd None without values."""
    if not values:
        return {"mean": None, "sd": None, "values": []}
    arr = np.asarray(values, dtype=np.float64)
    return {"mean": float(arr.mean()), "sd": float(arr.std()), "values": [float(v) for v in values]}


class SensitivityRun:
    """A resumable Sensitivity analysis: call step(budget_ms) until `done`, then result()."""

    def __init__(self, config: dict, model: MLP | None = None, runs: int = 3, iterations: int = 100) -> None:
        self.config, _ = cfg.validate(config, strict=True)
        self.runs = _count(runs, "runs", MAX_RUNS)
        self.iterations = _count(iterations, "iterations", MAX_ITERATIONS)
        c = self.config
        self.features = cfg.enabled_features(c)
        self.regression = c["problem"] == "regression"
        self.dataset = cfg.active_dataset(c)
        if model is None:
            model = MLP(len(self.features), list(c["networkShape"]), cfg.hidden_activations(c),
                        "linear" if self.regression else "tanh", rng.stream(c["seed"], "init", c["initSeed"]),
                        init_zero=c["initZero"])
        elif not isinstance(model, MLP):
            raise ValueError(f"expected a network (MLP), got {type(model).__name__}")
        elif model.layer_sizes[0] != len(self.features):
            raise ValueError(f"the network has {model.layer_sizes[0]} inputs but the settings enable "
                             f"{len(self.features)} features")
        else:
            model = model.copy()
        self.model = model
        self.trainer: Trainer | None = None
        self.done_iterations = 0   # over all runs
        self.kl_runs: list[list[dict[str, float | None]]] = []   # per finished run, per layer {N, P}
        self.cancelled = False
        self.notes: list[str] = []
        self._stopped = False      # divergence ends the analysis early

    @property
    def total(self) -> int:
        return self.runs * self.iterations

    @property
    def done(self) -> bool:
        return self.cancelled or self._stopped or self.done_iterations >= self.total

    def cancel(self) -> None:
        self.cancelled = True

    def _iteration(self) -> None:
        """Regenerate the data from a fresh seed and train one epoch; after a run's last one, record its KL."""
        run, it = divmod(self.done_iterations, self.iterations)
        c = self.config
        seed = int(rng.stream(c["seed"], "data", SENSITIVITY_STREAM_TAG, run, it).integers(0, 2**53))
        ds = datasets.make_dataset(self.dataset, c["noise"], seed, c["percTrainData"],
                                   trojan=0 if self.regression else c["trojan"])
        X = features.feature_matrix(ds.train_points, self.features)
        if self.trainer is None:
            self.trainer = Trainer(self.model, X, ds.train_labels, learning_rate=c["learningRate"],
                                   batch_size=c["batchSize"], regularization=c["regularization"],
                                   regularization_rate=c["regularizationRate"], loss=c["loss"])
        else:
            self.trainer.X, self.trainer.y = X, ds.train_labels
        self.trainer.epoch()
        self.done_iterations += 1
        if self.trainer.diverged:
            self._stopped = True
            self.notes.append(f"training diverged in run {run + 1}, iteration {it + 1}: stopped (lower the "
                              "learning rate)")
            return
        if it == self.iterations - 1:
            kl = kl_inefficiency(self.model, X, ds.train_labels)
            self.kl_runs.append([dict(layer["kl"]) for layer in kl["layers"]])

    def step(self, budget_ms: float = 50.0) -> dict[str, Any]:
        """Run iterations until `budget_ms` has passed (at least one unless done); returns progress()."""
        try:
            budget = float(budget_ms)
        except (TypeError, ValueError):
            raise ValueError(f"budget_ms must be a number, got {budget_ms!r}") from None
        deadline = time.perf_counter() + max(budget, 0.0) / 1000.0
        while not self.done:
            self._iteration()
            if time.perf_counter() >= deadline:
                break
        return self.progress()

    def progress(self) -> dict[str, Any]:
        """{done, cancelled, completed_iterations, total_iterations, completed_runs, runs, fraction, text}."""
        return {"done": self.done, "cancelled": self.cancelled, "completed_iterations": self.done_iterations,
                "total_iterations": self.total, "completed_runs": len(self.kl_runs), "runs": self.runs,
                "fraction": self.done_iterations / self.total,
                "text": f"{self.done_iterations} of {self.total} iterations, {len(self.kl_runs)} of {self.runs} "
                        "runs done"}

    def result(self) -> dict[str, Any]:
        """Per-layer mean and sd of KL(N) and KL(P) over the finished runs, plus NN Calculator's text lines."""
        notes = list(self.notes)
        if self.cancelled and len(self.kl_runs) < self.runs:
            notes.append(f"cancelled after {len(self.kl_runs)} of {self.runs} runs")
        n_layers = len(self.model.layer_sizes) - 1
        layers, lines = [], []
        for l in range(n_layers):
            row: dict[str, Any] = {"layer": l, "nodes": self.model.layer_sizes[l + 1]}
            for label in LABELS:
                values = [r[l][label] for r in self.kl_runs if r[l][label] is not None]
                row[label] = _stats(values)
            layers.append(row)
            for label in LABELS:
                s = row[label]
                lines.append(f"layer:{l}, avg KL({label}):{js_round3(s['mean'])}, "
                             f"stdev KL({label}):{js_round3(s['sd'])}")
        if any(r[l][label] is None for r in self.kl_runs for l in range(n_layers) for label in LABELS):
            notes.append("some runs had no training points of one label: their KL for that label is left out")
        return {"runs": self.runs, "iterations": self.iterations, "completed_runs": len(self.kl_runs),
                "finished": len(self.kl_runs) == self.runs, "cancelled": self.cancelled, "layers": layers,
                "lines": lines, "notes": notes}


def sensitivity(config: dict, runs: int = 3, iterations: int = 100,
                progress: Callable[[dict[str, Any]], None] | None = None,
                should_cancel: Callable[[], bool] | None = None,
                model: MLP | None = None, budget_ms: float = 50.0) -> dict[str, Any]:
    """Run a whole SensitivityRun, calling progress(status) after each slice and stopping when should_cancel()."""
    job = SensitivityRun(config, model=model, runs=runs, iterations=iterations)
    while not job.done:
        status = job.step(budget_ms)
        if progress is not None:
            progress(status)
        if should_cancel is not None and not job.done and should_cancel():
            job.cancel()
    return job.result()
