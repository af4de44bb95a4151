"""Neural Cleanse in steps (defense/cleanse_job.py, worker cleanse_start / cleanse_step / cleanse_cancel): the
same numbers as the one-call run, a progress fraction that grows to 1, and a cancel that keeps nothing; on the digits
with the wide network 64 -> 32 -> 10 (few steps: the numbers, not the run's length, are under test)."""

from __future__ import annotations

import pytest

from backdoor_playground.worker import api

WIDE = {"dataset": "digits", "digits_scale": "unit", "networkShape": [32], "learningRate": 0.1,
        "percTrainData": 80, "seed": "1"}
PARAMS = {"steps": 10, "restarts": 1}


@pytest.fixture(scope="module")
def session():
    api.init(config=WIDE)
    api.call("train", {"epochs": 3})
    api.call("plant", {})
    return api.session()


def test_stepped_cleanse_gives_the_one_call_numbers_with_growing_progress(session):
    whole = api.call("neural_cleanse", {"params": PARAMS})
    p = api.call("cleanse_start", {"params": PARAMS})
    assert p["done"] == 0 and p["total"] == 10 * 10 * 2 and not p["finished"]  # K x steps, clean model beside
    fractions = []
    while not p["finished"]:
        p = api.call("cleanse_step", {"budget_ms": 1})
        fractions.append(p["fraction"])
    assert len(fractions) > 3 and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert max(fractions[:-1]) < 1.0 and p["done"] == p["total"]
    stepped = p["result"]
    for key in ("classes", "median_l1", "mad", "flagged", "target"):
        assert stepped[key] == whole[key], key
    assert stepped["clean"]["classes"] == whole["clean"]["classes"]
    with pytest.raises(ValueError, match="no Neural Cleanse is running"):
        api.call("cleanse_step", {})


def test_cancel_keeps_nothing_and_bad_settings_name_their_key(session):
    api.call("cleanse_start", {"params": PARAMS})
    api.call("cleanse_step", {"budget_ms": 1})
    out = api.call("cleanse_cancel", {})
    assert out["cancelled"] and out["finished"] and 0 < out["done"] < out["total"]
    assert api.call("cleanse_cancel", {}) == {"cancelled": False, "finished": True}
    with pytest.raises(ValueError, match="no Neural Cleanse is running"):
        api.call("cleanse_step", {})
    with pytest.raises(ValueError, match="^defense.steps"):
        api.call("cleanse_start", {"params": {"steps": 1}})
    with pytest.raises(ValueError, match="^budget_ms"):
        api.call("cleanse_start", {"params": PARAMS}) and api.call("cleanse_step", {"budget_ms": 0})
