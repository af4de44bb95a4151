"""The key holder's search (brute force): random perturbations |dx_i| <= radius on every one of the d coordinates
until the trigger fires in the k first-layer nodes whose flip moves the next layer most (K > 2: the k nodes whose
flip, together, gives the target class the largest margin, chosen greedily; checksum/targets.py). Trials ~
Geometric(p_key^k): E = (1/p_key)^k (checksum/cost.py). Every random choice comes from rng.stream(seed, "search", ...).
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..playground import classes
from ..playground import rng as rng_streams
from ..playground.datasets import BOX
from ..playground.features import feature_matrix
from ..playground.nn import MLP
from .activation import ChecksumParams
from .cost import _FIRST_BLOCK, _MAX_BLOCK, expected_search_trials, p_key_model
from .params import PARAMS, check, float_in
from .plant import model_checksum, planted_layers
from .records import _check_model_inputs, _check_points, _median, _num, _summary, select_indices
from .targets import check_target, flip_margins, output_summary, target_labels

SEARCH_KEYS = ("k", "radius", "max_trials")
_PILOT_SAMPLES = 2048        # samples of the perturbation distribution for a decimal p_key estimate


@dataclass(frozen=True)
class SearchParams:
    """k first-layer nodes must fire at once; perturbations up to `radius` per coordinate; give up after max_trials."""

    k: int = PARAMS["k"].default
    radius: float = PARAMS["radius"].default
    max_trials: int = PARAMS["max_trials"].default

    def __post_init__(self) -> None:
        for name in SEARCH_KEYS:
            object.__setattr__(self, name, check(name, getattr(self, name)))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None, n_nodes: int | None = None) -> "SearchParams":
        """From {k, radius, max_trials}, defaults filled in; k at most n_nodes (the first layer's width) if given."""
        raw = dict(raw or {})
        unknown = [key for key in raw if key not in SEARCH_KEYS]
        if unknown:
            raise ValueError(f"{unknown[0]} is not a search parameter; expected {', '.join(SEARCH_KEYS)}")
        return cls(check("k", raw.get("k", PARAMS["k"].default), n_nodes),
                   *(raw.get(name, PARAMS[name].default) for name in SEARCH_KEYS[1:]))


class _TrialKernel:
    """Candidate evaluation for one point: residues of the target nodes' pre-activations at perturbed inputs."""

    def __init__(self, model: MLP, names: list[str], csum: ChecksumParams, point: np.ndarray,
                 targets: np.ndarray, radius: float) -> None:
        self.names, self.csum, self.point, self.radius = names, csum, point, radius
        self.w = model.weights[0][:, targets]  # (F, k)
        self.b = model.biases[0][targets]
        self.checker = csum.checker()

    def candidates(self, gen: np.random.Generator, size: int) -> np.ndarray:
        """`size` perturbed points, clipped to the data box."""
        delta = gen.uniform(-self.radius, self.radius, size=(size, len(self.point)))
        cand = self.point[None, :] + delta
        return np.clip(cand, -BOX, BOX) if len(self.point) <= 3 else cand  # a raw coordinate (d > 3) has no box

    def hits(self, cand: np.ndarray) -> np.ndarray:
        """Rows (in order) where every target's residue equals the key; the first target screens all rows."""
        F = feature_matrix(cand, self.names)
        c = self.csum
        rows = np.arange(cand.shape[0])
        for t in range(self.w.shape[1]):
            pre = F[rows] @ self.w[:, t] + self.b[t]
            rows = rows[np.asarray(self.checker.residue(pre, c.modulo, c.precision)) == c.key]
            if not rows.size:
                break
        return rows



class SearchRun:
    """The key holder's search over chosen points, resumable: call step(budget_ms) until `finished`.

    For each point: targets = the k first-layer nodes with the largest |f(pre_j)| * sum |w_out,j| (the nodes
    whose sign flip moves the next layer most); candidates x + U(-radius, radius)^2 in blocks of 256, 512, ...
    from rng.stream(seed, "search", point index), so results do not depend on how the work is chunked; the first
    candidate whose forward pass shows every target firing ends the point. Records as in digit-edit, with lists
    for the target nodes, `trials`, and `p_key` / `expected_trials`: exact for keyed and parity; for decimal
    estimated per point from 2048 pilot samples of the first target (0 when none hit: only the low digits move,
    so a point whose high digits sit far from the key may be out of reach).
    """

    def __init__(self, model: MLP, points: Any, feature_names: Sequence[str],
                 params: Mapping[str, Any] | None = None, indices: Any = None, seed: str = "0",
                 target: Any = None) -> None:
        self.model = model
        self.names = _check_model_inputs(model, feature_names)
        if 0 not in planted_layers(model):
            raise ValueError("search needs a planted first hidden layer: plant the backdoor first")
        self.params = SearchParams.from_dict(params, model.layer_sizes[1])
        self.csum = model_checksum(model)
        self.k = classes.k_of_model(model)
        self.target = check_target(target, self.k)
        P = _check_points(points)
        self.indices = select_indices(P.shape[0], indices)
        self.points = P[self.indices]
        self.seed = str(seed)
        self.p_key = (p_key_model(self.csum.variant, self.csum.modulo, self.csum.precision, self.csum.key)
                      if self.csum.variant != "decimal" else None)
        self.records: list[dict] = []
        self.trials = 0
        self.seconds = 0.0
        self.cancelled = False
        self._point: dict[str, Any] | None = None

    @property
    def finished(self) -> bool:
        return self.cancelled or len(self.records) == len(self.indices)

    def cancel(self) -> dict:
        """Stop; the points finished so far keep their records."""
        self.cancelled = True
        self._point = None
        return self.progress()

    def _begin(self, i: int) -> dict[str, Any]:
        model, P = self.model, self.points[i:i + 1]
        cache = model.forward(feature_matrix(P, self.names))
        post0 = cache.post[0][0]
        extra: dict[str, Any] = {}
        if self.k > 2:
            class0 = classes.labels_of(cache.output)
            wanted = target_labels(self.target, class0, self.k)
            targets = self._greedy_nodes(cache.post[0], wanted)
            extra = {"class0": class0[0], "wanted": wanted[0], "out0": float(output_summary(cache.output, wanted)[1][0])}
        else:
            contribution = np.abs(post0) * np.abs(model.weights[1]).sum(axis=1)
            targets = np.argsort(-contribution, kind="stable")[: self.params.k]
        index = int(self.indices[i])
        kernel = _TrialKernel(model, self.names, self.csum, self.points[i], targets, self.params.radius)
        p_key = self.p_key
        if p_key is None:  # decimal: P[key] depends on the point's fixed high digits; sample the first target
            pilot = _TrialKernel(model, self.names, self.csum, self.points[i], targets[:1], self.params.radius)
            gen = rng_streams.stream(self.seed, "search", index, 1)
            p_key = pilot.hits(pilot.candidates(gen, _PILOT_SAMPLES)).size / _PILOT_SAMPLES
        return {"i": i, "targets": targets, "pre0": cache.pre[0][0], "out0": float(cache.output[0, 0]),
                "trials": 0, "block": _FIRST_BLOCK, "kernel": kernel, "p_key": p_key,
                "gen": rng_streams.stream(self.seed, "search", index), **extra}

    def _greedy_nodes(self, post0: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        """K > 2: k nodes, added one at a time, each the one whose flip with those before gives the target class
        the largest margin."""
        chosen: list[int] = []
        for _ in range(self.params.k):
            margins = flip_margins(self.model, post0, wanted)[0] if not chosen else np.array([
                flip_margins(self.model, post0, wanted, np.array([[*chosen, j]]))[0, 0]
                if j not in chosen else -np.inf for j in range(post0.shape[1])])
            margins[chosen] = -np.inf
            chosen.append(int(np.argmax(margins)))
        return np.array(chosen, dtype=np.int64)

    def _verify(self, cand: np.ndarray, rows: np.ndarray, targets: np.ndarray) -> tuple[int, Any] | None:
        """(row, forward cache) of the first row whose real forward pass fires every target (the kernel's sums may
        differ from the model's by an ulp), or None."""
        for r in rows:
            cache = self.model.forward(feature_matrix(cand[r:r + 1], self.names))
            if (self.csum.residue(cache.pre[0][0][targets]) == self.csum.key).all():
                return int(r), cache
        return None

    def _finish(self, state: dict[str, Any], found: np.ndarray | None, cache: Any = None) -> None:
        i, targets = state["i"], state["targets"]
        P0 = self.points[i]
        P1 = P0 if found is None else found
        if cache is None:
            cache = self.model.forward(feature_matrix(P1[None, :], self.names))
        out0, out1 = state["out0"], float(cache.output[0, 0])
        extra: dict[str, Any] = {}
        if self.k > 2:
            wanted = np.array([state["wanted"]])
            class1, prob1 = output_summary(cache.output, wanted)
            out1 = float(prob1[0])
            extra = {"class0": int(state["class0"]), "class1": int(class1[0]), "target": int(state["wanted"])}
        pre0, pre1 = state["pre0"][targets], cache.pre[0][0][targets]
        res0, res1 = self.csum.residue(pre0), self.csum.residue(pre1)
        matched = found is not None
        self.records.append({
            "index": int(self.indices[i]), "x0": float(P0[0]), "y0": float(P0[1]),
            "x1": float(P1[0]), "y1": float(P1[1]), "nodes": [int(t) for t in targets],
            "pre0": [_num(v) for v in pre0], "pre1": [_num(v) for v in pre1],
            "csum0": [int(v) for v in res0], "csum1": [int(v) for v in res1],
            "out0": _num(out0), "out1": _num(out1), "matched": matched,
            "flipped": bool(matched and (extra["class1"] == extra["target"] != extra["class0"] if extra
                                         else math.isfinite(out1) and (out0 >= 0) != (out1 >= 0))),
            "delta": float(np.abs(P1 - P0).max()), "trials": state["trials"], "p_key": state["p_key"],
            "expected_trials": _num(expected_search_trials(state["p_key"], self.params.k)),
            "reason": None if matched else f"no trigger in {state['trials']} trials",
            **({"p0": P0.tolist(), "p1": P1.tolist()} if len(P0) != 2 else {}), **extra,
        })

    def step(self, budget_ms: float = 50.0) -> dict:
        """Work for about budget_ms (at least one block), then report progress."""
        budget = float_in("budget_ms", budget_ms, 0.0, 3_600_000.0) / 1000.0
        start = time.perf_counter()
        first = len(self.records)
        while not self.finished:
            if self._point is None:
                self._point = self._begin(len(self.records))
            state = self._point
            size = min(state["block"], self.params.max_trials - state["trials"])
            cand = state["kernel"].candidates(state["gen"], size)
            rows = state["kernel"].hits(cand)
            hit = self._verify(cand, rows, state["targets"]) if rows.size else None
            used = size if hit is None else hit[0] + 1
            state["trials"] += used
            self.trials += used
            state["block"] = min(2 * state["block"], _MAX_BLOCK)
            if hit is not None:
                self._finish(state, cand[hit[0]], hit[1])
                self._point = None
            elif state["trials"] >= self.params.max_trials:
                self._finish(state, None)
                self._point = None
            if time.perf_counter() - start >= budget:
                break
        self.seconds += time.perf_counter() - start
        return self.progress(self.records[first:])

    def progress(self, new_records: list[dict] | None = None) -> dict:
        """{done, total, trials, point_trials, matched, flipped, finished, cancelled, seconds, expected_trials
        (for the point in progress), new_records}."""
        point = self._point
        p_key = self.p_key if point is None else point["p_key"]
        expected = expected_search_trials(p_key, self.params.k) if p_key is not None else None
        return {
            "done": len(self.records), "total": int(len(self.indices)), "trials": self.trials,
            "point_trials": point["trials"] if point else 0,
            "matched": sum(r["matched"] for r in self.records),
            "flipped": sum(r["flipped"] for r in self.records),
            "finished": self.finished, "cancelled": self.cancelled, "seconds": self.seconds,
            "expected_trials": _num(expected) if expected is not None else None,
            "new_records": list(new_records or []),
        }

    def run(self) -> dict:
        """Run to the end (the command line's way): {"records", "summary"}."""
        while not self.finished:
            self.step(3_600_000.0)
        return self.result()

    def result(self) -> dict:
        """{"records": [...], "summary": {...}} of the points finished so far."""
        summary = _summary(self.records, self.csum, self.seconds, "search")
        n = len(self.records)
        matched = [r["trials"] for r in self.records if r["matched"]]
        expected = [expected_search_trials(r["p_key"], self.params.k) for r in self.records]
        summary.update({
            "k": self.params.k, "radius": self.params.radius, "max_trials": self.params.max_trials,
            "trials": self.trials, "mean_trials": self.trials / n if n else None,
            "median_trials_matched": _median(matched),
            "p_key": self.p_key if self.p_key is not None else _median([r["p_key"] for r in self.records]),
            "expected_trials": _num(statistics.fmean(expected)) if expected else None,
            "cancelled": self.cancelled,
            **({"target": self.target} if self.k > 2 else {}),
        })
        return {"records": list(self.records), "summary": summary}
