// Run Python inside real Pyodide under Node, from the built site exactly as the page loads it: its runtime folder,
// its precompiled stdlib, and numpy plus our wheel (both precompiled) through its trimmed lock.
//   node run_in_pyodide.mjs pytest [pytest args...]   -> runs tests/py in Pyodide (or the tests/py/ files named among
//                                                       the args); exit code = pytest's
//   node run_in_pyodide.mjs script FILE.py            -> runs FILE.py; it prints its own output
// Any network access fails loudly: Pyodide under Node would otherwise fetch missing wheels from a CDN.
import { loadPyodide } from "pyodide";
import path from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dist = process.env.BP_DIST || path.join(root, "dist");
const testWheels = (process.env.BP_PYODIDE_TEST_WHEELS || "").split(path.delimiter).filter(Boolean);
const BUILD = JSON.parse(readFileSync(path.join(dist, "manifest.json"), "utf8"));  // build-info.js's keys too
globalThis.fetch = async (url) => { throw new Error("network blocked in the Pyodide test tier: " + url); };

const [mode, ...rest] = process.argv.slice(2);
const py = await loadPyodide({
  indexURL: path.join(dist, BUILD.runtime), stdLibURL: path.join(dist, BUILD.stdlib), lockFileURL: path.join(dist, BUILD.lock),
});
const errors = [];
// The page's one call (numpy and our package through the lock, with worker.js's faster install steps), plus pytest
// and its dependencies (packaging included: the site does not ship it) for the test run.
const installSteps = py.toPy({});
py.runPython(BUILD.package_install_py + "\ninstall()", { globals: installSteps });
const packages = ["backdoor-playground", ...(mode === "pytest" ? testWheels : [])];
await py.loadPackage(packages, { messageCallback: () => {}, errorCallback: (e) => errors.push(e) });
py.runPython("restore()", { globals: installSteps });
installSteps.destroy();
if (errors.length) {
  console.error("package load failed:", errors);
  process.exit(3);
}
py.FS.mkdirTree("/project");
py.FS.mount(py.FS.filesystems.NODEFS, { root }, "/project");
// Copies: Pyodide reuses the buffer it hands over, and a pipe may send it later (asynchronously).
py.setStdout({ write: (b) => { process.stdout.write(Buffer.from(b)); return b.length; } });
py.setStderr({ write: (b) => { process.stderr.write(Buffer.from(b)); return b.length; } });
py.globals.set("ARGS", py.toPy(rest));
let code;
if (mode === "pytest") {
  code = py.runPython(`
import os, pytest
os.chdir("/project")
targets = [] if any(a.startswith("tests/py/") for a in ARGS) else ["tests/py"]
int(pytest.main(["-c", "pytest.ini", "-m", "not cpython_only", *targets, *ARGS]))`);
} else if (mode === "script") {
  code = py.runPython(`
import runpy, sys
sys.argv = ["/project/" + ARGS[0], *ARGS[1:]]
runpy.run_path(sys.argv[0], run_name="__main__")
0`);
} else {
  console.error("usage: run_in_pyodide.mjs pytest|script ...");
  code = 2;
}
// Exit once stdout and stderr are flushed: a pipe takes writes asynchronously, and process.exit() would drop
// what is still queued (pytest -v's report is larger than a pipe's buffer).
let open = 2;
const done = () => { if (--open === 0) process.exit(code); };
process.stdout.write("", done);
process.stderr.write("", done);
