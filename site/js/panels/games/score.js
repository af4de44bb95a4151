// @ts-check
// The score: the user's and the automated players' results for the same backdoor and Q side by side. Distinguish:
// the advantage |2P − 1| with its 95 % interval and the verdict (games/stats.py); trigger: the success rate with
// its Wilson interval. What the verdict means is said under the table.

import { el } from "../../ui/dom.js";
import { DASH, finite, fixed, percent } from "../../ui/format.js";

/**
 * @typedef {{value: number | null, lo: number | null, hi: number | null, k: number, n: number}} Rate
 * @typedef {{value: number, lo: number, hi: number, verdict: string, p_correct: Rate}} Advantage
 * @typedef {{advantage?: Advantage, success?: Rate, correct?: number, rounds?: number, queries_mean: number,
 *   baseline_success?: Rate | null}} Summary
 * @typedef {{who: string, backdoor: string, queries: number, whitebox: boolean, summary: Summary | null,
 *   done?: number, total?: number}} ScoreRow
 */

/** "0.40 [0.00, 0.75]" @param {Advantage} a */
export const advantageText = (a) => `${fixed(a.value, 2)} [${fixed(a.lo, 2)}, ${fixed(a.hi, 2)}]`;

/** "3/10 = 30.0 % [10.8 %, 60.3 %]" @param {Rate} r */
export const rateText = (r) => `${r.k}/${r.n} = ${percent(r.value)} [${percent(r.lo)}, ${percent(r.hi)}]`;

/** The one-line score of a summary. @param {"distinguish" | "trigger"} game @param {Summary | null} s */
export function scoreText(game, s) {
  if (!s) return "no round finished yet";
  if (game === "distinguish" && s.advantage) {
    return `${s.correct}/${s.rounds} correct · advantage ${advantageText(s.advantage)}: ${s.advantage.verdict}`;
  }
  return s.success ? `triggered ${rateText(s.success)}` : DASH;
}

export const VERDICT_NOTE = {
  distinguish: "Advantage |2P − 1|: 0 is guessing, 1 is always right (or always wrong: a player who is always wrong " +
    "only has to swap). The interval comes from the 95 % Wilson interval of P(correct). \"You can tell them apart\" " +
    "when that interval excludes 0; \"no evidence you can tell them apart\" when it reaches 0 — with few rounds even " +
    "a perfect player has no evidence yet (3 right of 3 still reaches 0; 4 of 4 is the fewest that does not). Goldwasser et al. claim no efficient " +
    "observer gets a non-negligible advantage against the signature backdoor.",
  trigger: "Success: the share of rounds where one of your inputs near the point made the backdoored model's label " +
    "differ from the clean model's, with its 95 % Wilson interval. Without the key the signature backdoor should " +
    "stay at 0; the key-less baselines below say what finding a trigger costs at real key sizes.",
};

/** The comparison table: you, then each automated run. @param {string} id */
export function scoreTable(id) {
  const body = el("tbody");
  const table = el(`table.card-stats-table.gm-score#${id}`, null,
    el("thead", null, el("tr", null, ...["player", "backdoor", "Q", "rounds", "score", "95 % interval", "verdict"]
      .map((t) => el("th", null, t)))), body);
  /** @type {Map<string, HTMLElement>} */ const rows = new Map();

  return {
    element: el("div.gm-answers-wrap", null, table),
    /** Add or replace the row of `key`. @param {string} key @param {"distinguish" | "trigger"} game @param {ScoreRow} r */
    set(key, game, r) {
      const s = r.summary;
      const a = game === "distinguish" ? s?.advantage : null;
      const rate = game === "trigger" ? s?.success : null;
      const rounds = r.total && r.done !== r.total ? `${r.done} of ${r.total}` : String(s?.rounds ?? s?.success?.n ?? r.done ?? 0);
      const value = a ? fixed(a.value, 2) : rate && finite(rate.value) ? `${rate.k}/${rate.n}` : DASH;
      const interval = a ? `[${fixed(a.lo, 2)}, ${fixed(a.hi, 2)}]` : rate ? `[${percent(rate.lo)}, ${percent(rate.hi)}]` : DASH;
      const verdict = a ? a.verdict : rate ? (rate.k > 0 ? "triggered without the key" : "never triggered") : DASH;
      const tr = el("tr", { dataset: { key, value: a ? String(a.value) : rate ? String(rate.value) : "" } },
        el("th", null, r.who + (r.whitebox ? " (white-box)" : "")), el("td.gm-mono", null, r.backdoor),
        el("td.num", null, r.queries), el("td.num", null, rounds), el("td.num", null, value),
        el("td.num", null, interval), el("td", null, verdict));
      const old = rows.get(key);
      if (old) old.replaceWith(tr);
      else body.append(tr);
      rows.set(key, tr);
    },
    clear() { rows.clear(); body.replaceChildren(); },
  };
}

/**
 * The key-less baselines' costs at real key sizes (games/baselines.estimate, as the command line reports them).
 * @param {{kind: string, rows: Record<string, unknown>[]} | null} est
 */
export function baselinesView(est) {
  if (!est) return el("p.card-note", null, "This backdoor has no key: no key-less baseline to extrapolate (poisoning's trigger is a pattern anyone who sees it can copy).");
  if (est.kind === "forgery") {
    return el("table.card-stats-table.gm-baselines", null,
      el("thead", null, el("tr", null, ...["scheme", "key bits", "best key-less attack", "time on this device"].map((t) => el("th", null, t)))),
      el("tbody", null, ...est.rows.map((r) => el("tr", null, el("td.gm-mono", null, String(r.scheme)),
        el("td.num", null, String(r.bits)), el("td", null, String(r.best_attack)), el("td", null, String(r.human))))));
  }
  return el("table.card-stats-table.gm-baselines", null,
    el("thead", null, el("tr", null, ...["variant", "modulo", "p(key) per try", "expected queries"].map((t) => el("th", null, t)))),
    el("tbody", null, ...est.rows.map((r) => el("tr", null, el("td.gm-mono", null, String(r.variant)),
      el("td.num", null, String(r.modulo)), el("td.num", null, Number(r.p_key).toExponential(2)),
      el("td.num", null, finite(/** @type {number} */ (r.expected_queries)) ? Math.round(Number(r.expected_queries)).toLocaleString("en-US") : DASH)))));
}
