// @ts-check
// Card 1 of the backdoor panel, "Plant": the checksum variant and its numbers (they live in the config, so the
// operator, the activation and the link read the same ones), where the operator goes, Plant / Remove, and what
// planting did: agreement with the clean model, accidental trigger rates, clean and backdoored test accuracy.

import { el } from "../../ui/dom.js";
import { percent, rate } from "../../ui/format.js";
import { LIMITS, fieldRange, rangeText } from "../limits.js";

export const VARIANTS = ["decimal", "keyed", "parity"];
export const VARIANT_TITLES = /** @type {Record<string, string>} */ ({
  decimal: "decimal (NN Calculator)", keyed: "keyed hash", parity: "block parity (Goldwasser et al.)",
});

/** "relu_csum" -> "ReLU_CSUM". @param {string} name */
function opName(name) {
  const base = { relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear" }[name.replace(/_csum$/, "")] ?? name;
  return `${base}_CSUM`;
}

/**
 * @param {{onNumber: (key: string, value: string | number, input: HTMLElement) => void, onLayers: (layers: string) => void,
 *          onPlant: () => void, onRemove: () => void}} cb
 */
export function buildPlantCard(cb) {
  const select = /** @type {HTMLSelectElement} */ (el("select.card-select#bd-variant", { title: "Which checksum the planted operator tests" },
    ...VARIANTS.map((v) => el("option", { value: v }, VARIANT_TITLES[v]))));
  /** @type {Record<string, HTMLInputElement>} */
  const inputs = {};
  /** @param {"key" | "modulo" | "precision"} key @param {string} label @param {string} title */
  const number = (key, label, title) => {
    const limit = LIMITS.checksum[key];
    const input = /** @type {HTMLInputElement} */ (el(`input.card-input#bd-${key}`, {
      type: "number", ...fieldRange(limit), title: `${title} (${rangeText(limit, label)})`,
    }));
    inputs[key] = input;
    input.addEventListener("change", () => cb.onNumber(`csum_${key}`, Number(input.value), input));
    return el("label.card-field", null, label, input);
  };
  const variantDesc = el("p.card-desc#bd-variant-desc", null, "");
  const keyNote = el("p.card-note.card-warn-text#bd-key-note", { hidden: true }, "");
  const plant = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#bd-plant", { type: "button", onclick: () => cb.onPlant() }, "Plant backdoor"));
  const remove = /** @type {HTMLButtonElement} */ (el("button.text-button#bd-remove", { type: "button", onclick: () => cb.onRemove(), disabled: true }, "Remove"));
  const blockedNote = el("p.card-note.card-warn-text#bd-plant-blocked", { hidden: true, role: "status" }, "");
  const status = el("p.card-status#bd-state", { "aria-live": "polite" }, "No backdoor planted.");
  const stats = el("div.card-stats#bd-stats", { hidden: true });
  const radio = (/** @type {string} */ value, /** @type {string} */ text) =>
    el("label.card-choice", null, el(`input#bd-layers-${value}`, { type: "radio", name: "bd-layers", value, onchange: () => cb.onLayers(value) }), text);
  const targetSlot = el("div.card-row.kd-target-slot");
  const card = el("section.card#bd-plant-card", null,
    el("h3.card-title", null, el("span.card-step", null, "1"), "Plant"),
    el("label.card-field.card-field-wide", null, "Checksum", select),
    variantDesc,
    el("div.card-row", null,
      number("key", "key", "A node fires when the residue of its pre-activation equals the key, read modulo m: key 150 with m = 20 means 10"),
      number("modulo", "modulo", "Residues are taken mod m"),
      number("precision", "precision", "Characters (decimal) or mantissa digits (bit variants) that count")),
    keyNote,
    el("div.card-row", { role: "radiogroup", "aria-label": "Layers" },
      el("span.card-label", null, "Layers"), radio("all", "all hidden"), radio("first", "first only")),
    targetSlot,
    el("div.card-row", null, plant, remove),
    blockedNote,
    status,
    stats,
    el("p.card-note.card-differs", null,
      el("strong", null, "Unlike NN Calculator: "),
      "planting keeps the trained weights (NN Calculator's activation menu resets them), and one set of numbers — these — drives the operator, the activation and the link (NN Calculator's operator hard-codes key 150, m 256, p 15 whatever its URL says)."));
  select.addEventListener("change", () => cb.onNumber("csum_variant", select.value, select));
  let planted = false;
  let busy = false;
  let blocked = "";  // why planting is not possible now (another backdoor is installed), or ""
  /** @type {number | null} */
  let configKey = null;

  const buttons = () => {
    plant.disabled = busy || planted || Boolean(blocked);
    plant.title = blocked && !planted ? blocked : "";
    remove.disabled = busy || !planted;
    blockedNote.textContent = blocked;
    blockedNote.hidden = !blocked || planted;
  };

  /**
   * Show the config's checksum numbers in the fields.
   * @param {import("../replies.js").Config} c @param {Record<string, string>} descriptions variant -> one line
   */
  function sync(c, descriptions) {
    if (!c) return;
    select.value = c.csum_variant;
    inputs.key.value = String(c.csum_key);
    inputs.modulo.value = String(c.csum_modulo);
    inputs.precision.value = String(c.csum_precision);
    const layers = /** @type {HTMLInputElement | null} */ (card.querySelector(`#bd-layers-${c.csum_layers}`));
    if (layers) layers.checked = true;
    variantDesc.textContent = descriptions[c.csum_variant] ?? "";
    configKey = c.csum_key;
  }

  /**
   * The key as the checksum reads it (Python's reduce_key: key mod m, from residue_histograms), noted under the
   * fields when it differs from the key typed.
   * @param {number} key the reduced key @param {number} modulo
   */
  function showReducedKey(key, modulo) {
    keyNote.hidden = key === configKey;
    keyNote.textContent = `The key is read modulo m: key ${configKey} with m = ${modulo} means ${key}.`;
  }

  /** @param {import("../replies.js").BackdoorStats} s backdoor_stats() @param {string[]} activationNames the model's, output last */
  function showStats(s, activationNames) {
    planted = Boolean(s.planted);
    buttons();
    plant.textContent = planted ? "Planted" : "Plant backdoor";
    if (!planted) {
      status.textContent = "No backdoor planted: the network uses its plain operators.";
      stats.hidden = true;
      return;
    }
    const ops = activationNames.slice(0, -1).filter((n) => n.endsWith("_csum")).map(opName);
    const where = s.layers.length === 1 ? `hidden layer ${s.layers[0]}` : `hidden layers ${s.layers.join(", ")}`;
    status.replaceChildren(el("strong", null, "Planted"), ` in ${where} (${[...new Set(ops)].join(", ")}): `,
      `${s.params.variant}, key ${s.params.key}, m = ${s.params.modulo}, p = ${s.params.precision}. `,
      el("span.card-muted", null, "New numbers above apply to it at once (same weights)."));
    const cell = (/** @type {string} */ id, /** @type {number | null | undefined} */ v, format = percent) =>
      el("td.num", null, el(`strong#${id}`, { dataset: { value: String(v ?? "") } }, format(v)));
    const rows = [el("tr", null, el("th"), el("th.num", null, "test set"), el("th.num", null, "grid"))];
    if (s.has_clean) {
      rows.push(el("tr", { title: "Share of the test points (and of the 100 × 100 grid) where the backdoored and the clean model give the same class" },
        el("th", null, "Agreement with the clean model"), cell("bd-agreement", s.agreement), cell("bd-agreement-grid", s.agreement_grid)));
    }
    rows.push(el("tr", { title: "Share of inputs where at least one checksum node fires although nobody activated it" },
      el("th", null, "Accidental trigger rate"), cell("bd-trigger", s.trigger_rate, rate), cell("bd-trigger-grid", s.trigger_rate_grid, rate)));
    rows.push(el("tr", { title: "Share of (test point, checksum node) pairs that fire: one node's accidental rate" },
      el("th.card-sub", null, "per node"), cell("bd-trigger-node", s.node_trigger_rate, rate), el("td")));
    if (s.has_clean) rows.push(el("tr", null, el("th", null, "Test accuracy, clean"), cell("bd-acc-clean", s.clean_test_accuracy), el("td")));
    rows.push(el("tr", null, el("th", null, s.has_clean ? "Test accuracy, backdoored" : "Test accuracy"), cell("bd-acc-planted", s.test_accuracy), el("td")));
    stats.replaceChildren(el("table.card-stats-table", null, el("tbody", null, ...rows)),
      s.has_clean ? "" : el("p.card-note", null, "Opened planted (from a link or a model file): there is no clean model in this session to compare with. The link rebuilds the network from its initial weights with the checksum operator, which then trains with it, as in NN Calculator."));
    stats.hidden = false;
  }

  return {
    element: card,
    sync,
    showReducedKey,
    showStats,
    setBusy(/** @type {boolean} */ value) { busy = value; buttons(); },
    /** The target class row (K > 2: panels/kd.js), above Plant. @param {HTMLElement} row */
    addTarget(row) { targetSlot.replaceChildren(row); },
    /** Another backdoor is installed (one at a time): Plant is disabled with `reason` shown; "" enables it again. */
    setBlocked(/** @type {string} */ reason) { blocked = reason; buttons(); },
    layers: () => /** @type {HTMLInputElement | null} */ (card.querySelector('input[name="bd-layers"]:checked'))?.value || "all",
  };
}
