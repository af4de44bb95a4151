// @ts-check
// Card A of the signature panel: NN Calculator's "CSUM signature" button, faithfully (api csum_signature): the
// checksum of each test point's x, the key = the most frequent residue, the labels of the points that hit it
// flipped. A replicable checksum, not a signature: the card says so in plain words.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { DASH, fixed, messageOf, percent } from "../../ui/format.js";
import { drawResidueHistogram, residueTools } from "../../widgets/histogram.js";
import { statTile } from "../../ui/card.js";
import { LIMITS, fieldRange, readLimited, rangeText } from "../limits.js";

export const CSUM_STATEMENT = "This is NN Calculator's 'digital signature': a replicable checksum of X1 compared with " +
  "the most frequent residue. There is no key pair and no secret: anyone can trigger it.";


/**
 * @param {{call: import("../context.js").PanelContext["call"], getConfig: () => import("../replies.js").Config,
 *          setBusy: (busy: boolean) => void, onResult: (result: import("../replies.js").CsumSignature) => void}} ctx
 */
export function buildCsumCard(ctx) {
  const C = LIMITS.checksum;
  /** @param {string} id @param {import("../limits.js").Limit} limit @param {string} name @param {string} title */
  const number = (id, limit, name, title) =>
    /** @type {HTMLInputElement} */ (el(`input.card-input#${id}`, { type: "number", ...fieldRange(limit), title: `${title}; ${rangeText(limit, name)}` }));
  const modulo = number("sg-csum-modulo", C.modulo, "m", `Residues are taken mod m (NN Calculator: ${C.modulo.default})`);
  const precision = number("sg-csum-precision", C.precision, "p", `Characters of X1 that count (NN Calculator: ${C.precision.default})`);
  const run = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#sg-csum-run", { type: "button" }, "Run CSUM signature"));
  const error = el("p.sg-error#sg-csum-error", { role: "alert", hidden: true });
  const canvas = /** @type {HTMLCanvasElement} */ (el("canvas.hist-canvas#sg-csum-hist", { role: "img", "aria-label": "Residue histogram of the test points' X1, the key marked" }));
  const headline = el("p.sg-headline#sg-csum-headline", { "aria-live": "polite" });
  const stats = el("dl.card-summary.sg-summary#sg-csum-summary");
  const placeholder = el("p.card-note#sg-csum-placeholder", null, "Run it: the residue histogram of the test points' X1 appears here with the key's bar marked, " +
    "then the flipped count and the test loss before and after.");
  const result = el("div.sg-result#sg-csum-result", { hidden: true },
    el("figure.sg-hist", null, canvas, residueTools(canvas, "csum_residues", "CSUM signature: residues of X1 over the test points")), headline, stats,
    el("p.card-note", null, "Only the test labels are flipped (a copy: the data above keep theirs), as in NN Calculator; " +
      "the network is not touched. The flipped points are ringed on the output plot."));
  const card = el("section.card.sg-card#sg-csum-card", null,
    el("h3.card-title", null, el("span.card-step", null, "A"), "CSUM signature (NN Calculator's simulation)"),
    el("p.card-desc", null, "NN Calculator's button: csum(X1) of every test point, key = the most frequent residue, " +
      "and the labels of the points whose residue is the key are flipped."),
    el("p.sg-plain#sg-csum-statement", null, el("strong", null, "Not a signature. "), CSUM_STATEMENT),
    el("div.card-row", null,
      el("label.card-field", null, "modulo", modulo),
      el("label.card-field", null, "precision", precision),
      run),
    error,
    placeholder,
    result);

  /** @param {import("../replies.js").CsumSignature} r */
  function show(r) {
    result.hidden = false;
    placeholder.hidden = true;
    drawResidueHistogram(canvas, r.histogram, r.key ?? 0, { width: 360, height: 96 });
    canvas.dataset.key = String(r.key);
    headline.replaceChildren("key = ", el("strong#sg-csum-key", { dataset: { value: String(r.key) } }, String(r.key ?? DASH)),
      ", flipped ", el("strong#sg-csum-flipped", { dataset: { value: String(r.flipped) } }, String(r.flipped)),
      el("span.card-muted", null, ` of ${r.residues.length} test points (m = ${r.modulo}, p = ${r.precision}` +
        `${r.skipped ? `; ${r.skipped} skipped` : ""})`));
    stats.replaceChildren(
      statTile("sg-csum-loss-before", "test loss before", fixed(r.loss_test_before, 4), r.loss_test_before),
      statTile("sg-csum-loss-after", "test loss after", fixed(r.loss_test_after, 4), r.loss_test_after),
      statTile("sg-csum-acc-after", "test accuracy after", percent(r.test_accuracy_after), r.test_accuracy_after));
    stats.title = `Half mean squared error against the original and the flipped test labels (NN Calculator's ` +
      `"MSE"); training loss ${fixed(r.loss_train, 4)} does not change. Accuracy before: ${percent(r.test_accuracy_before)}.`;
  }

  async function go() {
    error.hidden = true;
    ctx.setBusy(true);
    try {
      const m = readLimited(modulo, "m", C.modulo);
      const p = readLimited(precision, "p", C.precision);
      /** @type {import("../replies.js").CsumSignature} */
      const r = await ctx.call(API.csum_signature, { modulo: m, precision: p });
      show(r);
      ctx.onResult(r);
    } catch (err) {
      error.textContent = messageOf(err);
      error.hidden = false;
    } finally {
      ctx.setBusy(false);
    }
  }
  run.addEventListener("click", () => go());

  return {
    element: card,
    /** Fill the fields from the config (once, and when it changes while nothing was typed). @param {import("../replies.js").Config} c */
    sync(c) {
      if (!c) return;
      if (!modulo.value) modulo.value = String(c.csum_modulo ?? C.modulo.default);
      if (!precision.value) precision.value = String(c.csum_precision ?? C.precision.default);
    },
    /** Forget the result (new data or model). */
    clear() { result.hidden = true; placeholder.hidden = false; error.hidden = true; },
    setBusy(/** @type {boolean} */ busy) { run.disabled = busy; },
  };
}
