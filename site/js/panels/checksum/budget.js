// @ts-check
// Card 3 of the backdoor panel, "Device budget": this device's checksum-trial throughput (measured once, in the
// background, right after Python is ready), the largest modulo (and k) whose expected search of one point fits
// the interactive budget, and the warning a user confirms to go past it.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { count, duration, messageOf } from "../../ui/format.js";

export const DEFAULT_BUDGET_S = 1;
const CALIBRATION_MS = 300;

/**
 * @typedef {{variant: string, trials_per_s: number, p_key: number, expected_trials: number | null,
 *            predicted_seconds: number | null, over_budget: boolean, max_modulo: number | null, max_k: number,
 *            text: string}} Estimate
 * @typedef {{variant?: string, modulo?: number, key?: number, precision?: number, k?: number}} Proposal
 */

/** One inline question at a time, answered by its buttons; a newer one answers the older "no". */
let openQuestion = /** @type {{box: HTMLElement, resolve: (ok: boolean) => void} | null} */ (null);

/**
 * A warning with two buttons inside `host`; resolves true for the first.
 * @param {HTMLElement} host @param {string} message @param {string} okLabel @param {string} cancelLabel
 * @returns {Promise<boolean>}
 */
export function ask(host, message, okLabel, cancelLabel) {
  if (openQuestion) {
    openQuestion.box.remove();
    openQuestion.resolve(false);
  }
  return new Promise((resolve) => {
    const answer = (/** @type {boolean} */ ok) => {
      box.remove();
      if (openQuestion?.box === box) openQuestion = null;
      resolve(ok);
    };
    const box = el("div.card-warning.bd-warning#bd-warning", { role: "alertdialog", "aria-live": "assertive" },
      el("p.bd-warning-text", null, message),
      el("div.bd-warning-actions", null,
        el("button.text-button.bd-warning-ok#bd-warning-ok", { type: "button", onclick: () => answer(true) }, okLabel),
        el("button.text-button#bd-warning-cancel", { type: "button", onclick: () => answer(false) }, cancelLabel)));
    openQuestion = { box, resolve };
    host.append(box);
    /** @type {HTMLElement} */ (box.querySelector("#bd-warning-cancel")).focus();
  });
}

/**
 * @param {{call: import("../context.js").PanelContext["call"], reportError: (e: unknown) => void,
 *          getConfig: () => import("../replies.js").Config, getK: () => number}} ctx
 */
export function buildBudgetCard(ctx) {
  const headline = el("p.card-calibration#bd-calibration", { "aria-live": "polite" }, "Measuring this device…");
  const rates = el("p.card-rates#bd-rates", null, "");
  const budget = /** @type {HTMLInputElement} */ (el("input.card-input#bd-budget", {
    type: "number", min: "0.05", max: "600", step: "0.1", value: String(DEFAULT_BUDGET_S),
    title: "How long the search for one point may take before the page asks first (seconds)",
  }));
  const now = el("p.card-estimate#bd-estimate", { "aria-live": "polite" }, "");
  const again = el("button.card-link#bd-recalibrate", { type: "button", title: "Measure the throughput again (300 ms)" }, "measure again");
  const card = el("section.card#bd-budget-card", null,
    el("h3.card-title", null, el("span.card-step", null, "3"), "Device budget"),
    headline,
    el("label.card-field", null, "Budget per point", budget, el("span.card-unit", null, "s")),
    now,
    rates,
    el("p.card-note", null,
      "The cap is advice, not a wall: past it the page asks first, and a running search shows its progress and can be cancelled. ",
      again));

  /** @type {Record<string, number> | null} */
  let measured = null;
  /** @type {Estimate | null} */
  let current = null;
  let seq = 0;

  const budgetS = () => {
    const v = Number(budget.value);
    return Number.isFinite(v) && v > 0 ? v : DEFAULT_BUDGET_S;
  };

  async function calibrate() {
    headline.textContent = "Measuring this device…";
    again.setAttribute("disabled", "");
    try {
      /** @type {{trials_per_s: Record<string, number>}} */
      const reply = await ctx.call(API.calibrate, { budget_ms: CALIBRATION_MS });
      measured = reply.trials_per_s;
      rates.textContent = "Trials/s per variant: " + Object.entries(reply.trials_per_s)
        .map(([v, r]) => `${v} ${count(r)}`).join(" · ");
      await refresh();
    } catch (err) {
      headline.textContent = "Could not measure this device.";
      ctx.reportError(err);
    } finally {
      again.removeAttribute("disabled");
    }
  }

  /** What one point's search costs with `proposal` over the current numbers (null before calibration). */
  async function estimate(/** @type {Proposal} */ proposal = {}) {
    if (!measured) return null;
    const { k, ...numbers } = proposal;
    try {
      return /** @type {Estimate} */ (await ctx.call(API.search_estimate, { budget_s: budgetS(), k: k ?? ctx.getK(), ...numbers }));
    } catch (err) {
      if (!/no calibration yet/.test(messageOf(err))) throw err;
      measured = null;  // a restarted worker forgot the measurement: take it again
      calibrate();
      return null;
    }
  }

  async function refresh() {
    if (!measured) return;
    const mine = ++seq;
    try {
      const est = await estimate();
      if (mine !== seq || !est) return;
      current = est;
      headline.textContent = est.text;
      const c = ctx.getConfig();
      const k = ctx.getK();
      now.replaceChildren(
        `Now (${est.variant}, m = ${c.csum_modulo}, k = ${k}): `,
        est.expected_trials == null ? "the key is never hit"
          : `≈ ${count(est.expected_trials)} trials per point → ${duration(est.predicted_seconds)}`,
        el(`span.${est.over_budget ? "bd-over" : "bd-within"}`, null, est.over_budget ? " — over the budget" : " — within the budget"),
        `. Largest k within the budget at this modulo: ${est.max_k || "none"}.`);
      card.dataset.over = est.over_budget ? "1" : "0";
    } catch (err) {
      if (mine === seq) ctx.reportError(err);
    }
  }

  /**
   * Before a change that puts one point's search over the budget: ask. Resolves true when the change may go ahead.
   * @param {HTMLElement} host where the warning appears @param {Proposal} proposal
   * @param {{change: string, keep: string}} labels button texts ("Use m = 4096 anyway", "Keep m = 256")
   */
  async function gate(host, proposal, labels) {
    let est;
    try {
      est = await estimate(proposal);
    } catch (err) {
      ctx.reportError(new Error(messageOf(err)));
      return false;
    }
    if (!est || !est.over_budget) return true;
    const c = ctx.getConfig();
    const m = proposal.modulo ?? c.csum_modulo;
    const k = proposal.k ?? ctx.getK();
    const cap = est.max_modulo == null ? "no modulo fits" : `max modulo ${est.max_modulo}`;
    const cost = est.expected_trials == null
      ? `the key ${proposal.key ?? c.csum_key} (read modulo m) is never hit by the ${est.variant} checksum at m = ${m}, so a search gives up after its trial limit`
      : `one point's search with m = ${m}, k = ${k} expects ≈ ${count(est.expected_trials)} trials: ${duration(est.predicted_seconds)}`;
    return ask(host, `Past this device's budget (${budgetS()} s; ${cap}, largest k ${est.max_k || "none"}): ${cost}. ` +
      "A search shows its progress and can be cancelled.", labels.change, labels.keep);
  }

  budget.addEventListener("change", () => refresh());
  again.addEventListener("click", () => calibrate());
  return { element: card, calibrate, refresh, gate, current: () => current };
}
