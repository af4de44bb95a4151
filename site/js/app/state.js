// @ts-check
// URL-hash state on the page side. The table itself is generated from py/backdoor_playground/config.py
// (js/app/state-table.js, written into dist/ by build.py), so both languages read one declarative table. Python validates authoritatively (and
// reports notices); this lenient parser only lets the page draw its controls before Python is ready.
import { STATE_TABLE } from "./state-table.js";

/**
 * @typedef {import("./replies.js").Config} Config
 * @typedef {import("./replies.js").ConfigValue} ConfigValue
 */

/**
 * One key of the URL state (config.py's STATE_TABLE): its kind, default, choices, and bounds (lo/hi for a number,
 * each entry of an int_list; max_len for a list's length; null where the kind has none).
 * @typedef {{name: string, kind: "bool" | "int" | "number" | "choice" | "string" | "int_list" | "choice_list",
 *   default: ConfigValue, choices: (string | number)[] | null, lo: number | null, hi: number | null,
 *   step: number | null, max_len: number | null, doc: string}} Prop
 */

/** @type {Map<string, Prop>} */
export const PROPS = new Map(/** @type {Prop[]} */ (STATE_TABLE.props).map((p) => [p.name, p]));

/** The prop of a key the page needs (a missing one means the state table and the page disagree). @param {string} name */
export function prop(name) {
  const found = PROPS.get(name);
  if (!found) throw new Error(`the state table has no "${name}"`);
  return found;
}

/** @returns {Config} */
export function defaults() {
  return /** @type {Config} */ (Object.fromEntries([...PROPS.values()].map((p) => [p.name, structuredClone(p.default)])));
}

/**
 * Best-effort typed value of one hash entry, or undefined when it does not parse (Python will say why).
 * @param {Prop} prop @param {string} raw @returns {ConfigValue | undefined}
 */
function parseValue(prop, raw) {
  switch (prop.kind) {
    case "bool":
      return raw === "true" ? true : raw === "false" ? false : undefined;
    case "int":
    case "number": {
      const v = Number(raw);
      return Number.isFinite(v) ? v : undefined;
    }
    case "choice": {
      const match = (prop.choices || []).find((c) => String(c) === raw);
      return match === undefined ? undefined : match;
    }
    case "int_list":
      return raw === "" ? [] : raw.split(",").map(Number);
    case "choice_list":
      return raw === "" ? [] : raw.split(",");
    default:
      return raw;
  }
}

/** Typed state for the controls: defaults overlaid with whatever parses in `hash`. @param {string} hash */
export function parseHash(hash) {
  const state = defaults();
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  for (const part of text.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    let raw;
    try {
      raw = decodeURIComponent(eq < 0 ? "" : part.slice(eq + 1));
    } catch {
      continue;
    }
    const prop = PROPS.get(key);
    if (!prop) continue;
    const value = parseValue(prop, raw);
    if (value !== undefined) state[key] = value;
  }
  return state;
}

/** Names of the hideable controls whose `<name>_hide` flag is set. @param {Config} state */
export function hiddenControls(state) {
  return Object.keys(state)
    .filter((k) => k.endsWith("_hide") && state[k] === true)
    .map((k) => k.slice(0, -"_hide".length));
}

export const DATASETS = STATE_TABLE.datasets;

/** Feature key -> label, in the order the features column shows them. @type {Record<string, string>} */
export const FEATURE_LABELS = STATE_TABLE.features;

/** The plain activations a hidden layer's select offers (Python's activations.ACTIVATIONS). @type {string[]} */
export const PLAIN_ACTIVATIONS = STATE_TABLE.activations;

/**
 * A list key's bounds from the state table: at most `max_len` entries, each in lo..hi.
 * @param {string} name @returns {{lo: number, hi: number, max_len: number}}
 */
export function listBounds(name) {
  const { lo, hi, max_len } = prop(name);
  if (lo == null || hi == null || max_len == null) throw new Error(`the state table gives "${name}" no bounds`);
  return { lo, hi, max_len };
}

/** Hidden layers: at most max_len layers of lo..hi neurons. */
export const NETWORK_SHAPE = listBounds("networkShape");

/** The panels below the playground, in page order (the state table's one list; `embed=panel:<name>` names one). */
export const PANEL_NAMES = /** @type {string[]} */ (STATE_TABLE.panels);
