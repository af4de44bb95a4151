// @ts-check
// The activation's size and cost: ONE name, ONE meaning and ONE format wherever they show (the checksum Activate
// summary, the signature block's summary, the defense metrics table), for the numbers Python computes once
// (defense/attacked.activation_figures) under the same keys in every summary, the metrics and the result JSON.

import { duration, length } from "../ui/format.js";
import { statTile } from "../ui/card.js";

/** @typedef {"median_abs_delta" | "max_abs_delta" | "activation_seconds_per_point"} FigureKey */
/** @typedef {{label: string, def: string, format: (v: number | null | undefined) => string}} Figure */

/** @type {Record<FigureKey, Figure>} */
export const FIGURES = {
  median_abs_delta: {
    label: "median |Δx|",
    def: "Median move of the activated points (every point the activation ran on), max norm max(|Δx|, |Δy|), in data units.",
    format: length,
  },
  max_abs_delta: {
    label: "max |Δx|",
    def: "Largest move of an activated point, max norm max(|Δx|, |Δy|), in data units.",
    format: length,
  },
  activation_seconds_per_point: {
    label: "activation time / point",
    def: "The activation's total wall-clock time divided by the activated points (this device).",
    format: duration,
  },
};

/** The keys in display order. @type {FigureKey[]} */
export const FIGURE_KEYS = ["median_abs_delta", "max_abs_delta", "activation_seconds_per_point"];

/** One sentence for a summary's note: what the three figures mean. @param {number} n the activated points */
export const figuresNote = (n) =>
  `|Δx| = max(|Δx|, |Δy|) over all ${n} activated point${n === 1 ? "" : "s"}; time / point = total time / ${n}. The metrics table shows the same numbers.`;

/**
 * The three figures as stat tiles of a summary, with the ids given.
 * @param {Partial<Record<FigureKey, number | null>>} s a summary @param {Record<FigureKey, string>} ids
 */
export const figureTiles = (s, ids) => FIGURE_KEYS.map((key) => statTile(ids[key], FIGURES[key].label, FIGURES[key].format(s[key]), s[key]));
