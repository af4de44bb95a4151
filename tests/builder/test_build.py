"""build.py itself: a reproducible, precompiled, provenance-recorded site; the dev server's caching; lazy imports.

CPython only (outside tests/py, so the Pyodide tier does not collect it): it runs builds and subprocesses."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

pytestmark = pytest.mark.cpython_only
DIST = Path(os.environ.get("BP_DIST", ROOT / "dist"))


@pytest.fixture(scope="module")
def manifest() -> dict:
    if not (DIST / "manifest.json").exists():
        pytest.fail("no built site: run `python3 build.py test`")
    return json.loads((DIST / "manifest.json").read_text())


def test_rebuild_is_byte_identical(tmp_path):
    """Two builds from the same inputs into two folders: every file has the same sha256 (the same commit is
    recorded in build-info.js and the manifest, so nothing is excluded)."""
    a, b = build.build(tmp_path / "a"), build.build(tmp_path / "b")
    assert a["files"] == b["files"]
    for rel in a["files"]:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_precompiling_twice_without_the_cache_gives_the_same_bytes(tmp_path, monkeypatch):
    """The .cache/ of derived files is keyed by input; this checks the compile itself (a fresh Pyodide each time)."""
    wheel = build.build_wheel(tmp_path / "wheel")
    job = {"name": wheel.name, "src": wheel, "prefix": build.SITE_PREFIX, "keep_source": True, "drop": {}}
    outputs = []
    for run in ("one", "two"):
        monkeypatch.setattr(build, "CACHE", tmp_path / run)
        (tmp_path / run).mkdir()
        outputs.append(build.precompile([job])[wheel.name]["path"].read_bytes())
    assert outputs[0] == outputs[1]


def test_every_python_file_shipped_is_precompiled(manifest):
    derived = manifest["derived"]
    stdlib = next(p for p in derived if p.endswith("python_stdlib.zip"))
    numpy = next(p for p in derived if "/numpy-" in p)
    ours = next(p for p in derived if "/backdoor_playground-" in p)
    with zipfile.ZipFile(DIST / stdlib) as z:
        names = z.namelist()
        assert not [n for n in names if n.endswith(".py")] and "os.pyc" in names
        magic = z.read("os.pyc")[:4]
    with zipfile.ZipFile(DIST / numpy) as z:
        names = z.namelist()
        assert not [n for n in names if n.endswith((".py", ".pyi", ".h"))] and "numpy/__init__.pyc" in names
        assert not [n for n in names if "/tests/" in n]
        assert z.read("numpy/__init__.pyc")[:4] == magic
    with zipfile.ZipFile(DIST / ours) as z:
        names = set(z.namelist())
        sources = [n for n in names if n.endswith(".py")]
        assert sources and all(
            f"{n.rpartition('/')[0]}/__pycache__/{n.rpartition('/')[2][:-3]}.cpython-312.pyc" in names for n in sources)
    # The bytecode is Pyodide's Python's (3.12), whatever Python runs the build.
    assert derived[stdlib]["how"].count("3.12") and magic == bytes.fromhex(derived[stdlib]["how"].split("magic ")[1][:8])


def test_provenance_and_lock(manifest):
    lock_path = manifest["lock"]
    lock = json.loads((DIST / lock_path).read_text())
    assert set(lock["packages"]) == {"numpy", "backdoor-playground"}
    runtime = DIST / manifest["runtime"]
    for entry in lock["packages"].values():
        wheel = (runtime / entry["file_name"]).resolve()
        rel = wheel.relative_to(DIST.resolve()).as_posix()
        assert manifest["files"][rel]["sha256"] == entry["sha256"]
        assert manifest["derived"][rel]["sha256"] == entry["sha256"]
    official = build.official_lock(ROOT / "node_modules" / "pyodide")
    numpy = next(v for k, v in manifest["derived"].items() if "/numpy-" in k)
    assert numpy["from_sha256"] == official["packages"]["numpy"]["sha256"]  # derived from the verified upstream
    assert numpy["dropped_bytes"] > 500_000 and numpy["compiled"] > 100
    assert "micropip" not in json.dumps(lock) and not any("micropip" in f for f in manifest["files"])


def test_server_answers_with_validators_and_caches_hashed_files(manifest):
    server = build.make_server(DIST, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def get(path, headers=None):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
            conn.request("GET", path, headers=headers or {})
            res = conn.getresponse()
            res.read()
            conn.close()
            return res
        page = get("/index.html")
        assert page.status == 200 and page.getheader("Cache-Control") == "no-cache"
        etag, modified = page.getheader("ETag"), page.getheader("Last-Modified")
        assert etag and modified
        assert get("/index.html", {"If-None-Match": etag}).status == 304
        assert get("/index.html", {"If-Modified-Since": modified}).status == 304
        wasm = get("/" + manifest["runtime"] + "pyodide.asm.wasm")
        assert wasm.status == 200 and "immutable" in wasm.getheader("Cache-Control")
        assert wasm.getheader("Content-Type") == "application/wasm"
    finally:
        server.shutdown()
        server.server_close()


def test_serve_on_a_taken_port_says_so_and_moves_on(tmp_path):
    taken = build.make_server(DIST, 0)
    port = taken.server_address[1]
    try:
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--no-build", "--port", str(port)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    finally:
        taken.server_close()
    assert "Traceback" not in err
    assert f"port {port} is taken" in err and "--port" in err
    assert "Serving Backdoor Playground at http://127.0.0.1:" in line and f":{port}/" not in line


def test_first_screen_imports_no_backdoor_module():
    """The worker's boot (import api, init) loads the playground; the backdoors, defenses and NN Calculator load
    when a panel first calls them, and the *_csum family registers itself when first named."""
    code = """
import sys
from backdoor_playground.worker import api
api.init(hash="")
first = sorted(m for m in sys.modules if m.startswith("backdoor_playground"))
api.init(hash="activation=relu_csum&networkShape=3")
print(first)
print("relu_csum" in sys.modules["backdoor_playground.playground.activations"].FAMILIES)
"""
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT / "py")},
                         capture_output=True, text=True, check=True).stdout.splitlines()
    first = eval(out[0])  # noqa: S307 (our own subprocess's repr of a list of names)
    for lazy in ("signature", "defense", "nistcalc", "experiment", "checksum.attack", "checksum.search",
                 "checksum.calibrate", "checksum.csumsig", "worker.checksum", "worker.signature"):
        assert f"backdoor_playground.{lazy}" not in first, lazy
    assert out[1] == "True"


def test_style_sheets_split_in_two_keep_the_page_cascade(tmp_path):
    """one_style_sheet: the unmarked sheets make site.css; panels.css starts at the first sheet marked
    data-load="panels" and holds every later sheet, marked or not, so site.css then panels.css apply every rule in
    the page's order. The page links site.css and a disabled panels.css (fetched by the panel loader)."""
    (tmp_path / "css").mkdir()
    names = ["base", "top", "card", "mid", "deck", "end"]
    for name in names:
        (tmp_path / "css" / f"{name}.css").write_text(f".{name} {{ order: {names.index(name)}; }}\n")
    marked = {"card", "deck"}
    mark = ' data-load="panels"'
    html = "<head>\n" + "".join(
        f'  <link rel="stylesheet" href="css/{n}.css"{mark if n in marked else ""}>\n' for n in names) + "</head>\n"
    page = build.one_style_sheet(tmp_path, html)
    first = (tmp_path / build.STYLE_SHEET).read_text()
    later = (tmp_path / build.PANEL_STYLE_SHEET).read_text()

    def in_order(text: str, want: list[str]) -> bool:
        at = [text.find(f".{n} ") for n in want]
        return -1 not in at and at == sorted(at)

    assert in_order(first, ["base", "top", "mid", "end"]) and ".card " not in first and ".deck " not in first
    assert in_order(later, ["card", "mid", "deck", "end"]) and ".base " not in later and ".top " not in later
    assert not any((tmp_path / "css" / f"{n}.css").exists() for n in names)
    assert page.count("<link") == 2
    assert '<link rel="stylesheet" href="css/site.css">' in page
    assert '<link rel="stylesheet" href="css/panels.css" id="panel-styles" disabled>' in page
