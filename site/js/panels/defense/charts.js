// @ts-check
// Pictures for the defenses panel: the line charts and grouped-bar histograms of widgets/plot.js, painted through
// ui/figure.js so each figure exports (PNG, SVG, copy) with its legend. Legends are HTML on the page (figureLegend)
// and drawn into the exported files from the same items.

import { el } from "../../ui/dom.js";
import { figureTools, legendOf, paint, painted, rememberLegend } from "../../ui/figure.js";
import { COLORS, paintGroupedHistogram, paintLineChart } from "../../widgets/plot.js";

export { COLORS };

/**
 * @typedef {import("../../widgets/plot.js").LineSpec} LineSpec @typedef {import("../../widgets/plot.js").HistSpec} HistSpec
 * @typedef {import("../../widgets/plot.js").VMark} VMark @typedef {import("../../widgets/plot.js").Series} Series
 */

/** A line chart (y in [0, yMax], default 1, shown as %). @param {HTMLCanvasElement} canvas @param {LineSpec} s */
export function drawLineChart(canvas, s) {
  paint(canvas, s.width ?? 290, s.height ?? 170, (ctx) => paintLineChart(ctx, s));
}

/** Grouped bars per bin, counts on a linear axis, vertical marks. @param {HTMLCanvasElement} canvas @param {HistSpec} s */
export function drawGroupedHistogram(canvas, s) {
  paint(canvas, s.width ?? 290, s.height ?? 170, (ctx) => paintGroupedHistogram(ctx, s));
}

/** An HTML legend: coloured swatches (solid, dashed or a bar) and their labels; the export draws the same items. */
export function figureLegend(/** @type {{color: string, label: string, kind?: "line" | "dash" | "bar" | "dot"}[]} */ items) {
  return rememberLegend(el("div.df-legend", null, ...items.map((i) =>
    el("span.df-key", null, el(`span.df-swatch.df-${i.kind ?? "line"}`, { style: `--c: ${i.color}`, dataset: { c: i.color } }), i.label))), items);
}

/** File-name words of the figures, by canvas id. */
const WHAT = /** @type {Record<string, string>} */ ({
  "df-hist": "distances_histogram", "df-radius-curve": "radius_curve", "df-knn-curve": "k_curve",
  "df-cert-curve": "certified_curve", "df-immunization": "immunization_curve",
});

/** A figure: a title, the canvas and its legend, an optional caption, and the export buttons. */
export function figure(/** @type {string} */ id, /** @type {string} */ title, /** @type {string} */ aria) {
  const canvas = /** @type {HTMLCanvasElement} */ (el(`canvas.df-canvas#${id}`, { role: "img", "aria-label": aria }));
  const legend = el(`div.df-legend-host#${id}-legend`);
  const caption = el("p.df-figcaption", null, "");
  const tools = figureTools({
    what: WHAT[id] ?? id.replace(/^df-/, "").replace(/-/g, "_"), title,
    source: () => painted(canvas), legend: () => legendOf(legend), note: () => caption.textContent ?? "",
  });
  const element = el("figure.df-figure", null, el("figcaption.df-figtitle", null, title), canvas, legend, caption, tools);
  return { element, canvas, legend, caption };
}
