"""Playwright fixtures: the *built* site served on 127.0.0.1, Chromium with no way out, and a page that fails its
test on any console error, page error or request that leaves 127.0.0.1."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402  (the same server `python3 build.py serve` uses)

DIST = Path(os.environ.get("BP_DIST", ROOT / "dist"))
SHOTS = ROOT / "test-results" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.cpython_only)


@pytest.fixture(scope="session")
def site_url():
    if not (DIST / "index.html").exists():
        pytest.fail(f"{DIST} has no built site: run `python3 build.py test` (it builds first)")
    server = build.make_server(DIST, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if os.environ.get("CHROMIUM"):
        args["executable_path"] = os.environ["CHROMIUM"]
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


class PageProblems:
    """Console errors, page errors and off-origin requests seen during one test."""

    def __init__(self):
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.requests: list[str] = []
        self.allowed_errors: list[str] = []

    def allow(self, fragment: str) -> None:
        """Expect a console error containing `fragment` (tests of error handling)."""
        self.allowed_errors.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed_errors)]


@pytest.fixture
def problems(context, page):
    seen = PageProblems()

    def route(r):
        url = r.request.url
        seen.requests.append(url)
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            seen.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: seen.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(f"pageerror: {e}"))
    page.on("crash", lambda _: seen.errors.append("page crashed"))
    yield seen
    assert seen.blocked == [], f"requests left 127.0.0.1: {seen.blocked}"
    assert seen.unexpected() == [], "console/page errors:\n" + "\n".join(seen.unexpected())


@pytest.fixture
def app(page, site_url, problems):
    """Open the playground (optionally with a hash) and wait until Python is ready."""

    def open_app(hash_: str = "", timeout: float = 60_000):
        page.goto(site_url + ("#" + hash_.lstrip("#") if hash_ else ""))
        page.wait_for_function("document.body.dataset.panels === '1' || !!document.body.dataset.error",
                               timeout=timeout)
        error = page.evaluate("document.body.dataset.error || ''")
        assert not error, f"the page reported a fatal error: {error}"
        return page

    return open_app


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
