"""The checksum variants a backdoored node can test, behind one interface (`VARIANTS`: name -> object with
`residue`, `match`, `description`):

- "decimal": NN Calculator's simpleChecksum and matchChecksum (checksum/decimal.py); ~80 residues occur.
- "keyed": mix_secret(float64 bits >> dropped bits) mod m, a keyed SplitMix64 finaliser: uniform residues, so the
  accidental trigger rate really is 1/m. A PRF stand-in, not a cryptographic MAC.
- "parity": Goldwasser et al.'s block-parity checksum on low mantissa bits, (sum_i 2**i * XOR of block i) mod m;
  the key is the target parity pattern.

Everything is vectorised over numpy arrays. Non-finite values have residue -1 (no residue) and never match. Keys
are read modulo m (checksum/params.py).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .decimal import csum, match_checksum
from .params import DEFAULT_KEY, DEFAULT_MODULO, DEFAULT_PRECISION, PARAMS, VARIANT_NAMES, check, reduce_key
from .values import as_float_array, check_rng, finite_bits, match_output

_U64 = np.uint64
_FRACTION_MASK = _U64((1 << 52) - 1)
DEFAULT_MAX_TRIALS = PARAMS["max_trials"].default


def fraction_bits_kept(precision: int) -> int:
    """Mantissa fraction bits a bit checksum reads: min(52, round((p - 1) * log2(10))), the binary analogue of p chars.

    p = 15 keeps 47 of 52 bits, so, like the decimal checksum, the last few bits of float round-off are ignored.
    """
    precision = check("precision", precision)
    return min(52, int(math.floor((precision - 1) * math.log2(10) + 0.5)))


_SPLITMIX_1 = _U64(0xBF58476D1CE4E5B9)
_SPLITMIX_2 = _U64(0x94D049BB133111EB)


def _keyed_mix(words: np.ndarray, k0: int, k1: int) -> np.ndarray:
    """SplitMix64's finaliser with the key added before each multiply round: a keyed bijection of uint64."""
    z = words + _U64(k0)
    z = (z ^ (z >> _U64(30))) * _SPLITMIX_1
    z = z ^ _U64(k1)
    z = (z ^ (z >> _U64(27))) * _SPLITMIX_2
    return z ^ (z >> _U64(31))


def _subkeys(secret: int | str) -> tuple[int, int]:
    digest = hashlib.sha256(f"backdoor_playground.keyed_checksum:{secret}".encode()).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:16], "little")


def _keyed_words_residue(words: np.ndarray, drop: int, modulo: int, subkeys: tuple[int, int]) -> np.ndarray:
    return (_keyed_mix(words >> _U64(drop), *subkeys) % _U64(modulo)).astype(np.int64)


def keyed_residue(
    values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION, secret: int | str = 0
) -> np.ndarray:
    """mix_secret(float64 bits >> (52 - kept fraction bits)) mod m; -1 for non-finite values.

    The mix is a keyed SplitMix64 finaliser: residues are uniform over [0, m) for any input set, but it is a
    fast PRF stand-in, not a cryptographic MAC (a few input/residue pairs may reveal the subkeys).
    """
    modulo = check("modulo", modulo)
    drop = 52 - fraction_bits_kept(precision)
    arr, _ = as_float_array(values)
    words, finite = finite_bits(arr.ravel())
    out = np.where(finite, _keyed_words_residue(words, drop, modulo, _subkeys(secret)), -1)
    return out.reshape(arr.shape)


PARITY_BLOCK_BITS = 2


def parity_blocks(modulo: int) -> int:
    """Number of parity blocks n = ceil(log2 m): the parity pattern is an n-bit number reduced mod m."""
    return (check("modulo", modulo) - 1).bit_length()


_EVEN_BITS = _U64(0x5555555555555555)
_COMPRESS_STEPS = tuple((_U64(1 << i), _U64(mask)) for i, mask in enumerate(
    (0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF)))


def _parity_pattern(words: np.ndarray, drop: int, blocks: int) -> np.ndarray:
    """Bit i = XOR of the 2 bits in block i, blocks counted upward from the lowest kept fraction bit (bits past the
    fraction read as 0). Word-parallel: XOR each bit with its upper neighbour, then gather the even bits into the
    low half, the same ~20 array operations for any number of blocks (at most 26 fit in the fraction)."""
    x = (words & _FRACTION_MASK) >> _U64(drop)
    x = (x ^ (x >> _U64(1))) & _EVEN_BITS  # bit 2i = parity of block i
    for shift, mask in _COMPRESS_STEPS:
        x = (x | (x >> shift)) & mask
    return x & _U64((1 << blocks) - 1)


def parity_residue(values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> np.ndarray:
    """(sum_i 2**i * XOR of block i's 2 low mantissa bits) mod m, n = ceil(log2 m) blocks; -1 for non-finite values.

    Goldwasser et al.'s checksum warm-up moved to the low kept mantissa bits: residues are uniform when m is a
    power of two, and triggering needs at most one bit flip per block.
    """
    modulo = check("modulo", modulo)
    drop = 52 - fraction_bits_kept(precision)
    arr, _ = as_float_array(values)
    words, finite = finite_bits(arr.ravel())
    pattern = _parity_pattern(words, drop, parity_blocks(modulo))
    out = np.where(finite, (pattern % _U64(modulo)).astype(np.int64), -1)
    return out.reshape(arr.shape)


@dataclass(frozen=True)
class DecimalChecksum:
    """NN Calculator's decimal character-sum checksum and its greedy digit edit."""

    name: str = "decimal"
    description: str = "NN Calculator's checksum: sum of the value's decimal characters, mod m (few residues occur)"

    def residue(self, values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> np.ndarray:
        """csum of every value as an int64 array of the input's shape."""
        return np.asarray(csum(values, modulo, precision), dtype=np.int64)

    def match(
        self,
        value: Any,
        modulo: int = DEFAULT_MODULO,
        precision: int = DEFAULT_PRECISION,
        key: int = DEFAULT_KEY,
        rng: np.random.Generator | None = None,
        max_trials: int = DEFAULT_MAX_TRIALS,
    ) -> Any:
        """match_checksum (deterministic, a single pass: rng and max_trials are checked but not used)."""
        check_rng(rng)
        check("max_trials", max_trials)
        return match_checksum(value, modulo, precision, key)


@dataclass(frozen=True)
class KeyedChecksum:
    """Keyed hash of the float64 bit pattern mod m; activation searches low kept mantissa bits."""

    secret: int | str = 0
    name: str = "keyed"
    description: str = "Keyed hash of the float64 bits, mod m: uniform residues, so 1/m accidental triggers"
    _subkeys: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.secret, (int, str)) or isinstance(self.secret, bool):
            raise ValueError(f"secret must be an int or a str, got {self.secret!r}")
        object.__setattr__(self, "_subkeys", _subkeys(self.secret))

    def with_secret(self, secret: int | str) -> KeyedChecksum:
        """The same checksum under another secret."""
        return KeyedChecksum(secret)

    def residue(self, values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> np.ndarray:
        """mix_secret(bits >> dropped bits) mod m, -1 for non-finite; see keyed_residue."""
        return keyed_residue(values, modulo, precision, self.secret)

    def match(
        self,
        value: Any,
        modulo: int = DEFAULT_MODULO,
        precision: int = DEFAULT_PRECISION,
        key: int = DEFAULT_KEY,
        rng: np.random.Generator | None = None,
        max_trials: int = DEFAULT_MAX_TRIALS,
    ) -> Any:
        """First x' = bits XOR (t << dropped bits) with residue key, t = 0, 1, 2, ... (or t > 0 shuffled by rng).

        t ranges over the lowest w kept bits, 2**w > max_trials, so x' keeps the sign and binade and moves at most
        2**(w + dropped) ulps. Expected trials: m. Returns None (NaN in arrays) after max_trials misses.
        """
        modulo = check("modulo", modulo)
        key = reduce_key(key, modulo)
        max_trials = check("max_trials", max_trials)
        check_rng(rng)
        kept = fraction_bits_kept(precision)
        drop = 52 - kept
        width = min(kept, max_trials.bit_length())
        offsets = np.arange(1, min(max_trials, (1 << width) - 1) + 1, dtype=np.uint64)
        if rng is not None:
            offsets = rng.permutation(offsets)
        offsets = np.concatenate([np.zeros(1, dtype=np.uint64), offsets]) << _U64(drop)

        arr, is_scalar = as_float_array(value)
        flat = arr.ravel()
        words, finite = finite_bits(flat)
        out = np.full(flat.shape, np.nan)
        pending = np.flatnonzero(finite)
        start, columns = 0, 1024  # most values hit within ~m trials: start small, grow, cap the matrix size
        while pending.size and start < offsets.size:
            chunk = max(1, min(columns, (1 << 18) // max(1, pending.size)))
            candidates = words[pending, None] ^ offsets[None, start : start + chunk]
            start, columns = start + chunk, columns * 4
            hits = _keyed_words_residue(candidates, drop, modulo, self._subkeys) == key
            found = hits.any(axis=1)
            rows = pending[found]
            chosen = candidates[found, hits[found].argmax(axis=1)]
            out[rows] = chosen.view(np.float64)
            pending = pending[~found]
        return match_output(out, arr.shape, is_scalar)


@dataclass(frozen=True)
class ParityChecksum:
    """Goldwasser et al.'s block parity on low mantissa bits; activation flips one bit per wrong block."""

    name: str = "parity"
    description: str = "Block parities of low mantissa bits (Goldwasser et al.): one bit flip per wrong block triggers"

    def residue(self, values: Any, modulo: int = DEFAULT_MODULO, precision: int = DEFAULT_PRECISION) -> np.ndarray:
        """Parity pattern mod m, -1 for non-finite; see parity_residue."""
        return parity_residue(values, modulo, precision)

    def match(
        self,
        value: Any,
        modulo: int = DEFAULT_MODULO,
        precision: int = DEFAULT_PRECISION,
        key: int = DEFAULT_KEY,
        rng: np.random.Generator | None = None,
        max_trials: int = DEFAULT_MAX_TRIALS,
    ) -> Any:
        """Flip one bit (the lower one, or a random one with rng) in each block whose parity differs from the target.

        The target is the pattern key + j*m (< 2**n) needing the fewest flips among those whose blocks all lie in
        the mantissa; one trial, so max_trials is not used. None (NaN in arrays) when no target is reachable.
        """
        modulo = check("modulo", modulo)
        key = reduce_key(key, modulo)
        check_rng(rng)
        drop = 52 - fraction_bits_kept(precision)
        blocks = parity_blocks(modulo)
        # bits of each block that lie inside the 52 fraction bits; a block with none cannot be flipped
        inside = [max(0, min(PARITY_BLOCK_BITS, 52 - drop - PARITY_BLOCK_BITS * i)) for i in range(blocks)]
        usable = sum(1 for bits in inside if bits > 0)  # a prefix of the blocks
        targets = np.arange(key, 1 << blocks, modulo, dtype=np.uint64)

        arr, is_scalar = as_float_array(value)
        flat = arr.ravel()
        words, finite = finite_bits(flat)
        wrong = _parity_pattern(words, drop, blocks)[:, None] ^ targets[None, :]
        reachable = (wrong >> _U64(usable)) == 0
        flips = np.zeros(wrong.shape, dtype=np.int64)
        for i in range(usable):
            flips += ((wrong >> _U64(i)) & _U64(1)).astype(np.int64)
        best = np.where(reachable, flips, np.iinfo(np.int64).max).argmin(axis=1)
        rows = np.arange(flat.size)
        ok = finite & reachable[rows, best]
        to_fix = wrong[rows, best]
        new_words = words.copy()
        for i in range(usable):
            within = np.zeros(flat.size, dtype=np.uint64)
            if rng is not None and inside[i] > 1:
                within = rng.integers(0, inside[i], size=flat.size).astype(np.uint64)
            new_words ^= ((to_fix >> _U64(i)) & _U64(1)) << (_U64(drop + PARITY_BLOCK_BITS * i) + within)
        out = np.where(ok, new_words.view(np.float64), np.nan)
        return match_output(out, arr.shape, is_scalar)


VARIANTS: dict[str, DecimalChecksum | KeyedChecksum | ParityChecksum] = {
    "decimal": DecimalChecksum(),
    "keyed": KeyedChecksum(),
    "parity": ParityChecksum(),
}


def get_variant(variant: Any) -> Any:
    """A variant object from its name (or the object itself)."""
    if isinstance(variant, str):
        if variant not in VARIANTS:
            raise ValueError(f"unknown checksum variant {variant!r}; expected one of {', '.join(VARIANTS)}")
        return VARIANTS[variant]
    if all(hasattr(variant, attr) for attr in ("residue", "match", "description")):
        return variant
    raise ValueError(f"not a checksum variant: {variant!r}")


if tuple(VARIANTS) != VARIANT_NAMES:
    raise RuntimeError("VARIANTS and params.VARIANT_NAMES disagree")
