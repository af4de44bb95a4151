"""A defense run the page can watch and stop: run.defense_steps (the very code run_defense drains in one go, so the
numbers are the same) stepped within a time budget, like the key holder's search (checksum/search.py SearchRun).

    job = DefenseJob(att, params, rng)      # checked parameters; nothing computed yet
    while not job.finished:
        job.step(50.0)                      # about 50 ms of forward passes; returns progress()
    job.result                              # run_defense's result (None after cancel())
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from . import run


class DefenseJob:
    """run_defense, resumable: step(budget_ms) until `finished`; cancel() stops it (no result)."""

    def __init__(self, att, params: Mapping[str, Any], rng: np.random.Generator, curves: bool = True) -> None:
        self.params = run.check_defense(params)
        self.curves = curves
        self.total = run.planned_rows(att, self.params, curves)
        self.done = 0          # noisy rows evaluated so far (the adaptive attacker's too)
        self.seconds = 0.0
        self.cancelled = False
        self.result: dict | None = None
        self._steps = run.defense_steps(att, self.params, rng, curves)

    @property
    def finished(self) -> bool:
        return self.cancelled or self.result is not None

    def step(self, budget_ms: float = 50.0) -> dict:
        """Work for about budget_ms (at least one forward pass) and return progress()."""
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
        return self.progress()

    def cancel(self) -> dict:
        """Stop; nothing is kept (a half-certified test set has no meaningful metrics)."""
        if self.result is None:
            self.cancelled = True
            self._steps.close()
        return self.progress()

    def progress(self) -> dict:
        """{type, done, total, fraction, finished, cancelled, seconds}: fraction is done / total, below 1 until the
        run has finished (the adaptive attacker's rows are not known in advance)."""
        fraction = 1.0 if self.result is not None else min(0.99, self.done / self.total) if self.total else 0.0
        return {"type": self.params["type"], "done": self.done, "total": self.total, "fraction": fraction,
                "finished": self.finished, "cancelled": self.cancelled, "seconds": self.seconds}
