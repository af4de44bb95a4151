"""A defense run the page can watch and stop: run.defense_steps (the very code run_defense drains in one go, so the
numbers are the same) stepped within a time budget (stepped.SteppedJob), like the key holder's search
(checksum/search.py SearchRun).

    job = DefenseJob(att, params, rng)      # checked parameters; nothing computed yet
    while not job.finished:
        job.step(50.0)                      # about 50 ms of forward passes; returns progress()
    job.result                              # run_defense's result (None after cancel())
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from . import run
from .stepped import SteppedJob


class DefenseJob(SteppedJob):
    """run_defense, resumable: step(budget_ms) until `finished`; cancel() stops it (no result)."""

    def __init__(self, att, params: Mapping[str, Any], rng: np.random.Generator, curves: bool = True) -> None:
        self.params = run.check_defense(params)
        self.curves = curves
        # done counts the noisy rows evaluated so far (the adaptive attacker's too, not known in advance)
        super().__init__(self.params["type"], run.defense_steps(att, self.params, rng, curves),
                         run.planned_rows(att, self.params, curves))
