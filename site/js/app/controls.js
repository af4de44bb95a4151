// @ts-check
// The form controls bound to state keys: options and ranges come from the state table, values from the config
// Python validated, and every user change is reported as a patch {key: value}.
import { PROPS } from "./state.js";

/**
 * @typedef {import("./replies.js").Config} Config
 * @typedef {import("./replies.js").ConfigValue} ConfigValue
 */

/** State key -> element id (TF Playground's ids where it has them). @type {Readonly<Record<string, string>>} */
export const CONTROL_IDS = {
  learningRate: "learningRate",
  activation: "activations",
  regularization: "regularizations",
  regularizationRate: "regularRate",
  problem: "problem",
  loss: "loss",
  percTrainData: "percTrainData",
  noise: "noise",
  batchSize: "batchSize",
  trojan: "trojan",
  showTestData: "show-test-data",
  discretize: "discretize",
};

/** A choice's label in the selects (the value itself when not listed). @type {Readonly<Record<string, string>>} */
const LABELS = {
  relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear", relu_csum: "ReLU_CSUM",
  linear_csum: "Linear_CSUM", tanh_csum: "Tanh_CSUM", sigmoid_csum: "Sigmoid_CSUM", none: "None", L1: "L1", L2: "L2",
  classification: "Classification",
  regression: "Regression", square: "Square ½(o−t)²", crossentropy: "Cross-entropy",
};

/** How a slider value reads next to its label (the value from the config, or the input's text while dragging). @type {Readonly<Record<string, (v: ConfigValue) => string>>} */
const SLIDER_TEXT = {
  percTrainData: (v) => `${v}%`,
  noise: (v) => `${v}`,
  batchSize: (v) => `${v}`,
  trojan: (v) => (Number(v) === 0 ? "none" : `T${v}`),
};

/** @param {string} key */
export function element(key) {
  const id = CONTROL_IDS[key];
  return /** @type {HTMLInputElement | HTMLSelectElement | null} */ (id ? document.getElementById(id) : null);
}

/** @param {string} value */
export function label(value) {
  return LABELS[value] ?? String(value);
}

/** Fill selects and slider ranges from the table (before Python is ready). */
export function buildControls() {
  for (const key of Object.keys(CONTROL_IDS)) {
    const el = element(key);
    const prop = PROPS.get(key);
    if (!el || !prop) continue;
    if (el instanceof HTMLSelectElement) {
      el.replaceChildren(...(prop.choices || []).map((c) => new Option(label(String(c)), String(c))));
    } else if (el.type === "range") {
      if (prop.lo != null) el.min = String(prop.lo);
      if (prop.hi != null) el.max = String(prop.hi);
      el.step = String(prop.step ?? 1);
    }
  }
}

/** Show `config`'s values in the controls. @param {Config} config */
export function writeControls(config) {
  for (const key of Object.keys(CONTROL_IDS)) {
    const el = element(key);
    if (!el || !(key in config)) continue;
    if (el instanceof HTMLInputElement && el.type === "checkbox") el.checked = Boolean(config[key]);
    else el.value = String(config[key]);
    writeSliderText(key, config[key]);
  }
}

/** @param {string} key @param {ConfigValue} value */
function writeSliderText(key, value) {
  const fmt = SLIDER_TEXT[key];
  if (!fmt) return;
  const out = document.querySelector(`.ui-${key} .value, #${CONTROL_IDS[key]}-value`);
  if (out) out.textContent = fmt(value);
}

/** @param {string} key @param {HTMLInputElement | HTMLSelectElement} el @returns {ConfigValue} */
function readControl(key, el) {
  if (el instanceof HTMLInputElement && el.type === "checkbox") return el.checked;
  const prop = PROPS.get(key);
  if (prop && (prop.kind === "int" || prop.kind === "number")) return Number(el.value);
  if (prop && prop.kind === "choice" && typeof prop.choices?.[0] === "number") return Number(el.value);
  return el.value;
}

/** Report every user change as a patch. @param {(patch: Partial<Config>) => void} onChange */
export function bindControls(onChange) {
  for (const key of Object.keys(CONTROL_IDS)) {
    const el = element(key);
    if (!el) continue;
    if (el instanceof HTMLInputElement && el.type === "range") {
      // The text follows the drag at once; the (costlier) change goes to Python when the thumb is released.
      el.addEventListener("input", () => writeSliderText(key, el.value));
    }
    el.addEventListener("change", () => onChange({ [key]: readControl(key, el) }));
  }
}

/** Hide `.ui-<name>` for every `<name>_hide` flag, and the text for hideText. @param {Config} config */
export function applyHiding(config) {
  for (const el of document.querySelectorAll("[data-hidden-by-url]")) {
    el.removeAttribute("data-hidden-by-url");
    /** @type {HTMLElement} */ (el).style.display = "";
  }
  for (const key of Object.keys(config)) {
    if (!key.endsWith("_hide") || config[key] !== true) continue;
    for (const el of document.querySelectorAll(`.ui-${key.slice(0, -5)}`)) {
      el.setAttribute("data-hidden-by-url", "");
      /** @type {HTMLElement} */ (el).style.display = "none";
    }
  }
  document.body.classList.toggle("hide-text", config.hideText === true);
}
