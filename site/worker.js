// @ts-check
// The Python side of the page: boots Pyodide in this module worker and answers `call` messages by calling
// backdoor_playground.worker.api. Protocol: docs/ARCHITECTURE.md. Every message has a `type`; replies carry the
// request's `id` and `ok`; errors carry the Python traceback.
import { BUILD } from "./build-info.js";

/**
 * The messages of the protocol (type-only imports: the worker loads nothing from js/ at run time).
 * @typedef {import("./js/app/replies.js").WorkerMessage} WorkerMessage
 * @typedef {import("./js/app/replies.js").CallMessage} CallMessage
 * @typedef {import("./js/app/replies.js").ErrorInfo} ErrorInfo
 * @typedef {import("./js/app/replies.js").WorkerInfo} WorkerInfo
 * @typedef {import("pyodide").PyodideInterface} PyodideInterface
 * @typedef {import("pyodide/ffi").PyProxy} PyProxy
 */

/**
 * backdoor_playground.worker.api as Pyodide shows it: `call` answers a PyProxy (dict, list, bytes...) or a value
 * Pyodide already converted (str, number, bool, None).
 * @typedef {{info: () => PyProxy, call: (method: string, args: PyProxy) => unknown}} PyodideModule
 */

/** @param {unknown} value @returns {value is PyProxy} */
const isProxy = (value) => typeof value === "object" && value !== null && typeof (/** @type {PyProxy} */ (value)).toJs === "function";

/**
 * This module worker's global scope, the part of it used here (tsconfig's lib is the page's "dom", whose `self` is
 * a Window: a worker's postMessage takes a transfer list, not a target origin).
 * @typedef {{location: Location, postMessage: (message: WorkerMessage, transfer?: Transferable[]) => void,
 *   onmessage: ((event: MessageEvent<CallMessage | null>) => void) | null, close: () => void}} WorkerScope
 */
const scope = /** @type {WorkerScope} */ (/** @type {unknown} */ (self));

const base = new URL(".", scope.location.href).href;

// Every big file is asked for now, in parallel, while the runtime's script loads and compiles: the wasm, the
// stdlib, the lock and both wheels (each with its sha256 from the build, checked by the browser). Pyodide's own
// fetch of the same URL later gets this response instead of a second request.
/** @type {Map<string, Promise<Response>>} */
const early = new Map();
for (const { url, integrity } of BUILD.preload) {
  const href = new URL(url, base).href;
  const response = fetch(href, { integrity });
  response.catch(() => {});  // a failure surfaces where Pyodide awaits it
  early.set(href, response);
}
const nativeFetch = globalThis.fetch.bind(globalThis);
/** @type {typeof fetch} */
globalThis.fetch = (input, init) => {
  const href = typeof input === "string" ? new URL(input, base).href : input instanceof URL ? input.href : input.url;
  const response = early.get(href);
  if (response) {
    early.delete(href);
    return response;
  }
  return nativeFetch(input, init);
};
/** @type {Promise<typeof import("./pyodide/pyodide.mjs")>} */
const runtimeModule = import(base + BUILD.runtime + "pyodide.mjs");
// The runtime's 1.2 MB script, asked for beside its loader rather than after it: loadPyodide finds it evaluated
// (it defines _createPyodideModule) and skips its own load.
import(base + BUILD.runtime + "pyodide.asm.js").catch(() => {});  // a failure surfaces in loadPyodide's own load

/** @param {string} stage @param {number} progress @param {string} text */
function status(stage, progress, text) {
  scope.postMessage({ type: "status", stage, progress, text });
}

/**
 * Split a Pyodide PythonError (or any error) into a one-line message and the full traceback.
 * @param {unknown} err anything thrown (a PythonError carries Python's exception name in `type`)
 * @returns {ErrorInfo}
 */
function errorInfo(err) {
  const e = /** @type {{message?: unknown, type?: unknown} | null | undefined} */ (err);
  const text = String((e && e.message) || err);
  const lines = text.trim().split("\n");
  const last = lines[lines.length - 1] || text;
  // Python's last traceback line is "ValueError: message"; keep the message readable for the page.
  const message = last.replace(/^[A-Za-z_.]*(Error|Exception|Warning)[^:]*:\s*/, "") || last;
  return { message, type: String((e && e.type) || "Error"), traceback: text };
}

/**
 * Every ArrayBuffer inside a converted value, so postMessage can transfer instead of copy.
 * @param {unknown} value a reply converted to JavaScript (any JSON-like shape, typed arrays inside)
 * @param {ArrayBuffer[]} out
 */
function transferables(value, out = []) {
  if (ArrayBuffer.isView(value)) {
    out.push(/** @type {ArrayBuffer} */ (value.buffer));
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, out);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) transferables(v, out);
  }
  return out;
}

/** @returns {Promise<{pyodide: PyodideInterface, api: PyodideModule, info: WorkerInfo}>} */
async function boot() {
  const t0 = performance.now();
  /** @type {Record<string, number>} */
  const timings = {};
  const lap = (/** @type {string} */ name) => { timings[name] = Math.round(performance.now() - t0); };
  status("runtime", 0.05, "Python runtime…");
  const { loadPyodide } = await runtimeModule;
  const pyodide = await loadPyodide({
    indexURL: base + BUILD.runtime, stdLibURL: base + BUILD.stdlib, lockFileURL: base + BUILD.lock,
  });
  lap("runtime");
  status("numpy", 0.55, "numpy and the simulation package…");
  /** @type {string[]} */
  const failures = [];
  // Pyodide's loadPackage stays the loader; two of its steps are done faster for its duration (the wheel reader and
  // the import-cache reset: py/backdoor_playground/worker/package_install.py).
  const installSteps = pyodide.toPy({});
  pyodide.runPython(BUILD.package_install_py + "\ninstall()", { globals: installSteps });
  try {
    // One call, one parallel fetch (already under way): numpy and our wheel, both precompiled, through the lock.
    await pyodide.loadPackage(["backdoor-playground"], {
      messageCallback: () => {},
      errorCallback: (/** @type {string} */ m) => failures.push(m),
    });
  } finally {
    pyodide.runPython("restore()", { globals: installSteps });
    installSteps.destroy();
  }
  if (failures.length) throw new Error("package load failed: " + failures.join("; "));
  lap("packages");
  status("package", 0.8, "simulation package…");
  /** @type {PyodideModule} */
  const api = pyodide.pyimport("backdoor_playground.worker.api");
  lap("import_api");
  /** @type {WorkerInfo} */
  const info = api.info().toJs({ dict_converter: Object.fromEntries });
  timings.unused_prefetch = early.size;  // 0 when Pyodide took every early response
  info.boot_timings_ms = timings;
  status("ready", 1, "ready");
  return { pyodide, api, info };
}

const booted = boot();
booted.then(
  ({ info }) => scope.postMessage({ type: "ready", info }),
  (err) => scope.postMessage({ type: "fatal", error: errorInfo(err) }),
);

// Calls run one at a time, in arrival order: Python is single-threaded and the page relies on ordering.
/** @type {Promise<void>} */
let queue = Promise.resolve();

scope.onmessage = (/** @type {MessageEvent<CallMessage | null>} */ event) => {
  const msg = event.data;
  if (!msg || msg.type !== "call") {
    scope.postMessage({ type: "log", level: "warn", text: `worker ignored a message of type ${msg && msg.type}` });
    return;
  }
  queue = queue.then(() => handleCall(msg));
};

/** @param {CallMessage} msg */
async function handleCall(msg) {
  const { id, method, args } = msg;
  /** @type {unknown} */
  let result;
  /** @type {unknown} */
  let pyArgs;
  try {
    const { pyodide, api } = await booted;
    pyArgs = pyodide.toPy(args || {});
    result = api.call(method, /** @type {PyProxy} */ (pyArgs));
    /** @type {unknown} */
    const value = isProxy(result)
      ? result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false })
      : result;
    scope.postMessage({ type: "reply", id, ok: true, value }, transferables(value));
  } catch (err) {
    scope.postMessage({ type: "reply", id, ok: false, error: errorInfo(err) });
    if (/** @type {{pyodide_fatal_error?: boolean} | null} */ (err)?.pyodide_fatal_error) {
      // The interpreter is unusable after a fatal error: say so, and let the page start a fresh worker.
      scope.postMessage({ type: "fatal", error: errorInfo(err) });
      scope.close();
    }
  } finally {
    if (isProxy(result)) result.destroy();
    if (isProxy(pyArgs)) pyArgs.destroy();
  }
}
