"""`python3 -m backdoor_playground game distinguish|trigger CONFIG.json --rounds N --player random|boundary|probe|
whitebox [--out game.json]`: plays the game (distinguish.py, trigger.py), writes the JSON record (per round and the
summary, with the config and versions) and prints a one-line headline. A bad game or player name exits with 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from ..experiment.plan import versions
from . import GAMES, PLAYERS, game


def add_parser(sub: argparse._SubParsersAction, positive_int: Callable[[str], int]) -> None:
    p = sub.add_parser("game", help="play a game (distinguish, trigger) with an automated player; JSON + headline")
    p.add_argument("name", metavar="GAME", help=f"one of {', '.join(GAMES)}")
    p.add_argument("config", metavar="CONFIG.json", help="experiment config with a backdoor object (+ queries, radius)")
    p.add_argument("--rounds", type=positive_int, default=20, help="rounds (default 20)")
    p.add_argument("--player", default="random", help=f"one of {', '.join(PLAYERS)} (default random)")
    p.add_argument("--out", metavar="game.json", help="write the JSON record here instead of stdout")


def cmd_game(args: argparse.Namespace, bad_input: type[Exception], read_json: Callable[[str], object]) -> int:
    try:
        play = game(args.name)
        from . import player
        player(args.player)  # a bad name fails before the config is read
    except ValueError as exc:
        raise bad_input(str(exc)) from None
    config = read_json(args.config)
    try:
        result = play(config, args.rounds, args.player)
    except ValueError as exc:
        raise bad_input(str(exc)) from None
    result["versions"] = versions()
    text = json.dumps(result, indent=2, allow_nan=False) + "\n"
    module = sys.modules[play.__module__]
    if args.out is None:
        sys.stdout.write(text)
        sys.stderr.write(module.headline(result))
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise bad_input(f"cannot write {args.out}: {exc.strerror or exc}") from None
    sys.stdout.write(module.headline(result) + f"wrote {args.out}\n")
    return 0
