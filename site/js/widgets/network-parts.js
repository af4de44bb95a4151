// @ts-check
// The network diagram's elements (widgets/network.js places them): the header, feature tiles, neurons with their
// bias squares, the +/- and activation controls above a hidden layer, the output label and the links. Each builder
// makes elements and wires their DOM events to `emit`; none keeps state.

import { el } from "../ui/dom.js";

export const SVG_NS = "http://www.w3.org/2000/svg";
/** Node side, vertical pitch, room for feature labels and for the per-layer controls (CSS px). */
export const NODE = 30;
export const ROW = 44;
export const LABEL_WIDTH = 96;
export const CONTROLS_HEIGHT = 70;

/**
 * What the diagram reports (it never changes the model itself): hiddenIndex counts hidden layers from 0 (the index
 * into networkShape); l, i, j index weights[l][i][j] and biases[l][j]; addNeuron / removeNeuron carry the layer's new
 * width (stepWidth: within the model's bounds, the data set's cap).
 * @typedef {{
 *   toggleFeature: (id: string) => void,
 *   editWeight: (l: number, i: number, j: number, value: number) => void,
 *   editBias: (l: number, j: number, value: number) => void,
 *   hoverNode: (id: string | null) => void,
 *   addLayer: () => void,
 *   removeLayer: () => void,
 *   addNeuron: (hiddenIndex: number, size: number) => void,
 *   removeNeuron: (hiddenIndex: number, size: number) => void,
 *   layerActivation: (hiddenIndex: number, name: string) => void,
 * }} NetworkEvents
 */

/** Above this many neurons +/- step by it (8, 16, 24, 32), and a hidden layer draws its first SHOWN - 1 neurons and
 * "+N more" (its column keeps the height of TF Playground's widest layer). */
export const COARSE = 8;
export const SHOWN = 8;

/**
 * The width +/- gives a layer of `size` neurons (dir +1 / -1): by 1 up to COARSE, by COARSE above it; with `jump`
 * (shift-click) straight to the bound.
 * @param {number} size @param {number} dir @param {boolean} jump @param {{minNeurons: number, maxNeurons: number}} bounds
 */
export function stepWidth(size, dir, jump, { minNeurons, maxNeurons }) {
  const next = jump ? (dir > 0 ? maxNeurons : minNeurons)
    : dir > 0 ? (size < COARSE ? size + 1 : (Math.floor(size / COARSE) + 1) * COARSE)
      : (size <= COARSE ? size - 1 : (Math.ceil(size / COARSE) - 1) * COARSE);
  return Math.min(maxNeurons, Math.max(minNeurons, next));
}

/** How many of a hidden layer's neurons the diagram draws: all up to SHOWN, else SHOWN - 1 (then "+N more"). @param {number} size */
export function shownCount(size) {
  return size <= SHOWN ? size : SHOWN - 1;
}

/**
 * The stand-in for the neurons a wide layer does not draw, in the row under the last one drawn.
 * @param {Point} pos @param {number} more
 */
export function moreElement(pos, more) {
  const tag = el("div.net-more", { title: `${more} more neurons in this layer, not drawn: they train like the others` });
  tag.style.left = `${pos.x + NODE / 2}px`;
  tag.style.top = `${pos.y}px`;
  tag.textContent = `+${more} more`;
  return tag;
}

/**
 * Reports one event with its arguments.
 * @typedef {<K extends keyof NetworkEvents>(event: K, ...args: Parameters<NetworkEvents[K]>) => void} Emit
 * @typedef {{x: number, y: number}} Point
 * @typedef {{id: string, label: string, enabled: boolean}} FeatureInfo
 */

/** The FEATURES / HIDDEN LAYERS header for containers that do not bring their own. */
export function buildHeader() {
  const header = el("div.net-header", { "data-net": "header" });
  header.innerHTML = `
    <div class="net-features-title"><h2 class="column-title">Features</h2>
      <p class="column-hint">Which inputs feed the network? Click to toggle.</p></div>
    <div class="net-hidden-title">
      <button type="button" class="round-button" data-net="add-layer" aria-label="Add a hidden layer">+</button>
      <button type="button" class="round-button" data-net="remove-layer" aria-label="Remove a hidden layer">\u2212</button>
      <h2 class="column-title"><span data-net="layer-count">0</span> <span data-net="layer-noun">hidden layers</span></h2>
    </div>`;
  return header;
}

/**
 * A node square with its thumbnail canvas; hovering it reports hoverNode.
 * @param {string} id @param {Point} pos @param {string} className @param {Emit} emit
 */
export function nodeElement(id, pos, className, emit) {
  const node = el("div", { class: className, "data-id": id });
  node.style.left = `${pos.x}px`;
  node.style.top = `${pos.y}px`;
  const canvas = /** @type {HTMLCanvasElement} */ (el("canvas.net-thumb", { width: "10", height: "10" }));
  node.append(canvas);
  node.addEventListener("mouseenter", () => emit("hoverNode", id));
  node.addEventListener("mouseleave", () => emit("hoverNode", null));
  return { node, canvas };
}

/**
 * A feature tile (a switch: click, Enter or Space toggles it) and its label on the left.
 * @param {FeatureInfo} feature @param {Point} pos @param {Emit} emit
 */
export function featureElements(feature, pos, emit) {
  const { node, canvas } = nodeElement(feature.id, pos, "net-node net-feature", emit);
  node.classList.toggle("disabled", !feature.enabled);
  node.title = feature.enabled ? `${feature.label}: click to turn off` : `${feature.label}: click to use`;
  node.setAttribute("role", "switch");
  node.setAttribute("aria-checked", String(feature.enabled));
  node.setAttribute("aria-label", feature.label);
  node.tabIndex = 0;
  const label = el("div.net-feature-label");
  label.classList.toggle("disabled", !feature.enabled);
  label.textContent = feature.label;
  label.style.top = `${pos.y}px`;
  label.style.width = `${LABEL_WIDTH - 8}px`;
  const toggle = () => emit("toggleFeature", feature.id);
  node.addEventListener("click", toggle);
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggle();
    }
  });
  label.addEventListener("click", toggle);
  return { node, canvas, label };
}

/**
 * A neuron (hidden or output) and its bias square (data-bl / data-bj: its index into biases).
 * @param {string} id @param {Point} pos @param {number} biasLayer @param {number} j @param {boolean} isOutput
 * @param {Emit} emit
 */
export function neuronElements(id, pos, biasLayer, j, isOutput, emit) {
  const { node, canvas } = nodeElement(id, pos, isOutput ? "net-node net-output" : "net-node net-hidden", emit);
  const square = el("div.net-bias", { "data-bl": String(biasLayer), "data-bj": String(j) });
  square.style.left = `${pos.x - 3}px`;
  square.style.top = `${pos.y + NODE - 4}px`;
  return { node, canvas, square };
}

/**
 * The +/- neuron buttons, the neuron count and the activation select above hidden layer `h` (of `size` neurons,
 * between minNeurons and maxNeurons; above COARSE the buttons step by COARSE, shift-click goes to the bound).
 * @param {{h: number, size: number, centerX: number, width: number, choices: string[], minNeurons: number,
 *   maxNeurons: number}} spec
 * @param {Emit} emit
 */
export function layerControls({ h, size, centerX, width, choices, minNeurons, maxNeurons }, emit) {
  const box = el("div.net-layer-controls", { "data-layer": String(h) });
  box.style.left = `${centerX - width / 2}px`;
  box.style.width = `${width}px`;
  const plus = /** @type {HTMLButtonElement} */ (el("button.pm-button", { type: "button", "aria-label": `Add a neuron to layer ${h + 1}` }));
  plus.textContent = "+";
  plus.disabled = size >= maxNeurons;
  const bounds = { minNeurons, maxNeurons };
  plus.addEventListener("click", (event) => emit("addNeuron", h, stepWidth(size, 1, event.shiftKey, bounds)));
  const minus = /** @type {HTMLButtonElement} */ (el("button.pm-button", { type: "button", "aria-label": `Remove a neuron from layer ${h + 1}` }));
  minus.textContent = "\u2212";
  minus.disabled = size <= minNeurons;
  minus.addEventListener("click", (event) => emit("removeNeuron", h, stepWidth(size, -1, event.shiftKey, bounds)));
  if (maxNeurons > COARSE) {  // a wide data set: say how the buttons step
    plus.title = `Add neurons: 1 at a time up to ${COARSE}, then ${COARSE}; shift-click: ${maxNeurons}`;
    minus.title = `Remove neurons: ${COARSE} at a time above ${COARSE}, then 1; shift-click: ${minNeurons}`;
  }
  const buttons = el("div.pm-buttons");
  buttons.append(plus, minus);
  const count = el("div.net-neuron-count");
  count.textContent = size === 1 ? "1 neuron" : `${size} neurons`;
  const select = /** @type {HTMLSelectElement} */ (el("select.net-activation", { "aria-label": `Activation of layer ${h + 1}` }));
  for (const name of choices) select.append(new Option(name, name));
  select.addEventListener("change", () => emit("layerActivation", h, select.value));
  box.append(buttons, count, select);
  return { box, select };
}

/**
 * The label under the output node ("output" or a decoration's), with a slot for the output's activation name.
 * @param {Point} pos the output node's top-left @param {string} text
 */
export function outputLabel(pos, text) {
  const label = el("div.net-output-label");
  label.style.left = `${pos.x + NODE / 2}px`;
  label.style.top = `${pos.y + NODE + 6}px`;
  label.textContent = text;
  const activation = el("span.net-output-activation");
  label.append(document.createElement("br"), activation);
  return { label, activation };
}

/**
 * The link from node i of layer l to node j of layer l + 1: a visible path plus a wide transparent twin that
 * catches the mouse (data-l / data-i / data-j: its index into weights).
 * @param {number} l @param {number} i @param {number} j @param {Point} from @param {Point} to
 */
export function linkPaths(l, i, j, from, to) {
  const x1 = from.x + NODE;
  const y1 = from.y + NODE / 2;
  const x2 = to.x;
  const y2 = to.y + NODE / 2;
  const mid = (x1 + x2) / 2;
  const d = `M${x1},${y1}C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("class", "net-link");
  path.setAttribute("d", d);
  const hit = document.createElementNS(SVG_NS, "path");
  hit.setAttribute("class", "net-link-hit");
  hit.setAttribute("d", d);
  hit.dataset.l = String(l);
  hit.dataset.i = String(i);
  hit.dataset.j = String(j);
  return { path, hit };
}
