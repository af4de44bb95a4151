// @ts-check
// The FEATURES and HIDDEN LAYERS columns: feature tiles, hidden neurons, the output node, and the
// links between them (SVG paths whose width and colour show each weight). Node thumbnails are
// small canvases laid over the SVG. Pure rendering plus events: it never changes the model itself,
// it reports what the user asked for through on(event, cb) and waits for the next render. Others draw extra parts
// into it through setDecoration (the signature panel's Verify box and selector): this widget imports no panel.

import { buildLut, valueColor } from "./colors.js";
import { drawThumb } from "./heatmap.js";
import { createHoverCard } from "./hovercard.js";
import { el } from "../ui/dom.js";

export const MAX_HIDDEN_LAYERS = 6;
export const MAX_NEURONS = 8;
export const MIN_NEURONS = 1;

const SVG_NS = "http://www.w3.org/2000/svg";
/** Node side, vertical pitch, room for feature labels and for the per-layer controls (CSS px). */
const NODE = 30;
const ROW = 44;
const LABEL_WIDTH = 96;
const CONTROLS_HEIGHT = 70;
/** |w| at which a link reaches its widest stroke. */
const WIDEST_WEIGHT = 5;

/**
 * @typedef {{id: string, label: string, enabled: boolean}} FeatureInfo
 * @typedef {{features: FeatureInfo[], layerSizes: number[], activationNames: string[],
 *   layerActivationChoices: string[], weights: number[][][], biases: number[][],
 *   dead?: boolean[][][]}} NetworkModel
 * @typedef {{l: number, i: number, j: number, path: SVGPathElement}} LinkRecord
 * @typedef {{l: number, j: number, square: HTMLElement}} BiasRecord
 */

/**
 * Extra parts drawn into the diagram by someone else, registered with setDecoration(name, decoration): `reserve`
 * CSS px kept free right of the output node, `outputLabel` replaces the output node's label ("output"), `key`
 * says when a new decoration draws differently (same key: no rebuild), and `draw` adds its elements on every build
 * and may return a thumbnail that shows the output node's picture.
 * @typedef {{key: string, reserve: number, outputLabel?: string,
 *   draw: (g: DecorationGeometry) => {outputThumb?: HTMLCanvasElement} | void}} Decoration
 * @typedef {{svg: SVGSVGElement, nodes: HTMLElement, node: number, width: number, output: {x: number, y: number},
 *   features: Record<string, {x: number, y: number}>}} DecorationGeometry
 *   output: top-left of the output node; features: top-left of every feature tile, by feature id
 */

/**
 * A copy of `list` with one entry replaced.
 * @template T
 * @param {T[]} list
 * @param {number} k
 * @param {T} value
 */
function replaceAt(list, k, value) {
  const copy = list.slice();
  copy[k] = value;
  return copy;
}

/** @param {number} w */
function linkWidth(w) {
  return 1 + (9 * Math.min(Math.abs(w), WIDEST_WEIGHT)) / WIDEST_WEIGHT;
}

export class NetworkView {
  /**
   * Adopts a static header inside the container when there is one (elements marked
   * data-net="header", "add-layer", "remove-layer", "layer-count", "layer-noun", "stage"), so the
   * page can show the controls before the first render; otherwise builds its own.
   * @param {HTMLElement} container
   */
  constructor(container) {
    this.container = container;
    container.classList.add("network");
    /** @type {Map<string, Function[]>} */ this.listeners = new Map();
    this.lut = buildLut(160);
    /** @type {NetworkModel | null} */ this.model = null;
    this.shapeKey = "";
    this.builtWidth = 0;

    if (!container.querySelector('[data-net="header"]')) container.append(buildHeader());
    const find = (/** @type {string} */ role) =>
      /** @type {HTMLElement} */ (container.querySelector(`[data-net="${role}"]`));
    this.addLayerButton = /** @type {HTMLButtonElement} */ (find("add-layer"));
    this.removeLayerButton = /** @type {HTMLButtonElement} */ (find("remove-layer"));
    this.layerCount = find("layer-count");
    this.layerNoun = find("layer-noun");
    this.addLayerButton.addEventListener("click", () => this.emit("addLayer"));
    this.removeLayerButton.addEventListener("click", () => this.emit("removeLayer"));

    this.stage = find("stage") ?? container.appendChild(el("div.net-stage", { "data-net": "stage" }));
    this.svg = document.createElementNS(SVG_NS, "svg");
    this.svg.setAttribute("class", "net-links");
    this.nodeLayer = el("div.net-nodes");
    this.card = createHoverCard(this.stage, {
      read: (target) => this.readValue(target),
      commit: (target, value) => this.commitValue(target, value),
    });
    this.stage.append(this.svg, this.nodeLayer);
    this.bindLinkHover();

    /** @type {{buffer: Uint8Array, layout: {id: string, offset: number, w: number, h: number}[]} | null} */
    this.lastThumbnails = null;
    // Filled by build(): per-shape DOM handles that updates touch in place.
    /** @type {Map<string, HTMLCanvasElement>} */ this.thumbs = new Map();
    /** @type {LinkRecord[]} */ this.links = [];
    /** @type {BiasRecord[]} */ this.biasSquares = [];
    /** @type {HTMLSelectElement[]} */ this.selects = [];
    this.outputActivation = el("span.net-output-activation");
    /** @type {Map<string, Decoration>} */ this.decorations = new Map();
    /** @type {HTMLCanvasElement[]} */ this.outputThumbs = [];  // decorations' copies of the output's picture
    this.outputId = "";
    new ResizeObserver(() => {
      if (this.model && Math.abs(this.stage.clientWidth - this.builtWidth) > 1) {
        this.build(this.model);
        this.applyState();
      }
    }).observe(this.stage);
  }

  /**
   * Registers a callback. Events: "toggleFeature"(id), "editWeight"(l, i, j, value),
   * "editBias"(l, j, value), "hoverNode"(id | null), "addLayer", "removeLayer",
   * "addNeuron"(hiddenIndex), "removeNeuron"(hiddenIndex), "layerActivation"(hiddenIndex, name).
   * hiddenIndex counts hidden layers from 0 (the index into networkShape).
   * @param {string} event
   * @param {Function} cb
   */
  on(event, cb) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), cb]);
  }

  /** @param {string} event @param {...any} args */
  emit(event, ...args) {
    for (const cb of this.listeners.get(event) ?? []) cb(...args);
  }

  /**
   * Draws the model; rebuilds the DOM only when the features or the shape changed.
   * @param {NetworkModel} model
   */
  render(model) {
    const key = JSON.stringify([model.features, model.layerSizes, model.layerActivationChoices]);
    this.model = { ...model }; // our own record: updates replace its fields, never the caller's arrays
    if (key !== this.shapeKey || Math.abs(this.stage.clientWidth - this.builtWidth) > 1) {
      this.shapeKey = key;
      this.build(model);
    }
    this.applyState();
  }

  /** Brings the current DOM up to date with this.model (everything except the shape). */
  applyState() {
    const model = /** @type {NetworkModel} */ (this.model);
    const hiddenCount = model.layerSizes.length - 2;
    this.layerCount.textContent = String(hiddenCount);
    this.layerNoun.textContent = hiddenCount === 1 ? "hidden layer" : "hidden layers";
    this.addLayerButton.disabled = hiddenCount >= MAX_HIDDEN_LAYERS;
    this.removeLayerButton.disabled = hiddenCount <= 0;
    this.selects.forEach((select, h) => {
      select.value = model.activationNames[h] ?? "";
    });
    this.outputActivation.textContent = model.activationNames[hiddenCount] ?? "";
    for (const rec of this.links) {
      rec.path.classList.toggle("dead", Boolean(model.dead?.[rec.l]?.[rec.i]?.[rec.j]));
    }
    this.updateWeights(model.weights, model.biases);
    if (this.lastThumbnails) this.drawThumbnails(this.lastThumbnails.buffer, this.lastThumbnails.layout);
  }

  /**
   * Restyles links and bias squares in place; cheap enough for every frame.
   * @param {number[][][]} weights
   * @param {number[][]} biases
   */
  updateWeights(weights, biases) {
    if (!this.model) return;
    this.model.weights = weights;
    this.model.biases = biases;
    for (const rec of this.links) {
      const w = weights[rec.l]?.[rec.i]?.[rec.j];
      if (w === undefined) continue;
      rec.path.setAttribute("stroke-width", linkWidth(w).toFixed(2));
      rec.path.setAttribute("stroke", valueColor(w));
    }
    for (const rec of this.biasSquares) {
      const b = biases[rec.l]?.[rec.j];
      if (b !== undefined) rec.square.style.backgroundColor = valueColor(b);
    }
    this.card.refresh();
  }

  /**
   * Adds, replaces (same name) or removes (null) a decoration; the diagram rebuilds when what it draws changes.
   * @param {string} name @param {Decoration | null} decoration
   */
  setDecoration(name, decoration) {
    if ((decoration?.key ?? null) === (this.decorations.get(name)?.key ?? null)) return;
    if (decoration) this.decorations.set(name, decoration);
    else this.decorations.delete(name);
    if (this.model) {
      this.build(this.model);
      this.applyState();
    }
  }

  /**
   * Paints node thumbnails from one packed frame buffer.
   * @param {Uint8Array} buffer
   * @param {{id: string, offset: number, w: number, h: number}[]} layout
   */
  drawThumbnails(buffer, layout) {
    this.lastThumbnails = { buffer, layout }; // repainted after a rebuild (e.g. on resize)
    for (const { id, offset, w, h } of layout) {
      const canvas = this.thumbs.get(id);
      if (canvas) drawThumb(canvas, buffer, offset, w, h, this.lut);
      if (id === this.outputId) for (const thumb of this.outputThumbs) drawThumb(thumb, buffer, offset, w, h, this.lut);
    }
  }

  /** @param {NetworkModel} model */
  build(model) {
    this.card.hide();
    this.builtWidth = this.stage.clientWidth;
    const width = this.builtWidth || 700;
    const sizes = model.layerSizes;
    const hiddenCount = sizes.length - 2;
    const firstX = LABEL_WIDTH;
    const decorations = [...this.decorations.values()];
    const outputX = width - NODE - 8 - decorations.reduce((sum, d) => sum + d.reserve, 0);
    const columnX = (/** @type {number} */ c) => firstX + ((outputX - firstX) * c) / (hiddenCount + 1);
    const rowY = (/** @type {number} */ r) => CONTROLS_HEIGHT + r * ROW;
    const gap = (outputX - firstX) / (hiddenCount + 1);

    this.thumbs = new Map();
    this.links = [];
    this.biasSquares = [];
    this.selects = [];
    this.nodeLayer.replaceChildren();
    this.svg.replaceChildren();

    // positions[l][k] = top-left of node k of layer l (layer 0 = enabled features only).
    /** @type {{x: number, y: number}[][]} */
    const positions = [[]];
    model.features.forEach((feature, row) => {
      const pos = { x: firstX, y: rowY(row) };
      this.addFeatureNode(feature, pos);
      if (feature.enabled) positions[0].push(pos);
    });
    let nextId = 1;
    for (let l = 1; l < sizes.length; l++) {
      const isOutput = l === sizes.length - 1;
      const x = isOutput ? outputX : columnX(l);
      const column = [];
      for (let j = 0; j < sizes[l]; j++) {
        const pos = { x, y: rowY(isOutput ? 0 : j) };
        column.push(pos);
        this.addNeuronNode(String(nextId++), pos, l - 1, j, isOutput);
      }
      positions.push(column);
      if (!isOutput) this.addLayerControls(l - 1, sizes[l], x + NODE / 2, Math.min(gap - 6, 96));
    }
    const outputPos = positions[positions.length - 1][0];
    const outputLabel = el("div.net-output-label");
    outputLabel.style.left = `${outputPos.x + NODE / 2}px`;
    outputLabel.style.top = `${outputPos.y + NODE + 6}px`;
    outputLabel.textContent = decorations.find((d) => d.outputLabel)?.outputLabel ?? "output";
    this.outputActivation = el("span.net-output-activation");
    outputLabel.append(document.createElement("br"), this.outputActivation);
    this.nodeLayer.append(outputLabel);

    for (let l = 0; l + 1 < positions.length; l++) {
      positions[l].forEach((from, i) => {
        positions[l + 1].forEach((to, j) => this.addLink(l, i, j, from, to));
      });
    }
    this.outputId = String(nextId - 1);
    this.outputThumbs = [];
    const features = Object.fromEntries(model.features.map((f, row) => [f.id, { x: firstX, y: rowY(row) }]));
    for (const decoration of decorations) {
      const drawn = decoration.draw({ svg: this.svg, nodes: this.nodeLayer, node: NODE, width, output: outputPos, features });
      if (drawn?.outputThumb) this.outputThumbs.push(drawn.outputThumb);
    }
    this.svg.setAttribute("width", String(width));
    this.svg.setAttribute("height", String(rowY(Math.max(model.features.length, MAX_NEURONS))));
  }

  /**
   * @param {FeatureInfo} feature
   * @param {{x: number, y: number}} pos
   */
  addFeatureNode(feature, pos) {
    const node = this.placeNode(feature.id, pos, "net-node net-feature");
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
    const toggle = () => this.emit("toggleFeature", feature.id);
    node.addEventListener("click", toggle);
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggle();
      }
    });
    label.addEventListener("click", toggle);
    this.nodeLayer.append(label);
  }

  /**
   * @param {string} id
   * @param {{x: number, y: number}} pos
   * @param {number} biasLayer index into biases
   * @param {number} j
   * @param {boolean} isOutput
   */
  addNeuronNode(id, pos, biasLayer, j, isOutput) {
    this.placeNode(id, pos, isOutput ? "net-node net-output" : "net-node net-hidden");
    const square = el("div.net-bias", { "data-bl": String(biasLayer), "data-bj": String(j) });
    square.style.left = `${pos.x - 3}px`;
    square.style.top = `${pos.y + NODE - 4}px`;
    this.nodeLayer.append(square);
    this.biasSquares.push({ l: biasLayer, j, square });
  }

  /**
   * @param {string} id
   * @param {{x: number, y: number}} pos
   * @param {string} className
   */
  placeNode(id, pos, className) {
    const node = el("div", { class: className, "data-id": id });
    node.style.left = `${pos.x}px`;
    node.style.top = `${pos.y}px`;
    const canvas = /** @type {HTMLCanvasElement} */ (el("canvas.net-thumb", { width: "10", height: "10" }));
    node.append(canvas);
    this.thumbs.set(id, canvas);
    node.addEventListener("mouseenter", () => this.emit("hoverNode", id));
    node.addEventListener("mouseleave", () => this.emit("hoverNode", null));
    this.nodeLayer.append(node);
    return node;
  }

  /**
   * The +/- neuron buttons, the neuron count and the activation select above a hidden layer.
   * @param {number} h hidden-layer index
   * @param {number} size neurons in the layer
   * @param {number} centerX
   * @param {number} width
   */
  addLayerControls(h, size, centerX, width) {
    const box = el("div.net-layer-controls", { "data-layer": String(h) });
    box.style.left = `${centerX - width / 2}px`;
    box.style.width = `${width}px`;
    const plus = /** @type {HTMLButtonElement} */ (el("button.pm-button", { type: "button", "aria-label": `Add a neuron to layer ${h + 1}` }));
    plus.textContent = "+";
    plus.disabled = size >= MAX_NEURONS;
    plus.addEventListener("click", () => this.emit("addNeuron", h));
    const minus = /** @type {HTMLButtonElement} */ (el("button.pm-button", { type: "button", "aria-label": `Remove a neuron from layer ${h + 1}` }));
    minus.textContent = "\u2212";
    minus.disabled = size <= MIN_NEURONS;
    minus.addEventListener("click", () => this.emit("removeNeuron", h));
    const buttons = el("div.pm-buttons");
    buttons.append(plus, minus);
    const count = el("div.net-neuron-count");
    count.textContent = size === 1 ? "1 neuron" : `${size} neurons`;
    const select = /** @type {HTMLSelectElement} */ (el("select.net-activation", { "aria-label": `Activation of layer ${h + 1}` }));
    for (const name of this.model?.layerActivationChoices ?? []) select.append(new Option(name, name));
    select.addEventListener("change", () => this.emit("layerActivation", h, select.value));
    this.selects.push(select);
    box.append(buttons, count, select);
    this.nodeLayer.append(box);
  }

  /**
   * A visible link plus a wide transparent twin that catches the mouse.
   * @param {number} l
   * @param {number} i
   * @param {number} j
   * @param {{x: number, y: number}} from
   * @param {{x: number, y: number}} to
   */
  addLink(l, i, j, from, to) {
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
    this.svg.append(path, hit);
    this.links.push({ l, i, j, path });
  }

  /** One delegated listener set for every link and bias square: hover shows, click edits. */
  bindLinkHover() {
    /** @param {Event} event */
    const targetOf = (event) => {
      const t = /** @type {HTMLElement | SVGElement} */ (event.target);
      const data = t.dataset ?? {};
      if (data.l !== undefined) return { kind: "weight", l: +data.l, i: +(data.i ?? 0), j: +(data.j ?? 0) };
      if (data.bl !== undefined) return { kind: "bias", l: +data.bl, i: 0, j: +(data.bj ?? 0) };
      return null;
    };
    for (const layer of [this.svg, this.nodeLayer]) {
      layer.addEventListener("mouseover", (event) => {
        const target = targetOf(event);
        if (target) this.card.show(target, /** @type {MouseEvent} */ (event), false);
      });
      layer.addEventListener("mouseout", (event) => {
        if (targetOf(event)) this.card.leaveSoon();
      });
      layer.addEventListener("click", (event) => {
        const target = targetOf(event);
        if (target) this.card.show(target, /** @type {MouseEvent} */ (event), true);
      });
    }
  }

  /** @param {{kind: string, l: number, i: number, j: number}} target */
  readValue(target) {
    const m = this.model;
    if (!m) return undefined;
    return target.kind === "weight" ? m.weights[target.l]?.[target.i]?.[target.j] : m.biases[target.l]?.[target.j];
  }

  /**
   * Shows the typed value at once (copy-on-write, the caller's arrays stay untouched), then asks
   * the owner to make it real; its next update brings the authoritative value.
   * @param {{kind: string, l: number, i: number, j: number}} target
   * @param {number} value
   */
  commitValue(target, value) {
    const m = this.model;
    if (!m) return;
    const { kind, l, i, j } = target;
    if (kind === "weight") {
      const weights = m.weights.map((layer, k) => (k === l ? layer.map((row, r) => (r === i ? replaceAt(row, j, value) : row)) : layer));
      this.updateWeights(weights, m.biases);
      this.emit("editWeight", l, i, j, value);
    } else {
      const biases = m.biases.map((layer, k) => (k === l ? replaceAt(layer, j, value) : layer));
      this.updateWeights(m.weights, biases);
      this.emit("editBias", l, j, value);
    }
  }
}

/** The FEATURES / HIDDEN LAYERS header for containers that do not bring their own. */
function buildHeader() {
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
