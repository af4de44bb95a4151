"""The worker's `defend` (what the page's scripts call, docs/EMBED.md) runs every defense of the registry: the ones
the panel does not step (quantisation, fine-tuning, fine-pruning, the detectors, Neural Cleanse) go through
registry.stage_defend, so a script gets the experiment's numbers (section + metrics with the column metrics)."""

from __future__ import annotations

import json

import pytest

from backdoor_playground.defense import registry, run as defense
from backdoor_playground.worker import api
from backdoor_nets import activated_through_the_worker

CHEAP = {"fine-tuning": {"epochs": 5}, "fine-pruning": {"epochs": 5}, "cleanse": {"steps": 10, "restarts": 1}}
OTHERS = [t for t in defense.DEFENSE_TYPES if t not in defense.STEPPED]


@pytest.fixture(scope="module")
def activated():
    return activated_through_the_worker("dataset=circle&networkShape=4&activation=relu&seed=7", 100,
                                        list(range(0, 250, 5)))


def test_others_are_every_registry_type_the_panel_does_not_step():
    assert set(OTHERS) | set(defense.STEPPED) == set(registry.RUNNERS) and "cleanse" in OTHERS


@pytest.mark.parametrize("kind", OTHERS)
def test_worker_defend_runs_the_registry_as_the_experiment_does(activated, kind):
    params = {"type": kind, **CHEAP.get(kind, {})}
    out = api.call("defend", {"params": params, "curves": False})
    assert out["type"] == kind and out["params"] == defense.check_defense(params)
    assert not set(defense.BULKY) & set(out)
    expected: dict = {}
    registry.stage_defend(activated, params, expected)  # the experiment's stage, same seed: same numbers
    assert out["metrics"] == expected["metrics"]
    assert {k: v for k, v in out.items() if k not in ("metrics", "seconds")} == \
        {k: v for k, v in expected["defense"].items() if k != "seconds"}
    for key in ("clean_accuracy_after", "attack_success_rate_after", "attack_success_rate_adaptive"):
        assert key in out["metrics"], key
    assert activated.defense_settings == defense.check_defense(params)  # the export and Replay link name it
    json.dumps(out, allow_nan=False)


def test_a_bad_setting_is_named(activated):
    with pytest.raises(ValueError, match="^defense.epochs"):
        api.call("defend", {"params": {"type": "fine-tuning", "epochs": 0}})
