"""Named, seeded random streams: every random choice in the package comes from one of these.

A stream is a PCG64 generator keyed by (seed, stream name, extra integers), so the data, the train/test split,
the initial weights, poisoned points, defenses, searches and keys draw independently: regenerating the data never
changes the initial weights, and "reinitialise" never changes the data.
"""

from __future__ import annotations

import hashlib

import numpy as np

# A stream's position in this tuple is part of its key: append new names, never reorder (the shipped RSA-2048 key
# comes from "keys"). "poison" (the data-poisoning backdoor's choice of points) took the place of an unused name;
# "game" (the games' secret draws and their players' choices) came last.
STREAMS = ("data", "split", "init", "poison", "defense", "search", "keys", "game")


def seed_to_int(seed: str | int | float) -> int:
    """Map a URL seed (TensorFlow Playground uses strings such as "0.59704") to a 64-bit integer, stably."""
    digest = hashlib.sha256(str(seed).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def stream(seed: str | int | float, name: str, *extra: int) -> np.random.Generator:
    """Generator for stream `name` of `seed`; `extra` integers (e.g. an init counter) select sub-streams."""
    if name not in STREAMS:
        raise ValueError(f"unknown random stream {name!r}; expected one of {', '.join(STREAMS)}")
    words = [seed_to_int(seed), STREAMS.index(name), *(int(e) & 0xFFFFFFFFFFFFFFFF for e in extra)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))
