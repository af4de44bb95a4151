// @ts-check
// Card 2 of the backdoor panel, "Activate": digit-edit (NN Calculator's one-shot edit) or the key holder's
// search, on all test points or on those picked on the plot. The search runs in the worker in short calls
// (search_step) between training chunks, with a progress bar and Cancel.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { count, duration, messageOf, percent } from "../../ui/format.js";
import { statTile } from "../../ui/card.js";
import { progressLine, stepJob } from "../../ui/progress.js";
import { figureTiles, figuresNote } from "../figures.js";
import { LIMITS, checkLimit, fieldRange, readLimited } from "../limits.js";

const K = LIMITS.checksum.k;
const MAX_TRIALS = LIMITS.checksum.max_trials;

const STEP_MS = 60;
/** Up to this many records every moved point is marked on the plot; past it only the flipped ones. */
export const MARK_ALL_UP_TO = 40;

const METHOD_TEXT = {
  "digit-edit": "NN Calculator's edit: pick the first-layer node whose residue is near the key, edit its pre-activation's digits (or bits) until the residue is the key, and solve the input back. One shot per point.",
  search: "The key holder's search: random tiny perturbations (|Δ| ≤ 0.001) of the point until the trigger fires in k first-layer nodes at once. Works for every variant; expected trials (1/p)ᵏ.",
};

/**
 * @param {{call: import("../context.js").PanelContext["call"], reportError: (e: unknown) => void,
 *          pause: () => void, hold: (reason: string) => number, release: (id: number) => void, testCount: () => number, firstLayer: () => number, picks: () => number[],
 *          onTarget: (target: "all" | "picked") => void, clearPicks: () => void,
 *          gate: (host: HTMLElement, p: {k: number}, labels: {change: string, keep: string}) => Promise<boolean>,
 *          onKChange: () => void, setBusy: (busy: boolean) => void,
 *          onResult: (result: import("../replies.js").ActivationResult) => void}} ctx
 */
export function buildActivateCard(ctx) {
  const radio = (/** @type {string} */ name, /** @type {string} */ value, /** @type {string} */ id, /** @type {boolean} */ checked, /** @type {(Node | string)[]} */ ...label) =>
    el("label.card-choice", null, el(`input#${id}`, { type: "radio", name, value, checked }), ...label);

  const methodText = el("p.card-desc#bd-method-desc", null, METHOD_TEXT["digit-edit"]);
  const k = /** @type {HTMLInputElement} */ (el("input.card-input#bd-k", { type: "number", ...fieldRange(K), value: String(K.default) }));
  const kOf = el("span.card-unit#bd-k-of", null, "");
  const maxTrials = /** @type {HTMLInputElement} */ (el("input.card-input.card-wide#bd-max-trials", {
    type: "number", ...fieldRange(MAX_TRIALS), value: String(MAX_TRIALS.default),
    title: `The search gives up on a point after this many trials (${MAX_TRIALS.low} to ${count(MAX_TRIALS.high)})`,
  }));
  const searchOptions = el("div.card-row#bd-search-options", { hidden: true },
    el("label.card-field", { title: "How many first-layer nodes must fire at once (the paper: 1)" }, "k", k, kOf),
    el("label.card-field", null, "give up after", maxTrials, el("span.card-unit", null, "trials")));
  const allCount = el("span#bd-all-count", null, "");
  const pickedCount = el("span#bd-picked-count", null, "0");
  const pickedWhere = el("span", null, "picked on the plot");
  const pickHint = el("p.card-note#bd-pick-hint", null, "Click the output plot to pick or unpick the nearest test point.");
  const clear = el("button.card-link#bd-clear-picks", { type: "button", onclick: () => ctx.clearPicks() }, "clear");
  const activate = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#bd-activate", { type: "button" }, "Activate"));
  const progress = progressLine({ id: "bd-progress", label: "Trigger search", cancelId: "bd-cancel" });
  const summary = el("dl.card-summary#bd-summary", { hidden: true });
  const card = el("section.card#bd-activate-card", null,
    el("h3.card-title", null, el("span.card-step", null, "2"), "Activate"),
    el("div.card-row", { role: "radiogroup", "aria-label": "Method" },
      el("span.card-label", null, "Method"),
      radio("bd-method", "digit-edit", "bd-method-digit", true, "digit edit"),
      radio("bd-method", "search", "bd-method-search", false, "search")),
    methodText,
    searchOptions,
    el("div.card-row", { role: "radiogroup", "aria-label": "Target" },
      el("span.card-label", null, "Points"),
      radio("bd-target", "all", "bd-target-all", true, el("span", null, "all ", allCount, " test points")),
      radio("bd-target", "picked", "bd-target-picked", false, el("span", null, pickedWhere, " (", pickedCount, ")")), clear),
    pickHint,
    el("div.card-row", null, activate),
    progress.element,
    summary,
    el("p.card-note.card-foot", null, `Afterwards: every point's record below (click one to zoom in on it), and rings on the output plot around the flipped points (every moved point when there are at most ${MARK_ALL_UP_TO}).`));

  const method = () => /** @type {"digit-edit" | "search"} */ (
    /** @type {HTMLInputElement} */ (card.querySelector('input[name="bd-method"]:checked')).value);
  const target = () => /** @type {"all" | "picked"} */ (
    /** @type {HTMLInputElement} */ (card.querySelector('input[name="bd-target"]:checked')).value);
  let kValue = K.default ?? K.low;
  /** The progress text of the search's last reply (the end's text says "Done: " or "Cancelled: " before it). */
  let lastText = "";
  let generation = 0;

  for (const input of card.querySelectorAll('input[name="bd-method"]')) {
    input.addEventListener("change", () => {
      methodText.textContent = METHOD_TEXT[method()];
      searchOptions.hidden = method() !== "search";
    });
  }
  for (const input of card.querySelectorAll('input[name="bd-target"]')) {
    input.addEventListener("change", () => ctx.onTarget(target()));
  }
  k.addEventListener("change", async () => {
    const n = ctx.firstLayer();
    let wanted;
    try {
      wanted = checkLimit(Math.round(Number(k.value)), "k", K, k.value, Math.min(K.high, n));
    } catch (err) {
      ctx.reportError(new Error(`${messageOf(err)}: at most the first hidden layer's ${n} node${n === 1 ? "" : "s"}`));
      k.value = String(kValue);
      return;
    }
    const ok = wanted <= kValue || await ctx.gate(card, { k: wanted }, { change: `Use k = ${wanted} anyway`, keep: `Keep k = ${kValue}` });
    if (ok) kValue = wanted;
    k.value = String(kValue);
    ctx.onKChange();
  });
  activate.addEventListener("click", () => run());

  /** @param {import("../replies.js").ActivationSummary} s */
  function showSummary(s) {
    summary.replaceChildren(
      statTile("bd-attempted", "attempted", count(s.attempted), s.attempted),
      statTile("bd-matched", "matched", count(s.matched), s.matched),
      statTile("bd-flipped", "flipped", count(s.flipped), s.flipped),
      ...figureTiles(s, { median_abs_delta: "bd-median-delta", max_abs_delta: "bd-max-delta", activation_seconds_per_point: "bd-time-per-point" }),
      statTile("bd-acc-after", "test accuracy after", percent(s.test_accuracy_after), s.test_accuracy_after));
    summary.append(el("p.card-note.card-summary-note", null,
      `${s.method}, ${s.variant} checksum, key ${s.key}, m = ${s.modulo}, p = ${s.precision}` +
      (s.k ? `, k = ${s.k}: ${count(s.trials)} trials` : "") + ` in ${duration(s.seconds)}` +
      (s.cancelled ? " (cancelled: the points finished so far)" : "") + `. ${figuresNote(s.attempted)}`));
    summary.hidden = false;
  }

  /** @param {import("../replies.js").SearchProgress} p search progress @param {number} limit trials per point before giving up */
  function showProgress(p, limit) {
    // within the point in progress: its trials against what it will most likely take (expected, or the limit)
    const horizon = Math.min(limit, p.expected_trials ?? limit);
    const inPoint = p.finished || !p.point_trials ? 0 : Math.min(0.95, p.point_trials / horizon);
    const fraction = p.total ? Math.min(1, (p.done + inPoint) / p.total) : 1;
    const current = p.finished || !p.point_trials ? ""
      : ` · point ${p.done + 1}: ${count(p.point_trials)} of ≤ ${count(limit)} trials`;
    lastText = `${p.done} of ${p.total} points${current} · ${count(p.trials)} trials · ${p.flipped} flipped · ${duration(p.seconds)}`;
    progress.update(fraction, lastText, { done: p.done });
  }

  async function run() {
    const points = target() === "all" ? "all" : ctx.picks();
    if (points !== "all" && !points.length) {
      ctx.reportError(new Error("No points picked: click test points on the output plot, or choose all test points."));
      return;
    }
    ctx.pause();
    const mine = ++generation;
    ctx.setBusy(true);
    summary.hidden = true;
    try {
      if (method() === "digit-edit") {
        ctx.onResult(await ctx.call(API.activate, { method: "digit-edit", points }));
      } else {
        await search(points, mine);
      }
    } catch (err) {
      if (mine === generation) {
        progress.end("failed");
        ctx.reportError(new Error(`Activate: ${messageOf(err)}`));
      }
    } finally {
      if (mine === generation) ctx.setBusy(false);
    }
  }

  /** @param {"all" | number[]} points @param {number} mine */
  async function search(points, mine) {
    const trials = readLimited(maxTrials, "the trial limit", MAX_TRIALS);
    // training must not move the model under the search: a Play press meanwhile waits for it (and then resumes)
    const hold = ctx.hold("the trigger search");
    try {
      await searchSteps(points, mine, trials);
    } finally {
      ctx.release(hold);
    }
  }

  /** @param {"all" | number[]} points @param {number} mine @param {number} trials */
  async function searchSteps(points, mine, trials) {
    progress.start("Starting…");
    const p = /** @type {import("../replies.js").SearchProgress | null} */ (await stepJob(ctx.call,
      { start: API.search_start, step: API.search_step, cancel: API.search_cancel },
      { points, params: { k: kValue, max_trials: trials } },
      { line: progress, budgetMs: STEP_MS, onReply: (/** @type {import("../replies.js").SearchProgress} */ q) => showProgress(q, trials),
        live: () => mine === generation }));  // false: the model was replaced and the worker forgot this search
    if (!p) return;
    progress.end(p.cancelled ? "cancelled" : "done", `${p.cancelled ? "Cancelled" : "Done"}: ${lastText}`);
    ctx.onResult(p.result);
  }

  return {
    element: card,
    showSummary,
    hideSummary: () => { summary.hidden = true; },
    /** Forget a running search (its model was replaced) and hide the progress. */
    abort() {
      generation += 1;
      progress.hide();
      ctx.setBusy(false);
    },
    /** Counts and limits after a snapshot. @param {number} nTest @param {number} nFirst */
    setSizes(nTest, nFirst) {
      allCount.textContent = String(nTest);
      k.max = String(Math.max(K.low, Math.min(K.high, nFirst)));
      kOf.textContent = `of ${nFirst} node${nFirst === 1 ? "" : "s"}`;
      if (kValue > nFirst) kValue = Math.max(K.low, nFirst);
      k.value = String(kValue);
    },
    setPicked(/** @type {number} */ n) { pickedCount.textContent = String(n); },
    /** Where test points are picked: the plot (2-D), the points near the slice (3-D), the image grid (digits). @param {number} d */
    setDims(d) {
      pickedWhere.textContent = d > 3 ? "picked in the image grid" : "picked on the plot";
      pickHint.textContent = d > 3 ? "Click images in the grid under the output to pick or unpick them."
        : d === 3 ? "Click the output plot to pick or unpick the nearest test point drawn near the slice."
          : "Click the output plot to pick or unpick the nearest test point.";
    },
    setTarget(/** @type {"all" | "picked"} */ t) {
      /** @type {HTMLInputElement} */ (card.querySelector(`#bd-target-${t}`)).checked = true;
    },
    target,
    getK: () => kValue,
    setBusy(/** @type {boolean} */ busy) { activate.disabled = busy; },
  };
}
