"""`python3 build.py bench`: measured figures of the built site in headless Chromium, printed as one JSON object.

Every figure is the median of `--runs` runs, each in a fresh browser context (empty HTTP cache: "cold").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from conftest import CHROMIUM_ARGS  # noqa: E402

# Injected before any page script: records requestAnimationFrame intervals and main-thread long tasks.
PROBE = """
window.__bench = {raf: [], longTasks: []};
(function loop(last) {
  requestAnimationFrame((t) => { if (last !== null) window.__bench.raf.push(t - last); loop(t); });
})(null);
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push(e.duration);
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
"""

READY = "document.body.dataset.ready === '1' || !!document.body.dataset.error"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return s[k]


def mark(page, name: str) -> float:
    return page.evaluate(f"performance.getEntriesByName('{name}')[0]?.startTime ?? NaN")


BASELINE_PAGE = """<!doctype html><title>baseline</title><script type="module">
const t0 = performance.now();
const w = new Worker("bench-baseline-worker.js", {type: "module"});
w.onmessage = (e) => { window.baselineMs = performance.now(); };
</script>"""
BASELINE_WORKER = """import { loadPyodide } from "./pyodide/pyodide.mjs";
const py = await loadPyodide({ indexURL: new URL("./pyodide/", self.location.href).href });
await py.loadPackage(["numpy"], { messageCallback: () => {} });
py.runPython("import numpy");
self.postMessage("ready");"""


def baseline_run(browser, url: str) -> float:
    """Bare Pyodide + numpy in a module worker on the same host: what any Pyodide page pays before its own work."""
    context = browser.new_context()
    context.route(url + "bench-baseline.html", lambda r: r.fulfill(body=BASELINE_PAGE, content_type="text/html"))
    context.route(url + "bench-baseline-worker.js",
                  lambda r: r.fulfill(body=BASELINE_WORKER, content_type="text/javascript"))
    page = context.new_page()
    page.goto(url + "bench-baseline.html")
    page.wait_for_function("window.baselineMs !== undefined", timeout=90_000)
    ms = page.evaluate("window.baselineMs")
    context.close()
    return ms


def boot_run(browser, url: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(READY, timeout=90_000)
    out = {"boot_ms": mark(page, "bp-ready"), "ui_visible_ms": mark(page, "bp-ui-visible")}
    context.close()
    return out


def training_run(browser, url: str, hash_: str, seconds: float = 4.0) -> dict:
    """Epochs per second while animating, with the frame-interval p95 and the longest main-thread task."""
    context = browser.new_context()
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(url + "#" + hash_)
    page.wait_for_function(READY, timeout=90_000)
    page.click("#play-pause-button")
    page.wait_for_timeout(1000)  # warm-up: first frames, JIT
    epoch0 = page.evaluate("Number(document.querySelector('#iter-number').textContent.replace(/,/g, ''))")
    page.evaluate("window.__bench.raf = []; window.__bench.longTasks = []; window.__bench.t0 = performance.now()")
    page.wait_for_timeout(seconds * 1000)
    res = page.evaluate("""() => ({
        epoch: Number(document.querySelector('#iter-number').textContent.replace(/,/g, '')),
        elapsed: performance.now() - window.__bench.t0, raf: window.__bench.raf, longTasks: window.__bench.longTasks})""")
    page.click("#play-pause-button")
    context.close()
    return {"epochs_per_s": (res["epoch"] - epoch0) / (res["elapsed"] / 1000.0),
            "frame_p95_ms": percentile(res["raf"], 0.95),
            "longest_task_ms": max(res["longTasks"], default=0.0)}


def in_worker(browser, url: str) -> dict:
    """Figures measured by Python inside the page's worker (api.benchmark: checksum, activation, search)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(READY, timeout=90_000)
    figures = page.evaluate("window.__bp.call('benchmark', {})")
    context.close()
    return figures


def matrix_cli_s() -> float:
    """Wall time of the command line on the default matrix (experiment/matrix.BENCH_CONFIG) with --jobs 2, once."""
    sys.path.insert(0, str(ROOT / "py"))
    from backdoor_playground.experiment.matrix import BENCH_CONFIG

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "matrix.json"
        config.write_text(json.dumps(BENCH_CONFIG))
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "backdoor_playground", "matrix", str(config), "--seeds", "1",
                        "--jobs", "2", "--out", str(Path(tmp) / "matrix.tsv")], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "py")})
        return round(time.perf_counter() - t0, 2)


def median_of(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    dist = Path(os.environ.get("BP_DIST", ROOT / "dist"))
    manifest = json.loads((dist / "manifest.json").read_text())
    server = build.make_server(dist, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    result: dict = {"site_bytes": manifest["total_bytes"], "runs": args.runs}
    with sync_playwright() as p:
        launch = {"args": CHROMIUM_ARGS}
        if os.environ.get("CHROMIUM"):
            launch["executable_path"] = os.environ["CHROMIUM"]
        browser = p.chromium.launch(**launch)
        result["browser"] = browser.version
        boots = [boot_run(browser, url) for _ in range(args.runs)]
        result["boot_ms"] = median_of(boots, "boot_ms")
        result["ui_visible_ms"] = median_of(boots, "ui_visible_ms")
        # The same host's floor: boot_ms minus this is what the playground itself adds (micropip, our package).
        result["baseline_pyodide_numpy_boot_ms"] = round(statistics.median(
            baseline_run(browser, url) for _ in range(args.runs)), 1)
        for suffix, hash_ in (("default", "dataset=circle&networkShape=4,2&activation=tanh&batchSize=10"
                                          "&percTrainData=50&x=true&y=true"),
                              ("6x8", "dataset=circle&networkShape=8,8,8,8,8,8&activation=tanh&batchSize=10"),
                              ("planted", "dataset=circle&networkShape=4&activation=relu_csum&batchSize=10")):
            runs = [training_run(browser, url, hash_) for _ in range(args.runs)]
            tag = "" if suffix == "default" else "_" + suffix
            result[f"epochs_per_s_{suffix}"] = median_of(runs, "epochs_per_s")
            result[f"frame_p95_ms{tag}"] = median_of(runs, "frame_p95_ms")
            result[f"longest_task_ms{tag}"] = median_of(runs, "longest_task_ms")
        result.update(in_worker(browser, url))
        browser.close()
    result["matrix_s_cli"] = matrix_cli_s()
    server.shutdown()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
