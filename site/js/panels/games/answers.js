// @ts-check
// The answers to a round's queries, a table row per point: distinguish shows both models' label and raw output
// (15 significant digits, so a difference in the last digits shows; a row where they differ is marked), trigger
// the backdoored model's and whether the backdoor fired. Also the parsers of a typed point and of a CSV of points.

import { el } from "../../ui/dom.js";

/**
 * @typedef {number | number[]} Raw
 * @typedef {{point: number[], labels: number[], raw: Raw[]}} PairAnswer
 * @typedef {{point: number[], label: number, raw: Raw, fired: boolean}} TriggerAnswer
 */

/** A raw output with enough digits to see a difference. @param {Raw} v */
export function rawText(v) {
  return Array.isArray(v) ? `[${v.map((x) => x.toPrecision(8)).join(", ")}]` : v.toPrecision(15);
}

/** A label as the playground names it. @param {number} v @param {number} k */
export const labelText = (v, k) => (k <= 2 ? (v > 0 ? "+1" : "−1") : `class ${v}`);

const pointText = (/** @type {number[]} */ p) => `(${p.map((v) => v.toFixed(4)).join(", ")})`;

/**
 * The point's cell: its coordinates, or for a test image (the digits' grid) its index, the pixels in the title.
 * Test hooks: the row's data-point (every coordinate) and data-image.
 * @param {number[]} p @param {number | undefined} image
 */
function pointCell(p, image) {
  if (image === undefined && p.length <= 4) return el("td.gm-mono", null, pointText(p));
  const text = image === undefined ? `(${p.slice(0, 3).map((v) => v.toFixed(4)).join(", ")}, …: ${p.length} numbers)`
    : `test image ${image}`;
  return el("td.gm-mono", { title: pointText(p) }, text);
}

/** @param {number[]} p @param {number | undefined} image */
const rowData = (p, image) => ({ point: p.join(","), ...(image === undefined ? {} : { image: String(image) }) });

/**
 * A point typed as "x, y" (or d numbers, separated by commas, semicolons or spaces); null when it is not one.
 * @param {string} text @param {number} d
 */
export function parsePoint(text, d) {
  const parts = text.trim().split(/[\s,;]+/).filter(Boolean).map(Number);
  return parts.length === d && parts.every(Number.isFinite) ? parts : null;
}

/**
 * The points of a CSV: each row's first d numbers; a header and rows that are not numbers are skipped.
 * @param {string} text @param {number} d @returns {number[][]}
 */
export function parseCsv(text, d) {
  /** @type {number[][]} */ const out = [];
  for (const line of text.split(/\r?\n/)) {
    const cells = line.split(/[,;\t]/).map((c) => c.trim()).filter((c) => c !== "");
    if (cells.length < d) continue;
    const p = cells.slice(0, d).map(Number);
    if (p.every(Number.isFinite)) out.push(p);
  }
  return out;
}

/** The answers table. @param {string} id */
export function answersTable(id) {
  const body = el("tbody");
  const head = el("thead");
  const table = el(`table.card-stats-table.gm-answers#${id}`, null, head, body);
  let k = 2;
  let n = 0;

  return {
    element: el("div.gm-answers-wrap", { tabindex: "0", role: "region", "aria-label": "Answers to the queries" }, table),
    /** @param {"distinguish" | "trigger"} game @param {number} classes */
    reset(game, classes) {
      k = classes;
      n = 0;
      head.replaceChildren(el("tr", null, ...(game === "distinguish"
        ? ["#", "point", "A label", "A raw output", "B label", "B raw output"]
        : ["#", "point", "label", "raw output", "fired?"]).map((t) => el("th", null, t))));
      body.replaceChildren();
      table.dataset.count = "0";
    },
    /** @param {PairAnswer} a @param {number} [image] the test image queried (the digits' grid) */
    addPair(a, image) {
      n += 1;
      const differ = a.labels[0] !== a.labels[1];
      const rawDiffer = rawText(a.raw[0]) !== rawText(a.raw[1]);
      body.prepend(el("tr", { className: differ ? "gm-differ" : rawDiffer ? "gm-raw-differ" : "", dataset: rowData(a.point, image) },
        el("td.num", null, n), pointCell(a.point, image),
        el("td", null, labelText(a.labels[0], k)), el("td.gm-mono.num", null, rawText(a.raw[0])),
        el("td", null, labelText(a.labels[1], k)), el("td.gm-mono.num", null, rawText(a.raw[1]))));
      table.dataset.count = String(n);
    },
    /** @param {TriggerAnswer} a @param {number} [image] the test image queried (the digits' grid) */
    addTrigger(a, image) {
      n += 1;
      body.prepend(el("tr", { className: a.fired ? "gm-differ" : "", dataset: rowData(a.point, image) },
        el("td.num", null, n), pointCell(a.point, image),
        el("td", null, labelText(a.label, k)), el("td.gm-mono.num", null, rawText(a.raw)),
        el("td", null, a.fired ? "fired: the label differs from the clean model's" : "no")));
      table.dataset.count = String(n);
    },
  };
}
