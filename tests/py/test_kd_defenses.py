"""Issue 14 part 2: the defenses for any d and K, and the poisoning backdoor in d dimensions with any target class.

Proximity votes over K labels (same-class vs different-class pair histograms), randomized smoothing counts K classes
(Cohen et al.'s top-two test, -1 for an abstention), quantisation's attacker searches a d-dimensional lattice, and the
matrix runs on circle3d.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from backdoor_playground.defense import proximity, quantise, smoothing
from backdoor_playground.experiment import cli, stages
from backdoor_playground.experiment.plan import parse_config
from backdoor_playground.poisoning.trigger import PatchTrigger, Trigger, corner_patch, poison
from backdoor_playground.playground import rng

CIRCLE3D = {"dataset": "circle3d", "features": ["x", "y", "z", "xSquared", "ySquared", "zSquared"],
            "networkShape": [4], "activation": "tanh", "epochs": 60, "seed": "1"}
DIGITS = {"dataset": "digits", "digits_scale": "unit", "networkShape": [8], "activation": "tanh",
          "learningRate": 0.1, "percTrainData": 80, "epochs": 30, "seed": "1"}


class FakeAttacked:
    """What smoothing reads: k, points, a predict that labels by the nearest of three centres in 3-D."""

    k = 3
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 0.0, 0.0], [0.0, 4.0, 0.0]])

    def predict(self, points, owners):
        d = ((np.asarray(points)[:, None, :] - self.centres[None]) ** 2).sum(axis=2)
        return np.argmin(d, axis=1).astype(np.float64)


def test_proximity_votes_over_k_labels_in_three_dimensions():
    train = np.array([[0, 0, 0], [0.1, 0, 0], [0, 0.1, 0], [3, 3, 3], [3.1, 3, 3], [6, 0, 0]], dtype=float)
    labels = np.array([0, 0, 1, 2, 2, 1], dtype=float)
    assert proximity.is_multiclass(labels) and not proximity.is_multiclass([1.0, -1.0, 1.0])
    queries = np.array([[0.05, 0.0, 0.0], [3.05, 3.0, 3.0], [6.0, 0.1, 0.0], [-5.0, -5.0, -5.0]])
    counts = proximity.class_counts(train, labels, queries, [0.5], 3)[0]
    assert counts.tolist() == [[2, 1, 0], [0, 0, 2], [0, 1, 0], [0, 0, 0]]
    votes = proximity.vote_from_class_counts(counts, fallback=np.array([9.0, 9.0, 9.0, 7.0]))
    assert votes.tolist() == [0.0, 2.0, 1.0, 7.0]  # no neighbour: the fallback
    tie = proximity.vote_from_class_counts(np.array([[1, 1, 0]]), fallback=np.array([2.0]))
    keep = proximity.vote_from_class_counts(np.array([[1, 1, 0]]), fallback=np.array([2.0]), ties="keep")
    assert tie.tolist() == [0.0] and keep.tolist() == [2.0]
    nearest = proximity.nearest_classes(train, labels, queries[:2], 3)
    assert nearest.tolist() == [[0.0, 0.0, 1.0], [2.0, 2.0, 0.0]]
    assert proximity.knn_from_nearest_classes(nearest, 3, 3, np.array([5.0, 5.0])).tolist() == [0.0, 2.0]
    r = proximity.separation_radius(train, labels)
    assert r == pytest.approx(0.05)  # (0, 0, 0) class 0 vs (0, 0.1, 0) class 1
    hist = proximity.distance_histograms(train, labels)
    assert hist["pairs"] == {"same": 3, "diff": 12} and hist["same"] == hist["nn"] == hist["pp"]
    assert sum(hist["diff"]) == 12 and proximity.nist_radius(hist)["bin"] == 0


def test_distances_in_d_dimensions_and_unchanged_in_the_plane():
    a, b = np.array([[0.0, 0.0, 0.0]]), np.array([[1.0, 2.0, 2.0]])
    assert proximity._distances(a, b).tolist() == [[3.0]]
    p, q = np.array([[0.3, -1.7]]), np.array([[2.9, 0.4]])
    assert proximity._distances(p, q)[0, 0] == np.sqrt((0.3 - 2.9) ** 2 + (-1.7 - 0.4) ** 2)


def test_smoothing_counts_k_classes_and_abstains_on_a_close_call():
    att = FakeAttacked()
    points = np.array([[0.0, 0.0, 0.0], [4.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    counts = smoothing.vote_counts(att, points, np.full(3, -1), 0.5, 400, rng.stream(1, "defense"))
    assert counts.shape == (3, 3) and (counts.sum(axis=1) == 400).all()
    labels = smoothing.predict(att, points, np.full(3, -1), 0.5, 400, 0.001, rng.stream(1, "defense"))
    assert labels[:2].tolist() == [0.0, 1.0] and labels[2] == -1.0  # (2, 0, 0) is a coin toss between 0 and 1
    guess, radii = smoothing.certify(att, points, np.full(3, -1), 0.5, 50, 400, 0.001, rng.stream(2, "defense"))
    assert guess[:2].tolist() == [0.0, 1.0] and guess[2] == -1.0
    assert (radii[:2] > 0.5).all() and np.isnan(radii[2])  # > sigma: every vote for one class is > 0.84


def test_quantisation_searches_a_lattice_in_d_dimensions():
    class Att:
        test_points = np.array([[0.26, 0.0, 0.0]])
        inputs = test_points.copy()
        activated = np.array([True])
        target = np.array([1.0])
        clean_pred = np.array([-1.0])

        def predict(self, points, owners):
            return np.where(np.asarray(points)[:, 2] >= 0.5, 1.0, -1.0)  # the backdoor: z >= 0.5

        def clean_predict(self, points):
            return np.full(len(points), -1.0)

    assert quantise.adaptive_success(Att(), 0.25, reach=2).tolist() == [True]  # (0.25, 0, 0.5): two steps up z
    assert quantise.adaptive_success(Att(), 0.25, reach=1).tolist() == [False]

    class Wide(Att):
        test_points = np.zeros((1, 64))
        inputs = test_points.copy()

    assert quantise.adaptive_success(Wide(), 0.25, reach=2).tolist() == [True]  # axis moves only for d > 3


def test_poisoning_triggers_in_three_and_sixty_four_dimensions():
    box = Trigger(4.5, -4.5, 0.5, 4.5)
    P = rng.stream(3, "data").uniform(-6, 6, (50, 3))
    moved = box.apply(P)
    assert box.contains(moved).all() and not box.contains(P).any()
    assert box.to_dict()["center"] == [4.5, -4.5, 4.5]
    pixels = corner_patch(64)
    assert pixels == (45, 46, 47, 53, 54, 55, 61, 62, 63)
    patch = PatchTrigger(pixels, 1.0)
    images = np.zeros((4, 64))
    triggered, labels, changed = poison(images, np.arange(4.0), np.array([1, 3]), patch, 7.0)
    assert labels.tolist() == [0.0, 7.0, 2.0, 7.0] and changed.tolist() == [1, 3]
    assert patch.contains(triggered).tolist() == [False, True, False, True]
    assert np.count_nonzero(triggered[1]) == 9


def test_poisoning_settings_per_d_and_k():
    check = lambda raw, **bd: parse_config({**raw, "backdoor": {"type": "poisoning", **bd}})[1].backdoor  # noqa: E731
    c3 = check(CIRCLE3D)
    assert c3["trigger"] == "box" and c3["center"] == [4.5, -4.5, 4.5] and c3["target"] == 1
    dg = check(DIGITS, target=4)
    assert dg["trigger"] == "patch" and dg["value"] == 1.0 and dg["target"] == 4
    assert check({**DIGITS, "digits_scale": "raw"})["value"] == 16.0
    for raw, bd, message in ((CIRCLE3D, {"trigger": "T1"}, "^backdoor.trigger T1: NN Calculator's trojan regions "
                                                           "are drawn for 2-D two-class data"),
                             (CIRCLE3D, {"center": [1, 2]}, r"^backdoor.center must be a list of 3 numbers"),
                             (DIGITS, {"target": 10}, r"^backdoor.target must be a class 0..9"),
                             (CIRCLE3D, {"trigger": "patch"}, "^backdoor.trigger patch is an image trigger")):
        with pytest.raises(ValueError, match=message):
            check(raw, **bd)


def test_poisoning_on_digits_sends_the_patch_to_the_target_class():
    res = stages.run_experiment({**DIGITS, "backdoor": {"type": "poisoning", "target": 4},
                                 "defense": {"type": "proximity"}})
    m = res["metrics"]
    assert m["clean_accuracy"]["value"] >= 0.95 and m["attack_success_rate"]["value"] >= 0.9  # 0.975, 0.997
    records = res["activation"]["records"]
    assert all(r["target"] == 4 for r in records) and len(records[0]["p1"]) == 64


def test_the_matrix_runs_on_circle3d(tmp_path, capsys):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({**CIRCLE3D, "seed": "0"}))
    out = tmp_path / "m.tsv"
    assert cli.main(["matrix", str(config), "--seeds", "1", "--defenses", "none,proximity,smoothing,quantisation",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "checksum:decimal" in printed and "poisoning" in printed and "csum-signature" not in printed
    rows = [line.split("\t") for line in out.read_text().splitlines()[1:]]
    value = {(r[0], r[1], r[3]): r[4] for r in rows}
    assert float(value[("checksum:decimal", "none", "clean_accuracy_after")]) >= 0.95
    assert float(value[("poisoning", "none", "attack_success_rate_after")]) >= 0.75  # 0.87
    assert float(value[("checksum:decimal", "smoothing", "attack_success_rate_after")]) <= 0.05


def test_weight_defenses_and_detectors_on_the_digits():
    pruned = stages.run_experiment({**DIGITS, "backdoor": {"type": "poisoning", "target": 4},
                                    "defense": {"type": "fine-pruning"}})["metrics"]
    assert pruned["attack_success_rate"]["value"] >= 0.9  # 0.994 before
    assert pruned["attack_success_rate_after"]["value"] <= 0.5  # 0.099: the patch fades with its neurons
    spectral = stages.run_experiment({**DIGITS, "backdoor": {"type": "poisoning", "target": 4},
                                      "defense": {"type": "spectral"}})["metrics"]
    assert spectral["detection_tpr"]["n"] == 144 and spectral["detection_fpr"]["n"] == 1293  # 10 % of 1437
    tuned = stages.run_experiment({**CIRCLE3D, "backdoor": {"type": "checksum"},
                                   "defense": {"type": "fine-tuning"}})["metrics"]
    assert tuned["attack_success_rate"]["value"] >= 0.5 and tuned["clean_accuracy_after"]["value"] >= 0.95
