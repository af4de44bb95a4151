// @ts-check
// Pictures and number formats for the backdoor panel: the residue histogram of one checksum variant (the key
// marked), and the zoom that shows an activated point's old and new positions at a scale where |Δx| is visible.

import { valueColor } from "../../widgets/colors.js";
import { DOMAIN } from "../../widgets/heatmap.js";
import { prepare } from "../../ui/canvas.js";

const AXIS = "#9a9a9a";
const TEXT = "#767676";
const INK = "#2b2b2b";
const KEY = "#c2185b";
const BAR = "#7b8d99";
const SUPERSCRIPT = /** @type {Record<string, string>} */ ({
  "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹",
});

// ------------------------------------------------------------------------------------------------ numbers

/** "6.3 × 10⁻⁸" (two significant digits), "0" for zero, "—" when missing. @param {number | null | undefined} v */
export function sci(v, digits = 2) {
  if (v == null || !Number.isFinite(v)) return "—";
  if (v === 0) return "0";
  const [mant, exp] = v.toExponential(digits - 1).split("e");
  const e = Number(exp);
  if (e >= -2 && e <= 3) return Number(v.toPrecision(digits)).toLocaleString("en-US", { maximumSignificantDigits: digits });
  return `${mant} × 10${String(e).replace(/./g, (c) => SUPERSCRIPT[c] ?? c)}`;
}

/** A fraction as a percentage: 0.9968 -> "99.7%". @param {number | null | undefined} v */
export function pct(v, digits = 1) {
  return v == null || !Number.isFinite(v) ? "—" : `${(100 * v).toFixed(digits)}%`;
}

/** A small rate as a percentage with two significant digits: 0.0015 -> "0.15%", 1.5e-5 -> "0.0015%". @param {number | null | undefined} v */
export function rate(v) {
  if (v == null || !Number.isFinite(v)) return "—";
  return v === 0 ? "0%" : `${Number((100 * v).toPrecision(2))}%`;
}

/** An integer with thousands separators. @param {number | null | undefined} v */
export function count(v) {
  return v == null || !Number.isFinite(v) ? "—" : Math.round(v).toLocaleString("en-US");
}

/** A duration: "0.4 ms", "1.3 s", "3 min", "2.1 h", "5 days" and beyond. @param {number | null | undefined} s */
export function duration(s) {
  if (s == null || !Number.isFinite(s)) return "forever";
  if (s < 1e-3) return `${sci(s * 1e6, 2)} µs`;
  if (s < 1) return `${Number((s * 1e3).toPrecision(2))} ms`;
  if (s < 120) return `${Number(s.toPrecision(2))} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Number((s / 3600).toPrecision(2))} h`;
  if (s < 3.15e9) return `${count(s / 86400)} days`;
  return `${sci(s / 3.15e7, 2)} years`;
}

// ------------------------------------------------------------------------------------------------ histograms

/**
 * Residue counts as bars (bins summed per pixel column when m is larger than the width), the key's own bin as a
 * dashed line with its count, and a bar of its own height in the key's colour.
 * @param {HTMLCanvasElement} canvas
 * @param {number[]} counts m residue counts
 * @param {number} key
 * @param {{width?: number, height?: number}} [size]
 */
export function drawResidueHistogram(canvas, counts, key, size = {}) {
  const width = size.width ?? 380;
  const height = size.height ?? 96;
  const ctx = prepare(canvas, width, height);
  const left = 4;
  const right = 4;
  const top = 16;
  const bottom = 16;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const m = counts.length;
  const columns = Math.min(m, Math.floor(plotW));
  const colW = plotW / columns;
  const heights = new Array(columns).fill(0);
  for (let r = 0; r < m; r++) {
    const c = Math.min(columns - 1, Math.floor((r * columns) / m));
    heights[c] += counts[r];
  }
  const max = Math.max(1, ...heights);
  ctx.fillStyle = BAR;
  heights.forEach((h, c) => {
    if (!h) return;
    const barH = Math.max(1, (h / max) * plotH);
    ctx.fillRect(left + c * colW, top + plotH - barH, Math.max(1, colW - (colW > 3 ? 1 : 0)), barH);
  });
  ctx.strokeStyle = AXIS;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left, top + plotH + 0.5);
  ctx.lineTo(left + plotW, top + plotH + 0.5);
  ctx.stroke();

  const keyX = left + ((Math.min(key, m - 1) + 0.5) * plotW) / m;
  const keyCount = counts[key] ?? 0;
  ctx.strokeStyle = KEY;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([3, 2]);
  ctx.beginPath();
  ctx.moveTo(keyX, top - 2);
  ctx.lineTo(keyX, top + plotH);
  ctx.stroke();
  ctx.setLineDash([]);
  if (keyCount) {
    ctx.fillStyle = KEY;
    const barH = Math.max(2, (keyCount / max) * plotH);
    ctx.fillRect(keyX - Math.max(1, colW / 2), top + plotH - barH, Math.max(2, colW), barH);
  }
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillStyle = KEY;
  ctx.textAlign = keyX > width - 70 ? "right" : "left";
  ctx.fillText(`key ${key}: ${keyCount}`, keyX + (ctx.textAlign === "right" ? -4 : 4), top - 5);
  ctx.fillStyle = TEXT;
  ctx.textAlign = "left";
  ctx.fillText("0", left, height - 4);
  ctx.textAlign = "right";
  ctx.fillText(String(m - 1), left + plotW, height - 4);
  ctx.textAlign = "center";
  ctx.fillText(`residue mod ${m}`, left + plotW / 2, height - 4);
}

// ------------------------------------------------------------------------------------------------ zoom

/** The 1-2-5 step nearest above `v`. @param {number} v */
function niceStep(v) {
  const e = Math.floor(Math.log10(v));
  const f = v / 10 ** e;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * 10 ** e;
}

/**
 * @typedef {{index: number, x0: number, y0: number, x1: number, y1: number, out0: number | null,
 *            out1: number | null, flipped: boolean, matched: boolean, delta: number}} ZoomRecord
 */

/**
 * The neighbourhood of one activated point, magnified until the move spans about a third of the picture: a
 * grid at a 1-2-5 step, the old position (ring in the old output's colour), the new one (dot in the new
 * output's colour), an arrow, a scale bar with its length, and the magnification against the main plot.
 * Returns the numbers it drew at, for captions and tests.
 * @param {HTMLCanvasElement} canvas
 * @param {ZoomRecord | null} rec
 * @param {{size?: number, plotSize?: number}} [opts] plotSize: CSS pixels of the main plot (its 12 units)
 */
export function drawZoom(canvas, rec, opts = {}) {
  const S = opts.size ?? 260;
  const ctx = prepare(canvas, S, S);
  ctx.fillStyle = "#fbfbfc";
  ctx.fillRect(0, 0, S, S);
  ctx.font = "11px system-ui, sans-serif";
  if (!rec) {
    ctx.fillStyle = TEXT;
    ctx.textAlign = "center";
    ctx.fillText("Click a record to zoom in on it.", S / 2, S / 2);
    return null;
  }
  const dx = rec.x1 - rec.x0;
  const dy = rec.y1 - rec.y0;
  const d = Math.max(Math.abs(dx), Math.abs(dy));
  const plotPxPerUnit = (opts.plotSize ?? 300) / (2 * DOMAIN);
  // Units per pixel: the move fills ~40% of the width; an unmoved point gets the plot's own scale.
  const unitsPerPx = d > 0 ? d / (0.4 * S) : 1 / plotPxPerUnit;
  const step = niceStep(unitsPerPx * 60);
  const cx = (rec.x0 + rec.x1) / 2;
  const cy = (rec.y0 + rec.y1) / 2;
  const X = (/** @type {number} */ x) => S / 2 + (x - cx) / unitsPerPx;
  const Y = (/** @type {number} */ y) => S / 2 - (y - cy) / unitsPerPx;

  // grid: lines at multiples of `step` relative to the old point (absolute multiples would lose precision)
  ctx.strokeStyle = "#e6e8ea";
  ctx.lineWidth = 1;
  const lines = Math.ceil(S / (step / unitsPerPx)) + 2;
  const ox = X(rec.x0);
  const oy = Y(rec.y0);
  const stepPx = step / unitsPerPx;
  ctx.beginPath();
  for (let k = -lines; k <= lines; k++) {
    const gx = ox + k * stepPx;
    const gy = oy + k * stepPx;
    if (gx >= 0 && gx <= S) { ctx.moveTo(Math.round(gx) + 0.5, 0); ctx.lineTo(Math.round(gx) + 0.5, S); }
    if (gy >= 0 && gy <= S) { ctx.moveTo(0, Math.round(gy) + 0.5); ctx.lineTo(S, Math.round(gy) + 0.5); }
  }
  ctx.stroke();

  const nx = X(rec.x1);
  const ny = Y(rec.y1);
  if (d > 0) {
    const len = Math.hypot(nx - ox, ny - oy);
    const ux = (nx - ox) / len;
    const uy = (ny - oy) / len;
    const end = len - 9;
    ctx.strokeStyle = INK;
    ctx.lineWidth = 1.25;
    ctx.beginPath();
    ctx.moveTo(ox + ux * 9, oy + uy * 9);
    ctx.lineTo(ox + ux * end, oy + uy * end);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(ox + ux * end, oy + uy * end);
    ctx.lineTo(ox + ux * (end - 7) - uy * 4, oy + uy * (end - 7) + ux * 4);
    ctx.lineTo(ox + ux * (end - 7) + uy * 4, oy + uy * (end - 7) - ux * 4);
    ctx.closePath();
    ctx.fillStyle = INK;
    ctx.fill();
  }
  // old position: a ring in the colour of the old output; new: a dot in the colour of the new output
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = valueColor(Math.sign(rec.out0 ?? 0));
  ctx.beginPath();
  ctx.arc(ox, oy, 7, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.fillStyle = valueColor(Math.sign(rec.out1 ?? 0));
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(nx, ny, 6, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();

  ctx.fillStyle = INK;
  ctx.textAlign = "left";
  const labelSide = (/** @type {number} */ x) => (x > S - 60 ? -52 : 11);
  ctx.fillText("before", ox + labelSide(ox), oy - 9);
  if (d > 0) ctx.fillText("after", nx + labelSide(nx), ny + 16);

  // scale bar, bottom left, and the magnification, top left
  const barPx = stepPx;
  ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
  ctx.fillRect(6, S - 30, Math.max(barPx, 90) + 8, 24);
  ctx.fillRect(6, 5, S - 12, 17);
  ctx.strokeStyle = INK;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(10, S - 12);
  ctx.lineTo(10 + barPx, S - 12);
  ctx.moveTo(10, S - 16);
  ctx.lineTo(10, S - 8);
  ctx.moveTo(10 + barPx, S - 16);
  ctx.lineTo(10 + barPx, S - 8);
  ctx.stroke();
  ctx.fillStyle = INK;
  ctx.textAlign = "left";
  ctx.fillText(`${sci(step, 1)} (grid step)`, 10, S - 19);
  const magnification = 1 / (unitsPerPx * plotPxPerUnit);
  ctx.fillText(d > 0 ? `zoom ×${sci(magnification, 2)} vs the plot` : "not moved (plot scale)", 10, 17);
  return { step, unitsPerPx, magnification, movePxOnPlot: d * plotPxPerUnit };
}
