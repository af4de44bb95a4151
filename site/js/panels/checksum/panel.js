// @ts-check
// The backdoor panel (#backdoor-panel), backdoor 1: the checksum inside the operator. Three cards in a row
// (1 Plant, 2 Activate, 3 Device budget), then the activation records with a zoom, then the residue histograms of
// each checksum variant over the current data. Python does the work (api.plant, activate, search_*, calibrate,
// search_estimate, residue_histograms); the key, modulo, precision and variant live in the config (csum_*), so
// the operator, the activation and the link all read the very same numbers.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { buildPlantCard } from "./plant.js";
import { buildActivateCard, MARK_ALL_UP_TO } from "./activate.js";
import { buildBudgetCard } from "./budget.js";
import { buildRecords } from "./records.js";
import { buildResidues } from "./residues.js";
import { emit, on } from "../../ui/events.js";
import { createPicks, picksFor, showTestPoints, trackPickOwner } from "../../ui/picks.js";
import { followSlice, onPlot, planar, planeTest, sliceZ, targetPicker, testCount } from "../kd.js";
import { buildImageMarks } from "../images.js";

/** @typedef {import("../context.js").PanelContext} BackdoorContext */

/** Why Plant is disabled while the other backdoor is in the model (Session.install allows one at a time). */
const BLOCKED_BY_SIGNATURE = "The signature block (Backdoor 2) is installed: remove it there first to plant the checksum (one backdoor at a time).";

/** This panel's name for picks.js: the plot picks for the panel last touched. */
const PICK_OWNER = "checksum";

const state = {
  /** @type {BackdoorContext | null} */ ctx: null,
  /** @type {import("../replies.js").BackdoorStats | null} */ stats: null,
  picks: createPicks(),
  /** @type {import("../replies.js").ActivationResult | null} */ result: null,
  /** @type {Record<string, string>} */ descriptions: {},  // variant -> one line, from residue_histograms()
};
/** @type {Record<string, any>} */
const parts = {};

/** Build the panel (once, when Python is ready); starts the device calibration in the background. @param {BackdoorContext} ctx */
export function init(ctx) {
  const root = document.getElementById("backdoor-panel");
  if (!root) return;
  state.ctx = ctx;
  parts.root = root;
  parts.plant = buildPlantCard({ onNumber: changeNumber, onLayers: changeLayers, onPlant: () => plant(), onRemove: unplant });
  parts.budget = buildBudgetCard({ call: ctx.call, reportError: ctx.reportError, getConfig: ctx.getConfig, getK: () => parts.activate.getK() });
  parts.activate = buildActivateCard({
    call: ctx.call, reportError: ctx.reportError, pause: ctx.pause, hold: ctx.hold, release: ctx.release,
    testCount: () => testCount(ctx.getData()),
    firstLayer: () => firstLayerSize(),
    picks: state.picks.sorted,
    onTarget: (t) => { if (t === "picked") showTestPoints(ctx); },
    clearPicks: () => { state.picks.clear(); picksChanged(); },
    gate: (host, p, labels) => parts.budget.gate(host, p, labels),
    onKChange: () => parts.budget.refresh(),
    setBusy,
    onResult: (r) => showResult(r),
  });
  parts.target = targetPicker("bd-target-class");
  parts.plant.addTarget(parts.target.row);
  parts.images = buildImageMarks({ owner: PICK_OWNER, idPrefix: "bd", onPick: (i) => pickImage(i),
    scale: () => String(ctx.getConfig().digits_scale ?? "raw") });
  parts.records = buildRecords({ plotSize: ctx.heatmap.size, onSelect: () => picksChanged() });
  parts.residues = buildResidues({
    call: ctx.call, reportError: ctx.reportError, getConfig: ctx.getConfig,
    onReply: (h) => {
      if (h.descriptions) state.descriptions = h.descriptions;
      syncFields(ctx.getConfig());
      parts.plant.showReducedKey(h.key, h.modulo);
    },
  });
  root.replaceChildren(
    el("div.panel-head", null,
      el("h2.column-title", null, "Backdoor: a checksum in the operator"),
      el("p.column-hint", null, "Plant it in the trained network, trigger it with invisible input edits, and see what it costs to find the trigger.")),
    el("div.card-grid", null, parts.plant.element, parts.activate.element, parts.budget.element),
    parts.images.element,
    parts.records.element,
    parts.residues.element);
  ctx.heatmap.onPick((x, y) => pick(x, y));
  trackPickOwner(PICK_OWNER, root);
  on("training-stopped", refreshModelViews);
  on("snapshot", ({ snap }) => onSnapshot(snap));
  followSlice(refreshMarks);  // 3-D: the marks follow the slice
  on("script-result", ({ kind, result }) => { if (kind === "checksum-activation") showResult(result); });
  on("attack-changed", ({ source, what }) => {
    // one backdoor at a time (Session.install): while the signature block is installed, Plant says why it can't
    if (source === "signature" && (what === "installed" || what === "removed")) {
      parts.plant.setBlocked(what === "installed" ? BLOCKED_BY_SIGNATURE : "");
    }
  });
  parts.budget.calibrate();
}

/**
 * A snapshot (hub): a new model (plant/unplant replies carry `backdoor`), maybe new data.
 * @param {import("../replies.js").Snapshot} snap
 */
function onSnapshot(snap) {
  const ctx = state.ctx;
  if (!ctx || !snap) return;
  const test = snap.data?.test ?? [];
  state.picks.follow(test);
  parts.activate.abort();
  parts.activate.setSizes(testCount(snap.data), firstLayerSize());
  parts.target.setData(snap.data);
  parts.activate.setDims(snap.data?.d ?? 2);
  parts.images.setData(snap.data);
  parts.activate.setPicked(state.picks.size);
  showResult(null);
  syncFields(snap.config);
  if (snap.backdoor) showStats(snap.backdoor);
  else refreshStats();
  parts.residues.refresh();
  parts.budget.refresh();
}

/** `update` answered kind "backdoor": new checksum numbers on the planted model. @param {import("../replies.js").NumbersUpdate} reply */
function onNumbersUpdate(reply) {
  parts.activate.abort();
  showResult(null);
  syncFields(reply.config);
  showStats(reply.backdoor);
  emit("attack-changed", { source: "checksum", what: "numbers" });
}

// ------------------------------------------------------------------------------------------------ planting

/** Apply one checksum number (through the config, so a planted model takes it live); ask first if it breaks the budget. */
async function changeNumber(/** @type {string} */ key, /** @type {string | number} */ value, /** @type {HTMLElement} */ input) {
  const ctx = /** @type {BackdoorContext} */ (state.ctx);
  const c = ctx.getConfig();
  if (input instanceof HTMLInputElement && input.value.trim() === "") {
    syncFields(c);
    return;
  }
  if (typeof value === "number" && !Number.isInteger(value)) {
    ctx.reportError(new Error(`${key.replace("csum_", "")} must be a whole number`));
    syncFields(c);
    return;
  }
  const short = key.replace("csum_", "");
  const proposal = { [short]: value };
  const label = short === "modulo" ? "m" : short;
  const ok = await parts.budget.gate(parts.plant.element, proposal, {
    change: short === "variant" ? `Use ${value} anyway` : `Use ${label} = ${value} anyway`,
    keep: short === "variant" ? `Keep ${c[key]}` : `Keep ${label} = ${c[key]}`,
  });
  if (!ok) {
    syncFields(c);
    return;
  }
  const reply = await ctx.update({ [key]: value });
  if (reply?.kind === "backdoor") onNumbersUpdate(reply);
  syncFields(ctx.getConfig());
  if (!state.stats?.planted) showResult(null);
  parts.residues.refresh();
  parts.budget.refresh();
}

async function changeLayers(/** @type {string} */ layers) {
  const ctx = /** @type {BackdoorContext} */ (state.ctx);
  if (state.stats?.planted) await plant(layers);
  else {
    const reply = await ctx.update({ csum_layers: layers });
    if (reply?.kind === "backdoor") onNumbersUpdate(reply);
  }
  syncFields(ctx.getConfig());
}

async function plant(/** @type {string} */ layers = "") {
  const ctx = /** @type {BackdoorContext} */ (state.ctx);
  ctx.pause();
  setBusy(true);
  try {
    const target = parts.target.value();
    ctx.applySnapshot(await ctx.call(API.plant, { params: { layers: layers || parts.plant.layers(),
      ...(target === undefined ? {} : { target }) } }));
  } catch (err) {
    ctx.reportError(err);
  } finally {
    setBusy(false);
  }
}

async function unplant() {
  const ctx = /** @type {BackdoorContext} */ (state.ctx);
  ctx.pause();
  setBusy(true);
  try {
    ctx.applySnapshot(await ctx.call(API.unplant));
  } catch (err) {
    ctx.reportError(err);
  } finally {
    setBusy(false);
  }
}

/** Show the config's checksum numbers in the plant card. @param {import("../replies.js").Config} c */
function syncFields(c) {
  parts.plant.sync(c, state.descriptions);
}

/** @param {import("../replies.js").BackdoorStats} s */
function showStats(s) {
  const was = Boolean(state.stats?.planted);
  state.stats = s;
  state.ctx?.heatmap.setSpecks(s?.planted ? s.trigger_rate_grid : null, "checksum");  // the specks' label
  if (!s) return;
  if (Boolean(s.planted) !== was) emit("attack-changed", { source: "checksum", what: s.planted ? "planted" : "removed" });
  parts.root.dataset.planted = s.planted ? "1" : "0";
  parts.plant.showStats(s, state.ctx?.getModel()?.activation_names ?? []);
}

async function refreshStats() {
  const ctx = state.ctx;
  if (!ctx) return;
  try {
    showStats(await ctx.call(API.backdoor_stats));
  } catch (err) {
    ctx.reportError(err);
  }
}

/** After training stops: the weights moved, so the agreement, trigger rates and residues did too. */
function refreshModelViews() {
  if (state.stats?.planted) refreshStats();
  parts.residues.refresh();
}

// ------------------------------------------------------------------------------------------------ activation

/** @param {import("../replies.js").ActivationResult | null} result */
function showResult(result) {
  state.result = result;
  parts.records.show(result);
  if (result) parts.activate.showSummary(result.summary);
  else parts.activate.hideSummary();
  refreshMarks();
  if (result) {
    parts.residues.refresh();
    emit("attack-changed", { source: "checksum", what: "activation" });
  }
}

function setBusy(/** @type {boolean} */ busy) {
  parts.activate.setBusy(busy);
  parts.plant.setBusy(busy);
}

/** Rings on the plot: flipped (and, for small runs, every moved) point, the picks, the record in the zoom. */
function refreshMarks() {
  const ctx = state.ctx;
  if (!ctx) return;
  /** @type {import("../../widgets/heatmap.js").Mark[]} */
  const marks = [];
  const records = state.result?.records ?? [];
  const all = records.length <= MARK_ALL_UP_TO;
  for (const rec of records) {
    const r = planar(rec, sliceZ(ctx));
    if (r.flipped || (all && r.delta)) marks.push({ x: r.x1, y: r.y1, x0: r.x0, y0: r.y0, kind: r.flipped ? "flipped" : "moved" });
  }
  const test = planeTest(ctx.getData(), sliceZ(ctx));
  marks.push(...state.picks.marks(test));
  const chosen = parts.records.selected();
  if (chosen) marks.push({ x: planar(chosen, sliceZ(ctx)).x1, y: planar(chosen, sliceZ(ctx)).y1, kind: "trigger" });
  ctx.heatmap.setMarks(onPlot(marks), "checksum");
  parts.images.show(records, state.picks.sorted());
  parts.root.dataset.marks = String(marks.length);  // test hook
  parts.activate.setPicked(state.picks.size);
}

/** The picks or the record in the zoom changed (the plot's rings follow; no metric does). */
function picksChanged() {
  refreshMarks();
  emit("picks-changed", { panel: PICK_OWNER, count: state.picks.size });
}

/** A click on the plot toggles the nearest test point (picks.js). @param {number} x @param {number} y */
function pick(x, y) {
  if (!picksFor(PICK_OWNER)) return;  // the plot picks for the panel the user last touched
  if (!state.ctx || !state.picks.toggleNear(planeTest(state.ctx.getData(), sliceZ(state.ctx)), x, y)) return;
  parts.activate.setTarget("picked");
  showTestPoints(state.ctx);
  picksChanged();
}

/** A click on a digit image (the image grid) toggles that test point. @param {number} i */
function pickImage(i) {
  if (!picksFor(PICK_OWNER)) return;
  state.picks.toggle(i);
  parts.activate.setTarget("picked");
  picksChanged();
}

// ------------------------------------------------------------------------------------------------ helpers

function firstLayerSize() {
  const sizes = state.ctx?.getModel()?.layer_sizes ?? [];
  return sizes.length > 2 ? sizes[1] : 1;
}
