// @ts-check
// The cards' one stat tile (css/card.css .card-stat): a label over a value, the raw value in data-value for tests
// and scripts. Used by the checksum (Activate summary), signature (CSUM, block and forgery summaries) and defense
// (result tiles) panels.

import { el } from "./dom.js";

/** A raw value for data-value: written as String(raw); null / undefined leave the attribute out. */
/** @typedef {number | string | boolean | null | undefined} RawValue */

/**
 * One tile: `div.card-stat > dt(label) + dd#id[data-value](text)` and an optional small line under the value.
 * data-value is left out when `raw` is missing, so `#id[data-value]` means "has a value".
 * @param {string} id @param {string} label @param {string | Node} text @param {RawValue} [raw] @param {string} [sub]
 * @returns {HTMLElement}
 */
export function statTile(id, label, text, raw, sub) {
  return el("div.card-stat", null,
    el("dt", null, label),
    el(`dd#${id}`, raw == null ? null : { dataset: { value: String(raw) } }, text),
    sub ? el("dd.card-stat-sub", null, sub) : null);
}
