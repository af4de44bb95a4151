// @ts-check
// The checksum panel's zoom: an activated point's old and new positions at a scale where |Δx| is visible.

import { valueColor } from "../../widgets/colors.js";
import { DOMAIN } from "../../widgets/heatmap.js";
import { figureTools, paint, painted } from "../../ui/figure.js";
import { sci } from "../../ui/format.js";

const TEXT = "#767676";
const INK = "#2b2b2b";

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
  const out = { drawn: /** @type {ReturnType<typeof paintZoom>} */ (null) };
  paint(canvas, S, S, (ctx) => { out.drawn = paintZoom(ctx, rec, S, opts.plotSize); });
  return out.drawn;
}

/**
 * @param {CanvasRenderingContext2D} ctx @param {ZoomRecord | null} rec @param {number} S @param {number} [plotSize]
 */
function paintZoom(ctx, rec, S, plotSize) {
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
  const plotPxPerUnit = (plotSize ?? 300) / (2 * DOMAIN);
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

/** The zoom's export buttons. @param {HTMLCanvasElement} canvas @param {() => string} note the caption's text */
export function zoomTools(canvas, note) {
  return figureTools({
    what: "zoom", title: "Zoom on one activated test point", source: () => painted(canvas), note,
    legend: () => [
      { label: "before (ring: colour of the old output; orange −1, blue +1)", glyph: (c, x, y) => ring(c, x, y) },
      { label: "after (dot: colour of the new output)", kind: "dot", color: "#777" },
      { label: "move", color: INK },
    ],
  });
}

/** @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y */
function ring(ctx, x, y) {
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = "#777";
  ctx.beginPath();
  ctx.arc(x, y, 5, 0, 2 * Math.PI);
  ctx.stroke();
}
