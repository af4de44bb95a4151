// @ts-check
// A 2-D context that writes SVG: the subset of CanvasRenderingContext2D the page's charts use (paths, arcs,
// rectangles, text, dashes, clipping, transforms, images). A chart's painter draws once, on the screen's canvas,
// on an export canvas at any scale, and on this for a vector file (ui/figure.js).

/** @param {string} s */
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** @param {number} v */
const n = (v) => String(Math.round(v * 100) / 100);

/** A canvas to measure text with (the export uses the same fonts as the screen). */
let measurer = /** @type {CanvasRenderingContext2D | null} */ (null);

/**
 * @typedef {{fillStyle: string, strokeStyle: string, lineWidth: number, font: string, textAlign: string,
 *   textBaseline: string, globalAlpha: number, dash: number[], m: number[], clip: string,
 *   imageSmoothingEnabled: boolean, lineJoin: string, lineCap: string}} SvgState
 */

export class SvgContext {
  /** @param {number} width @param {number} height */
  constructor(width, height) {
    this.width = width;
    this.height = height;
    /** @type {string[]} */ this.parts = [];
    /** @type {string[]} */ this.defs = [];
    /** @type {SvgState[]} */ this.stack = [];
    /** @type {SvgState} */
    this.s = { fillStyle: "#000", strokeStyle: "#000", lineWidth: 1, font: "10px sans-serif", textAlign: "start",
      textBaseline: "alphabetic", globalAlpha: 1, dash: [], m: [1, 0, 0, 1, 0, 0], clip: "",
      imageSmoothingEnabled: true, lineJoin: "miter", lineCap: "butt" };
    this.d = "";
    this.open = false;
    this.clips = 0;
  }

  get fillStyle() { return this.s.fillStyle; }
  set fillStyle(v) { this.s.fillStyle = String(v); }
  get strokeStyle() { return this.s.strokeStyle; }
  set strokeStyle(v) { this.s.strokeStyle = String(v); }
  get lineWidth() { return this.s.lineWidth; }
  set lineWidth(v) { this.s.lineWidth = v; }
  get font() { return this.s.font; }
  set font(v) { this.s.font = v; }
  get textAlign() { return this.s.textAlign; }
  set textAlign(v) { this.s.textAlign = v; }
  get textBaseline() { return this.s.textBaseline; }
  set textBaseline(v) { this.s.textBaseline = v; }
  get globalAlpha() { return this.s.globalAlpha; }
  set globalAlpha(v) { this.s.globalAlpha = v; }
  get imageSmoothingEnabled() { return this.s.imageSmoothingEnabled; }
  set imageSmoothingEnabled(v) { this.s.imageSmoothingEnabled = v; }
  get lineJoin() { return this.s.lineJoin; }
  set lineJoin(v) { this.s.lineJoin = v; }
  get lineCap() { return this.s.lineCap; }
  set lineCap(v) { this.s.lineCap = v; }

  save() { this.stack.push({ ...this.s, dash: [...this.s.dash], m: [...this.s.m] }); }
  restore() { this.s = this.stack.pop() ?? this.s; }
  /** @param {number[]} d */
  setLineDash(d) { this.s.dash = [...d]; }
  getLineDash() { return [...this.s.dash]; }
  /** @param {number} a @param {number} b @param {number} c @param {number} d @param {number} e @param {number} f */
  setTransform(a, b, c, d, e, f) { this.s.m = [a, b, c, d, e, f]; }
  /** @param {number} a @param {number} b @param {number} c @param {number} d @param {number} e @param {number} f */
  transform(a, b, c, d, e, f) {
    const [A, B, C, D, E, F] = this.s.m;
    this.s.m = [A * a + C * b, B * a + D * b, A * c + C * d, B * c + D * d, A * e + C * f + E, B * e + D * f + F];
  }
  /** @param {number} x @param {number} y */
  translate(x, y) { this.transform(1, 0, 0, 1, x, y); }
  /** @param {number} x @param {number} y */
  scale(x, y) { this.transform(x, 0, 0, y, 0, 0); }
  /** @param {number} a */
  rotate(a) { this.transform(Math.cos(a), Math.sin(a), -Math.sin(a), Math.cos(a), 0, 0); }

  beginPath() { this.d = ""; this.open = false; }
  /** @param {number} x @param {number} y */
  moveTo(x, y) { this.d += `M${n(x)},${n(y)}`; this.open = true; }
  /** @param {number} x @param {number} y */
  lineTo(x, y) { this.d += `${this.open ? "L" : "M"}${n(x)},${n(y)}`; this.open = true; }
  /** @param {number} a @param {number} b @param {number} c @param {number} d @param {number} x @param {number} y */
  bezierCurveTo(a, b, c, d, x, y) { this.d += `C${n(a)},${n(b)} ${n(c)},${n(d)} ${n(x)},${n(y)}`; }
  closePath() { this.d += "Z"; }
  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  rect(x, y, w, h) { this.d += `M${n(x)},${n(y)}h${n(w)}v${n(h)}h${n(-w)}Z`; this.open = true; }
  /** @param {number} cx @param {number} cy @param {number} r @param {number} a0 @param {number} a1 @param {boolean} [ccw] */
  arc(cx, cy, r, a0, a1, ccw = false) {
    const pt = (/** @type {number} */ a) => `${n(cx + r * Math.cos(a))},${n(cy + r * Math.sin(a))}`;
    let sweep = ccw ? a0 - a1 : a1 - a0;
    if (sweep >= 2 * Math.PI - 1e-9 || sweep <= -2 * Math.PI + 1e-9) {
      this.d += `${this.open ? "L" : "M"}${pt(a0)}A${n(r)},${n(r)} 0 1 ${ccw ? 0 : 1} ${pt(a0 + Math.PI)}` +
        `A${n(r)},${n(r)} 0 1 ${ccw ? 0 : 1} ${pt(a0)}`;
    } else {
      sweep = ((sweep % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
      this.d += `${this.open ? "L" : "M"}${pt(a0)}A${n(r)},${n(r)} 0 ${sweep > Math.PI ? 1 : 0} ${ccw ? 0 : 1} ${pt(a1)}`;
    }
    this.open = true;
  }

  /** The shared attributes of a drawn element: transform, clip, opacity. */
  common() {
    const m = this.s.m;
    const t = m.join(",") === "1,0,0,1,0,0" ? "" : ` transform="matrix(${m.map(n).join(" ")})"`;
    const c = this.s.clip ? ` clip-path="url(#${this.s.clip})"` : "";
    const o = this.s.globalAlpha < 1 ? ` opacity="${n(this.s.globalAlpha)}"` : "";
    return t + c + o;
  }

  strokeAttrs() {
    const dash = this.s.dash.length ? ` stroke-dasharray="${this.s.dash.join(" ")}"` : "";
    return ` fill="none" stroke="${esc(this.s.strokeStyle)}" stroke-width="${n(this.s.lineWidth)}"` +
      ` stroke-linejoin="${this.s.lineJoin}" stroke-linecap="${this.s.lineCap}"${dash}`;
  }

  stroke() { if (this.d) this.parts.push(`<path d="${this.d}"${this.strokeAttrs()}${this.common()}/>`); }
  fill() { if (this.d) this.parts.push(`<path d="${this.d}" fill="${esc(this.s.fillStyle)}"${this.common()}/>`); }
  clip() {
    const id = `clip${++this.clips}`;
    this.defs.push(`<clipPath id="${id}"><path d="${this.d}"${this.common().replace(/ clip-path="[^"]*"/, "")}/></clipPath>`);
    this.s.clip = id;
  }
  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  fillRect(x, y, w, h) {
    this.parts.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${esc(this.s.fillStyle)}"${this.common()}/>`);
  }
  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  strokeRect(x, y, w, h) {
    this.parts.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}"${this.strokeAttrs()}${this.common()}/>`);
  }
  clearRect() {}

  /** @param {string} text */
  measureText(text) {
    measurer ??= /** @type {CanvasRenderingContext2D} */ (document.createElement("canvas").getContext("2d"));
    measurer.font = this.s.font;
    return measurer.measureText(text);
  }

  /** @param {string} text @param {number} x @param {number} y */
  fillText(text, x, y) {
    const anchor = { center: "middle", right: "end", end: "end" }[this.s.textAlign] ?? "start";
    const base = { middle: "central", top: "hanging", hanging: "hanging", bottom: "text-after-edge" }[this.s.textBaseline];
    this.parts.push(`<text x="${n(x)}" y="${n(y)}" text-anchor="${anchor}"${base ? ` dominant-baseline="${base}"` : ""}` +
      ` style="font: ${esc(this.s.font)}" fill="${esc(this.s.fillStyle)}"${this.common()}>${esc(String(text))}</text>`);
  }

  /**
   * An image (a canvas), embedded as a PNG.
   * @param {HTMLCanvasElement} image @param {number} x @param {number} y @param {number} [w] @param {number} [h]
   */
  drawImage(image, x, y, w = image.width, h = image.height) {
    const pixelated = this.s.imageSmoothingEnabled ? "" : ` style="image-rendering: pixelated"`;
    this.parts.push(`<image x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" preserveAspectRatio="none"` +
      `${pixelated} href="${image.toDataURL("image/png")}"${this.common()}/>`);
  }

  /** The SVG document. */
  toString() {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${n(this.width)}"` +
      ` height="${n(this.height)}" viewBox="0 0 ${n(this.width)} ${n(this.height)}">` +
      (this.defs.length ? `<defs>${this.defs.join("")}</defs>` : "") + this.parts.join("\n") + "</svg>\n";
  }
}
