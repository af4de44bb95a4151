"""proximity.py: NN Calculator's distance histograms and radius objective (bug 8 fixed), r-separation, and the
radius / k-NN votes, checked on hand-worked sets and against plain loops over pairs and points."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from backdoor_playground.defense import proximity as px

W = math.sqrt(2.0)


def random_set(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    g = np.random.default_rng(seed)
    return g.uniform(-6, 6, (n, 2)), np.where(g.random(n) < 0.4, 1.0, -1.0)


def brute_histograms(points, labels, n_bins):
    h = {"nn": [0] * n_bins, "pp": [0] * n_bins, "np": [0] * n_bins}
    for i, j in itertools.combinations(range(len(points)), 2):
        d = math.dist(points[i], points[j])
        b = min(int(d // W), n_bins - 1)
        kind = "pp" if labels[i] > 0 and labels[j] > 0 else "nn" if labels[i] < 0 and labels[j] < 0 else "np"
        h[kind][b] += 1
    return h


def test_histograms_count_every_pair_once_and_match_a_loop():
    pts, lab = random_set(120)
    h = px.distance_histograms(pts, lab)
    assert len(h["nn"]) == len(h["pp"]) == len(h["np"]) == 12 and len(h["edges"]) == 13
    assert sum(h["pairs"].values()) == 120 * 119 // 2
    n_pos = int((lab > 0).sum())
    assert h["pairs"]["pp"] == n_pos * (n_pos - 1) // 2 and h["pairs"]["np"] == n_pos * (120 - n_pos)
    assert {k: h[k] for k in ("nn", "pp", "np")} == brute_histograms(pts, lab, 12)


def test_histograms_do_not_depend_on_the_chunk_size(monkeypatch):
    pts, lab = random_set(90, seed=8)
    whole = px.distance_histograms(pts, lab)
    monkeypatch.setattr(px, "CHUNK_CELLS", 97)  # a handful of rows per chunk, ragged last chunk
    assert px.distance_histograms(pts, lab) == whole


def test_distances_beyond_the_box_diagonal_add_bins():
    # the box diagonal 12 sqrt(2) closes the 12th bin (NN Calculator indexes past it and gets NaN)
    h = px.distance_histograms([[-6, -6], [6, 6]], [1, -1])
    assert len(h["np"]) == 12 and h["np"][11] == 1
    # PP 18.74 = 13.25 w -> bin 13; NP 18.06 = 12.77 w -> bin 12 and 1 -> bin 0; so 14 bins
    h = px.distance_histograms([[-6, -6], [7.5, 7], [-6, -5]], [1, 1, -1])
    assert len(h["pp"]) == 14 and h["pp"][13] == 1 and h["np"][12] == 1 and h["np"][0] == 1
    assert sum(h["pp"]) + sum(h["np"]) + sum(h["nn"]) == 3
    h = px.distance_histograms([[-10, -10], [10, 10]], [-1, -1])
    assert len(h["nn"]) == 20 and h["nn"][19] == 1 and h["edges"][-1] == pytest.approx(20 * W)


# A hand-worked set (w = sqrt 2 = 1.414): N a=(0,0), b=(0.5,0), f=(4,0.5); P c=(0,0.5), d=(0.5,0.5), e=(4,0).
# NN: ab 0.5 -> bin 0; af 4.03, bf 3.54 -> bin 2.        PP: cd 0.5 -> 0; ce 4.03, de 3.54 -> 2.
# NP: ac 0.5, ad 0.71, bc 0.71, bd 0.5, ef 0.5 -> bin 0; ae 4, be 3.5, cf 4, df 3.5 -> bin 2.
# J_0 = 1 * 1 / 5 = 0.2, J_2 = 2 * 2 / 4 = 1 -> bin 2, r* = 2.5 sqrt 2.
HAND_POINTS = [[0, 0], [0.5, 0], [4, 0.5], [0, 0.5], [0.5, 0.5], [4, 0]]
HAND_LABELS = [-1, -1, -1, 1, 1, 1]


def test_objective_and_radius_on_a_hand_worked_set():
    h = px.distance_histograms(HAND_POINTS, HAND_LABELS)
    assert h["nn"][:3] == [1, 0, 2] and h["pp"][:3] == [1, 0, 2] and h["np"][:3] == [5, 0, 4]
    r = px.nist_radius(h)
    assert r["objective"][:3] == [pytest.approx(0.2), None, pytest.approx(1.0)]
    assert r["objective"][3:] == [None] * 9
    assert r["bin"] == 2 and r["radius"] == pytest.approx(2.5 * W) and "note" not in r


def test_objective_ties_go_to_the_lowest_bin_and_no_np_pairs_fall_back():
    tie = {"bin_width": W, "nn": [2, 0, 3, 4], "pp": [3, 0, 2, 1], "np": [6, 1, 6, 0]}  # J = 1, 0, 1, None
    r = px.nist_radius(tie)
    assert r["bin"] == 0 and r["radius"] == pytest.approx(0.5 * W)
    one_class = px.distance_histograms([[0, 0], [1, 1], [2, 0]], [1, 1, 1])
    r = px.nist_radius(one_class)
    assert r["radius"] == pytest.approx(2 * W) and r["bin"] is None and "default" in r["note"]


def test_separation_radius():
    # closest opposite pair: (0,0) and (3,4) at distance 5 ((-1,0) is 5.66 from (3,4), 11 from (10,0))
    assert px.separation_radius([[0, 0], [3, 4], [10, 0], [-1, 0]], [1, -1, -1, 1]) == pytest.approx(2.5)
    assert px.separation_radius([[0, 0], [1, 1]], [1, 1]) is None


def test_radius_vote_majority_ties_both_ways_and_the_no_neighbour_fallback():
    train = [[0, 0], [2, 0], [0.5, 0], [10, 10]]
    labels = [1, -1, -1, 1]
    # query 0 at (1, 0) sees (0,0)+, (2,0)-, (0.5,0)- within 1 -> -1; query 1 at (0.25, 0) within 0.25 sees one +1
    # and one -1 -> a tie; query 2 at (-5, -5) sees nobody
    queries = [[1, 0], [0.25, 0], [-5, -5]]
    out = px.radius_vote(train, labels, queries, 1.0, fallback=[1.0, 1.0, 1.0])
    assert out["labels"].tolist() == [-1.0, -1.0, 1.0] and out["pos"].tolist() == [1, 1, 0]
    assert out["neg"].tolist() == [2, 1, 0]
    tie = px.radius_vote(train, labels, queries[1:], 0.25, fallback=[1.0, -1.0])
    assert tie["labels"].tolist() == [-1.0, -1.0]  # NN Calculator: a tie falls in its "otherwise -> -1" branch
    keep = px.radius_vote(train, labels, queries[1:], 0.25, fallback=[1.0, -1.0], ties="keep")
    assert keep["labels"].tolist() == [1.0, -1.0]
    alone = px.radius_vote(train, labels, [[-5, -5], [-5, 5]], 1.0, fallback=[-1.0, 1.0])
    assert alone["labels"].tolist() == [-1.0, 1.0]  # no neighbours: the model's own label stays
    with pytest.raises(ValueError):
        px.radius_vote(train, labels, queries, 1.0, fallback=1.0, ties="positive")


def test_radius_vote_matches_a_loop():
    train, lab = random_set(200, seed=5)
    queries = np.random.default_rng(6).uniform(-6, 6, (60, 2))
    fallback = np.where(np.arange(60) % 2, 1.0, -1.0)
    got = px.radius_vote(train, lab, queries, 1.3, fallback)["labels"]
    for q, g, fb in zip(queries, got, fallback):
        pos = sum(1 for t, l in zip(train, lab) if math.dist(q, t) <= 1.3 and l > 0)
        neg = sum(1 for t, l in zip(train, lab) if math.dist(q, t) <= 1.3 and l < 0)
        assert g == (fb if pos + neg == 0 else 1.0 if pos > neg else -1.0)


def test_knn_vote():
    train = [[0, 0], [1, 0], [3, 0], [10, 0]]
    labels = [1, -1, -1, 1]
    q = [[0.1, 0], [2.5, 0], [0.5, 0]]
    assert px.knn_vote(train, labels, q, 1).tolist() == [1.0, -1.0, 1.0]  # (0.5, 0): equal distances, lower index
    assert px.knn_vote(train, labels, q, 3).tolist() == [-1.0, -1.0, -1.0]
    # k = 2 at (0.1, 0): one +1, one -1 -> the fallback
    assert px.knn_vote(train, labels, q[:1], 2, fallback=[1.0]).tolist() == [1.0]
    assert px.knn_vote(train, labels, q[:1], 2, fallback=[-1.0]).tolist() == [-1.0]
    assert px.knn_vote(train, labels, q[:1], 99).tolist() == [-1.0]  # all four: a tie -> default fallback -1
    with pytest.raises(ValueError):
        px.knn_vote(train, labels, q, 0)


def test_thousand_points_run_vectorised():
    train, lab = random_set(1000, seed=9)
    h = px.distance_histograms(train, lab)
    assert sum(h["pairs"].values()) == 499_500
    n_pos, n_neg = px.neighbour_counts(train, lab, train[:500], [0.5, 1.0, 2.0])
    assert n_pos.shape == (3, 500) and np.all(np.diff(n_pos + n_neg, axis=0) >= 0)  # bigger balls hold more
