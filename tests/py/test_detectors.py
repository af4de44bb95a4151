"""Detectors of poisoned training points (defense/detectors.py): spectral signatures (Tran et al. 2018) and
activation clustering (Chen et al. 2018), on hand-made representations and on a real poisoned model."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.defense import detectors
from backdoor_playground.experiment import stages
from backdoor_playground.playground import features


def blobs():
    """Label +1: 90 points around the origin and 10 far away (the "poison"); label -1: 100 clean points."""
    gen = np.random.default_rng(0)
    clean = gen.normal(0, 1, (90, 3))
    poison = gen.normal(0, 0.3, (10, 3)) + [8.0, -8.0, 8.0]
    other = gen.normal(0, 1, (100, 3)) + [0, 5, 0]
    R = np.vstack([clean, poison, other])
    labels = np.r_[np.ones(100), -np.ones(100)]
    return R, labels, np.arange(90, 100)


def test_both_detectors_find_a_separated_minority():
    R, labels, poisoned = blobs()
    spectral = detectors.spectral_signature(R, labels, eps=0.1)
    assert spectral[poisoned].all() and spectral.sum() == 2 * 15  # 1.5 eps n per label
    clustering = detectors.activation_clustering(R, labels)
    assert clustering[poisoned].all() and clustering.sum() == 10, "only the small cluster, only in label +1"
    ev = detectors.evaluate(clustering, poisoned)
    assert ev["detection_tpr"]["value"] == 1.0 and ev["detection_fpr"]["value"] == 0.0 and ev["flagged"] == 10


def test_two_means_is_deterministic_and_splits_two_groups():
    Z = np.r_[np.zeros((5, 2)), np.ones((3, 2)) * 10] + np.linspace(0, 0.1, 8)[:, None]
    a, b = detectors.two_means(Z), detectors.two_means(Z)
    assert (a == b).all() and len(set(a[:5])) == 1 and len(set(a[5:])) == 1 and a[0] != a[5]
    assert detectors.two_means(np.zeros((1, 2))).tolist() == [0]


@pytest.fixture(scope="module")
def poisoned_run():
    config = {"dataset": "circle", "networkShape": [8], "activation": "relu", "epochs": 300, "seed": 3,
              "backdoor": {"type": "poisoning"}}
    s, _ = stages.run_session(config)
    att = s.attacked()
    R = detectors.representations(s.model, features.feature_matrix(att.train_points, s.feature_names))
    return s, att, R


def test_they_catch_the_data_poisoning_backdoor(poisoned_run):
    s, att, R = poisoned_run
    ac = detectors.evaluate(detectors.activation_clustering(R, att.train_labels), s.attack.poisoned)
    assert ac["detection_tpr"]["value"] >= 0.8 and ac["detection_fpr"]["value"] <= 0.05
    sp = detectors.evaluate(detectors.spectral_signature(R, att.train_labels), s.attack.poisoned)
    assert sp["detection_tpr"]["value"] >= 0.75 and sp["detection_tpr"]["n"] == len(s.attack.poisoned)


def test_a_planted_backdoor_poisons_no_data_so_every_flag_is_a_false_positive():
    s, _ = stages.run_session({"dataset": "circle", "networkShape": [8], "activation": "relu", "epochs": 200,
                               "seed": 3, "backdoor": {"type": "signature"}})
    att = s.attacked()
    R = detectors.representations(s.model, features.feature_matrix(att.train_points, s.feature_names))
    flagged = detectors.spectral_signature(R, att.train_labels)
    ev = detectors.evaluate(flagged, [])
    assert ev["detection_tpr"]["n"] == 0 and ev["detection_tpr"]["value"] is None
    assert ev["detection_fpr"]["k"] == ev["flagged"] == flagged.sum() > 0
