// @ts-check
// Card D: the registry's defenses without a card of their own here (quantisation, fine-tuning, fine-pruning, the
// spectral and clustering detectors; the matrix panel runs them as columns). A select of those types, one field per
// setting, Run: the panel's runDefense (defend_start / defend_step; a defense without steps runs in one). Everything
// comes from Python through the generated state table (worker/tables.py): the types and their settings with their
// defaults (defense_defaults), the words a setting takes (defense_choices), the bounds (limits.defense) and one line
// about each type with its paper (defense_about). The fields send what was typed: Python's check_defense says what
// is wrong ("defense.step must be ..."), on the status line.
// A result (run here, by a script, docs/EMBED.md, or a Replay link) shows drawn from what the reply carries, never
// from its type: the registry's column metrics (defense/registry.py) as tiles in the metrics table's words, and what
// else it returns beyond its settings (the detectors' count of flagged training points, fine-pruning's pruned neurons).

import { el } from "../../ui/dom.js";
import { percent } from "../../ui/format.js";
import { STATE_TABLE } from "../../app/state-table.js";
import { LIMITS } from "../limits.js";
import { AFTER_ROWS } from "./metrics.js";
import { isRate, numberField, runButton, statusLine, tiles } from "./util.js";

/** @typedef {import("../limits.js").Limit} Limit */
/** @typedef {Record<string, string | number | null>} Params */

/** The reply's keys that are not a result to show (the settings, the timing, the metrics: shown by the table). */
const NOT_SHOWN = new Set(["type", "params", "seconds", "metrics", "settings", "replayed"]);

const TABLE = /** @type {{defense_defaults: Record<string, Record<string, string | number>>,
  defense_choices: Record<string, string[]>, defense_about: Record<string, {text: string, paper: string}>}} */ (
  /** @type {unknown} */ (STATE_TABLE));
const BOUNDS = /** @type {Record<string, Limit>} */ (/** @type {unknown} */ (LIMITS.defense));

/**
 * A number field's spinner step: 1 for an integer, else a tenth of the default's order of magnitude (0.05 -> 0.01).
 * @param {Limit} limit @param {number} value
 */
function spinStep(limit, value) {
  if (limit.integer) return 1;
  return value > 0 ? 10 ** (Math.floor(Math.log10(value)) - 1) : 0.01;
}

/**
 * The fields of one defense type, in its defaults' order: a number per bounded setting, a select per setting that
 * takes a word. `read` gives the experiment's `defense` object as typed (an emptied number field sends "").
 * @param {string} type
 */
function buildForm(type) {
  const defaults = TABLE.defense_defaults[type];
  /** @type {[string, () => string | number][]} */
  const readers = [];
  /** @type {HTMLElement[]} */
  const fields = [];
  for (const [key, value] of Object.entries(defaults)) {
    if (key === "type") continue;
    const id = `df-other-set-${key}`;
    const words = TABLE.defense_choices[key];
    const limit = BOUNDS[key];
    if (words) {
      const select = /** @type {HTMLSelectElement} */ (el(`select.card-select#${id}`, { name: key },
        ...words.map((w) => el("option", { value: w, selected: w === value }, w))));
      fields.push(el("label.card-field", null, key, select));
      readers.push([key, () => select.value]);
    } else if (limit && typeof value === "number") {
      const f = numberField(id, key, limit, { name: key, title: limit.doc, value: String(value), step: spinStep(limit, value) });
      f.input.name = key;
      fields.push(f.element);
      readers.push([key, () => { const text = f.input.value.trim(); const v = Number(text); return text && Number.isFinite(v) ? v : text; }]);
    } else {  // a setting that is neither (none today): its text, checked by Python
      const input = /** @type {HTMLInputElement} */ (el(`input.card-input.card-wide#${id}`, { name: key, value: String(value), title: limit?.doc ?? key }));
      fields.push(el("label.card-field", null, key, input));
      readers.push([key, () => input.value.trim()]);
    }
  }
  // what each setting means, in words (the limits' docs), under the fields: a title alone is lost on touch screens
  const docs = Object.keys(defaults).filter((key) => key !== "type" && BOUNDS[key]?.doc)
    .map((key) => el("span.df-other-doc", null, el("code", null, key), ` ${BOUNDS[key].doc}`));
  const element = el("div.df-other-form", { dataset: { type } },
    el("div.card-row.df-other-fields", null,
      ...(fields.length ? fields : [el("span.card-note", null, "No settings: it runs as the experiment runs it.")])),
    docs.length ? el("p.card-note.df-other-docs", null, ...docs) : null);
  return {
    element,
    /** @returns {Params} */
    read: () => Object.fromEntries([["type", type], ...readers.map(([key, read]) => [key, read()])]),
    /** @param {boolean} off */
    setBusy(off) { for (const f of element.querySelectorAll("input, select")) /** @type {HTMLInputElement} */ (f).disabled = off; },
  };
}

/**
 * @param {{run: (params: Params) => void, owned: string[]}} cb run: the panel's runDefense for this card; owned: the
 *   types that have a card of their own (the select offers every other type of defense_defaults)
 */
export function buildOthersCard(cb) {
  const types = Object.keys(TABLE.defense_defaults).filter((t) => !cb.owned.includes(t));
  const status = statusLine("df-other-status");
  const summary = tiles("df-other-tiles");
  const title = el("span#df-other-name", null, "");
  const pick = /** @type {HTMLSelectElement} */ (el("select.card-select#df-other-type", { "aria-label": "Defense" },
    ...types.map((t) => el("option", { value: t }, t))));
  const about = el("p.card-desc.df-other-about#df-other-about", { "aria-live": "polite" }, "");
  const slot = el("div.df-other-slot");
  /** @type {Record<string, ReturnType<typeof buildForm>>} */
  const forms = {};  // built when first picked; a type's edits stay when another is picked
  const form = () => (forms[pick.value] ??= buildForm(pick.value));
  const run = runButton("df-other-run", "Run", () => form().read(), status, cb.run);
  let busy = false;

  function picked() {
    const f = form();
    f.setBusy(busy);
    slot.replaceChildren(f.element);
    const a = TABLE.defense_about[pick.value];
    about.replaceChildren(a ? a.text : pick.value, ...(a ? [" ", el("span.df-paper", null, `(${a.paper})`)] : []));
    run.textContent = `Run ${pick.value}`;
    element.dataset.picked = pick.value;
  }
  pick.addEventListener("change", picked);

  const element = el("section.card.df-card.df-other-card#df-other-card", null,
    el("h3.card-title", null, el("span.card-step", null, "D"), "Other defenses", title),
    el("p.card-desc", null, "The registry's defenses without a card above (the matrix panel runs each as a column). "
      + "Pick one, set it, run it on the activated test set; the metrics table has its numbers with 95 % Wilson intervals."),
    el("div.card-row", null, el("label.card-field", null, "Defense", pick)),
    about,
    slot,
    el("div.card-row", null, run),
    status.element,
    summary.element,
    el("p.card-note.card-foot", null, "These run in one go in the worker (the page stays responsive; training waits). "
      + "A script's run (", el("code", null, "defend"), ") and a Replay link show here too."));
  picked();

  /** @param {import("../replies.js").DefendReply} r @param {import("../replies.js").DefenseMetrics | null} before */
  function show(r, before) {
    const m = r.metrics ?? {};
    /** @type {import("./util.js").Tile[]} */
    const items = [];
    for (const [key, label] of AFTER_ROWS) {
      const v = m[key];
      if (!(key in m)) continue;
      const was = key === "attack_success_rate_after" && isRate(before?.attack_success_rate) && before.attack_success_rate.value != null
        ? `was ${percent(before.attack_success_rate.value, "auto")}` : "";
      if (isRate(v)) items.push([`df-other-${key}`, label, v.n ? percent(v.value, "auto") : "n = 0", v.value, v.n ? `${v.k} of ${v.n}${was ? ` · ${was}` : ""}` : "nothing to count"]);
      else items.push([`df-other-${key}`, label, v == null ? "none" : Number(v).toFixed(3), v, v == null ? "does not apply here" : ""]);
    }
    // what else the defense returns beyond its settings: a count (the detectors' flagged training points) as it is,
    // a list (fine-pruning's pruned neurons) by its length
    for (const [key, v] of Object.entries(/** @type {Record<string, unknown>} */ (r))) {
      if (NOT_SHOWN.has(key) || key in (r.params ?? {})) continue;
      if (Array.isArray(v)) items.push([`df-other-${key}`, key, String(v.length), v.length, v.length === 1 ? "entry in the reply" : "entries in the reply"]);
      else if (typeof v === "number") items.push([`df-other-${key}`, key, String(v), v]);
    }
    summary.set(items);
    title.textContent = r.type;
    element.dataset.type = r.type;
  }

  function clear() {
    summary.hide();
    status.clear();
    title.textContent = "";
    delete element.dataset.type;
    delete element.dataset.run;
  }

  return {
    element, status, show, clear,
    /** What the panel's progress and messages call a run of `params`. @param {Params} params */
    words: (params) => ({ label: String(params.type), running: `Running ${params.type}…`, bar: "Running" }),
    /** @param {boolean} off */
    setBusy(off) {
      busy = off;
      pick.disabled = off;
      run.disabled = off;
      form().setBusy(off);
    },
  };
}
