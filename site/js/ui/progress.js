// @ts-check
// The page's ONE progress line for a stepped worker job (css/progress.css): a bar in its track, an "N of M" text and
// Cancel, its state in data-state (idle, running, done, cancelled, error / failed) and its counts in data-done,
// data-total and data-fraction for tests and scripts; and stepJob(), the start / step / cancel loop every stepped
// job runs (the worker's *_start, then *_step calls of a short budget until finished, *_cancel once Cancel was
// pressed). Used by the games' players, the studies, the matrix, the checksum's search and the defenses' runs.

import { el } from "./dom.js";

/**
 * @typedef {{id: string, label: string, barId?: string, textId?: string, cancelId?: string, hidden?: boolean,
 *   cancelling?: string, onCancel?: () => void}} ProgressOptions
 *   id: the line's id (the parts default to id-bar, id-text, id-cancel); label: what the bar measures, for assistive
 *   technology; hidden: start hidden (default true); cancelling: the text while a Cancel is pending (default
 *   "Cancelling…"); onCancel: called once per run when Cancel is pressed
 * @typedef {{done?: number, total?: number}} ProgressCounts
 * @typedef {ReturnType<typeof progressLine>} ProgressLine
 */

/** A progress line (hidden until a run starts). @param {ProgressOptions} o */
export function progressLine(o) {
  const bar = el(`div.job-progress-bar#${o.barId ?? `${o.id}-bar`}`);
  const track = el("div.job-progress-track", { role: "progressbar", "aria-label": o.label, "aria-valuemin": "0",
    "aria-valuemax": "100", "aria-valuenow": "0" }, bar);
  const text = el(`span.job-progress-text#${o.textId ?? `${o.id}-text`}`, null, "");
  const cancel = /** @type {HTMLButtonElement} */ (el(`button.text-button#${o.cancelId ?? `${o.id}-cancel`}`,
    { type: "button", disabled: true }, "Cancel"));
  const element = el(`div.job-progress#${o.id}`, { hidden: o.hidden ?? true, role: "group", "aria-label": o.label,
    dataset: { state: "idle", done: "0" } }, track, text, cancel);
  let cancelRequested = false;

  cancel.addEventListener("click", () => {
    cancelRequested = true;
    cancel.disabled = true;
    text.textContent = o.cancelling ?? "Cancelling…";
    o.onCancel?.();
  });

  /** @param {number} fraction */
  function fill(fraction) {
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    bar.style.width = `${(100 * f).toFixed(1)}%`;
    track.setAttribute("aria-valuenow", String(Math.round(100 * f)));
    element.dataset.fraction = String(f);
  }

  return {
    element,
    /** Has Cancel been pressed since this run started (and the line was not hidden since)? */
    get cancelRequested() { return cancelRequested; },
    /** A new run: shown, empty, running, Cancel enabled. @param {string} [message] the text until the first update */
    start(message = "") {
      cancelRequested = false;
      cancel.disabled = false;
      element.hidden = false;
      element.dataset.state = "running";
      element.dataset.done = "0";
      delete element.dataset.total;
      fill(0);
      text.textContent = message;
    },
    /**
     * The job moved: the bar at `fraction` (0..1), the counts, and the text (unless a Cancel is pending: its
     * "Cancelling…" stays until the run ends).
     * @param {number} fraction @param {string} message @param {ProgressCounts} [counts]
     */
    update(fraction, message, counts = {}) {
      fill(fraction);
      if (counts.done != null) element.dataset.done = String(counts.done);
      if (counts.total != null) element.dataset.total = String(counts.total);
      if (!cancelRequested) text.textContent = message;
    },
    /**
     * The run ended: its state and its last text (the text as it is when none); Cancel off.
     * @param {string} state @param {string} [message]
     */
    end(state, message) {
      element.dataset.state = state;
      if (message != null) text.textContent = message;
      cancel.disabled = true;
    },
    /** Out of sight, and the run over for Cancel: a pending request does not carry over to the next run. */
    hide() {
      element.hidden = true;
      cancel.disabled = true;
      cancelRequested = false;
    },
  };
}

/**
 * A stepped worker job from start to finish: `start`, then `step` calls of `budgetMs` each (`cancel` instead once
 * the line's Cancel was pressed) until a reply says finished. `onReply` sees every reply, the start's first (its
 * `first` true). `live` (optional) is asked before each step: false means the job no longer applies (its model was
 * replaced), and the loop stops with null.
 * @template {{finished: boolean}} P
 * @template {string} M
 * @param {(method: M, args?: object) => Promise<any>} call the panel's worker call
 * @param {{start: M, step: M, cancel: M}} methods
 * @param {object} args the start's arguments
 * @param {{line: {cancelRequested: boolean}, budgetMs: number, onReply: (p: P, first: boolean) => void,
 *   live?: () => boolean}} o
 * @returns {Promise<P | null>} the last reply (finished), or null when the job stopped applying
 */
export async function stepJob(call, methods, args, o) {
  /** @type {P} */
  let p = await call(methods.start, args);
  o.onReply(p, true);
  while (!p.finished) {
    if (o.live && !o.live()) return null;
    const stop = o.line.cancelRequested;
    p = await call(stop ? methods.cancel : methods.step, stop ? {} : { budget_ms: o.budgetMs });
    o.onReply(p, false);
  }
  return o.live && !o.live() ? null : p;
}
