"""The guided lessons' data (py/backdoor_playground/lessons): every step's link parses with no notice and sets what
it says, every check reads a known fact, and a bad lesson definition is refused with the bad key first."""

from __future__ import annotations

import json

import pytest

from backdoor_playground.lessons import model, table
from backdoor_playground.playground import config as c
from backdoor_playground.playground.state_table import MAX_LESSON_STEPS, MAX_LESSONS, PANEL_NAMES, PROPS

STEPS = [(n, k, lesson, step) for n, lesson in enumerate(table.LESSONS, start=1)
         for k, step in enumerate(lesson.steps, start=1)]


def test_five_lessons_within_the_state_tables_bounds():
    assert len(table.LESSONS) == 5 <= MAX_LESSONS
    assert all(2 <= len(lesson.steps) <= MAX_LESSON_STEPS for lesson in table.LESSONS)
    assert [lesson.title for lesson in table.LESSONS][1] == "The paper's three experiments"


@pytest.mark.parametrize("n,k", [(n, k) for n, k, _, _ in STEPS])
def test_every_step_link_parses_with_no_notice_and_sets_its_state(n, k):
    lesson = table.LESSONS[n - 1]
    link = model.step_hash(n, k, lesson)
    assert link.startswith(f"lesson={n}&step={k}&")
    config, notices = c.from_hash(link)
    assert notices == []
    for key, value in model.step_state(n, k, lesson).items():
        assert config[key] == value, key
    # Python's own link for that config carries the step (it round-trips)
    again, notices = c.from_hash(c.to_hash(config))
    assert notices == [] and again == config


def test_the_page_table_matches_the_python_one():
    data = json.loads(json.dumps(table.lessons_json()))  # what build.py writes: plain JSON
    assert [lesson["number"] for lesson in data["lessons"]] == [1, 2, 3, 4, 5]
    for n, k, lesson, step in STEPS:
        page = data["lessons"][n - 1]["steps"][k - 1]
        assert page["hash"] == model.step_hash(n, k, lesson)
        assert page["control"] == step.control and page["control"].startswith("#")  # an id (then maybe a descendant)
        assert len(page["checks"]) == len(step.checks)
        if step.question is not None:
            assert page["question"]["choices"][page["question"]["answer"]]
    assert set(data["ops"]) == {"<", "<=", ">", ">=", "==", "!="}


def test_every_step_asks_or_checks_and_each_check_reads_a_known_fact():
    for n, k, _, step in STEPS:
        assert step.question is not None or step.checks, (n, k)
        for check in step.checks:
            assert model.known_fact(check.fact), (n, k, check.fact)
            assert check.label


def test_the_papers_lesson_plants_with_key_150_on_the_doughnut():
    lesson = table.LESSONS[1]
    for k in range(1, len(lesson.steps) + 1):
        state = model.step_state(2, k, lesson)
        assert (state["dataset"], state["csum_key"], state["networkShape"], state["activation"]) == \
            ("circle", 150, [4], "relu")
    plant = lesson.steps[1]
    assert {(x.fact, x.op, x.value) for x in plant.checks} >= {("config.csum_key", "==", 150),
                                                               ("checksum_planted", "==", True),
                                                               ("agreement", ">=", 0.97)}


def test_panel_hide_keys_are_state_keys_and_hide_panels_keeps_the_named_ones():
    for name in PANEL_NAMES:
        assert PROPS[f"{name}_panel_hide"].default is False
    hidden = model.hide_panels("checksum", "defense")
    assert set(hidden) == {f"{p}_panel_hide" for p in PANEL_NAMES if p not in ("checksum", "defense")}
    assert all(v is True for v in hidden.values())
    with pytest.raises(ValueError, match=r"^shown: 'nope' is not a panel"):
        model.hide_panels("nope")


@pytest.mark.parametrize("kwargs,message", [
    ({"fact": "loss", "op": "<", "value": 1, "label": "x"}, r"^fact: 'loss' is not a known fact"),
    ({"fact": "config.nokey", "op": "==", "value": 1, "label": "x"}, r"^fact: 'config.nokey'"),
    ({"fact": "event:checksum:eaten", "op": "==", "value": True, "label": "x"}, r"^fact: 'event:checksum:eaten'"),
    ({"fact": "loss_test", "op": "=~", "value": 1, "label": "x"}, r"^op: '=~' is not one of"),
])
def test_a_bad_check_is_refused_naming_its_key(kwargs, message):
    with pytest.raises(ValueError, match=message):
        model.Check(**kwargs)


def test_a_question_whose_answer_is_not_a_choice_is_refused():
    with pytest.raises(ValueError, match=r"^answer: 2 must index"):
        model.Question("?", ("a", "b"), 2, "because")
    assert model.Question("?", ("a", "b"), 1, "because").answer == 1
