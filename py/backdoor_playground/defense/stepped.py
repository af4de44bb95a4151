"""A computation the page can watch and stop: a generator that yields how much work each step did and returns the
result, stepped within a time budget. The defenses' runs are these (job.DefenseJob, cleanse_job.CleanseJob): the
generator is the very code their one-call versions drain, so the numbers are the same.

    while not job.finished:
        job.step(60.0)                      # about 60 ms of work (at least one step); returns progress()
    job.result                              # the generator's return value (None after cancel())
"""

from __future__ import annotations

import time
from typing import Generator


class SteppedJob:
    """step(budget_ms) until `finished`; cancel() stops it (no result). done / total count the generator's units."""

    def __init__(self, kind: str, steps: Generator[int, None, dict], total: int) -> None:
        self.kind = kind  # progress()["type"]
        self.total = total
        self.done = 0
        self.seconds = 0.0
        self.cancelled = False
        self.result: dict | None = None
        self._steps = steps

    @property
    def finished(self) -> bool:
        return self.cancelled or self.result is not None

    def step(self, budget_ms: float = 60.0) -> dict:
        """Work for about budget_ms (at least one step) and return progress()."""
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
            self.on_result(self.result)
        return self.progress()

    def on_result(self, result: dict) -> None:
        """A subclass's last word on the result, once the step that finished has counted its time."""

    def cancel(self) -> dict:
        """Stop; nothing is kept (a half-finished run has no meaningful numbers)."""
        if self.result is None:
            self.cancelled = True
            self._steps.close()
        return self.progress()

    def progress(self) -> dict:
        """{type, done, total, fraction, finished, cancelled, seconds}: fraction stays below 1 until the result (some
        runs cannot count all their work in advance)."""
        fraction = 1.0 if self.result is not None else min(0.99, self.done / self.total) if self.total else 0.0
        return {"type": self.kind, "done": self.done, "total": self.total, "fraction": fraction,
                "finished": self.finished, "cancelled": self.cancelled, "seconds": self.seconds}
