// @ts-check
// A game's small plot: the round's public training data (faint), the points queried so far coloured by this
// model's answer, and for the trigger game the given point with its square of allowed moves. No heat map: the
// models' outputs are what the player pays queries for. A click queries the point under the pointer (onPick).
// 3-D rounds: the plot is the page's slice at height z (setSlice): the points within SLAB of it are drawn, and a
// click queries (x, y, z). Data with more coordinates has no plane here (the digits are queried from the image grid).

import { el } from "../../ui/dom.js";
import { prepare } from "../../ui/figure.js";
import { canvasColors, onThemeChange } from "../../ui/theme.js";
import { labelColor } from "../../widgets/classes.js";
import { SLAB } from "../kd.js";

const SIZE = 220;

/**
 * @typedef {{point: number[], label: number}} Mark
 * @typedef {{low: number[], high: number[], k: number, train_points: number[][], train_labels: number[],
 *   point?: number[], radius?: number}} PlotRound
 */

/**
 * @param {string} id the canvas id (a test hook)
 * @param {string} title the caption ("Model A")
 * @param {(point: number[]) => void} onPick
 */
export function gamePlot(id, title, onPick) {
  const canvas = /** @type {HTMLCanvasElement} */ (el(`canvas.gm-canvas#${id}`, {
    role: "img", tabindex: "0", "aria-label": `${title}: click to query a point` }));
  const caption = el("figcaption.gm-caption", null, title);
  const element = el("figure.gm-plot", null, caption, canvas);
  /** @type {PlotRound | null} */ let round = null;
  /** @type {Mark[]} */ let marks = [];
  let enabled = false;
  let z = 0;
  let name = title;
  /** Whether the round's points lie in a plane drawn here (2-D, or the slice of 3-D). */
  const planar = () => !!round && round.low.length <= 3;
  /** A point of the plane or near the slice. @param {number[]} p */
  const near = (p) => p.length < 3 || Math.abs(p[2] - z) <= SLAB;

  const toX = (/** @type {number} */ v) => round ? (v - round.low[0]) / (round.high[0] - round.low[0]) * SIZE : 0;
  const toY = (/** @type {number} */ v) => round ? (round.high[1] - v) / (round.high[1] - round.low[1]) * SIZE : 0;

  function draw() {
    const g = prepare(canvas, SIZE, SIZE);
    const ink = canvasColors();
    g.fillStyle = ink.paper;
    g.fillRect(0, 0, SIZE, SIZE);
    g.strokeStyle = ink.rule;
    g.strokeRect(0.5, 0.5, SIZE - 1, SIZE - 1);
    if (!round || !planar()) return;
    const color = labelColor(round.k);
    g.globalAlpha = 0.35;
    round.train_points.forEach((p, i) => {
      if (!near(p)) return;
      g.fillStyle = color(round?.train_labels[i] ?? 0);
      g.beginPath();
      g.arc(toX(p[0]), toY(p[1]), 2.2, 0, 2 * Math.PI);
      g.fill();
    });
    g.globalAlpha = 1;
    if (round.point && round.radius && Math.abs((round.point[2] ?? z) - z) <= round.radius) {
      const [x, y] = round.point;
      g.strokeStyle = ink.ink;
      g.setLineDash([4, 3]);
      g.strokeRect(toX(x - round.radius), toY(y + round.radius), toX(x + round.radius) - toX(x - round.radius),
        toY(y - round.radius) - toY(y + round.radius));
      g.setLineDash([]);
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(toX(x) - 6, toY(y)); g.lineTo(toX(x) + 6, toY(y));
      g.moveTo(toX(x), toY(y) - 6); g.lineTo(toX(x), toY(y) + 6);
      g.stroke();
      g.lineWidth = 1;
    }
    for (const m of marks) {
      if (!near(m.point)) continue;
      g.fillStyle = color(m.label);
      g.strokeStyle = ink.ink;
      g.beginPath();
      g.arc(toX(m.point[0]), toY(m.point[1]), 4.5, 0, 2 * Math.PI);
      g.fill();
      g.stroke();
    }
  }

  const captionText = () => (round?.low.length === 3 ? `${name}: slice z = ${z.toFixed(1)}` : name);

  canvas.addEventListener("click", (event) => {
    if (!enabled || !round || !planar()) return;
    const box = canvas.getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width;
    const fy = (event.clientY - box.top) / box.height;
    const p = [round.low[0] + fx * (round.high[0] - round.low[0]), round.high[1] - fy * (round.high[1] - round.low[1])];
    onPick(round.low.length === 3 ? [...p, z] : p);
  });
  onThemeChange(draw);
  draw();

  return {
    element,
    /** A new round: its data, no marks. @param {PlotRound | null} r */
    reset(r) { round = r; marks = []; caption.textContent = captionText(); draw(); },
    /** @param {Mark} m */
    add(m) { marks.push(m); draw(); },
    /** @param {boolean} on */
    enable(on) { enabled = on; canvas.classList.toggle("gm-live", on); },
    /** @param {string} text */
    setTitle(text) { name = text; caption.textContent = captionText(); },
    /** The page's slice height (3-D rounds draw and query there). @param {number} height */
    setSlice(height) {
      if (height === z) return;
      z = height;
      caption.textContent = captionText();
      if (round?.low.length === 3) draw();
    },
    /** Canvas pixel of a data point (tests click there). @param {number[]} p */
    pixel(p) { return [toX(p[0]), toY(p[1])]; },
  };
}

/** @typedef {ReturnType<typeof gamePlot>} GamePlot */
