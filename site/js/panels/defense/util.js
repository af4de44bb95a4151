// @ts-check
// Small shared parts of the defenses panel: number formats (rates with their Wilson interval), checked number
// inputs, the run button, the result tiles, and the in-card message line (errors show there, never on the console).

import { el } from "../../ui/dom.js";
import { statTile } from "../../ui/card.js";
import { progressLine } from "../../ui/progress.js";
import { fieldRange, rangeText } from "../limits.js";
import { DASH, duration, length, messageOf, percent, percentDigits } from "../../ui/format.js";

/** @typedef {import("../replies.js").Rate} Rate */
/** @typedef {[string, string, string, number | null | undefined, string?]} Tile  [id, label, text, raw value for data-value, sub-line?] */

/** Is `v` a rate object {value, lo, hi, k, n}? @param {unknown} v @returns {v is Rate} */
export const isRate = (v) => v != null && typeof v === "object" && "value" in v && "n" in v;

/** A Wilson interval in percent: "[95.1, 98.4]". @param {Rate} r */
export function interval(r) {
  if (r.lo == null || r.hi == null) return "";
  const d = Math.max(percentDigits(r.lo), percentDigits(r.hi === 1 ? 0.5 : r.hi));
  return `[${(100 * r.lo).toFixed(d)}, ${(100 * r.hi).toFixed(d)}]`;
}

/** "97.2% [95.1, 98.4]". @param {Rate | null | undefined} r */
export function rateText(r) {
  if (!r || r.value == null) return DASH;
  return `${percent(r.value, "auto")} ${interval(r)}`.trim();
}

/** A length in data units (format.js's). */
export { length };

/** "x of n". @param {number | null | undefined} k @param {number | null | undefined} n */
export const ofText = (k, n) => (k == null ? DASH : `${k} of ${n ?? DASH}`);

/**
 * A labelled number field in the backdoor panel's style, its min / max (and the title's range) from `limit`, its
 * value the limit's default unless `o.value` says otherwise.
 * @param {string} id @param {string} label @param {import("../limits.js").Limit} limit
 * @param {{name: string, title: string, step?: number, value?: string, wide?: boolean, symbol?: boolean}} o
 *   name: the symbol in the title's range ("σ"); step: the spinner's step (default: 1 or "any")
 */
export function numberField(id, label, limit, o) {
  const title = `${o.title}: ${rangeText(limit, o.name)}`;
  const input = /** @type {HTMLInputElement} */ (el(`input.card-input${o.wide ? ".card-wide" : ""}#${id}`, {
    type: "number", ...fieldRange(limit, { step: o.step }), value: o.value ?? String(limit.default ?? ""), title,
    "aria-label": label ? undefined : o.title,  // a field without a visible label is named by its purpose
  }));
  return { input, element: el(`label.card-field${o.symbol ? ".df-symbol" : ""}`, { title }, label, input) };
}

/**
 * A grid of result tiles; `set` fills them (Tile: [id, label, text, raw value for data-value, sub-line?]).
 * @param {string} id
 */
export function tiles(id) {
  const element = el(`dl.card-summary.df-tiles#${id}`, { hidden: true });
  return {
    element,
    /** @param {Tile[]} items */
    set(items) {
      element.replaceChildren(...items.map(([tid, label, text, raw, sub]) => statTile(tid, label, text, raw, sub)));
      element.hidden = false;
    },
    hide() { element.hidden = true; },
  };
}

/** How many inputs a defend reply labelled. @param {import("../replies.js").DefendReply} r */
export const shownCount = (r) => r.labels?.length ?? r.metrics?.clean_accuracy?.n ?? 0;

/**
 * The tiles every defense card ends with: restored points, clean labels changed, accuracy and attack success after.
 * @param {string} prefix the card's id prefix ("df-prox") @param {import("../replies.js").DefendReply} r defend's reply
 * @param {import("../replies.js").DefenseMetrics | null} before the metrics without a defense @param {string} [wasNote] follows "was …" under attack success
 * @returns {Tile[]}
 */
export function outcomeTiles(prefix, r, before, wasNote = "") {
  const changed = r.clean_changed ?? r.twin_changed;
  return [
    [`${prefix}-restored`, "restored", ofText(r.restored, r.flipped), r.restored, "of the flipped points"],
    [`${prefix}-clean-changed`, "clean labels changed", ofText(changed, r.clean_n ?? shownCount(r)), changed, "at the untouched test points"],
    [`${prefix}-acc`, "accuracy after", percent(r.accuracy_after, "auto"), r.accuracy_after, "on the inputs shown"],
    [`${prefix}-asr`, "attack success after", percent(r.asr_after, "auto"), r.asr_after,
      before?.attack_success_rate?.value != null ? `was ${percent(before.attack_success_rate.value, "auto")}${wasNote}` : ""],
  ];
}

/**
 * The card's run button: a click reads the fields (`params` throws on a bad one; its message shows on the status
 * line) and hands them to `run`.
 * @param {string} id @param {string} label @param {() => Record<string, string | number | null>} params
 * @param {{error: (text: string) => void}} status @param {(params: Record<string, string | number | null>) => void} run
 */
export function runButton(id, label, params, status, run) {
  const button = /** @type {HTMLButtonElement} */ (el(`button.text-button.card-primary#${id}`, { type: "button" }, label));
  button.addEventListener("click", () => {
    let p;
    try {
      p = params();
    } catch (err) {
      status.error(messageOf(err));
      return;
    }
    run(p);
  });
  return button;
}

/** The card's message line: running (with elapsed seconds), done, or a clear error. */
export function statusLine(/** @type {string} */ id) {
  const element = el(`p.df-status#${id}`, { "aria-live": "polite", hidden: true, dataset: { state: "idle" } });
  /** @type {number | undefined} */
  let timer;
  const stop = () => { if (timer !== undefined) clearInterval(timer); timer = undefined; };
  return {
    element,
    running(/** @type {string} */ text) {
      stop();
      const t0 = performance.now();
      const show = () => { element.textContent = `${text} ${((performance.now() - t0) / 1000).toFixed(1)} s`; };
      show();
      timer = window.setInterval(show, 200);
      element.dataset.state = "running";
      element.hidden = false;
    },
    done(/** @type {string} */ text) { stop(); element.textContent = text; element.dataset.state = "done"; element.hidden = !text; },
    error(/** @type {string} */ text) { stop(); element.textContent = text; element.dataset.state = "error"; element.hidden = false; },
    clear() { stop(); element.textContent = ""; element.dataset.state = "idle"; element.hidden = true; },
  };
}


/** One line naming a defense result's settings. @param {import("../replies.js").DefendReply} r a defend reply (or a replayed result's defense) */
export function describeDefense(r) {
  const p = r.params;
  if (r.type === "proximity") {
    const source = p.radius === "auto" || p.radius === "r_sep" ? p.radius : "typed";
    const how = p.vote === "knn" ? `k-NN, k = ${p.k}` : `radius ${length(r.radius)} (${source}), ties ${p.ties === "keep" ? "keep the label" : "→ −1"}`;
    return `proximity, ${how}`;
  }
  if (r.type === "smoothing") return `smoothing, σ = ${p.sigma}, n₀ = ${p.n0}, n = ${p.n}, α = ${p.alpha}`;
  // any other defense of the registry: its type and settings as the experiment's `defense` object names them
  const settings = Object.entries(p ?? {}).filter(([key]) => key !== "type").map(([key, v]) => `${key} = ${v}`);
  return [r.type, ...settings].join(", ");
}

/**
 * A long run's progress line (ui/progress.js), shown by the panel once a run passes half a second: `show` draws a
 * reply's fraction and seconds (the first after a hidden spell starts the line: Cancel on again), `hide` ends it.
 * @param {string} id
 */
export function jobProgress(id) {
  const line = progressLine({ id, label: "Progress" });
  return {
    element: line.element,
    /** Has Cancel been pressed since the line was last shown? */
    get cancelRequested() { return line.cancelRequested; },
    /** @param {{fraction: number, seconds: number}} p @param {string} what */
    show(p, what) {
      if (line.element.hidden) line.start();
      line.update(p.fraction, `${what} ${percent(p.fraction, 0)} · ${duration(p.seconds)}`);
    },
    hide() { line.hide(); },
  };
}
