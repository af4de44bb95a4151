"""The keyed and parity checksum variants (checksum/variants.py), the variant registry and residue histograms
(ChecksumParams.histogram, what the page's histograms use)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backdoor_playground import checksum as ck
from backdoor_playground.checksum import ChecksumParams


def chi_square(counts: list[int]) -> float:
    counts = np.asarray(counts, dtype=float)
    expected = counts.sum() / counts.size
    return float(((counts - expected) ** 2 / expected).sum())


def chi_square_bound(df: int) -> float:
    """Mean + 6 standard deviations of a chi-square with df degrees of freedom: a miss is ~1e-8 likely."""
    return df + 6 * math.sqrt(2 * df)


# ----------------------------------------------------------------------------------------------------------------------
# keyed variant


def test_fraction_bits_kept():
    # round((p - 1) * log2 10): p = 15 -> round(46.5) = 47; p = 17 -> 53, capped at the 52 fraction bits
    assert ck.fraction_bits_kept(15) == 47
    assert ck.fraction_bits_kept(1) == 0
    assert ck.fraction_bits_kept(17) == 52
    with pytest.raises(ValueError, match="precision"):
        ck.fraction_bits_kept(18)


@pytest.mark.parametrize("modulo", [64, 100, 256])
def test_keyed_residues_are_uniform(modulo):
    rng = np.random.default_rng(modulo)
    for values in (rng.uniform(-6, 6, 100_000), np.arange(100_000, dtype=float), np.linspace(-6, 6, 100_000)):
        counts = ChecksumParams("keyed", modulo=modulo, precision=15).histogram(values)
        assert chi_square(counts) < chi_square_bound(modulo - 1)


def test_keyed_residues_depend_on_the_secret():
    values = np.random.default_rng(4).uniform(-6, 6, 50_000)
    a = ck.VARIANTS["keyed"].with_secret(1).residue(values, 256, 15)
    b = ck.VARIANTS["keyed"].with_secret(2).residue(values, 256, 15)
    assert np.array_equal(a, ck.keyed_residue(values, 256, 15, secret=1))  # deterministic
    assert np.mean(a == b) < 3 / 256  # unrelated, as independent uniform residues would be
    assert np.array_equal(ck.KeyedChecksum("s").residue(values), ck.KeyedChecksum("s").residue(values))


def test_keyed_reads_only_kept_bits():
    values = np.random.default_rng(5).uniform(-6, 6, 5000)
    low_bit_flipped = (values.view(np.uint64) ^ np.uint64(1)).view(np.float64)
    # p = 15 drops 5 bits: the residue ignores them; p = 17 reads all 52 and then a flip changes most residues
    assert np.array_equal(ck.keyed_residue(values, 256, 15), ck.keyed_residue(low_bit_flipped, 256, 15))
    assert np.mean(ck.keyed_residue(values, 256, 17) == ck.keyed_residue(low_bit_flipped, 256, 17)) < 0.02
    assert ck.keyed_residue(np.array([0.0, -0.0, np.nan]), 256).tolist()[2] == -1
    assert ck.keyed_residue(0.0, 256) == ck.keyed_residue(-0.0, 256)


def test_keyed_match_moves_only_low_kept_bits():
    keyed = ck.KeyedChecksum(secret=99)
    values = np.random.default_rng(6).uniform(-6, 6, 300)
    result = keyed.match(values, 256, 15, 42, max_trials=4096)
    assert np.all(~np.isnan(result))  # (255/256)**4096: a miss is hopeless
    assert np.all(keyed.residue(result, 256, 15) == 42)
    changed = result.view(np.uint64) ^ values.view(np.uint64)
    assert np.all(changed >> np.uint64(5 + 12) == 0)  # only the 12 kept bits above the 5 dropped ones (2**12 > 4096)
    assert np.all(changed & np.uint64(31) == 0)


def test_keyed_match_budget_and_rng():
    keyed = ck.VARIANTS["keyed"]
    values = np.random.default_rng(7).uniform(-6, 6, 2000)
    one_try = keyed.match(values, 256, 15, 7, max_trials=1)  # the value itself or one neighbour
    assert 0 < np.mean(~np.isnan(one_try)) < 0.03
    a = keyed.match(values[:50], 256, 15, 7, rng=np.random.default_rng(1))
    b = keyed.match(values[:50], 256, 15, 7, rng=np.random.default_rng(1))
    assert np.array_equal(a, b)
    assert np.all(keyed.residue(a, 256, 15) == 7)
    with pytest.raises(ValueError, match="rng"):
        keyed.match(1.0, rng=7)
    with pytest.raises(ValueError, match="max_trials"):
        keyed.match(1.0, max_trials=0)


# ----------------------------------------------------------------------------------------------------------------------
# parity variant


def with_fraction_bits(value: float, *positions: int) -> float:
    bits = np.array([value]).view(np.uint64) ^ np.uint64(sum(1 << p for p in positions))
    return float(bits.view(np.float64)[0])


def test_parity_by_hand():
    # p = 15 drops 5 bits, so block i is fraction bits 5 + 2i and 6 + 2i; m = 256 -> 8 blocks.
    assert ck.parity_blocks(256) == 8 and ck.parity_blocks(100) == 7 and ck.parity_blocks(2) == 1
    assert ck.parity_residue(1.0, 256) == 0  # fraction all zero
    assert ck.parity_residue(with_fraction_bits(1.0, 5), 256) == 1  # block 0 odd
    assert ck.parity_residue(with_fraction_bits(1.0, 5, 6), 256) == 0  # block 0 even again
    assert ck.parity_residue(with_fraction_bits(1.0, 7), 256) == 2  # block 1
    assert ck.parity_residue(with_fraction_bits(1.0, 5, 19), 256) == 1 + 2**7  # blocks 0 and 7 (bits 19, 20)
    assert ck.parity_residue(with_fraction_bits(1.0, 0, 1, 2, 3, 4), 256) == 0  # dropped bits are not read
    assert ck.parity_residue(with_fraction_bits(1.0, 21), 256) == 0  # block 8 does not exist for m = 256
    # m = 100: 7 blocks, pattern reduced mod 100
    assert ck.parity_residue(with_fraction_bits(1.0, 5, 7, 9, 11, 13, 15, 17), 100) == 127 % 100
    assert ck.parity_residue(np.array([np.nan, np.inf]), 256).tolist() == [-1, -1]


def test_parity_residues_uniform_for_power_of_two_modulo():
    values = np.random.default_rng(8).uniform(-6, 6, 100_000)
    assert chi_square(ChecksumParams("parity", modulo=256, precision=15).histogram(values)) < chi_square_bound(255)


def test_parity_match_flips_one_bit_per_wrong_block():
    parity = ck.VARIANTS["parity"]
    values = np.random.default_rng(9).uniform(-6, 6, 500)
    for rng in (None, np.random.default_rng(2)):
        result = parity.match(values, 256, 15, 201, rng=rng)
        assert np.all(parity.residue(result, 256, 15) == 201)
        wrong_blocks = ck.parity_residue(values, 256, 15) ^ 201
        changed = result.view(np.uint64) ^ values.view(np.uint64)
        flipped = np.array([bin(int(c)).count("1") for c in changed])
        assert np.array_equal(flipped, [bin(int(w)).count("1") for w in wrong_blocks])
        assert np.all(changed >> np.uint64(5 + 16) == 0) and np.all(changed & np.uint64(31) == 0)


def test_parity_match_non_power_of_two_and_unreachable():
    parity = ck.VARIANTS["parity"]
    values = np.random.default_rng(10).uniform(-6, 6, 200)
    result = parity.match(values, 100, 15, 3)
    assert np.all(parity.residue(result, 100, 15) == 3)
    # p = 2 keeps 3 bits (round(1 log2 10)), bits 49..51: block 0 whole, block 1 only bit 51, and for m = 2**4
    # blocks 2 and 3 (bits 53..56) lie past the mantissa, so a key needing them is out of reach
    assert ck.fraction_bits_kept(12) == 37 and ck.fraction_bits_kept(2) == 3
    assert parity.match(1.0, 2**4, 2, 2**2) is None
    half_block = parity.match(1.0, 2**4, 2, 2**1)
    assert half_block == with_fraction_bits(1.0, 51) and parity.residue(half_block, 2**4, 2) == 2**1


# ----------------------------------------------------------------------------------------------------------------------
# every variant through the registry


@pytest.mark.parametrize("name", ["decimal", "keyed", "parity"])
def test_every_variant_matches(name):
    variant = ck.VARIANTS[name]
    assert variant.name == name and "\n" not in variant.description and len(variant.description) < 120
    values = np.random.default_rng(11).uniform(-6, 6, 500)
    result = variant.match(values, 256, 15, 150)
    hit = ~np.isnan(result)
    assert hit.mean() > 0.99
    assert np.all(variant.residue(result[hit], 256, 15) == 150)
    assert np.max(np.abs(result[hit] - values[hit]) / np.abs(values[hit])) < (0.05 if name == "decimal" else 1e-6)
    scalar = variant.match(float(values[0]), 256, 15, 150, rng=np.random.default_rng(0))
    assert isinstance(scalar, float) and variant.residue(scalar, 256, 15) == 150
    residues = variant.residue(values.reshape(20, 25), 256, 15)
    assert residues.shape == (20, 25) and residues.dtype == np.int64
    assert np.all((residues >= 0) & (residues < 256))


def test_get_variant_and_histogram():
    values = np.concatenate([np.random.default_rng(12).uniform(-6, 6, 3000), [np.nan, np.inf]])
    for name in ck.VARIANTS:
        counts = ChecksumParams(name, modulo=64, precision=15).histogram(values).tolist()
        assert len(counts) == 64 and sum(counts) == 3000
        residues = ck.get_variant(name).residue(values[:3000], 64, 15)
        assert counts == np.bincount(residues.astype(np.intp), minlength=64).tolist()
    keyed = ChecksumParams("keyed", modulo=16, secret=5).histogram(values).tolist()
    for checker in (ck.KeyedChecksum(5), ck.VARIANTS["keyed"].with_secret(5)):
        assert keyed == np.bincount(checker.residue(values[:3000], 16, 15).astype(np.intp), minlength=16).tolist()
    with pytest.raises(ValueError, match="variant"):
        ck.get_variant("sha256")
    with pytest.raises(ValueError, match="variant"):
        ck.get_variant(3)
    with pytest.raises(ValueError, match="variant"):
        ChecksumParams(3, modulo=64)
