"""Data sets: shapes, ranges, TF's noise semantics, NN Calculator's sets, trojans, the seeded split, thumbnails."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backdoor_playground.playground import datasets as ds
from backdoor_playground.playground.rng import stream

ALL = {**ds.CLASSIFY_DATASETS, **ds.REGRESS_DATASETS}
FIXED_SIZE = [name for name in ALL if name != "csum-grid"]  # csum-grid has its grids' natural size


def gen(name: str, n: int = 500, noise: float = 0.0, seed: str = "s") -> tuple[np.ndarray, np.ndarray]:
    return ALL[name](n, noise, stream(seed, "data"))


@pytest.mark.parametrize("name", FIXED_SIZE)
@pytest.mark.parametrize("n", [0, 1, 101, 500])
def test_generators_return_n_points_and_labels(name, n):
    points, labels = gen(name, n)
    assert points.shape == (n, 2) and labels.shape == (n,)
    assert points.dtype == np.float64 and labels.dtype == np.float64


@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_points_stay_in_the_box_and_labels_in_range(name, noise):
    points, labels = gen(name, noise=noise)
    assert np.all(np.abs(points) <= 6.0)
    if name in ds.CLASSIFY_DATASETS:
        assert set(np.unique(labels)) == {-1.0, 1.0}
    else:
        assert np.all(np.abs(labels) <= 1.0)


@pytest.mark.parametrize("name", list(ALL))
def test_generators_are_deterministic_per_stream(name):
    a, la = gen(name, noise=0.3, seed="one")
    b, lb = gen(name, noise=0.3, seed="one")
    c, _ = gen(name, noise=0.3, seed="two")
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    assert not np.array_equal(a, c)


def test_circle_without_noise_is_a_disc_inside_a_ring():
    points, labels = gen("circle")
    r = np.hypot(points[:, 0], points[:, 1])
    assert np.array_equal(labels == 1, r < 2.5)
    assert np.all((r < 2.5) | ((r >= 3.5) & (r <= 5.0)))
    assert (labels == 1).sum() == 250


@pytest.mark.parametrize("name", ["circle", "xor", "reg-plane", "reg-gauss"])
def test_label_noise_changes_labels_but_not_points(name):
    clean, clean_labels = gen(name, noise=0.0)
    noisy, noisy_labels = gen(name, noise=0.5)
    assert np.array_equal(clean, noisy)
    assert np.count_nonzero(clean_labels != noisy_labels) > 10


def test_xor_keeps_off_the_axes_and_labels_by_quadrant():
    points, labels = gen("xor")
    assert np.all(np.abs(points) >= 0.3) and np.all(np.abs(points) <= 5.3)
    assert np.array_equal(labels, np.where(points[:, 0] * points[:, 1] >= 0, 1.0, -1.0))


def test_gauss_noise_widens_the_clusters():
    narrow, labels = gen("gauss", n=4000, noise=0.0)
    wide, _ = gen("gauss", n=4000, noise=0.2)
    blue = narrow[labels == 1]
    assert np.allclose(blue.mean(axis=0), [2.0, 2.0], atol=0.1)
    assert np.allclose(narrow[labels == -1].mean(axis=0), [-2.0, -2.0], atol=0.1)
    assert blue.var(axis=0) == pytest.approx([0.5, 0.5], rel=0.15)
    # variance 0.5 + 7 * 0.2 = 1.9
    assert wide[labels == 1].var(axis=0) == pytest.approx([1.9, 1.9], rel=0.15)


def test_spiral_without_noise_lies_on_its_arms():
    points, labels = gen("spiral", n=200)
    radius = np.hypot(points[:, 0], points[:, 1])
    expected = np.concatenate([5.0 * np.arange(100) / 100] * 2)
    assert np.allclose(radius, expected)
    assert np.array_equal(labels, np.repeat([1.0, -1.0], 100))
    # the -1 arm is the +1 arm turned by pi
    assert np.allclose(points[100:], -points[:100])


def test_spiral_noise_moves_points_by_at_most_noise():
    clean, _ = gen("spiral", noise=0.0)
    noisy, _ = gen("spiral", noise=0.4)
    shift = np.abs(noisy - clean)
    assert shift.max() <= 0.4 and shift.mean() > 0.1


def test_reg_plane_label_is_the_scaled_sum():
    points, labels = gen("reg-plane", n=1200)
    assert np.allclose(labels, np.clip((points[:, 0] + points[:, 1]) / 10, -1, 1))


def test_reg_gauss_label_is_the_strongest_bump():
    points, labels = gen("reg-gauss", n=300)
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for (x, y), label in zip(points, labels):
        best = 0.0
        for cx, cy, sign in bumps:
            value = sign * min(max(1 - math.hypot(x - cx, y - cy) / 2, 0.0), 1.0)
            if abs(value) > abs(best):
                best = value
        assert label == pytest.approx(best)


def test_csum_gauss_has_four_clusters_in_xor_layout():
    points, labels = gen("csum-gauss", n=400)
    for k, (cx, cy) in enumerate([(2, 2), (-2, -2), (2, -2), (-2, 2)]):
        block = points[100 * k: 100 * (k + 1)]
        assert np.allclose(block.mean(axis=0), [cx, cy], atol=0.25)
        assert np.all(labels[100 * k: 100 * (k + 1)] == (1.0 if cx * cy > 0 else -1.0))


def test_csum_grid_is_two_interleaved_grids_of_256():
    points, labels = gen("csum-grid", n=500)
    assert points.shape == (512, 2)
    blue, orange = points[labels == 1], points[labels == -1]
    assert len(blue) == len(orange) == 256
    step = 10 / math.sqrt(250)
    steps = (blue + 5.0) / step
    assert np.allclose(steps, np.round(steps)) and blue.min() == -5.0 and blue.max() < 5.0
    assert orange.min() == -3.5 and orange.max() < 3.5
    assert len(np.unique(orange[:, 0])) == 16


def test_csum_grid_noise_jitters_by_at_most_noise():
    clean, _ = gen("csum-grid", noise=0.0)
    noisy, _ = gen("csum-grid", noise=0.3)
    assert 0 < np.abs(noisy - clean).max() <= 0.3


def test_csum_variants_share_the_tf_shapes():
    assert np.array_equal(gen("csum-circle")[0], gen("circle")[0])
    assert np.array_equal(gen("csum-spiral")[1], gen("spiral")[1])


# ----------------------------------------------------------------------------------------------------------------------
# Trojans


def relabel(level: int, points, labels) -> np.ndarray:
    return ds.add_trojan(np.array(points, dtype=float), np.array(labels, dtype=float), level)


@pytest.mark.parametrize("level, inside, outside, before, after", [
    (1, (0.5, 0.0), (1.0, 0.0), 1, -1),
    (2, (1.2, 0.5), (1.5, 0.0), 1, -1),
    (3, (1.5, 3.5), (1.4, 2.0), 1, -1),
    (4, (4.5, 2.0), (2.4, 2.0), 1, -1),
    (5, (-2.0, 2.0), (-2.0, -2.0), -1, 1),
    (6, (-2.0, -2.0), (2.0, -2.0), -1, 1),
    (6, (2.0, 2.0), (-2.0, 2.0), 1, -1),
    (7, (2.5, 2.5), (0.0, 0.0), 1, -1),
    (7, (-2.5, -1.5), (-2.0, -3.1), -1, 1),
    (8, (3.0, 2.0), (3.0, 1.0), 1, -1),
    (9, (-3.0, -2.5), (-3.0, -1.0), -1, 1),
])
def test_trojan_regions_change_labels_inside_only(level, inside, outside, before, after):
    out = relabel(level, [inside, outside], [before, before])
    assert out.tolist() == [after, before]


def test_trojan_8_only_turns_blue_into_orange_and_9_flips_both():
    points = [(1.0, 1.0), (1.0, 1.0)]
    assert relabel(8, points, [1, -1]).tolist() == [-1, -1]
    assert relabel(9, points, [1, -1]).tolist() == [-1, 1]


def test_trojan_zero_changes_nothing_and_input_is_not_mutated():
    points, labels = gen("circle")
    before = labels.copy()
    out = ds.add_trojan(points, labels, 1)
    assert np.array_equal(labels, before) and not np.array_equal(out, before)
    assert np.array_equal(ds.add_trojan(points, labels, 0), before)


def fletcher16_mismatch_reference(x: float) -> int:
    """Fletcher-16 over the big-endian bytes of uint16(trunc(10000 x)), compared with its own check bytes."""
    word = int(10000 * x) & 0xFFFF  # int() truncates toward zero; & takes two's complement for negatives
    s1 = s2 = 0
    for byte in (word >> 8, word & 0xFF):
        s1 = (s1 + byte) % 255
        s2 = (s2 + s1) % 255
    c0 = 255 - (s1 + s2) % 255
    c1 = 255 - (s1 + c0) % 255
    return abs(((s2 << 8) | s1) - ((c1 << 8) | c0))


def test_trojan_10_follows_the_fletcher_rule_skips_the_first_point_and_ignores_y():
    rng = np.random.default_rng(3)
    points = rng.uniform(-6, 6, (600, 2))
    labels = np.where(rng.uniform(size=600) < 0.5, 1.0, -1.0)
    out = ds.add_trojan(points, labels, 10)
    expected = np.array([i > 0 and fletcher16_mismatch_reference(x) > 100 for i, x in enumerate(points[:, 0])])
    assert np.array_equal(out != labels, expected)
    assert np.array_equal(out[expected], -labels[expected])
    assert 0.25 < expected.mean() < 0.5  # NN Calculator's T10 flips about a third of the points
    moved_y = points.copy()
    moved_y[:, 1] = rng.uniform(-6, 6, 600)
    assert np.array_equal(ds.add_trojan(moved_y, labels, 10), out)


@pytest.mark.parametrize("level", [-1, 11, 1.5, True, "3", None])
def test_bad_trojan_levels_raise(level):
    with pytest.raises(ValueError, match="trojan"):
        ds.add_trojan(np.zeros((2, 2)), np.ones(2), level)


# ----------------------------------------------------------------------------------------------------------------------
# make_dataset


def test_make_dataset_splits_at_the_percentage():
    d = ds.make_dataset("circle", 0, "0.59704", 30)
    assert d.name == "circle"
    assert d.train_points.shape == (150, 2) and d.test_points.shape == (350, 2)
    assert d.train_labels.shape == (150,) and d.test_labels.shape == (350,)


def test_make_dataset_is_a_permutation_of_the_generated_data_with_the_trojan_applied():
    d = ds.make_dataset("xor", 20, "abc", 50, trojan=3)
    points, labels = ds.xor(500, 0.2, stream("abc", "data"))
    labels = ds.add_trojan(points, labels, 3)
    both = np.column_stack([np.concatenate([d.train_points, d.test_points]),
                            np.concatenate([d.train_labels, d.test_labels])])
    ref = np.column_stack([points, labels])
    assert np.array_equal(both[np.lexsort(both.T)], ref[np.lexsort(ref.T)])
    assert not np.array_equal(both, ref)  # shuffled


def test_the_order_does_not_depend_on_the_percentage():
    small = ds.make_dataset("spiral", 0, "7", 20)
    large = ds.make_dataset("spiral", 0, "7", 60)
    assert np.array_equal(small.train_points, large.train_points[:100])


def test_make_dataset_is_reproducible_and_seed_dependent():
    a = ds.make_dataset("gauss", 10, "x", 50)
    b = ds.make_dataset("gauss", 10, "x", 50)
    c = ds.make_dataset("gauss", 10, "y", 50)
    assert np.array_equal(a.train_points, b.train_points) and np.array_equal(a.test_labels, b.test_labels)
    assert not np.array_equal(a.train_points, c.train_points)


def test_regression_sets_have_1200_points():
    d = ds.make_dataset("reg-gauss", 0, "1", 50)
    assert len(d.train_points) + len(d.test_points) == ds.NUM_SAMPLES_REGRESS == 1200
    assert ds.num_samples("circle") == ds.NUM_SAMPLES_CLASSIFY == 500


@pytest.mark.parametrize("kwargs, word", [
    ({"name": "moons"}, "dataset"),
    ({"noise_slider": 60}, "noise"),
    ({"noise_slider": float("nan")}, "noise"),
    ({"perc_train": 101}, "percTrainData"),
    ({"perc_train": None}, "percTrainData"),
    ({"noise_slider": "loud"}, "noise"),
    ({"name": None}, "dataset"),
    ({"name": ["circle"]}, "dataset"),
    ({"trojan": 12}, "trojan"),
])
def test_make_dataset_rejects_bad_arguments(kwargs, word):
    args = {"name": "circle", "noise_slider": 0, "seed": "1", "perc_train": 50, **kwargs}
    with pytest.raises(ValueError, match=word):
        ds.make_dataset(**args)


# ----------------------------------------------------------------------------------------------------------------------
# Picker support


@pytest.mark.parametrize("name", list(ALL))
def test_every_set_has_a_description_and_a_thumbnail(name):
    assert len(ds.DATASET_INFO[name]) > 20
    flat = ds.thumbnail_points(name)
    assert isinstance(flat, list) and all(isinstance(v, float) for v in flat)
    assert len(flat) % 3 == 0 and len(flat) // 3 == 200
    assert flat == ds.thumbnail_points(name)
    assert np.all(np.abs(np.array(flat).reshape(-1, 3)[:, :2]) <= 6)


def test_thumbnails_are_noise_free():
    flat = np.array(ds.thumbnail_points("circle", n=100)).reshape(-1, 3)
    r = np.hypot(flat[:, 0], flat[:, 1])
    assert np.array_equal(flat[:, 2] == 1, r < 2.5)
