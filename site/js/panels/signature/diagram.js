// @ts-check
// The signature block in the network diagram (Goldwasser, Kim, Vaikuntanathan, Zamir): the raw inputs (x, y) feed a
// "Verify(vk, ·)" box in parallel with the classifier; certificate schemes add a certificate input drawn as such;
// a "select" node (a multiplexer) passes the classifier's output on, or the signed target label when Verify
// accepts, to the final output. showSignatureBlock registers the drawing as the network widget's "signature"
// decoration while a block is installed (the widget rebuilds and calls it back).
// Pure drawing: SVG paths for the wires, positioned divs for the boxes, data-sig attributes for scripts and tests.

import { el } from "../../ui/dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";
/** Room the block takes right of the classifier's output node (CSS px): the selector and the final output. */
const SIGNATURE_RESERVE = 112;
const VERIFY_W = 104;
const VERIFY_H = 48;
const SELECT_W = 26;
const SELECT_H = 52;

/**
 * What the diagram needs of signature_view().
 * @typedef {{scheme: string, label: string, carrier: "bits" | "certificate", bits: number,
 *            signature_bits: number, carrier_bits_per_coordinate: number, target: string | number,
 *            vk?: {vk_short?: string, vk_fingerprint?: string}, d?: number, k?: number}} SignatureView
 */

/** @param {HTMLElement} node @param {number} x @param {number} y @param {number} [w] @param {number} [h] */
function place(node, x, y, w, h) {
  node.style.left = `${x}px`;
  node.style.top = `${y}px`;
  if (w != null) node.style.width = `${w}px`;
  if (h != null) node.style.height = `${h}px`;
  return node;
}

/** @param {SVGElement} svg @param {string} d @param {string} cls @param {string} role */
function wire(svg, d, cls, role) {
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("class", cls);
  path.setAttribute("d", d);
  path.dataset.sig = role;
  svg.append(path);
  return path;
}

/** An arrowhead pointing along (dx, dy) with its tip at (x, y). @param {number} x @param {number} y @param {number} dx @param {number} dy */
function arrow(x, y, dx, dy) {
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const bx = x - 6 * ux;
  const by = y - 6 * uy;
  return `M${x},${y}L${bx - 3.5 * uy},${by + 3.5 * ux}L${bx + 3.5 * uy},${by - 3.5 * ux}Z`;
}

/** "flip" | 1 | -1 (K = 2), "next" | a class (K > 2) as the label the selector outputs. @param {string | number} t @param {number} [k] */
export function targetText(t, k = 2) {
  if (t === "next") return "the class after the classifier's";
  if (k > 2) return `class ${t}`;
  return t === "flip" ? "the opposite of the classifier's class" : Number(t) > 0 ? "blue (+1)" : "orange (−1)";
}

/**
 * Show (a signature_view() with installed: true) or hide (null) the block in the network diagram, as its
 * "signature" decoration; the stage's data-signature names the scheme drawn ("" when none), for tests.
 * @param {import("../../widgets/network.js").NetworkView} network @param {SignatureView | null} view
 */
export function showSignatureBlock(network, view) {
  network.setDecoration("signature", view && {
    key: JSON.stringify([view.scheme, view.bits, view.carrier, view.target]),
    reserve: SIGNATURE_RESERVE,
    outputLabel: "classifier",
    draw: (g) => drawSignatureBlock(view, g),
  });
  network.stage.dataset.signature = view ? view.scheme : "";
}

/**
 * Draw the block. Geometry in the stage's CSS pixels (output: top-left of the classifier's output node).
 * @param {SignatureView} view @param {import("../../widgets/network.js").DecorationGeometry} g
 * @returns {{outputThumb: HTMLCanvasElement}} the final output's thumbnail (the selector on the grid)
 */
function drawSignatureBlock(view, g) {
  const { svg, nodes, node: N } = g;
  // the raw coordinates into Verify: x, y (and z in 3-D); the digits' 64 pixels are one tile
  const raw = [g.features.x, g.features.y, g.features.z].filter(Boolean);
  const inputs = raw.length >= 2 ? raw : [g.features.pixels ?? Object.values(g.features)[0]].filter(Boolean);
  const coords = !view.d || view.d === 2 ? "x, y" : view.d === 3 ? "x, y, z" : `${view.d} pixels`;
  const cert = view.carrier === "certificate";
  const outMidY = g.output.y + N / 2;
  // classifier output | select | final output, left to right on the output row
  const finalX = g.width - N - 8;
  const selX = Math.round((g.output.x + N + finalX) / 2 - SELECT_W / 2);
  const selY = outMidY - SELECT_H / 2;
  // Verify under the classifier's output (below its "classifier" label); K > 2: the output column is K nodes tall,
  // so Verify sits right of it, under the selector
  const stacked = (view.k ?? 2) > 2;
  const vX = stacked ? g.width - VERIFY_W - 4 : Math.round(g.output.x + N / 2 - VERIFY_W / 2 - 14);
  const vY = g.output.y + N + 58;
  const vMidY = vY + VERIFY_H / 2;

  // wires: the raw inputs into Verify (whatever features the classifier reads)
  inputs.forEach((p, k) => {
    const x1 = p.x + N;
    const y1 = p.y + N / 2;
    const x2 = vX;
    const y2 = vMidY - 8 * (inputs.length - 1) + 16 * k;
    const mid = x1 + (x2 - x1) * 0.55;
    wire(svg, `M${x1},${y1}C${mid},${y1} ${mid},${y2} ${x2},${y2}`, "net-sig-wire net-sig-input", ["input-x", "input-y", "input-z"][k]);
    wire(svg, arrow(x2, y2, 1, 0), "net-sig-head", "head");
  });
  // classifier output -> select (upper input), select -> final output
  wire(svg, `M${g.output.x + N},${outMidY - 9}H${selX + 2}`, "net-sig-wire net-sig-main", "classifier-to-select");
  wire(svg, arrow(selX + 2, outMidY - 9, 1, 0), "net-sig-head", "head");
  wire(svg, `M${selX + SELECT_W},${outMidY}H${finalX}`, "net-sig-wire net-sig-main", "select-to-output");
  wire(svg, arrow(finalX, outMidY, 1, 0), "net-sig-head", "head");
  // Verify -> select's control input (bottom): "accepts -> signed label"
  const ctrlX = selX + SELECT_W / 2;
  wire(svg, stacked ? `M${ctrlX},${vY}V${selY + SELECT_H - 3}` : `M${vX + VERIFY_W},${vMidY}H${ctrlX}V${selY + SELECT_H - 3}`,
    "net-sig-wire net-sig-control", "verify-to-select");
  wire(svg, arrow(ctrlX, selY + SELECT_H - 3, 0, -1), "net-sig-head net-sig-head-control", "head");

  const verify = place(el("div.net-sig-verify", {
    "data-sig": "verify", "data-scheme": view.scheme, "data-carrier": view.carrier,
    title: `Verify(vk, message, signature) with ${view.label}${view.vk?.vk_short ? `; vk ${view.vk.vk_short}` : ""}`,
  }), vX, vY, VERIFY_W, VERIFY_H);
  verify.append(el("span.net-sig-verify-name", null, "Verify(vk, ·)"),
    el("span.net-sig-verify-scheme", null, view.scheme === "toy-rsa" ? `toy RSA ${view.bits}-bit` : view.label.replace(/ \(.*\)$/, "")));
  const inLabel = place(el("div.net-sig-note.net-sig-in-label", { "data-sig": "input-label" },
    cert ? coords : `${coords}: σ in low ${view.carrier_bits_per_coordinate} bits`), stacked ? vX : vX - 4,
    stacked ? vY + VERIFY_H + 4 : vY - 15);
  if (stacked) Object.assign(inLabel.style, { width: `${VERIFY_W}px`, whiteSpace: "normal" });  // under Verify
  else inLabel.style.transform = "translateX(-100%)";
  const accept = place(el("div.net-sig-note", { "data-sig": "accept-label" }, "accepts → y*"), ctrlX + 5, vY - 22);
  accept.hidden = stacked;  // no room beside the K outputs: the wire into y* says it

  const select = place(el("div.net-sig-select", { "data-sig": "select", title: `select: the classifier's output, or ${targetText(view.target, view.k)} where Verify accepts` }),
    selX, selY, SELECT_W, SELECT_H);
  select.append(el("span.net-sig-select-in", null, "h"), el("span.net-sig-select-in", null, "y*"));
  const selLabel = place(el("div.net-sig-note.net-sig-select-label", null, "select"), selX + SELECT_W / 2, selY - 15);

  const final = place(el("div.net-node.net-output.net-sig-final", {
    "data-sig": "final-output", title: "The final output: the selector (equal to the classifier wherever no valid signature rides in the input)",
  }), finalX, g.output.y);
  const finalThumb = /** @type {HTMLCanvasElement} */ (el("canvas.net-thumb", { width: "10", height: "10" }));
  final.append(finalThumb);
  const finalLabel = place(el("div.net-output-label", null, "output"), finalX + N / 2, g.output.y + N + 6);
  nodes.append(verify, inLabel, accept, select, selLabel, final, finalLabel);

  if (cert) {
    const cX = vX + 14;
    const cY = vY + VERIFY_H + 34;
    wire(svg, `M${cX + 13},${cY}V${vY + VERIFY_H + 1}`, "net-sig-wire net-sig-cert-wire", "certificate-to-verify");
    wire(svg, arrow(cX + 13, vY + VERIFY_H + 1, 0, -1), "net-sig-head", "head");
    const certificate = place(el("div.net-sig-cert", {
      "data-sig": "certificate", title: `The certificate input: a ${view.signature_bits}-bit ${view.label} signature of (point, target), too large for the low bits of two coordinates`,
    }, "σ"), cX, cY, 26, 32);
    const certLabel = place(el("div.net-sig-note.net-sig-cert-label", null, `certificate input`), cX + 34, cY + 2);
    certLabel.append(document.createElement("br"), el("span.net-sig-sub", null, `${view.signature_bits}-bit σ`));
    nodes.append(certificate, certLabel);
  }
  return { outputThumb: finalThumb };
}
