// @ts-check
// The panels' bounded numbers. Each limit lives once, in Python (limits.py: checksum/params.PARAMS, defense LIMITS,
// signature LIMITS), and reaches the page through the generated STATE_TABLE.limits (worker/tables.py, build.py);
// this module turns one into a number field's min/max/step and into the client-side check with its message, so
// no panel writes a bound of its own.

import { STATE_TABLE } from "../app/state-table.js";

/**
 * One Python Limit: low/high (open or closed), the default, whether it is an integer, and one line of doc.
 * @typedef {{low: number, high: number, default: number | null, doc: string, integer: boolean,
 *            low_open: boolean, high_open: boolean}} Limit
 */

/** @type {{checksum: Record<"modulo" | "key" | "precision" | "secret" | "window" | "refine" | "k" | "radius" | "max_trials", Limit>,
 *          defense: Record<"radius" | "k" | "sigma" | "n0" | "n" | "alpha", Limit>,
 *          signature: Record<"bits" | "budget_s" | "max_trials" | "candidates" | "index" | "source", Limit>}} */
export const LIMITS = STATE_TABLE.limits;

/**
 * A number input's min, max and step for `limit` (an open bound is still the input's min or max: the check below
 * refuses the bound itself). `step` defaults to 1 for integers and "any" otherwise.
 * @param {Limit} limit @param {{step?: number | "any", max?: number}} [o] max: a tighter upper bound (a layer's width)
 * @returns {{min: string, max: string, step: string}}
 */
export function fieldRange(limit, o = {}) {
  return {
    min: String(limit.low),
    max: String(Math.min(limit.high, o.max ?? Infinity)),
    step: String(o.step ?? (limit.integer ? 1 : "any")),
  };
}

/** "1 ≤ k ≤ 999", "0 < σ ≤ 6". @param {Limit} limit @param {string} name @param {number} [high] a tighter upper bound */
export function rangeText(limit, name, high = limit.high) {
  const open = high < limit.high ? false : limit.high_open;
  return `${limit.low} ${limit.low_open ? "<" : "≤"} ${name} ${open ? "<" : "≤"} ${high}`;
}

/**
 * `value` checked against `limit` (and a tighter `high`): the number, or an Error naming the field and its range,
 * the same rule as Python's Limit.check.
 * @param {number} value @param {string} name @param {Limit} limit @param {string} [text] what was typed, for the message
 * @param {number} [high]
 */
export function checkLimit(value, name, limit, text = String(value), high = limit.high) {
  const tighter = high < limit.high;
  const low = limit.low_open ? value <= limit.low : value < limit.low;
  const over = !tighter && limit.high_open ? value >= high : value > high;
  if (!Number.isFinite(value) || low || over || (limit.integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be ${limit.integer ? "a whole number" : "a number"} with ${rangeText(limit, name, high)} (got “${text || "nothing"}”)`);
  }
  return value;
}

/** A number input's value, checked by checkLimit. @param {HTMLInputElement} input @param {string} name @param {Limit} limit */
export function readLimited(input, name, limit) {
  const text = input.value.trim();
  return checkLimit(text ? Number(text) : NaN, name, limit, text);
}
