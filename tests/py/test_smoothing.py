"""smoothing.py on hand-built `Attacked` sets whose smoothed behaviour can be worked out on paper: a constant
classifier (every vote agrees: the largest certifiable radius), a perfectly balanced one (always abstains), and
f = sign(x) with a measure-zero trigger (noise destroys it; only a sigma-aware attacker who moves far wins)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backdoor_playground.defense import smoothing as sm, stats
from backdoor_playground.defense.attacked import Attacked


def make_attacked(predict, test_points, activated=None, trigger: float = 1e-9) -> Attacked:
    """Test points labelled sign(x); activated ones moved by `trigger` along y, targeting the other label."""
    pts = np.asarray(test_points, dtype=np.float64)
    m = len(pts)
    act = np.ones(m, dtype=bool) if activated is None else np.asarray(activated, dtype=bool)
    truth = np.where(pts[:, 0] >= 0, 1.0, -1.0)
    inputs = pts + np.where(act[:, None], [0.0, trigger], 0.0)
    bd = predict(inputs, np.arange(m))
    return Attacked(train_points=pts.copy(), train_labels=truth.copy(), test_points=pts, test_labels=truth,
                    inputs=inputs, activated=act, flipped=act & (bd != truth), target=np.where(act, -truth, 0.0),
                    clean_pred=truth.copy(), bd_pred=bd, predict=predict,
                    clean_predict=lambda p: np.where(np.asarray(p)[:, 0] >= 0, 1.0, -1.0), backdoor="test")


def constant(points, owners):
    return np.ones(len(points))


def alternating(points, owners):
    # +1, -1, +1, ... by row: with an even n every point gets exactly n/2 votes of each (batches are even too)
    return np.where(np.arange(len(points)) % 2 == 0, 1.0, -1.0)


def triggered_sign(att_box: list):
    """sign(x), flipped exactly at an activated input (a measure-zero trigger, like the checksum's)."""
    def predict(points, owners):
        points = np.asarray(points)
        out = np.where(points[:, 0] >= 0, 1.0, -1.0)
        if att_box:
            att = att_box[0]
            own = np.asarray(owners)
            ok = own >= 0
            hit = np.zeros(len(points), dtype=bool)
            hit[ok] = att.activated[own[ok]] & np.all(points[ok] == att.inputs[own[ok]], axis=1)
            out[hit] = -out[hit]
        return out
    return predict


def trigger_set(points):
    box: list = []
    predict = triggered_sign(box)
    att = make_attacked(predict, points)
    box.append(att)
    return make_attacked(predict, points)


def test_constant_classifier_certifies_the_largest_radius():
    att = make_attacked(constant, [[0.0, 0.0], [1.0, 2.0]])
    sigma = 0.25
    labels, radii = sm.certify(att, att.inputs, np.arange(2), sigma, 10, 100, 0.001, np.random.default_rng(0))
    # all 100 votes for +1: pA_lower = 0.001^(1/100) = 0.93325, Phi^-1 = 1.50048
    assert labels.tolist() == [1.0, 1.0]
    assert radii == pytest.approx([sigma * 1.5004750241, sigma * 1.5004750241], rel=1e-9)
    assert sm.max_certifiable_radius(sigma, 100, 0.001) == pytest.approx(radii[0], rel=1e-12)
    assert sm.predict(att, att.inputs, np.arange(2), sigma, 100, 0.001, np.random.default_rng(0)).tolist() == [1, 1]


def test_balanced_classifier_always_abstains():
    att = make_attacked(alternating, [[0.0, 0.0], [3.0, 3.0], [-2.0, 1.0]])
    labels, radii = sm.certify(att, att.inputs, np.arange(3), 0.5, 100, 1000, 0.001, np.random.default_rng(1))
    assert labels.tolist() == [0.0, 0.0, 0.0] and np.all(np.isnan(radii))  # 500 of 1000: pA_lower < 1/2
    assert sm.predict(att, att.inputs, np.arange(3), 0.5, 1000, 0.001, np.random.default_rng(1)).tolist() == [0, 0, 0]
    assert sm.vote_counts(att, att.inputs, np.arange(3), 0.5, 1000, np.random.default_rng(1)).tolist() == [500] * 3


def test_max_certifiable_radius_needs_enough_samples():
    # alpha^(1/n) < 1/2 for n = 9, alpha = 0.001 (0.464): nothing is certifiable (locuslab/smoothing issue #8)
    assert sm.max_certifiable_radius(1.0, 9, 0.001) is None
    assert sm.max_certifiable_radius(1.0, 10, 0.001) == pytest.approx(stats.norm_ppf(0.001 ** 0.1))


def test_vote_counts_follow_the_gaussian_and_repeat_with_the_seed():
    att = make_attacked(lambda p, o: np.where(np.asarray(p)[:, 0] >= 0, 1.0, -1.0), [[0.0, 0.0], [0.5, 0.0]])
    owners = np.arange(2)
    a = sm.vote_counts(att, att.test_points, owners, 0.5, 4000, np.random.default_rng(7))
    b = sm.vote_counts(att, att.test_points, owners, 0.5, 4000, np.random.default_rng(7), batch=999)
    assert a.tolist() == b.tolist()  # the same draws whatever the batch size
    # P(x + e >= 0) = 1/2 at x = 0 and Phi(1) = 0.8413 at x = 0.5, sigma = 0.5; 5 sd of Bin(4000, p) ~ 0.03
    assert abs(a[0] / 4000 - 0.5) < 0.04 and abs(a[1] / 4000 - stats.norm_cdf(1.0)) < 0.03


def test_certified_accuracy_curve():
    labels = [1, -1, 0, 1]
    truth = [1, -1, 1, -1]
    radii = [0.5, 0.2, math.nan, 0.9]
    # right: points 0 (R 0.5) and 1 (R 0.2); point 2 abstained, point 3 wrong
    assert sm.certified_accuracy_curve(labels, truth, radii, [0.0, 0.2, 0.3, 0.6]) == [0.5, 0.5, 0.25, 0.0]
    assert sm.certified_accuracy_curve([], [], [], [0.0]) == [None]


def test_lipschitz_bound():
    # the spec's example: gamma = 1e-9, sigma = 0.01 -> <= 1.6e-7
    assert sm.lipschitz_bound(1e-9, 0.01) == pytest.approx(2 * math.sqrt(2 / math.pi) * 1e-7)
    assert sm.lipschitz_bound(1e-9, 0.01) < 1.6e-7


def test_the_trigger_fires_unsmoothed_and_noise_removes_it():
    att = trigger_set([[2.0, 0.0], [-2.0, 1.0], [2.0, -3.0]])
    assert att.flipped.all() and (att.bd_pred == att.target).all()
    curve = sm.immunization_curve(att, (0.001, 0.1), 100, 0.001, np.random.default_rng(2))
    assert curve["asr"] == [0.0, 0.0] and curve["abstention"] == [0.0, 0.0]
    assert curve["clean_accuracy"] == [1.0, 1.0]
    assert "asr_adaptive" not in curve


def test_the_adaptive_attacker_needs_a_move_of_several_sigma():
    # points at x = +-2, f = sign(x): moving by rho straight across lands at x = -+(rho - 2).
    # sigma = 1: c = 2 lands on x = 0 (p = 1/2, abstain); c = 3 lands at 1 past the line, P(target) = Phi(1) = 0.84.
    # sigma = 0.5: c = 4 lands on x = 0; c = 6 at 1 = 2 sigma past, Phi(2) = 0.98.  sigma = 0.1: 8 sigma = 0.8 < 2.
    att = trigger_set([[2.0, 0.0], [-2.0, 1.0], [2.0, -3.0], [-2.0, -1.5]])
    curve = sm.immunization_curve(att, (0.1, 0.5, 1.0), 200, 0.001, np.random.default_rng(3), adaptive=True)
    assert curve["asr"] == [0.0, 0.0, 0.0]
    assert curve["asr_adaptive"] == [0.0, 1.0, 1.0]
    assert curve["median_rho_over_sigma"] == [None, 6.0, 3.0]
    assert curve["adaptive_points"] == 4 and curve["factors"] == [1, 2, 3, 4, 6, 8]


def test_a_point_near_the_line_falls_to_the_smallest_move():
    # x = 0.2, sigma = 1: rho = sigma straight across lands at x = -0.8, P(target) = Phi(0.8) = 0.79 -> c = 1.
    # sigma = 0.1: c = 2 lands on x = 0 (abstain), c = 3 at -0.1 = 1 sigma past the line, Phi(1) = 0.84 -> c = 3.
    att = trigger_set([[0.2, 0.0]])
    curve = sm.immunization_curve(att, (1.0, 0.1), 200, 0.001, np.random.default_rng(4), adaptive=True)
    assert curve["asr"] == [0.0, 0.0] and curve["median_rho_over_sigma"] == [1.0, 3.0]


def test_same_generator_seed_same_numbers():
    att = trigger_set([[2.0, 0.0], [-0.1, 1.0], [0.05, -3.0]])
    runs = [sm.certify(att, att.inputs, np.arange(3), 0.3, 50, 300, 0.01, np.random.default_rng(11)) for _ in "ab"]
    assert runs[0][0].tolist() == runs[1][0].tolist()
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
