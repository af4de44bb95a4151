// @ts-check
// The backdoor panel's residue row: for each checksum variant, how often each residue occurs among the first
// hidden layer's pre-activations of the current data (api.residue_histograms), the key's bin marked. A key bin's
// share is one node's accidental trigger rate.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { VARIANTS, VARIANT_TITLES } from "./plant.js";
import { drawResidueHistogram, residueTools } from "../../widgets/histogram.js";
import { count, rate } from "../../ui/format.js";

/**
 * residue_histograms(): per variant the residue counts, how many residues occur, the key's share; the key as the
 * checksum reads it (mod m) and one line describing each variant.
 * @typedef {{source: string, count: number, modulo: number, precision: number, key: number,
 *            histograms: Record<string, number[]>, distinct: Record<string, number>,
 *            key_frequency: Record<string, number>, descriptions?: Record<string, string>}} ResidueHistograms
 */

/**
 * @param {{call: import("../context.js").PanelContext["call"], reportError: (e: unknown) => void,
 *          getConfig: () => import("../replies.js").Config, onReply: (h: ResidueHistograms) => void}} ctx
 */
export function buildResidues(ctx) {
  const hists = el("div.bd-hists#bd-hists");
  const source = el("span.card-muted#bd-hist-source", null, "");
  const element = el("section.bd-residues", null,
    el("h3.card-title", null, "Residues of the first hidden layer"),
    el("p.card-note", null, "How often each residue occurs, per checksum variant, over ", source,
      ". The key's bin is marked: its share is one node's accidental trigger rate."),
    hists);
  let seq = 0;

  async function refresh() {
    const mine = ++seq;
    /** @type {ResidueHistograms} */
    let h;
    try {
      h = await ctx.call(API.residue_histograms);
    } catch (err) {
      if (mine === seq) ctx.reportError(err);
      return;
    }
    if (mine !== seq) return;
    ctx.onReply(h);
    source.textContent = `the ${h.source} (${count(h.count)} values; m = ${h.modulo}, p = ${h.precision})`;
    const current = ctx.getConfig().csum_variant;
    hists.replaceChildren(...VARIANTS.map((v) => {
      const canvas = /** @type {HTMLCanvasElement} */ (el(`canvas.hist-canvas#bd-hist-${v}`, { role: "img", "aria-label": `Residue histogram, ${v}` }));
      drawResidueHistogram(canvas, h.histograms[v], h.key, { width: 400, height: 96 });
      return el(`figure.bd-hist${v === current ? ".current" : ""}`, { dataset: { variant: v } },
        el("figcaption", null, el("strong", null, VARIANT_TITLES[v]), v === current ? el("span.bd-tag", null, "in use") : "",
          el("span.card-muted", null, ` · ${count(h.distinct[v])} of ${count(h.modulo)} residues occur · key ${rate(h.key_frequency[v])} (1/m = ${rate(1 / h.modulo)})`)),
        canvas,
        residueTools(canvas, `residues_${v}`, `Residues of the first hidden layer: ${VARIANT_TITLES[v]}`,
          () => `${count(h.count)} values of the ${h.source}; m = ${h.modulo}, p = ${h.precision}, key ${h.key}.`),
        el("p.card-desc", null, h.descriptions?.[v] ?? ""));
    }));
  }

  return { element, refresh };
}
