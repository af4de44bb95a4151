// @ts-check
// The randomized smoothing card (Cohen, Rosenfeld, Kolter 2019): the defended label is the majority vote of the
// model on n Gaussian copies of the input (σ), with abstention when the vote is not significant (α), and a
// certified radius. Plots: certified accuracy against the radius; "immunization": attack success against σ for
// the active backdoor (plain, and an adaptive attacker that moves the point by ρ = c·σ), with the Lipschitz bound.

import { el } from "../../ui/dom.js";
import { COLORS, drawLineChart, figure, figureLegend } from "./charts.js";
import { length, numberField, ofText, outcomeTiles, runButton, shownCount, statusLine, tiles } from "./util.js";
import { LIMITS, readLimited } from "../limits.js";
import { sci } from "../../ui/format.js";

/** A smoothing reply: defend's, with its curves typed. @typedef {Omit<import("../replies.js").DefendReply, "curves"> & {sigma: number, curves?: import("../replies.js").SmoothingCurves}} SmoothingReply */

/** Lipschitz bound of the smoothed ±1 score (Salman et al.): 2 √(2/π) γ / σ. @param {number} gamma @param {number} sigma */
export const lipschitz = (gamma, sigma) => 2 * Math.sqrt(2 / Math.PI) * gamma / sigma;

/** @param {{run: (params: Record<string, string | number | null>) => void}} cb */
export function buildSmoothingCard(cb) {
  const L = LIMITS.defense;
  const sigma = numberField("df-sigma", "σ", L.sigma, { name: "σ", step: 0.01, title: "Noise scale (data units; the box is 12 wide)", symbol: true });
  const n0 = numberField("df-n0", "n₀", L.n0, { name: "n₀", title: "Samples that pick the class", symbol: true });
  const n = numberField("df-n", "n", L.n, { name: "n", step: 100, title: "Samples that certify it", wide: true, symbol: true });
  const alpha = numberField("df-alpha", "α", L.alpha, { name: "α", step: 0.001, title: "Failure probability of the certificate", symbol: true });
  const status = statusLine("df-smooth-status");
  const run = runButton("df-smooth-run", "Run smoothing", params, status, cb.run);
  const results = tiles("df-smooth-results");
  const cert = figure("df-cert-curve", "Certified accuracy by radius", "Certified accuracy against the radius, clean and activated inputs");
  const imm = figure("df-immunization", "Immunization: attack success by σ", "Attack success against sigma, plain and adaptive attacker, with the Lipschitz bound");
  const adaptive = /** @type {HTMLInputElement} */ (el("input#df-adaptive", { type: "checkbox", checked: true }));
  imm.element.insertBefore(el("label.card-choice.df-toggle", { title: "An attacker who knows σ moves the point by ρ = c·σ (c = 1 … 8, 16 directions) until the smoothed model gives the target" },
    adaptive, "adaptive attacker (moves by ρ > σ)"), imm.legend);
  const plots = el("div.df-plots#df-smooth-plots", { hidden: true }, cert.element, imm.element);
  const meter = el("div.df-meter#df-meter", { hidden: true });

  const card = el("section.card.df-card#df-smooth-card", null,
    el("h3.card-title", null, el("span.card-step", null, "B"), "Randomized smoothing (Cohen, Rosenfeld, Kolter)"),
    el("p.card-desc", null, "The defended label is the model's majority vote over n noisy copies x + ε, ε ~ N(0, σ²I); it abstains when the vote is not clear at level α, and certifies a radius R = σ·Φ⁻¹(p̲). A trigger far smaller than σ drowns in the noise."),
    el("div.card-row", null, sigma.element, n0.element, n.element, alpha.element),
    el("div.card-row", null, run),
    status.element,
    results.element,
    meter,
    plots,
    el("p.card-note.card-foot", null, "Cost: (n₀ + n) forward passes per test point, twice (the inputs and their untouched twins), plus a sweep over σ with 200 samples per point for the immunization plot."));

  /** @type {SmoothingReply | null} */
  let last = null;
  adaptive.addEventListener("change", () => { if (last) drawImmunization(last); });

  function params() {
    return {
      type: "smoothing",
      sigma: readLimited(sigma.input, "σ", L.sigma),
      n0: readLimited(n0.input, "n₀", L.n0),
      n: readLimited(n.input, "n", L.n),
      alpha: readLimited(alpha.input, "α", L.alpha),
    };
  }

  /** @param {SmoothingReply} r */
  function drawImmunization(r) {
    if (!r.curves) return;
    const im = r.curves.immunization;
    const gamma = r.curves.lipschitz?.gamma;
    const bound = gamma == null ? im.sigmas.map(() => null) : im.sigmas.map((s) => Math.min(1, lipschitz(gamma, s)));
    /** @type {import("./charts.js").Series[]} */
    const series = [
      { y: im.clean_accuracy, color: COLORS.blue, width: 1.5, dots: true },
      { y: im.asr, color: COLORS.purple, dots: true },
    ];
    if (adaptive.checked && im.asr_adaptive) series.push({ y: im.asr_adaptive, color: COLORS.pink, dash: [5, 3], dots: true });
    series.push({ y: bound, color: COLORS.grey, dash: [2, 2], width: 1.5 });
    drawLineChart(imm.canvas, {
      x: im.sigmas, xLog: true, xLabel: "noise σ (log scale)", yLabel: "share of inputs", series,
      marks: [{ x: r.sigma, label: `σ = ${r.sigma}`, color: COLORS.ink }],
    });
    imm.legend.replaceChildren(figureLegend([
      { color: COLORS.purple, label: "attack success" },
      ...(adaptive.checked && im.asr_adaptive ? [{ color: COLORS.pink, label: "adaptive attacker", kind: /** @type {const} */ ("dash") }] : []),
      { color: COLORS.blue, label: "clean accuracy" },
      { color: COLORS.grey, label: "Lipschitz bound (capped at 100 %)", kind: "dash" },
    ]));
    imm.caption.textContent = `${im.activated} activated inputs, n = ${im.n} per point` +
      (adaptive.checked && im.adaptive_points ? `; the adaptive attacker on ${im.adaptive_points} of them (ρ = c·σ, c ≤ ${Math.max(...im.factors)}).` : ".");
  }

  /** The immunization meter: how far the trigger can move the smoothed score, on a log scale up to 1. @param {SmoothingReply} r */
  function showMeter(r) {
    const lip = r.curves?.lipschitz;
    const gamma = lip?.gamma;
    if (gamma == null) {
      meter.replaceChildren(el("p.card-note", null, "Immunization meter: no activated point, so no trigger size to bound."));
      meter.hidden = false;
      return;
    }
    const bound = lip?.bound ?? lipschitz(gamma, r.sigma);
    const lo = -8;
    const pos = Math.max(0, Math.min(1, (Math.log10(Math.max(bound, 1e-12)) - lo) / -lo));
    const immune = bound < 0.1;
    meter.replaceChildren(
      el("div.df-meter-head", null, el("span.card-label", null, "Immunization meter"),
        el(`strong#df-lipschitz.${immune ? "df-good" : "df-bad"}`, { dataset: { value: String(bound) } }, sci(bound, 2))),
      el("div.df-meter-track", { title: "log scale from 10⁻⁸ to 1" },
        el(`div.df-meter-fill.${immune ? "df-good-bg" : "df-bad-bg"}`, { style: `width: ${(100 * pos).toFixed(1)}%` }),
        el("span.df-meter-tick", { style: "left: 75%" }), el("span.df-meter-tick.df-one", { style: "left: 100%" })),
      el("div.df-meter-scale", null, el("span", null, "10⁻⁸"), el("span", { style: "left: 75%" }, "10⁻²"), el("span", { style: "left: 100%" }, "1: can flip")),
      el("p.card-note", null, `A trigger of size γ = ${sci(gamma, 2)} (median ‖Δx‖₂) moves the smoothed score by at most 2√(2/π)·γ/σ = ${sci(bound, 2)}. `,
        immune ? "Far below the margin of a confident point: smoothing immunizes against triggers this small."
          : "Large enough to matter: a trigger this big can survive smoothing (raise σ, at a cost in clean accuracy)."));
    meter.hidden = false;
  }

  /** @param {import("../replies.js").DefendReply} r defend's reply (type smoothing) @param {import("../replies.js").DefenseMetrics | null} before the metrics without a defense */
  function show(r, before) {
    last = /** @type {SmoothingReply} */ (r);
    results.set([
      ["df-smooth-abstained", "abstentions", ofText(r.abstained, shownCount(r)), r.abstained, "label 0: no clear majority"],
      ["df-smooth-median-radius", "median certified radius", length(r.radius), r.radius, "over the inputs shown"],
      ["df-smooth-rmax", "R_max", length(r.radius_max), r.radius_max, "σ·Φ⁻¹(α^(1/n))"],
      ...outcomeTiles("df-smooth", r, before),
    ]);
    const c = last.curves;
    plots.hidden = !c;
    meter.hidden = true;
    if (!c) return;
    showMeter(last);
    const cc = c.certified;
    drawLineChart(cert.canvas, {
      x: cc.r, xMin: 0, xLabel: "certified radius r", yLabel: "certified accuracy",
      series: [{ y: cc.clean, color: COLORS.blue }, { y: cc.activated, color: COLORS.purple, dash: [5, 3] }],
      marks: r.radius != null ? [{ x: r.radius, label: "median", color: COLORS.ink, dash: [2, 2] }] : [],
    });
    cert.legend.replaceChildren(figureLegend([
      { color: COLORS.blue, label: "clean inputs" }, { color: COLORS.purple, label: "activated inputs", kind: "dash" },
    ]));
    cert.caption.textContent = `Share of points labelled right with a certified radius ≥ r, up to R_max = ${length(r.radius_max)}.`;
    drawImmunization(last);
  }

  return {
    element: card,
    show,
    status,
    clear() { last = null; results.hide(); plots.hidden = true; meter.hidden = true; status.clear(); },
    setBusy(/** @type {boolean} */ busy) { run.disabled = busy; },
  };
}
