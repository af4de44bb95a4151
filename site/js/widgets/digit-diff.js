// @ts-check
// One activated digit image, three ways: the original, the triggered image, and their per-pixel difference
// magnified (blue: the trigger added ink, orange: it took ink away) with the magnification and max |Δx| printed.
// A trigger far below one grey step is invisible in the triggered image; the difference shows where it is.

import { el } from "../ui/dom.js";
import { NEGATIVE_RGB, POSITIVE_RGB } from "./colors.js";

const SIDE = 8;

/** @param {number[]} pixels 64 values @param {(v: number) => [number, number, number]} color */
function image(pixels, color) {
  const canvas = /** @type {HTMLCanvasElement} */ (el("canvas.digit-diff-image", { width: SIDE, height: SIDE }));
  const ctx = canvas.getContext("2d");
  if (ctx) {
    const data = ctx.createImageData(SIDE, SIDE);
    pixels.forEach((v, p) => data.data.set([...color(v), 255], 4 * p));
    ctx.putImageData(data, 0, 0);
  }
  return canvas;
}

/** @param {number} max the brightest pixel @returns {(v: number) => [number, number, number]} ink on white */
function grey(max) {
  return (v) => {
    const g = 255 - Math.round((255 * Math.max(0, Math.min(max, v))) / max);
    return [g, g, g];
  };
}

/** A diverging scale around white: +1 full blue, -1 full orange (values clipped). @param {number} t */
function diverging(t) {
  const c = t >= 0 ? POSITIVE_RGB : NEGATIVE_RGB;
  const a = Math.min(1, Math.abs(t));
  return /** @type {[number, number, number]} */ (c.map((v) => Math.round(255 + (v - 255) * a)));
}

/** The power of ten that brings the largest change to about a full grey range. @param {number} maxAbs @param {number} max */
export function magnification(maxAbs, max) {
  if (!(maxAbs > 0)) return 1;
  return 10 ** Math.max(0, Math.floor(Math.log10(max / maxAbs)));
}

/** @param {number} v */
function sci(v) {
  if (v === 0) return "0";
  return Math.abs(v) >= 0.01 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

/**
 * The three images of one record and what they say. @param {number[]} p0 the original pixels @param {number[]} p1 the
 * triggered ones @param {number} max the brightest pixel value (16 raw, 1 unit)
 * @returns {{element: HTMLElement, maxAbs: number, scale: number}}
 */
export function digitDiff(p0, p1, max) {
  const diff = p1.map((v, i) => v - p0[i]);
  const maxAbs = Math.max(0, ...diff.map(Math.abs));
  const scale = magnification(maxAbs, max);
  const changed = diff.filter((v) => v !== 0).length;
  const figure = (/** @type {HTMLCanvasElement} */ canvas, /** @type {string} */ caption) =>
    el("figure.digit-diff-cell", null, canvas, el("figcaption", null, caption));
  const scaleText = scale === 1 ? "×1" : `×${scale >= 1e4 ? `10^${Math.round(Math.log10(scale))}` : scale}`;
  const element = el("div.digit-diff", { dataset: { scale: String(scale), maxAbs: String(maxAbs) } },
    el("div.digit-diff-row", null,
      figure(image(p0, grey(max)), "original"),
      figure(image(p1, grey(max)), "triggered"),
      figure(image(diff, (v) => diverging((v * scale) / max)), `difference ${scaleText}`)),
    el("p.digit-diff-scale", null, `Difference magnified ${scaleText}: max |Δx| = ${sci(maxAbs)} on a 0..${max} scale ` +
      `(${changed} of ${p0.length} pixels changed; blue adds ink, orange removes it).`));
  return { element, maxAbs, scale };
}
