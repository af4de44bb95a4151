"""Issue 12 #11: randomized smoothing as a resumable run (defense/job.py DefenseJob; worker defend_start /
defend_step / defend_cancel), like the key holder's search: the page shows progress and can cancel. Stepping runs
the very generator run_defense drains, so the numbers are the same however the work is chunked."""

from __future__ import annotations

import json

import pytest

from backdoor_playground.defense import run as defense
from backdoor_playground.defense.job import DefenseJob
from backdoor_playground.playground import rng
from backdoor_playground.worker import api
from backdoor_nets import activated_through_the_worker

SMOOTH = {"type": "smoothing", "sigma": 0.1, "n0": 20, "n": 300, "alpha": 0.01}


@pytest.fixture(scope="module")
def attacked():
    s = activated_through_the_worker("dataset=circle&networkShape=4", 60, list(range(0, 100, 2)))
    return s, s.attacked()


@pytest.mark.parametrize("curves", [False, True])
def test_stepping_gives_run_defense_numbers(attacked, curves):
    s, att = attacked
    once = defense.run_defense(att, SMOOTH, rng.stream(s.config["seed"], "defense"), curves=curves)
    job = DefenseJob(att, SMOOTH, rng.stream(s.config["seed"], "defense"), curves=curves)
    fractions = []
    while not job.finished:
        p = job.step(0.01)  # about one forward pass per step
        fractions.append(p["fraction"])
    assert len(fractions) > 5 and fractions == sorted(fractions)
    assert all(f < 1 for f in fractions[:-1]) and fractions[-1] == 1.0
    assert json.dumps(job.result, sort_keys=True) == json.dumps(once, sort_keys=True)
    if not curves:  # every row is planned but for the adaptive attacker's, which come on top
        assert job.total == (250 + 50) * (20 + 300) < job.done


def test_proximity_is_one_step(attacked):
    s, att = attacked
    job = DefenseJob(att, {"type": "proximity"}, rng.stream(s.config["seed"], "defense"))
    assert job.step(1.0)["finished"] and job.result["type"] == "proximity"


def test_worker_start_step_cancel(attacked):
    s, _ = attacked
    p = api.call("defend_start", {"params": SMOOTH})
    assert p == {"type": "smoothing", "done": 0, "total": p["total"], "fraction": 0.0, "finished": False,
                 "cancelled": False, "seconds": 0.0}
    while not p["finished"]:
        p = api.call("defend_step", {"budget_ms": 5})
    stepped = p["result"]
    assert s.defended is stepped and s.defense_job is None
    direct = api.call("defend", {"params": SMOOTH})
    assert stepped["metrics"] == direct["metrics"] and stepped["labels"] == direct["labels"]
    json.dumps(p, allow_nan=False)
    # cancel: nothing kept, and no step after it
    api.call("defend_start", {"params": {**SMOOTH, "n": 20_000}})
    api.call("defend_step", {"budget_ms": 1})
    c = api.call("defend_cancel")
    assert c["cancelled"] and c["finished"] and c["fraction"] < 1 and s.defense_job is None
    with pytest.raises(ValueError, match="no defense is running"):
        api.call("defend_step", {})
    assert api.call("defend_cancel") == {"cancelled": False, "finished": True}
    with pytest.raises(ValueError, match="^defense.sigma"):
        api.call("defend_start", {"params": {"type": "smoothing", "sigma": -1}})
    with pytest.raises(ValueError, match="budget_ms"):
        api.call("defend_start", {"params": SMOOTH})
        api.call("defend_step", {"budget_ms": 0})


def test_an_attack_change_forgets_the_running_defense(attacked):
    s, _ = attacked
    api.call("defend_start", {"params": SMOOTH})
    api.call("activate", {"method": "digit-edit", "points": [0, 1]})
    assert s.defense_job is None
