"""Trojan region geometry (trojans.py) against the relabelling mask (datasets.trojan_mask) and add_trojan."""

import math

import numpy as np
import pytest

from backdoor_playground.playground import datasets
from backdoor_playground.nistcalc import trojans


def inside(region, x, y):
    """Membership from the region's numbers alone, as the page would draw it (boundaries within 1e-9 excluded)."""
    kind = region["kind"]
    if kind == "disk":
        d = np.hypot(x - region["cx"], y - region["cy"]) - region["r"]
    elif kind == "rect":
        # Signed distance-like value: negative inside the rectangle.
        d = np.maximum.reduce([region["x0"] - x, x - region["x1"], region["y0"] - y, y - region["y1"]])
    elif kind == "band":
        d = np.abs(region["nx"] * x + region["ny"] * y - region["offset"]) - region["half_width"]
    else:
        raise AssertionError(kind)
    return d < 0, np.abs(d) < 1e-9


@pytest.mark.parametrize("level", range(1, 10))
def test_regions_match_the_mask(level):
    gen = np.random.default_rng(level)
    pts = gen.uniform(-6, 6, size=(20000, 2))
    x, y = pts[:, 0], pts[:, 1]
    regions = trojans.trojan_regions(level)
    assert regions, "every trojan 1..9 has a region"
    member = np.zeros(len(pts), dtype=bool)
    near_edge = np.zeros(len(pts), dtype=bool)
    for region in regions:
        m, edge = inside(region, x, y)
        member |= m
        near_edge |= edge
    mask = datasets.trojan_mask(pts, level)
    keep = ~near_edge
    np.testing.assert_array_equal(mask[keep], member[keep])
    assert member.any() and (~member).any()  # the sample really has interior and exterior points


@pytest.mark.parametrize("level, point, expected", [
    (1, (1.0, 0.0), False), (1, (0.999, 0.0), True),        # disks exclude their boundary
    (2, (0.0, -1.5), False), (2, (0.0, -1.49), True),
    (3, (1.5, 2.0), True), (3, (3.5, 3.5), True), (3, (3.51, 2.0), False),   # squares include theirs
    (4, (4.5, 1.5), True), (4, (2.49, 2.0), False),
    (5, (-1.5, 3.5), True), (5, (1.5, 3.5), False),
    (6, (-3.5, -3.5), True), (6, (-2.0, 2.0), False),
    (7, (2.0, 2.9), True), (7, (-2.0, -3.0), False),
    (8, (3.0, 3.0 + math.sqrt(2) * 0.99), True), (9, (0.0, 2.0), False),
])
def test_boundary_convention_is_declared(level, point, expected):
    assert bool(datasets.trojan_mask(np.array([point]), level)[0]) is expected
    region_kinds = {r["kind"]: r["inclusive"] for r in trojans.trojan_regions(level)}
    assert region_kinds == ({"rect": True} if level in (3, 4, 5, 6) else
                            {"disk": False} if level in (1, 2, 7) else {"band": False})


def test_band_polygon_is_the_band_clipped_to_the_box():
    (band,) = trojans.trojan_regions(8)
    poly = np.array(band["polygon"])
    assert np.all(np.abs(poly) <= 6 + 1e-12)
    # Shoelace area against the band's area inside the box: 144 minus two corner triangles with legs 12 - sqrt(2).
    area = 0.5 * abs(np.dot(poly[:, 0], np.roll(poly[:, 1], -1)) - np.dot(poly[:, 1], np.roll(poly[:, 0], -1)))
    assert area == pytest.approx(144 - (12 - math.sqrt(2)) ** 2)
    # Every vertex lies on the band's edge or on the diagonal corner of the box.
    for vx, vy in poly:
        dist = abs(vx - vy) / math.sqrt(2)
        assert dist == pytest.approx(1.0) or dist == pytest.approx(0.0)


def test_t10_column_fractions_match_sampled_mask():
    (region,) = trojans.trojan_regions(10)
    assert region["kind"] == "checksum" and (region["x_min"], region["x_max"]) == (-6.0, 6.0)
    fractions = np.array(region["fractions"])
    assert fractions.shape == (trojans.T10_COLUMNS,) and np.all((0 <= fractions) & (fractions <= 1))
    gen = np.random.default_rng(10)
    width = 12 / len(fractions)
    for j in (0, 17, 50, 73, 99):
        xs = -6 + width * (j + gen.uniform(0, 1, 4000))
        pts = np.column_stack([np.concatenate([[0.0], xs]), np.zeros(4001)])
        sampled = datasets.trojan_mask(pts, 10)[1:].mean()  # row 0 is the exempt first point
        assert sampled == pytest.approx(fractions[j], abs=0.04)
    assert 0.3 < fractions.mean() < 0.42  # NN Calculator's T10 flips about 36% of points


def test_t10_depends_on_x_only():
    gen = np.random.default_rng(3)
    xs = gen.uniform(-6, 6, 500)
    a = datasets.trojan_mask(np.column_stack([xs, gen.uniform(-6, 6, 500)]), 10)
    b = datasets.trojan_mask(np.column_stack([xs, gen.uniform(-6, 6, 500)]), 10)
    np.testing.assert_array_equal(a[1:], b[1:])


@pytest.mark.parametrize("level", range(1, 11))
def test_effect_text_matches_add_trojan(level):
    gen = np.random.default_rng(100 + level)
    pts = gen.uniform(-6, 6, size=(6000, 2))
    region = datasets.trojan_mask(pts, level)
    ones = np.ones(len(pts))
    up, down = datasets.add_trojan(pts, ones, level), datasets.add_trojan(pts, -ones, level)
    effect = trojans.trojan_info(level)["effect"]
    expected_up, expected_down = {"to -1": (-1, -1), "to +1": (1, 1), "flip": (-1, 1), "+1 to -1": (-1, -1)}[effect]
    assert np.all(up[region] == expected_up) and np.all(down[region] == expected_down)
    assert np.all(up[~region] == 1) and np.all(down[~region] == -1)


def test_level_zero_and_bad_levels():
    assert trojans.trojan_regions(0) == []
    assert trojans.trojan_info(0)["regions"] == []
    for bad in (-1, 11, 2.5, "3", True, None):
        with pytest.raises(ValueError, match="trojan level"):
            trojans.trojan_regions(bad)
    with pytest.raises(ValueError):
        trojans.checksum_column_fractions(0)


def test_descriptions_cover_every_level():
    for level in range(1, 11):
        info = trojans.trojan_info(level)
        assert info["description"].startswith(f"T{level}:") and info["level"] == level
