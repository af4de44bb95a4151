"""The lessons, in the order the page lists them (`lesson=N` is LESSONS[N - 1]); lessons_json() is what build.py
writes into the page (js/lessons/lesson-table.js)."""

from __future__ import annotations

from ..playground.state_table import MAX_LESSON_STEPS, MAX_LESSONS
from . import defenses, games, paper, training, undetectable
from .model import EVENTS, FRAME_FACTS, OPS, OTHER_FACTS, Lesson, lesson_json

LESSONS: tuple[Lesson, ...] = (training.LESSON, paper.LESSON, undetectable.LESSON, defenses.LESSON, games.LESSON)

if len(LESSONS) > MAX_LESSONS or any(len(lesson.steps) > MAX_LESSON_STEPS for lesson in LESSONS):
    raise RuntimeError("more lessons or steps than the state table's lesson / step keys allow")


def lessons_json() -> dict:
    """Every lesson for the page, and the check vocabulary (facts, operators) the page must implement."""
    return {"lessons": [lesson_json(n, lesson) for n, lesson in enumerate(LESSONS, start=1)],
            "facts": [*FRAME_FACTS, *OTHER_FACTS], "events": list(EVENTS), "ops": list(OPS)}
