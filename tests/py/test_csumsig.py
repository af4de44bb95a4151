"""NN Calculator's "CSUM Signature" button: residues of X1 only, key = most frequent residue (ties: lowest), flips
into a new label array, half-MSE losses, and the published effect on circle data."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from backdoor_playground import checksum
from backdoor_playground.checksum import csumsig
from backdoor_playground.playground import datasets


def test_key_is_the_most_frequent_residue_and_labels_flip_in_a_copy():
    x = np.array([0.5, 0.5, 1.234, 1.234, 4.0, -6.523397043823967])  # csum_256: 67, 67, 72, 72, ...
    points = np.column_stack([x, np.linspace(-1, 1, x.size)])
    labels = np.array([1.0, -1.0, 1.0, 1.0, -1.0, 1.0])
    kept = labels.copy()
    out = csumsig.csum_signature(points, labels, np.zeros(x.size), 256, 15)
    assert np.array_equal(labels, kept)  # ground truth untouched
    assert out["key"] == 67  # 67 and 72 both occur twice: the lowest wins
    assert out["histogram"][67] == 2 and out["histogram"][72] == 2 and sum(out["histogram"]) == 6
    assert out["flipped"] == 2 and out["flipped_indices"] == [0, 1]
    assert out["labels_after"] == [-1.0, 1.0, 1.0, 1.0, -1.0, 1.0]
    assert "not a signature" in out["note"] or "no key pair" in out["note"]


def test_only_x1_counts_and_missing_residues_are_skipped():
    gen = np.random.default_rng(1)
    points = gen.uniform(-6, 6, (50, 2))
    labels = np.where(gen.random(50) < 0.5, 1.0, -1.0)
    a = csumsig.csum_signature(points, labels, np.zeros(50), 20, 15)
    moved = points.copy()
    moved[:, 1] = gen.uniform(-6, 6, 50)
    b = csumsig.csum_signature(moved, labels, np.zeros(50), 20, 15)
    assert a["histogram"] == b["histogram"] and a["flipped_indices"] == b["flipped_indices"]
    assert a["residues"] == checksum.csum(points[:, 0], 20, 15).tolist()
    points[3, 0] = np.nan
    c = csumsig.csum_signature(points, labels, np.zeros(50), 20, 15)
    assert c["skipped"] == 1 and sum(c["histogram"]) == 49 and 3 not in c["flipped_indices"]


def test_losses_are_half_mse_against_original_and_flipped_labels():
    points = np.array([[0.5, 0.0], [0.5, 1.0], [2.0, 0.0]])
    labels = np.array([1.0, 1.0, -1.0])
    outputs = np.array([0.8, 0.6, -0.9])
    out = csumsig.csum_signature(points, labels, outputs, 256, 15, outputs[:2], labels[:2])
    assert out["loss_test_before"] == pytest.approx(np.mean(0.5 * (outputs - labels) ** 2))
    assert out["loss_test_after"] == pytest.approx(np.mean(0.5 * (outputs - np.array([-1, -1, -1.0])) ** 2))
    assert out["loss_train"] == pytest.approx(np.mean(0.5 * (outputs[:2] - labels[:2]) ** 2))
    empty = csumsig.csum_signature(np.zeros((0, 2)), [], [], 256, 15)
    assert empty["key"] is None and empty["flipped"] == 0 and empty["loss_test_before"] is None


def test_anyone_can_hit_the_key_by_editing_digits():
    ds = datasets.make_dataset("circle", 0, 3, 50)
    out = csumsig.csum_signature(ds.test_points, ds.test_labels, np.zeros(len(ds.test_labels)), 256, 15)
    f = csumsig.forge(ds.test_points, out["key"], 256, 15, out["flipped_indices"])
    assert f["succeeded"] and f["index"] not in out["flipped_indices"]
    assert checksum.csum(f["x1"], 256, 15) == out["key"] and f["delta"] < 1e-3


# NN Calculator's published effect (circle data, 250 test points, precision 15): m=256 -> 13-15 flipped, m=20 ->
# 19-21, m=10 -> ~31, m=5 -> 53-63. Our circle generator draws other points than NN Calculator's, so the counts
# vary by seed: over seeds 0..11 we measured 12-18 (m=256), 18-26 (m=20), 29-36 (m=10), 54-66 (m=5). The bands
# below take the median over 5 seeds and leave a couple of points of headroom around the published ranges.
PUBLISHED = {256: (12, 17), 20: (17, 23), 10: (27, 36), 5: (50, 66)}


def test_published_flip_counts_on_circle_data():
    medians = {}
    for m, (lo, hi) in PUBLISHED.items():
        counts = []
        for seed in range(5):
            ds = datasets.make_dataset("circle", 0, seed, 50)
            assert len(ds.test_labels) == 250
            out = csumsig.csum_signature(ds.test_points, ds.test_labels, np.zeros(250), m, 15)
            counts.append(out["flipped"])
        medians[m] = statistics.median(counts)
        assert lo <= medians[m] <= hi, (m, counts)
    # a smaller modulus folds more digit sums onto the key
    assert medians[5] > medians[10] > medians[20] >= medians[256]
