// @ts-check
// URL-hash state on the page side. The table itself is generated from py/backdoor_playground/config.py
// (js/state-table.js), so both languages read one declarative table. Python validates authoritatively (and
// reports notices); this lenient parser only lets the page draw its controls before Python is ready.
import { STATE_TABLE } from "./state-table.js";

/** @typedef {{name: string, kind: string, default: any, choices?: any[], lo?: number, hi?: number, step?: number, doc?: string}} Prop */

/** @type {Map<string, Prop>} */
export const PROPS = new Map(STATE_TABLE.props.map((/** @type {Prop} */ p) => [p.name, p]));

/** @returns {Record<string, any>} */
export function defaults() {
  return Object.fromEntries([...PROPS.values()].map((p) => [p.name, structuredClone(p.default)]));
}

/**
 * Best-effort typed value of one hash entry, or undefined when it does not parse (Python will say why).
 * @param {Prop} prop @param {string} raw
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

/** Names of the hideable controls whose `<name>_hide` flag is set. @param {Record<string, any>} state */
export function hiddenControls(state) {
  return Object.keys(state)
    .filter((k) => k.endsWith("_hide") && state[k] === true)
    .map((k) => k.slice(0, -"_hide".length));
}

export const DATASETS = STATE_TABLE.datasets;

/** Feature key -> label, in the order the features column shows them. @type {Record<string, string>} */
export const FEATURE_LABELS = STATE_TABLE.features;
