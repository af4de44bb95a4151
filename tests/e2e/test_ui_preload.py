"""The page's first modules are hinted: build.py lists every module main.js imports statically as a modulepreload link,
so the browser fetches them at once instead of one import level at a time (ui_visible_ms in the benchmark)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from conftest import DIST


def hinted_modules() -> set[str]:
    return set(re.findall(r'<link rel="modulepreload" href="(js/[^"]+)">', (DIST / "index.html").read_text()))


def test_every_module_loaded_before_the_layout_shows_is_hinted(page, site_url, problems):
    hinted = hinted_modules()
    assert "js/app/main.js" in hinted and all((DIST / m).is_file() for m in hinted)
    page.goto(site_url)
    page.wait_for_function("performance.getEntriesByName('bp-ui-visible').length === 1")
    loaded = page.evaluate("""() => {
        const visible = performance.getEntriesByName('bp-ui-visible')[0].startTime;
        return performance.getEntriesByType('resource')
            .filter((e) => e.startTime < visible && /\\/js\\/.+\\.js$/.test(new URL(e.name).pathname))
            .map((e) => new URL(e.name).pathname.slice(1));
    }""")
    # theme-init.js and embed-init.js are classic scripts that build.py writes into the page: not modules, not fetched
    modules = {m for m in loaded if m not in ("js/ui/theme-init.js", "js/embed/embed-init.js")}
    assert len(modules) >= 20, loaded  # the layout's modules really were loaded and seen
    assert modules <= hinted, f"loaded before the layout showed but not hinted: {sorted(modules - hinted)}"


LATER = ("js/widgets/scatter3d.js", "js/widgets/digits.js", "js/widgets/confusion.js", "js/ui/files.js",
         "js/app/load-panels.js")


def fetched(page) -> dict[str, float]:
    """Each page module fetched so far, with when it was asked for, relative to bp-ui-visible."""
    return page.evaluate("""() => {
        const visible = performance.getEntriesByName('bp-ui-visible')[0].startTime;
        return Object.fromEntries(performance.getEntriesByType('resource')
            .filter((e) => /\\/js\\/.+\\.js$/.test(new URL(e.name).pathname))
            .map((e) => [new URL(e.name).pathname.slice(1), e.startTime - visible]));
    }""")


def test_the_first_screen_leaves_what_it_does_not_show_for_later(page, site_url, problems):
    """The 3-D scatter, the digits grid, the confusion matrix, the file buttons' code, the panel loader and the panels'
    styles are not part of the first screen: the file buttons' code comes right after it, the panels and their styles
    after ready, the views beyond the plane only when a data set needs them, and then they draw."""
    hinted = hinted_modules()
    assert not hinted & set(LATER)
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.panels === '1'", timeout=90_000)
    seen = fetched(page)
    assert all(seen[m] >= 0 for m in ("js/ui/files.js", "js/app/load-panels.js")), seen
    # the panels' styles too: a disabled link until the panels load after ready, then applied (a card's border)
    asked = page.evaluate("""() => {
        const ready = performance.getEntriesByName('bp-ready')[0].startTime;
        const e = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/css/panels.css'));
        return e ? e.startTime - ready : null;
    }""")
    assert asked is not None and asked >= 0, asked
    assert page.evaluate("document.getElementById('panel-styles').disabled") is False
    assert page.evaluate("getComputedStyle(document.querySelector('#backdoor-panel .card')).borderTopWidth") == "1px"
    assert not {"js/widgets/scatter3d.js", "js/widgets/digits.js", "js/widgets/confusion.js"} & set(seen), seen
    # the file buttons work once their code is in (Download asks Python for the points)
    with page.expect_download() as download:
        page.click("#csv-download")
    assert download.value.suggested_filename.endswith(".csv")
    page.click('#kd-thumbs [data-dataset="circle3d"]')
    page.wait_for_function("document.body.dataset.kd === '3x2'", timeout=30_000)
    page.wait_for_selector("#kd-scatter canvas.scatter3d", state="visible", timeout=30_000)
    assert {"js/widgets/scatter3d.js", "js/widgets/digits.js", "js/widgets/confusion.js"} <= set(fetched(page))


def test_views_that_fail_to_load_say_so_once_and_the_playground_keeps_working(page, site_url, problems):
    """The 3-D scatter's module cannot be fetched (a dropped connection): one notice says what is missing and what to
    do; the 3-D playground still trains and reports its numbers."""
    problems.allow("net::ERR_FAILED")  # the browser logs the failed fetch
    page.route("**/js/widgets/scatter3d.js", lambda route: route.abort())
    page.goto(site_url + "#dataset=circle3d&z=true&seed=lazy")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=90_000)
    notice = page.locator("#notices li.notice", has_text="views did not load")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("reload the page")
    assert page.locator("#kd-scatter canvas").count() == 0
    page.click("#next-step-button")
    page.wait_for_function("window.__bp.frame().epoch >= 1", timeout=30_000)
    assert page.evaluate("window.__bp.frame().acc_test") is not None
    page.fill("#kd-z", "2")  # the slice still moves (its picture waits for no scatter)
    page.wait_for_function("window.__bp.frame().z === 2", timeout=20_000)
    expect(notice).to_have_count(1)  # said once, not at every frame


def test_panels_without_their_styles_say_so_and_still_work(page, site_url, problems):
    """css/panels.css cannot be fetched: one notice says so, and the panels load and work unstyled."""
    problems.allow("net::ERR_FAILED")
    page.route("**/css/panels.css", lambda route: route.abort())
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.panels === '1'", timeout=90_000)
    expect(page.locator("#notices li.notice", has_text="styles did not load")).to_have_count(1)
    page.click("#bd-plant")  # the checksum panel works unstyled
    page.wait_for_function("document.querySelector('#bd-remove') && !document.querySelector('#bd-remove').disabled", timeout=30_000)
