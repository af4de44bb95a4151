"""A study in steps, for the page's worker (which has no process pool): runner.run's jobs in the same order, run in
process one at a time, so the same rows (timing aside). step(budget_ms) runs whole jobs until its budget is spent
(at least one); cancel() stops between jobs; progress() carries the summary of the jobs finished so far."""

from __future__ import annotations

import time
from typing import Sequence

from ..defense.run import json_safe
from . import runner


class StudyRun:
    """runner.run(name, seeds, options) resumable: call step() until `finished`."""

    def __init__(self, name: str, seeds: int | None = None, options: Sequence[str] = ()):
        self.study, self.seeds, self.options, _ = runner.prepare(name, seeds, options)
        assert self.study.plan is not None and self.study.run_job is not None
        start = time.perf_counter()
        self.jobs, self._record = self.study.plan(self.options, self.seeds)
        self.seconds = time.perf_counter() - start
        self.rows: list[tuple] = []
        self.done = 0
        self.cancelled = False

    @property
    def finished(self) -> bool:
        return self.cancelled or self.done == len(self.jobs)

    def step(self, budget_ms: float = 100.0) -> dict:
        """Run jobs until about budget_ms has passed (at least one); the progress."""
        start = time.perf_counter()
        while not self.finished:
            assert self.study.run_job is not None
            self.rows.extend(self.study.run_job(self.jobs[self.done]))
            self.done += 1
            if (time.perf_counter() - start) * 1000.0 >= budget_ms:
                break
        self.seconds += time.perf_counter() - start
        return self.progress()

    def cancel(self) -> dict:
        """Stop before the next job; the progress with the jobs finished so far."""
        if not self.finished:
            self.cancelled = True
        return self.progress()

    def record(self) -> dict:
        return runner.full_record(self.study, self.seeds, self.options, self._record, "in process", self.seconds)

    def progress(self) -> dict:
        summary = runner.summarize(self.rows)
        done = self.done == len(self.jobs)
        return json_safe({"study": self.study.name, "done": self.done, "total": len(self.jobs),
                          "finished": self.finished, "cancelled": self.cancelled, "seconds": self.seconds,
                          "columns": list(runner.SUMMARY_COLUMNS), "summary": summary,
                          "headline": self.study.headline(summary, self.record())
                          if done and self.study.headline else None})
