"""`python3 build.py bench`: measured figures of the built site in headless Chromium, printed as one JSON object.

Every figure is the median of `--runs` runs, each in a fresh browser context (empty HTTP cache: "cold"), except
boot_warm_ms: a second visit in the same context (HTTP cache, V8's code cache; the server answers with 304s and the
content-hashed files come from the cache). The boots are interleaved run by run with the bare-runtime baseline (stock
Pyodide + numpy, untouched files from npm and the official wheel, served the same way) and, with `--compare DIR`,
another build of the site (e.g. the page before a change), so a slow minute hits them all alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
window.__bench = {raf: [], longTasks: [], tasks: []};
(function loop(last) {
  requestAnimationFrame((t) => { if (last !== null) window.__bench.raf.push(t - last); loop(t); });
})(null);
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.__bench.longTasks.push(e.duration);
      window.__bench.tasks.push([e.startTime, e.duration]);
    }
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
"""

# A selector, not a predicate: Playwright evaluates predicates with eval(), which the page's CSP forbids.
READY = "body[data-ready='1'], body[data-error]"
# Every panel has run init and received the latest snapshot (app/main.js's start).
PANELS = "body[data-panels='1'], body[data-error]"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return s[k]


def mark(page, name: str) -> float:
    return page.evaluate(f"performance.getEntriesByName('{name}')[0]?.startTime ?? NaN")


BASELINE_PAGE = """<!doctype html><title>baseline</title><script type="module">
const w = new Worker("bench-baseline-worker.js", {type: "module"});
w.onmessage = (e) => { window.baselineMs = performance.now(); };
</script>"""
BASELINE_WORKER = """import { loadPyodide } from "./pyodide/pyodide.mjs";
const py = await loadPyodide({ indexURL: new URL("./pyodide/", self.location.href).href });
await py.loadPackage(["numpy"], { messageCallback: () => {} });
py.runPython("import numpy");
self.postMessage("ready");"""


def stock_site(folder: Path) -> Path:
    """The bare runtime as any Pyodide page gets it: npm's files, the official lock and numpy wheel, unchanged."""
    pkg = ROOT / "node_modules" / "pyodide"
    lock = build.official_lock(pkg)
    wheel = build.runtime_wheels(lock)["numpy"]
    (folder / "pyodide").mkdir(parents=True)
    for name in ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        shutil.copyfile(pkg / name, folder / "pyodide" / name)
    shutil.copyfile(wheel, folder / "pyodide" / wheel.name)
    (folder / "bench-baseline.html").write_text(BASELINE_PAGE)
    (folder / "bench-baseline-worker.js").write_text(BASELINE_WORKER)
    return folder


def serve(folder: Path) -> tuple[object, str]:
    server = build.make_server(folder, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def baseline_run(browser, url: str) -> float:
    """Bare Pyodide + numpy in a module worker on the same kind of server: what any Pyodide page pays first."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "bench-baseline.html")
    page.wait_for_function("window.baselineMs !== undefined", timeout=90_000)
    ms = page.evaluate("window.baselineMs")
    context.close()
    return ms


def boot_run(browser, url: str, warm: bool = False) -> dict:
    """Navigation start -> ready (performance mark bp-ready) on a first visit; with warm, also on a second visit in
    the same context. The page's boot deadline is lifted (a busy host must not turn a slow boot into an error)."""
    url += "?bootTimeoutMs=180000"
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(READY, state="attached", timeout=90_000)
    out = {"boot_ms": mark(page, "bp-ready"), "ui_visible_ms": mark(page, "bp-ui-visible")}
    timings = page.evaluate("window.__bp?.info?.()?.boot_timings_ms ?? null")
    if timings:
        out["timings"] = timings
    if warm:
        page.goto("about:blank")
        page.goto(url)
        page.wait_for_selector(READY, state="attached", timeout=90_000)
        out["boot_warm_ms"] = mark(page, "bp-ready")
    context.close()
    return out


def after_ready_run(browser, url: str, hash_: str = "") -> float:
    """The longest main-thread task from ready (mark bp-ready) until one second after the panels have loaded (mark
    bp-panels, body[data-panels="1"]): the stutter a Play pressed at once would meet."""
    context = browser.new_context(bypass_csp=True)
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(url + ("#" + hash_ if hash_ else ""))
    page.wait_for_selector(PANELS, state="attached", timeout=120_000)
    panels = mark(page, "bp-panels")
    page.wait_for_function("(t) => performance.now() >= t", arg=panels + 1000, timeout=60_000)
    ready = mark(page, "bp-ready")
    tasks = page.evaluate("window.__bench.tasks")
    context.close()
    return max((d for start, d in tasks if start >= ready), default=0.0)


def training_run(browser, url: str, hash_: str, seconds: float = 4.0) -> dict:
    """Epochs per second while animating, with the frame-interval p95 and the longest main-thread task."""
    # the page's CSP forbids eval, which wait_for_function's polling needs; the policy is tested in tests/e2e
    context = browser.new_context(bypass_csp=True)
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(url + "#" + hash_)
    page.wait_for_selector(READY, state="attached", timeout=90_000)
    page.wait_for_selector(PANELS, state="attached", timeout=60_000)  # training alone: not the panels loading
    page.click("#play-pause-button")
    # warm-up (first frames, JIT): until 30 frames have been drawn and some epochs trained
    page.evaluate("window.__bench.raf = []")
    page.wait_for_function("window.__bench.raf.length >= 30 && "
                           "Number(document.querySelector('#iter-number').textContent.replace(/,/g, '')) > 0",
                           timeout=60_000)
    epoch0 = page.evaluate("Number(document.querySelector('#iter-number').textContent.replace(/,/g, ''))")
    page.evaluate("window.__bench.raf = []; window.__bench.longTasks = []; window.__bench.t0 = performance.now()")
    # the measuring window: until the page's own clock has counted `seconds` of animation frames
    page.wait_for_function("(ms) => performance.now() - window.__bench.t0 >= ms", arg=seconds * 1000,
                           timeout=seconds * 1000 + 60_000)
    res = page.evaluate("""() => ({
        epoch: Number(document.querySelector('#iter-number').textContent.replace(/,/g, '')),
        elapsed: performance.now() - window.__bench.t0, raf: window.__bench.raf, longTasks: window.__bench.longTasks})""")
    page.click("#play-pause-button")
    context.close()
    return {"epochs_per_s": (res["epoch"] - epoch0) / (res["elapsed"] / 1000.0),
            "frame_p95_ms": percentile(res["raf"], 0.95),
            "longest_task_ms": max(res["longTasks"], default=0.0)}


def slice_run(browser, url: str, moves: int = 15) -> float:
    """The 3-D slice redraw as a visitor sees it (issue 14's slice_ms): circle3d, the z slider moved to a new height,
    until the frame at that height is drawn (worker call, class / output grid, points near the slice); median ms."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(url + "#dataset=circle3d&z=true&seed=bench")
    page.wait_for_selector(READY, state="attached", timeout=90_000)
    times = page.evaluate("""async (moves) => {
        const input = document.querySelector('#kd-z');
        const out = [];
        for (let i = 0; i <= moves; i++) {
            const z = Math.round((-5 + (10 * i) / moves) * 10) / 10;
            const t0 = performance.now();
            input.value = String(z);
            input.dispatchEvent(new Event('input'));
            while (window.__bp.frame().z !== z) await new Promise((r) => setTimeout(r, 0));
            if (i > 0) out.push(performance.now() - t0);  // the first move warms up
        }
        return out;
    }""", moves)
    context.close()
    return round(statistics.median(times), 1)


def in_worker(browser, url: str, only: str = "") -> dict:
    """Figures measured by Python inside the page's worker (api.benchmark: checksum, activation, search; `only`:
    one group, e.g. "digits")."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(READY, state="attached", timeout=90_000)
    figures = page.evaluate("(only) => window.__bp.call('benchmark', {only})", only)
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


def matrix_only(dist: Path) -> int:
    """The default matrix in the page's worker (matrix_s_browser, with the worker's other figures) and on the
    command line with 2 processes (matrix_s_cli)."""
    server, url = serve(dist)
    with sync_playwright() as p:
        launch = {"args": CHROMIUM_ARGS, **({"executable_path": os.environ["CHROMIUM"]}
                                            if os.environ.get("CHROMIUM") else {})}
        browser = p.chromium.launch(**launch)
        figures = in_worker(browser, url)
        browser.close()
    server.shutdown()
    print(json.dumps({"matrix_s_browser": figures.get("matrix_s_browser"), "matrix_s_cli": matrix_cli_s()}, indent=1))
    return 0


# issue 14: training the digits (64 inputs, 10 classes) on the wide network 64 -> 32 -> 10, as the page sets it up
DIGITS_HASH = ("dataset=digits&digits_scale=unit&networkShape=32&activation=tanh&learningRate=0.1&percTrainData=80"
               "&batchSize=10")


def digits_only(dist: Path, runs: int) -> int:
    """Issue 14's digits figures alone: digits_train_s in the worker, and training the wide network in the page."""
    server, url = serve(dist)
    with sync_playwright() as p:
        launch = {"args": CHROMIUM_ARGS, **({"executable_path": os.environ["CHROMIUM"]}
                                            if os.environ.get("CHROMIUM") else {})}
        browser = p.chromium.launch(**launch)
        result = {"digits_train_s": statistics.median(in_worker(browser, url, "digits")["digits_train_s"]
                                                      for _ in range(runs))}
        trains = [training_run(browser, url, DIGITS_HASH) for _ in range(runs)]
        result.update({"epochs_per_s_digits": median_of(trains, "epochs_per_s"),
                       "frame_p95_ms_digits": median_of(trains, "frame_p95_ms"),
                       "longest_task_ms_digits": median_of(trains, "longest_task_ms")})
        browser.close()
    server.shutdown()
    print(json.dumps(result, indent=1))
    return 0


def study_cli_s(name: str) -> float:
    """Wall time of `python3 -m backdoor_playground study NAME` with its default settings (the local pool on every
    core), once; the figures are drawn too when matplotlib is installed."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "backdoor_playground", "study", name, "--out", tmp], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT / "py")})
        return round(time.perf_counter() - t0, 2)


def median_of(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, help="another built site (e.g. /tmp/dist-base) whose cold boot is "
                                                     "measured interleaved with this one's: boot_ratio_vs_compare")
    parser.add_argument("--boot-only", action="store_true", help="only the boot figures (no training, no worker)")
    parser.add_argument("--matrix-only", action="store_true", help="only the matrix figures (matrix_s_browser and "
                        "the worker's other figures, matrix_s_cli)")
    parser.add_argument("--digits-only", action="store_true", help="only issue 14's digits figures (digits_train_s, "
                        "epochs_per_s_digits, frame_p95_ms_digits) on the wide network 64 -> 32 -> 10")
    args = parser.parse_args()
    if args.matrix_only:
        return matrix_only(Path(os.environ.get("BP_DIST", ROOT / "dist")))
    if args.digits_only:
        return digits_only(Path(os.environ.get("BP_DIST", ROOT / "dist")), args.runs)
    dist = Path(os.environ.get("BP_DIST", ROOT / "dist"))
    manifest = json.loads((dist / "manifest.json").read_text())
    server, url = serve(dist)
    stock_dir = Path(tempfile.mkdtemp(prefix="bp-stock-"))
    stock_server, stock_url = serve(stock_site(stock_dir))
    other = serve(args.compare) if args.compare else None
    result: dict = {"site_bytes": manifest["total_bytes"], "runs": args.runs}
    with sync_playwright() as p:
        launch = {"args": CHROMIUM_ARGS}
        if os.environ.get("CHROMIUM"):
            launch["executable_path"] = os.environ["CHROMIUM"]
        browser = p.chromium.launch(**launch)
        result["browser"] = browser.version
        boots, baselines, compares = [], [], []
        jobs = [lambda: boots.append(boot_run(browser, url, warm=True)),
                lambda: baselines.append(baseline_run(browser, stock_url))]
        if other:
            jobs.append(lambda: compares.append(boot_run(browser, other[1])))
        for i in range(args.runs):  # interleaved, and each variant takes each place in the round in turn
            for job in jobs[i % len(jobs):] + jobs[:i % len(jobs)]:
                job()
        result["boot_ms"] = median_of(boots, "boot_ms")
        result["boot_warm_ms"] = median_of(boots, "boot_warm_ms")
        result["ui_visible_ms"] = median_of(boots, "ui_visible_ms")
        # The same host's floor: stock Pyodide + numpy (no page, no package of ours).
        result["baseline_pyodide_numpy_boot_ms"] = round(statistics.median(baselines), 1)
        result["boot_ratio_vs_baseline"] = round(result["boot_ms"] / result["baseline_pyodide_numpy_boot_ms"], 3)
        if compares:
            result["compare_boot_ms"] = median_of(compares, "boot_ms")
            result["boot_ratio_vs_compare"] = round(result["boot_ms"] / result["compare_boot_ms"], 3)
        if boots and "timings" in boots[0]:
            result["boot_timings_ms"] = {k: statistics.median(b["timings"].get(k, 0) for b in boots if "timings" in b)
                                         for k in boots[0]["timings"]}
        if not args.boot_only:
            for suffix, hash_ in (("default", "dataset=circle&networkShape=4,2&activation=tanh&batchSize=10"
                                              "&percTrainData=50&x=true&y=true"),
                                  ("6x8", "dataset=circle&networkShape=8,8,8,8,8,8&activation=tanh&batchSize=10"),
                                  ("planted", "dataset=circle&networkShape=4&activation=relu_csum&batchSize=10"),
                                  # issue 14: training the digits (64 inputs, 10 classes) as the page sets them up
                                  ("digits", DIGITS_HASH)):
                runs = [training_run(browser, url, hash_) for _ in range(args.runs)]
                tag = "" if suffix == "default" else "_" + suffix
                result[f"epochs_per_s_{suffix}"] = median_of(runs, "epochs_per_s")
                result[f"frame_p95_ms{tag}"] = median_of(runs, "frame_p95_ms")
                result[f"longest_task_ms{tag}"] = median_of(runs, "longest_task_ms")
            # after ready, on the default link (and the digits'): no long task while the panels load
            result["longest_task_ms_after_ready"] = round(statistics.median(
                after_ready_run(browser, url) for _ in range(args.runs)), 1)
            result["longest_task_ms_after_ready_digits"] = round(statistics.median(
                after_ready_run(browser, url, DIGITS_HASH) for _ in range(args.runs)), 1)
            result["slice_ms"] = statistics.median(slice_run(browser, url) for _ in range(args.runs))
            result.update(in_worker(browser, url))  # digits_train_s (64 -> 32 -> 10, 30 epochs) among them
        browser.close()
    result["matrix_s_cli"] = matrix_cli_s()
    result["study_modulo_s"] = study_cli_s("modulo")  # target <= 60 s on 2 cores
    result["study_proximity_s"] = study_cli_s("proximity")  # target <= 30 s
    result["study_dimension_s"] = study_cli_s("dimension")  # target: about 2 min on 2 cores (5 seeds)
    for srv in (server, stock_server, *([other[0]] if other else [])):
        srv.shutdown()
    shutil.rmtree(stock_dir, ignore_errors=True)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
