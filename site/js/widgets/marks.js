// @ts-check
// The one vocabulary of marks on the output plot: each kind of marked point has its own shape and colour (told apart
// by shape alone, for colour-blind readers and in grey print), drawn over a white halo so it reads on orange and on
// blue. The plot, its HTML legend and the exported figure's legend all draw them with drawGlyph.

/**
 * @typedef {"square" | "diamond" | "circle" | "target" | "triangle" | "ring" | "cross" | "star"} Shape
 * @typedef {{label: string, color: string, shape: Shape, filled?: boolean}} MarkStyle
 */

/** Mark kinds, in the order the legend lists them. Panels add no kinds of their own: they use these. */
export const MARKS = /** @type {Record<string, MarkStyle>} */ ({
  selected: { label: "picked test point", color: "#000000", shape: "square" },
  flipped: { label: "activated: prediction flipped", color: "#6a1b9a", shape: "diamond", filled: true },
  moved: { label: "activated: moved, prediction kept", color: "#222222", shape: "circle" },
  trigger: { label: "point in the zoom / forged", color: "#c2185b", shape: "target" },
  defended: { label: "label changed by the defense", color: "#1b5e20", shape: "triangle" },
  reversed: { label: "test point moved by the recovered trigger (Neural Cleanse)", color: "#00695c", shape: "cross" },
  pattern: { label: "recovered trigger pattern p (Neural Cleanse)", color: "#00695c", shape: "star", filled: true },
  default: { label: "marked point", color: "#222222", shape: "ring" },
});

/** The arrow from a moved point's original position (drawn when the move is visible). */
export const MOVE_ARROW = { label: "move: original position → new", color: "#222222" };
/** The accidental triggers' colour in legends (the light-blue specks of a planted model's output). */
export const SPECKS_COLOR = "#8fc3e6";

/** @param {string | undefined} kind */
export const styleOf = (kind) => MARKS[kind ?? "default"] ?? MARKS.default;

/** @param {CanvasRenderingContext2D} ctx @param {Shape} shape @param {number} x @param {number} y */
function outline(ctx, shape, x, y) {
  ctx.beginPath();
  if (shape === "square") ctx.rect(x - 5.5, y - 5.5, 11, 11);
  else if (shape === "diamond") {
    ctx.moveTo(x, y - 5.5);
    ctx.lineTo(x + 4.5, y);
    ctx.lineTo(x, y + 5.5);
    ctx.lineTo(x - 4.5, y);
    ctx.closePath();
  } else if (shape === "triangle") {
    ctx.moveTo(x, y - 7);
    ctx.lineTo(x + 6.5, y + 5);
    ctx.lineTo(x - 6.5, y + 5);
    ctx.closePath();
  } else if (shape === "cross") {
    ctx.moveTo(x - 4, y - 4);
    ctx.lineTo(x + 4, y + 4);
    ctx.moveTo(x + 4, y - 4);
    ctx.lineTo(x - 4, y + 4);
  } else if (shape === "star") {
    for (let k = 0; k < 10; k++) {
      const r = k % 2 ? 3 : 7.5, a = -Math.PI / 2 + (k * Math.PI) / 5;
      if (k) ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
      else ctx.moveTo(x + r * Math.cos(a), y + r * Math.sin(a));
    }
    ctx.closePath();
  } else if (shape === "circle") ctx.arc(x, y, 4, 0, 2 * Math.PI);
  else ctx.arc(x, y, shape === "target" ? 5 : 6.5, 0, 2 * Math.PI);
  if (shape === "target") {
    for (const [dx, dy] of [[0, -1], [1, 0], [0, 1], [-1, 0]]) {
      ctx.moveTo(x + 3 * dx, y + 3 * dy);
      ctx.lineTo(x + 9 * dx, y + 9 * dy);
    }
  }
}

/**
 * One mark's glyph centred at (x, y), over a white halo.
 * @param {CanvasRenderingContext2D} ctx @param {string | undefined} kind @param {number} x @param {number} y
 */
export function drawGlyph(ctx, kind, x, y) {
  const style = styleOf(kind);
  ctx.save();
  ctx.setLineDash([]);
  ctx.lineJoin = "round";
  outline(ctx, style.shape, x, y);
  ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
  ctx.lineWidth = style.filled ? 2.5 : 4.5;
  ctx.stroke();
  if (style.filled) {
    ctx.fillStyle = style.color;
    ctx.fill();
  } else {
    ctx.strokeStyle = style.color;
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * The arrow of a move from (ox, oy) to a mark at (px, py): a hollow dot at the origin and a shaft with a head that
 * stops short of the mark. Draws nothing when the move is too short to see; returns whether it drew.
 * @param {CanvasRenderingContext2D} ctx @param {number} ox @param {number} oy @param {number} px @param {number} py
 */
export function drawArrow(ctx, ox, oy, px, py) {
  const dist = Math.hypot(px - ox, py - oy);
  if (dist < 12) return false;
  const ux = (px - ox) / dist;
  const uy = (py - oy) / dist;
  const ex = px - ux * 8;
  const ey = py - uy * 8;
  ctx.save();
  ctx.setLineDash([]);
  for (const [color, width] of [["rgba(255, 255, 255, 0.85)", 3.5], [MOVE_ARROW.color, 1.4]]) {
    ctx.strokeStyle = String(color);
    ctx.lineWidth = Number(width);
    ctx.beginPath();
    ctx.arc(ox, oy, 2.5, 0, 2 * Math.PI);
    ctx.moveTo(ox + ux * 2.5, oy + uy * 2.5);
    ctx.lineTo(ex, ey);
    ctx.moveTo(ex - ux * 6 - uy * 3.5, ey - uy * 6 + ux * 3.5);
    ctx.lineTo(ex, ey);
    ctx.lineTo(ex - ux * 6 + uy * 3.5, ey - uy * 6 - ux * 3.5);
    ctx.stroke();
  }
  ctx.restore();
  return true;
}

/** The arrow as a legend glyph. @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y */
export const arrowGlyph = (ctx, x, y) => { drawArrow(ctx, x - 10, y, x + 16, y); };

/** The specks as a legend glyph: a few light-blue pixels. @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y */
export function specksGlyph(ctx, x, y) {
  ctx.save();
  ctx.fillStyle = "#f7c48a";
  ctx.fillRect(x - 7, y - 6, 14, 12);
  ctx.fillStyle = SPECKS_COLOR;
  for (const [dx, dy] of [[-5, -4], [1, -2], [-2, 2], [3, 3]]) ctx.fillRect(x + dx, y + dy, 2.5, 2.5);
  ctx.restore();
}
