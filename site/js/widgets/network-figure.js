// @ts-check
// The network diagram as an exported figure (ui/figure.js): the links (the same Bézier paths, colours and widths the
// page's SVG shows), every node's picture, the bias squares, the feature and output labels and each hidden layer's
// size and activation, read from the diagram the widget built, plus a legend of what colour and width mean.
// Decorations (the signature block's Verify box) stay on the page only; the note says so.

import { figureTools } from "../ui/figure.js";
import { valueColor } from "./colors.js";
import { NODE, LABEL_WIDTH } from "./network-parts.js";

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const TOP = 20;

/** A CSS pixel length of an element's inline style. @param {HTMLElement} e @param {"left" | "top" | "width"} k */
const px = (e, k) => parseFloat(e.style[k]) || 0;

/**
 * @param {{svg: SVGSVGElement, nodeLayer: HTMLElement, builtWidth: number}} view
 * @returns {import("../ui/figure.js").Source | null}
 */
function source(view) {
  const paths = [...view.svg.querySelectorAll("path.net-link")];
  const nodes = /** @type {HTMLElement[]} */ ([...view.nodeLayer.querySelectorAll(".net-node")]);
  if (!nodes.length) return null;
  const bottom = Math.max(...nodes.map((n) => px(n, "top") + NODE)) + 40;
  const width = Math.max(view.builtWidth, 300);
  /** @param {CanvasRenderingContext2D} ctx */
  const draw = (ctx) => {
    ctx.save();
    ctx.translate(0, TOP);
    for (const p of paths) {
      const v = (p.getAttribute("d") ?? "").match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
      if (v.length < 8) continue;
      ctx.strokeStyle = p.getAttribute("stroke") ?? "#999";
      ctx.lineWidth = Number(p.getAttribute("stroke-width") ?? 1);
      ctx.setLineDash(p.classList.contains("dead") ? [2, 3] : []);
      ctx.globalAlpha = p.classList.contains("dead") ? 0.45 : 1;
      ctx.beginPath();
      ctx.moveTo(v[0], v[1]);
      ctx.bezierCurveTo(v[2], v[3], v[4], v[5], v[6], v[7]);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    for (const n of nodes) {
      const x = px(n, "left");
      const y = px(n, "top");
      const canvas = n.querySelector("canvas");
      ctx.globalAlpha = n.classList.contains("disabled") ? 0.3 : 1;
      ctx.fillStyle = "#fff";
      ctx.fillRect(x, y, NODE, NODE);
      if (canvas) ctx.drawImage(canvas, x, y, NODE, NODE);
      ctx.strokeStyle = "rgba(0, 0, 0, 0.35)";
      ctx.lineWidth = 1;
      ctx.strokeRect(x - 0.5, y - 0.5, NODE + 1, NODE + 1);
    }
    ctx.globalAlpha = 1;
    for (const b of /** @type {HTMLElement[]} */ ([...view.nodeLayer.querySelectorAll(".net-bias")])) {
      ctx.fillStyle = b.style.backgroundColor || valueColor(0);
      ctx.fillRect(px(b, "left"), px(b, "top"), 7, 7);
      ctx.strokeStyle = "rgba(0, 0, 0, 0.4)";
      ctx.strokeRect(px(b, "left") - 0.5, px(b, "top") - 0.5, 8, 8);
    }
    ctx.font = `12px ${FONT}`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    for (const l of /** @type {HTMLElement[]} */ ([...view.nodeLayer.querySelectorAll(".net-feature-label")])) {
      ctx.fillStyle = l.classList.contains("disabled") ? "#bbb" : "#333";
      ctx.fillText(l.textContent ?? "", LABEL_WIDTH - 12, px(l, "top") + NODE / 2);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillStyle = "#333";
    const out = /** @type {HTMLElement | null} */ (view.nodeLayer.querySelector(".net-output-label"));
    if (out) {
      const [first, ...rest] = [...out.childNodes].map((c) => c.textContent ?? "").filter(Boolean);
      ctx.fillText(first ?? "output", px(out, "left"), px(out, "top"));
      if (rest.length) ctx.fillText(rest.join(" "), px(out, "left"), px(out, "top") + 15);
    }
    ctx.fillStyle = "#666";
    for (const m of /** @type {HTMLElement[]} */ ([...view.nodeLayer.querySelectorAll(".net-more")])) {
      ctx.fillText(m.textContent ?? "", px(m, "left"), px(m, "top") + 8);  // a wide layer's "+N more"
    }
    ctx.fillStyle = "#333";
    ctx.font = `11px ${FONT}`;
    view.nodeLayer.querySelectorAll(".net-layer-controls").forEach((box, h) => {
      const e = /** @type {HTMLElement} */ (box);
      const count = e.querySelector(".net-neuron-count")?.textContent ?? "";
      const act = /** @type {HTMLSelectElement | null} */ (e.querySelector("select"))?.value ?? "";
      const x = px(e, "left") + px(e, "width") / 2;
      ctx.fillText(`layer ${h + 1}`, x, 20);
      ctx.fillText(`${count}, ${act}`, x, 35);
    });
    ctx.restore();
  };
  return { width, height: bottom + TOP, draw };
}

/**
 * The export buttons of the diagram.
 * @param {{svg: SVGSVGElement, nodeLayer: HTMLElement, builtWidth: number, decorations: Map<string, unknown>}} view
 */
export function networkFigure(view) {
  return figureTools({
    what: "network", title: "Network: features, hidden layers and output",
    source: () => source(view),
    legend: () => [
      { label: "positive weight", color: valueColor(0.8) }, { label: "negative weight", color: valueColor(-0.8) },
      { label: "dead link (never active)", kind: "dash", color: "#999" },
    ],
    note: () => "Line width grows with |weight| (widest from 5). Small squares: biases, in the same colours. " +
      "Each node shows its output over the input plane (−1 orange … +1 blue)." +
      (view.decorations.size ? " The signature block drawn on the page is not part of this figure." : ""),
  });
}
