// @ts-check
// The picker's second row: the data sets beyond TF Playground's plane (K classes, 3-D, digits). The same buttons as
// widgets/thumbs.js (so the same styles and test hooks), with points coloured by class, 3-D sets as the projected
// scatter Python made at build, and the digits as a mosaic of nine images.

import { labelColor } from "./classes.js";
import { paintPoints, THUMB_PIXELS } from "./thumbs.js";

/**
 * @param {HTMLElement} container emptied and filled
 * @param {import("../app/replies.js").DatasetThumb[]} datasets
 * @param {string} selected @param {(name: string) => void} onSelect
 */
export function renderKdThumbs(container, datasets, selected, onSelect) {
  container.replaceChildren();
  container.classList.add("dataset-thumbs");
  container.setAttribute("role", "radiogroup");
  container.setAttribute("aria-label", "Data sets beyond the plane");
  // one tab stop for the row (the selected set, else the first); the arrow keys move within it
  const stop = Math.max(0, datasets.findIndex((d) => d.name === selected));
  datasets.forEach((dataset, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "dataset-thumb";
    button.dataset.dataset = dataset.name;
    const shape = `${dataset.d}-D, K = ${dataset.k}`;
    button.title = `${dataset.name} (${shape}): ${dataset.label}`;
    button.setAttribute("role", "radio");
    button.setAttribute("aria-checked", String(dataset.name === selected));
    button.setAttribute("aria-label", `${dataset.name}, ${shape}`);
    button.classList.toggle("selected", dataset.name === selected);
    const canvas = document.createElement("canvas");
    canvas.width = THUMB_PIXELS;
    canvas.height = THUMB_PIXELS;
    if (dataset.images) paintImages(canvas, dataset.images);
    else paintPoints(canvas, dataset.points, labelColor(dataset.k ?? 2));
    button.append(canvas);
    button.tabIndex = index === stop ? 0 : -1;
    button.addEventListener("click", () => onSelect(dataset.name));
    button.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (!step) return;
      e.preventDefault();
      const buttons = /** @type {HTMLButtonElement[]} */ ([...container.querySelectorAll("button")]);
      const next = buttons[(index + step + buttons.length) % buttons.length];
      buttons.forEach((b) => { b.tabIndex = b === next ? 0 : -1; });
      next.focus();
    });
    container.append(button);
  });
}

/** Nine 8 x 8 images (pixels 0..16) in a 3 x 3 mosaic. @param {HTMLCanvasElement} canvas @param {number[]} images */
function paintImages(canvas, images) {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const tile = 8 * 4;
  for (let m = 0; m * 64 < images.length && m < 9; m++) {
    for (let p = 0; p < 64; p++) {
      const v = 255 - Math.round((images[m * 64 + p] / 16) * 255);
      ctx.fillStyle = `rgb(${v},${v},${v})`;
      ctx.fillRect((m % 3) * tile + (p % 8) * 4, Math.floor(m / 3) * tile + Math.floor(p / 8) * 4, 4, 4);
    }
  }
}
