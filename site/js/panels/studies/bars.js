// @ts-check
// Grouped bars for the Studies view (the dimension study: worker/study_charts.py's "bars" charts, the panels of
// studies/dimension_figure.py): one group per data set (its name, and d and K under it), one bar per backdoor, a
// 95 % Wilson interval as a whisker on each rate, or a log y axis (|dx| / s, seconds) where an exact 0 is drawn at
// the axis' floor and marked "0". Paints on a 2-D context in CSS pixels, so the screen and the PNG / SVG exports
// (ui/figure.js) share one drawing; text, ticks and frame in the theme's ink (ui/theme.js chartInk).

import { power } from "../../ui/format.js";
import { chartInk, dataColor } from "../../ui/theme.js";
import { axisTitles, niceTicks, paintFrame } from "../../widgets/plot.js";

/**
 * @typedef {{mean: number, lo: number | null, hi: number | null, k: number | null, n: number | null}} BarValue
 * @typedef {{label: string, color: string, values: (BarValue | null)[]}} BarSeries
 * @typedef {{kind: "bars", id: string, title: string, caption: string, groups: {label: string, sub: string}[],
 *   series: BarSeries[], log: boolean, yMin: number | null, yMax: number | null, intervals: boolean,
 *   seconds?: boolean, xLabel: string, yLabel: string}} BarsData
 */

export const BAR_W = 330;
export const BAR_H = 220;
const PAD = { left: 52, right: 8, top: 10, bottom: 46 };
const FONT = "10px system-ui, sans-serif";
const SUB_FONT = "9px system-ui, sans-serif";
/** The log axis' floor when a value is exactly 0 (as the command line's figure). */
const FLOOR = 1e-16;

/** Tick text on a linear axis: 0.995, 0.02, 1. @param {number} v */
const linTick = (v) => String(Number(v.toPrecision(4)));
/** Tick text on a log axis (decades): 10⁻⁶, 0.01, 1, 100. @param {number} v */
const logTick = (v) => {
  const e = Math.round(Math.log10(v));
  return e >= -2 && e <= 2 ? String(Number((10 ** e).toPrecision(1))) : power(10, e);
};

/** The y range and ticks of a chart. @param {BarsData} d */
function yAxis(d) {
  if (!d.log) {
    const lo = d.yMin ?? 0;
    const hi = d.yMax ?? 1;
    return { lo, hi, ticks: niceTicks(lo, hi, 5).filter((t) => t >= lo && t <= hi), f: (/** @type {number} */ v) => v };
  }
  const vs = d.series.flatMap((s) => s.values.map((v) => v?.mean)).filter((v) => v != null && Number.isFinite(v));
  const pos = /** @type {number[]} */ (vs).filter((v) => v > 0);
  const min = pos.length ? Math.min(...pos) : 1e-3;
  const lo = 10 ** Math.floor(Math.log10(vs.some((v) => v === 0) ? Math.min(min, FLOOR) : min));
  const top = 10 ** Math.ceil(Math.log10(Math.max(...pos, lo * 10)));
  const step = Math.max(1, Math.ceil(Math.round(Math.log10(top / lo)) / 5));
  const hi = lo * 10 ** (step * Math.ceil(Math.round(Math.log10(top / lo)) / step));  // the top is a labelled tick
  /** @type {number[]} */
  const ticks = [];
  for (let e = Math.log10(lo); e <= Math.log10(hi) + 1e-9; e += step) ticks.push(10 ** e);
  return { lo, hi, ticks, f: Math.log10 };
}

/**
 * Paint grouped bars with interval whiskers (or a log axis).
 * @param {CanvasRenderingContext2D} ctx @param {BarsData} d
 */
export function paintBars(ctx, d, W = BAR_W, H = BAR_H) {
  const ink = chartInk();
  ctx.font = FONT;
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const ax = yAxis(d);
  const Y = (/** @type {number} */ v) => {
    const t = (ax.f(Math.min(ax.hi, Math.max(ax.lo, v))) - ax.f(ax.lo)) / (ax.f(ax.hi) - ax.f(ax.lo) || 1);
    return PAD.top + ph - t * ph;
  };
  paintFrame(ctx, { Y, ticks: ax.ticks, label: d.log ? logTick : linTick, pw, ph, ink }, PAD);
  // the groups: bars, whiskers, names
  const ng = Math.max(1, d.groups.length);
  const ns = Math.max(1, d.series.length);
  const gw = pw / ng;
  const bw = (gw * 0.8) / ns;
  const base = d.log ? PAD.top + ph : Y(Math.max(ax.lo, 0));
  d.groups.forEach((g, i) => {
    const gx = PAD.left + gw * i + gw * 0.1;
    d.series.forEach((s, j) => {
      const v = s.values[i];
      if (!v || v.mean == null || !Number.isFinite(v.mean)) return;
      const x = gx + bw * j;
      const y = d.log ? Y(Math.max(v.mean, ax.lo)) : Y(v.mean);
      ctx.fillStyle = dataColor(s.color);
      ctx.fillRect(x + 0.5, Math.min(y, base), Math.max(1, bw - 1), Math.max(Math.abs(base - y), v.mean === 0 ? 0 : 1));
      if (d.log && v.mean === 0) {
        ctx.fillStyle = ink.ink;
        ctx.textAlign = "center";
        ctx.textBaseline = "bottom";
        ctx.fillText("0", x + bw / 2, base - 1);
      }
      if (!d.log && v.lo != null && v.hi != null) {
        const cx = Math.round(x + bw / 2) + 0.5;
        const cap = Math.min(3, bw / 3);
        ctx.strokeStyle = ink.ink;
        ctx.beginPath();
        ctx.moveTo(cx, Y(v.lo));
        ctx.lineTo(cx, Y(v.hi));
        for (const e of [v.lo, v.hi]) { ctx.moveTo(cx - cap, Math.round(Y(e)) + 0.5); ctx.lineTo(cx + cap, Math.round(Y(e)) + 0.5); }
        ctx.stroke();
      }
    });
    ctx.fillStyle = ink.text;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const cx = PAD.left + gw * (i + 0.5);
    ctx.fillText(g.label, cx, PAD.top + ph + 3);
    ctx.font = SUB_FONT;
    ctx.fillText(g.sub, cx, PAD.top + ph + 15);
    ctx.font = FONT;
  });
  axisTitles(ctx, W, H, d.xLabel, d.yLabel, ink.text, PAD);
  ctx.textBaseline = "alphabetic";
}
