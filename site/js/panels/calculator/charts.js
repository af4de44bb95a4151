// @ts-check
// Small canvas bar charts of layer states for the Inefficiency analysis: one chart per layer and ground-truth
// label, a bar per (predicted label, state), orange for predicted N and blue for predicted P, so points whose
// state sits in the wrong colour are the misclassified ones. Hovering a bar names it as NN Calculator does
// ("layer-label-state") with its count.

import { el } from "../../ui/dom.js";
import { figureTools, paint, painted } from "../../ui/figure.js";
import { chartInk } from "../../ui/theme.js";
import { axisTitles } from "../../widgets/plot.js";

const COLORS = { N: "#f59322", P: "#0877bd" };
/** Room below the state labels for the x-axis title. */
const X_TITLE = 14;

/** @typedef {{label: string, state: string, count: number}} StateCount */

/**
 * A labelled chart of one layer's states for the points of one ground-truth label.
 * @param {StateCount[]} entries the layer's by_truth[label] list
 * @param {{layer: number, truth: string, width?: number, height?: number}} opts
 * @returns {HTMLElement}
 */
export function stateHistogram(entries, opts) {
  const canvas = /** @type {HTMLCanvasElement} */ (el("canvas.calc-hist-canvas", {
    role: "img",
    "aria-label": `Layer ${opts.layer}, ground truth ${opts.truth}: ${entries.length} (predicted label, state) pairs`,
  }));
  const bars = [...entries].sort((a, b) => (a.state === b.state ? a.label.localeCompare(b.label) : a.state < b.state ? -1 : 1));
  const slots = draw(canvas, bars, opts.width ?? 290, opts.height ?? 84);
  canvas.addEventListener("mousemove", (event) => {
    const x = event.clientX - canvas.getBoundingClientRect().left;
    const k = slots.findIndex(([a, b]) => x >= a && x < b);
    const bar = bars[k];
    canvas.title = bar ? `${opts.layer}-${bar.label}-${bar.state}: ${bar.count} point${bar.count === 1 ? "" : "s"}` : "";
  });
  const total = entries.reduce((sum, e) => sum + e.count, 0);
  const tools = figureTools({
    what: `states_layer${opts.layer}_truth${opts.truth}`,
    title: `Layer ${opts.layer} states, ground truth ${opts.truth} (${total} points)`,
    source: () => painted(canvas),
    legend: () => [{ label: "predicted N", kind: "bar", color: COLORS.N }, { label: "predicted P", kind: "bar", color: COLORS.P }],
    note: () => "Bars: points per (predicted label, layer state); x: the layer's state, y: number of points.",
  });
  return el("figure.calc-hist", null,
    el("figcaption", null, `truth ${opts.truth}`, el("span.calc-hist-n", null, ` · ${total} points`)),
    canvas, tools);
}

/**
 * Bars grouped by state (a state used for both predicted labels gets an orange and a blue bar side by side), the
 * state written under its group: level when it fits, turned upright when it does not, left out past that.
 * @param {HTMLCanvasElement} canvas
 * @param {StateCount[]} bars sorted by state
 * @param {number} width CSS pixels
 * @param {number} plotH CSS pixels of the bar area
 * @returns {number[][]} per bar its [x0, x1) in CSS pixels, for hover
 */
function draw(canvas, bars, width, plotH) {
  const left = 40;
  const top = 6;
  const plotW = width - left - 4;
  /** @type {{state: string, bars: number[]}[]} */
  const groups = [];
  bars.forEach((b, k) => {
    const last = groups[groups.length - 1];
    if (last && last.state === b.state) last.bars.push(k);
    else groups.push({ state: b.state, bars: [k] });
  });
  const groupGap = groups.length > 1 ? Math.min(4, plotW / groups.length / 4) : 0;
  const unit = bars.length ? Math.min(22, (plotW - groupGap * (groups.length - 1)) / bars.length) : 0;
  const chars = bars.length ? bars[0].state.length : 0;
  const groupW = (/** @type {number} */ n) => n * unit;
  const minGroup = groups.length ? Math.min(...groups.map((g) => groupW(g.bars.length))) : 0;
  const labels = !groups.length ? "none" : minGroup >= chars * 6.2 + 2 ? "level" : minGroup + groupGap >= 10 && chars <= 8 ? "upright" : "none";
  const bottom = labels === "upright" ? chars * 6.2 + 6 : 14;
  const height = top + plotH + bottom + X_TITLE;
  /** @type {number[][]} */
  const slots = [];
  paint(canvas, width, height, (ctx) => paintBars(ctx, { bars, groups, labels, left, top, plotW, plotH, width, height, unit, groupGap, slots }));
  return slots;
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {{bars: StateCount[], groups: {state: string, bars: number[]}[], labels: string, left: number, top: number,
 *   plotW: number, plotH: number, width: number, height: number, unit: number, groupGap: number, slots: number[][]}} o
 */
function paintBars(ctx, { bars, groups, labels, left, top, plotW, plotH, width, height, unit, groupGap, slots }) {
  const ink = chartInk();
  const TEXT = ink.text;
  ctx.font = "10px ui-monospace, Menlo, Consolas, monospace";
  axisTitles(ctx, width, height, "layer state (bit k: node k > 0)", "points", TEXT,
    { left, right: width - left - plotW, top, bottom: height - top - plotH });
  ctx.font = "10px ui-monospace, Menlo, Consolas, monospace";
  ctx.strokeStyle = ink.axis;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left - 0.5, top - 2);
  ctx.lineTo(left - 0.5, top + plotH + 0.5);
  ctx.lineTo(width - 2, top + plotH + 0.5);
  ctx.stroke();
  ctx.fillStyle = TEXT;
  if (!bars.length) {
    ctx.textAlign = "center";
    ctx.fillText("no points", left + plotW / 2, top + plotH / 2);
    return;
  }
  const max = Math.max(...bars.map((b) => b.count));
  ctx.textAlign = "right";
  ctx.fillText(String(max), left - 4, top + 7);
  ctx.fillText("0", left - 4, top + plotH);
  const gap = unit > 5 ? 1 : 0;
  let x = left;
  for (const g of groups) {
    const x0 = x;
    for (const k of g.bars) {
      const b = bars[k];
      const h = Math.max(1, (b.count / max) * plotH);
      ctx.fillStyle = COLORS[/** @type {"N" | "P"} */ (b.label)] ?? "#888";
      ctx.fillRect(x + gap, top + plotH - h, unit - gap, h);
      slots[k] = [x, x + unit];
      x += unit;
    }
    const mid = (x0 + x) / 2;
    ctx.fillStyle = TEXT;
    if (labels === "level") {
      ctx.textAlign = "center";
      ctx.fillText(g.state, mid, top + plotH + 12);
    } else if (labels === "upright") {
      ctx.save();
      ctx.translate(mid - 3.5, top + plotH + 4);  // reads downward, glyphs to the right of the baseline
      ctx.rotate(Math.PI / 2);
      ctx.textAlign = "left";
      ctx.fillText(g.state, 0, 0);
      ctx.restore();
    }
    x += groupGap;
  }
  if (labels === "none") {
    ctx.textAlign = "left";
    ctx.font = "10px system-ui, sans-serif";
    ctx.fillText(`${groups.length} states (hover a bar)`, left, top + plotH + 12);
  }
}
