// @ts-check
// The digits view: a grid of 8 x 8 test images drawn on canvases, each captioned with its true and predicted label;
// a wrong prediction is marked (outline and a cross in the caption). Images are drawn once per data set; a frame
// only rewrites the captions.

import { el } from "../ui/dom.js";

const SHOWN = 40;
const PIXELS = 64;

export class DigitGrid {
  /** @param {HTMLElement} host emptied and filled */
  constructor(host) {
    this.host = host;
    /** @type {{cell: HTMLElement, caption: HTMLElement, label: number}[]} */ this.cells = [];
    /** @type {((index: number) => void) | null} a click on test image `index` */ this.onPick = null;
    host.addEventListener("click", (event) => {
      const cell = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest?.(".digit-cell"));
      if (cell?.dataset.index != null) this.onPick?.(Number(cell.dataset.index));
    });
  }

  /**
   * Marks on images (kind: "selected", "moved", "flipped"), one set per owner, shown as the cell's data-mark.
   * @param {Map<string, {index: number, kind: string}[]>} sets
   */
  setMarks(sets) {
    const kinds = new Map();
    const rank = { selected: 1, moved: 2, flipped: 3 };
    for (const marks of sets.values()) {
      for (const { index, kind } of marks) {
        const had = kinds.get(index);
        if (!had || (rank[/** @type {"moved"} */ (kind)] ?? 0) > (rank[/** @type {"moved"} */ (had)] ?? 0)) kinds.set(index, kind);
      }
    }
    this.cells.forEach(({ cell }, i) => {
      const kind = kinds.get(i);
      if (kind) cell.dataset.mark = kind;
      else delete cell.dataset.mark;
    });
    this.host.dataset.marked = String([...kinds.keys()].filter((i) => i < this.cells.length).length);
  }

  /**
   * The first test images. @param {number[]} test flat rows of 64 pixels then the label @param {number} max the
   * brightest pixel value (16 raw, 1 unit)
   */
  setImages(test, max) {
    const row = PIXELS + 1;
    const n = Math.min(SHOWN, Math.floor(test.length / row));
    this.cells = [];
    const grid = el("div.digit-grid");
    for (let i = 0; i < n; i++) {
      const canvas = /** @type {HTMLCanvasElement} */ (el("canvas.digit-image", { width: 8, height: 8 }));
      const ctx = canvas.getContext("2d");
      if (ctx) {
        const image = ctx.createImageData(8, 8);
        for (let p = 0; p < PIXELS; p++) {
          const v = 255 - Math.round((255 * Math.max(0, Math.min(max, test[i * row + p]))) / max);
          image.data.set([v, v, v, 255], 4 * p);
        }
        ctx.putImageData(image, 0, 0);
      }
      const label = test[i * row + PIXELS];
      const caption = el("span.digit-caption", null, `${label}→?`);
      const cell = el("figure.digit-cell", { dataset: { label: String(label), index: String(i) } }, canvas, caption);
      this.cells.push({ cell, caption, label });
      grid.append(cell);
    }
    this.host.replaceChildren(grid);
  }

  /** The model's predictions of the test images, in test order. @param {Uint8Array | undefined} pred */
  setPredictions(pred) {
    let wrong = 0;
    this.cells.forEach(({ cell, caption, label }, i) => {
      const p = pred && i < pred.length ? pred[i] : null;
      const bad = p !== null && p !== label;
      if (bad) wrong += 1;
      caption.textContent = p === null ? `${label}→?` : `${label}→${p}${bad ? "✗" : ""}`;
      cell.classList.toggle("wrong", bad);
      cell.dataset.pred = p === null ? "" : String(p);
      cell.title = p === null ? `true ${label}` : `true ${label}, predicted ${p}${bad ? " (wrong)" : ""}`;
    });
    this.host.dataset.wrong = String(wrong);
    this.host.dataset.predicted = String(pred ? Math.min(pred.length, this.cells.length) : 0);
  }
}
