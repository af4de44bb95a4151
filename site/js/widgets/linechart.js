// @ts-check
// The loss-over-epochs sparkline. Its cost per frame is bounded: it keeps at most MAX_POINTS
// samples and, when full, halves them and doubles the sampling stride, so a run of a million
// epochs draws as fast as a run of ten. The y range is the running min/max of every loss pushed. Its exported
// figure (ui/figure.js) is the same samples on widgets/plot.js's line chart, with axes and a legend.

import { figureTools } from "../ui/figure.js";
import { paintLineChart } from "./plot.js";
import { chartInk, onThemeChange } from "../ui/theme.js";

/** Stored samples at most; past this the history is thinned to half. */
export const MAX_POINTS = 500;

const TRAIN_COLOR = "#777";
const TEST_COLOR = "#000";
const PAD = 3;

/** @typedef {{epoch: number, train: number, test: number}} Sample */

/** @param {number} v */
function formatLoss(v) {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}

export class LineChart {
  /** @param {HTMLCanvasElement} canvas its CSS size decides the drawing size */
  constructor(canvas) {
    this.canvas = canvas;
    this.cssWidth = canvas.clientWidth || canvas.width;
    this.cssHeight = canvas.clientHeight || canvas.height;
    const dpr = window.devicePixelRatio || 1;
    this.scale = dpr;
    canvas.width = Math.round(this.cssWidth * dpr);
    canvas.height = Math.round(this.cssHeight * dpr);
    /** @type {number | null} CSS x of the pointer while hovering */
    this.hoverX = null;
    this.framePending = false;
    /** @type {Sample[]} */ this.samples = [];
    /** @type {Sample | null} the newest push, shown even when the stride skips it */
    this.latest = null;
    this.stride = 1;
    this.pushCount = 0;
    this.minLoss = Infinity;
    this.maxLoss = -Infinity;

    canvas.after(figureTools({
      what: "loss", title: "Loss per epoch", label: "Loss curve:",
      source: () => this.exportSource(),
      legend: () => [{ label: "training loss", color: TRAIN_COLOR }, { label: "test loss", color: TEST_COLOR }],
      note: () => (this.latest ? `Epoch ${this.latest.epoch.toLocaleString("en-US")}: training loss ` +
        `${formatLoss(this.latest.train)}, test loss ${formatLoss(this.latest.test)}.` : ""),
    }));

    onThemeChange(() => this.schedule());
    this.schedule();  // the empty chart's hint, before the first epoch
    canvas.addEventListener("mousemove", (event) => {
      const rect = canvas.getBoundingClientRect();
      this.hoverX = event.clientX - rect.left;
      this.schedule();
    });
    canvas.addEventListener("mouseleave", () => {
      this.hoverX = null;
      this.schedule();
    });
  }

  /** Forgets every sample. */
  reset() {
    this.samples = [];
    this.latest = null;
    this.stride = 1;
    this.pushCount = 0;
    this.minLoss = Infinity;
    this.maxLoss = -Infinity;
    this.schedule();
  }

  /**
   * @param {number} epoch
   * @param {number} trainLoss
   * @param {number} testLoss
   */
  push(epoch, trainLoss, testLoss) {
    const sample = { epoch, train: trainLoss, test: testLoss };
    for (const v of [trainLoss, testLoss]) {
      if (Number.isFinite(v)) {
        this.minLoss = Math.min(this.minLoss, v);
        this.maxLoss = Math.max(this.maxLoss, v);
      }
    }
    if (this.pushCount % this.stride === 0) {
      this.samples.push(sample);
      if (this.samples.length > MAX_POINTS) {
        this.samples = this.samples.filter((_, k) => k % 2 === 0);
        this.stride *= 2;
      }
    }
    this.pushCount += 1;
    this.latest = sample;
    this.schedule();
  }

  /** Points to draw: the stored samples plus the newest push if the stride skipped it. */
  visibleSamples() {
    const last = this.samples[this.samples.length - 1];
    return this.latest && this.latest !== last ? [...this.samples, this.latest] : this.samples;
  }

  /** The curve with axes, for the exported figure (null before the first sample). */
  exportSource() {
    const points = this.visibleSamples();
    if (!points.length) return null;
    const width = 420;
    const height = 210;
    const hi = Number.isFinite(this.maxLoss) && this.maxLoss > 0 ? this.maxLoss * 1.05 : 1;
    const spec = {
      x: points.map((p) => p.epoch), width, height, yMax: hi, xLabel: "epoch", yLabel: "loss",
      xMin: points[0].epoch, xMax: Math.max(points[points.length - 1].epoch, points[0].epoch + 1),
      yFormat: (/** @type {number} */ v) => String(Number(v.toPrecision(3))),
      series: [
        { y: points.map((p) => p.train), color: TRAIN_COLOR, width: 1.5 },
        { y: points.map((p) => p.test), color: TEST_COLOR, width: 1.5 },
      ],
    };
    return { width, height, draw: (/** @type {CanvasRenderingContext2D} */ ctx) => paintLineChart(ctx, spec) };
  }

  /** Coalesces any number of pushes into one draw per animation frame. */
  schedule() {
    if (this.framePending) return;
    this.framePending = true;
    requestAnimationFrame(() => {
      this.framePending = false;
      this.draw();
    });
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    const w = this.cssWidth;
    const h = this.cssHeight;
    ctx.setTransform(this.scale, 0, 0, this.scale, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const points = this.visibleSamples();
    if (points.length < 2) {  // one epoch draws no line: say what will appear here instead of a blank box
      ctx.fillStyle = chartInk().text;
      ctx.font = "11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      const long = "training and test loss appear here as the network trains";
      ctx.fillText(ctx.measureText(long).width < w - 8 ? long : "the loss appears here as it trains", w / 2, h / 2);
      return;
    }

    const x0 = points[0].epoch;
    const xSpan = points[points.length - 1].epoch - x0 || 1;
    let lo = this.minLoss;
    let hi = this.maxLoss;
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
    if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
    const px = (/** @type {number} */ epoch) => PAD + ((epoch - x0) / xSpan) * (w - 2 * PAD);
    const py = (/** @type {number} */ loss) => h - PAD - ((loss - lo) / (hi - lo)) * (h - 2 * PAD);

    this.drawSeries(ctx, points, "train", TRAIN_COLOR, px, py);
    // on screen the test loss takes the theme's ink (black on the light card, light on the dark one)
    this.drawSeries(ctx, points, "test", chartInk().ink, px, py);
    if (this.hoverX !== null) this.drawReadout(ctx, points, px);
  }

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {Sample[]} points
   * @param {"train" | "test"} key
   * @param {string} color
   * @param {(epoch: number) => number} px
   * @param {(loss: number) => number} py
   */
  drawSeries(ctx, points, key, color, px, py) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.25;
    ctx.lineJoin = "round";
    ctx.beginPath();
    let penDown = false;
    for (const p of points) {
      const v = p[key];
      // A non-finite loss (diverged training) leaves a gap instead of a spike to infinity.
      if (!Number.isFinite(v)) {
        penDown = false;
        continue;
      }
      if (penDown) ctx.lineTo(px(p.epoch), py(v));
      else ctx.moveTo(px(p.epoch), py(v));
      penDown = true;
    }
    ctx.stroke();
  }

  /**
   * A vertical guide at the nearest sample and a text box with its numbers.
   * @param {CanvasRenderingContext2D} ctx
   * @param {Sample[]} points
   * @param {(epoch: number) => number} px
   */
  drawReadout(ctx, points, px) {
    const hoverX = /** @type {number} */ (this.hoverX);
    let best = points[0];
    for (const p of points) {
      if (Math.abs(px(p.epoch) - hoverX) < Math.abs(px(best.epoch) - hoverX)) best = p;
    }
    const gx = Math.round(px(best.epoch)) + 0.5;
    const ink = chartInk();
    ctx.strokeStyle = ink.axis;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(gx, 0);
    ctx.lineTo(gx, this.cssHeight);
    ctx.stroke();

    const text =
      `epoch ${best.epoch.toLocaleString("en-US")}  ` +
      `train ${formatLoss(best.train)}  test ${formatLoss(best.test)}`;
    ctx.font = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    const boxW = ctx.measureText(text).width + 8;
    const boxX = Math.min(Math.max(gx - boxW / 2, 0), this.cssWidth - boxW);
    ctx.fillStyle = ink.paper;
    ctx.fillRect(boxX, 0, boxW, 15);
    ctx.fillStyle = ink.ink;
    ctx.textBaseline = "middle";
    ctx.fillText(text, boxX + 4, 8);
  }
}
