// @ts-check
// The big decision-boundary picture: a low-resolution value grid stretched by CSS (cheap to
// redraw every frame), a device-resolution overlay for data points and backdoor marks, and
// static SVG axes. Pure rendering: it takes bytes and coordinates, never talks to the worker.

import { buildLut, buildSignLut, valueColor } from "./colors.js";
import { drawArrow, drawGlyph } from "./marks.js";
import { buildMarksLegend, heatmapFigure } from "./heatmap-figure.js";

/** The data box is [-DOMAIN, DOMAIN]^2 (docs/ARCHITECTURE.md). */
export const DOMAIN = 6;

const SVG_NS = "http://www.w3.org/2000/svg";
const POINT_RADIUS = 3;
/** Outline colour of trojan regions. */
export const REGION_INK = "#3a1d52";

/**
 * @typedef {{x: number, y: number, x0?: number, y0?: number, kind?: string}} Mark
 *   a marked point (kind: a key of widgets/marks.js MARKS); (x0, y0): where it was before an activation moved it
 * @typedef {{size?: number, axes?: boolean, figure?: string | null}} HeatmapOptions
 *   figure: what the export buttons name the picture ("output"; null: no buttons)
 * @typedef {{kind: string, cx?: number, cy?: number, r?: number, x0?: number, x1?: number, y0?: number,
 *            y1?: number, polygon?: number[][], x_min?: number, x_max?: number, fractions?: number[]}} Region
 *   a trojan region in data coordinates (py/backdoor_playground/trojans.py): disk, rect, band or checksum
 */

/** ImageData cache per canvas, so redraws do not allocate. */
const imageCache = new WeakMap();

/**
 * Paints a w x h block of quantised bytes, starting at `offset`, into `canvas` through `lut`.
 * Resizes the canvas backing store only when the grid size changes.
 * @param {HTMLCanvasElement} canvas
 * @param {Uint8Array} values
 * @param {number} offset
 * @param {number} w
 * @param {number} h
 * @param {Uint32Array} lut 256 packed RGBA entries (colors.js buildLut)
 */
export function drawThumb(canvas, values, offset, w, h, lut) {
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  let image = imageCache.get(canvas);
  if (!image || image.width !== w || image.height !== h) {
    image = ctx.createImageData(w, h);
    imageCache.set(canvas, image);
  }
  const pixels = new Uint32Array(image.data.buffer);
  const n = Math.min(w * h, values.length - offset);
  for (let k = 0; k < n; k++) pixels[k] = lut[values[offset + k]];
  ctx.putImageData(image, 0, 0);
}

export class Heatmap {
  /**
   * @param {HTMLElement} container emptied and filled with the widget
   * @param {HeatmapOptions} [options] size: CSS pixels of the square plot (default 300)
   */
  constructor(container, options = {}) {
    this.size = options.size ?? 300;
    this.lut = buildLut(160);
    this.signLut = buildSignLut(160);
    /** @type {number[]} */ this.train = [];
    /** @type {number[]} */ this.test = [];
    this.showTest = false;
    /** @type {(label: number) => string} a point's colour from its label (K classes: widgets/classes.js) */
    this.pointColor = valueColor;
    /** @type {Map<string, Mark[]>} */ this.markSets = new Map();
    /** @type {Region[]} */ this.regions = [];
    /** @type {Map<string, {rate: number, meaning: string}>} accidental trigger rate on the grid and what a speck
     *  means, per owner (the specks of a planted model) */
    this.specks = new Map();
    /** kinds of the marks drawn last, and whether a move arrow was drawn */
    this.drawnKinds = new Set();
    this.drewArrow = false;
    /** @type {((x: number, y: number) => void)[]} */ this.pickListeners = [];
    /** @type {((x: number, y: number) => boolean) | null} takes a click before the listeners; true: it was its own */
    this.pickFirst = null;

    container.replaceChildren();
    container.classList.add("heatmap");
    const showAxes = options.axes ?? true;
    container.classList.toggle("heatmap--axes", showAxes);
    container.style.setProperty("--plot-size", `${this.size}px`);

    this.plot = document.createElement("div");
    this.plot.className = "heatmap-plot";
    this.background = document.createElement("canvas");
    this.background.className = "heatmap-background";
    this.background.width = 100;
    this.background.height = 100;
    this.overlay = document.createElement("canvas");
    this.overlay.className = "heatmap-overlay";
    this.plot.append(this.background, this.overlay);
    container.append(this.plot);
    if (showAxes) container.append(buildAxes(this.size));
    this.legend = buildMarksLegend();
    container.append(this.legend.element);
    const what = options.figure === undefined ? "output" : options.figure;
    if (what) container.append(heatmapFigure(this, what));

    const dpr = window.devicePixelRatio || 1;
    this.overlay.width = Math.round(this.size * dpr);
    this.overlay.height = Math.round(this.size * dpr);
    this.overlayScale = dpr;

    this.overlay.addEventListener("click", (event) => {
      const rect = this.overlay.getBoundingClientRect();
      const x = ((event.clientX - rect.left) / rect.width) * 2 * DOMAIN - DOMAIN;
      const y = DOMAIN - ((event.clientY - rect.top) / rect.height) * 2 * DOMAIN;
      if (this.pickFirst?.(x, y)) return;
      for (const cb of this.pickListeners) cb(x, y);
    });
  }

  /**
   * Draws a value grid (row 0 = top, y = +6). `discretize` shows only the sign:
   * bytes < 128 are full orange, the rest full blue.
   * @param {Uint8Array} values w*h quantised bytes
   * @param {number} w
   * @param {number} h
   * @param {{discretize?: boolean}} [options]
   */
  draw(values, w, h, options = {}) {
    const discretize = Boolean(options.discretize);
    // Blocky pixels read as "sign only"; smoothing reads as a continuous surface.
    this.background.classList.toggle("pixelated", discretize);
    drawThumb(this.background, values, 0, w, h, discretize ? this.signLut : this.lut);
  }

  /** Blanks the background (e.g. while no model exists yet). */
  clear() {
    const ctx = this.background.getContext("2d");
    ctx?.clearRect(0, 0, this.background.width, this.background.height);
  }

  /**
   * @param {number[]} train flat [x, y, label, x, y, label, ...]
   * @param {number[]} test same layout
   * @param {{showTest?: boolean}} [options]
   */
  setPoints(train, test, options = {}) {
    this.train = train;
    this.test = test;
    this.showTest = Boolean(options.showTest);
    this.redrawOverlay();
  }

  /**
   * Marks drawn over the points: a ring at (x, y) and, when (x0, y0) is given, a thin line
   * and a hollow dot showing where the point came from. Each panel owns its set, so one panel's
   * marks never erase another's; an empty list removes the owner's set.
   * @param {Mark[]} marks
   * @param {string} [owner]
   */
  setMarks(marks, owner = "main") {
    if (!marks.length && !this.markSets.has(owner)) return;  // nothing drawn, nothing to draw: no redraw
    if (marks.length) this.markSets.set(owner, marks);
    else this.markSets.delete(owner);
    this.redrawOverlay();
  }

  /**
   * The share of the grid where a planted backdoor fires by accident (the light-blue specks), labelled in the
   * legend (0 reads "none on the grid"); null removes the owner's label. `meaning` says what one speck is, in the
   * label after the share ("" for none) and in the entry's tooltip.
   * @param {number | null | undefined} rate @param {string} [owner] @param {string} [meaning]
   */
  setSpecks(rate, owner = "main", meaning = "") {
    if (rate != null && Number.isFinite(rate)) this.specks.set(owner, { rate, meaning });
    else this.specks.delete(owner);
    this.legend.update(this);
  }

  /** Every owner's marks, in the order the owners first drew. @returns {Mark[]} */
  get marks() {
    return [...this.markSets.values()].flat();
  }

  /**
   * Outlines of trojan regions, drawn over the points (an empty list removes them). The plot's
   * `data-regions` attribute lists the kinds drawn, for scripts and tests.
   * @param {Region[]} regions
   */
  setRegions(regions) {
    const had = this.regions.length;
    this.regions = regions || [];
    this.plot.dataset.regions = this.regions.map((r) => r.kind).join(",");
    if (!had && !this.regions.length) return;  // none drawn, none to draw: no redraw
    this.redrawOverlay();
  }

  /**
   * Registers a click handler receiving data coordinates.
   * @param {(x: number, y: number) => void} cb
   */
  onPick(cb) {
    this.pickListeners.push(cb);
    this.overlay.classList.add("pickable");
  }

  /** @param {number} x */
  toPixelX(x) {
    return ((x + DOMAIN) / (2 * DOMAIN)) * this.size;
  }

  /** @param {number} y */
  toPixelY(y) {
    return ((DOMAIN - y) / (2 * DOMAIN)) * this.size;
  }

  redrawOverlay() {
    const ctx = this.overlay.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(this.overlayScale, 0, 0, this.overlayScale, 0, 0);
    ctx.clearRect(0, 0, this.size, this.size);
    this.paintOverlay(ctx);
    this.legend.update(this);
  }

  /**
   * Points, regions and marks in plot pixels (0..size): the screen's overlay and the exported figure draw this.
   * @param {CanvasRenderingContext2D} ctx
   */
  paintOverlay(ctx) {
    this.drawPointSet(ctx, this.train, "#fff");
    if (this.showTest) this.drawPointSet(ctx, this.test, "#000");
    for (const region of this.regions) this.drawRegion(ctx, region);
    this.drawnKinds = new Set();
    this.drewArrow = false;
    const marks = this.marks;
    // arrows first, then the glyphs over every arrow
    for (const m of marks) {
      if (m.x0 !== undefined && m.y0 !== undefined &&
          drawArrow(ctx, this.toPixelX(m.x0), this.toPixelY(m.y0), this.toPixelX(m.x), this.toPixelY(m.y))) {
        this.drewArrow = true;
      }
    }
    for (const m of marks) {
      drawGlyph(ctx, m.kind, this.toPixelX(m.x), this.toPixelY(m.y));
      this.drawnKinds.add(m.kind ?? "default");
    }
  }

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {number[]} flat
   * @param {string} stroke
   */
  drawPointSet(ctx, flat, stroke) {
    ctx.lineWidth = 1;
    ctx.strokeStyle = stroke;
    for (let k = 0; k + 2 < flat.length; k += 3) {
      ctx.beginPath();
      ctx.arc(this.toPixelX(flat[k]), this.toPixelY(flat[k + 1]), POINT_RADIUS, 0, 2 * Math.PI);
      ctx.fillStyle = this.pointColor(flat[k + 2]);
      ctx.fill();
      ctx.stroke();
    }
  }

  /**
   * A region's outline: a white halo under a dark dashed line, over a faint veil. T10 ("checksum") selects
   * stripes far too fine to draw, so it gets a comb along the top edge, each column as tall as the share of
   * its x values the rule selects.
   * @param {CanvasRenderingContext2D} ctx
   * @param {Region} region
   */
  drawRegion(ctx, region) {
    const unit = this.size / (2 * DOMAIN);
    ctx.save();
    if (region.kind === "checksum") {
      const fr = region.fractions || [];
      const x0 = this.toPixelX(region.x_min ?? -DOMAIN);
      const colW = (this.toPixelX(region.x_max ?? DOMAIN) - x0) / Math.max(1, fr.length);
      ctx.fillStyle = "rgba(255, 255, 255, 0.7)";
      ctx.fillRect(0, 0, this.size, 16);
      ctx.fillStyle = REGION_INK;
      fr.forEach((f, k) => ctx.fillRect(x0 + k * colW, 0, Math.max(1, colW - 0.5), 16 * f));
      ctx.restore();
      return;
    }
    ctx.beginPath();
    if (region.kind === "disk") {
      ctx.arc(this.toPixelX(region.cx ?? 0), this.toPixelY(region.cy ?? 0), (region.r ?? 0) * unit, 0, 2 * Math.PI);
    } else if (region.kind === "rect") {
      const left = this.toPixelX(region.x0 ?? 0);
      const top = this.toPixelY(region.y1 ?? 0);
      ctx.rect(left, top, this.toPixelX(region.x1 ?? 0) - left, this.toPixelY(region.y0 ?? 0) - top);
    } else if (region.polygon) {
      region.polygon.forEach(([x, y], k) => {
        if (k === 0) ctx.moveTo(this.toPixelX(x), this.toPixelY(y));
        else ctx.lineTo(this.toPixelX(x), this.toPixelY(y));
      });
      ctx.closePath();
    }
    ctx.fillStyle = "rgba(255, 255, 255, 0.16)";
    ctx.fill();
    ctx.lineWidth = 3.5;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
    ctx.stroke();
    ctx.lineWidth = 1.6;
    ctx.setLineDash([5, 3]);
    ctx.strokeStyle = REGION_INK;
    ctx.stroke();
    ctx.restore();
  }
}

/**
 * Static axes: x along the bottom, y on the right, integer ticks over [-6, 6].
 * @param {number} size
 */
function buildAxes(size) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", "heatmap-axes");
  svg.setAttribute("aria-hidden", "true");
  const pad = 24;
  svg.setAttribute("width", String(size + pad));
  svg.setAttribute("height", String(size + pad));
  const scale = (/** @type {number} */ v) => ((v + DOMAIN) / (2 * DOMAIN)) * size;
  const parts = [
    `<path class="axis-line" d="M0.5,${size + 0.5}H${size + 0.5}V0.5"/>`,
  ];
  for (let v = -DOMAIN; v <= DOMAIN; v++) {
    const x = scale(v);
    const y = size - scale(v);
    const labelled = v % 2 === 0;
    const len = labelled ? 5 : 3;
    parts.push(`<path class="axis-tick" d="M${x},${size}v${len}M${size},${y}h${len}"/>`);
    if (labelled) {
      parts.push(`<text class="axis-label" x="${x}" y="${size + 16}" text-anchor="middle">${v}</text>`);
      parts.push(`<text class="axis-label" x="${size + 8}" y="${y + 3.5}">${v}</text>`);
    }
  }
  svg.innerHTML = parts.join("");
  return svg;
}
