// @ts-check
// A small rotatable scatter of 3-D data: a parallel projection turned by yaw (about z) and pitch (tilt), the data
// box's edges, and the plot's slice at height z as a translucent square. Drag to rotate, or focus it and use the arrow
// keys. Pure drawing: it never talks to the worker.

import { canvasColors } from "../ui/theme.js";

const BOX = 6;
const STEP = Math.PI / 18; // an arrow key turns 10 degrees

export class Scatter3D {
  /** @param {HTMLElement} host emptied and filled @param {number} [size] CSS pixels */
  constructor(host, size = 180) {
    this.size = size;
    this.yaw = 0.6;
    this.pitch = 0.45;
    /** @type {number[]} */ this.rows = [];
    /** @type {(label: number) => string} */ this.color = () => "#888";
    this.z = 0;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "scatter3d";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "The data in 3-D: drag or use the arrow keys to turn it");
    this.canvas.title = "Drag (or use the arrow keys) to turn the data";
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(size * dpr);
    this.canvas.height = Math.round(size * dpr);
    this.canvas.style.width = `${size}px`;
    this.canvas.style.height = `${size}px`;
    this.scale = dpr;
    host.replaceChildren(this.canvas);
    /** @type {{x: number, y: number} | null} */ let drag = null;
    this.canvas.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (!drag) return;
      this.turn((e.clientX - drag.x) * 0.01, (e.clientY - drag.y) * 0.01);
      drag = { x: e.clientX, y: e.clientY };
    });
    const stop = () => { drag = null; };
    this.canvas.addEventListener("pointerup", stop);
    this.canvas.addEventListener("pointercancel", stop);
    this.canvas.addEventListener("keydown", (e) => {
      const turns = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, -STEP], ArrowDown: [0, STEP] };
      const t = turns[/** @type {keyof typeof turns} */ (e.key)];
      if (!t) return;
      e.preventDefault();
      this.turn(t[0], t[1]);
    });
  }

  /** @param {number} dYaw @param {number} dPitch */
  turn(dYaw, dPitch) {
    this.yaw += dYaw;
    this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + dPitch));
    this.draw();
  }

  /**
   * @param {number[]} rows flat [x, y, z, label, ...] @param {(label: number) => string} color @param {number} z
   */
  set(rows, color, z) {
    this.rows = rows;
    this.color = color;
    this.z = z;
    this.draw();
  }

  /** @param {number} z */
  setSlice(z) {
    this.z = z;
    this.draw();
  }

  /** Screen position and depth of a data point. @param {number} x @param {number} y @param {number} z */
  project(x, y, z) {
    const cy = Math.cos(this.yaw), sy = Math.sin(this.yaw), cp = Math.cos(this.pitch), sp = Math.sin(this.pitch);
    const u = x * cy - y * sy;
    const depth = x * sy + y * cy;
    const v = z * cp + depth * sp;
    const k = this.size / (2 * BOX * 1.8);
    return { px: this.size / 2 + u * k, py: this.size / 2 - v * k, depth: depth * cp - z * sp };
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    this.canvas.dataset.yaw = this.yaw.toFixed(3);
    this.canvas.dataset.pitch = this.pitch.toFixed(3);
    const ink = canvasColors();
    ctx.setTransform(this.scale, 0, 0, this.scale, 0, 0);
    ctx.clearRect(0, 0, this.size, this.size);
    // the box's twelve edges
    ctx.strokeStyle = ink.muted;
    ctx.lineWidth = 0.6;
    const c = [-BOX, BOX];
    ctx.beginPath();
    for (const a of c) for (const b of c) {
      for (const [p, q] of [[[-BOX, a, b], [BOX, a, b]], [[a, -BOX, b], [a, BOX, b]], [[a, b, -BOX], [a, b, BOX]]]) {
        const s = this.project(p[0], p[1], p[2]);
        const t = this.project(q[0], q[1], q[2]);
        ctx.moveTo(s.px, s.py);
        ctx.lineTo(t.px, t.py);
      }
    }
    ctx.stroke();
    // the slice
    const corners = [[-BOX, -BOX], [BOX, -BOX], [BOX, BOX], [-BOX, BOX]].map(([x, y]) => this.project(x, y, this.z));
    ctx.beginPath();
    corners.forEach((p, i) => (i ? ctx.lineTo(p.px, p.py) : ctx.moveTo(p.px, p.py)));
    ctx.closePath();
    ctx.fillStyle = "rgba(120, 120, 120, 0.18)";
    ctx.fill();
    ctx.strokeStyle = ink.ink;
    ctx.lineWidth = 1;
    ctx.stroke();
    // the points, far ones first
    const pts = [];
    for (let i = 0; i + 3 < this.rows.length; i += 4) {
      const p = this.project(this.rows[i], this.rows[i + 1], this.rows[i + 2]);
      pts.push({ ...p, label: this.rows[i + 3] });
    }
    pts.sort((a, b) => b.depth - a.depth);
    for (const p of pts) {
      ctx.fillStyle = this.color(p.label);
      ctx.fillRect(p.px - 1.5, p.py - 1.5, 3, 3);
    }
  }
}
