// build.py's precompile step: Pyodide's own interpreter (node_modules/pyodide) runs tools/precompile.py on a job
// file, with the host folders it reads and writes mounted at the same paths. No network: fetch throws.
//   node tools/precompile.mjs JOBS.json REPORT.json DIR...
import { loadPyodide } from "pyodide";
import path from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

globalThis.fetch = async (url) => { throw new Error("network blocked in the precompile step: " + url); };
const [jobs, report, ...dirs] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const py = await loadPyodide();
for (const dir of dirs) {
  py.FS.mkdirTree(dir);
  py.FS.mount(py.FS.filesystems.NODEFS, { root: dir }, dir);
}
py.globals.set("SOURCE", readFileSync(path.join(here, "precompile.py"), "utf8"));
py.globals.set("ARGS", py.toPy([jobs, report]));
py.runPython(`
import sys
sys.argv = ["precompile.py", *ARGS]
namespace = {"__name__": "precompile"}
exec(compile(SOURCE, "precompile.py", "exec"), namespace)
namespace["main"](*ARGS)
`);
