"""Embed mode and the postMessage scripting API (docs/EMBED.md): each part of the page alone, before Python is
ready and after; the demo page driving the playground through every kind of request; messages from an origin the
embedder did not allow are ignored, malformed ones get an error reply and the page keeps training."""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import quote

import build
import pytest
from playwright.sync_api import expect

from conftest import FLOW_HASH, ROOT, SHOTS, screenshot

PARTS = {"plot": ".output-column", "network": "#network", "panel:calculator": "#calculator-panel",
         "panel:checksum": "#backdoor-panel", "panel:signature": "#signature-panel",
         "panel:defense": "#defense-panel", "panel:matrix": "#matrix-panel", "panel:studies": "#studies-panel",
         "panel:games": "#games-panel"}
# What no part shows: the header's text, the data column, the training settings of the top bar, the footer.
NEVER = [".masthead-text", ".data-column", ".ui-learningRate", ".top-actions", ".footer"]
WIDTHS = (1280, 768, 360, 320)  # screenshots at each; 320 px: the narrowest frame the parts must fit


def screenshot_path(name: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"


def method_table(page) -> dict:
    return page.evaluate("async () => (await import(location.origin + '/js/embed/methods.js')).METHODS")


def test_the_embed_doc_documents_every_method_and_argument(page, site_url, problems):
    page.goto(site_url + "js/embed/methods.js")  # any document of the site's origin: the table is a module
    table = method_table(page)
    doc = (ROOT / "docs" / "EMBED.md").read_text()
    assert len(table) >= 9
    for name, spec in table.items():
        section = re.search(rf"^### `{name}`\n(.*?)(?=^### |\Z)", doc, re.S | re.M)
        assert section, f"docs/EMBED.md has no section for {name}"
        for arg in spec["args"]:
            assert f"`{arg}`" in section.group(1), f"docs/EMBED.md's {name} does not describe its argument {arg}"


def test_each_part_shows_alone_from_the_first_paint_and_fits(page, site_url, problems):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url + "#" + FLOW_HASH + "&embed=panel:defense", wait_until="domcontentloaded")
    # before Python: the layout is the part's already (the early script, not the worker, decides it)
    early = page.evaluate("""() => ({ready: document.body.dataset.ready || null, embed: document.documentElement.dataset.embed,
        shown: document.querySelector('.embed-shown')?.id || null,
        data: getComputedStyle(document.querySelector('.data-column')).display,
        others: getComputedStyle(document.querySelector('#backdoor-panel')).display})""")
    assert early == {"ready": None, "embed": "panel", "shown": "defense-panel", "data": "none", "others": "none"}
    page.wait_for_selector("body[data-panels='1']", timeout=90_000)
    for part, selector in PARTS.items():
        page.evaluate("(hash) => { location.hash = hash; }", FLOW_HASH + "&embed=" + part)
        kind = "panel" if part.startswith("panel:") else part
        expect(page.locator("html")).to_have_attribute("data-embed", kind)
        expect(page.locator(selector)).to_be_visible()
        if kind == "panel":
            expect(page.locator(".embed-shown")).to_have_count(1)
            expect(page.locator(selector)).to_have_class(re.compile(r"\bembed-shown\b"))
            expect(page.locator(selector)).not_to_be_empty()
        for other_selector in PARTS.values():
            if other_selector != selector:
                expect(page.locator(other_selector)).to_be_hidden()
        for hidden in NEVER:
            expect(page.locator(hidden)).to_be_hidden()
        expect(page.locator(".masthead")).to_be_hidden()  # Python is ready: the header has nothing to say
        expect(page.locator("#play-pause-button")).to_be_visible()
        link = page.locator("#embed-open")
        expect(link).to_be_visible()
        assert link.get_attribute("target") == "_blank"
        link.hover()  # the link follows the page's current hash
        href = link.get_attribute("href")
        assert "embed" not in href and "dataset=circle" in href and href.startswith("/")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{part} at {width} px scrolls sideways by {overflow} px"
            screenshot(page, f"embed-{part.replace(':', '-')}-{width}")
        page.set_viewport_size({"width": 1280, "height": 900})
    # Python's verdict rules: a part it does not know shows the whole page (with the notice saying why)
    page.evaluate("(hash) => { location.hash = hash; }", FLOW_HASH + "&embed=panel:nope")
    expect(page.locator("html")).not_to_have_attribute("data-embed", re.compile(".*"))
    expect(page.locator(".data-column")).to_be_visible()
    expect(page.locator("#embed-open")).to_be_hidden()


def demo_call(page, method: str, args: dict, timeout: float = 90_000) -> dict:
    """Fill the demo's arguments for `method`, click its button, wait for the answer and return it."""
    page.fill(f"#args-{method}", json.dumps(args))
    before = page.evaluate("window.__demo.received().length")
    page.click(f"button[data-method='{method}']")
    page.wait_for_function("(n) => window.__demo.received().length > n && window.__demo.pending().length === 0",
                           arg=before, timeout=timeout)
    expect(page.locator("#demo-log li[data-dir='in']")).to_have_count(before + 1)  # the log shows it too
    return page.evaluate("window.__demo.received().at(-1)")


def test_the_demo_drives_the_playground_and_the_panel_shows_it(page, site_url, problems):
    page.goto(site_url + "dev/embed-demo.html#" + FLOW_HASH + "&embed=panel:checksum")
    expect(page.locator("#demo-status")).to_have_attribute("data-state", "ready", timeout=90_000)
    frame = page.frame_locator("#demo-frame")
    expect(frame.locator("#backdoor-panel")).to_have_attribute("data-planted", "0")

    info = demo_call(page, "info", {})
    assert info["type"] == "reply" and info["result"]["embed"] == "panel:checksum"
    assert set(method_table(page)) == set(info["result"]["methods"])

    reply = demo_call(page, "set_state", {"hash": FLOW_HASH + "&showTestData=true"})
    assert reply["type"] == "reply" and reply["result"]["config"]["showTestData"] is True
    assert "embed=panel%3Achecksum" in reply["result"]["hash"]  # the embed keys stay as the src set them
    refused = demo_call(page, "set_state", {"patch": {"showTestData": False, "noSuchKey": 1}})
    assert refused["type"] == "error" and refused["message"].startswith("patch.noSuchKey: not a state key")
    refused = demo_call(page, "set_state", {"patch": {"batchSize": 99}})  # Python's check, as for a link
    assert refused["type"] == "error" and refused["message"].startswith("patch.batchSize=99 is outside 1..30")

    trained = demo_call(page, "train", {"epochs": 300})
    assert trained["type"] == "reply" and trained["result"]["epoch"] == 300
    assert trained["result"]["loss_test"] < 0.1 and trained["result"]["acc_test"] > 0.9
    expect(frame.locator("#iter-number")).to_have_text("000,300")
    expect(page.locator("#demo-metrics dd[data-metric='epoch']")).to_have_attribute("data-value", "300")

    planted = demo_call(page, "plant", {"backdoor": "checksum", "settings": {"key": 150}})
    assert planted["type"] == "reply" and planted["result"]["stats"]["planted"]
    expect(frame.locator("#backdoor-panel")).to_have_attribute("data-planted", "1")  # the panel shows it
    expect(frame.locator("#bd-agreement")).to_be_visible()

    activated = demo_call(page, "activate", {"points": "all"})
    assert activated["type"] == "reply" and activated["result"]["backdoor"] == "checksum"
    flipped = activated["result"]["summary"]["flipped"]
    assert flipped > 0
    # the checksum panel shows the scripted activation as its own Activate would (hub event script-result)
    expect(frame.locator("#bd-flipped")).to_have_attribute("data-value", str(flipped))

    metrics = demo_call(page, "metrics", {})["result"]
    asr = metrics["backdoor"]["attack_success_rate"]
    assert asr["n"] > 0 and asr["value"] > 0.5
    shown = page.get_attribute("#demo-metrics dd[data-metric='attack_success']", "data-value")
    assert float(shown) == asr["value"]

    defended = demo_call(page, "defend", {"params": {"type": "proximity"}})
    assert defended["type"] == "reply" and defended["result"]["type"] == "proximity"
    after = defended["result"]["metrics"]["attack_success_rate_after"]["value"]
    assert after < asr["value"]
    # ... and the defense panel's proximity card shows the scripted run
    expect(frame.locator("#df-prox-restored")).to_have_attribute(
        "data-value", str(defended["result"]["restored"]), timeout=20_000)
    assert "run by a script" in frame.locator("#df-prox-status").text_content()
    bad = demo_call(page, "defend", {"params": {"type": "prayer"}})
    assert bad["type"] == "error" and "type" in bad["message"] and "proximity" in bad["message"]

    removed = demo_call(page, "remove", {})
    assert removed["result"] == {"removed": "checksum"}
    expect(frame.locator("#backdoor-panel")).to_have_attribute("data-planted", "0")

    # Backdoor 2 through the same calls: the signature panel finds its block (hidden here, but built)
    signed = demo_call(page, "plant", {"backdoor": "signature", "settings": {"scheme": "toy-rsa"}})
    assert signed["type"] == "reply" and signed["result"]["backdoor"] == "signature"
    expect(frame.locator("#sg-block-card")).to_have_attribute("data-installed", "1")
    wrong = demo_call(page, "activate", {"method": "search"})
    assert wrong["type"] == "error" and wrong["message"].startswith("args.method: the checksum's")
    activated = demo_call(page, "activate", {"points": [0, 1, 2, 3]})
    assert activated["result"]["backdoor"] == "signature" and activated["result"]["summary"]["attempted"] == 4
    expect(frame.locator("#sg-flipped")).to_have_attribute("data-value", str(activated["result"]["summary"]["flipped"]))
    assert demo_call(page, "metrics", {})["result"]["backdoor"]["attack_success_rate"]["n"] == 4
    assert demo_call(page, "remove", {})["result"] == {"removed": "signature"}
    expect(frame.locator("#sg-block-card")).to_have_attribute("data-installed", "0")
    page.locator("#demo-frame").scroll_into_view_if_needed()
    screenshot(page, "embed-demo")


# Cheap settings for the scripted defenses (the others take their defaults): the test is about where they show.
CHEAP = {"smoothing": {"n0": 20, "n": 100}, "fine-tuning": {"epochs": 20}, "fine-pruning": {"epochs": 20},
         "cleanse": {"steps": 40, "restarts": 1}}


def shown_value(raw: str | None, v) -> bool:
    """A data-value attribute against the reply's number (a rate's value; "" for none)."""
    v = v["value"] if isinstance(v, dict) else v
    return raw == "" if v is None else raw is not None and raw != "" and abs(float(raw) - v) <= 1e-12 * max(1, abs(v))


def test_every_scripted_defense_shows_in_the_defense_panel(page, site_url, problems):
    """`defend` with each defense of the registry (defense/run.DEFENSE_TYPES): the defense panel shows it in its card
    (proximity, smoothing, Neural Cleanse their own; the others card D) with "run by a script", and the reply's
    metrics in the metrics table, as a run from the panel would."""
    from backdoor_playground.defense import run as defense_run

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url + "dev/embed-demo.html#" + FLOW_HASH + "&embed=panel:defense")
    expect(page.locator("#demo-status")).to_have_attribute("data-state", "ready", timeout=90_000)
    frame = page.frame_locator("#demo-frame")
    panel = frame.locator("#defense-panel")
    assert demo_call(page, "train", {"epochs": 300})["type"] == "reply"
    assert demo_call(page, "plant", {"backdoor": "checksum", "settings": {"key": 150}})["type"] == "reply"
    assert demo_call(page, "activate", {"points": "all"})["result"]["summary"]["flipped"] > 0
    expect(frame.locator("#df-other-tiles")).to_be_hidden()  # card D (runnable from the page) waits for a result
    cards = set()
    for kind in defense_run.DEFENSE_TYPES:
        reply = demo_call(page, "defend", {"params": {"type": kind, **CHEAP.get(kind, {})}}, timeout=180_000)
        assert reply["type"] == "reply", (kind, reply)
        result = reply["result"]
        assert result["type"] == kind
        metrics = result["metrics"]
        expect(panel).to_have_attribute("data-defense", kind)
        card = panel.get_attribute("data-shown-in")
        cards.add(card)
        expect(frame.locator(f"#{card}")).to_be_visible()
        expect(frame.locator(f"#{card} .df-status")).to_contain_text("run by a script")
        # the metrics table's "after" rows: the reply's numbers, the ones it has
        for key in ("clean_accuracy_after", "attack_success_rate_after", "attack_success_rate_adaptive",
                    "detection_tpr", "detection_fpr", "anomaly_index"):
            cell = frame.locator(f"#df-m-{key}")
            if key not in metrics:
                expect(cell).to_have_count(0)
                continue
            assert shown_value(cell.get_attribute("data-value"), metrics[key]), (kind, key, metrics[key])
        if card == "df-other-card":  # card D's tiles: the same numbers, and the lists' lengths
            expect(frame.locator("#df-other-name")).to_have_text(kind)
            assert shown_value(frame.locator("#df-other-attack_success_rate_after").get_attribute("data-value"),
                               metrics["attack_success_rate_after"])
            for key in ("flagged", "pruned"):  # the detectors' count, fine-pruning's list of neurons
                if key in result:
                    n = len(result[key]) if isinstance(result[key], list) else result[key]
                    expect(frame.locator(f"#df-other-{key}")).to_have_attribute("data-value", str(n))
            if kind == "spectral":
                frame.locator("#df-other-card").scroll_into_view_if_needed()
                for width in (1280, 768):
                    page.set_viewport_size({"width": width, "height": 900})
                    frame.locator("#df-other-card").screenshot(path=str(screenshot_path(f"embed-scripted-defense-{width}")))
                page.set_viewport_size({"width": 1280, "height": 900})
        elif kind == "cleanse":
            expect(frame.locator("#df-nc-table tbody tr")).to_have_count(len(result["classes"]))
        elif kind == "proximity":
            expect(frame.locator("#df-prox-restored")).to_have_attribute("data-value", str(result["restored"]))
    assert cards == {"df-prox-card", "df-smooth-card", "df-nc-card", "df-other-card"}, cards


@pytest.fixture
def other_origin(tmp_path):
    """A second server on 127.0.0.1 (another port: another origin) serving one embedding page, parent.html, whose
    iframe `src` the test sets; it records what it receives (window.got) and posts with window.send (to "*")."""
    (tmp_path / "parent.html").write_text(
        '<!doctype html><iframe id="f" width="400" height="500"></iframe><script>'
        "window.got = []; addEventListener('message', (e) => window.got.push({origin: e.origin, data: e.data}));"
        "window.send = (m) => document.getElementById('f').contentWindow.postMessage(m, '*');</script>")
    server = build.make_server(tmp_path, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_other_origins_are_ignored_and_bad_messages_answered(page, site_url, problems, other_origin):
    own = site_url.rstrip("/")
    other = other_origin
    src = f"{own}/index.html#{FLOW_HASH}&embed=plot"
    page.goto(f"{other}/parent.html")
    page.evaluate("(src) => { document.getElementById('f').src = src; }", src)
    frame = page.frame_locator("#f")
    expect(frame.locator("body")).to_have_attribute("data-panels", "1", timeout=90_000)
    inner = next(f for f in page.frames if f.url.startswith(own))

    page.evaluate("window.send({type: 'info', id: 1})")
    expect(frame.locator("body")).to_have_attribute("data-embed-ignored", "1")
    assert page.evaluate("window.got") == []  # no reply, and no "ready" either: the embedder allowed nobody
    assert inner.evaluate("document.body.dataset.embedAnswered || null") is None

    # The embedder allows its origin in the iframe's src: the page says it is ready, to that origin only.
    allowed = src + "&embed_origins=" + quote(other, safe="")
    page.evaluate("(src) => { document.getElementById('f').src = src; }", allowed)
    page.wait_for_function("window.got.some((m) => m.data.type === 'ready')", timeout=30_000)
    ready = page.evaluate("window.got")
    assert [m["origin"] for m in ready] == [own] and ready[0]["data"]["embed"] == "plot"

    def ask(message, n_before):
        page.evaluate("(m) => window.send(m)", message)
        page.wait_for_function("(n) => window.got.length > n", arg=n_before, timeout=60_000)
        return page.evaluate("window.got")[-1]["data"]

    n = 1
    cases = [
        ("a string", None, "message: "),
        ({"type": "train", "args": {"epochs": 5}}, None, "id: missing"),
        ({"type": "nope", "id": 3}, 3, "type: unknown \"nope\""),
        ({"id": 4}, 4, "type: missing"),
        ({"type": "train", "id": 5, "args": {"epochs": "many"}}, 5, "args.epochs: \"many\" is not an integer"),
        ({"type": "train", "id": 6, "args": {"epochs": 0}}, 6, "args.epochs: 0 is outside 1.."),
        ({"type": "train", "id": 7, "args": {"epochs": 5, "speed": 2}}, 7, "args.speed: unknown; train takes epochs"),
        ({"type": "train", "id": 8, "args": [5]}, 8, "args: [5] is not an object"),
        ({"type": "plant", "id": 9, "args": {"backdoor": "rootkit"}}, 9, "args.backdoor: \"rootkit\" is not one of"),
        ({"type": "activate", "id": 10}, 10, "activate: no backdoor is planted"),
        ({"type": "set_state", "id": 11, "args": {"patch": {"embed_origins": "https://evil.example"}}}, 11,
         "patch.embed_origins: set by the iframe's src"),
        ({"type": "plant", "id": 12, "args": {"backdoor": "checksum", "settings": {"modulo": -4}}}, 12, "modulo"),
    ]
    for message, want_id, start in cases:
        got = ask(message, n)
        n += 1
        assert got["type"] == "error" and got["id"] == want_id, got
        assert got["message"].startswith(start) if start != "modulo" else "modulo" in got["message"], got

    # The page still works: it trains, and answers its allowed embedder.
    got = ask({"type": "train", "id": "after", "args": {"epochs": 20}}, n)
    assert got["type"] == "reply" and got["id"] == "after" and got["result"]["epoch"] == 20
    expect(frame.locator("#iter-number")).to_have_text("000,020")
    info = ask({"type": "info", "id": 13}, n + 1)
    assert info["result"]["origins"] == [own, other]
    assert inner.evaluate("document.body.dataset.embedIgnored") == "1"


def test_the_demo_works_under_the_content_security_policy(browser, site_url):
    """The demo and the playground in its frame, with their policies enforced (no bypass: the waits are selectors
    and auto-retrying expectations, no eval); nothing leaves the page's origin and nothing is reported."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors, outside = [], []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1:", "data:", "blob:"))
                  else (outside.append(r.request.url), r.abort()))
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    try:
        page.goto(site_url + "dev/embed-demo.html#" + FLOW_HASH + "&embed=plot")
        expect(page.locator("#demo-status")).to_have_attribute("data-state", "ready", timeout=90_000)
        page.fill("#args-train", '{"epochs": 30}')
        page.click("button[data-method='train']")
        expect(page.locator("#demo-metrics dd[data-metric='epoch']")).to_have_attribute("data-value", "30",
                                                                                      timeout=60_000)
        expect(page.frame_locator("#demo-frame").locator("#iter-number")).to_have_text("000,030")
        page.click("#demo-malformed")
        expect(page.locator("#demo-log li[data-type='error']")).to_contain_text("id: missing")
        assert errors == [], errors
        assert outside == []
    finally:
        context.close()
