// @ts-check
// Figures you can keep. Every chart registers once: a title, a source (its painter: one function that draws the
// chart on a 2-D context in CSS pixels, for the screen, an export canvas at any scale and, where the chart is
// vector, ui/svgctx.js's SVG context) and its legend items. figureTools() makes the small PNG / SVG / Copy buttons;
// an exported file is the title, the chart and its legend in one picture, named
// <dataset>_<backdoor>_<what>_<date>.<ext>. paint() draws a canvas on screen (prepare(): sized for the device pixel
// ratio) and remembers its painter.

import { el } from "./dom.js";
import { on } from "./events.js";
import { onPaper, onThemeChange } from "./theme.js";

/**
 * A drawing function for a context in CSS pixels (a CanvasRenderingContext2D or an SvgContext, which mimics it).
 * @typedef {(ctx: CanvasRenderingContext2D) => void} Painter
 * @typedef {{width: number, height: number, draw: Painter, box?: number[]}} Source
 *   box: [x, y, w, h] of the chart's data area inside the source (reported for tests after an export)
 * @typedef {{label: string, kind?: "line" | "dash" | "bar" | "dot", color?: string,
 *   glyph?: (ctx: CanvasRenderingContext2D, x: number, y: number) => void}} LegendItem
 *   a swatch (line, dash, bar or dot in `color`) or a glyph drawn centred at (x, y), then the label
 * @typedef {{what: string, title: string | (() => string), source: () => Source | null,
 *   legend?: () => LegendItem[], note?: () => string, vector?: boolean, label?: string}} FigureSpec
 *   label: a word before the buttons naming the chart they save (where two charts are stacked, as the loss curve
 *   over the output plot)
 */

/**
 * Size a canvas for the device's pixel ratio and clear it; returns its 2-D context in CSS pixels.
 * @param {HTMLCanvasElement} canvas @param {number} width CSS pixels @param {number} height CSS pixels
 * @param {string} [font] the context's font (else the canvas default)
 */
export function prepare(canvas, width, height, font) {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (font) ctx.font = font;
  return ctx;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const MARGIN = 12;
const TITLE_H = 24;
const ROW_H = 18;
/** Export canvases are this many device pixels per CSS pixel. */
export const EXPORT_SCALE = 2;

/** @type {WeakMap<HTMLCanvasElement, Source>} */
const sources = new WeakMap();
/** @type {WeakMap<Element, LegendItem[]>} */
const legends = new WeakMap();
/** Canvases painted on screen, repainted in the new theme's ink (ui/theme.js chartInk) when the theme changes. */
const onScreen = /** @type {Set<WeakRef<HTMLCanvasElement>>} */ (new Set());
onThemeChange(() => {
  for (const ref of onScreen) {
    const canvas = ref.deref();
    const src = canvas && sources.get(canvas);
    if (!canvas || !src) { onScreen.delete(ref); continue; }
    if (canvas.isConnected) src.draw(prepare(canvas, src.width, src.height));
  }
});

/**
 * Sizes `canvas` for the device and draws `painter` on it; remembers the painter for exports.
 * @param {HTMLCanvasElement} canvas @param {number} width @param {number} height CSS pixels
 * @param {Painter} painter @param {string} [font]
 */
export function paint(canvas, width, height, painter, font) {
  const ctx = prepare(canvas, width, height);
  const draw = (/** @type {CanvasRenderingContext2D} */ c) => {
    if (font) c.font = font;
    painter(c);
  };
  draw(ctx);
  if (!sources.has(canvas)) onScreen.add(new WeakRef(canvas));
  sources.set(canvas, { width, height, draw });
}

/** The source a canvas was last painted with (paint), or null. @param {HTMLCanvasElement} canvas */
export const painted = (canvas) => sources.get(canvas) ?? null;

/** Remember the items an HTML legend shows, for the exported file. @param {Element} element @param {LegendItem[]} items */
export function rememberLegend(element, items) {
  legends.set(element, items);
  return element;
}

/** The items remembered for an HTML legend (or its first child). @param {Element | null} element */
export function legendOf(element) {
  if (!element) return [];
  return legends.get(element) ?? (element.firstElementChild ? legends.get(element.firstElementChild) ?? [] : []);
}

// ------------------------------------------------------------------------------------------------ file names

const naming = { dataset: "", checksum: false, signature: false, csumsig: false };
on("snapshot", ({ snap }) => {
  const c = snap.config;
  naming.dataset = String((c.problem === "regression" ? c.regDataset : c.dataset) || "data");
  naming.checksum = snap.model.activation_names.some((a) => a.endsWith("_csum"));
  naming.csumsig = false;
});
on("attack-changed", ({ source, what }) => {
  if (source !== "signature") return;
  if (what === "installed") naming.signature = true;
  if (what === "removed") naming.signature = false;
  if (what === "csum-signature") naming.csumsig = true;
});

/** Today as YYYY-MM-DD (local time). */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** `circle_checksum_output_2026-12-07.png`: data set, backdoor (if any), what the figure shows, date. */
export function fileName(/** @type {string} */ what, /** @type {string} */ ext) {
  const backdoor = naming.checksum ? "checksum" : naming.signature ? "signature" : naming.csumsig ? "csumsig" : "";
  return [naming.dataset || "data", backdoor, what, today()].filter(Boolean).join("_").replace(/[^\w.-]+/g, "-") + "." + ext;
}

// ------------------------------------------------------------------------------------------------ composing

/** @param {FigureSpec} spec */
const titleOf = (spec) => (typeof spec.title === "function" ? spec.title() : spec.title);

/**
 * Lays out the title, the chart, the legend rows and the note; returns the size and a painter of the whole.
 * @param {FigureSpec} spec @param {Source} src
 */
function compose(spec, src) {
  const measure = /** @type {CanvasRenderingContext2D} */ (document.createElement("canvas").getContext("2d"));
  measure.font = `11px ${FONT}`;
  const width = Math.max(src.width + 2 * MARGIN, 260);
  const items = spec.legend?.() ?? [];
  /** @type {{item: LegendItem, x: number, row: number}[]} */
  const placed = [];
  let x = MARGIN;
  let row = 0;
  for (const item of items) {
    const w = 26 + measure.measureText(item.label).width + 14;
    if (x > MARGIN && x + w > width - MARGIN) { x = MARGIN; row += 1; }
    placed.push({ item, x, row });
    x += w;
  }
  const rows = items.length ? row + 1 : 0;
  const note = wrap(measure, spec.note?.() ?? "", width - 2 * MARGIN);
  measure.font = `bold 13px ${FONT}`;
  const title = wrap(measure, titleOf(spec), width - 2 * MARGIN);
  const top = TITLE_H + 16 * (title.length - 1);
  const chartX = Math.round((width - src.width) / 2);
  const legendY = top + src.height + 8;
  const height = legendY + rows * ROW_H + note.length * 14 + MARGIN;
  const box = src.box ? [chartX + src.box[0], top + src.box[1], src.box[2], src.box[3]] : null;
  /** @param {CanvasRenderingContext2D} ctx */
  const draw = (ctx) => onPaper(() => {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = "#222";
    ctx.font = `bold 13px ${FONT}`;
    ctx.textAlign = "left";
    ctx.textBaseline = "alphabetic";
    title.forEach((line, k) => ctx.fillText(line, MARGIN, 17 + 16 * k));
    ctx.save();
    ctx.translate(chartX, top);
    src.draw(ctx);
    ctx.restore();
    ctx.font = `11px ${FONT}`;
    for (const p of placed) {
      const y = legendY + p.row * ROW_H + ROW_H / 2;
      swatch(ctx, p.item, p.x + 10, y);
      ctx.fillStyle = "#333";
      ctx.font = `11px ${FONT}`;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText(p.item.label, p.x + 24, y);
    }
    ctx.fillStyle = "#666";
    ctx.textBaseline = "alphabetic";
    note.forEach((line, k) => ctx.fillText(line, MARGIN, legendY + rows * ROW_H + 11 + 14 * k));
  });
  return { width, height, draw, box };
}

/** @param {CanvasRenderingContext2D} ctx @param {LegendItem} item @param {number} x @param {number} y */
function swatch(ctx, item, x, y) {
  ctx.save();
  if (item.glyph) item.glyph(ctx, x, y);
  else {
    ctx.strokeStyle = ctx.fillStyle = item.color ?? "#222";
    if (item.kind === "bar") ctx.fillRect(x - 6, y - 5, 12, 10);
    else if (item.kind === "dot") { ctx.beginPath(); ctx.arc(x, y, 4, 0, 2 * Math.PI); ctx.fill(); }
    else {
      ctx.lineWidth = 2;
      ctx.setLineDash(item.kind === "dash" ? [4, 3] : []);
      ctx.beginPath();
      ctx.moveTo(x - 9, y);
      ctx.lineTo(x + 9, y);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** Words of `text` in lines of at most `width` px. @param {CanvasRenderingContext2D} ctx @param {string} text @param {number} width */
function wrap(ctx, text, width) {
  /** @type {string[]} */
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) { lines.push(line); line = word; } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** The figure as a PNG blob, with where its chart lies (export pixels). @param {FigureSpec} spec */
export async function renderPng(spec, scale = EXPORT_SCALE) {
  const src = spec.source();
  if (!src) throw new Error("nothing drawn yet");
  const fig = compose(spec, src);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(fig.width * scale);
  canvas.height = Math.round(fig.height * scale);
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.scale(scale, scale);
  fig.draw(ctx);
  const blob = await new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the browser could not encode the PNG"))), "image/png"));
  return { blob: /** @type {Blob} */ (blob), box: fig.box?.map((v) => Math.round(v * scale)) ?? null };
}

/** The figure as an SVG document (the SVG context loads on the first export: no page needs it to draw). @param {FigureSpec} spec */
export async function renderSvg(spec) {
  const src = spec.source();
  if (!src) throw new Error("nothing drawn yet");
  const fig = compose(spec, src);
  const { SvgContext } = await import("./svgctx.js");
  const svg = new SvgContext(fig.width, fig.height);
  fig.draw(/** @type {CanvasRenderingContext2D} */ (/** @type {unknown} */ (svg)));
  return svg.toString();
}

/** @param {Blob} blob @param {string} name */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = /** @type {HTMLAnchorElement} */ (el("a", { href: url, download: name }));
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The buttons beside a chart: PNG, SVG (vector charts) and Copy (the PNG to the clipboard). A status line says
 * what happened (and when the browser refuses the clipboard).
 * @param {FigureSpec} spec
 */
export function figureTools(spec) {
  const status = el("span.fig-status", { role: "status" });
  const say = (/** @type {string} */ text, ok = true) => {
    status.textContent = text;
    status.classList.toggle("fig-error", !ok);
  };
  const tools = el("div.fig-tools", { dataset: { figure: spec.what } });
  const png = async () => {
    try {
      const { blob, box } = await renderPng(spec);
      if (box) tools.dataset.box = box.join(",");
      download(blob, fileName(spec.what, "png"));
      say("");
    } catch (err) { say(`Not saved: ${err instanceof Error ? err.message : err}`, false); }
  };
  const svg = async () => {
    try {
      download(new Blob([await renderSvg(spec)], { type: "image/svg+xml" }), fileName(spec.what, "svg"));
      say("");
    } catch (err) { say(`Not saved: ${err instanceof Error ? err.message : err}`, false); }
  };
  const copy = async () => {
    const clip = navigator.clipboard;
    if (!clip?.write || typeof ClipboardItem === "undefined") {
      say("Copy refused: this browser cannot put images on the clipboard (use PNG).", false);
      tools.dataset.copied = "refused";
      return;
    }
    try {
      await clip.write([new ClipboardItem({ "image/png": renderPng(spec).then((r) => r.blob) })]);
      say("Copied as PNG.");
      tools.dataset.copied = "ok";
    } catch (err) {
      say(`Copy refused by the browser (${err instanceof Error ? err.name : "error"}): use PNG instead.`, false);
      tools.dataset.copied = "refused";
    }
  };
  const button = (/** @type {string} */ cls, /** @type {string} */ text, /** @type {string} */ title, /** @type {() => void} */ fn) =>
    el(`button.fig-button.${cls}`, { type: "button", title, onclick: fn }, text);
  tools.append(
    spec.label ? el("span.fig-label", null, spec.label) : "",
    button("fig-png", "PNG", `Save this figure (${titleOf(spec)}) as a PNG image`, png),
    spec.vector === false ? "" : button("fig-svg", "SVG", `Save this figure (${titleOf(spec)}) as an SVG drawing`, svg),
    button("fig-copy", "Copy", "Copy this figure to the clipboard as a PNG (for slides)", copy),
    status);
  return tools;
}
