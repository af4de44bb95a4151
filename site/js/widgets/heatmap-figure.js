// @ts-check
// The output plot's legend and its exported figure. The legend beside the plot lists only the marks present (each
// with the glyph the plot draws, widgets/marks.js) and labels the specks of accidental triggers; the export
// (ui/figure.js) is the plot itself (its value grid as an image, points, regions and marks redrawn by the heatmap's
// own paintOverlay) with axes, axis titles and the full legend: colour scale, points, marks, specks.

import { el } from "../ui/dom.js";
import { figureTools } from "../ui/figure.js";
import { rate } from "../ui/format.js";
import { rampRgb } from "./colors.js";
import { MARKS, MOVE_ARROW, arrowGlyph, drawGlyph, specksGlyph } from "./marks.js";

/** @typedef {import("./heatmap.js").Heatmap} Heatmap @typedef {import("../ui/figure.js").LegendItem} LegendItem */

const AXIS = "#9a9a9a";
const TEXT = "#555";
const FONT = "10px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
/** Space left of and below the plot in the export, for the ticks and the axis titles. */
const LEFT = 34;
const TOP = 6;
const BOTTOM = 36;

/**
 * The specks' label: the share of the grid (none reads "none on the grid", so the entry never vanishes silently),
 * then what one speck means when the owner said. @param {number} r @param {string} [meaning]
 */
export const specksLabel = (r, meaning = "") =>
  `accidental triggers: ${r === 0 ? "none on the grid" : `${rate(r)} of the grid`}${meaning ? ` (${meaning})` : ""}`;

/** What a speck is, for the legend entry's tooltip. */
const SPECKS_TITLE = "Light-blue specks: grid points where the planted backdoor fires although nobody activated it " +
  "(the output plot is the model's answer on a 100 × 100 grid).";

/** The owner with the highest accidental trigger rate, or null. @param {Heatmap} h */
function specksOf(h) {
  let best = null;
  for (const v of h.specks.values()) if (!best || v.rate > best.rate) best = v;
  return best;
}

/** Legend items of the marks drawn, the move arrow and the specks. @param {Heatmap} h @returns {(LegendItem & {mark: string})[]} */
export function markItems(h) {
  /** @type {(LegendItem & {mark: string})[]} */
  const items = [];
  for (const [kind, style] of Object.entries(MARKS)) {
    if (h.drawnKinds.has(kind)) items.push({ mark: kind, label: style.label, glyph: (ctx, x, y) => drawGlyph(ctx, kind, x, y) });
  }
  if (h.drewArrow) items.push({ mark: "arrow", label: MOVE_ARROW.label, glyph: arrowGlyph });
  const sp = specksOf(h);
  if (sp) items.push({ mark: "specks", label: specksLabel(sp.rate, sp.meaning), glyph: specksGlyph });
  return items;
}

/** A legend glyph as a small canvas. @param {LegendItem} item */
function glyphCanvas(item) {
  const canvas = /** @type {HTMLCanvasElement} */ (el("canvas.hm-glyph", { "aria-hidden": "true" }));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(28 * dpr);
  canvas.height = Math.round(18 * dpr);
  const ctx = canvas.getContext("2d");
  if (ctx && item.glyph) {
    ctx.scale(dpr, dpr);
    item.glyph(ctx, 10, 9);
  }
  return canvas;
}

/** The legend beside the plot: only the marks present, and the specks' label. */
export function buildMarksLegend() {
  const element = el("ul.heatmap-legend", { "aria-label": "Marks on the plot" });
  element.hidden = true;
  let key = "";
  return {
    element,
    /** @param {Heatmap} h */
    update(h) {
      const items = markItems(h);
      const next = items.map((i) => i.label).join("|");
      if (next === key) return;
      key = next;
      element.replaceChildren(...items.map((i) => el(`li.hm-key${i.mark === "specks" ? ".heatmap-specks" : ""}`,
        { dataset: { mark: i.mark }, ...(i.mark === "specks" ? { title: SPECKS_TITLE } : {}) }, glyphCanvas(i), el("span", null, i.label))));
      element.hidden = !items.length;
    },
  };
}

/** The full legend of the exported plot. @param {Heatmap} h @returns {LegendItem[]} */
function exportLegend(h) {
  const ramp = (/** @type {CanvasRenderingContext2D} */ ctx, /** @type {number} */ x, /** @type {number} */ y) => {
    for (let k = 0; k < 20; k++) {
      const [r, g, b] = rampRgb(-1 + (2 * k) / 19);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x - 10 + k, y - 5, 1.2, 10);
    }
  };
  const point = (/** @type {string} */ fill, /** @type {string} */ stroke) =>
    (/** @type {CanvasRenderingContext2D} */ ctx, /** @type {number} */ x, /** @type {number} */ y) => {
      ctx.fillStyle = "#f7c48a";  // on a patch of the plot's orange, so a white outline shows
      ctx.fillRect(x - 7, y - 6, 14, 12);
      ctx.beginPath();
      ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = stroke;
      ctx.stroke();
    };
  /** @type {LegendItem[]} */
  const items = [
    { label: "output −1 (orange) … +1 (blue)", glyph: ramp },
    { label: "training point (white outline)", glyph: point("#0877bd", "#fff") },
  ];
  if (h.showTest) items.push({ label: "test point (black outline)", glyph: point("#0877bd", "#000") });
  if (h.regions.length) items.push({ label: "trojan region", kind: "dash", color: "#3a1d52" });
  return [...items, ...markItems(h)];
}

/**
 * The plot with axes, as a figure source: the grid image, the overlay redrawn, ticks and axis titles.
 * @param {Heatmap} h
 */
function source(h) {
  const S = h.size;
  const scale = (/** @type {number} */ v) => ((v + 6) / 12) * S;
  /** @param {CanvasRenderingContext2D} ctx */
  const draw = (ctx) => {
    ctx.save();
    ctx.translate(LEFT, TOP);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, S, S);
    ctx.imageSmoothingEnabled = !h.background.classList.contains("pixelated");
    ctx.drawImage(h.background, 0, 0, S, S);
    ctx.imageSmoothingEnabled = true;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, S, S);
    ctx.clip();
    h.paintOverlay(ctx);
    ctx.restore();
    ctx.strokeStyle = AXIS;
    ctx.lineWidth = 1;
    ctx.strokeRect(0, 0, S, S);
    ctx.font = FONT;
    ctx.fillStyle = TEXT;
    ctx.beginPath();
    for (let v = -6; v <= 6; v++) {
      const len = v % 2 === 0 ? 5 : 3;
      ctx.moveTo(scale(v), S);
      ctx.lineTo(scale(v), S + len);
      ctx.moveTo(0, S - scale(v));
      ctx.lineTo(-len, S - scale(v));
    }
    ctx.stroke();
    for (let v = -6; v <= 6; v += 2) {
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.fillText(String(v), scale(v), S + 7);
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(String(v), -7, S - scale(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    ctx.fillText("x₁ (first input)", S / 2, S + 31);
    ctx.translate(-25, S / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("x₂ (second input)", 0, 0);
    ctx.restore();
  };
  return { width: LEFT + S + 8, height: TOP + S + BOTTOM, draw, box: [LEFT, TOP, S, S] };
}

/** The export buttons of the plot. @param {Heatmap} h @param {string} what */
export function heatmapFigure(h, what) {
  return figureTools({
    what, label: "Output plot:",
    title: "Model output over the input plane",
    source: () => source(h),
    legend: () => exportLegend(h),
    note: () => "Background: the network's output at each point of the plane. Marks as in the legend.",
  });
}
