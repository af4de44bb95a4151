"""The games panel played as a person plays it: "Which one is backdoored?" over several rounds (a click on a plot, a
typed point, a CSV of points, then a guess; white-box shows the checksum's operator in one model), "Trigger it
without the key" (queries inside the square, the budget ends the round, Give up), and each automated player run in
the page with its progress. Tiny networks and few epochs keep each test short. Screenshots: screenshots/games-*.png."""

from __future__ import annotations

from conftest import SHOTS

from backdoor_playground.games import PLAYERS, stats

PANEL = "#games-panel"
HASH = "dataset=circle&networkShape=3&activation=relu&seed=42&epochs=15&noise=0"


def open_games(app):
    page = app(HASH)
    page.wait_for_selector(f"{PANEL}[data-ready='1']")
    page.locator(PANEL).scroll_into_view_if_needed()
    return page


def settle_round(page, rounds: int) -> None:
    page.wait_for_selector(f"{PANEL}[data-rounds='{rounds}']:not([data-live]):not([data-busy])")


def new_round(page) -> None:
    page.click("#games-start")
    page.wait_for_selector(f"{PANEL}[data-live]:not([data-busy])")


def answered(page, n: int) -> None:
    page.wait_for_selector(f"#games-answers[data-count='{n}']")
    page.wait_for_selector(f"{PANEL}:not([data-busy])")


def click_plot(page, plot: str, x: float, y: float, centre=(0.0, 0.0), half: float = 6.0) -> None:
    """Click the plot at data point (x, y); the plot shows centre +- half in both coordinates."""
    canvas = page.locator(plot)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    canvas.click(position={"x": (x - centre[0] + half) / (2 * half) * box["width"],
                           "y": (centre[1] + half - y) / (2 * half) * box["height"]})


def test_which_one_is_backdoored_played_by_hand_over_rounds(app, page):
    page = open_games(app)
    assert page.get_attribute(PANEL, "data-game") == "distinguish"
    assert page.get_attribute(PANEL, "data-rounds") == "0"
    page.select_option("#games-backdoor", "poisoning")
    page.fill("#games-queries", "3")
    outcomes = []
    for r in range(3):
        new_round(page)
        assert page.get_attribute(PANEL, "data-left") == "3"
        click_plot(page, "#games-plot-a", 1.0 + r, -2.0)
        answered(page, 1)
        page.fill("#games-point", "-2.5, 0.5")
        page.press("#games-point", "Enter")
        answered(page, 2)
        page.set_input_files("#games-csv", files=[{"name": "points.csv", "mimeType": "text/csv",
                                                   "buffer": b"x,y\n0.25,4\n3,3\n"}])
        answered(page, 3)  # Q = 3: the CSV's second point is not answered
        assert page.get_attribute(PANEL, "data-left") == "0"
        rows = page.locator("#games-answers tbody tr")
        assert rows.count() == 3 and rows.first.locator("td").count() == 6, "both models' label and raw output"
        page.click("#games-guess-b" if r % 2 else "#games-guess-a")
        settle_round(page, r + 1)
        outcomes.append(page.get_attribute("#games-outcome", "data-correct") == "true")
        assert "backdoored one" in page.text_content("#games-outcome")
    a = stats.advantage(sum(outcomes), 3)
    verdict = page.text_content("#games-verdict")
    assert f"{sum(outcomes)}/3 correct" in verdict and f"advantage {a['value']:.2f} [{a['lo']:.2f}, {a['hi']:.2f}]" in verdict
    assert a["verdict"] in verdict
    assert page.locator("#games-scores tr[data-key='you']").count() == 1

    # white-box: the checksum's operator shows in exactly one model; naming that one is right
    page.select_option("#games-backdoor", "checksum:decimal")
    page.check("#games-whitebox")
    new_round(page)
    page.wait_for_selector("#games-wb-host .gm-wb-model")
    marks = page.eval_on_selector_all("#games-wb-host .gm-wb-model", "els => els.map((e) => e.dataset.csum)")
    assert sorted(marks) == ["false", "true"]
    page.click("#games-guess-a" if marks[0] == "true" else "#games-guess-b")
    settle_round(page, 1)  # new settings: a new series
    assert page.get_attribute("#games-outcome", "data-correct") == "true"
    assert "1/1 correct" in page.text_content("#games-verdict")
    shots(page, "distinguish")


def test_trigger_it_without_the_key_by_hand(app, page):
    page = open_games(app)
    page.select_option("#games-mode", "trigger")
    assert page.get_attribute(PANEL, "data-game") == "trigger"
    page.select_option("#games-backdoor", "signature:toy-rsa")
    page.wait_for_selector("#games-baselines table")
    schemes = page.eval_on_selector_all("#games-baselines tbody tr td:first-child", "tds => tds.map((t) => t.textContent)")
    assert schemes == ["toy-rsa", "rsa", "ed25519"], "the key-less baselines at real key sizes"
    page.fill("#games-queries", "2")
    page.fill("#games-radius", "0.5")
    new_round(page)
    x, y = map(float, page.get_attribute(PANEL, "data-point").split(","))
    zoom = 4 * 0.5  # the plot shows the point +- 4 radii
    click_plot(page, "#games-plot-a", x + 0.2, y - 0.1, centre=(x, y), half=zoom)
    answered(page, 1)
    assert page.get_attribute(PANEL, "data-left") == "1"
    page.fill("#games-point", f"{x - 0.3}, {y + 0.4}")
    page.click("#games-query")
    answered(page, 2)
    settle_round(page, 1)
    assert page.get_attribute("#games-outcome", "data-success") == "false", "no key, no trigger"
    assert "Not triggered in 2 queries" in page.text_content("#games-outcome")
    assert "triggered 0/1" in page.text_content("#games-verdict")
    # a round with a time budget, ended by Give up
    page.fill("#games-time", "60")
    new_round(page)
    page.wait_for_function("(document.querySelector('#games-timer').textContent || '').includes('s left')")
    page.click("#games-give-up")
    settle_round(page, 1)  # the time budget changed the settings: a new series
    assert "triggered 0/1" in page.text_content("#games-verdict")
    shots(page, "trigger")


def test_each_automated_player_plays_in_the_page(app, page):
    page = open_games(app)
    page.select_option("#games-backdoor", "checksum:decimal")
    page.fill("#games-queries", "20")
    page.fill("#games-player-rounds", "2")
    for i, player in enumerate(PLAYERS):
        page.select_option("#games-player", player)
        page.click("#games-run-player")
        page.wait_for_function("(s) => ['done', 'error'].includes(document.querySelector(s).dataset.state)",
                               arg="#games-player-progress", timeout=60_000)
        assert page.get_attribute("#games-player-progress", "data-state") == "done"
        assert page.get_attribute("#games-player-progress", "data-done") == "2"
        row = page.locator(f"#games-scores tr[data-key='player-{i + 1}']")
        assert player in row.locator("th").text_content()
        assert row.get_attribute("data-value") != ""
    # the whitebox player reads the checksum's operator: right both rounds
    assert page.get_attribute("#games-scores tr[data-key='player-4']", "data-value") == "1"
    # the trigger game's players, and Cancel keeps what finished
    page.select_option("#games-mode", "trigger")
    page.select_option("#games-player", "random")
    page.fill("#games-player-rounds", "50")
    page.click("#games-run-player")
    page.wait_for_function("Number(document.querySelector('#games-player-progress').dataset.done) >= 1", timeout=60_000)
    page.click("#games-player-cancel")
    page.wait_for_selector("#games-player-progress[data-state='cancelled']", timeout=60_000)
    assert "scored" in page.text_content("#games-player-text")
    assert page.locator("#games-scores tr[data-key='player-5']").count() == 1


def shots(page, name: str, parts: tuple[str, ...] | None = None) -> None:
    """The games panel (or each of `parts`, named in the file) at 1280 and 768 px, light and dark."""
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        for theme in ("light", "dark"):
            page.emulate_media(color_scheme=theme)
            page.wait_for_function("(t) => document.documentElement.dataset.theme === t", arg=theme)
            SHOTS.mkdir(parents=True, exist_ok=True)
            for part in parts or (PANEL,):
                what = f"{name}-{part.strip('#.')}" if parts else name
                page.locator(part).screenshot(path=str(SHOTS / f"games-{what}-{width}-{theme}.png"))
    page.emulate_media(color_scheme="light")
