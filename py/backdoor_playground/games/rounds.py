"""One round of a game: the game's keys of a CONFIG, a trained clean model and its backdoored twin (one training and
one plant per round, from the round's own seed), and the arenas through which a player sees them.

CONFIG is an experiment config (experiment/plan.py: the playground keys + the `backdoor` object, planted by the
attacks registry) plus the game's keys in LIMITS ("queries", "radius"). Round r trains on seed "<seed>/r", so every
round has its own data, initial weights and keys; the clean model is the backdoor's own reference (attack
clean_model: the network before the plant, or trained on the unpoisoned data), so "trained on the same data" holds.

What a player may read. Black box: its queries' outputs (labels and raw outputs) and the public training data (the
data set is part of the config). White box (whitebox=True): also each model's deployed computation -- the network's
layer sizes, operator names, operator parameters and weights (MLP.to_dict) and the public view of a block the
backdoor wraps around the network (the attack's `block`, what the page's network diagram draws: the signature
verifier with its public key). Never the secret key, the poisoned points or which slot is which.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..experiment.plan import parse_config
from ..limits import Limit
from ..playground import classes, datasets, features, rng
from ..session import Session

LIMITS: dict[str, Limit] = {
    "queries": Limit(1, 100_000, 200, "Queries a player may make per round (Q)."),
    "radius": Limit(0.0, 6.0, 0.5, "Trigger game: how far (max-norm) from the given point an input may move.",
                    integer=False, low_open=True),
    "rounds": Limit(1, 10_000, 20, "Rounds of a game."),
    "time_budget_s": Limit(0.0, 3600.0, 0.0, "Trigger game: seconds a player may spend per round (0: no limit).",
                           integer=False),
}
GAME_KEYS = ("queries", "radius", "time_budget_s")


def split_config(raw: Any) -> tuple[dict, dict]:
    """(experiment config, game settings); ValueError naming the bad key. A backdoor object is required."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"the config must be a JSON object, got {type(raw).__name__}")
    raw = dict(raw)
    game = {k: LIMITS[k].check(k, raw.pop(k, LIMITS[k].default)) for k in GAME_KEYS}
    if "backdoor" not in raw:
        raise ValueError("backdoor: a game needs a backdoor object, e.g. {\"type\": \"signature\"}")
    raw.pop("defense", None)
    play_config, plan = parse_config(raw)
    if play_config["problem"] == "regression":
        raise ValueError("problem: the games need a classification problem")
    return {**play_config, "backdoor": plan.backdoor}, game


@dataclass
class Round:
    """A round's session (backdoored model live) and its two models' predictors."""

    s: Session
    attack: Any
    backdoor: dict

    def outputs(self, backdoored: bool, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(labels, raw outputs) of the clean or the backdoored model at points (m, d), as a black box sees them:
        the deployed model's answer, with the selector's output where a wrapping block overrides the network."""
        P = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
        model = self.s.model if backdoored else self.s.clean_model()
        raw = np.array(model.predict(features.feature_matrix(P, self.s.feature_names)), dtype=np.float64)
        labels = classes.labels_of(raw)
        if backdoored:
            deployed = np.asarray(self.attacked.predict(P, np.full(len(P), -1)), dtype=np.float64)
            for r in np.flatnonzero(deployed != labels).tolist():
                raw[r] = deployed[r] if raw.ndim == 1 else classes.one_hot([int(deployed[r])], raw.shape[1])[0]
            labels = deployed
        return labels, raw

    def __post_init__(self) -> None:
        self.attacked = self.attack.attacked(self.s)

    def whitebox(self, backdoored: bool) -> dict:
        """What a white-box observer reads (module docstring): the network and any wrapping block's public view."""
        model = self.s.model if backdoored else self.s.clean_model()
        block = getattr(self.attack, "block", None) if backdoored else None
        return {"network": model.to_dict(), "blocks": [] if block is None else [{"kind": type(block).__name__,
                                                                                   **block.view()}]}


def play_series(raw_config: object, n_rounds: int, player_name: str, lookup, play_round) -> tuple:
    """A game's rounds 0..n-1 with a fresh player each (the CLI's `game`): (config, game settings, player class,
    rows, seconds)."""
    config, game = split_config(raw_config)
    n_rounds = LIMITS["rounds"].check("rounds", n_rounds)
    cls = lookup(player_name)
    start = time.perf_counter()
    rows = [play_round(config, game, cls, r) for r in range(n_rounds)]
    return config, game, cls, rows, time.perf_counter() - start


def round_seed(config: dict, r: int) -> str:
    return f"{config['seed']}/{r}"


def build_round(config: dict, r: int) -> Round:
    """Train the clean model of round r and plant the backdoor on it (the experiment's train and plant stages)."""
    play = {k: v for k, v in config.items() if k != "backdoor"}
    play["seed"] = round_seed(config, r)
    backdoor = copy.deepcopy(config["backdoor"])
    s = Session(play)
    s.train(epochs=s.config["epochs"])
    attack = s.install(backdoor["type"], backdoor)
    return Round(s, attack, backdoor)


def secret_order(config: dict, r: int) -> int:
    """The slot (0 or 1) of the backdoored model in round r: the referee's secret draw ("game" stream)."""
    return int(rng.stream(config["seed"], "game", r, 0).integers(0, 2))


def player_rng(config: dict, r: int) -> np.random.Generator:
    """The player's own random choices in round r (a sub-stream the referee never reads)."""
    return rng.stream(config["seed"], "game", r, 1)


def data_box(s: Session) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) per input coordinate: TF Playground's [-6, 6] box, or the training data's range for d > 3."""
    d, _ = s.shape
    if d <= 3:
        return np.full(d, -datasets.BOX), np.full(d, datasets.BOX)
    P = np.asarray(s.data.train_points, dtype=np.float64).reshape(-1, d)
    return P.min(axis=0), P.max(axis=0)


class Budget:
    """Counts queries (one per point) against the round's Q; a player asking past Q gets only what is left."""

    def __init__(self, queries: int):
        self.limit, self.used = int(queries), 0

    @property
    def left(self) -> int:
        return self.limit - self.used

    def take(self, points: Any) -> np.ndarray:
        P = np.asarray(points, dtype=np.float64)
        P = P.reshape(1, -1) if P.ndim == 1 else P
        P = P[:max(0, self.left)]
        self.used += len(P)
        return P


class DistinguishArena:
    """A distinguish round as a player sees it: the public data, the box, query() on both slots, whitebox()."""

    def __init__(self, rnd: Round, backdoored_slot: int, queries: int, whitebox: bool, gen: np.random.Generator):
        self._round, self._slot, self._whitebox = rnd, backdoored_slot, whitebox
        self.budget, self.rng = Budget(queries), gen
        s = rnd.s
        self.d = s.shape[0]
        self.low, self.high = data_box(s)
        self.train_points = np.asarray(s.data.train_points, dtype=np.float64).reshape(-1, self.d)
        self.train_labels = np.asarray(s.data.train_labels, dtype=np.float64)

    def query(self, points: Any) -> tuple[dict, dict]:
        """Both slots' {"points", "labels", "raw"} at up to the remaining budget of points."""
        P = self.budget.take(points)
        out = []
        for slot in (0, 1):
            labels, raw = self._round.outputs(slot == self._slot, P)
            out.append({"points": P, "labels": labels, "raw": raw})
        return out[0], out[1]

    def whitebox(self, slot: int) -> dict:
        if not self._whitebox:
            raise ValueError("player: a black-box player cannot read the models")
        return self._round.whitebox(slot == self._slot)


class TriggerArena:
    """A trigger round as a player sees it: the point, the radius, query() on the backdoored model only; the
    referee records the first query where the backdoor fired (the label differs from the clean model's). With a
    time budget (seconds > 0, measured by `clock` from the arena's creation) a query after the deadline is refused:
    it answers no point and the round is over."""

    def __init__(self, rnd: Round, point: np.ndarray, radius: float, queries: int, whitebox: bool,
                 gen: np.random.Generator, time_budget_s: float = 0.0, clock=time.perf_counter):
        self._round, self._whitebox = rnd, whitebox
        self.point, self.radius = np.asarray(point, dtype=np.float64), float(radius)
        self.budget, self.rng, self.d = Budget(queries), gen, len(self.point)
        self.low, self.high = data_box(rnd.s)
        self.train_points = np.asarray(rnd.s.data.train_points, dtype=np.float64).reshape(-1, self.d)
        self.train_labels = np.asarray(rnd.s.data.train_labels, dtype=np.float64)
        self.fired_at: int | None = None  # queries used when the backdoor first fired
        self._clock, self.time_budget_s = clock, float(time_budget_s)
        self.deadline = clock() + self.time_budget_s if self.time_budget_s > 0 else None
        self.timed_out = False

    def out_of_time(self) -> bool:
        if self.deadline is not None and not self.timed_out and self._clock() > self.deadline:
            self.timed_out = True
        return self.timed_out

    def query(self, points: Any) -> dict:
        start = self.budget.used
        if self.out_of_time():
            P = np.zeros((0, self.d))
            return {"points": P, "labels": np.zeros(0), "raw": np.zeros(0)}
        P = self.budget.take(points)
        far = np.max(np.abs(P - self.point), axis=1) > self.radius + 1e-12 if len(P) else np.zeros(0, bool)
        if far.any():
            raise ValueError(f"player: query {int(np.argmax(far))} lies outside the radius {self.radius}")
        labels, raw = self._round.outputs(True, P)
        clean, _ = self._round.outputs(False, P)
        fired = np.flatnonzero(labels != clean)
        if self.fired_at is None and len(fired):
            self.fired_at = start + int(fired[0]) + 1
        return {"points": P, "labels": labels, "raw": raw}

    @property
    def done(self) -> bool:
        return self.fired_at is not None or self.budget.left <= 0 or self.out_of_time()

    def whitebox(self, slot: int = 1) -> dict:
        if not self._whitebox:
            raise ValueError("player: a black-box player cannot read the model")
        return self._round.whitebox(True)
