"""Worker handlers for the Games panel (each takes the live Session first): a person's rounds (games/human.py: the
secret slot stays in Python until the guess) and an automated player's rounds in steps (games/steps.py). Both
train their own models from the live playground's config (the clean model's settings, its seed and the chosen
epochs), so the playground is never touched and the command line plays the same rounds on that config."""

from __future__ import annotations

from typing import Any

from ..defense.run import json_safe
from ..games import BACKDOORS, PLAYER_NOTES, PLAYERS, backdoor as backdoor_object, baselines, human, steps
from ..games.rounds import LIMITS, split_config
from ..limits import int_in
from ..playground import config as cfg
from ..playground.state_table import STATE_TABLE
from ..session import Session

DEFAULT_EPOCHS = 100
ALWAYS = ("dataset", "networkShape", "activation", "epochs", "seed")
_game: human.HumanGame | None = None
_run: steps.PlayerRun | None = None


def _epochs(epochs: Any, s: Session) -> int:
    hi = int(next(p for p in STATE_TABLE if p.name == "epochs").hi)
    if epochs is None:
        epochs = s.config.get("epochs") or DEFAULT_EPOCHS
    return int_in("epochs", epochs, 1, hi)


def _game_config(s: Session, backdoor: Any, queries: Any = None, epochs: Any = None, radius: Any = None,
                time_budget_s: Any = None) -> dict:
    """The game config (an experiment config + the game's keys) on the live playground's clean settings."""
    if s.uploaded is not None:
        raise ValueError("dataset: the games generate their data from the config; they cannot use an uploaded CSV")
    if s.config["problem"] == "regression":
        raise ValueError("problem: the games need a classification problem")
    config = {**s.config, "epochs": _epochs(epochs, s)}
    if s.attack is not None:
        config.update(s.attack.clean_config(config))
    defaults, _ = cfg.validate({})
    out = {k: v for k, v in config.items() if k in ALWAYS or v != defaults.get(k)}
    out["backdoor"] = backdoor_object(backdoor)
    for key, value in (("queries", queries), ("radius", radius), ("time_budget_s", time_budget_s)):
        if value is not None:
            out[key] = value
    return out


def games_names(s: Session) -> dict:
    """The backdoors and players the panel offers, the players' one-line notes, and the game's limits."""
    return {"backdoors": list(BACKDOORS), "players": list(PLAYERS), "notes": dict(PLAYER_NOTES),
            "whitebox_players": [p for p in PLAYERS if p == "whitebox"],
            "limits": {k: {"lo": v.low, "hi": v.high, "default": v.default} for k, v in LIMITS.items()},
            "default_epochs": DEFAULT_EPOCHS}


def games_start(s: Session, game: str = "distinguish", backdoor: str = "poisoning", queries: Any = None,
                whitebox: bool = False, epochs: Any = None, radius: Any = None, time_budget_s: Any = None,
                keep_score: bool = False) -> dict:
    """A new round: a new series (scores reset) unless keep_score and the settings are those of the series under
    way. Returns the round's public view and the config (for the command line)."""
    global _game
    config = _game_config(s, backdoor, queries, epochs, radius, time_budget_s)
    same = _game is not None and keep_score and _game.game == game and _game.whitebox == bool(whitebox) and \
        _game.raw_config == config
    if not same:
        first = _game.started if _game is not None else 0
        _game = None
        _game = human.HumanGame(config, game, whitebox, first)
    assert _game is not None
    return json_safe({**_game.new_round(), "config": config, "series": same})


def _live() -> human.HumanGame:
    if _game is None:
        raise ValueError("round: no game is under way; start a round first")
    return _game


def games_query(s: Session, points: Any = None) -> dict:
    """The answers at the points (a list of [x, y, ...]); see games/human.HumanGame.query."""
    return json_safe(_live().query(points))


def games_guess(s: Session, slot: Any = None) -> dict:
    """Distinguish: name the backdoored slot (0 = A, 1 = B); the truth and the score."""
    return json_safe(_live().guess(slot))


def games_give_up(s: Session) -> dict:
    """Trigger: end the round unscored-as-won (time up, or stop); the score."""
    return json_safe(_live().give_up())


def games_whitebox(s: Session) -> list:
    """White-box rounds: the networks as tables (operators, weights, blocks)."""
    return json_safe(_live().whitebox_view())


def games_baselines(s: Session, backdoor: str = "poisoning") -> dict | None:
    """The key-less baselines' costs extrapolated to real key sizes (games/baselines.estimate), as the CLI."""
    config, _ = split_config(_game_config(s, backdoor))  # the backdoor's settings checked, defaults filled in
    return json_safe(baselines.estimate(config["backdoor"]))


def games_player_start(s: Session, game: str = "distinguish", backdoor: str = "poisoning", player: str = "random",
                       queries: Any = None, rounds: Any = 5, epochs: Any = None, radius: Any = None,
                       time_budget_s: Any = None) -> dict:
    """Start an automated player on the game (a running one is dropped): its progress."""
    global _run
    _run = None
    config = _game_config(s, backdoor, queries, epochs, radius, time_budget_s)
    _run = steps.PlayerRun(config, game, player, rounds)
    return json_safe({**_run.progress(), "config": config})


def _player() -> steps.PlayerRun:
    if _run is None:
        raise ValueError("player: no automated player is running; start one first")
    return _run


def games_player_step(s: Session, budget_ms: float = 200.0) -> dict:
    """Whole rounds for about budget_ms: {done, total, finished, cancelled, seconds, summary, rounds}."""
    return json_safe(_player().step(float(budget_ms)))


def games_player_cancel(s: Session) -> dict:
    """Stop between rounds; the rounds finished so far are scored."""
    return json_safe(_player().cancel())
