// @ts-check
// What the playground's diagrams are drawn from: a model Python sent, or, before Python is ready, the link's config
// alone, so the whole layout (data-set thumbnails, network diagram) draws at once and the numbers fill in later;
// and the model file of what the page shows (a restarted worker continues from it).
import { FEATURE_LABELS, NETWORK_SHAPE, PLAIN_ACTIVATIONS } from "./state.js";
import { STATE_TABLE, THUMBS } from "./state-table.js";

/**
 * @typedef {import("./replies.js").Config} Config
 * @typedef {import("./replies.js").Model} Model
 * @typedef {import("../widgets/network.js").NetworkModel} NetworkModel
 */

/** The widest hidden layer of each set beyond the plane (datasets_nd max_neurons); every other set: networkShape's hi. */
const WIDTH_CAPS = /** @type {Record<string, {max_neurons: number}>} */ (STATE_TABLE.datasets_nd);

/** The diagram's bounds on the hidden layers for the config's data set. @param {Config} config */
export function shapeBounds(config) {
  const name = String(config.problem === "regression" ? config.regDataset : config.dataset);
  return { maxLayers: NETWORK_SHAPE.max_len, minNeurons: NETWORK_SHAPE.lo,
    maxNeurons: WIDTH_CAPS[name]?.max_neurons ?? NETWORK_SHAPE.hi };
}

/** The network widget's model of a model Python sent. @param {Model} m @param {Config} config @returns {NetworkModel} */
export function networkFromModel(m, config) {
  const enabled = new Set(m.features);
  return {
    features: Object.keys(FEATURE_LABELS).map((id) => ({ id, label: FEATURE_LABELS[id], enabled: enabled.has(id) })),
    layerSizes: m.layer_sizes,
    activationNames: m.activation_names,
    // A planted layer's operator (e.g. relu_csum) stays selectable so the select never goes blank.
    layerActivationChoices: [...new Set([...PLAIN_ACTIVATIONS, ...m.activation_names.slice(0, -1)])],
    weights: m.weights,
    biases: m.biases,
    dead: m.dead,
    bounds: shapeBounds(config),
  };
}

/**
 * The diagram a config asks for, with every weight 0 (drawn thin and grey) until Python sends the real ones. Python
 * validates the config; this reads it leniently, as state.js parsed it, and only for drawing.
 * @param {Config} config @returns {NetworkModel}
 */
export function networkFromConfig(config) {
  const features = Object.keys(FEATURE_LABELS).map((id) => ({ id, label: FEATURE_LABELS[id], enabled: config[id] === true }));
  const bounds = shapeBounds(config);
  const shape = (Array.isArray(config.networkShape) ? config.networkShape.map(Number) : [])
    .slice(0, bounds.maxLayers).map((n) => Math.min(bounds.maxNeurons, Math.max(bounds.minNeurons, n || 1)));
  const sizes = [features.filter((f) => f.enabled).length, ...shape, 1];
  const perLayer = Array.isArray(config.activations) && config.activations.length === shape.length
    ? config.activations.map(String) : shape.map(() => String(config.activation));
  const zeros = (/** @type {number} */ n) => new Array(n).fill(0);
  return {
    features,
    layerSizes: sizes,
    activationNames: [...perLayer, config.problem === "regression" ? "linear" : "tanh"],
    layerActivationChoices: [...new Set([...PLAIN_ACTIVATIONS, ...perLayer])],
    weights: sizes.slice(1).map((n, l) => zeros(sizes[l]).map(() => zeros(n))),
    biases: sizes.slice(1).map((n) => zeros(n)),
    bounds,
  };
}

/**
 * The thumbnails of the config's problem type and the one selected.
 * @param {Config} config
 */
export function thumbsFor(config) {
  const problem = String(config.problem);
  const selected = String(problem === "regression" ? config.regDataset : config.dataset);
  // the sets beyond the plane (with d and K) have their own row (app/problem-view.js)
  return { problem, selected, thumbs: THUMBS.filter((t) => t.problem === problem && t.d == null) };
}

/**
 * The model the page last received, as a model file, so a crashed worker's successor can continue from it.
 * @param {Config} config @param {Model | null} m @param {import("./replies.js").Frame | null} frame
 * @returns {import("./replies.js").ModelDocument | null}
 */
export function modelDocument(config, m, frame) {
  if (!m || !frame) return null;
  /** @type {Partial<Model>} */
  const model = { ...m, weights: frame.weights, biases: frame.biases };
  delete model.features;
  delete model.csum; // the config carries the checksum numbers (one set of numbers, as in an exported file)
  return { format: "backdoor-playground-model", version: 1, config, model };
}
