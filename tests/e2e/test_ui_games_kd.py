"""The games panel beyond the plane: on circle3d (d = 3) a click on the page's plot, while the games panel owns the
picks, queries (x, y) at the slice's height z (the game's own plot does the same; a typed point still works; while
the checksum panel owns the picks the click is its pick, not a query); on the digits (d = 64) a click on a test image
queries that image's 64 pixels and marks it in the grid. Screenshots: screenshots/games-kd-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from test_ui_games import PANEL, answered, new_round, shots

CIRCLE3D = "dataset=circle3d&x=true&y=true&z=true&networkShape=3&activation=tanh&seed=1&epochs=15"
DIGITS = "dataset=digits&digits_scale=unit&networkShape=8&activation=tanh&seed=1&epochs=5"
Z = 1.5


def open_games(app, hash_: str):
    page = app(hash_)
    page.wait_for_selector(f"{PANEL}[data-ready='1']")
    return page


def click_heatmap(page, x: float, y: float) -> None:
    page.locator("#heatmap").scroll_into_view_if_needed()
    box = page.locator("#heatmap canvas.heatmap-overlay").bounding_box()
    page.mouse.click(box["x"] + (x + 6) / 12 * box["width"], box["y"] + (6 - y) / 12 * box["height"])


def row_point(page, n: int) -> list[float]:
    """The point of the n-th answer (1: the first query; the table shows the newest first)."""
    rows = page.locator("#games-answers tbody tr")
    return [float(v) for v in rows.nth(rows.count() - n).get_attribute("data-point").split(",")]


def test_circle3d_a_click_on_the_slice_queries_x_y_and_its_z(app):
    page = open_games(app, CIRCLE3D)
    assert page.evaluate("window.__bp.data().d") == 3
    page.locator("#kd-z").fill(str(Z))
    page.wait_for_function(f"window.__bp.frame().z === {Z}", timeout=20_000)
    page.select_option("#games-backdoor", "poisoning")
    page.fill("#games-queries", "4")
    new_round(page)
    expect(page.locator("#games-click-hint")).to_contain_text("slice")

    # while the checksum panel owns the picks a click on the plot picks a test point near the slice: no query
    test = page.evaluate("window.__bp.data().test")
    near = next(test[i:i + 3] for i in range(0, len(test), 4) if abs(test[i + 2] - Z) <= 1)
    page.locator("#backdoor-panel .column-title").first.click()
    click_heatmap(page, near[0], near[1])
    expect(page.locator("#bd-picked-count")).to_have_text("1")

    # the games panel owns the picks again: the same click queries (x, y) at the slice's z
    page.locator(f"{PANEL} #games-status").click()
    click_heatmap(page, 2.0, -1.0)
    answered(page, 1)
    x, y, z = row_point(page, 1)
    assert z == Z, "the query is on the slice"
    assert abs(x - 2.0) < 0.1 and abs(y + 1.0) < 0.1, (x, y)
    assert page.get_attribute(PANEL, "data-left") == "3", "the checksum's pick spent no query"
    rows = page.locator("#games-answers tbody tr")
    assert rows.first.locator("td").count() == 6, "both models' label and raw output, as for a typed query"
    expect(page.locator("#bd-picked-count")).to_have_text("1")

    # the game's own plot is the slice too; its caption says which
    expect(page.locator("#games-plot-a")).to_be_visible()
    assert f"z = {Z}" in page.text_content(f"{PANEL} .gm-plot .gm-caption")
    canvas = page.locator("#games-plot-a")
    box = canvas.bounding_box()
    canvas.click(position={"x": (-3.0 + 6) / 12 * box["width"], "y": (6 - 4.0) / 12 * box["height"]})
    answered(page, 2)
    x, y, z = row_point(page, 2)
    assert z == Z and abs(x + 3.0) < 0.1 and abs(y - 4.0) < 0.1, (x, y, z)

    # typed points keep working, at any z
    page.fill("#games-point", "1, 2, 3")
    page.press("#games-point", "Enter")
    answered(page, 3)
    assert row_point(page, 3) == [1.0, 2.0, 3.0]
    assert page.get_attribute(PANEL, "data-left") == "1"
    shots(page, "kd-circle3d", (PANEL, ".plot-frame"))

    # the trigger game: its plot zooms on the given point; with the slice moved to the point's height, a click
    # inside the square queries there
    page.select_option("#games-mode", "trigger")
    page.fill("#games-radius", "0.5")
    new_round(page)
    px, py, pz = map(float, page.get_attribute(PANEL, "data-point").split(","))
    expect(page.locator("#games-click-hint")).to_contain_text(f"z = {pz:.2f}")
    zs = round(max(-6.0, min(6.0, pz)), 1)
    page.locator("#kd-z").fill(str(zs))
    page.wait_for_function(f"window.__bp.frame().z === {zs}", timeout=20_000)
    expect(page.locator(f"{PANEL} .gm-caption").first).to_contain_text(f"z = {zs}")
    half = 4 * 0.5
    canvas.click(position={"x": (0.2 + half) / (2 * half) * box["width"], "y": (half + 0.1) / (2 * half) * box["height"]})
    answered(page, 1)
    x, y, z = row_point(page, 1)
    assert z == zs and abs(x - (px + 0.2)) < 0.05 and abs(y - (py - 0.1)) < 0.05, (x, y, z)
    shots(page, "kd-circle3d-trigger", (PANEL,))


def test_digits_a_click_on_a_test_image_queries_its_pixels(app):
    page = open_games(app, DIGITS)
    assert page.evaluate("window.__bp.data().d") == 64
    page.wait_for_selector("#kd-digits .digit-cell")
    page.select_option("#games-backdoor", "poisoning")
    page.fill("#games-queries", "3")
    new_round(page)
    expect(page.locator("#games-click-hint")).to_contain_text("test image")
    expect(page.locator(f"{PANEL} .gm-plots")).to_be_hidden()  # no plane to draw

    index = 3
    page.click(f'#kd-digits .digit-cell[data-index="{index}"]')
    answered(page, 1)
    row = page.locator("#games-answers tbody tr").first
    assert row.get_attribute("data-image") == str(index)
    test = page.evaluate("window.__bp.data().test")
    assert row_point(page, 1) == test[index * 65: index * 65 + 64], "the query is that test image's 64 pixels"
    assert f"test image {index}" in row.locator("td").nth(1).text_content()
    assert row.locator("td").count() == 6
    assert page.get_attribute(PANEL, "data-left") == "2"
    # the queried image is marked in the grid, and only it (the backdoor panels picked nothing)
    marked = page.eval_on_selector_all("#kd-digits .digit-cell[data-mark]", "(cs) => cs.map((c) => c.dataset.index)")
    assert marked == [str(index)]
    # a second image, then a new round clears the marks
    page.click('#kd-digits .digit-cell[data-index="7"]')
    answered(page, 2)
    expect(page.locator("#kd-digits .digit-cell[data-mark]")).to_have_count(2)
    shots(page, "kd-digits", (PANEL, "#kd-digits"))
    new_round(page)
    marks = page.locator("#kd-digits .digit-cell[data-mark]")
    expect(marks).to_have_count(0)
    # new test data: the marks named other images, so they go
    page.click('#kd-digits .digit-cell[data-index="2"]')
    answered(page, 1)
    expect(marks).to_have_count(1)
    page.click("#data-regen-button")
    page.wait_for_function("(t) => window.__bp.data().test.slice(0, t.length).some((v, i) => v !== t[i])",
                           arg=test[:650], timeout=20_000)
    expect(marks).to_have_count(0)

