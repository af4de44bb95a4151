"""Card D of the defense panel runs the registry's defenses without a card of their own: the generated state table
carries every defense type's settings with their defaults, the words its choices take and one line about it with
its paper (worker/tables.py), and the worker's defend_start / defend_step run a type without steps in one step
through defend's registry path (the same numbers as `defend`, kept for the export and the Replay link)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re

import pytest

from backdoor_playground import defense as defense_package
from backdoor_playground.defense import run as defense
from backdoor_playground.worker import api, tables
from backdoor_nets import activated_through_the_worker

CHEAP = {"fine-tuning": {"epochs": 5}, "fine-pruning": {"epochs": 5}, "cleanse": {"steps": 10, "restarts": 1}}
UNSTEPPED = [t for t in defense.DEFENSE_TYPES if t not in defense.STEPPED]


def test_the_state_table_has_every_defense_type_its_settings_and_bounds():
    table = json.loads(json.dumps(tables.state_table(), allow_nan=False))  # as build.py writes it
    assert table["defense_defaults"] == defense.DEFAULTS
    assert table["defense_choices"] == {key: list(words) for key, words in defense.CHOICES.items()}
    bounds = table["limits"]["defense"]
    for kind, settings in table["defense_defaults"].items():
        assert settings["type"] == kind
        for key in settings:  # every setting is bounded or takes a word: the page writes no bound of its own
            assert key == "type" or key in bounds or key in table["defense_choices"], (kind, key)
    assert set(table["defense_about"]) == set(defense.DEFAULTS)
    assert all(a["text"].strip() and a["paper"].strip() for a in table["defense_about"].values())


def test_each_paper_is_the_one_a_defense_docstring_names():
    docs = [importlib.import_module(f"backdoor_playground.defense.{m.name}").__doc__ or ""
            for m in pkgutil.iter_modules(defense_package.__path__)]
    for kind, (_, paper) in tables.DEFENSE_ABOUT.items():
        words = [w for w in re.split(r"[\s,]+", paper.replace("et al.", "")) if w]
        assert any(all(w in doc for w in words) for doc in docs), (kind, paper)


@pytest.fixture(scope="module")
def activated():
    return activated_through_the_worker("dataset=circle&networkShape=4&activation=relu&seed=7", 60,
                                        list(range(0, 250, 5)))


@pytest.mark.parametrize("kind", UNSTEPPED)
def test_defend_start_runs_a_type_without_steps_in_one_step(activated, kind):
    params = {"type": kind, **CHEAP.get(kind, {})}
    once = api.call("defend", {"params": params, "curves": False})
    started = api.call("defend_start", {"params": params})
    assert started["type"] == kind and not started["finished"] and started["fraction"] == 0
    p = api.call("defend_step", {"budget_ms": 1})
    assert p["finished"] and not p["cancelled"] and p["fraction"] == 1.0
    r = p["result"]
    assert {k: v for k, v in r.items() if k != "seconds"} == {k: v for k, v in once.items() if k != "seconds"}
    assert "attack_success_rate_after" in r["metrics"] and "clean_accuracy_after" in r["metrics"]
    assert activated.defense_settings == defense.check_defense(params)  # the export and Replay link name it
    assert activated.defense_job is None
    with pytest.raises(ValueError, match="no defense is running"):
        api.call("defend_step", {"budget_ms": 1})


def test_a_run_without_steps_can_be_cancelled_before_its_step(activated):
    activated.defense_settings = None
    api.call("defend_start", {"params": {"type": "quantisation"}})
    assert api.call("defend_cancel")["cancelled"] is True
    assert activated.defense_settings is None  # nothing ran
    with pytest.raises(ValueError, match="no defense is running"):
        api.call("defend_step", {"budget_ms": 1})


@pytest.mark.parametrize("params, key", [({"type": "quantisation", "step": ""}, "defense.step"),
                                         ({"type": "quantisation", "step": 20}, "defense.step"),
                                         ({"type": "fine-pruning", "fraction": 1}, "defense.fraction"),
                                         ({"type": "quantisation", "epochs": 3}, "defense.epochs")])
def test_defend_start_names_a_bad_setting(activated, params, key):
    with pytest.raises(ValueError, match=f"^{re.escape(key)}"):
        api.call("defend_start", {"params": params})


@pytest.mark.parametrize("kind", ["quantisation", "fine-pruning", "spectral"])
def test_the_export_has_the_run_without_labels(activated, kind):
    params = {"type": kind, **CHEAP.get(kind, {})}
    api.call("defend_start", {"params": params})
    r = api.call("defend_step", {"budget_ms": 1})["result"]
    out = api.call("experiment_result")
    result = out["result"]
    assert result["config"]["defense"] == defense.check_defense(params)
    assert result["defense"]["type"] == kind and result["defense"]["params"] == r["params"]
    for key, v in r["metrics"].items():  # the run's numbers, before and after (nothing changed in between)
        assert result["metrics"][key] == v, key
    assert "attack_success_rate_after" in result["metrics"]
    rows = [line.split("\t") for line in out["tsv"].splitlines()]
    assert ["metrics", "attack_success_rate_after.value"] in [row[2:4] for row in rows[1:]]
