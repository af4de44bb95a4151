"""Worker handler for Neural Cleanse (defense/cleanse.py) on the session's attacked test set: in one call, or in
steps the page can watch and cancel (defense/cleanse_job.py: cleanse_start, cleanse_step, cleanse_cancel)."""

from __future__ import annotations

from ..defense import cleanse
from ..defense.cleanse_job import CleanseJob
from ..playground import rng
from ..session import Session

# The run under way, with the session it belongs to (a new session or a new run forgets it).
_running: tuple[Session, CleanseJob] | None = None


def neural_cleanse(s: Session, params: dict | None = None) -> dict:
    """cleanse.run(params) on the live model and its attacked test set (seeded from the "defense" stream)."""
    settings = cleanse.check(params)
    if not len(s.data.test_points):
        raise ValueError("Neural Cleanse needs test points (raise the share of test data)")
    return cleanse.run(s, s.attacked(), settings, rng.stream(s.config["seed"], "defense"))


def cleanse_start(s: Session, params: dict | None = None) -> dict:
    """Start neural_cleanse(params) as a resumable run (replacing any running); returns its progress."""
    global _running
    _running = None
    job = CleanseJob(s, s.attacked(), params, rng.stream(s.config["seed"], "defense"))
    _running = (s, job)
    return job.progress()


def cleanse_step(s: Session, budget_ms: float = 60.0) -> dict:
    """Run the started Neural Cleanse for about budget_ms: {type, done, total, fraction, finished, cancelled,
    seconds}; when finished also "result": neural_cleanse's reply (the same numbers)."""
    global _running
    if _running is None or _running[0] is not s:
        raise ValueError("no Neural Cleanse is running (it finished, was cancelled, or the playground was reset)")
    job = _running[1]
    progress = job.step(budget_ms)
    if job.finished:
        _running = None
        progress["result"] = job.result
    return progress


def cleanse_cancel(s: Session) -> dict:
    """Stop the running Neural Cleanse (nothing kept); {"cancelled": True, "finished": True, ...} or cancelled
    False when none was running."""
    global _running
    if _running is None or _running[0] is not s:
        return {"cancelled": False, "finished": True}
    job = _running[1]
    _running = None
    return job.cancel()
