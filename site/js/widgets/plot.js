// @ts-check
// The page's chart painters: a small line chart (linear or log x, y in [0, 1] by default, vertical marks for chosen
// values) and a grouped-bar histogram. Each paints on a 2-D context in CSS pixels, so the screen (ui/figure.js
// paint) and the exported files (PNG at any scale, SVG through ui/svgctx.js) share one drawing, axis titles on both
// axes included. Text, ticks and frames take the theme's ink (ui/theme.js chartInk; an export draws on white).

import { sci } from "../ui/format.js";
import { chartInk, dataColor } from "../ui/theme.js";

export const COLORS = {
  blue: "#0877bd", orange: "#f59322", grey: "#9aa5ad", purple: "#6a1b9a", pink: "#c2185b", ink: "#2b2b2b",
  green: "#2e7d32",
};
const FONT = "10px system-ui, sans-serif";
const TITLE_FONT = "11px system-ui, sans-serif";
/** Room for the tick labels and, left and below, the axis titles. */
const PAD = { left: 48, right: 10, top: 18, bottom: 34 };

/**
 * @typedef {{x: number, label?: string, color?: string, dash?: number[]}} VMark  a vertical line at x
 * @typedef {{y: (number | null)[], color: string, label?: string, dash?: number[], width?: number, dots?: boolean}} Series
 * @typedef {{x: number[], series: Series[], xLog?: boolean, xLabel: string, yLabel: string, yMax?: number,
 *            xMin?: number, xMax?: number, marks?: VMark[], width?: number, height?: number,
 *            yFormat?: (v: number) => string, xFormat?: (v: number) => string}} LineSpec
 * @typedef {{edges: number[], groups: {counts: number[], color: string}[], marks?: VMark[], width?: number,
 *          height?: number, xLabel: string, yLabel: string}} HistSpec
 *   xLabel, yLabel: the axis titles (every chart has both, on the page and in the exported file)
 */


/** Round "nice" ticks (1-2-5) covering [lo, hi], about `n` of them. @param {number} lo @param {number} hi */
export function niceTicks(lo, hi, n = 5) {
  const span = hi - lo || 1;
  const raw = span / n;
  const e = Math.floor(Math.log10(raw));
  const f = raw / 10 ** e;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * 10 ** e;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Short tick text: 0.5, 2, 1e-3 as "0.001". @param {number} v */
const tick = (v) => (Math.abs(v) >= 0.001 || v === 0 ? String(Number(v.toPrecision(3))) : sci(v, 1));

/** Axes frame, grid and tick labels; returns the data -> pixel maps. */
function frame(/** @type {CanvasRenderingContext2D} */ ctx, /** @type {number} */ W, /** @type {number} */ H,
  /** @type {{x0: number, x1: number, y0: number, y1: number, xLog?: boolean, xTicks: number[], yTicks: number[],
   *          xLabel: string, yLabel: string, yFormat?: (v: number) => string, xFormat?: (v: number) => string}} o */ o) {
  const ink = chartInk();
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const fx = o.xLog ? (/** @type {number} */ v) => Math.log10(v) : (/** @type {number} */ v) => v;
  const X = (/** @type {number} */ v) => PAD.left + ((fx(v) - fx(o.x0)) / (fx(o.x1) - fx(o.x0) || 1)) * pw;
  const Y = (/** @type {number} */ v) => PAD.top + ph - ((v - o.y0) / (o.y1 - o.y0 || 1)) * ph;
  paintFrame(ctx, { Y, ticks: o.yTicks, label: o.yFormat ?? tick, pw, ph, ink });
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of o.xTicks) {
    const x = X(t);
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, PAD.top + ph);
    ctx.lineTo(Math.round(x) + 0.5, PAD.top + ph + 3);
    ctx.stroke();
    ctx.fillText((o.xFormat ?? tick)(t), x, PAD.top + ph + 4);
  }
  axisTitles(ctx, W, H, o.xLabel, o.yLabel, ink.text);
  ctx.textBaseline = "alphabetic";
  return { X, Y, pw, ph };
}

/**
 * A plot area's y grid lines, its two axes and the y tick labels: what every chart painter draws the same way.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{Y: (v: number) => number, ticks: number[], label: (v: number) => string, pw: number, ph: number,
 *   ink: {grid: string, axis: string, text: string}}} f
 * @param {{left: number, top: number}} [pad]
 */
export function paintFrame(ctx, f, pad = PAD) {
  ctx.lineWidth = 1;
  ctx.strokeStyle = f.ink.grid;
  ctx.beginPath();
  for (const t of f.ticks) { ctx.moveTo(pad.left, Math.round(f.Y(t)) + 0.5); ctx.lineTo(pad.left + f.pw, Math.round(f.Y(t)) + 0.5); }
  ctx.stroke();
  ctx.strokeStyle = f.ink.axis;
  ctx.beginPath();
  ctx.moveTo(pad.left + 0.5, pad.top);
  ctx.lineTo(pad.left + 0.5, pad.top + f.ph + 0.5);
  ctx.lineTo(pad.left + f.pw, pad.top + f.ph + 0.5);
  ctx.stroke();
  ctx.fillStyle = f.ink.text;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of f.ticks) ctx.fillText(f.label(t), pad.left - 4, f.Y(t));
}

/**
 * The axis titles: x centred under the plot area, y turned upright along the left edge (reading bottom to top).
 * @param {CanvasRenderingContext2D} ctx @param {number} W @param {number} H @param {string} xLabel @param {string} yLabel
 * @param {string} color
 */
export function axisTitles(ctx, W, H, xLabel, yLabel, color, pad = PAD) {
  ctx.save();
  ctx.font = TITLE_FONT;
  ctx.fillStyle = color;
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(xLabel, pad.left + (W - pad.left - pad.right) / 2, H - 1);
  ctx.translate(2, pad.top + (H - pad.top - pad.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "top";
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
}

/** Vertical marks with short labels staggered so neighbours do not overprint. */
function drawMarks(/** @type {CanvasRenderingContext2D} */ ctx, /** @type {VMark[]} */ marks,
  /** @type {(v: number) => number} */ X, /** @type {number} */ ph, /** @type {number} */ W) {
  /** @type {number[]} */
  const placed = [];
  const ink = chartInk().ink;
  for (const m of marks) {
    if (m.x == null || !Number.isFinite(m.x)) continue;
    const x = Math.round(X(m.x)) + 0.5;
    if (x < PAD.left - 1 || x > W - PAD.right + 1) continue;
    const color = !m.color || m.color === COLORS.ink ? ink : dataColor(m.color);  // the theme's ink for the plain marks
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.25;
    ctx.setLineDash(m.dash ?? []);
    ctx.beginPath();
    ctx.moveTo(x, PAD.top - 2);
    ctx.lineTo(x, PAD.top + ph);
    ctx.stroke();
    ctx.setLineDash([]);
    if (!m.label) continue;
    const row = placed.filter((p) => Math.abs(p - x) < 46).length;
    placed.push(x);
    ctx.fillStyle = color;
    const right = x > W - 60;
    ctx.textAlign = right ? "right" : "left";
    ctx.fillText(m.label, x + (right ? -3 : 3), PAD.top + 9 + row * 11);
  }
}

/**
 * A line chart (y in [0, yMax], default 1, shown as %), painted on `ctx` in CSS pixels.
 * @param {CanvasRenderingContext2D} ctx @param {LineSpec} s
 */
export function paintLineChart(ctx, s) {
  const W = s.width ?? 290;
  const H = s.height ?? 170;
  ctx.font = FONT;
  const xs = s.x.filter((v) => Number.isFinite(v) && (!s.xLog || v > 0));
  const x0 = s.xMin ?? Math.min(...xs);
  const x1 = s.xMax ?? Math.max(...xs);
  const yMax = s.yMax ?? 1.04;  // a little headroom: lines at 100 % stay clear of the frame
  const xTicks = s.xLog
    ? niceTicks(Math.log10(x0), Math.log10(x1), 4).filter(Number.isInteger).map((e) => 10 ** e)
    : niceTicks(x0, x1, 5);
  const { X, Y, ph } = frame(ctx, W, H, {
    x0, x1, y0: 0, y1: yMax, xLog: s.xLog, xTicks, yTicks: niceTicks(0, yMax, 4), xLabel: s.xLabel, yLabel: s.yLabel,
    yFormat: s.yFormat ?? ((v) => `${Math.round(100 * v)}%`), xFormat: s.xFormat,
  });
  drawMarks(ctx, s.marks ?? [], X, ph, W);
  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD.left, PAD.top - 3, W - PAD.left - PAD.right + 3, ph + 6);
  ctx.clip();
  for (const series of s.series) {
    ctx.strokeStyle = dataColor(series.color);
    ctx.fillStyle = dataColor(series.color);
    ctx.lineWidth = series.width ?? 2;
    ctx.setLineDash(series.dash ?? []);
    ctx.beginPath();
    let open = false;
    s.x.forEach((xv, i) => {
      const yv = series.y[i];
      if (yv == null || !Number.isFinite(yv) || !Number.isFinite(xv) || (s.xLog && xv <= 0)) { open = false; return; }
      if (open) ctx.lineTo(X(xv), Y(Math.min(yv, yMax)));
      else ctx.moveTo(X(xv), Y(Math.min(yv, yMax)));
      open = true;
    });
    ctx.stroke();
    ctx.setLineDash([]);
    if (series.dots) {
      s.x.forEach((xv, i) => {
        const yv = series.y[i];
        if (yv == null || !Number.isFinite(yv)) return;
        ctx.beginPath();
        ctx.arc(X(xv), Y(Math.min(yv, yMax)), 2.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
  }
  ctx.restore();
}

/**
 * Grouped bars per bin (bins from `edges`), counts on a linear axis, vertical marks in data units, painted on `ctx`.
 * @param {CanvasRenderingContext2D} ctx @param {HistSpec} s
 */
export function paintGroupedHistogram(ctx, s) {
  const W = s.width ?? 290;
  const H = s.height ?? 170;
  ctx.font = FONT;
  const x0 = s.edges[0];
  const x1 = s.edges[s.edges.length - 1];
  const max = Math.max(1, ...s.groups.flatMap((g) => g.counts));
  const yTicks = niceTicks(0, max, 4);
  const { X, Y, ph } = frame(ctx, W, H, {
    x0, x1, y0: 0, y1: Math.max(max, yTicks[yTicks.length - 1]), xTicks: niceTicks(x0, x1, 6), yTicks,
    xLabel: s.xLabel, yLabel: s.yLabel,
    yFormat: (v) => (v >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(v)),
  });
  const bins = s.edges.length - 1;
  for (let b = 0; b < bins; b++) {
    const left = X(s.edges[b]);
    const width = X(s.edges[b + 1]) - left;
    const bar = Math.max(1, (width - 2) / s.groups.length);
    s.groups.forEach((g, k) => {
      const c = g.counts[b] ?? 0;
      if (!c) return;
      ctx.fillStyle = g.color;
      const top = Y(c);
      ctx.fillRect(left + 1 + k * bar, top, Math.max(1, bar - 0.5), PAD.top + ph - top);
    });
  }
  drawMarks(ctx, s.marks ?? [], X, ph, W);
}

