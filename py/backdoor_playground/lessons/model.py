"""What a lesson is made of: Lesson -> Step -> (Question, Check), and the one vocabulary of facts a check may read
from the page. A step's link is `lesson=N&step=K` plus the lesson's base state and the step's own keys; every link
parses with no notice (tests/py/test_lessons.py).

Facts (the page computes them in js/lessons/facts.js; a name not listed here is refused at import time):
  frame metrics     epoch, loss_test, loss_train, acc_test, acc_train, gap (= loss_test - loss_train)
  config.<key>      any key of the state table (playground/state_table.PROPS)
  checksum_planted  the model carries a checksum operator (*_csum)
  agreement, trigger_rate   the checksum's backdoor_stats (planted model vs its clean reference)
  event:<name>      the hub said it since the step opened: checksum:planted, checksum:activation, signature:installed,
                    signature:activation, signature:forgery, defense:<type>
  games_game, games_rounds  the Games panel's data-game and data-rounds (its published contract);
                    games_rounds_played: how many times data-rounds went up since the step opened
  games_player_runs how many automated player runs finished since the step opened (#games-player-progress's
                    data-state turned "done")
  games_player_score  the score of the last automated player's row in the score table (#games-scores,
                    tr[data-key^="player-"]: its data-value, the advantage or the success rate), null when none
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..playground.state_table import HIDE_SUFFIX, PANEL_HIDABLE, PROPS

FRAME_FACTS = ("epoch", "loss_test", "loss_train", "acc_test", "acc_train", "gap")
EVENTS = ("checksum:planted", "checksum:activation", "signature:installed", "signature:activation",
          "signature:forgery", "defense:proximity", "defense:smoothing")
OTHER_FACTS = ("checksum_planted", "agreement", "trigger_rate", "games_game", "games_rounds", "games_rounds_played",
               "games_player_runs", "games_player_score")
# The Games panel is built on its own branch; until it is merged its name is not in PANEL_NAMES.
LATER_PANELS = ("games",)
OPS = ("<", "<=", ">", ">=", "==", "!=")
STEP_KEYS = ("lesson", "step")


def known_fact(name: str) -> bool:
    if name.startswith("config."):
        return name[len("config."):] in PROPS
    if name.startswith("event:"):
        return name[len("event:"):] in EVENTS
    return name in FRAME_FACTS or name in OTHER_FACTS


@dataclass(frozen=True)
class Check:
    """One condition on the page's state: fact op value (e.g. loss_test < 0.1); `label` is what the card says."""
    fact: str
    op: str
    value: Any
    label: str

    def __post_init__(self) -> None:
        if not known_fact(self.fact):
            raise ValueError(f"fact: {self.fact!r} is not a known fact (model.py lists them)")
        if self.op not in OPS:
            raise ValueError(f"op: {self.op!r} is not one of {', '.join(OPS)}")


@dataclass(frozen=True)
class Question:
    """The prediction asked before the result is revealed; `answer` indexes `choices`; `reveal` explains."""
    prompt: str
    choices: tuple[str, ...]
    answer: int
    reveal: str

    def __post_init__(self) -> None:
        if not 2 <= len(self.choices) <= 5 or not 0 <= self.answer < len(self.choices):
            raise ValueError(f"answer: {self.answer} must index 2 to 5 choices ({self.prompt!r})")


@dataclass(frozen=True)
class Step:
    """A task on one control (a CSS selector of an element with an id), its own URL keys, a prediction, checks."""
    title: str
    task: str
    control: str
    question: Question | None = None
    checks: tuple[Check, ...] = ()
    state: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    """A title, a one-line summary, the state every step shares (`base`, e.g. the panels it hides) and its steps."""
    title: str
    summary: str
    base: dict
    steps: tuple[Step, ...]


def hide_panels(*shown: str) -> dict:
    """The `*_panel_hide` keys that hide every panel below the playground except `shown` (names from PANEL_NAMES)."""
    for name in shown:
        if f"{name}_panel" not in PANEL_HIDABLE and name not in LATER_PANELS:
            raise ValueError(f"shown: {name!r} is not a panel ({', '.join(p[:-6] for p in PANEL_HIDABLE)})")
    return {f"{p}{HIDE_SUFFIX}": True for p in PANEL_HIDABLE if p[:-len("_panel")] not in shown}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def step_state(lesson_no: int, step_no: int, lesson: Lesson) -> dict:
    """The keys a step sets: lesson and step first, then the lesson's base, then the step's own (they win)."""
    step = lesson.steps[step_no - 1]
    return {"lesson": lesson_no, "step": step_no, **lesson.base, **step.state}


def step_hash(lesson_no: int, step_no: int, lesson: Lesson) -> str:
    """The step's link (without '#'): `lesson=N&step=K&<base keys>&<step keys>`."""
    return "&".join(f"{k}={_text(v)}" for k, v in step_state(lesson_no, step_no, lesson).items())


def lesson_json(lesson_no: int, lesson: Lesson) -> dict:
    """One lesson for the page: texts, each step's state (as URL values) and hash, its question and checks."""
    steps = []
    for k, step in enumerate(lesson.steps, start=1):
        q = step.question
        steps.append({
            "title": step.title, "task": step.task, "control": step.control,
            "state": step_state(lesson_no, k, lesson), "hash": step_hash(lesson_no, k, lesson),
            "question": None if q is None else {"prompt": q.prompt, "choices": list(q.choices), "answer": q.answer,
                                                "reveal": q.reveal},
            "checks": [{"fact": c.fact, "op": c.op, "value": c.value, "label": c.label} for c in step.checks],
        })
    return {"number": lesson_no, "title": lesson.title, "summary": lesson.summary, "steps": steps}
