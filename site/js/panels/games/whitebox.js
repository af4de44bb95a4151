// @ts-check
// White-box view: each model's deployed computation as a table — per layer its size, operator and weight
// statistics (the weights themselves under a fold), the operator family's parameters when one is in use (the
// checksum's *_csum operator and its key), and any block wrapped around the network (Goldwasser et al.'s
// signature verifier with its public key). What white-box may read: docs/GAMES.md.

import { el } from "../../ui/dom.js";
import { fixed } from "../../ui/format.js";

/**
 * @typedef {{layer: number, n_in: number, n_out: number, operator: string, weights: number[][], biases: number[],
 *   mean_abs: number, max_abs: number}} Layer
 * @typedef {{layers: Layer[], operator_params: Record<string, unknown>, blocks: Record<string, unknown>[]}} NetView
 */

/** @param {NetView} v @param {string} name */
function one(v, name) {
  const rows = v.layers.map((l) => el("tr", { className: /_csum$/.test(l.operator) ? "gm-differ" : "" },
    el("td.num", null, l.layer), el("td.num", null, `${l.n_in} → ${l.n_out}`), el("td.gm-mono", null, l.operator),
    el("td.num", null, fixed(l.mean_abs, 4)), el("td.num", null, fixed(l.max_abs, 4))));
  const weights = el("details.gm-weights", null, el("summary", null, "weights and biases"),
    el("pre.gm-pre", null, v.layers.map((l) => `layer ${l.layer} W = ${JSON.stringify(l.weights.map((r) => r.map((x) => Number(x.toPrecision(6)))))}\n` +
      `        b = ${JSON.stringify(l.biases.map((x) => Number(x.toPrecision(6))))}`).join("\n")));
  const params = Object.entries(v.operator_params).map(([field, p]) => el("p.card-note.gm-differ-text", null,
    `Operator parameters (${field}): ${JSON.stringify(p)}`));
  const blocks = v.blocks.map((b) => el("div.gm-block", null,
    el("strong", null, `Wrapped block: ${String(b.kind)} (${String(b.label ?? b.scheme ?? "")})`),
    el("p.card-note", null, String(b.description ?? "")),
    el("p.card-note.gm-mono", null, `public key: ${JSON.stringify(b.vk ?? "").slice(0, 160)}`)));
  return el("div.gm-wb-model", { dataset: { csum: String(v.layers.some((l) => /_csum$/.test(l.operator))), blocks: String(v.blocks.length) } },
    el("h4.gm-subtitle", null, name),
    el("table.card-stats-table", null,
      el("thead", null, el("tr", null, ...["layer", "size", "operator", "mean |w|", "max |w|"].map((t) => el("th", null, t)))),
      el("tbody", null, ...rows)),
    ...params, ...(blocks.length ? blocks : [el("p.card-note", null, "No block around the network.")]), weights);
}

/** The white-box views of the round's models (A and B, or the backdoored one). @param {NetView[]} views */
export function whiteboxView(views) {
  const names = views.length === 2 ? ["Model A", "Model B"] : ["The backdoored model"];
  return el("div.gm-wb", null, ...views.map((v, i) => one(v, names[i])));
}
