// @ts-check
// The FEATURES and HIDDEN LAYERS columns: feature tiles, hidden neurons, the output node, and the
// links between them (SVG paths whose width and colour show each weight). Node thumbnails are
// small canvases laid over the SVG. Pure rendering plus events: it never changes the model itself,
// it reports what the user asked for through on(event, cb) and waits for the next render. Others draw extra parts
// into it through setDecoration (the signature panel's Verify box and selector): this widget imports no panel.
// Its elements are built by network-parts.js; the limits on layers and neurons come with the model (the state
// table's networkShape bounds, from Python).

import { buildLut, valueColor } from "./colors.js";
import { drawThumb } from "./heatmap.js";
import { createHoverCard } from "./hovercard.js";
import { networkFigure } from "./network-figure.js";
import { el } from "../ui/dom.js";
import { SVG_NS, NODE, ROW, LABEL_WIDTH, CONTROLS_HEIGHT, SHOWN, buildHeader, featureElements, neuronElements,
  layerControls, moreElement, outputLabel, linkPaths, shownCount } from "./network-parts.js";

/** |w| at which a link reaches its widest stroke. */
const WIDEST_WEIGHT = 5;

/**
 * @typedef {import("./network-parts.js").FeatureInfo} FeatureInfo
 * @typedef {import("./network-parts.js").NetworkEvents} NetworkEvents
 * @typedef {import("./network-parts.js").Point} Point
 * @typedef {{maxLayers: number, minNeurons: number, maxNeurons: number}} ShapeBounds
 *   at most maxLayers hidden layers of minNeurons..maxNeurons neurons (the +/- buttons stop there; the data set's cap)
 * @typedef {{features: FeatureInfo[], layerSizes: number[], activationNames: string[],
 *   layerActivationChoices: string[], weights: number[][][], biases: number[][],
 *   dead?: boolean[][][], bounds: ShapeBounds}} NetworkModel
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
    /** @type {Map<keyof NetworkEvents, Function[]>} */ this.listeners = new Map();
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
    container.append(networkFigure(this));  // PNG / SVG / Copy of the diagram
    new ResizeObserver(() => {
      if (this.model && Math.abs(this.stage.clientWidth - this.builtWidth) > 1) {
        this.build(this.model);
        this.applyState();
      }
    }).observe(this.stage);
  }

  /**
   * Registers a callback for one of the events in NetworkEvents (network-parts.js).
   * @template {keyof NetworkEvents} K @param {K} event @param {NetworkEvents[K]} cb
   */
  on(event, cb) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), cb]);
  }

  /**
   * @template {keyof NetworkEvents} K @param {K} event @param {Parameters<NetworkEvents[K]>} args
   */
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
    this.addLayerButton.disabled = hiddenCount >= model.bounds.maxLayers;
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
      // a wide hidden layer draws its first neurons and "+N more"; ids still count every neuron (TF's numbering)
      const shown = isOutput ? sizes[l] : shownCount(sizes[l]);
      for (let j = 0; j < sizes[l]; j++) {
        const id = String(nextId++);
        if (j >= shown) continue;
        const pos = { x, y: rowY(j) }; // K > 2 classes: one output node per class, stacked
        column.push(pos);
        this.addNeuronNode(id, pos, l - 1, j, isOutput);
      }
      if (shown < sizes[l]) this.nodeLayer.append(moreElement({ x, y: rowY(shown) }, sizes[l] - shown));
      positions.push(column);
      if (!isOutput) this.addLayerControls(l - 1, sizes[l], x + NODE / 2, Math.min(gap - 6, 96), model);
    }
    const outputPos = positions[positions.length - 1][0];
    const lastOutput = positions[positions.length - 1][positions[positions.length - 1].length - 1]; // K > 2: under the last
    const output = outputLabel(lastOutput, decorations.find((d) => d.outputLabel)?.outputLabel ?? "output");
    this.outputActivation = output.activation;
    this.nodeLayer.append(output.label);

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
    this.svg.setAttribute("height", String(rowY(Math.max(model.features.length, Math.min(model.bounds.maxNeurons, SHOWN),
      sizes[sizes.length - 1]))));
  }

  /** The element builders report through this. @type {import("./network-parts.js").Emit} */
  emitter = (event, ...args) => this.emit(event, ...args);

  /** @param {FeatureInfo} feature @param {Point} pos */
  addFeatureNode(feature, pos) {
    const { node, canvas, label } = featureElements(feature, pos, this.emitter);
    this.thumbs.set(feature.id, canvas);
    this.nodeLayer.append(node, label);
  }

  /** @param {string} id @param {Point} pos @param {number} biasLayer index into biases @param {number} j @param {boolean} isOutput */
  addNeuronNode(id, pos, biasLayer, j, isOutput) {
    const { node, canvas, square } = neuronElements(id, pos, biasLayer, j, isOutput, this.emitter);
    this.thumbs.set(id, canvas);
    this.nodeLayer.append(node, square);
    this.biasSquares.push({ l: biasLayer, j, square });
  }

  /**
   * @param {number} h hidden-layer index @param {number} size neurons in the layer @param {number} centerX
   * @param {number} width @param {NetworkModel} model
   */
  addLayerControls(h, size, centerX, width, model) {
    const { minNeurons, maxNeurons } = model.bounds;
    const { box, select } = layerControls(
      { h, size, centerX, width, choices: model.layerActivationChoices, minNeurons, maxNeurons }, this.emitter);
    this.selects.push(select);
    this.nodeLayer.append(box);
  }

  /** @param {number} l @param {number} i @param {number} j @param {Point} from @param {Point} to */
  addLink(l, i, j, from, to) {
    const { path, hit } = linkPaths(l, i, j, from, to);
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
