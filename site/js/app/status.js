// @ts-check
// Boot progress (the masthead's bar and the plot's loading card), the fatal-error box, and the notices under the
// plot: the link's fallbacks (one notice listing every bad key), errors, and the training-health notices
// (divergence, a saturated output) that clear themselves once training is healthy again; and training held by a
// job (Player.hold): the Play button and a line under the epoch counter say what training waits for and whether it
// resumes by itself (when Play is on). body.held is for styling and tests only.
import { el } from "../ui/dom.js";

const $ = (/** @type {string} */ id) => document.getElementById(id);

/** The boot stages in order, as the loading card names them (the worker's status messages). */
const STAGES = ["runtime", "numpy", "package", "ready"];

/** @param {{stage: string, progress: number, text: string}} s */
export function showStatus(s) {
  const box = $("status");
  const bar = $("status-bar");
  const text = $("status-text");
  const ready = s.stage === "ready";
  const line = ready ? "Python ready" : `Loading ${s.text}`;
  const pct = `${Math.round(100 * s.progress)}%`;
  if (bar) bar.style.width = pct;
  if (text) text.textContent = line;
  if (box) box.classList.toggle("done", ready);
  const cardBar = $("plot-loading-bar");
  const cardText = $("plot-loading-text");
  if (cardBar) cardBar.style.width = pct;
  const step = STAGES.indexOf(s.stage);
  if (cardText) cardText.textContent = step >= 0 && !ready ? `${line} (step ${step + 1} of ${STAGES.length - 1}, ${pct})` : `${line} (${pct})`;
}

/** A fatal error: the page says what happened and offers a reload. @param {{message: string, traceback?: string}} e */
export function showFatal(e) {
  document.body.dataset.error = e.message;
  const card = $("plot-loading");
  card?.classList.add("failed");
  const cardText = $("plot-loading-text");
  if (cardText) cardText.textContent = `Python stopped: ${e.message}`;
  const box = $("status");
  if (!box) return;
  box.classList.add("fatal");
  box.classList.remove("done");
  const text = $("status-text");
  if (text) text.textContent = `Python stopped: ${e.message}`;
  let reload = /** @type {HTMLButtonElement | null} */ ($("reload-button"));
  if (!reload) {
    reload = document.createElement("button");
    reload.id = "reload-button";
    reload.textContent = "Reload";
    box.append(reload);
  }
  reload.hidden = false;
  reload.onclick = () => location.reload();
  if (e.traceback) console.warn(e.traceback);
}

/**
 * Show one notice; `key` names it (a later notice with the same key replaces it, dismiss(key) removes it), else the
 * text does (the same text twice shows once). Info notices leave by themselves after a few seconds.
 * @param {string | Node} message @param {"info" | "warn" | "error"} level @param {string} [key]
 */
function show(message, level, key) {
  const list = $("notices");
  if (!list) return;
  const id = key ?? `text:${typeof message === "string" ? message : message.textContent}`;
  for (const li of list.querySelectorAll("li.notice")) {
    if (/** @type {HTMLElement} */ (li).dataset.key === id) li.remove();
  }
  const li = el(`li.notice.${level}`, { dataset: { key: id }, role: level === "error" ? "alert" : null },
    el("div.notice-body", null, message),
    el("button.notice-close", { type: "button", title: "Dismiss", "aria-label": "Dismiss this notice", onclick: () => li.remove() }, "×"));
  list.append(li);
  if (level === "info") setTimeout(() => li.remove(), 6000);
}

/** Add one message to the notices. @param {string} message @param {"info" | "warn" | "error"} level */
export function notify(message, level = "warn") {
  show(message, level);
}

/** Remove the notice shown under `key`, if any. @param {string} key */
export function dismiss(key) {
  for (const li of document.querySelectorAll("#notices li.notice")) {
    if (/** @type {HTMLElement} */ (li).dataset.key === key) li.remove();
  }
}

/**
 * One fallback of config.validate(), "key=value why; using fallback", split for the list (null when it reads
 * otherwise: that message is shown as it is).
 * @param {string} text
 */
export function parseFallback(text) {
  const m = /^([A-Za-z_][\w]*)=(.*?) ((?:is|has|are) .*); using (.+)$/s.exec(text);
  return m ? { key: m[1], bad: m[2], why: m[3], used: m[4] } : null;
}

/**
 * The notices that come with a config (the link's bad keys, NN Calculator's remarks): one notice for them all,
 * listing each key, its bad value and the value used, closed with one click (a newer list replaces it).
 * @param {string[]} notices
 */
export function showNotices(notices) {
  if (!notices || notices.length === 0) return;
  if (notices.length === 1) {
    show(notices[0], "warn", "config");
    return;
  }
  const items = notices.map((n) => {
    const f = parseFallback(n);
    if (!f) return el("li", null, n);
    return el("li", { dataset: { key: f.key } }, el("span.notice-key", null, f.key), " = ",
      el("span.notice-bad", null, f.bad || "(empty)"), " → ", el("span.notice-used", null, f.used),
      el("span.notice-why", null, f.why));
  });
  const body = el("div", null, `${notices.length} settings in the link could not be used; each one takes the value after the arrow:`,
    el("ul.notice-list", null, ...items));
  show(body, "warn", "config");
}

/** Share of the output grid at the ends of the scale (bytes 0-2 or 253-255: |value| > 0.98) above which it counts as saturated. */
const SATURATED_SHARE = 0.99;
/** ...while the training accuracy stays below this: a well-trained network is also sharp, but it is right. */
const STUCK_ACCURACY = 0.8;

/**
 * The training-health notices for a frame: divergence (NaN or infinite loss) and, in classification, a saturated
 * output (tanh at +-1 almost everywhere, so its gradient vanishes and training is stuck near chance). Each notice
 * is removed as soon as a frame is healthy again (a reset at a sane learning rate).
 * @param {import("./replies.js").Frame} frame @param {import("./replies.js").Config} config
 */
export function checkHealth(frame, config) {
  if (frame.diverged) {
    show("Training diverged (the loss became NaN or infinite): lower the learning rate or the regularisation rate, then press reset.", "error", "diverged");
  } else {
    dismiss("diverged");
  }
  if (!frame.diverged && saturated(frame, config)) {
    show(`The output saturated: the network outputs ±1 almost everywhere, so its gradients vanish and training is stuck at ${Math.round(100 * (frame.acc_train ?? 0))} % accuracy. Lower the learning rate (now ${config.learningRate}) and press reset.`, "warn", "saturated");
  } else {
    dismiss("saturated");
  }
}

/** @param {import("./replies.js").Frame} frame @param {import("./replies.js").Config} config */
function saturated(frame, config) {
  if (config.problem !== "classification" || frame.epoch === 0 || frame.acc_train == null || frame.acc_train >= STUCK_ACCURACY) return false;
  const out = frame.layout.find((g) => g.id === frame.output_id);
  if (!out) return false;
  const n = out.w * out.h;
  let ends = 0;
  for (let k = out.offset; k < out.offset + n; k++) {
    const v = frame.grids[k];
    if (v <= 2 || v >= 253) ends += 1;
  }
  return ends >= SATURATED_SHARE * n;
}

/**
 * @param {string | null} reason what training waits for (null: nothing holds it)
 * @param {boolean} playing whether Play is on (training resumes when the hold ends)
 */
export function showHeld(reason, playing) {
  const button = /** @type {HTMLElement} */ (document.getElementById("play-pause-button"));
  let note = document.getElementById("play-held");
  if (!note) {
    note = el("span.play-held#play-held", { role: "status", hidden: true });
    document.getElementById("iter-number")?.after(note);
  }
  document.body.classList.toggle("held", reason !== null);
  button.dataset.held = reason ?? "";
  if (reason === null) {
    note.hidden = true;
    note.textContent = "";
    button.title = "Run / pause";
    button.setAttribute("aria-label", "Run training");
    return;
  }
  const what = playing ? `Waiting for ${reason}: training resumes when it ends` : `Waiting for ${reason}`;
  note.textContent = playing ? `waiting for ${reason}…` : `${reason} running`;
  note.hidden = false;
  button.title = `${what} (press to ${playing ? "stay paused afterwards" : "resume training when it ends"})`;
  button.setAttribute("aria-label", what);
}
