// @ts-check
// The defenses panel (#defense-panel): does the backdoor survive? Two defenses on the activated test set (A
// proximity vote, B randomized smoothing), C Neural Cleanse, one metrics table with 95 % Wilson intervals, and
// Export / Replay. A script's `defend` (hub script-result) shows in the card of its type, any other type of the
// registry in card D (others.js): one path, keyed by the reply's type.
// Python does the work (api.defend, defense_metrics, experiment_result); this module wires the cards, keeps the
// "before" numbers fresh, and says when a result no longer matches the model (stale).

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { buildProximityCard } from "./proximity.js";
import { buildSmoothingCard } from "./smoothing.js";
import { buildCleanseCard } from "./cleanse.js";
import { buildOthersCard } from "./others.js";
import { buildMetrics, describeTestSet } from "./metrics.js";
import { buildExportCard } from "./export.js";
import { describeDefense, isRate, jobProgress } from "./util.js";
import { drawDefenseMarks } from "./marks.js";
import { emit, on } from "../../ui/events.js";
import { stepJob } from "../../ui/progress.js";
import { cleanMessage, duration } from "../../ui/format.js";
import { planeTest, sliceZ } from "../kd.js";

/** @typedef {import("../context.js").PanelContext} DefenseContext */

/** The "before" numbers that say whether a defense result still matches the model and its activation. */
const FINGERPRINT = ["clean_accuracy", "backdoored_accuracy", "agreement", "attack_success_rate", "median_abs_delta"];

const state = {
  /** @type {DefenseContext | null} */ ctx: null,
  /** @type {import("../replies.js").DefenseMetrics | null} */ before: null,     // defense_metrics (no defense), the freshest known
  /** @type {import("../replies.js").DefendReply | null} */ result: null,     // the last defend reply
  busy: false,
  /** @type {{card: DefenseCard, label: string, hold: number} | null} */ job: null,  // the run under way
  jobSeq: 0,
  visible: false,
  dirty: true,                        // the before numbers may be out of date
  refreshSeq: 0,
  /** @type {number | undefined} */ refreshTimer: undefined,
};
/**
 * Where a defense result shows (adopt): every card of the panel.
 * @typedef {{element: HTMLElement, status: ReturnType<typeof import("./util.js").statusLine>,
 *            show: (r: import("../replies.js").DefendReply, before: import("../replies.js").DefenseMetrics | null) => void}} ResultCard
 * What runDefense needs of a card (proximity.js, smoothing.js and others.js build them); `words`: what its progress
 * and messages call a run (default: the proximity vote's or smoothing's).
 * @typedef {ResultCard & {progress: ReturnType<typeof jobProgress>, clear: () => void, setBusy: (busy: boolean) => void,
 *   words?: (params: Record<string, string | number | null>) => {label: string, running: string, bar: string}}} DefenseCard
 */

/** @type {Record<string, any>} */
const parts = {};

/** Build the panel (once, when Python is ready). @param {DefenseContext} ctx */
export function init(ctx) {
  const root = document.getElementById("defense-panel");
  if (!root) return;
  state.ctx = ctx;
  parts.root = root;
  parts.prox = withProgress(buildProximityCard({ run: (p) => runDefense(parts.prox, p) }), "df-prox-progress");
  parts.smooth = withProgress(buildSmoothingCard({ run: (p) => runDefense(parts.smooth, p) }), "df-smooth-progress");
  const cleanse = buildCleanseCard(ctx);
  parts.cleanse = /** @type {ResultCard} */ ({ element: cleanse.element, status: cleanse.status,
    show: (/** @type {any} */ r) => cleanse.show(r) });  // a script's run: the reply is neural_cleanse's plus metrics
  parts.others = withProgress(buildOthersCard({ run: (p) => runDefense(parts.others, p), owned: Object.keys(OWN_CARDS) }),
    "df-other-progress");
  parts.waiting = el("p.card-warning.df-waiting#df-waiting", { hidden: true, role: "status" }, "");
  parts.metrics = buildMetrics();
  parts.export = buildExportCard({ fetch: exportResult, notify: ctx.notify });
  parts.context = el("p.df-context#df-context", null, "");
  parts.stale = el("p.card-warning.df-stale#df-stale", { hidden: true }, "");
  parts.regression = el("p.card-warning.df-regression#df-regression", { hidden: true },
    "Defenses need a classification problem (labels +1 / −1): set Problem type to Classification above.");
  parts.markToggle = /** @type {HTMLInputElement} */ (el("input#df-mark-toggle", { type: "checkbox", checked: true, onchange: () => drawMarks() }));
  parts.markLabel = el("label.card-choice.df-mark-label", { hidden: true, title: "Green rings on the output plot" },
    parts.markToggle, "ring the relabelled test points on the output plot");
  root.replaceChildren(
    el("div.panel-head", null,
      el("h2.column-title", null, "Defenses: does the backdoor survive?"),
      el("p.column-hint", null, "The defenses try to undo or find the trigger without knowing it; the table says what they cost and what they caught.")),
    el("div.df-banner", null, parts.context, parts.markLabel),
    parts.regression,
    parts.stale,
    el("div.df-grid", null, parts.prox.element, parts.smooth.element),
    cleanse.element,
    parts.others.element,
    el("div.df-grid.df-grid-bottom", null, parts.metrics.element, parts.export.element));
  parts.metrics.show(null, null, "");
  watch(root);
}

/** A snapshot (hub): a new model or new data, so earlier results no longer apply. @param {import("../replies.js").Snapshot} snap */
function onSnapshot(snap) {
  if (!state.ctx || !snap) return;
  const regression = snap.config?.problem === "regression";
  parts.regression.hidden = !regression;
  parts.root.dataset.problem = regression ? "regression" : "classification";
  if (state.job) {  // the worker forgot the running defense with the model
    state.job.card.status.done("Stopped: the model or the data changed.");
    state.job.card.progress.hide();
    state.ctx.release(state.job.hold);
    state.job = null;
    state.jobSeq += 1;
    parts.waiting.hidden = true;
    state.busy = false;
  }
  if (state.result) forget("The model or the data changed (new network, data or backdoor): the results below were cleared.");
  parts.export.resetReplay();
  // a replayed defense without a card here (quantisation, fine-tuning, the detectors: the matrix panel says its numbers)
  const replayed = /** @type {{type?: string} | undefined} */ (snap.result?.defense)?.type;
  if (snap.result?.metrics && replayed && shownIn(replayed) !== parts.cleanse) adoptReplayed(snap.result);
  setBusy(state.busy);
  state.dirty = true;
  scheduleRefresh(0);
}

/**
 * Look again at the "before" numbers (when the panel is in view) after anything that may change them without a
 * snapshot (hub events): training starts or stops, a new frame (a step, a weight edit), an attack change in the
 * other panels (an activation, new checksum numbers, a signature block). Picks and the zoomed record change nothing.
 * @param {HTMLElement} root
 */
function watch(root) {
  const changed = () => {
    state.dirty = true;
    // while training a frame arrives every chunk: the stop schedules the refresh
    if (state.visible && !state.ctx?.isPlaying()) scheduleRefresh();
  };
  on("snapshot", ({ snap }) => onSnapshot(snap));
  on("script-result", ({ kind, result }) => {
    if (kind !== "defense") return;
    adopt(shownIn(result.type), result, `${describeDefense(result)} · run by a script`);
    refreshReplay();
  });
  on("training-started", sayTrainingWaits);
  for (const name of /** @type {const} */ (["training-started", "training-stopped", "frame", "attack-changed"])) on(name, changed);
  new IntersectionObserver((entries) => {
    state.visible = entries.some((e) => e.isIntersecting);
    if (state.visible && state.dirty) scheduleRefresh(0);
  }).observe(root);
}

// ------------------------------------------------------------------------------------------------ running

/** Worker time per step of a running defense (the page stays responsive; Cancel lands within one step). */
const STEP_MS = 60;
/** A run shows its progress bar and Cancel once it has taken this long. */
const SHOW_PROGRESS_AFTER_MS = 500;

/**
 * Run a defense in steps (ui/progress.js's stepJob: defend_start, then defend_step until finished): a progress bar and Cancel after half a
 * second; training is held meanwhile (the model must not move under it; ctx.hold) and resumes by itself after.
 * @param {DefenseCard} card the proximity or smoothing card @param {Record<string, string | number | null>} params
 */
async function runDefense(card, params) {
  const ctx = /** @type {DefenseContext} */ (state.ctx);
  if (isRegression() || state.busy) return;
  setBusy(true);
  const mine = ++state.jobSeq;
  const words = card.words?.(params) ?? (params.type === "proximity"
    ? { label: "the proximity vote", running: "Voting…", bar: "Voting" } : { label: "smoothing", running: "Sampling…", bar: "Sampling" });
  state.job = { card, label: words.label, hold: ctx.hold(words.label) };
  if (ctx.isPlaying()) sayTrainingWaits();
  card.status.running(words.running);
  const t0 = performance.now();
  try {
    await ctx.idle();
    const live = () => mine === state.jobSeq;  // false once a snapshot replaced the model: the worker forgot this run
    const p = await stepJob(ctx.call, { start: API.defend_start, step: API.defend_step, cancel: API.defend_cancel },
      { params }, {
        line: card.progress, budgetMs: STEP_MS, live,  // its Cancel: shown once the run passes half a second
        onReply: (/** @type {import("../replies.js").DefenseProgress} */ r) => {
          if (live() && !r.finished && performance.now() - t0 >= SHOW_PROGRESS_AFTER_MS) {
            card.progress.show(r, words.bar);
          }
        },
      });
    if (!p) return;
    if (p.cancelled || !p.result) {
      card.status.done(`Cancelled after ${duration(p.seconds)}: nothing changed (run it again for a result).`);
      card.element.dataset.run = "cancelled";
      return;
    }
    card.element.dataset.run = "done";
    adopt(card, p.result, `${describeDefense(p.result)} · ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    refreshReplay();
  } catch (err) {
    if (mine === state.jobSeq) card.status.error(`The defense did not run: ${cleanMessage(err)}`);
  } finally {
    if (mine === state.jobSeq) {
      if (state.job) ctx.release(state.job.hold);
      state.job = null;
      card.progress.hide();
      parts.waiting.hidden = true;
      setBusy(false);
    }
  }
}

/** Training is on while a defense runs: it waits (held, the model must not change under the run); say so here. */
function sayTrainingWaits() {
  if (!state.ctx || !state.job) return;
  parts.waiting.textContent = `Training waits for ${state.job.label} and resumes by itself when it ends (or Cancel it).`;
  parts.waiting.hidden = false;
  state.job.card.status.element.after(parts.waiting);
}

/** The defense types with a card of their own: type -> its part. Card D offers and shows every other type. */
const OWN_CARDS = /** @type {Record<string, string>} */ ({ proximity: "prox", smoothing: "smooth", cleanse: "cleanse" });

/**
 * The card a defense type's result shows in: its own (proximity, smoothing, Neural Cleanse), else card D, which
 * draws any type of the registry from the reply alone. @param {string} type @returns {ResultCard}
 */
function shownIn(type) {
  return type in OWN_CARDS ? parts[OWN_CARDS[type]] : parts.others;
}

/** Show a defense result in its card and the table; it is now "the last defense". @param {ResultCard} card @param {import("../replies.js").DefendReply} r @param {string} text */
function adopt(card, r, text) {
  state.result = r;
  state.before = r.metrics;
  state.dirty = false;
  card.show(r, r.metrics);
  card.status.done(text);
  parts.stale.hidden = true;
  parts.root.dataset.defense = r.type;
  parts.root.dataset.shownIn = card.element.id;  // test hook: the card that shows the last result
  showMetrics();
  drawMarks();
  emit("defense-changed", { type: r.type });
}

/** A Replay link's run brought its defense along (numbers only, no curves). @param {import("../replies.js").ReplayResult} result */
function adoptReplayed(result) {
  /** @type {import("../replies.js").DefendReply} */
  const r = { .../** @type {import("../replies.js").DefendReply} */ (result.defense), metrics: /** @type {import("../replies.js").DefenseMetrics} */ (result.metrics), replayed: true };
  adopt(shownIn(r.type), r, `Replayed: ${describeDefense(r)} (re-run from the link; run it again for the plots)`);
  refreshReplay();  // the link of what the page now shows
}

async function exportResult() {
  const ctx = /** @type {DefenseContext} */ (state.ctx);
  setBusy(true);
  try {
    ctx.pause();
    await ctx.idle();
    return await ctx.call(API.experiment_result);
  } catch (err) {
    throw new Error(cleanMessage(err));
  } finally {
    setBusy(false);
  }
}

/** The Replay link after a defense: quietly (Export shows any error). */
async function refreshReplay() {
  try {
    const reply = await /** @type {DefenseContext} */ (state.ctx).call(API.experiment_result);
    if (reply?.replay) parts.export.setReplay(reply.replay);
  } catch {
    // Export reports the problem when the user asks for the files.
  }
}

// ------------------------------------------------------------------------------------------------ the before numbers

function scheduleRefresh(delay = 250) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = window.setTimeout(refreshBefore, delay);
}

/** Ask for the metrics without a defense (cheap); skipped while training runs or a defense is under way. */
async function refreshBefore() {
  const ctx = state.ctx;
  if (!ctx || ctx.isPlaying() || state.busy) return;
  if (isRegression()) {
    state.before = null;
    parts.context.textContent = "";
    showMetrics();
    parts.metrics.setCaption("No metrics: a regression problem has no labels to flip.");
    return;
  }
  const mine = ++state.refreshSeq;
  try {
    const m = await ctx.call(API.defense_metrics);
    if (mine !== state.refreshSeq) return;
    state.before = m;
    state.dirty = false;
    if (state.result && fingerprint(m) !== fingerprint(state.result.metrics)) {
      parts.stale.textContent = "The model or its activation changed since the last defense ran (the numbers before it differ now): run it again to update the results.";
      parts.stale.hidden = false;
    }
  } catch (err) {
    if (mine !== state.refreshSeq) return;
    state.before = null;
    parts.context.textContent = `The metrics are not available: ${cleanMessage(err)}`;
    showMetrics();
    return;
  }
  showMetrics();
}

/** @param {import("../replies.js").DefenseMetrics | null} m */
const fingerprint = (m) => JSON.stringify(FINGERPRINT.map((key) => { const v = m?.[key]; return isRate(v) ? v.k : v ?? null; }).concat([m?.attack_success_rate?.n ?? null]));

/** The context line and the table from what is known. */
function showMetrics() {
  const m = state.before;
  const r = state.result;
  const stale = !parts.stale.hidden;
  parts.metrics.show(m, r ? r.metrics : null, r ? describeDefense(r) + (stale ? " (stale)" : "") : "");
  if (!m) return;
  const { line, caption } = describeTestSet(m);
  parts.context.replaceChildren(...line);
  parts.metrics.setCaption(caption);
}

// ------------------------------------------------------------------------------------------------ helpers

/**
 * A card with its progress line (after its status line).
 * @template {{element: HTMLElement, status: {element: HTMLElement}}} C @param {C} card @param {string} id
 * @returns {C & {progress: ReturnType<typeof jobProgress>}}
 */
function withProgress(card, id) {
  const progress = jobProgress(id);
  card.status.element.after(progress.element);
  return { ...card, progress };
}

/** Clear the cards, the table's "after" rows and the marks; say why. @param {string} why */
function forget(why) {
  state.result = null;
  parts.prox.clear();
  parts.smooth.clear();
  parts.others.clear();
  parts.stale.textContent = why;
  parts.stale.hidden = false;
  delete parts.root.dataset.defense;
  delete parts.root.dataset.shownIn;
  drawMarks();
  showMetrics();
  emit("defense-changed", { type: null });
}

function isRegression() {
  return state.ctx?.getConfig().problem === "regression";
}

function setBusy(/** @type {boolean} */ busy) {
  state.busy = busy;
  const off = busy || isRegression();
  parts.prox.setBusy(off);
  parts.smooth.setBusy(off);
  parts.others.setBusy(off);
  parts.export.setBusy(busy);
  parts.root.dataset.busy = busy ? "1" : "0";
}

/** Green rings on the test points the last defense relabelled (when the reply says which). */
function drawMarks() {
  const ctx = state.ctx;
  if (!ctx) return;
  const n = drawDefenseMarks(ctx.heatmap, state.result, planeTest(ctx.getData(), sliceZ(ctx)), parts.markToggle.checked);
  parts.markLabel.hidden = !state.result || n == null;
  parts.root.dataset.marks = String(n ?? 0);
}
