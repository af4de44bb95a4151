// @ts-check
// The Studies view's figures, from the worker's chart data (worker/study_charts.py: the panels studies/figures.py
// and studies/dimension_figure.py draw with matplotlib): line charts through widgets/plot.js, the matrix's heatmap
// painted here, the dimension study's grouped bars in bars.js, all through ui/figure.js, so every chart has axis
// titles and a legend on the page and in its PNG / SVG export.

import { el } from "../../ui/dom.js";
import { figureTools, legendOf, paint, painted, rememberLegend } from "../../ui/figure.js";
import { chartInk } from "../../ui/theme.js";
import { axisTitles, paintLineChart } from "../../widgets/plot.js";
import { BAR_H, BAR_W, paintBars } from "./bars.js";

/**
 * @typedef {{y: (number | null)[], color: string, label: string, dash?: number[], dots?: boolean}} ChartSeries
 * @typedef {{x: number, label?: string, color?: string, dash?: number[]}} ChartMark
 * @typedef {{kind: "line", id: string, title: string, caption: string, x: number[], xLog: boolean, xLabel: string,
 *   yLabel: string, seconds?: boolean, series: ChartSeries[], marks: ChartMark[]}} LineData
 * @typedef {{kind: "heatmap", id: string, title: string, caption: string, rows: string[], cols: string[],
 *   values: (number | null)[][], xLabel: string, yLabel: string}} HeatmapData
 * @typedef {import("./bars.js").BarsData} BarsData
 * @typedef {LineData | HeatmapData | BarsData} ChartData
 * @typedef {import("../../ui/figure.js").LegendItem} LegendItem
 */

const W = 300;
const H = 190;

/** An HTML legend whose items the export draws too. @param {LegendItem[]} items */
function legendOfItems(items) {
  return rememberLegend(el("div.st-legend", null, ...items.map((i) =>
    el("span.st-key", null, el(`span.st-swatch.st-${i.kind ?? "line"}`, { style: `--c: ${i.color}`, dataset: { c: i.color ?? "" } }), i.label))), items);
}

/** The heatmap's colour of a value in [0, 1] (pale to deep red, as the command line's "Reds"). @param {number} v */
export function heatColor(v) {
  const t = Math.min(1, Math.max(0, v));
  const a = [255, 245, 240];
  const b = [165, 15, 21];
  return `rgb(${a.map((c, i) => Math.round(c + t * (b[i] - c))).join(", ")})`;
}

/** Paint the matrix heatmap (rows x columns, value text in each cell). @param {HeatmapData} d */
function heatmapPainter(d, width = 560) {
  const left = 150;
  const top = 12;
  const bottom = 62;
  const cw = Math.max(40, Math.min(110, (width - left - 10) / Math.max(1, d.cols.length)));
  const ch = 28;
  const height = top + ch * d.rows.length + bottom;
  const w = left + cw * d.cols.length + 10;
  const draw = (/** @type {CanvasRenderingContext2D} */ ctx) => {
    const ink = chartInk();
    ctx.font = "10px system-ui, sans-serif";
    d.rows.forEach((row, i) => {
      ctx.fillStyle = ink.text;
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(row, left - 6, top + ch * (i + 0.5));
      d.cols.forEach((_, j) => {
        const v = d.values[i][j];
        ctx.fillStyle = v == null ? "#e0e3e6" : heatColor(v);
        ctx.fillRect(left + cw * j + 1, top + ch * i + 1, cw - 2, ch - 2);
        ctx.fillStyle = v != null && v > 0.6 ? "#ffffff" : "#1f1f1f";
        ctx.textAlign = "center";
        ctx.fillText(v == null ? "n/a" : v.toFixed(2), left + cw * (j + 0.5), top + ch * (i + 0.5));
      });
    });
    ctx.fillStyle = ink.text;
    d.cols.forEach((col, j) => {
      ctx.save();
      ctx.translate(left + cw * (j + 0.5), top + ch * d.rows.length + 4);
      ctx.rotate(-Math.PI / 9);
      ctx.textAlign = "right";
      ctx.textBaseline = "top";
      ctx.fillText(col, 0, 0);
      ctx.restore();
    });
    axisTitles(ctx, w, height, d.xLabel, d.yLabel, ink.text, { left, right: 10, top, bottom });
  };
  return { width: w, height, draw };
}

/** One line chart's painter spec. @param {LineData} d */
function lineSpec(d) {
  const ys = d.series.flatMap((s) => s.y).filter((v) => v != null && Number.isFinite(v));
  const yMax = d.seconds ? Math.max(1e-3, ...ys.map(Number)) * 1.1 : undefined;
  return {
    x: d.x, xLog: d.xLog, xLabel: d.xLabel, yLabel: d.yLabel, width: W, height: H, yMax,
    series: d.series.map((s) => ({ ...s, width: 1.6 })), marks: d.marks,
    yFormat: d.seconds ? (/** @type {number} */ v) => `${Number(v.toPrecision(2))} s` : undefined,
    xFormat: (/** @type {number} */ v) => String(Number(v.toPrecision(3))),
  };
}

/** The legend items of a chart. @param {ChartData} d @returns {LegendItem[]} */
function itemsOf(d) {
  if (d.kind === "heatmap") {
    return [{ label: "attack success 0", kind: "bar", color: heatColor(0) }, { label: "0.5", kind: "bar", color: heatColor(0.5) },
      { label: "1", kind: "bar", color: heatColor(1) }, { label: "n/a: no activated point", kind: "bar", color: "#e0e3e6" }];
  }
  if (d.kind === "bars") {
    /** @type {LegendItem[]} */
    const bars = d.series.map((s) => ({ label: s.label, kind: "bar", color: s.color }));
    if (d.intervals) bars.push({ label: "95 % Wilson interval", kind: "line", color: "#2b2b2b" });
    return bars;
  }
  /** @type {LegendItem[]} */
  const items = d.series.map((s) => ({ label: s.label, kind: s.dash ? "dash" : "line", color: s.color }));
  for (const m of d.marks) if (m.label) items.push({ label: `${m.label} (vertical line)`, kind: "dash", color: m.color ?? "#2b2b2b" });
  return items;
}

/**
 * A figure for one chart: title, canvas, legend, caption, export buttons.
 * @param {ChartData} d @param {string} study
 */
export function chartFigure(d, study) {
  const canvas = /** @type {HTMLCanvasElement} */ (el(`canvas.st-canvas#st-chart-${d.id.replace(/[^a-z0-9_-]/gi, "-")}`,
    { role: "img", "aria-label": `${d.title}: ${d.yLabel} against ${d.xLabel}` }));
  const legend = legendOfItems(itemsOf(d));
  const caption = el("p.st-figcaption", null, d.caption);
  if (d.kind === "heatmap") {
    const src = heatmapPainter(d);
    paint(canvas, src.width, src.height, src.draw);
  } else if (d.kind === "bars") {
    paint(canvas, BAR_W, BAR_H, (ctx) => paintBars(ctx, d));
  } else {
    const spec = lineSpec(d);
    paint(canvas, W, H, (ctx) => paintLineChart(ctx, spec));
  }
  const tools = figureTools({
    what: `study_${study}_${d.id}`, title: `${study} study: ${d.title}`, source: () => painted(canvas),
    legend: () => legendOf(legend), note: () => caption.textContent ?? "",
  });
  return el(`figure.st-figure${d.kind === "heatmap" ? ".st-wide" : d.kind === "bars" ? ".st-bars" : ""}`, { dataset: { chart: d.id } },
    el("figcaption.st-figtitle", null, d.title), canvas, legend, caption, tools);
}
