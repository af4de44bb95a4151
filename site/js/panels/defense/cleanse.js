// @ts-check
// The Neural Cleanse card (Wang et al., IEEE S&P 2019): for each class, the smallest mask m and pattern p such that
// x' = (1 − m)·x + m·p sends most clean test points to that class, the anomaly index of the mask sizes, and what is
// informative in the plane: the clean model's mask for comparison, and whether the recovered trigger sets off the
// backdoor. Python does the work (api.neural_cleanse, defense/cleanse.py); this card asks, tabulates and draws
// each class's trigger on the output plot (moved test points with their arrows, the pattern as a star). A run goes in
// steps (cleanse_start / cleanse_step, defense/cleanse_job.py): a progress bar and Cancel, training held meanwhile
// (on the digits a run takes tens of seconds).

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { on } from "../../ui/events.js";
import { cleanMessage, duration, fixed } from "../../ui/format.js";
import { stepJob } from "../../ui/progress.js";
import { jobProgress, numberField, rateText, runButton, statusLine } from "./util.js";
import { LIMITS, readLimited } from "../limits.js";
import { planeTest, shape, sliceZ } from "../kd.js";

/**
 * @typedef {import("../replies.js").Rate} Rate
 * @typedef {{class: number, label?: number, l1: number, mask: number[], pattern: number[], reached: boolean,
 *            steps: number, success: Rate, anomaly_index: number | null, flagged: boolean, l1_clean?: number,
 *            fires?: Rate, pattern_to_trigger?: number, lands_in_trigger?: Rate}} CleanseClass
 * @typedef {{type: "cleanse", settings: Record<string, number | string>, classes: CleanseClass[], median_l1: number,
 *            mad: number, flagged: number[], notes: string[], target: number | null, seconds: number,
 *            clean?: {classes: CleanseClass[]}, fires_untouched?: Rate, trigger_region?: number[][]}} CleanseReply
 * @typedef {{type: "cleanse", done: number, total: number, fraction: number, finished: boolean, cancelled: boolean,
 *            seconds: number, result?: CleanseReply}} CleanseProgress
 */

/** Neural Cleanse's limits (defense/cleanse.py LIMITS, part of the defense limits the page gets generated). */
const L = /** @type {Record<"success" | "steps" | "restarts", import("../limits.js").Limit>} */ (
  /** @type {any} */ (LIMITS.defense));
/** Worker time per step of a run (Cancel and the page's other calls land within one step). */
const STEP_MS = 60;
/** Test points drawn per class trigger on the output plot (every moved point would hide the plot). */
const DRAWN = 24;
const CAVEAT = "This network has two classes (+1 and −1). With two classes the anomaly index comes out the "
  + "same for both, whatever the model (the median absolute deviation of two numbers is half their distance), so it "
  + "cannot flag anything: read the |m|₁ against the clean model's instead, and whether the recovered trigger sets "
  + "off the backdoor.";
/** @param {number} k */
const caveatFor = (k) => (k === 2 ? CAVEAT : `This network has ${k} classes: the anomaly index compares their ${k} `
  + "smallest triggers, and a class whose trigger is unusually small (index above 2) is flagged.");

/** @param {import("../context.js").PanelContext} ctx */
export function buildCleanseCard(ctx) {
  const success = numberField("df-nc-success", "success", L.success, { name: "share", step: 0.01, title: "Share of clean test points the trigger must send to the class" });
  const steps = numberField("df-nc-steps", "steps", L.steps, { name: "steps", step: 50, title: "Gradient steps per class (at most)", wide: true });
  const restarts = numberField("df-nc-restarts", "restarts", L.restarts, { name: "restarts", title: "Seeded starting points optimised together" });
  const status = statusLine("df-nc-status");
  const progress = jobProgress("df-nc-progress");
  const draw = /** @type {HTMLSelectElement} */ (el("select.card-input#df-nc-draw", { title: "Whose trigger the output plot shows", onchange: () => drawTrigger() }));
  const drawLabel = el("label.card-field.df-nc-drawfield", { hidden: true }, "draw trigger of", draw);
  const table = el("table.card-table.df-nc-table#df-nc-table", { hidden: true });
  const notes = el("ul.df-nc-notes#df-nc-notes", { hidden: true });
  const run = runButton("df-nc-run", "Run Neural Cleanse", params, status, start);
  const element = el("section.card.df-card.df-nc-card#df-nc-card", null,
    el("h3.card-title", null, el("span.card-step", null, "C"), "Neural Cleanse: trigger reverse-engineering (Wang et al., IEEE S&P 2019)"),
    el("p.card-desc", null, "For each class, gradient descent through the network looks for the smallest mask m ∈ [0, 1]² and pattern p such that x′ = (1 − m)·x + m·p sends at least the chosen share of the clean test points to that class. A backdoored class should need an unusually small mask: the anomaly index |L1 − median| / (1.4826·MAD) flags a class above 2 on the small side."),
    el("p.card-note.df-nc-caveat#df-nc-caveat", null, CAVEAT),
    el("div.card-row", null, success.element, steps.element, restarts.element, run, drawLabel),
    status.element,
    progress.element,
    el("div.df-nc-table-wrap", null, table),
    notes,
    el("p.card-note.card-foot", null, "Input-specific triggers (the checksum, the signature) have no universal trigger: their recovered masks match the clean model's, and the trigger does not set the backdoor off. In the plane a mask of 1 on both coordinates sends every point to one spot, so |m|₁ ≤ 2."));

  /** @type {CleanseReply | null} */
  let last = null;
  let seq = 0;

  function params() {
    return {
      type: "cleanse",
      success: readLimited(success.input, "success", L.success),
      steps: readLimited(steps.input, "steps", L.steps),
      restarts: readLimited(restarts.input, "restarts", L.restarts),
    };
  }

  /** A run in steps: progress and Cancel; training waits for it (ctx.hold) and resumes by itself after.
   * @param {Record<string, string | number | null>} p */
  async function start(p) {
    const mine = ++seq;
    run.disabled = true;
    element.dataset.busy = "1";
    status.running("Reverse-engineering…");
    const hold = ctx.hold("Neural Cleanse");
    try {
      await ctx.idle();
      const q = /** @type {CleanseProgress | null} */ (await stepJob(ctx.call,
        { start: API.cleanse_start, step: API.cleanse_step, cancel: API.cleanse_cancel }, { params: p },
        { line: progress, budgetMs: STEP_MS, onReply: (/** @type {CleanseProgress} */ r) => { if (!r.finished) progress.show(r, "Reverse-engineering"); },
          live: () => mine === seq }));  // false: a new model or data, this run no longer applies (the next start replaces it)
      if (!q) return;
      if (q.cancelled || !q.result) {
        status.done(`Cancelled after ${duration(q.seconds)}: nothing changed (run it again for a result).`);
        element.dataset.run = "cancelled";
        return;
      }
      show(q.result);
      status.done(`Neural Cleanse · ${q.result.classes.length} classes · ${q.result.seconds.toFixed(2)} s`);
    } catch (err) {
      if (mine === seq) status.error(`Neural Cleanse did not run: ${cleanMessage(err)}`);
    } finally {
      ctx.release(hold);
      progress.hide();
      if (mine === seq) {
        run.disabled = false;
        element.dataset.busy = "0";
      }
    }
  }

  /** @param {CleanseReply} r */
  function show(r) {
    last = r;
    const two = r.classes.length === 2;  // K = 2 names its classes +1 / −1; K > 2 by index
    const name = (/** @type {CleanseClass} */ c) => (two && c.label != null ? (c.label > 0 ? "+1" : "−1") : String(c.class));
    // d <= 3: every coordinate; beyond (the digits' 64 pixels) how many the mask really uses
    const coords = (/** @type {number[]} */ v) => (v.length <= 3 ? v.map((x) => fixed(x, 2)).join(", ") : "");
    const maskText = (/** @type {number[]} */ m) => (m.length <= 3 ? coords(m) : `${m.filter((x) => x > 0.5).length} of ${m.length} inputs > 0.5`);
    const hasClean = r.classes.some((c) => c.l1_clean != null);
    const head = ["class", "|m|₁", ...(hasClean ? ["|m|₁ clean"] : []), r.classes[0]?.mask.length === 2 ? "mask (m₁, m₂)" : "mask m", ...(r.classes[0]?.mask.length <= 3 ? ["pattern p"] : []), "success", "backdoor fires", "anomaly index"];
    const rows = r.classes.map((c) => {
      const target = r.target === c.class;
      return el("tr", { dataset: { cls: String(c.class), flagged: c.flagged ? "1" : "0" } },
        el("th", null, name(c), target ? el("span.df-nc-tag", { title: "The attack's target class" }, " target") : ""),
        el("td.num", { dataset: { value: String(c.l1) } }, fixed(c.l1, 3)),
        ...(hasClean ? [el("td.num", null, fixed(c.l1_clean, 3))] : []),
        el("td.num", null, maskText(c.mask)),
        ...(c.pattern.length <= 3 ? [el("td.num", null, coords(c.pattern))] : []),
        el("td.num", { title: c.success ? `${c.success.k} of ${c.success.n}${c.reached ? "" : " (target share not reached)"}` : "" }, rateText(c.success)),
        el("td.num", { title: "Share of moved test points where the backdoored model and the clean model disagree" }, rateText(c.fires)),
        el("td.num", null, c.anomaly_index == null ? "∞" : fixed(c.anomaly_index, 2), c.flagged ? el("strong.df-nc-flag", null, " flagged") : ""));
    });
    table.replaceChildren(
      el("caption", null, `Median |m|₁ ${fixed(r.median_l1, 3)}, 1.4826·MAD ${fixed(r.mad, 3)}; success and "fires" with 95 % Wilson intervals.`),
      el("thead", null, el("tr", null, ...head.map((h) => el("th", null, h)))),
      el("tbody", null, ...rows));
    table.hidden = false;
    notes.replaceChildren(...r.notes.map((n) => el("li", null, n)));
    notes.hidden = !r.notes.length;
    const chosen = r.target ?? r.classes.reduce((a, c) => (c.l1 < a.l1 ? c : a), r.classes[0]).class;
    draw.replaceChildren(el("option", { value: "" }, "none"),
      ...r.classes.map((c) => el("option", { value: String(c.class), selected: c.class === chosen }, `class ${name(c)}`)));
    drawLabel.hidden = false;
    element.dataset.run = "done";
    drawTrigger();
  }

  /** The chosen class's trigger on the output plot: DRAWN test points moved to x′ (with arrows), p as a target. */
  function drawTrigger() {
    const c = last && draw.value !== "" ? last.classes.find((k) => String(k.class) === draw.value) : null;
    const test = planeTest(ctx.getData(), sliceZ(ctx));  // 3-D: (x, y) near the slice; digits: nothing to draw
    /** @type {import("../../widgets/heatmap.js").Mark[]} */
    const marks = [];
    if (c && shape(ctx.getData()).d <= 3) {
      const n = Math.floor(test.length / 3);
      const stride = Math.max(1, Math.floor(n / DRAWN));
      for (let i = 0; i < n && marks.length < DRAWN; i += stride) {
        const x0 = test[3 * i], y0 = test[3 * i + 1];
        if (!Number.isFinite(x0)) continue;
        marks.push({ x0, y0, x: (1 - c.mask[0]) * x0 + c.mask[0] * c.pattern[0], y: (1 - c.mask[1]) * y0 + c.mask[1] * c.pattern[1], kind: "reversed" });
      }
      marks.push({ x: c.pattern[0], y: c.pattern[1], kind: "pattern" });
    }
    ctx.heatmap.setMarks(marks, "cleanse");
    element.dataset.marks = String(marks.length);
  }

  function clear() {
    seq += 1;
    last = null;
    table.hidden = true;
    notes.hidden = true;
    drawLabel.hidden = true;
    run.disabled = false;
    element.dataset.busy = "0";
    delete element.dataset.run;
    status.clear();
    drawTrigger();
  }

  // a new model, new data or another backdoor: the triggers no longer apply
  on("snapshot", () => {
    const caveat = /** @type {HTMLElement | null} */ (element.querySelector("#df-nc-caveat"));
    if (caveat) caveat.textContent = caveatFor(shape(ctx.getData()).k);
    if (last || element.dataset.busy === "1") clear();
  });
  on("attack-changed", () => { if (last) { clear(); status.done("The backdoor changed: run Neural Cleanse again."); } });
  on("training-started", () => { if (last) status.done("Training moves the model: run Neural Cleanse again for its current triggers."); });
  return { element, clear, show, status };  // show, status: a script's run (panel.js, hub script-result)
}
