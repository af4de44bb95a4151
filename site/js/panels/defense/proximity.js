// @ts-check
// The proximity card: NN Calculator's "Label Proximity" + "Robust to Backdoor", done right. Relabel each test
// input by the training labels around it (within a radius, or its k nearest); the radius from the NIST objective
// ("auto"), from the class separation r_sep = ½ · min inter-class distance, or typed in.

import { el } from "../../ui/dom.js";
import { COLORS, drawGroupedHistogram, drawLineChart, figure, figureLegend } from "./charts.js";
import { length, numberField, outcomeTiles, runButton, statusLine, tiles } from "./util.js";
import { LIMITS, readLimited } from "../limits.js";

const TIE_RULES = /** @type {Record<string, string>} */ ({
  negative: "A tie (as many blue as orange neighbours) relabels the point orange (−1): NN Calculator's rule, which favours one class.",
  keep: "A tie keeps the model's own label: the vote only overrules the model when the neighbours disagree with it.",
});
const KNN_TIE = "k-NN: a tie (even k) keeps the model's label; no neighbour at all keeps it too.";

/**
 * @param {{run: (params: Record<string, string | number | null>) => void}} cb
 */
export function buildProximityCard(cb) {
  const radio = (/** @type {string} */ name, /** @type {string} */ value, /** @type {boolean} */ checked, /** @type {(Node | string)[]} */ ...label) =>
    el("label.card-choice", null, el(`input#df-${name}-${value}`, { type: "radio", name: `df-${name}`, value, checked }), ...label);
  const L = LIMITS.defense;
  const radiusNumber = numberField("df-radius-value", "", L.radius, {
    name: "r", step: 0.1, value: "1", title: "A radius in data units (the data box is 12 × 12)",
  });
  const k = numberField("df-k", "k", L.k, { name: "k", step: 2, title: "Neighbours that vote (odd k avoids ties)", symbol: true });
  const ties = /** @type {HTMLSelectElement} */ (el("select.card-select#df-ties", { title: "What a tied vote does" },
    el("option", { value: "negative" }, "tie → orange (−1), as NN Calculator"),
    el("option", { value: "keep" }, "tie → keep the model's label")));
  const tieText = el("p.card-desc#df-tie-rule", null, TIE_RULES.negative);
  const status = statusLine("df-prox-status");
  const run = runButton("df-prox-run", "Run proximity", params, status, cb.run);
  const results = tiles("df-prox-results");
  const note = el("p.card-note#df-prox-note", { hidden: true });
  const hist = figure("df-hist", "Training-pair distances", "Distance histograms of training pairs: N–N, P–P and N–P, the radius marked");
  const curve = figure("df-radius-curve", "Accuracy and attack success after, by radius", "Accuracy after and attack success after against the radius");
  const knn = figure("df-knn-curve", "… by k (k-NN vote)", "Accuracy after and attack success after against k");
  knn.element.hidden = true;
  const plots = el("div.df-plots#df-prox-plots", { hidden: true }, hist.element, curve.element, knn.element);

  const card = el("section.card.df-card#df-prox-card", null,
    el("h3.card-title", null, el("span.card-step", null, "A"), "Proximity analysis (NN Calculator, done right)"),
    el("p.card-desc", null, "Each test input gets the majority label of the training points near it. A trigger moves a point by far less than the radius, so its neighbours still vote for the true class."),
    el("div.card-row", { role: "radiogroup", "aria-label": "Radius" },
      el("span.card-label", null, "Radius"),
      radio("radius", "auto", true, "auto ", el("span.card-muted", null, "(NIST objective)")),
      radio("radius", "r_sep", false, "r", el("sub", null, "sep"), " = ½ · min inter-class distance"),
      radio("radius", "number", false, "r ="), radiusNumber.input),
    el("div.card-row", { role: "radiogroup", "aria-label": "Vote" },
      el("span.card-label", null, "Vote"),
      radio("vote", "radius", true, "majority within the radius"),
      radio("vote", "knn", false, "k nearest,"), k.element),
    el("label.card-field.card-field-wide", null, "Ties", ties),
    tieText,
    el("div.card-row", null, run),
    status.element,
    results.element,
    note,
    plots,
    el("p.card-note.card-differs", null, el("strong", null, "Unlike NN Calculator: "),
      "the histograms grow past 12√2 instead of overflowing their last bin; ground truth, the model's prediction and the defended label are kept apart (NN Calculator overwrites its test labels with the vote); the tie rule is yours to choose, and r",
      el("sub", null, "sep"), " is offered next to NIST's objective."));

  const checked = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (card.querySelector(`input[name="df-${name}"]:checked`)).value;
  const showTieText = () => {
    tieText.textContent = checked("vote") === "knn" ? KNN_TIE : TIE_RULES[ties.value];
    ties.disabled = checked("vote") === "knn";
  };
  ties.addEventListener("change", showTieText);
  for (const input of card.querySelectorAll('input[name="df-vote"]')) input.addEventListener("change", showTieText);
  radiusNumber.input.addEventListener("focus", () => {
    /** @type {HTMLInputElement} */ (card.querySelector("#df-radius-number")).checked = true;
  });
  k.input.addEventListener("focus", () => { /** @type {HTMLInputElement} */ (card.querySelector("#df-vote-knn")).checked = true; showTieText(); });

  /** The params object for api.defend; throws with a clear message on a bad field. */
  function params() {
    // Only the field the chosen vote uses is read: a k-NN vote ignores the radius, a radius vote ignores k.
    const vote = checked("vote");
    const choice = checked("radius");
    const radius = vote === "knn" ? "auto" : choice === "number"
      ? readLimited(radiusNumber.input, "the radius", L.radius)
      : choice;
    const kv = vote === "knn" ? readLimited(k.input, "k", L.k) : L.k.default;
    return { type: "proximity", radius, vote, k: kv, ties: ties.value };
  }

  /** @param {import("../replies.js").DefendReply} r defend's reply (type proximity) @param {import("../replies.js").DefenseMetrics | null} before the metrics without a defense */
  function show(r, before) {
    const knnVote = r.params.vote === "knn";
    const source = { auto: "auto", r_sep: "r_sep" }[String(r.params.radius)] ?? "typed";
    const m = r.activated ? r.activated : (before?.attack_success_rate?.n ?? 0);
    results.set([
      ["df-prox-radius", knnVote ? "vote" : "radius used", knnVote ? `k = ${r.k}` : length(r.radius), knnVote ? r.k : r.radius,
        knnVote ? "k nearest training points" : `${source}`],
      ["df-prox-rauto", "r_auto (NIST)", length(r.radius_auto), r.radius_auto, "argmax N–N · P–P / N–P"],
      ["df-prox-rsep", "r_sep", length(r.radius_sep), r.radius_sep, "½ · min inter-class distance"],
      ...outcomeTiles("df-prox", r, before, ` (${m} activated)`),
    ]);
    note.textContent = r.note ?? "";
    note.hidden = !r.note;
    const c = r.curves;
    plots.hidden = !c;
    if (!c) return;
    const h = c.histograms;
    /** @type {import("./charts.js").VMark[]} */
    const marks = [];
    if (!knnVote && r.radius != null) marks.push({ x: r.radius, label: `r = ${length(r.radius)}`, color: COLORS.ink });
    if (r.radius_auto != null) marks.push({ x: r.radius_auto, label: "auto", color: COLORS.pink, dash: [4, 3] });
    if (r.radius_sep != null) marks.push({ x: r.radius_sep, label: "sep", color: COLORS.green, dash: [2, 2] });
    drawGroupedHistogram(hist.canvas, {
      edges: h.edges, xLabel: "distance", yLabel: "pairs",
      groups: [{ counts: h.nn, color: COLORS.orange }, { counts: h.pp, color: COLORS.blue }, { counts: h.np, color: COLORS.grey }],
      marks,
    });
    hist.legend.replaceChildren(figureLegend([
      { color: COLORS.orange, label: `N–N (${h.pairs.nn})`, kind: "bar" },
      { color: COLORS.blue, label: `P–P (${h.pairs.pp})`, kind: "bar" },
      { color: COLORS.grey, label: `N–P (${h.pairs.np})`, kind: "bar" },
    ]));
    hist.caption.textContent = `${h.edges.length - 1} bins of √2 (${h.edges.length - 1 > 12 ? "grown past" : "up to"} 12√2 ≈ 17). ` +
      `The NIST radius is the centre of the bin that maximises N–N · P–P / N–P.`;
    const rc = c.radius_curve;
    drawLineChart(curve.canvas, {
      x: rc.radius, xMin: 0, xLabel: "vote radius", yLabel: "share of test points",
      series: [{ y: rc.accuracy_after, color: COLORS.blue, label: "accuracy" }, { y: rc.asr_after, color: COLORS.purple, label: "attack success" }],
      marks,
    });
    curve.legend.replaceChildren(figureLegend([
      { color: COLORS.blue, label: "accuracy after" }, { color: COLORS.purple, label: "attack success after" },
      { color: COLORS.pink, label: "r_auto", kind: "dash" }, { color: COLORS.green, label: "r_sep", kind: "dash" },
    ]));
    curve.caption.textContent = r.params.ties === "keep" ? "Radius vote, ties keep the model's label." : "Radius vote, ties → orange (−1).";
    knn.element.hidden = !knnVote;
    if (knnVote) {
      const kc = c.knn_curve;
      drawLineChart(knn.canvas, {
        x: kc.k, xMin: 0, xLabel: "k (nearest neighbours)", yLabel: "share of test points",
        series: [{ y: kc.accuracy_after, color: COLORS.blue, dots: true }, { y: kc.asr_after, color: COLORS.purple, dots: true }],
        marks: r.k != null ? [{ x: r.k, label: `k = ${r.k}`, color: COLORS.ink }] : [],
      });
      knn.caption.textContent = `Odd k from 1 to 15${kc.k[kc.k.length - 1] > 15 ? `, then up to k = ${kc.k[kc.k.length - 1]}` : ""}.`;
    }
  }

  return {
    element: card,
    show,
    status,
    clear() { results.hide(); plots.hidden = true; note.hidden = true; status.clear(); },
    setBusy(/** @type {boolean} */ busy) { run.disabled = busy; },
  };
}
