// @ts-check
// The Python side of the page: boots Pyodide in this module worker and answers `call` messages by calling
// backdoor_playground.worker.api. Protocol: docs/ARCHITECTURE.md. Every message has a `type`; replies carry the
// request's `id` and `ok`; errors carry the Python traceback.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { BUILD } from "./build-info.js";

const base = new URL(".", self.location.href).href;

/** @param {string} stage @param {number} progress @param {string} text */
function status(stage, progress, text) {
  self.postMessage({ type: "status", stage, progress, text });
}

/** Split a Pyodide PythonError (or any error) into a one-line message and the full traceback. */
function errorInfo(err) {
  const text = String((err && err.message) || err);
  const lines = text.trim().split("\n");
  const last = lines[lines.length - 1] || text;
  // Python's last traceback line is "ValueError: message"; keep the message readable for the page.
  const message = last.replace(/^[A-Za-z_.]*(Error|Exception|Warning)[^:]*:\s*/, "") || last;
  return { message, type: (err && err.type) || "Error", traceback: text };
}

/** Every ArrayBuffer inside a converted value, so postMessage can transfer instead of copy. */
function transferables(value, out = []) {
  if (ArrayBuffer.isView(value)) {
    out.push(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, out);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) transferables(v, out);
  }
  return out;
}

async function boot() {
  const t0 = performance.now();
  const timings = {};
  const lap = (name) => { timings[name] = Math.round(performance.now() - t0); };
  status("runtime", 0.05, "Python runtime…");
  const pyodide = await loadPyodide({ indexURL: base + "pyodide/" });
  lap("runtime");
  status("numpy", 0.55, "numpy…");
  const failures = [];
  await pyodide.loadPackage(["numpy", "micropip"], {
    messageCallback: () => {},
    errorCallback: (m) => failures.push(m),
  });
  if (failures.length) throw new Error("package load failed: " + failures.join("; "));
  lap("packages");
  status("package", 0.8, "simulation package…");
  const micropip = pyodide.pyimport("micropip");
  lap("import_micropip");
  await micropip.install(base + BUILD.wheel, { deps: false });
  micropip.destroy();
  lap("install");
  const api = pyodide.pyimport("backdoor_playground.worker.api");
  lap("import_api");
  const info = api.info().toJs({ dict_converter: Object.fromEntries });
  info.boot_timings_ms = timings;
  status("ready", 1, "ready");
  return { pyodide, api, info };
}

const booted = boot();
booted.then(
  ({ info }) => self.postMessage({ type: "ready", info }),
  (err) => self.postMessage({ type: "fatal", error: errorInfo(err) }),
);

// Calls run one at a time, in arrival order: Python is single-threaded and the page relies on ordering.
let queue = Promise.resolve();

self.onmessage = (event) => {
  const msg = event.data;
  if (!msg || msg.type !== "call") {
    self.postMessage({ type: "log", level: "warn", text: `worker ignored a message of type ${msg && msg.type}` });
    return;
  }
  queue = queue.then(() => handleCall(msg));
};

/** @param {{id: number, method: string, args?: object}} msg */
async function handleCall(msg) {
  const { id, method, args } = msg;
  let result;
  let pyArgs;
  try {
    const { pyodide, api } = await booted;
    pyArgs = pyodide.toPy(args || {});
    result = api.call(method, pyArgs);
    const value = result && typeof result.toJs === "function"
      ? result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false })
      : result;
    self.postMessage({ type: "reply", id, ok: true, value }, transferables(value));
  } catch (err) {
    self.postMessage({ type: "reply", id, ok: false, error: errorInfo(err) });
    if (err && err.pyodide_fatal_error) {
      // The interpreter is unusable after a fatal error: say so, and let the page start a fresh worker.
      self.postMessage({ type: "fatal", error: errorInfo(err) });
      self.close();
    }
  } finally {
    if (result && typeof result.destroy === "function") result.destroy();
    if (pyArgs && typeof pyArgs.destroy === "function") pyArgs.destroy();
  }
}
