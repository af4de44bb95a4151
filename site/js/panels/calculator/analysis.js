// @ts-check
// The Analysis area of the NN Calculator panel: Inference (train/test loss), Inefficiency (per-layer KL
// divergence of neuron-state histograms, both splits) and Sensitivity (mean ± sd of the KL values over repeated
// retraining, run in the worker in short steps: the page's progress line and stepJob, ui/progress.js). All numbers come from
// py/backdoor_playground/inefficiency.py through calculator.py; this module only lays them out.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { progressLine, stepJob } from "../../ui/progress.js";
import { stateHistogram } from "./charts.js";
import { DASH, fixed, formatEpoch, messageOf } from "../../ui/format.js";

/** Worker time per Sensitivity step: short enough for a prompt Cancel and a smooth bar. */
const STEP_BUDGET_MS = 60;
const LIMITS = { runs: [1, 100], iterations: [1, 10000] };

/** @typedef {import("../context.js").PanelContext} AnalysisContext */
/** A Sensitivity reply as stepJob reads it. @typedef {import("../replies.js").SensitivityProgress & {finished: boolean}} SensitivityStep */

/** "ran at epoch 000,120" stamp, so a result read later is not mistaken for the current network's. @param {AnalysisContext} ctx */
function stamp(ctx) {
  const frame = ctx.getFrame();
  return el("span.calc-stamp", null, `network at epoch ${frame ? formatEpoch(frame.epoch) : ""}`);
}

/**
 * Build the Analysis area inside `root`.
 * @param {HTMLElement} root
 * @param {AnalysisContext} ctx
 */
export function buildAnalysis(root, ctx) {
  const inferenceOut = el("div.calc-out#calc-inference-out", { "aria-live": "polite" });
  const inefficiencyOut = el("div.calc-out#calc-inefficiency-out");
  const sensitivityOut = el("div.calc-out#calc-sensitivity-out", { "aria-live": "polite" });

  /** Runs `job` with `button` disabled; failures become a notice. @param {HTMLButtonElement} button @param {() => Promise<void>} job */
  const guarded = async (button, job) => {
    button.disabled = true;
    try {
      await job();
    } catch (err) {
      ctx.reportError(err);
    } finally {
      button.disabled = false;
    }
  };

  const inferenceButton = /** @type {HTMLButtonElement} */ (el("button.text-button.calc-action#calc-inference", {
    type: "button",
    title: "Inference: the half mean squared error ½(o − t)² of the current network on the training and the test points.",
    onclick: () => guarded(inferenceButton, async () => {
      /** @type {import("../replies.js").InferenceReply} */
      const r = await ctx.call(API.run_inference);
      inferenceOut.replaceChildren(el("p.calc-result-line", null, el("strong", null, r.text), " ", stamp(ctx)));
    }),
  }, "Inference"));

  const inefficiencyButton = /** @type {HTMLButtonElement} */ (el("button.text-button.calc-action#calc-inefficiency", {
    type: "button",
    title: "Inefficiency: per layer, the KL divergence between the histogram of neuron states (bit k = node k > 0) of " +
      "each predicted label and a uniform reference, on the training and the test points; with their arithmetic " +
      "and geometric averages, state histograms and tables.",
    onclick: () => guarded(inefficiencyButton, async () => {
      /** @type {import("../replies.js").InefficiencyReply} */
      const r = await ctx.call(API.run_inefficiency);
      inefficiencyOut.replaceChildren(
        el("p.calc-result-head", null, "Inefficiency ", stamp(ctx)),
        el("div.calc-splits", null, renderSplit("Training data", r.train), renderSplit("Test data", r.test)));
    }),
  }, "Inefficiency"));

  const sens = buildSensitivity(ctx, sensitivityOut);
  root.append(
    el("div.calc-analysis-bar", null,
      el("span.calc-group-title", null, "Analysis"),
      inferenceButton, inefficiencyButton, el("span.calc-sep", { "aria-hidden": "true" }), sens.controls),
    sens.line, inferenceOut, sensitivityOut, inefficiencyOut);
}

// ------------------------------------------------------------------------------------------ Inefficiency

/**
 * One split's Inefficiency result (inefficiency.kl_inefficiency) as summary, tables and histograms.
 * @param {string} title @param {import("../replies.js").KlSplit} r
 */
function renderSplit(title, r) {
  const counts = r.counts || {};
  const predicted = r.predicted || {};
  const notes = [...(r.notes || [])];
  const section = el("section.calc-split", { dataset: { split: title.startsWith("Train") ? "train" : "test" } },
    el("h4", null, title),
    el("p.calc-split-sub", null,
      `${r.n_points} points: ground truth ${counts.N ?? 0} N · ${counts.P ?? 0} P; predicted ${predicted.N ?? 0} N · ${predicted.P ?? 0} P`),
    el("div.calc-averages", null,
      el("div", null, el("span", null, "Arithmetic average KL"), el("strong.calc-avg-arith", null, fixed(r.arithmetic_mean))),
      el("div", null, el("span", null, "Geometric average KL"), el("strong.calc-avg-geo", null,
        r.geometric_mean == null && r.arithmetic_mean != null ? "undefined" : fixed(r.geometric_mean)))),
    notes.length ? el("ul.calc-notes", null, ...notes.map((n) => el("li", null, n))) : null,
    // a narrow column scrolls the wide tables sideways instead of the page (focusable: keyboard users scroll too)
    el("div.calc-wide", { tabindex: "0", role: "region", "aria-label": "KL divergence per layer (scrolls sideways)" }, klTable(r.layers)),
    el("div.calc-wide", { tabindex: "0", role: "region", "aria-label": "Overlapping states and constant bits (scrolls sideways)" }, overlapTable(r.layers)),
    el("div.calc-hists", null,
      el("p.calc-hist-legend", null, "State histograms: points per layer state (bit k = node k > 0), split by ground truth; colour = predicted label ",
        el("span.calc-swatch.calc-swatch-N"), "N ", el("span.calc-swatch.calc-swatch-P"), "P"),
      ...r.layers.map(layerHistograms)),
    allStates(r.layers));
  return section;
}

/** @param {{layer: number, kind: string, nodes: number}} layer */
function layerName(layer) {
  return `${layer.layer} · ${layer.kind} · ${layer.nodes} node${layer.nodes === 1 ? "" : "s"}`;
}

/** The KL table: per layer the N and P rows (KL, non-zero states, most and least frequent state). @param {import("../replies.js").KlLayer[]} layers */
function klTable(layers) {
  const body = el("tbody");
  for (const layer of layers) {
    layer.table.forEach((row, k) => {
      const kl = row.kl;
      body.append(el("tr", { class: k === 0 ? "calc-layer-first" : null },
        k === 0 ? el("th", { rowspan: layer.table.length, scope: "row" }, layerName(layer)) : null,
        el(`td.calc-label.calc-label-${row.label}`, null, row.label),
        el("td.num.calc-kl", { dataset: { value: kl == null ? "" : String(kl) } }, fixed(kl)),
        el("td.num", null, row.nonzero_states),
        el("td.mono", null, row.max_state == null ? DASH : `${row.max_state} (${row.max_count})`),
        el("td.mono", null, row.min_state == null ? DASH : `${row.min_state} (${row.min_count})`)));
    });
  }
  return el("table.calc-table.calc-kl-table", null,
    el("caption", null, "KL divergence per layer and predicted label"),
    el("thead", null, el("tr", null, ...["Layer", "Label", "KL", "States", "Most frequent (count)", "Least frequent (count)"]
      .map((h, k) => el("th", { class: k === 2 || k === 3 ? "num" : null, scope: "col" }, h)))),
    body);
}

/** States used by both labels and the bits constant over all states of a label. @param {import("../replies.js").KlLayer[]} layers */
function overlapTable(layers) {
  /** @param {import("../replies.js").KlLayer} layer @param {string} label */
  const bits = (layer, label) => {
    const list = layer.constant_bits.filter((b) => b.label === label);
    return list.length ? list.map((b) => `bit ${b.bit} = ${b.value}`).join(", ") : DASH;
  };
  return el("table.calc-table.calc-overlap-table", null,
    el("caption", null, "Overlapping states and constant bits (bit 0 = node 0)"),
    el("thead", null, el("tr", null, ...["Layer", "Overlapping states", "Constant bits N", "Constant bits P"]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", null, ...layers.map((layer) => el("tr", null,
      el("th", { scope: "row" }, layerName(layer)),
      el("td.mono", null, layer.overlap.length ? `${layer.overlap.length}: ${layer.overlap.join(", ")}` : "none"),
      el("td.mono", null, bits(layer, "N")),
      el("td.mono", null, bits(layer, "P"))))));
}

/** Two small bar charts per layer: the states of the ground-truth N points and of the P points. @param {import("../replies.js").KlLayer} layer */
function layerHistograms(layer) {
  return el("div.calc-hist-row", null,
    el("div.calc-hist-layer", null, `Layer ${layerName(layer)}`),
    stateHistogram(layer.by_truth?.N || [], { layer: layer.layer, truth: "N" }),
    stateHistogram(layer.by_truth?.P || [], { layer: layer.layer, truth: "P" }));
}

/** NN Calculator's "all non-zero states" table, folded away. @param {import("../replies.js").KlLayer[]} layers */
function allStates(layers) {
  const rows = layers.flatMap((layer) => layer.states.map((e) => el("tr", null,
    el("td.num", null, layer.layer), el(`td.calc-label.calc-label-${e.label}`, null, e.label),
    el("td.mono", null, e.state), el("td.num", null, e.count))));
  return el("details.calc-details", null,
    el("summary", null, `All non-zero states (${rows.length} rows, in order of first occurrence)`),
    el("div.calc-scroll", null, el("table.calc-table.calc-states-table", null,
      el("thead", null, el("tr", null, ...["Layer", "Predicted", "State", "Points"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", null, ...rows))));
}

// ------------------------------------------------------------------------------------------- Sensitivity

/**
 * Inputs and the Run button, and the page's progress line (ui/progress.js: bar, text, Cancel); results land in `out`.
 * @param {AnalysisContext} ctx @param {HTMLElement} out
 */
function buildSensitivity(ctx, out) {
  /** @param {string} id @param {string} text @param {number} value @param {number[]} range */
  const numberInput = (id, text, value, range) => {
    const input = /** @type {HTMLInputElement} */ (el(`input.card-input#${id}`, { type: "number", min: range[0], max: range[1], step: 1, value: String(value) }));
    return { input, label: el("label.calc-field", { for: id }, text, input) };
  };
  const runs = numberInput("calc-sens-runs", "runs", 3, LIMITS.runs);
  const iterations = numberInput("calc-sens-iterations", "iterations", 100, LIMITS.iterations);
  const line = progressLine({ id: "calc-sens-progress", label: "Sensitivity runs", cancelId: "calc-sens-cancel",
    cancelling: "cancelling…" });

  const run = /** @type {HTMLButtonElement} */ (el("button.text-button.calc-action#calc-sensitivity", {
    type: "button",
    title: "Sensitivity: train a copy of the current network for `runs` runs of `iterations` iterations; each " +
      "iteration regenerates the data from a new seed and trains one epoch. After each run the per-layer KL values " +
      "are computed on that run's training data; the table shows their mean ± standard deviation over the runs. " +
      "Your network and data are left as they are.",
    onclick: () => start(),
  }, "Sensitivity"));

  /** @param {HTMLInputElement} input @param {string} what @param {number[]} range */
  const read = (input, what, range) => {
    const v = Number(input.value);
    if (!Number.isInteger(v) || v < range[0] || v > range[1]) throw new Error(`Sensitivity: ${what} must be a whole number from ${range[0]} to ${range[1]}.`);
    return v;
  };

  /**
   * The worker's sensitivity replies say `done`; a cancel's reply ends the job too: stepJob's `finished`.
   * @param {string} method @param {object} [args]
   * @returns {Promise<SensitivityStep>}
   */
  const call = async (method, args) => {
    /** @type {import("../replies.js").SensitivityProgress} */
    const p = await ctx.call(/** @type {import("../context.js").ApiMethod} */ (method), args);
    return { ...p, finished: method === API.sensitivity_cancel || Boolean(p.done) };
  };

  async function start() {
    let nRuns, nIter;
    try {
      nRuns = read(runs.input, "runs", LIMITS.runs);
      nIter = read(iterations.input, "iterations", LIMITS.iterations);
    } catch (err) {
      ctx.notify(messageOf(err), "error");
      return;
    }
    run.disabled = true;
    line.start();
    try {
      const p = await stepJob(call, { start: API.sensitivity_start, step: API.sensitivity_step, cancel: API.sensitivity_cancel },
        { runs: nRuns, iterations: nIter }, {
          line, budgetMs: STEP_BUDGET_MS,
          // a cancel's reply carries the result only: the bar stays where the last step left it
          onReply: (/** @type {SensitivityStep} */ r) => { if (r.fraction != null) line.update(r.fraction, r.text || ""); },
        });
      const result = p?.result;
      if (result?.cancelled) line.end("cancelled", `cancelled: ${result.completed_runs} of ${result.runs} runs finished`);
      else line.end("done");
      if (result) out.replaceChildren(renderSensitivity(result, ctx));
    } catch (err) {
      line.end("error", "failed");
      ctx.reportError(err);
    } finally {
      run.disabled = false;
    }
  }

  return { controls: el("div.calc-sens-controls", null, run, runs.label, iterations.label), line: line.element };
}

/** Mean ± sd per layer and label, NN Calculator's text lines and notes. @param {import("../replies.js").SensitivityResult} r @param {AnalysisContext} ctx */
function renderSensitivity(r, ctx) {
  /** @param {import("../replies.js").MeanSd} s */
  const cell = (s) => el("td.num.calc-sens-value", { dataset: { mean: s.mean == null ? "" : String(s.mean) } },
    s.mean == null ? DASH : `${fixed(s.mean)} ± ${fixed(s.sd)}`);
  const title = r.cancelled
    ? `Sensitivity (cancelled): ${r.completed_runs} of ${r.runs} runs of ${r.iterations} iterations`
    : `Sensitivity: ${r.runs} run${r.runs === 1 ? "" : "s"} of ${r.iterations} iteration${r.iterations === 1 ? "" : "s"}`;
  return el("div.calc-sens-result", { dataset: { finished: String(Boolean(r.finished)) } },
    el("p.calc-result-head", null, title, " ", stamp(ctx)),
    el("table.calc-table.calc-sens-table", null,
      el("caption", null, "KL divergence over the runs: mean ± population standard deviation"),
      el("thead", null, el("tr", null, ...["Layer", "Nodes", "KL(N)", "KL(P)"].map((h, k) => el("th", { class: k > 1 ? "num" : null, scope: "col" }, h)))),
      el("tbody", null, ...r.layers.map((l) => el("tr", null,
        el("th", { scope: "row" }, l.layer), el("td", null, l.nodes), cell(l.N), cell(l.P))))),
    (r.notes || []).length ? el("ul.calc-notes", null, ...r.notes.map((/** @type {string} */ n) => el("li", null, n))) : null,
    el("details.calc-details", null, el("summary", null, "As NN Calculator prints it"),
      el("pre.calc-pre", null, (r.lines || []).join("\n"))));
}
