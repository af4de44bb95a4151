"""Tier 3, layout (issue 12): the page fits 1440/1280/1024/768 px wide in the light and the dark theme, the output
plot stays in view beside the panels, text is readable, the controls are reachable by keyboard with a visible
focus ring, axe finds nothing serious; the whole layout draws before Python is ready; the notices.

Most tests share one booted page (conftest's `shared_app`); the theme toggle (it reloads), the keyboard walk (a
click on a shared page would move where Tab starts) and the boot test keep their own."""

from __future__ import annotations

import re

import pytest

from conftest import EPOCH_JS, ROOT, screenshot, settle

WIDTHS = (1440, 1280, 1024, 768)
# Wide enough for the docked plot: at 768 px the plot sits beside the data column at the top and does not dock
# (a 324 px plot would cover half of a short screen); the panels follow the network.
DOCKED = (1440, 1280, 1024)
# Buttons a user presses in a panel and whose effect shows on the plot.
PANEL_BUTTONS = ("#bd-activate", "#sg-install", "#defense-panel button.card-primary")

# Every visible element that is neither the plot nor holds it, whose box meets the plot's box.
OVERLAPS_JS = """() => {
    const plot = document.querySelector('#heatmap');
    const p = plot.getBoundingClientRect();
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        if (el.contains(plot) || plot.contains(el) || el.closest('#plot-loading')) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none' || el.closest('[hidden]')) continue;
        for (const r of el.getClientRects()) {
            const w = Math.min(r.right, p.right) - Math.max(r.left, p.left);
            const h = Math.min(r.bottom, p.bottom) - Math.max(r.top, p.top);
            if (r.width > 0 && r.height > 0 && w > 0.5 && h > 0.5) {
                out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`);
                break;
            }
        }
    }
    return out;
}"""

# Visible text smaller than 12 px: elements with a non-empty text node of their own.
SMALL_TEXT_JS = """() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own || !el.getClientRects().length) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || el.closest('.visually-hidden')) continue;
        const size = parseFloat(style.fontSize);
        if (size < 12) out.push(`${el.tagName.toLowerCase()}.${el.className}: ${size}px "${el.textContent.trim().slice(0, 30)}"`);
    }
    return out;
}"""

IN_VIEW_JS = """() => {
    const r = document.querySelector('#heatmap').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
}"""


def open_themed(app, page, scheme: str, width: int, hash_: str = "seed=layout"):
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    app(hash_)
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    return page


def open_shared(shared_app, scheme: str, width: int, hash_: str = "seed=layout"):
    """open_themed on the module's shared page: the link opened as a hash change, then the width and the scheme
    (the theme follows the system's scheme while no choice is stored)."""
    page = shared_app(hash_)
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    page.wait_for_function("(t) => document.documentElement.dataset.theme === t", arg=scheme)
    settle(page)
    return page


WRAPPED_LABELS_JS = """[...document.querySelectorAll('.metric-label')]
  .filter((el) => el.getClientRects().length > 1
    || el.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(el).fontSize))
  .map((el) => el.textContent)"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_layout_fits_every_width(shared_app, scheme):
    page = open_shared(shared_app, scheme, 1440)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("window.scrollTo(0, 0)")
        settle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"horizontal scroll at {width} px"
        assert page.evaluate(OVERLAPS_JS) == [], f"something overlaps the plot at {width} px"
        assert page.evaluate(SMALL_TEXT_JS) == [], f"text under 12 px at {width} px"
        # issue 12 #9: "Training accuracy" wrapped; every output metric's label stays on one line
        assert page.evaluate(WRAPPED_LABELS_JS) == [], f"a metric label wraps at {width} px"
        screenshot(page, f"layout-{width}-{scheme}")
        data = page.locator(".data-column").bounding_box()
        plot = page.locator("#heatmap").bounding_box()
        net = page.locator("#network").bounding_box()
        if width in DOCKED:
            # Three columns, the plot on the right; it stays in view while a panel's button is used.
            assert data["x"] < net["x"] < plot["x"]
            for button in PANEL_BUTTONS:
                page.locator(button).first.scroll_into_view_if_needed()
                assert page.evaluate(IN_VIEW_JS), f"the plot is out of view at {button} ({width} px)"
                assert page.evaluate(OVERLAPS_JS) == [], f"something overlaps the plot at {button} ({width} px)"
            page.locator("#bd-activate").scroll_into_view_if_needed()
            page.screenshot(path=str(ROOT / "screenshots" / f"layout-{width}-{scheme}-at-activate.png"))
        else:
            # Stacked: data and the plot side by side at the top, the network below them, then the panels.
            assert data["x"] < plot["x"] and plot["y"] < net["y"]
            assert net["y"] + net["height"] <= page.locator("#backdoor-panel").bounding_box()["y"] + 1


def test_dark_theme_toggle_is_remembered(app, page):
    open_themed(app, page, "light", 1280)
    page.click("#theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.get_attribute("#theme-toggle", "aria-pressed") == "true"
    assert page.evaluate("localStorage.getItem('bp-theme')") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.reload()  # the theme is set before the first paint: no need to wait for Python
    page.wait_for_function("performance.getEntriesByName('bp-ui-visible').length === 1")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background != "rgb(255, 255, 255)"
    # The plot keeps TF Playground's colours on its white paper.
    assert page.evaluate("getComputedStyle(document.querySelector('.heatmap-plot')).backgroundColor") == "rgb(255, 255, 255)"
    page.click("#theme-toggle")  # back to the system's (light) theme: the choice is forgotten
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate("localStorage.getItem('bp-theme')") is None


def test_keyboard_reaches_the_main_controls_with_a_visible_focus_ring(app, page):
    open_themed(app, page, "light", 1280)
    page.evaluate("document.activeElement && document.activeElement.blur()")  # Tab starts at the top
    seen: dict[str, str] = {}
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            return {key: el.id || el.dataset.dataset || el.className, ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? 'ring' : s.outlineStyle + ' ' + s.outlineWidth};
        }""")
        seen[info["key"]] = info["ring"]
    for key in ("theme-toggle", "reset-button", "play-pause-button", "next-step-button", "learningRate", "circle",
                "noise", "data-regen-button", "show-test-data"):
        assert seen.get(key) == "ring", f"{key}: {seen.get(key)} (reached: {list(seen)})"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations(shared_app, scheme):
    page = open_shared(shared_app, scheme, 1280)
    page.evaluate((ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text() + "\n;0")
    violations = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
    }""")
    assert violations == []


def test_the_layout_draws_before_python_and_early_settings_apply(page, site_url, problems):
    held, released = [], []

    def hold(route):  # the runtime (in its content-hashed folder) waits until the test lets it through
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/pyodide.asm.wasm", hold)  # the page's preload hint and the worker both ask for it
    page.goto(site_url + "#networkShape=3&xTimesY=true&seed=early")
    page.wait_for_function("performance.getEntriesByName('bp-ui-visible').length === 1")
    assert page.evaluate("document.body.dataset.ready") is None
    # Every thumbnail has points, the network has its shape from the link, the plot says what is loading.
    assert page.locator("#dataset-thumbs canvas").count() == 8
    assert page.evaluate("""() => [...document.querySelectorAll('#dataset-thumbs canvas')].every((c) =>
        c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v) => v > 0))""")
    assert page.locator(".net-node.net-hidden").count() == 3
    assert page.locator(".net-feature:not(.disabled)").count() == 3
    page.wait_for_function("/Loading .*runtime/.test(document.querySelector('#plot-loading-text').textContent)")
    assert page.is_visible("#plot-loading")
    screenshot(page, "layout-loading")
    # Settings made now are drawn now and applied once Python is ready.
    page.click('#dataset-thumbs [data-dataset="xor"]')
    assert "selected" in page.get_attribute('#dataset-thumbs [data-dataset="xor"]', "class")
    page.select_option("#learningRate", "0.1")
    page.click("#add-layers")
    assert page.locator(".net-node.net-hidden").count() == 5
    assert page.evaluate("performance.getEntriesByName('bp-ui-visible')[0].startTime") < 3000
    while not held:  # the request for the runtime, held since the start
        page.wait_for_event("request", timeout=60_000)
    released.append(True)
    for route in held:
        route.continue_()
    page.wait_for_function("document.body.dataset.panels === '1'", timeout=90_000)
    settle(page)
    config = page.evaluate("window.__bp.config()")
    assert (config["dataset"], config["learningRate"], config["networkShape"]) == ("xor", 0.1, [3, 2])
    assert not page.is_visible("#plot-loading")


BAD_LINK = ("learningRate=70&networkShape=9,9,9,9,9,9,9,9&noise=2000&seed=%25ZZ&activation=bogus&batchSize=x"
            "&percTrainData=200&activations=bogus")


def test_a_bad_link_gives_one_notice_listing_every_key(shared_app):
    page = shared_app(BAD_LINK)
    notices = page.locator("#notices li.notice")
    assert notices.count() == 1
    items = page.locator("#notices .notice-list li")
    assert items.count() == 8
    keys = page.locator("#notices .notice-key").all_text_contents()
    assert keys == ["learningRate", "networkShape", "noise", "seed", "activation", "batchSize", "percTrainData",
                    "activations"]
    used = page.locator("#notices .notice-used").all_text_contents()
    assert all(u.strip() for u in used) and used[0] == "0.03"
    assert not re.search(r"using\s*$", page.text_content("#notices li.notice"), re.M)
    plot = page.locator("#heatmap").bounding_box()
    box = notices.first.bounding_box()
    assert box["y"] >= plot["y"] + plot["height"]  # under the plot, not over it
    page.click("#notices .notice-close")
    assert page.locator("#notices li.notice").count() == 0


def test_the_divergence_notice_clears_when_training_is_healthy(shared_app):
    page = shared_app("learningRate=3&problem=regression&activation=linear&networkShape=8,8&seed=1")
    page.click("#play-pause-button")
    page.wait_for_selector('#notices li.error[data-key="diverged"]')
    page.wait_for_function("!document.body.classList.contains('playing')")
    page.select_option("#learningRate", "0.03")
    settle(page)
    page.click("#reset-button")
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} === 1")
    assert page.locator('#notices li[data-key="diverged"]').count() == 0


def test_a_saturated_output_is_named_and_clears_after_a_reset(shared_app):
    page = shared_app("learningRate=10&seed=1&dataset=circle")
    page.click("#play-pause-button")
    page.wait_for_selector('#notices li[data-key="saturated"]', timeout=60_000)
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    assert "saturated" in page.text_content('#notices li[data-key="saturated"]')
    page.select_option("#learningRate", "0.03")
    settle(page)
    page.click("#reset-button")
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} === 1")
    assert page.locator('#notices li[data-key="saturated"]').count() == 0
