"""The data-poisoning backdoor (BadNets in the plane, poisoning/): the protocol's fourth backdoor, added as one
subpackage and one registry line. Its trigger is visible (|dx| of the order of the box), it survives in the weights
the model learned, and the defender's training set is the poisoned one."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground import attacks
from backdoor_playground.experiment import replay, stages
from backdoor_playground.playground import config as cfg
from backdoor_playground.poisoning.trigger import Trigger, choose_poisoned, poison
from backdoor_playground.playground import rng
from backdoor_playground.worker import api

CONFIG = {"dataset": "circle", "networkShape": [8], "activation": "relu", "epochs": 300, "seed": 3,
          "backdoor": {"type": "poisoning"}}


@pytest.fixture(scope="module")
def run():
    return stages.run_session(CONFIG)


def test_the_trigger_maps_the_box_into_its_square():
    t = Trigger(4.5, -4.5, 0.5)
    corners = np.array([[-6, -6], [6, 6], [0, 0], [-6, 6]], dtype=float)
    moved = t.apply(corners)
    assert moved.tolist() == [[4.0, -5.0], [5.0, -4.0], [4.5, -4.5], [4.0, -4.0]]
    assert t.contains(moved).all() and not t.contains(corners).any()


def test_poisoning_moves_and_relabels_exactly_the_chosen_share():
    gen = rng.stream(1, "poison")
    chosen = choose_poisoned(250, 0.1, gen)
    assert len(chosen) == 25 and len(set(chosen.tolist())) == 25 and (np.diff(chosen) > 0).all()
    points = np.zeros((250, 2))
    labels = -np.ones(250)
    p2, y2, changed = poison(points, labels, chosen, Trigger(4.5, -4.5, 0.5), 1.0)
    assert changed.tolist() == chosen.tolist()
    assert (y2[chosen] == 1).all() and (np.delete(y2, chosen) == -1).all()
    assert np.allclose(p2[chosen], [4.5, -4.5]) and (np.delete(p2, chosen, axis=0) == 0).all()
    assert (points == 0).all() and (labels == -1).all(), "the inputs are not changed in place"
    assert len(choose_poisoned(10, 0.001, gen)) == 1 and len(choose_poisoned(0, 0.5, gen)) == 0


def test_the_settings_are_checked_and_name_the_key():
    config, _ = cfg.validate({})
    assert attacks.check({"type": "poisoning"}, config) == {
        "type": "poisoning", "rate": 0.1, "trigger": "box", "center": [4.5, -4.5], "half_width": 0.5, "target": 1, "epochs": 0,
        "points": "all"}
    for raw, message in (({"rate": 0}, "^backdoor.rate must be a number in \\(0, 1\\]"),
                         ({"target": "flip"}, "^backdoor.target must be 1 or -1"),
                         ({"center": [1]}, "^backdoor.center must be a pair"),
                         ({"ratee": 0.2}, "^backdoor.ratee is not a poisoning setting \\(did you mean rate\\?\\)")):
        with pytest.raises(ValueError, match=message):
            attacks.check({"type": "poisoning", **raw}, config)
    regression, _ = cfg.validate({"problem": "regression"})
    with pytest.raises(ValueError, match="classification"):
        attacks.check({"type": "poisoning"}, regression)


def test_badnets_in_the_plane_triggers_and_keeps_clean_accuracy(run):
    s, result = run
    b, a, m = result["backdoored"], result["activation"], result["metrics"]
    assert b["poisoned"] == round(0.1 * len(s.data.train_labels)) and b["agreement"] >= 0.97
    assert b["test_accuracy"] >= 0.95 and b["clean_test_accuracy"] >= 0.95
    assert a["attempted"] > 50 and a["flip_rate"] >= 0.9, "triggered inputs go to the target class"
    assert m["attack_success_rate"]["value"] >= 0.9
    assert a["median_abs_delta"] > 1.0, "the trigger is visible: of the order of the data box"
    att = s.attacked()
    assert (att.train_labels[s.attack.poisoned] == 1).all() and s.attack.trigger.contains(
        att.train_points[s.attack.poisoned]).all(), "the defender's training set is the poisoned one"


def test_the_page_exports_and_replays_it_like_the_command_line(run):
    _, expected = run
    api.call("replay", {"link": replay.encode(CONFIG)})
    got = api.call("experiment_result")["result"]
    assert got["config"]["backdoor"]["type"] == "poisoning"
    for section in ("clean", "backdoored", "activation", "metrics"):
        assert stages.strip_timing(got[section]) == stages.strip_timing(expected[section]), section


def test_removing_it_restores_the_clean_model(run):
    s, _ = run
    s2, _ = stages.run_session(CONFIG)
    clean = s2.attack.clean_model
    assert s2.remove_attack() and s2.model is clean and s2.attack is None
