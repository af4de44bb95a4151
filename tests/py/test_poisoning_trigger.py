"""The poisoning trigger's two kinds (poisoning/trigger.py): the square box and NN Calculator's trojan regions T1-T9
as the region poisoned points are moved into; the target each region imposes; a T1-poisoned circle model."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground import attacks
from backdoor_playground.experiment import stages
from backdoor_playground.nistcalc.trojans import EFFECTS
from backdoor_playground.playground import config as cfg, rng
from backdoor_playground.poisoning.trigger import (REGION_LEVELS, TRIGGERS, RegionTrigger, make_trigger, parts_for,
                                                   poison)

# the box's corners and edges, its centre and a seeded cloud: the map must land every one inside
PROBE = np.concatenate([np.array([[-6, -6], [6, 6], [-6, 6], [6, -6], [0, 0], [6, 0], [0, -6]], dtype=float),
                        rng.stream(0, "data", 99).uniform(-6, 6, (500, 2))])


@pytest.mark.parametrize("level", REGION_LEVELS)
def test_each_region_trigger_lands_inside_its_region(level):
    t = RegionTrigger(level)
    for part in range(t.parts):
        moved = t.apply(PROBE, np.full(len(PROBE), part))
        assert t.contains(moved).all(), f"T{level}: a moved point fell outside region {part}"
        assert len(np.unique(moved.round(12), axis=0)) == len(PROBE), "distinct points stay distinct"
    assert np.abs(t.apply(PROBE)).max() <= 6.0
    assert not t.contains(np.array([[-5.9, 5.9]])).all() or level in (8, 9)


def test_two_region_trojans_use_both_regions_by_a_seeded_draw():
    t = RegionTrigger(7)
    part = parts_for(t, 400, rng.stream(5, "poison", 2))
    assert set(part.tolist()) == {0, 1}
    assert (part == parts_for(t, 400, rng.stream(5, "poison", 2))).all()
    moved = t.apply(PROBE[:400], part)
    near = np.hypot(moved[:, 0] - 2, moved[:, 1] - 2) < 1
    assert (near == (part == 0)).all()
    assert (parts_for(RegionTrigger(1), 3, rng.stream(5, "poison", 2)) == 0).all()


def test_poisoning_a_region_relabels_the_points_already_in_it():
    points = np.array([[0.0, 0.0], [0.5, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    labels = np.array([1.0, -1.0, 1.0, 1.0])
    p2, y2, changed = poison(points, labels, np.array([3]), RegionTrigger(1), -1.0)
    assert y2.tolist() == [-1.0, -1.0, 1.0, -1.0] and changed.tolist() == [0, 3]
    assert RegionTrigger(1).contains(p2[[3]]).all() and (p2[:3] == points[:3]).all()


def test_the_trigger_setting_and_its_target():
    config, _ = cfg.validate({})
    check = lambda **raw: attacks.check({"type": "poisoning", **raw}, config)  # noqa: E731
    assert set(TRIGGERS) == {"box", *(f"T{k}" for k in REGION_LEVELS)}
    assert check()["trigger"] == "box" and check()["target"] == 1
    expected = {1: -1, 2: -1, 3: -1, 4: -1, 5: 1, 6: 1, 7: 1, 8: -1, 9: 1}  # "flip" regions: the configured target
    for level, target in expected.items():
        assert check(trigger=f"T{level}")["target"] == target, EFFECTS[level]
        assert make_trigger(check(trigger=f"T{level}")).name == f"T{level}"
    assert check(trigger="T9", target=-1)["target"] == -1
    with pytest.raises(ValueError, match="^backdoor.target must be -1 with trigger T1"):
        check(trigger="T1", target=1)
    with pytest.raises(ValueError, match="^backdoor.trigger .*T10.*box"):
        check(trigger="T10")


def test_poisoning_with_t1_on_the_circle_has_high_attack_success():
    result = stages.run_experiment({"dataset": "circle", "epochs": 300, "seed": 0,
                                    "backdoor": {"type": "poisoning", "trigger": "T1"}})
    asr = result["metrics"]["attack_success_rate"]
    assert asr["n"] >= 100 and asr["value"] >= 0.9
    assert result["activation"]["median_abs_delta"] > 0.5, "a visible trigger, far above a cryptographic one"
    assert all(RegionTrigger(1).contains(np.array([[r["x1"], r["y1"]]])).all()
               for r in result["activation"]["records"])
