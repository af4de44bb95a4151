"""Neural Cleanse (Wang et al., IEEE S&P 2019) as a run the page can watch and stop: cleanse.run_steps (the very
code cleanse.run drains in one go, so the numbers are the same) stepped within a time budget, as defense/job.py
steps the other defenses. On the digits (K = 10, d = 64) a run takes tens of seconds in the browser's worker.

    job = CleanseJob(s, att, params, rng)   # checked settings; nothing computed yet
    while not job.finished:
        job.step(60.0)                      # about 60 ms of optimisation steps; returns progress()
    job.result                              # cleanse.run's result (None after cancel())
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from . import cleanse


class CleanseJob:
    """cleanse.run, resumable: step(budget_ms) until `finished`; cancel() stops it (no result). done / total count
    optimisation steps (K classes x steps, twice with the clean model beside it; a class that stalls early counts
    its saved steps at once)."""

    def __init__(self, subject, att, params: Mapping[str, Any] | None, rng: np.random.Generator) -> None:
        self.params = cleanse.check(params)
        self.total, self._steps = cleanse.run_steps(subject, att, self.params, rng)
        self.done = 0
        self.seconds = 0.0
        self.cancelled = False
        self.result: dict | None = None

    @property
    def finished(self) -> bool:
        return self.cancelled or self.result is not None

    def step(self, budget_ms: float = 60.0) -> dict:
        """Work for about budget_ms (at least one optimisation step) and return progress()."""
        budget = float(budget_ms)
        if not budget > 0:
            raise ValueError(f"budget_ms must be a positive number of milliseconds, got {budget_ms!r}")
        start = time.perf_counter()
        deadline = start + budget / 1e3
        while not self.finished:
            try:
                self.done += next(self._steps)
            except StopIteration as stop:
                self.result = stop.value
                break
            if time.perf_counter() >= deadline:
                break
        self.seconds += time.perf_counter() - start
        if self.result is not None:
            self.result["seconds"] = self.seconds  # the time it worked, not the time the page took between steps
        return self.progress()

    def cancel(self) -> dict:
        """Stop; nothing is kept."""
        if self.result is None:
            self.cancelled = True
            self._steps.close()
        return self.progress()

    def progress(self) -> dict:
        """{type, done, total, fraction, finished, cancelled, seconds}; fraction stays below 1 until the result."""
        fraction = 1.0 if self.result is not None else min(0.99, self.done / self.total) if self.total else 0.0
        return {"type": "cleanse", "done": self.done, "total": self.total, "fraction": fraction,
                "finished": self.finished, "cancelled": self.cancelled, "seconds": self.seconds}
