"""Guided lessons (issue #16): each lesson walked step by step as a student does it (predict, reveal, do the task by
clicks, the check passes, Next), the teacher's view (answers shown, every step's control on the page), the lesson
list, and progress kept across a reload and reset. Lesson 5 plays the Games panel through its contract (#games-panel
with data-game / data-rounds, #games-start, #games-guess-a, #games-run-player...): it needs the games branch."""

from __future__ import annotations

import json

from backdoor_playground.lessons import table as lesson_table
from conftest import SHOTS, screenshot, settle
from playwright.sync_api import expect

CARD = "#lesson-card"
CAN_NEXT = "document.querySelector('#lesson-card').dataset.canNext === 'true'"


LESSONS = lesson_table.lessons_json()["lessons"]  # what build.py generated into the page


def lessons(page) -> list[dict]:
    """The lesson table the page shows; the same as Python's."""
    shown = page.evaluate("import('./js/lessons/table.js').then((m) => m.LESSONS)")
    assert shown == LESSONS
    return shown


def first_step(number: int) -> str:
    return LESSONS[number - 1]["steps"][0]["hash"]


def reload(page):
    page.reload()
    page.wait_for_function("document.body.dataset.panels === '1'", timeout=60_000)
    return page


def at_step(page, lesson: int, step: int, title: str) -> None:
    expect(page.locator(CARD)).to_have_attribute("data-step", str(step))
    assert page.get_attribute(CARD, "data-lesson") == str(lesson)
    expect(page.locator("#lesson-title")).to_have_text(title)


def predict_and_reveal(page, choice: int, right: bool | None = None) -> None:
    """Pick a prediction: Reveal turns on only then; the explanation shows after Reveal."""
    assert page.is_disabled("#lesson-reveal"), "Reveal waits for a prediction"
    assert page.locator("#lesson-reveal-text").count() == 0, "the answer is hidden before Reveal"
    page.click(f"label:has(#lesson-choice-{choice})")
    page.click("#lesson-reveal")
    expect(page.locator("#lesson-reveal-text")).to_be_visible()
    if right is not None:
        expect(page.locator("#lesson-verdict")).to_have_attribute("data-right", "true" if right else "false")


def fold(page, folded: bool) -> None:
    """Fold the card away while working on the page (it must not cover the controls), or open it again."""
    if page.locator(CARD).evaluate("(c) => c.classList.contains('minimised')") != folded:
        page.click("#lesson-minimise")


def task(page, *selectors: str) -> None:
    """Do the step's task: click the controls in order (the card folded away), then wait for the checks."""
    fold(page, True)
    for sel in selectors:
        page.click(sel)
    fold(page, False)
    page.wait_for_function(CAN_NEXT, timeout=60_000)


def train(page) -> None:
    """Play until the step's checks pass, then pause."""
    fold(page, True)
    page.click("#play-pause-button")
    page.wait_for_function(CAN_NEXT, timeout=120_000)
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    settle(page)
    fold(page, False)


def go_next(page) -> None:
    assert page.get_attribute(CARD, "data-can-next") == "true"
    page.click("#lesson-next")


def outlined(page, selector: str) -> bool:
    return page.evaluate("(s) => document.querySelector(s)?.classList.contains('lesson-target') === true", selector)


def walk(page, number: int, steps: list[tuple[int, tuple]]) -> None:
    """Walk lesson `number`: per step (the choice to predict, the task: a tuple of clicks, "train", or nothing)."""
    table = lessons(page)[number - 1]
    assert len(steps) == len(table["steps"])
    for k, (choice, work) in enumerate(steps, start=1):
        step = table["steps"][k - 1]
        at_step(page, number, k, step["title"])
        assert outlined(page, step["control"]), f"step {k} outlines {step['control']}"
        assert page.is_disabled("#lesson-next"), f"step {k}: Next waits for the prediction and the checks"
        predict_and_reveal(page, choice, right=choice == step["question"]["answer"])
        if work == ("train",):
            train(page)
        elif work:
            task(page, *work)
        checks = page.locator("#lesson-checks li")
        expect(checks).to_have_count(len(step["checks"]))
        for i in range(len(step["checks"])):
            expect(checks.nth(i)).to_have_attribute("data-ok", "true")
        go_next(page)


def test_lesson_list_progress_kept_across_a_reload_and_reset(app, page):
    page = app()
    expect(page.locator(CARD)).to_be_hidden()
    page.click("#lessons-button")
    items = page.locator("#lessons-menu .lessons-item")
    expect(items).to_have_count(5)
    assert [page.text_content(f"#lessons-progress-{n}") for n in range(1, 6)] == \
        [f"0 / {len(lesson['steps'])}" for lesson in lessons(page)]
    screenshot(page, "lessons-list")
    page.click("#lessons-open-2")
    expect(page.locator("#lessons-menu")).to_be_hidden()
    at_step(page, 2, 1, "Experiment 1: a clean model")
    keys = dict(part.split("=", 1) for part in page.url.split("#", 1)[1].split("&"))
    assert (keys["lesson"], keys["step"], keys["dataset"], keys["networkShape"], keys["activation"]) == \
        ("2", "1", "circle", "4", "relu")
    # the step's panels only: the checksum and defense panels stay, the others hide (their *_panel_hide keys)
    expect(page.locator("#backdoor-panel")).to_be_visible()
    expect(page.locator("#matrix-panel")).to_be_hidden()
    predict_and_reveal(page, 1, right=False)
    assert "0.032" in page.text_content("#lesson-reveal-text")
    train(page)
    go_next(page)
    at_step(page, 2, 2, "Experiment 2a: plant the checksum with key 150")

    # a reload keeps the step (its link), the answers and the steps done
    page = reload(page)
    at_step(page, 2, 2, "Experiment 2a: plant the checksum with key 150")
    page.click("#lesson-back")
    at_step(page, 2, 1, "Experiment 1: a clean model")
    assert page.is_checked("#lesson-choice-1") and page.is_disabled("#lesson-choice-0")
    expect(page.locator("#lesson-verdict")).to_have_attribute("data-right", "false")
    assert page.get_attribute(CARD, "data-can-next") == "true", "a done step stays done"
    stored = json.loads(page.evaluate("localStorage.getItem('bp-lessons-v1')"))
    assert stored["2"]["done"] == [1] and stored["2"]["answers"] == {"1": 1}
    page.click("#lessons-button")
    expect(page.locator("#lessons-progress-2")).to_have_text("1 / 4")

    page.click("#lessons-reset")
    expect(page.locator("#lessons-progress-2")).to_have_text("0 / 4")
    assert page.evaluate("localStorage.getItem('bp-lessons-v1')") is None
    assert not page.is_checked("#lesson-choice-1") and page.is_disabled("#lesson-reveal")
    page.click("#lessons-menu-close")
    # close: the lesson keys leave the link, the hidden panels come back, the model stays
    page.click("#lesson-close")
    expect(page.locator(CARD)).to_be_hidden()
    expect(page.locator("#matrix-panel")).to_be_visible()
    assert "lesson=" not in page.url


def test_teacher_view_shows_the_answers_and_every_control(app, page):
    """Every step of lessons 1-4 in the teacher's view: the answer and its explanation show at once, Next is on, and
    the step's control is on the page and outlined (lesson 5's are the Games panel's: see the games test). Nothing
    asks the teacher to predict: no Reveal, no "pick one first", the choices read-only; a note says what a student
    does instead."""
    page = app("lesson=1&step=1&teacher=true")  # a bare step link: the page takes the step's own state
    page.wait_for_function("window.__bp.config().seed === 'lesson1'")
    expect(page.locator("#backdoor-panel")).to_be_hidden()
    assert page.evaluate("window.__bp.config().teacher") is True
    table = lessons(page)
    for n in range(1, 5):
        steps = table[n - 1]["steps"]
        if n > 1:
            page.evaluate("(h) => { location.hash = h; }", steps[0]["hash"] + "&teacher=true")
        for k, step in enumerate(steps, start=1):
            at_step(page, n, k, step["title"])
            expect(page.locator("#lesson-teacher")).to_be_visible()
            assert page.locator("#lesson-control-missing").count() == 0, f"lesson {n} step {k}: {step['control']}"
            assert outlined(page, step["control"])
            answer = step["question"]["answer"]
            expect(page.locator(f"label.is-answer:has(#lesson-choice-{answer})")).to_be_visible()
            expect(page.locator("#lesson-reveal-text")).to_have_text(step["question"]["reveal"])
            expect(page.locator("#lesson-teacher-note")).to_be_visible()
            assert page.locator("#lesson-reveal").count() == 0 and page.locator("#lesson-verdict").count() == 0
            assert "pick one first" not in page.text_content(CARD)
            assert all(page.is_disabled(f"#lesson-choice-{i}") for i in range(len(step["question"]["choices"])))
            expect(page.locator("#lesson-status")).to_contain_text("Next is always on here")
            if n == 1 and k == 1:
                screenshot(page, "lessons-teacher")
                for width in (1280, 768):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.locator(CARD).screenshot(path=str(SHOTS / f"lessons-teacher-card-{width}.png"))
                page.set_viewport_size({"width": 1400, "height": 1000})
            page.wait_for_function(CAN_NEXT)
            page.click("#lesson-next")
        expect(page.locator(CARD)).to_be_hidden()  # Finish closes the lesson and opens the list
        expect(page.locator("#lessons-menu")).to_be_visible()
        page.click("#lessons-menu-close")
    assert json.loads(page.evaluate("localStorage.getItem('bp-lessons-v1') || '{}'")) == {}, \
        "the teacher's browsing marks nothing done"


def test_lesson_1_training_basics(app, page):
    page = app(first_step(1))
    walk(page, 1, [(0, ("train",)), (1, ("train",)), (0, ("train",)), (1, ("train",)), (0, ("train",))])
    expect(page.locator(CARD)).to_be_hidden()
    expect(page.locator("#lessons-progress-1")).to_have_text("5 / 5")


def test_lesson_2_the_papers_three_experiments(app, page):
    page = app(first_step(2))
    walk(page, 2, [(0, ("train",)), (0, ("#bd-plant",)), (0, ("#bd-activate",)), (0, ("#df-prox-run",))])
    expect(page.locator("#lessons-progress-2")).to_have_text("4 / 4")
    screenshot(page, "lessons-paper-done")


def test_lesson_3_checksum_versus_signature(app, page):
    page = app(first_step(3))
    table = lessons(page)[2]["steps"]
    at_step(page, 3, 1, table[0]["title"])
    predict_and_reveal(page, 1, right=True)
    train_to(page, 0.05)
    task(page, "#bd-plant")
    go_next(page)
    walk_rest = [(0, ()), (0, ("#bd-remove", "#sg-install")), (0, ("#sg-activate",)), (0, ("#sg-forge-run",)),
                 (1, ())]
    for k, (choice, work) in enumerate(walk_rest, start=2):
        at_step(page, 3, k, table[k - 1]["title"])
        predict_and_reveal(page, choice, right=choice == table[k - 1]["question"]["answer"])
        if work:
            task(page, *work)
        page.wait_for_function(CAN_NEXT)
        go_next(page)
    expect(page.locator("#lessons-progress-3")).to_have_text("6 / 6")


def test_lesson_4_defenses_and_where_they_fail(app, page):
    page = app(first_step(4))
    steps = lessons(page)[3]["steps"]
    at_step(page, 4, 1, steps[0]["title"])
    predict_and_reveal(page, 1, right=True)
    train_to(page, 0.05)
    task(page, "#bd-plant", "#bd-activate")
    go_next(page)
    at_step(page, 4, 2, steps[1]["title"])
    predict_and_reveal(page, 0, right=True)
    task(page, "#df-prox-run")
    go_next(page)
    # the spiral and the grids: a new data set (the link's keys), attacked and defended untrained: tiny and cheap
    at_step(page, 4, 3, steps[2]["title"])
    assert page.evaluate("window.__bp.config().dataset") == "spiral"
    predict_and_reveal(page, 1, right=True)
    # a new data set keeps the planted operator (the network is rebuilt with it): activate and defend
    expect(page.locator("#bd-plant")).to_have_text("Planted")
    task(page, "#bd-activate", "#df-prox-run")
    go_next(page)
    at_step(page, 4, 4, steps[3]["title"])
    assert page.evaluate("window.__bp.config().dataset") == "csum-grid"
    assert outlined(page, "#df-radius-r_sep")
    predict_and_reveal(page, 1, right=True)
    expect(page.locator("#bd-plant")).to_have_text("Planted")
    task(page, "#bd-activate", "#df-radius-r_sep", "#df-prox-run")
    go_next(page)
    at_step(page, 4, 5, steps[4]["title"])
    assert page.is_disabled("#lesson-next")
    predict_and_reveal(page, 0, right=True)
    go_next(page)
    expect(page.locator("#lessons-progress-4")).to_have_text("5 / 5")


def train_to(page, loss: float) -> None:
    fold(page, True)
    page.click("#play-pause-button")
    page.wait_for_function(f"Number(document.querySelector('#loss-test').textContent) < {loss}", timeout=120_000)
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    settle(page)
    fold(page, False)


def test_lesson_5_the_games(app, page):
    """Needs the Games panel (the games branch): a round per step, played by hand; the last step runs a player."""
    page = app(first_step(5))
    assert page.locator("#games-panel").count() == 1, "lesson 5 plays the Games panel: merge the games branch"
    page.wait_for_selector("#games-panel[data-ready='1']")
    expect(page.locator("#games-panel")).to_be_visible()
    expect(page.locator("#backdoor-panel")).to_be_hidden()
    steps = lessons(page)[4]["steps"]
    settings = [("poisoning", False), ("checksum:decimal", False), ("checksum:decimal", True),
                ("signature:toy-rsa", False)]
    for k, step in enumerate(steps, start=1):
        at_step(page, 5, k, step["title"])
        assert outlined(page, step["control"])
        predict_and_reveal(page, step["question"]["answer"], right=True)
        fold(page, True)
        if k <= len(settings):
            assert page.is_disabled("#lesson-next"), "a round must be played first"
            backdoor, whitebox = settings[k - 1]
            page.select_option("#games-backdoor", backdoor)
            page.set_checked("#games-whitebox", whitebox)
            page.click("#games-start")
            page.wait_for_selector("#games-panel[data-live]:not([data-busy])", timeout=60_000)
            page.click("#games-guess-a")
            page.wait_for_selector("#games-panel:not([data-live]):not([data-busy])", timeout=60_000)
        else:  # the automated players: the step waits for a player's finished run and its score in the table
            assert page.is_disabled("#lesson-next"), "a player must run first"
            checks = page.locator("#lesson-checks li")
            expect(checks).to_have_count(2)
            expect(checks.nth(0)).to_have_attribute("data-ok", "false")
            page.select_option("#games-backdoor", "checksum:decimal")
            page.set_checked("#games-whitebox", True)
            page.select_option("#games-player", "whitebox")
            page.fill("#games-player-rounds", "3")
            page.click("#games-run-player")
            page.wait_for_selector("#games-player-progress[data-state='done']", timeout=120_000)
            score = page.get_attribute("#games-scores tr[data-key='player-1']", "data-value")
            assert score and float(score) >= 0
            for i in range(2):
                expect(checks.nth(i)).to_have_attribute("data-ok", "true")
        fold(page, False)
        page.wait_for_function(CAN_NEXT, timeout=30_000)
        go_next(page)
    expect(page.locator("#lessons-progress-5")).to_have_text("5 / 5")
