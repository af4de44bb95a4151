"""Worker handler for Neural Cleanse (defense/cleanse.py): one call, run on the session's attacked test set."""

from __future__ import annotations

from ..defense import cleanse
from ..playground import rng
from ..session import Session


def neural_cleanse(s: Session, params: dict | None = None) -> dict:
    """cleanse.run(params) on the live model and its attacked test set (seeded from the "defense" stream)."""
    settings = cleanse.check(params)
    if not len(s.data.test_points):
        raise ValueError("Neural Cleanse needs test points (raise the share of test data)")
    return cleanse.run(s, s.attacked(), settings, rng.stream(s.config["seed"], "defense"))
