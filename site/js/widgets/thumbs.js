// @ts-check
// The row of dataset pictures in the DATA column: one small canvas per dataset, points drawn
// as tiny squares in their label colour; the selected one is outlined.

import { valueColor } from "./colors.js";
import { DOMAIN } from "./heatmap.js";

/** Backing-store size of each thumbnail canvas (CSS decides the on-screen size). */
export const THUMB_PIXELS = 96;
/** Side of each point square, in backing-store pixels. */
const DOT = 4;

/** @typedef {{name: string, label: string, points: number[]}} DatasetThumb */

/**
 * Replaces the container's content with one button per dataset.
 * @param {HTMLElement} container
 * @param {DatasetThumb[]} datasets points are flat [x, y, label, ...] in the data box
 * @param {string} selected name of the selected dataset
 * @param {(name: string) => void} onSelect
 */
export function renderDatasetThumbs(container, datasets, selected, onSelect) {
  container.replaceChildren();
  container.classList.add("dataset-thumbs");
  container.setAttribute("role", "radiogroup");
  for (const dataset of datasets) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "dataset-thumb";
    button.dataset.dataset = dataset.name;
    button.title = dataset.label;
    button.setAttribute("role", "radio");
    const isSelected = dataset.name === selected;
    button.classList.toggle("selected", isSelected);
    button.setAttribute("aria-checked", String(isSelected));
    button.setAttribute("aria-label", dataset.label);

    const canvas = document.createElement("canvas");
    canvas.width = THUMB_PIXELS;
    canvas.height = THUMB_PIXELS;
    paintPoints(canvas, dataset.points, valueColor);
    button.append(canvas);
    button.addEventListener("click", () => onSelect(dataset.name));
    container.append(button);
  }
}

/**
 * Points as DOT-wide squares in their label's colour: one path and one fill per colour (setting fillStyle per point
 * made the first screen's thumbnails slow to draw).
 * @param {HTMLCanvasElement} canvas
 * @param {number[]} flat [x, y, label, ...] in the data box
 * @param {(label: number) => string} color
 */
export function paintPoints(canvas, flat, color) {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const size = canvas.width;
  /** @type {Map<string, Path2D>} */
  const paths = new Map();
  for (let k = 0; k + 2 < flat.length; k += 3) {
    const fill = color(flat[k + 2]);
    let path = paths.get(fill);
    if (!path) paths.set(fill, (path = new Path2D()));
    path.rect(((flat[k] + DOMAIN) / (2 * DOMAIN)) * size - DOT / 2, ((DOMAIN - flat[k + 1]) / (2 * DOMAIN)) * size - DOT / 2,
      DOT, DOT);
  }
  for (const [fill, path] of paths) {
    ctx.fillStyle = fill;
    ctx.fill(path);
  }
}
