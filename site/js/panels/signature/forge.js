// @ts-check
// Card C of the signature panel: an attacker without the secret key (api signature_forge): brute force over the
// signature bits, factoring the toy RSA modulus (Pollard rho) then signing, replaying an observed signature on
// another point, Lamport key reuse, Ed25519 malleability. The device calibration (signature_estimate) decides which
// attempts can run within the budget; the others are disabled with the reason, and every scheme's extrapolated
// forging time is listed ("RSA-2048 FDH: about 10^23 years on this device").

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { DASH, article, count, duration, mathText, messageOf, power } from "../../ui/format.js";
import { statTile } from "../../ui/card.js";
import { LIMITS, fieldRange, rangeText } from "../limits.js";

const METHODS = /** @type {const} */ (["factor", "brute-force", "replay", "lamport-reuse", "malleate"]);
const METHOD_TITLES = /** @type {Record<string, string>} */ ({
  "brute-force": "brute force over the signature bits", factor: "factor n (Pollard rho), then sign",
  replay: "replay an observed signature on another point", "lamport-reuse": "Lamport key reuse",
  malleate: "Ed25519 malleability (S + L)",
});
const SECONDS_PER_YEAR = 365.25 * 86400;
const BUDGET = LIMITS.signature.budget_s;
const BITS = LIMITS.signature.bits;
/** The budget the card starts with: signature_estimate's own default (the Limit's default, 10 s, is the command line's). */
const START_BUDGET_S = 5;

/** forgery.human(): "under a second", "about 5 hours", "about 10²³ years" on this device. @param {number | null} lg log10 seconds */
export function human(lg) {
  if (lg == null || !Number.isFinite(lg)) return "not applicable";
  if (lg < 0) return "under a second on this device";
  const sec = lg < 300 ? 10 ** lg : Infinity;
  for (const [unit, size] of /** @type {[string, number][]} */ ([["seconds", 1], ["minutes", 60], ["hours", 3600], ["days", 86400]])) {
    if (sec < 120 * size || (unit === "days" && sec < 2 * SECONDS_PER_YEAR)) return `about ${Math.round(sec / size)} ${unit} on this device`;
  }
  const years = lg - Math.log10(SECONDS_PER_YEAR);
  return years < 6 ? `about ${Math.round(10 ** years).toLocaleString("en-US")} years on this device` : `about ${power(10, Math.round(years))} years on this device`;
}

/**
 * log10 seconds of toy-RSA brute force and factoring at `bits`: both are linear in bits over the toy sizes (forgery.py),
 * so the smallest and largest rows give every size in between exactly.
 * @param {import("../replies.js").SchemeEstimate[]} rows signature_estimate().schemes @param {number} bits
 */
function toyEstimate(rows, bits) {
  const toy = rows.filter((r) => r.scheme === "toy-rsa").sort((a, b) => a.bits - b.bits);
  const lo = toy[0];
  const hi = toy[toy.length - 1];
  const at = (/** @type {"brute_force_log10_seconds" | "factoring_log10_seconds"} */ key) => lo[key] + ((hi[key] - lo[key]) * (bits - lo.bits)) / Math.max(1, hi.bits - lo.bits);
  return { brute: at("brute_force_log10_seconds"), factor: at("factoring_log10_seconds") };
}

/**
 * @param {{call: import("../context.js").PanelContext["call"], setBusy: (busy: boolean) => void,
 *          victim: () => number | null, signedCount: () => number, onForge: (result: import("../replies.js").ForgeResult) => void}} ctx
 */
export function buildForgeCard(ctx) {
  const method = /** @type {HTMLSelectElement} */ (el("select.card-select#sg-forge-method", null,
    ...METHODS.map((m) => el("option", { value: m }, METHOD_TITLES[m]))));
  const budget = /** @type {HTMLInputElement} */ (el("input.card-input#sg-forge-budget", { type: "number", ...fieldRange(BUDGET, { step: 0.5 }), value: String(START_BUDGET_S), title: `How long one forging attempt may run, ${rangeText(BUDGET, "s")} seconds` }));
  const run = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#sg-forge-run", { type: "button", disabled: true }, "Run attack"));
  const error = el("p.sg-error#sg-forge-error", { role: "alert", hidden: true });
  const reasons = el("ul.sg-reasons#sg-forge-reasons");
  const result = el("div.sg-forge-result#sg-forge-result", { hidden: true, "aria-live": "polite" });
  const calibration = el("p.card-calibration.sg-calibration#sg-calibration", { "aria-live": "polite" }, "Measuring this device…");
  const limits = el("p.card-estimate#sg-live-limits", null, "");
  const rates = el("p.card-rates#sg-rates", null, "");
  const list = el("ul.sg-extrapolated#sg-extrapolated");
  const card = el("section.card.sg-card#sg-forge-card", null,
    el("h3.card-title", null, el("span.card-step", null, "C"), "Forge without the key"),
    el("p.card-desc", null, "An attacker who sees vk and the signed points, but not the secret key, tries to make the selector fire on a point of his choice."),
    el("label.card-field.card-field-wide", null, "attack", method),
    el("div.card-row", null, el("label.card-field", null, "budget", budget, el("span.card-unit", null, "s")), run),
    reasons, error, result,
    el("h4.sg-subtitle", null, "This device"),
    calibration, limits,
    el("p.card-note", null, "Expected time to forge one signature, extrapolated from the rates measured here:"),
    list, rates);

  /** @type {import("../replies.js").SignatureEstimate | null} */ let estimate = null;
  /** @type {import("../replies.js").SignatureViewReply | null} */ let view = null;
  let busy = false;
  let seq = 0;
  const budgetS = () => {
    const v = Number(budget.value);
    return Number.isFinite(v) && v > BUDGET.low ? Math.min(v, BUDGET.high) : START_BUDGET_S;
  };

  /** Why `m` cannot run now (null when it can). @param {string} m */
  function reasonFor(m) {
    if (!view) return "install a signature block first";
    const s = view.scheme;
    const b = budgetS();
    const row = estimate?.schemes.find((r) => r.scheme === s);
    if (m === "factor") {
      if (s !== "toy-rsa" && s !== "rsa") return `${view.label} has no modulus to factor`;
      if (s === "rsa") return `RSA-2048 FDH: ${mathText(row?.human ?? "out of reach")} (number field sieve; rho is slower still), over the ${b} s budget`;
      if (!estimate) return "waiting for the device calibration";
      const lim = estimate.live_limit.factor_bits;
      if (lim == null || view.bits > lim) return `factoring ${article(view.bits)} ${view.bits}-bit n: ${human(toyEstimate(estimate.schemes, view.bits).factor)}, over the ${b} s budget (live up to ${lim ?? DASH} bits)`;
      return null;
    }
    if (m === "brute-force") {
      if (!estimate) return "waiting for the device calibration";
      if (s !== "toy-rsa") return `${count(view.signature_bits)}-bit signatures: ${mathText(row?.brute_force_human ?? "out of reach")}, over the ${b} s budget`;
      const lim = estimate.live_limit.brute_force_bits;
      if (lim == null || view.bits > lim) return `${power(2, view.bits)} candidate signatures: ${human(toyEstimate(estimate.schemes, view.bits).brute)}, over the ${b} s budget (live up to ${lim ?? DASH} bits)`;
      return null;
    }
    if (m === "lamport-reuse" && s !== "lamport") return "applies to Lamport one-time signatures only";
    if (m === "malleate" && s !== "ed25519") return "applies to Ed25519 only";
    if (!ctx.signedCount()) return "needs observed signatures: activate some points first";
    return null;
  }

  function refreshMethods() {
    const why = Object.fromEntries(METHODS.map((m) => [m, reasonFor(m)]));
    for (const option of method.options) {
      option.disabled = why[option.value] != null;
      option.textContent = METHOD_TITLES[option.value] + (option.disabled ? " (unavailable)" : "");
    }
    if (why[method.value] != null) {
      const first = METHODS.find((m) => why[m] == null);
      if (first) method.value = first;
    }
    const shown = view ? METHODS.filter((m) => why[m] != null && !/applies to .* only|no modulus/.test(why[m] ?? "")) : [];
    reasons.replaceChildren(...shown.map((m) => el("li", { dataset: { method: m } }, el("strong", null, `${METHOD_TITLES[m]}: `), why[m] ?? "")));
    if (!view) reasons.replaceChildren(el("li", null, "Install a signature block (card B) to attack it."));
    run.disabled = busy || why[method.value] != null;
    card.dataset.available = METHODS.filter((m) => why[m] == null).join(",");
  }

  async function refreshEstimate() {
    const mine = ++seq;
    try {
      /** @type {import("../replies.js").SignatureEstimate} */
      const e = await ctx.call(API.signature_estimate, { budget_s: budgetS() });
      if (mine !== seq) return;
      estimate = e;
      const r = e.rates;
      const lim = e.live_limit;
      calibration.textContent = `this device: factoring ${count(r.rho_iterations_per_s)} rho steps/s, brute force ${count(r.toy_rsa_brute_force_per_s)} trials/s`;
      const upTo = (/** @type {number | null} */ b) => (b == null ? `not even ${BITS.low} bits` : `up to ${b} bits`);
      limits.replaceChildren(`Live within ${e.budget_s} s: toy RSA factoring `, el("strong#sg-limit-factor", null, upTo(lim.factor_bits)),
        ", brute force ", el("strong#sg-limit-brute", null, upTo(lim.brute_force_bits)),
        ". Larger keys are not offered for live forging.");
      rates.textContent = "Verify/s: " + Object.entries(r.verify_per_s).map(([k, v]) => `${k} ${count(/** @type {number} */ (v))}`).join(" · ");
      list.replaceChildren(...e.schemes.map((row) => el(`li.${row.live ? "sg-live" : "sg-out"}`, { dataset: { scheme: row.scheme, bits: String(row.bits) }, title: mathText(row.note) },
        el("span", null, mathText(row.text)), el("span.sg-tag", null, row.live ? "live" : "out of reach"))));
      refreshMethods();
      markCurrent();
    } catch (err) {
      if (mine !== seq) return;
      calibration.textContent = "Could not measure this device.";
      error.textContent = messageOf(err);
      error.hidden = false;
    }
  }

  /** Highlight the installed scheme's row in the extrapolated list (toy RSA: the row of its size, if listed). */
  function markCurrent() {
    for (const li of list.querySelectorAll("li")) {
      const d = /** @type {HTMLElement} */ (li).dataset;
      li.classList.toggle("current", view != null && d.scheme === view.scheme && (view.scheme !== "toy-rsa" || Number(d.bits) === view.bits));
    }
  }

  /** @param {import("../replies.js").ForgeResult} r */
  function showResult(r) {
    const t = r.target_point;
    result.replaceChildren(
      el("dl.card-summary", null,
        statTile("sg-forge-succeeded", "succeeded", el(`span.${r.succeeded ? "sg-yes" : "sg-no"}`, null, r.succeeded ? "yes" : "no"), r.succeeded),
        statTile("sg-forge-attempts", "attempts", count(r.attempts), r.attempts),
        statTile("sg-forge-seconds", "time", duration(r.seconds), r.seconds)),
      el("p.card-note#sg-forge-detail", null, mathText(r.detail)),
      t ? el("p.card-note#sg-forge-victim", null, `On test point ${t.index}: the selector ${t.flipped ? "now gives the attacker's label (flipped)" : "still gives the classifier's label (not flipped)"}.`) : "");
    result.dataset.succeeded = r.succeeded ? "1" : "0";
    result.hidden = false;
  }

  run.addEventListener("click", async () => {
    error.hidden = true;
    const m = method.value;
    /** @type {Record<string, number>} */
    const params = { budget_s: budgetS() };
    const victim = ctx.victim();
    if ((m === "factor" || m === "brute-force" || m === "replay") && victim != null) params.index = victim;
    ctx.setBusy(true);
    try {
      /** @type {import("../replies.js").ForgeResult} */
      const r = await ctx.call(API.signature_forge, { method: m, params });
      showResult(r);
      ctx.onForge(r);
    } catch (err) {
      error.textContent = messageOf(err);
      error.hidden = false;
    } finally {
      ctx.setBusy(false);
    }
  });
  method.addEventListener("change", () => refreshMethods());
  budget.addEventListener("change", () => refreshEstimate());
  refreshMethods();

  return {
    element: card,
    refreshEstimate,
    /** The installed block changed (or was removed). @param {import("../replies.js").SignatureViewReply | null} v */
    setView(v) {
      view = v;
      result.hidden = true;
      error.hidden = true;
      refreshMethods();
      markCurrent();
    },
    refreshMethods,
    setBusy(/** @type {boolean} */ value) { busy = value; refreshMethods(); },
  };
}
