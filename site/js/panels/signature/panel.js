// @ts-check
// The signature panel (#signature-panel), backdoor 2: a signature in the input. Three cards in a row:
// A, NN Calculator's "CSUM signature" (a replicable checksum, labelled as such); B, a real signature block
// (Goldwasser et al.: classifier ∥ Verify → select) with its activation by the key holder; C, forgery by an attacker
// without the key, within this device's budget. Python does the work (signature_api.py); the network diagram draws
// the verifier and the selector while a block is installed (diagram.js, the network's "signature" decoration).

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { buildCsumCard } from "./csum.js";
import { GRID_POINTS, buildBlockCard } from "./block.js";
import { buildForgeCard } from "./forge.js";
import { emit, on } from "../../ui/events.js";
import { showSignatureBlock } from "./diagram.js";
import { createPicks, picksFor, showTestPoints, trackPickOwner } from "../../ui/picks.js";
import { STATE_TABLE } from "../../app/state-table.js";
import { followSlice, onPlot, planar, planeTest, shape, sliceZ, testCount } from "../kd.js";
import { buildImageMarks } from "../images.js";

/** @typedef {import("../context.js").PanelContext} SignatureContext */

/** Why Install is disabled while the other backdoor is in the model (Session.install allows one at a time). */
const BLOCKED_BY_CHECKSUM = "The checksum backdoor (Backdoor 1) is planted: remove it there first to install the signature block (one backdoor at a time).";

/** This panel's name for picks.js: the plot picks for the panel last touched. */
const PICK_OWNER = "signature";

const state = {
  /** @type {SignatureContext | null} */ ctx: null,
  picks: createPicks(),
  /** @type {import("../replies.js").CsumSignature | null} */ csum: null,        // the last CSUM signature result
  /** @type {import("../replies.js").SignatureActivation | null} */ activation: null,  // the last signature_activate result
  /** @type {import("../replies.js").ForgeResult | null} */ forged: null,      // the last signature_forge result
  /** "csum" | "signature": whose rings the plot shows (the latest action wins) */
  marksFrom: "",
  scheme: "",  // the block drawn in the network ("" when none)
  busy: 0,
  regression: false,
};
/** @type {Record<string, any>} */
const parts = {};

/** Build the panel once Python is ready; measures this device's forging rates in the background. @param {SignatureContext} ctx */
export function init(ctx) {
  const root = document.getElementById("signature-panel");
  if (!root) return;
  state.ctx = ctx;
  parts.root = root;
  parts.csum = buildCsumCard({
    call: ctx.call, getConfig: ctx.getConfig, setBusy,
    onResult: (r) => {
      state.csum = r;
      state.marksFrom = "csum";
      showTestPoints(ctx);
      refreshMarks();
      emit("attack-changed", { source: "signature", what: "csum-signature" });
    },
  });
  parts.block = buildBlockCard({
    call: ctx.call, setBusy,
    testCount: () => testCount(ctx.getData()),
    picks: state.picks.sorted,
    clearPicks: () => { state.picks.clear(); picksChanged(); },
    showTestPoints: () => showTestPoints(ctx),
    onView: (view) => {
      showSignatureBlock(ctx.network, view);
      if (!view) ctx.heatmap.setSpecks(null, "signature");
      if ((view?.scheme ?? "") !== state.scheme) {
        state.scheme = view?.scheme ?? "";
        emit("attack-changed", { source: "signature", what: view ? "installed" : "removed" });
      }
      parts.forge.setView(view);
      if (view) parts.forge.refreshEstimate();
    },
    // the plot's legend labels the grid points Verify accepts unsigned, like the checksum's specks (0: "none")
    onStats: (st) => ctx.heatmap.setSpecks(st.accidental_accepts_grid / GRID_POINTS, "signature", SPECKS_MEANING),
    onActivation: (r) => {
      state.activation = r;
      state.forged = null;
      if (r) state.marksFrom = "signature";
      parts.forge.refreshMethods();
      refreshMarks();
      if (r) emit("attack-changed", { source: "signature", what: "activation" });
    },
  });
  on("script-result", ({ kind, result }) => {
    if (kind === "signature-activation") parts.block.showActivation(result).catch(ctx.reportError);
  });
  parts.forge = buildForgeCard({
    call: ctx.call, setBusy, victim,
    signedCount: () => state.activation?.records.filter((r) => r.accepted).length ?? 0,
    onForge: (r) => {
      state.forged = r;
      state.marksFrom = "signature";
      refreshMarks();
      emit("attack-changed", { source: "signature", what: "forgery" });
    },
  });
  parts.images = buildImageMarks({ owner: PICK_OWNER, idPrefix: "sg", onPick: (i) => pickImage(i),
    scale: () => String(ctx.getConfig().digits_scale ?? "raw") });
  parts.csumOff = el("p.kd-panel-note#sg-csum-off", { role: "note", hidden: true });
  parts.note = el("p.sg-regression#sg-regression", { hidden: true },
    "Both signature backdoors flip class labels (+1 / −1): switch the problem type to classification to use them.");
  parts.grid = el("div.card-grid.sg-grid", null, parts.csum.element, parts.block.element, parts.forge.element);
  root.replaceChildren(
    el("div.panel-head", null,
      el("h2.column-title", null, "Backdoor 2: a signature in the input"),
      el("p.column-hint", null, "NN Calculator's checksum \"signature\", then a real one: only the holder of the secret key can trigger it.")),
    parts.note,
    parts.csumOff,
    parts.grid,
    parts.images.element);
  ctx.heatmap.onPick((x, y) => pick(x, y));
  trackPickOwner(PICK_OWNER, root);
  on("training-stopped", () => { if (parts.block.installed()) refreshStats(); });
  on("snapshot", ({ snap }) => onSnapshot(snap));
  followSlice(refreshMarks);  // 3-D: the marks follow the slice
  on("attack-changed", ({ source, what }) => {
    // one backdoor at a time (Session.install): while the checksum is planted, Install says why it can't
    if (source === "checksum" && (what === "planted" || what === "removed")) {
      parts.block.setBlocked(what === "planted" ? BLOCKED_BY_CHECKSUM : "");
    }
  });
  parts.forge.refreshEstimate();
}

/** What one accidental trigger of the signature block is. */
const SPECKS_MEANING = "unsigned inputs Verify accepts: the output flips with no key";

/**
 * A snapshot (hub): a new model or new data; a rebuilt model has no signature block any more.
 * @param {import("../replies.js").Snapshot} snap
 */
function onSnapshot(snap) {
  const ctx = state.ctx;
  if (!ctx || !snap) return;
  const test = snap.data?.test ?? [];
  if (state.picks.follow(test)) {
    state.csum = null;
    parts.csum.clear();
  }
  state.regression = snap.config?.problem === "regression";
  parts.note.hidden = !state.regression;
  parts.grid.hidden = state.regression;
  parts.root.dataset.regression = state.regression ? "1" : "0";
  parts.csum.sync(snap.config);
  parts.block.setCounts(testCount(snap.data), state.picks.size);
  parts.block.setData(snap.data);
  parts.images.setData(snap.data);
  // NN Calculator's CSUM signature reads the plane's x: beyond it, Python's reason (Attack.plane_only) says so
  const { d, k } = shape(snap.data);
  const why = d !== 2 || k > 2 ? STATE_TABLE.plane_only["csum-signature"] : null;
  parts.csumOff.hidden = !why;
  parts.csumOff.textContent = why ? `CSUM signature (card A): ${why}; this data has d = ${d}, K = ${k}.` : "";
  parts.csum.element.inert = Boolean(why);
  parts.csum.element.classList.toggle("kd-off", Boolean(why));
  syncView();
}

/** Ask Python whether a block is still installed (a rebuild forgets it) and redraw what depends on it. */
async function syncView() {
  const ctx = /** @type {SignatureContext} */ (state.ctx);
  try {
    const view = state.regression ? { installed: false } : await ctx.call(API.signature_view);
    parts.block.showView(view.installed ? view : null);
    if (!view.installed || !view.activated) {
      state.activation = null;
      state.forged = null;
      parts.block.hideSummary();
    }
    if (view.installed) refreshStats();
  } catch {
    showSignatureBlock(ctx.network, null);
  }
  parts.forge.refreshMethods();
  refreshMarks();
}

async function refreshStats() {
  try {
    parts.block.showStats(await /** @type {SignatureContext} */ (state.ctx).call(API.signature_stats));
  } catch {
    // the block was removed meanwhile: the next snapshot redraws
  }
}

/** @param {boolean} busy */
function setBusy(busy) {
  state.busy += busy ? 1 : -1;
  const on = state.busy > 0;
  parts.root.dataset.busy = on ? "1" : "0";
  parts.csum.setBusy(on);
  parts.block.setBusy(on);
  parts.forge.setBusy(on);
}

/** The victim of a forgery: the first test point nobody signed (else the first one that is not the replay source). */
function victim() {
  const n = testCount(state.ctx?.getData());
  const signed = new Set((state.activation?.records ?? []).filter((r) => r.accepted).map((r) => r.index));
  for (let i = 0; i < n; i++) if (!signed.has(i)) return i;
  const source = Math.min(...signed);
  for (let i = 0; i < n; i++) if (i !== source) return i;
  return null;
}

/** Rings on the plot: the latest action's points (CSUM flips, or the signed and forged points), and the picks. */
function refreshMarks() {
  const ctx = state.ctx;
  if (!ctx) return;
  /** @type {import("../../widgets/heatmap.js").Mark[]} */
  const marks = [];
  const test = planeTest(ctx.getData(), sliceZ(ctx));
  if (state.marksFrom === "csum" && state.csum) {
    for (const i of state.csum.flipped_indices) marks.push({ x: test[3 * i], y: test[3 * i + 1], kind: "flipped" });
  } else if (state.marksFrom === "signature") {
    for (const r of state.activation?.records ?? []) {
      const p = planar(r, sliceZ(ctx));
      if (r.accepted) marks.push({ x: p.x1 ?? NaN, y: p.y1 ?? NaN, kind: r.flipped ? "flipped" : "moved" });
    }
    const t = state.forged?.target_point;
    if (t && t.x1 != null && t.y1 != null) marks.push({ x: t.x1, y: t.y1, kind: "trigger" });
  }
  marks.push(...state.picks.marks(test));
  ctx.heatmap.setMarks(onPlot(marks), "signature");
  parts.root.dataset.marks = String(onPlot(marks).length);  // test hook
  parts.block.setCounts(testCount(ctx.getData()), state.picks.size);
  parts.images.show(state.marksFrom === "signature" ? state.activation?.records ?? [] : [], state.picks.sorted());
}

/** The picks changed (the plot's rings follow; no metric does). */
function picksChanged() {
  refreshMarks();
  emit("picks-changed", { panel: PICK_OWNER, count: state.picks.size });
}

/** A click on the plot toggles the nearest test point (picks.js). @param {number} x @param {number} y */
function pick(x, y) {
  if (!picksFor(PICK_OWNER)) return;  // the plot picks for the panel the user last touched
  if (state.regression) return;
  if (!state.ctx || !state.picks.toggleNear(planeTest(state.ctx.getData(), sliceZ(state.ctx)), x, y)) return;
  parts.block.choosePicked();
  showTestPoints(state.ctx);
  picksChanged();
}

/** A click on a digit image (the image grid) toggles that test point. @param {number} i */
function pickImage(i) {
  if (!picksFor(PICK_OWNER) || state.regression) return;
  state.picks.toggle(i);
  parts.block.choosePicked();
  picksChanged();
}
