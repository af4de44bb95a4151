// @ts-check
// The page's side of the worker protocol (docs/ARCHITECTURE.md): request/reply by id, boot status events,
// a boot timeout (a wrong MIME type makes loadPyodide hang forever) and crash detection.

/**
 * @typedef {import("./replies.js").ApiMethod} ApiMethod
 * @typedef {import("./replies.js").BootStatus} BootStatus
 * @typedef {import("./replies.js").ErrorInfo} ErrorInfo
 * @typedef {import("./replies.js").WorkerInfo} WorkerInfo
 * @typedef {import("./replies.js").WorkerMessage} WorkerMessage
 * @typedef {import("./replies.js").CallMessage} CallMessage
 */
/**
 * @template {ApiMethod} M
 * @typedef {import("./replies.js").Reply<M>} Reply
 */

/** Boot deadline; `?bootTimeoutMs=N` in the page URL overrides it (tests of the failure path use a short one). */
export const BOOT_TIMEOUT_MS = Number(new URLSearchParams(globalThis.location?.search).get("bootTimeoutMs")) || 30000;

export class PythonError extends Error {
  /** @param {ErrorInfo} info */
  constructor(info) {
    super(info.message);
    this.name = "PythonError";
    this.pyType = info.type || "Error";
    this.traceback = info.traceback || "";
  }
}

export class PyWorker {
  /**
   * @param {string} url the module worker's script
   * @param {{onStatus?: (s: BootStatus) => void, onFatal?: (e: ErrorInfo) => void}} hooks
   */
  constructor(url, hooks = {}) {
    this.hooks = hooks;
    this.nextId = 1;
    /** @type {Map<number, {resolve: (value: unknown) => void, reject: (err: Error) => void, method: ApiMethod}>} */
    this.pending = new Map();
    this.dead = false;
    this.worker = new Worker(url, { type: "module" });
    /** @type {WorkerInfo | undefined} */
    this.info = undefined;
    /** @type {(info: WorkerInfo) => void} */
    this.resolveReady = () => {};
    /** @type {(err: Error) => void} */
    this.rejectReady = () => {};
    /** @type {Promise<WorkerInfo>} */
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // callers observe failure through onFatal / their own await
    this.armBootTimer();
    this.worker.onmessage = (e) => this.onMessage(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.fail({ message: `the Python worker crashed: ${e.message || "unknown error"}` });
    };
    this.worker.onmessageerror = () => this.fail({ message: "a message from the Python worker could not be read" });
  }

  /** A watchdog on boot progress, not on boot time: a busy machine boots slowly but keeps reporting stages. */
  armBootTimer() {
    clearTimeout(this.bootTimer);
    this.bootTimer = setTimeout(
      () => this.fail({ message: `Python made no progress for ${BOOT_TIMEOUT_MS / 1000} s (the runtime files may be served with a wrong type, or the network stalled).` }),
      BOOT_TIMEOUT_MS,
    );
  }

  /** @param {WorkerMessage | null} msg anything else is logged as unknown */
  onMessage(msg) {
    switch (msg?.type) {
      case "status":
        if (!this.info && !this.dead) this.armBootTimer();  // still booting
        this.hooks.onStatus?.(msg);
        break;
      case "ready":
        clearTimeout(this.bootTimer);
        this.info = msg.info;
        this.resolveReady(msg.info);
        break;
      case "fatal":
        this.fail(msg.error);
        break;
      case "reply": {
        const entry = this.pending.get(msg.id);
        if (!entry) return;
        this.pending.delete(msg.id);
        if (msg.ok) entry.resolve(msg.value);
        else entry.reject(new PythonError(msg.error));
        break;
      }
      case "log":
        console.warn(msg.text);
        break;
      default:
        console.warn("unknown message from the worker", msg);
    }
  }

  /** @param {ErrorInfo} error */
  fail(error) {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.bootTimer);
    this.worker.terminate();
    const err = new PythonError({ type: "WorkerFailure", ...error });
    this.rejectReady(err);
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
    this.hooks.onFatal?.(error);
  }

  /**
   * Call backdoor_playground.worker.api.<method>(**args) in the worker; `method` is an API constant (api-table.js).
   * @template {ApiMethod} M @param {M} method @param {object} [args] @returns {Promise<Reply<M>>}
   */
  call(method, args = {}) {
    if (this.dead) return Promise.reject(new PythonError({ type: "WorkerFailure", message: "the Python worker has stopped; reload the page" }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (value) => resolve(/** @type {Reply<M>} */ (value)), reject, method });
      /** @type {CallMessage} */
      const msg = { type: "call", id, method, args };
      this.worker.postMessage(msg);
    });
  }

  terminate() {
    this.dead = true;
    clearTimeout(this.bootTimer);
    this.worker.terminate();
  }
}
