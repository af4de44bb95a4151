// @ts-check
// The "NN Calculator tools" panel (#calculator-panel): NIST NN Calculator's remaining buttons, done correctly.
// Data memory (D MC MR M+ M− MS RG) and model memory (NN MC MR M+ M− MS AVG) keypads with a status line each,
// every tooltip the exact text Python gives (memory_info().tooltips); the trojan's regions outlined on the plot;
// the Analysis area (calc-analysis.js); NN Calculator's CSV files. Python does the work (calculator.py).

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { FileLinks } from "../../ui/files.js";
import { buildAnalysis } from "./analysis.js";
import { on } from "../../ui/events.js";
import { messageOf } from "../../ui/format.js";

/** @typedef {import("../context.js").PanelContext} CalcContext */

/** Keypad layout: [op, key label]; ops are calculator.py's DATA_OPS / MODEL_OPS (and RG, the page's regenerate). */
const DATA_KEYS = [["clear", "MC"], ["recall", "MR"], ["add", "M+"], ["subtract", "M−"], ["store", "MS"], ["regen", "RG"]];
const MODEL_KEYS = [["clear", "MC"], ["recall", "MR"], ["add", "M+"], ["subtract", "M−"], ["store", "MS"], ["average", "AVG"]];
const REGEN_TOOLTIP = "D RG: draw a new random sample of the same data set (a new seed), like Regenerate in the Data column; the memory is kept.";

/** Module state: the hook below may run before the panel exists (the first snapshot arrives first). */
const state = {
  /** @type {CalcContext | null} */ ctx: null,
  /** @type {import("../replies.js").Snapshot | null} */ lastSnap: null,
  /** @type {Map<number, import("../replies.js").TrojanInfo>} */ trojanCache: new Map(),
  trojanKey: "",
};

/** @type {Record<string, HTMLElement>} */
const parts = {};

/**
 * Build the panel (call once, when the page is ready).
 * @param {CalcContext} ctx
 */
export function init(ctx) {
  const root = document.getElementById("calculator-panel");
  if (!root) return;
  state.ctx = ctx;
  root.replaceChildren(
    el("div.panel-head", null,
      el("h2.column-title", null, "NN Calculator tools"),
      el("p.column-hint", null, "NIST NN Calculator's memories, trojans and analyses. Hover a key for exactly what it computes.")),
    el("div.calc-grid", null,
      memoryCard("data", "Data memory", "D", DATA_KEYS),
      memoryCard("model", "Model memory", "NN", MODEL_KEYS),
      trojanCard(),
      filesCard()),
    el("div.calc-analysis#calc-analysis"));
  buildAnalysis(/** @type {HTMLElement} */ (root.querySelector("#calc-analysis")), ctx);
  injectSliderNote();
  refreshMemory();
  on("snapshot", ({ snap }) => onSnapshot(snap));
}

/**
 * A snapshot (hub): redraw the trojan regions for the new settings and re-read the memories (a new session starts
 * with empty ones).
 * @param {import("../replies.js").Snapshot} snap
 */
function onSnapshot(snap) {
  state.lastSnap = snap;
  if (!state.ctx || !snap) return;
  showTrojan(snap.config);
  refreshMemory();
}

// ------------------------------------------------------------------------------------------------ memories

/**
 * @param {"data" | "model"} kind @param {string} title @param {string} prefix key prefix in tooltips ("D", "NN")
 * @param {string[][]} keys
 */
function memoryCard(kind, title, prefix, keys) {
  const status = el(`p.calc-mem-status#calc-${kind}-status`, { "aria-live": "polite" }, "memory: …");
  const pad = el(`div.calc-keypad#calc-${kind}-keys`, { role: "group", "aria-label": title },
    ...keys.map(([op, label]) => el(`button.calc-key#calc-${kind}-${op}`, {
      type: "button",
      dataset: { mem: kind, op },
      "aria-label": `${prefix} ${label}`,
      onclick: (/** @type {MouseEvent} */ e) => onKey(kind, op, /** @type {HTMLButtonElement} */ (e.currentTarget)),
    }, label)));
  parts[`${kind}Status`] = status;
  parts[`${kind}Pad`] = pad;
  return el(`section.calc-card.calc-mem#calc-${kind}-memory`, null,
    el("h3.calc-card-title", null, el("span.calc-prefix", null, prefix), title), pad, status);
}

/** @param {"data" | "model"} kind @param {string} op @param {HTMLButtonElement} button */
async function onKey(kind, op, button) {
  const ctx = state.ctx;
  if (!ctx) return;
  if (op === "regen") {
    ctx.regenerate();
    return;
  }
  const pad = parts[`${kind}Pad`];
  pad.setAttribute("aria-busy", "true");
  button.disabled = true;
  try {
    if (op === "recall") {
      // The recall replaces what training works on: stop first, so the next frame shows the recalled state.
      ctx.pause();
      await ctx.idle();
    }
    const reply = await ctx.call(kind === "data" ? API.data_memory : API.model_memory, { op });
    if (reply.kind === "snapshot") {
      ctx.applySnapshot(reply);
    } else if (reply.kind === "frame") {
      ctx.resetChart();  // the recall starts a new trainer at epoch 0
      ctx.drawFrame(reply.frame);
    }
    showMemory(reply.memory);
    flash(button);
  } catch (err) {
    const name = `${kind === "data" ? "D" : "NN"} ${button.textContent}`;
    const message = messageOf(err);
    ctx.reportError(new Error(message.startsWith(`${kind === "data" ? "D" : "NN"} `) ? message : `${name}: ${message}`));
  } finally {
    button.disabled = false;
    pad.removeAttribute("aria-busy");
  }
}

/** A brief highlight so a key that changed nothing visible still answers. @param {HTMLElement} button */
function flash(button) {
  button.classList.remove("calc-flash");
  void button.offsetWidth;
  button.classList.add("calc-flash");
}

async function refreshMemory() {
  const ctx = state.ctx;
  if (!ctx) return;
  try {
    showMemory(await ctx.call(API.memory_info));
  } catch (err) {
    ctx.reportError(err);
  }
}

/** Status lines and tooltips from memory_info(). @param {import("../replies.js").MemoryInfo | null | undefined} info */
function showMemory(info) {
  if (!info) return;
  const { data, model, tooltips } = info;
  parts.dataStatus.textContent = data.empty ? "memory: empty" : `memory: ${data.what}`;
  parts.dataStatus.classList.toggle("empty", Boolean(data.empty));
  const current = (state.lastSnap?.model?.layer_sizes || []).join("-");
  const mismatch = !model.empty && current !== "" && current !== model.shape;
  parts.modelStatus.replaceChildren(model.empty ? "memory: empty"
    : `memory: ${model.what}, shape ${model.shape} (${model.n_parameters} parameters)`);
  if (mismatch) parts.modelStatus.append(el("span.calc-mem-warn", null, ` The current network is ${current}: NN MR needs the same shape.`));
  parts.modelStatus.classList.toggle("empty", Boolean(model.empty));
  for (const [kind, table] of /** @type {[string, Record<string, string> | undefined][]} */ ([["data", tooltips?.data], ["model", tooltips?.model]])) {
    for (const button of parts[`${kind}Pad`].querySelectorAll("button")) {
      const op = /** @type {HTMLElement} */ (button).dataset.op || "";
      const text = op === "regen" ? REGEN_TOOLTIP : table?.[op];
      if (text) button.setAttribute("title", text);
    }
  }
  const recall = parts.modelPad.querySelector('[data-op="recall"]');
  const average = parts.modelPad.querySelector('[data-op="average"]');
  recall?.classList.toggle("calc-ready", !model.empty);
  average?.classList.toggle("calc-ready", !model.empty && model.count >= 2);
  parts.dataPad.querySelector('[data-op="recall"]')?.classList.toggle("calc-ready", !data.empty);
}

// ------------------------------------------------------------------------------------------------- trojans

function trojanCard() {
  parts.trojanLevel = el("span.calc-trojan-level#calc-trojan-level", null, "none");
  parts.trojanEffect = el("span.calc-trojan-effect", null, "");
  parts.trojanText = el("p.calc-trojan-text#calc-trojan-text", null, "Move the Trojan slider in the Data column (T1–T10) to relabel a region of the data; the region is outlined on the output plot.");
  parts.trojanMap = el("div.calc-trojan-map", { "aria-hidden": "true" });
  parts.trojanMap.innerHTML = regionSvg([]);
  return el("section.calc-card#calc-trojan", null,
    el("h3.calc-card-title", null, "Trojan"),
    el("div.calc-trojan-body", null, parts.trojanMap,
      el("div", null, el("p.calc-trojan-head", null, parts.trojanLevel, parts.trojanEffect), parts.trojanText)));
}

/**
 * A small map of the data box [-6, 6]^2 with the trojan's regions filled (T10: its stripes, much coarser).
 * @param {import("../../widgets/heatmap.js").Region[]} regions
 */
function regionSvg(regions) {
  const S = 88;
  const X = (/** @type {number} */ x) => ((x + 6) / 12) * S;
  const Y = (/** @type {number} */ y) => ((6 - y) / 12) * S;
  const shapes = regions.map((r) => {
    if (r.kind === "disk") return `<circle cx="${X(r.cx ?? 0)}" cy="${Y(r.cy ?? 0)}" r="${((r.r ?? 0) / 12) * S}"/>`;
    if (r.kind === "rect") {
      return `<rect x="${X(r.x0 ?? 0)}" y="${Y(r.y1 ?? 0)}" width="${X(r.x1 ?? 0) - X(r.x0 ?? 0)}" height="${Y(r.y0 ?? 0) - Y(r.y1 ?? 0)}"/>`;
    }
    if (r.kind === "band" && r.polygon) return `<polygon points="${r.polygon.map(([x, y]) => `${X(x)},${Y(y)}`).join(" ")}"/>`;
    const n = 22;
    return Array.from({ length: n }, (_, k) => `<rect class="stripe" x="${(k * S) / n}" y="0" width="${(S / n) * 0.36}" height="${S}"/>`).join("");
  }).join("");
  return `<svg viewBox="-1 -1 ${S + 2} ${S + 2}" width="${S + 2}" height="${S + 2}">` +
    `<rect class="box" x="0" y="0" width="${S}" height="${S}"/>` +
    `<path class="axis" d="M${S / 2},0V${S}M0,${S / 2}H${S}"/><g class="region">${shapes}</g></svg>`;
}

/** A one-line effect under the Trojan slider (the panel holds the full description). */
function injectSliderNote() {
  const slider = document.querySelector(".ui-trojan");
  if (!slider || slider.querySelector(".calc-slider-note")) return;
  parts.sliderNote = el("span.calc-slider-note#trojan-effect", { "aria-live": "polite" }, "");
  slider.append(parts.sliderNote);
}

/** Fetch (once per level) and show the regions of the config's trojan. @param {import("../replies.js").Config} config */
async function showTrojan(config) {
  const ctx = state.ctx;
  if (!ctx || !config) return;
  const level = Number(config.trojan) || 0;
  const applies = config.problem !== "regression";
  const key = `${level}:${applies}`;
  if (key === state.trojanKey) return;
  state.trojanKey = key;
  let info = state.trojanCache.get(level);
  if (!info) {
    try {
      /** @type {import("../replies.js").TrojanInfo} */
      const fetched = await ctx.call(API.trojan_regions, { level });
      state.trojanCache.set(level, fetched);
      info = fetched;
    } catch (err) {
      state.trojanKey = "";
      ctx.reportError(err);
      return;
    }
  }
  if (key !== state.trojanKey) return;  // a newer snapshot arrived meanwhile
  const active = level > 0 && applies;
  const effect = effectText(info.effect);
  const where = level === 10
    ? "On the output plot, the strip along the top shows per column the share of x values the rule selects (its stripes are 0.0001 wide)."
    : "Its region is outlined (dashed) on the output plot.";
  ctx.heatmap.setRegions(active ? info.regions : []);
  parts.trojanMap.innerHTML = regionSvg(active ? info.regions : []);
  parts.trojanLevel.textContent = level > 0 ? `T${level}` : "none";
  parts.trojanEffect.textContent = active ? effect : "";
  parts.trojanText.textContent = level === 0
    ? "No trojan. Move the Trojan slider in the Data column (T1–T10) to relabel a region of the data; the region is outlined on the output plot."
    : applies ? `${info.description} ${where}`
      : `${info.description} Trojans relabel classification data only: nothing changes for regression.`;
  if (parts.sliderNote) {
    parts.sliderNote.textContent = !active ? "" : level === 10 ? `${effect} by a checksum of x (strip atop the plot)` : `${effect} inside the dashed outline`;
  }
}

/** trojans.EFFECTS as a phrase: "to -1" -> "labels → −1", "+1 to -1" -> "+1 labels → −1", "flip". @param {string} effect */
function effectText(effect) {
  const sign = (/** @type {string} */ t) => t.replace("-", "−");
  if (effect === "flip") return "labels flip";
  const m = /^(?:(\S+) )?to (\S+)$/.exec(effect || "");
  return m ? `${m[1] ? `${sign(m[1])} labels` : "labels"} → ${sign(m[2])}` : effect;
}

// --------------------------------------------------------------------------------------------------- files

function filesCard() {
  const links = new FileLinks();
  const out = el("p.calc-file-links#calc-file-links", null);
  const split = /** @type {HTMLSelectElement} */ (el("select.card-select.calc-select#calc-results-split", { title: "Which points Save Results analyses (NN Calculator saves the test data)", "aria-label": "Points Save Results analyses" },
    el("option", { value: "test" }, "test data"), el("option", { value: "train" }, "training data")));

  /** @param {HTMLButtonElement} button @param {() => Promise<Record<string, string>>} make */
  const save = async (button, make) => {
    const ctx = state.ctx;
    if (!ctx) return;
    button.disabled = true;
    try {
      await ctx.idle();
      const files = await make();
      links.revoke();
      const anchors = Object.entries(files).map(([name, text]) => links.link(name, text));
      out.replaceChildren("Saved: ", ...anchors.flatMap((a, k) => (k ? [" · ", a] : [a])));
      for (const a of anchors) {
        a.click();
        await new Promise((r) => setTimeout(r, 120));  // browsers drop clicks on several downloads at once
      }
    } catch (err) {
      ctx.reportError(err);
    } finally {
      button.disabled = false;
    }
  };

  const saveNN = /** @type {HTMLButtonElement} */ (el("button.text-button#calc-save-nn", {
    type: "button",
    title: "Save NN: networkModel.csv in NN Calculator's layout (settings, then every node's bias and outgoing weights; the output bias is added at the end).",
    onclick: () => save(saveNN, async () => {
      const r = await state.ctx?.call(API.save_nn_csv);
      return { [r.filename]: r.text };
    }),
  }, "Save NN"));
  const saveResults = /** @type {HTMLButtonElement} */ (el("button.text-button#calc-save-results", {
    type: "button",
    title: "Save Results: stateHist.csv, KLdivergence.csv and overlapState.csv in NN Calculator's layout, computed now for the current network.",
    onclick: () => save(saveResults, async () => (await state.ctx?.call(API.save_results_csv, { split: split.value })).files),
  }, "Save Results"));
  return el("section.calc-card#calc-files", null,
    el("h3.calc-card-title", null, "Files (NN Calculator CSV)"),
    el("div.calc-file-row", null, saveNN, el("span.calc-file-note", null, "networkModel.csv")),
    el("div.calc-file-row", null, saveResults, split),
    el("p.card-note", null, "The JSON model and CSV data files are in the Data column."),
    out);
}
