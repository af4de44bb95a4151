// @ts-check
// K classes in colour: one colour-blind-safe palette of up to 10 classes (Paul Tol's "muted" scheme, lighter tints in
// the dark theme), the class map painted with confidence as shade, and the legend that names the classes. K = 2 keeps
// the playground's orange / blue (widgets/colors.js): class index 0 is label -1, index 1 is label +1.

import { currentTheme } from "../ui/theme.js";
import { el } from "../ui/dom.js";
import { NEGATIVE_RGB, NEUTRAL_RGB, POSITIVE_RGB, valueColor } from "./colors.js";

/** Tol's muted palette (https://personal.sron.nl/~pault/): distinct for the common colour-vision deficiencies. */
const LIGHT = ["#cc6677", "#332288", "#ddcc77", "#117733", "#88ccee", "#882255", "#44aa99", "#999933", "#aa4499",
  "#7f7f7f"];
/** The same hues lifted for a dark page (the darkest three would sink into it). */
const DARK = ["#e08a99", "#7f6fd6", "#e6d896", "#3fa35e", "#a6dcf5", "#c24a82", "#6cc4b4", "#bbbb55", "#cc70bd",
  "#b3b3b3"];

/** @param {string} hex @returns {[number, number, number]} */
function rgbOf(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The palette of K classes as [r, g, b] (K = 2: orange, blue). @param {number} k @returns {[number, number, number][]} */
export function classRgbs(k) {
  if (k <= 2) return [[...NEGATIVE_RGB], [...POSITIVE_RGB]];
  return (currentTheme() === "dark" ? DARK : LIGHT).slice(0, k).map(rgbOf);
}

/**
 * CSS colour of a point's label: K = 2 labels are -1 / +1 (the playground's ramp), K > 2 labels are class indices.
 * @param {number} k @returns {(label: number) => string}
 */
export function labelColor(k) {
  if (k <= 2) return valueColor;
  const rgbs = classRgbs(k);
  return (label) => {
    const c = rgbs[Math.max(0, Math.min(k - 1, Math.round(label)))];
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  };
}

/** The class names the legend, the confusion matrix and the digits grid show. @param {number} k @param {boolean} [digits] */
export function classNames(k, digits = false) {
  if (k <= 2) return ["−1", "+1"];
  return Array.from({ length: k }, (_, c) => (digits ? String(c) : `class ${c}`));
}

/**
 * Paints the class map: cell colour = its class, mixed from the neutral grey (confidence 1/K: a coin toss among the
 * classes) to the full colour (confidence 1). `conf` bytes are 2c - 1 quantised (docs/ARCHITECTURE.md).
 * @param {HTMLCanvasElement} canvas @param {Uint8Array} cls @param {Uint8Array} conf @param {number} n @param {number} k
 * @param {number} [alpha]
 */
export function paintClassGrid(canvas, cls, conf, n, k, alpha = 160) {
  if (canvas.width !== n) canvas.width = n;
  if (canvas.height !== n) canvas.height = n;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const image = ctx.createImageData(n, n);
  const px = image.data;
  const rgbs = classRgbs(k);
  const floor = 1 / k;
  for (let i = 0; i < n * n; i++) {
    const c = rgbs[Math.min(k - 1, cls[i])];
    const p = conf[i] / 255; // the byte is round((2p - 1 + 1) * 127.5): p = byte / 255
    const t = Math.max(0, Math.min(1, (p - floor) / (1 - floor)));
    const shade = Math.round(t * 6) / 6; // a few steps, like the playground's calm shades
    px[4 * i] = NEUTRAL_RGB[0] + (c[0] - NEUTRAL_RGB[0]) * shade;
    px[4 * i + 1] = NEUTRAL_RGB[1] + (c[1] - NEUTRAL_RGB[1]) * shade;
    px[4 * i + 2] = NEUTRAL_RGB[2] + (c[2] - NEUTRAL_RGB[2]) * shade;
    px[4 * i + 3] = alpha;
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * The legend: a swatch and a name per class, and what the shade means.
 * @param {HTMLElement} host emptied and filled @param {number} k @param {boolean} [digits]
 */
export function renderClassLegend(host, k, digits = false) {
  const colors = labelColor(k);
  const names = classNames(k, digits);
  host.replaceChildren(
    el("span.kd-legend-title", null, k > 2 ? "Classes (pale = unsure, full = confident):" : "Classes:"),
    ...names.map((name, c) => el("span.kd-legend-item", { dataset: { cls: String(c) } },
      el("span.kd-swatch", { style: `background:${colors(k > 2 ? c : 2 * c - 1)}` }), name)));
  host.dataset.classes = String(k);
}
