"""The one table of named backdoors (named_backdoors.py) and its two selections: the matrix's rows and the games'
backdoors list exactly what they listed before the table was shared, in the command line's help and in the worker's
`backdoors` lists (what the page offers); each name is its config object's type and variant."""

from __future__ import annotations

import pytest

from backdoor_playground import games, named_backdoors
from backdoor_playground.experiment import cli, matrix
from backdoor_playground.worker import api

MATRIX = ["poisoning", "checksum:decimal", "checksum:keyed", "checksum:parity", "signature:toy-rsa",
          "signature:ed25519", "csum-signature"]
GAMES = ["poisoning", "checksum:decimal", "checksum:keyed", "checksum:parity", "signature:toy-rsa",
         "signature:lamport", "signature:rsa", "signature:ed25519"]


def test_the_matrix_and_the_games_list_what_they_listed():
    assert list(matrix.BACKDOORS) == MATRIX
    assert list(games.BACKDOORS) == GAMES
    # one table: every use's rows are its objects
    assert list(named_backdoors.NAMED) == GAMES + ["csum-signature"]
    assert matrix.BACKDOORS == {name: named_backdoors.NAMED[name] for name in MATRIX}
    assert games.BACKDOORS == {name: named_backdoors.NAMED[name] for name in GAMES}


def test_a_name_is_its_object_s_type_and_variant():
    """`checksum:keyed` is {"type": "checksum", "variant": "keyed"}: the type, then its one setting's value."""
    for name, obj in named_backdoors.NAMED.items():
        assert len(obj) <= 2 and set(obj) - {"type"} <= {"variant", "scheme"}, name
        assert ":".join([obj["type"], *(v for k, v in obj.items() if k != "type")]) == name


def test_the_worker_offers_the_same_lists_to_the_page():
    api.init("dataset=circle&networkShape=3&activation=relu&seed=5&epochs=20")
    assert api.call("matrix_names", {})["backdoors"] == MATRIX
    assert api.call("games_names", {})["backdoors"] == GAMES


def test_the_matrix_help_lists_every_row(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["matrix", "--help"])
    text = "".join(capsys.readouterr().out.split())  # argparse wraps long lines (and at hyphens)
    assert f"all:{','.join(MATRIX)})" in text


def test_a_selection_is_a_copy_and_names_a_wrong_name():
    games.BACKDOORS["poisoning"]["rate"] = 0.5
    try:
        assert named_backdoors.NAMED["poisoning"] == {"type": "poisoning"} == matrix.BACKDOORS["poisoning"]
    finally:
        del games.BACKDOORS["poisoning"]["rate"]
    assert list(named_backdoors.select(["csum-signature", "poisoning"])) == ["poisoning", "csum-signature"]
    with pytest.raises(ValueError, match="^backdoor: signature:dsa not in the named backdoors; allowed: poisoning, "):
        named_backdoors.select(without=["signature:dsa"])
