"""Neural Cleanse (Wang et al., IEEE S&P 2019) as a run the page can watch and stop: cleanse.run_steps (the very
code cleanse.run drains in one go, so the numbers are the same) stepped within a time budget, as defense/job.py
steps the other defenses (both are stepped.SteppedJob). On the digits (K = 10, d = 64) a run takes tens of seconds in the browser's worker.

    job = CleanseJob(s, att, params, rng)   # checked settings; nothing computed yet
    while not job.finished:
        job.step(60.0)                      # about 60 ms of optimisation steps; returns progress()
    job.result                              # cleanse.run's result (None after cancel())
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from . import cleanse
from .stepped import SteppedJob


class CleanseJob(SteppedJob):
    """cleanse.run, resumable: step(budget_ms) until `finished`; cancel() stops it (no result). done / total count
    optimisation steps (K classes x steps, twice with the clean model beside it; a class that stalls early counts
    its saved steps at once)."""

    def __init__(self, subject, att, params: Mapping[str, Any] | None, rng: np.random.Generator) -> None:
        self.params = cleanse.check(params)
        total, steps = cleanse.run_steps(subject, att, self.params, rng)
        super().__init__("cleanse", steps, total)

    def on_result(self, result: dict) -> None:
        result["seconds"] = self.seconds  # the time it worked, not the time the page took between steps
