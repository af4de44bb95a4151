// @ts-check
// A histogram of residue counts (one checksum variant over the data) with the key's own bin marked; the checksum and
// signature panels draw it. It paints through ui/figure.js, so residueTools() exports the same drawing.

import { figureTools, paint, painted } from "../ui/figure.js";
import { chartInk, dataColor } from "../ui/theme.js";

const KEY = "#c2185b";
const BAR = "#7b8d99";

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
  paint(canvas, width, height, (ctx) => paintResidues(ctx, counts, key, width, height));
}

/**
 * @param {CanvasRenderingContext2D} ctx @param {number[]} counts @param {number} key @param {number} width
 * @param {number} height
 */
function paintResidues(ctx, counts, key, width, height) {
  const left = 4;
  const right = 4;
  const top = 16;
  const bottom = 16;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const m = counts.length;
  const ink = chartInk();
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
  ctx.strokeStyle = ink.axis;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left, top + plotH + 0.5);
  ctx.lineTo(left + plotW, top + plotH + 0.5);
  ctx.stroke();

  const keyX = left + ((Math.min(key, m - 1) + 0.5) * plotW) / m;
  const keyCount = counts[key] ?? 0;
  ctx.strokeStyle = dataColor(KEY);
  ctx.lineWidth = 1.5;
  ctx.setLineDash([3, 2]);
  ctx.beginPath();
  ctx.moveTo(keyX, top - 2);
  ctx.lineTo(keyX, top + plotH);
  ctx.stroke();
  ctx.setLineDash([]);
  if (keyCount) {
    ctx.fillStyle = dataColor(KEY);
    const barH = Math.max(2, (keyCount / max) * plotH);
    ctx.fillRect(keyX - Math.max(1, colW / 2), top + plotH - barH, Math.max(2, colW), barH);
  }
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillStyle = dataColor(KEY);
  ctx.textAlign = keyX > width - 70 ? "right" : "left";
  ctx.fillText(`key ${key}: ${keyCount}`, keyX + (ctx.textAlign === "right" ? -4 : 4), top - 5);
  ctx.fillStyle = ink.text;
  ctx.textAlign = "left";
  ctx.fillText("0", left, height - 4);
  ctx.textAlign = "right";
  ctx.fillText(String(m - 1), left + plotW, height - 4);
  ctx.textAlign = "center";
  ctx.fillText(`residue mod ${m}`, left + plotW / 2, height - 4);
  ctx.textAlign = "left";
  ctx.fillText(`count (max ${max})`, left, 10);
}

/**
 * The export buttons of a residue histogram drawn on `canvas`.
 * @param {HTMLCanvasElement} canvas @param {string} what file-name word @param {string} title @param {() => string} [note]
 */
export function residueTools(canvas, what, title, note) {
  return figureTools({
    what, title, note, source: () => painted(canvas),
    legend: () => [{ label: "residue count", kind: "bar", color: BAR }, { label: "the key's bin", kind: "dash", color: KEY }],
  });
}
