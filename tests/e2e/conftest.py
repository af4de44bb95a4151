"""Playwright fixtures: the *built* site served on 127.0.0.1, Chromium with no way out, and a page that fails its
test on any console error, page error or request that leaves 127.0.0.1.

Fixtures: `app` (open the page with a hash, wait for Python), `problems`, `site_url`, and `trained_model` (a model
file trained by the CPython package, made once per session). Helpers: `settle`, `train_until_fit` (trains in the
page), `fit_from_cpython` and `import_model` (start from a trained model without training in the page: for tests
that do not test training; keep one test per view that trains), `plant`, `swap_checksum_for_signature`, `pick_test_points`, `screenshot`, ...
Time: a page boot costs seconds, training in the page tens of seconds on a busy machine."""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402  (the same server `python3 build.py serve` uses)

DIST = Path(os.environ.get("BP_DIST", ROOT / "dist"))
# Not under test-results/: pytest-playwright empties that folder at the start of every session, even a session
# that runs no browser test (`python3 build.py test tests/py`).
SHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
VIEWPORT = {"width": 1400, "height": 1000}


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
    # Playwright's wait_for_function evaluates its predicate with eval(), which the page's Content-Security-Policy
    # forbids; these tests bypass the policy, and test_ui_csp.py runs the page under it (without string predicates).
    return {**browser_context_args, "viewport": VIEWPORT, "bypass_csp": True}


# Auto-retrying assertions (expect(...)) wait as long as the page's own waits do: the machine may be busy.
expect.set_options(timeout=20_000)


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


# ---------------------------------------------------------------- helpers the panel tests share

EPOCH_JS = "Number(document.querySelector('#iter-number').textContent.replace(/,/g, ''))"
# Circle data, one hidden layer of 4 ReLUs: NIST's digit-edit setting (nist-reference §2.4). This seed trains to a
# low test loss within a few hundred epochs, and its digit edits move points by ~1e-7 whatever epoch training
# stops at between 200 and 700 (checked in CPython).
FLOW_HASH = "dataset=circle&networkShape=4&activation=relu&seed=42"


def value(page, selector: str) -> float:
    """A number a panel shows, read from its data-value attribute (the text is formatted)."""
    return float(page.get_attribute(selector, "data-value"))


def wait_text(page, selector: str, text: str, timeout: float = 20_000) -> None:
    page.wait_for_function("([sel, text]) => (document.querySelector(sel)?.textContent || '').includes(text)",
                           arg=[selector, text], timeout=timeout)


def set_field(page, selector: str, text: str) -> None:
    """Type a value and commit it (change event), as a user does with Tab."""
    page.fill(selector, text)
    page.press(selector, "Tab")


def settle(page, timeout: float = 30_000) -> None:
    """Wait until the worker has answered every request the page sent before this one (the training chunk in
    flight, if any) and the page has painted what came back.

    window.__bp.call queues behind the chunk in flight (Player.exclusive) and `info` changes nothing; the frame of
    that chunk is drawn in an animation-frame callback registered before ours, so it has run when ours runs."""
    page.evaluate("""async (ms) => {
        const late = new Promise((_, reject) => setTimeout(() => reject(new Error(`no reply from the worker within ${ms} ms`)), ms));
        await Promise.race([window.__bp.call('info'), late]);
        await new Promise((resolve) => requestAnimationFrame(resolve));
    }""", timeout)


def train_until_fit(page, min_epochs: int = 300, max_loss: float = 0.03, timeout: float = 90_000) -> None:
    """Play until at least min_epochs ran and the test loss is below max_loss, then pause."""
    page.click("#play-pause-button")
    page.wait_for_function(
        f"{EPOCH_JS} >= {min_epochs} && Number(document.querySelector('#loss-test').textContent) < {max_loss}",
        timeout=timeout)
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    settle(page)  # the chunk in flight lands and is drawn


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory):
    """A factory for tests that need a trained model but do not test training: `trained_model(hash_, accuracy=...,
    min_epochs=..., max_loss=...)` is the path of a model file of the page's `hash_` trained by the CPython package
    (the code the page runs, same seeds: the weights the page has after as many epochs) until the test accuracy
    reaches `accuracy`, at least `min_epochs` ran and the test loss is below `max_loss` (checked every `every`
    epochs). Made once per session and arguments. Open the page with the same hash, then `import_model` (or use
    `fit_from_cpython`). Keep one test per view that trains in the page itself."""
    from backdoor_playground.playground import config as cfg
    from backdoor_playground.session import Session

    made: dict[tuple, Path] = {}

    def make(hash_: str, accuracy: float = 0.0, min_epochs: int = 0, max_loss: float = math.inf, every: int = 5,
             max_epochs: int = 5000) -> Path:
        key = (hash_, accuracy, min_epochs, max_loss, every)
        if key not in made:
            config, notices = cfg.from_hash(hash_)
            assert not notices, notices
            s = Session(config)

            def fit() -> bool:
                frame = s.frame()
                return s.epoch >= min_epochs and frame["acc_test"] >= accuracy and frame["loss_test"] < max_loss

            while not fit():
                assert s.epoch < max_epochs, f"{hash_} does not fit within {max_epochs} epochs"
                s.train(epochs=every)
            path = tmp_path_factory.mktemp("models") / "model.json"
            path.write_text(json.dumps(s.export_model()))
            made[key] = path
        return made[key]

    return make


def import_model(page, path: Path) -> None:
    """Load a model file through the page's "Import model" and wait until its epoch count shows and is drawn."""
    epoch = json.loads(path.read_text())["epoch"]
    page.set_input_files("#model-import", str(path))
    page.wait_for_function(f"{EPOCH_JS} === {epoch}")
    settle(page)


def fit_from_cpython(page, trained_model, hash_: str, min_epochs: int = 300, max_loss: float = 0.03) -> None:
    """Where train_until_fit ends, without training in the page: the page (opened with `hash_`) imports the model
    the CPython package trained with `hash_` until at least min_epochs ran and the test loss is below max_loss; the
    page then shows both."""
    import_model(page, trained_model(hash_, min_epochs=min_epochs, max_loss=max_loss))
    assert page.evaluate(EPOCH_JS) >= min_epochs
    assert float(page.text_content("#loss-test")) < max_loss


def plant(page) -> None:
    """Plant the checksum backdoor from the backdoor panel and wait for its stats."""
    page.click("#bd-plant")
    page.wait_for_selector("#bd-agreement")


def swap_checksum_for_signature(page) -> None:
    """Remove the planted checksum, install the signature block and activate it on every test point: every point
    attempted is accepted, some flip, and the agreement with the clean model is exactly 100 %."""
    page.click("#bd-remove")
    page.wait_for_function("document.getElementById('backdoor-panel').dataset.planted === '0'")
    page.click("#sg-install")
    page.wait_for_selector("#sg-agreement")
    page.click("#sg-activate")
    page.wait_for_selector("#sg-flipped")
    assert int(value(page, "#sg-accepted")) == int(value(page, "#sg-attempted")) > 0
    page.wait_for_function("document.querySelector('#sg-agreement')?.dataset.value === '1'")
    expect(page.locator("#sg-agreement")).to_have_text("100.0%")


def pick_test_points(page, indices: list[int], counter: str) -> None:
    """Click the output plot on the given (not yet picked) test points; after each click, wait until the picking
    panel's count (`counter`, e.g. "#bd-picked-count") has gone up by one."""
    test = page.evaluate("window.__bp.data().test")
    page.locator("#heatmap").scroll_into_view_if_needed()
    box = page.locator("#heatmap canvas.heatmap-overlay").bounding_box()
    start = int(page.text_content(counter))
    for n, i in enumerate(indices, start=1):
        x, y = test[3 * i], test[3 * i + 1]
        page.mouse.click(box["x"] + (x + 6) / 12 * box["width"], box["y"] + (6 - y) / 12 * box["height"])
        expect(page.locator(counter)).to_have_text(str(start + n))


def wait_downloads(page, downloads: list, n: int, timeout: float = 20_000) -> None:
    """Wait until `downloads` (filled by a page.on("download") listener) holds n downloads. Playwright delivers
    events only while a call runs, so no download can slip between the check and the wait."""
    while len(downloads) < n:
        page.wait_for_event("download", timeout=timeout)


# ---------------------------------------------------------------- one booted page shared by a module's tests

def _watch(context, page, current: dict) -> None:
    """The `problems` fixture's checks on a page that outlives one test: every event goes to current["seen"]."""

    def route(r):
        url = r.request.url
        current["seen"].requests.append(url)
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            current["seen"].blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: current["seen"].errors.append(f"console.{m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: current["seen"].errors.append(f"pageerror: {e}"))
    page.on("crash", lambda _: current["seen"].errors.append("page crashed"))


def _check(seen: PageProblems, when: str) -> None:
    assert seen.blocked == [], f"requests left 127.0.0.1 ({when}): {seen.blocked}"
    assert seen.unexpected() == [], f"console/page errors ({when}):\n" + "\n".join(seen.unexpected())


@pytest.fixture(scope="module")
def shared_page(browser, browser_context_args, site_url):
    """One page per test module, booted once (a Pyodide boot costs seconds of both cores): for tests that neither
    crash the worker, nor reload, nor test the boot. Use it through `shared_app` and `shared_problems`."""
    current = {"seen": PageProblems()}
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    _watch(context, page, current)
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.panels === '1' || !!document.body.dataset.error", timeout=60_000)
    assert not page.evaluate("document.body.dataset.error || ''"), "the shared page did not boot"
    _check(current["seen"], "booting the shared page")
    yield page, current
    context.close()


@pytest.fixture
def shared_problems(shared_page):
    """What `problems` is for a fresh page, for the shared page during this test only (the boot's and earlier
    tests' are checked by them); checked when the test ends. What happens between two tests is checked by the
    next one."""
    _, current = shared_page
    _check(current["seen"], "between the previous test and this one")
    seen = PageProblems()
    current["seen"] = seen
    yield seen
    current["seen"] = PageProblems()  # from here on: between tests
    _check(seen, "this test")


@pytest.fixture
def shared_app(shared_page, shared_problems):
    """`app` on the module's shared page: `shared_app(hash_)` puts the page back to the state a fresh page opened
    with `hash_` has, without booting Python again, and returns the page.

    The page rebuilds its playground from the link on `hashchange` (main.js: rebuild(API.init)); the hash is set
    with replaceState and the event sent by hand, so the same link twice rebuilds too. Before that, what outlives a
    rebuild is put back: training paused, notices dismissed (as their close button does), the mouse off the
    diagram (no hovered node), no focused element, the viewport, the colour scheme, no theme choice stored,
    scrolled to the top. It waits for the new snapshot (window.__bp.model() is a new object) to be applied and
    drawn. What a panel keeps on screen across a new playground is the module's to clear (clear_calculator_outputs).
    Tests that crash the worker, reload or test the boot keep `app` (a page of their own)."""
    page, _ = shared_page

    def open_app(hash_: str = "", timeout: float = 60_000):
        if page.evaluate("document.body.classList.contains('playing')"):
            page.click("#play-pause-button")
        page.wait_for_function("!document.body.classList.contains('playing')")
        page.keyboard.press("Escape")
        page.mouse.move(0, 0)
        page.set_viewport_size(VIEWPORT)
        page.emulate_media(color_scheme="light")
        settle(page, timeout)
        page.evaluate("""(hash) => {
            localStorage.removeItem('bp-theme');
            if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
            for (const li of document.querySelectorAll('#notices li.notice')) li.remove();
            window.scrollTo(0, 0);
            window.__e2eModel = window.__bp.model();
            history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search);
            window.dispatchEvent(new HashChangeEvent('hashchange'));
        }""", hash_.lstrip("#"))
        page.wait_for_function("window.__bp.model() !== window.__e2eModel", timeout=timeout)
        settle(page, timeout)
        assert page.evaluate("window.__bp.frame().hover == null"), "a node is still hovered"
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        error = page.evaluate("document.body.dataset.error || ''")
        assert not error, f"the page reported a fatal error: {error}"
        return page

    return open_app


def clear_calculator_outputs(page) -> None:
    """Empty the calculator panel's result areas, as a fresh page has them: the analyses' outputs and the saved
    files' links outlive a new playground (the panel leaves the last result up), and a test on a shared page that
    waits for its result must not find the one an earlier test left."""
    page.evaluate("""() => { for (const e of document.querySelectorAll(
        '#calculator-panel .calc-out, #calc-file-links')) e.replaceChildren(); }""")
