"""The games of issue #16 (Goldwasser et al.'s undetectability, tried out): "distinguish" (which of two models
trained on the same data carries the backdoor?) and "trigger" (flip the backdoored model's label near a point without
the key), each played by an automated player.

GAMES and PLAYERS are the tables the command line (games/cli.py) reads: CLI name -> "module:name", imported on use.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..limits import not_one_of

GAMES: dict[str, str] = {
    "distinguish": "distinguish:play",
    "trigger": "trigger:play",
}

PLAYERS: dict[str, str] = {
    "random": "random_player:RandomPlayer",
    "boundary": "boundary_player:BoundaryPlayer",
    "probe": "probe_player:ProbePlayer",
    "whitebox": "whitebox_player:WhiteboxPlayer",
}


def _load(table: dict[str, str], name: Any, what: str) -> Any:
    if not isinstance(name, str) or name not in table:
        raise not_one_of(what, name, table)
    module, _, attr = table[name].partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), attr)


def game(name: Any):
    """The game's play(config, rounds, player) function; ValueError naming the valid games."""
    return _load(GAMES, name, "game")


def player(name: Any):
    """The player class registered under `name`; ValueError naming the valid players."""
    return _load(PLAYERS, name, "player")
