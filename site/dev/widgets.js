// @ts-check
// Dev-only: renders every widget with synthetic data so the layout can be screenshotted without
// Python. On widgets.html it fills the demo; fillIndexPage() fills the real index.html layout
// (inject it from a test driver) to preview the finished page. Not shipped by the build.

import { buildLut } from "../js/widgets/colors.js";
import { Heatmap, drawThumb } from "../js/widgets/heatmap.js";
import { LineChart } from "../js/widgets/linechart.js";
import { NetworkView } from "../js/widgets/network.js";
import { renderDatasetThumbs } from "../js/widgets/thumbs.js";

/** @type {[string, string, (x: number, y: number) => number][]} */
const FEATURES = [
  ["x", "X₁", (x, y) => x / 6],
  ["y", "X₂", (x, y) => y / 6],
  ["xSquared", "X₁²", (x, y) => (x * x) / 18 - 1],
  ["ySquared", "X₂²", (x, y) => (y * y) / 18 - 1],
  ["xTimesY", "X₁X₂", (x, y) => (x * y) / 18],
  ["sinX", "sin(X₁)", (x, y) => Math.sin(x)],
  ["sinY", "sin(X₂)", (x, y) => Math.sin(y)],
  ["sinXTimesY", "sin(X₁X₂)", (x, y) => Math.sin(x * y)],
  ["cir", "sin(X₁²+X₂²)", (x, y) => Math.sin(x * x + y * y)],
  ["avg", "(X₁+X₂)/2", (x, y) => (x + y) / 12],
];

/** Deterministic PRNG (mulberry32) so screenshots are stable. */
function makeRandom(seed = 7) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = makeRandom();
const uniform = (/** @type {number} */ a, /** @type {number} */ b) => a + (b - a) * random();

/** @param {number} v */
const quantise = (v) => Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5);

/**
 * @param {(x: number, y: number) => number} f
 * @param {number} n
 * @param {Uint8Array} [out]
 * @param {number} [offset]
 */
function grid(f, n, out = new Uint8Array(n * n), offset = 0) {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = -6 + (12 * (j + 0.5)) / n;
      const y = 6 - (12 * (i + 0.5)) / n;
      out[offset + i * n + j] = quantise(f(x, y));
    }
  }
  return out;
}

/** @param {number} n */
function circlePoints(n) {
  const flat = [];
  for (let k = 0; k < n; k++) {
    const inside = k % 2 === 0;
    const r = inside ? uniform(0, 2.5) : uniform(3.5, 5);
    const t = uniform(0, 2 * Math.PI);
    flat.push(r * Math.cos(t), r * Math.sin(t), inside ? 1 : -1);
  }
  return flat;
}

/** @param {(x: number, y: number) => number} labelOf */
function boxPoints(labelOf, n = 200) {
  const flat = [];
  for (let k = 0; k < n; k++) {
    const x = uniform(-5.5, 5.5);
    const y = uniform(-5.5, 5.5);
    flat.push(x, y, labelOf(x, y));
  }
  return flat;
}

function spiralPoints(n = 200) {
  const flat = [];
  for (let k = 0; k < n / 2; k++) {
    const r = (5 * k) / (n / 2);
    const t = (1.75 * 2 * Math.PI * k) / (n / 2);
    flat.push(r * Math.sin(t), r * Math.cos(t), 1, r * Math.sin(t + Math.PI), r * Math.cos(t + Math.PI), -1);
  }
  return flat;
}

const DATASETS = [
  { name: "circle", label: "Circle", points: circlePoints(200) },
  { name: "xor", label: "Exclusive or", points: boxPoints((x, y) => (x * y >= 0 ? 1 : -1)) },
  { name: "gauss", label: "Gaussian", points: boxPoints((x, y) => (x + y >= 0 ? 1 : -1)) },
  { name: "spiral", label: "Spiral", points: spiralPoints() },
  { name: "csum-grid", label: "Checksum grid", points: boxPoints((x, y) => (Math.floor(x) + Math.floor(y)) % 2 ? 1 : -1) },
];

/**
 * A synthetic model of the given hidden shape; weights grow with |i - j| so widths vary.
 * @param {number} enabledCount features switched on (the first ones)
 * @param {number[]} hidden
 */
function syntheticModel(enabledCount, hidden) {
  const features = FEATURES.map(([id, label], k) => ({ id: String(id), label: String(label), enabled: k < enabledCount }));
  const layerSizes = [enabledCount, ...hidden, 1];
  const weights = [];
  const biases = [];
  const dead = [];
  for (let l = 0; l + 1 < layerSizes.length; l++) {
    weights.push(Array.from({ length: layerSizes[l] }, () => Array.from({ length: layerSizes[l + 1] }, () => uniform(-1, 1) ** 3 * 3)));
    dead.push(Array.from({ length: layerSizes[l] }, (_, i) => Array.from({ length: layerSizes[l + 1] }, (_, j) => l === 1 && (i + j) % 7 === 0)));
    biases.push(Array.from({ length: layerSizes[l + 1] }, () => uniform(-1, 1)));
  }
  return {
    features,
    layerSizes,
    activationNames: [...hidden.map(() => "tanh"), "tanh"],
    layerActivationChoices: ["relu", "tanh", "sigmoid", "linear"],
    weights,
    biases,
    dead,
    // Demo data: the page takes these from the state table (networkShape), which this Python-free page lacks.
    bounds: { maxLayers: 6, minNeurons: 1, maxNeurons: 8 },
  };
}

/**
 * Thumbnail buffer for every node id of a model: features by their function, neurons by a wave.
 * @param {ReturnType<typeof syntheticModel>} model
 */
function syntheticThumbs(model) {
  const n = 10;
  /** @type {{id: string, offset: number, w: number, h: number}[]} */
  const layout = [];
  const ids = model.features.map((f) => f.id);
  const neuronCount = model.layerSizes.slice(1).reduce((a, b) => a + b, 0);
  for (let k = 1; k <= neuronCount; k++) ids.push(String(k));
  const buffer = new Uint8Array(ids.length * n * n);
  ids.forEach((id, k) => {
    const feature = FEATURES.find(([fid]) => fid === id);
    const angle = k * 0.9;
    const f = feature
      ? /** @type {(x: number, y: number) => number} */ (feature[2])
      : (/** @type {number} */ x, /** @type {number} */ y) => Math.tanh((x * Math.cos(angle) + y * Math.sin(angle)) / 2 + Math.sin(k) * 2);
    grid(f, n, buffer, k * n * n);
    layout.push({ id, offset: k * n * n, w: n, h: n });
  });
  return { buffer, layout };
}

/** @param {HTMLElement} container @param {ReturnType<typeof syntheticModel>} model */
function showNetwork(container, model, log = (/** @type {string} */ _) => {}) {
  const name = container.id;
  const view = new NetworkView(container);
  /** @type {(keyof import("../js/widgets/network-parts.js").NetworkEvents)[]} */
  const events = ["toggleFeature", "editWeight", "editBias", "hoverNode", "addLayer", "removeLayer", "addNeuron", "removeNeuron", "layerActivation"];
  for (const event of events) {
    view.on(event, (/** @type {unknown[]} */ ...args) => log(`${name}: ${event}(${args.map((a) => JSON.stringify(a)).join(", ")})`));
  }
  view.render(model);
  const { buffer, layout } = syntheticThumbs(model);
  view.drawThumbnails(buffer, layout);
  return view;
}

const circleSurface = (/** @type {number} */ x, /** @type {number} */ y) => Math.tanh(2.8 - Math.hypot(x, y));

/** @param {HTMLElement} host @param {boolean} discretize @param {boolean} withExtras */
function showHeatmap(host, discretize, withExtras) {
  const heatmap = new Heatmap(host);
  heatmap.draw(grid(circleSurface, 100), 100, 100, { discretize });
  const points = circlePoints(300);
  heatmap.setPoints(points.slice(0, 450), points.slice(450), { showTest: withExtras });
  if (withExtras) {
    heatmap.setMarks([
      { x: 2.5, y: 2.5, x0: 4.2, y0: 3.6, kind: "moved" },
      { x: -3, y: 1, x0: -4.4, y0: 0.2, kind: "moved" },
      { x: 0.5, y: -4, kind: "trigger" },
      { x: -1.5, y: -1.5, kind: "flipped" },
    ]);
  }
  return heatmap;
}

function showLineChart(/** @type {HTMLCanvasElement} */ canvas) {
  const chart = new LineChart(canvas);
  for (let epoch = 1; epoch <= 2000; epoch++) {
    const base = 0.05 + 0.45 * Math.exp(-epoch / 250);
    chart.push(epoch, base + 0.01 * Math.sin(epoch / 9), base * 1.12 + 0.015 * Math.sin(epoch / 13));
  }
  return chart;
}

function fillWidgetsPage() {
  const logBox = /** @type {HTMLElement} */ (document.getElementById("event-log"));
  const log = (/** @type {string} */ line) => {
    logBox.textContent = `${line}\n${logBox.textContent}`.slice(0, 4000);
  };
  showNetwork(/** @type {HTMLElement} */ (document.getElementById("net-big")), syntheticModel(10, [8, 8, 8, 8, 8, 8]), log);
  showNetwork(/** @type {HTMLElement} */ (document.getElementById("net-small")), syntheticModel(2, [4, 2]), log);
  const smooth = showHeatmap(/** @type {HTMLElement} */ (document.getElementById("heatmap-smooth")), false, true);
  smooth.onPick((x, y) => log(`pick(${x.toFixed(2)}, ${y.toFixed(2)})`));
  showHeatmap(/** @type {HTMLElement} */ (document.getElementById("heatmap-discrete")), true, false);
  showLineChart(/** @type {HTMLCanvasElement} */ (document.getElementById("linechart-demo")));
  const thumbs = /** @type {HTMLElement} */ (document.getElementById("dataset-demo"));
  const select = (/** @type {string} */ name) => {
    log(`selectDataset(${name})`);
    renderDatasetThumbs(thumbs, DATASETS, name, select);
  };
  renderDatasetThumbs(thumbs, DATASETS, "circle", select);
  const ramp = new Uint8Array(256).map((_, k) => k);
  drawThumb(/** @type {HTMLCanvasElement} */ (document.getElementById("lut-strip")), ramp, 0, 256, 1, buildLut(255));
}

/** Fills index.html's real containers, to preview the page as it looks once Python is ready. */
export function fillIndexPage() {
  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const model = syntheticModel(2, [4, 2]);
  model.features.forEach((f) => { f.enabled = f.id === "x" || f.id === "y"; });
  showNetwork(byId("network"), model);
  showHeatmap(byId("heatmap"), false, false);
  showLineChart(/** @type {HTMLCanvasElement} */ (byId("linechart")));
  const thumbs = byId("dataset-thumbs");
  renderDatasetThumbs(thumbs, DATASETS.slice(0, 4), "circle", () => {});
  byId("iter-number").textContent = "002,000";
  byId("loss-test").textContent = "0.061";
  byId("loss-train").textContent = "0.052";
  byId("acc-test").textContent = "98.4%";
  byId("acc-train").textContent = "99.2%";
  for (const [id, options, value] of [
    ["learningRate", ["0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"], "0.03"],
    ["activations", ["ReLU", "Tanh", "Sigmoid", "Linear"], "Tanh"],
    ["regularizations", ["None", "L1", "L2"], "None"],
    ["regularRate", ["0", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"], "0"],
    ["problem", ["Classification", "Regression", "Checksum"], "Classification"],
    ["loss", ["Square", "Cross-entropy"], "Square"],
  ]) {
    const select = /** @type {HTMLSelectElement} */ (byId(String(id)));
    select.replaceChildren(...[...options].map((o) => new Option(o, o)));
    select.value = String(value);
  }
  byId("status").dataset.state = "ready";
}

if (document.body.dataset.demo === "widgets") fillWidgetsPage();
