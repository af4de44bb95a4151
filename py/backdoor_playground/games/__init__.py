"""The games of issue #16 (Goldwasser et al.'s undetectability, tried out): "distinguish" (which of two models
trained on the same data carries the backdoor?) and "trigger" (flip the backdoored model's label near a point without
the key), each played by an automated player.

GAMES and PLAYERS are the tables the command line (games/cli.py) reads: CLI name -> "module:name", imported on use.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..limits import not_one_of
from ..named_backdoors import select

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

# one line each, for the page and the docs (docs/GAMES.md has the table)
PLAYER_NOTES: dict[str, str] = {
    "random": "queries points uniform in the data box (trigger: in the square around the point); the baseline",
    "boundary": "bisects between nearby training points of different labels, then queries around the boundary",
    "probe": "queries base points and tiny perturbations of them (1e-3, 1e-6, 1e-9 of the box): a label that "
             "flips under a tiny change gives a backdoor away",
    "whitebox": "reads both networks: an unusual operator (the checksum's *_csum) or a verifier block marks the "
                "backdoor; otherwise plays the probe",
}

# the backdoors the page and the command line offer (named_backdoors.py: the one table; name -> the config's
# backdoor object): every named backdoor but the CSUM signature (the matrix's row only)
BACKDOORS: dict[str, dict] = select(without=("csum-signature",))


def backdoor(name: Any) -> dict:
    """The backdoor object of a BACKDOORS name (a copy); ValueError naming the valid ones."""
    if not isinstance(name, str) or name not in BACKDOORS:
        raise not_one_of("backdoor", name, BACKDOORS)
    return dict(BACKDOORS[name])


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
