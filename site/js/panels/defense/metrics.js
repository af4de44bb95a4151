// @ts-check
// The one metrics table: rows are the result JSON's `metrics` keys (defense.metrics), each rate with its 95 %
// Wilson interval and k / n, grouped into "before any defense" and "after the last defense"; every row says what
// it measures. An "after" row with a "before" counterpart also shows what it was.

import { el } from "../../ui/dom.js";
import { interval, isRate } from "./util.js";
import { DASH, percent } from "../../ui/format.js";
import { FIGURES, FIGURE_KEYS } from "../figures.js";

/** [key, label, definition] in table order. */
export const BEFORE_ROWS = [
  ["clean_accuracy", "Clean accuracy", "The clean model's accuracy on the untouched test points (ground truth)."],
  ["backdoored_accuracy", "Backdoored accuracy", "The backdoored model's accuracy on the untouched test points: what planting cost."],
  ["agreement", "Agreement", "Share of untouched test points where the backdoored and the clean model give the same label."],
  ["accidental_trigger_rate", "Accidental triggers", "Share of untouched test points on which the trigger fires although nobody activated it."],
  ["attack_success_rate", "Attack success", "Share of activated inputs the backdoored model labels as the attacker's target (the clean label's opposite)."],
  ...FIGURE_KEYS.map((key) => [key, FIGURES[key].label, FIGURES[key].def]),
];
export const AFTER_ROWS = [
  ["accuracy_after", "Accuracy after", "Accuracy of the defended labels on the inputs the model is shown (activated points moved)."],
  ["clean_accuracy_after", "Clean accuracy after", "Accuracy of the defended labels at the untouched test points."],
  ["attack_success_rate_after", "Attack success after", "Share of activated inputs whose defended label is still the attacker's target."],
  ["robust_accuracy_after", "Robust accuracy after", "Share of activated inputs whose defended label is the ground truth."],
  ["false_positive_rate", "False positives", "Share of untouched test points where the defense changed (or abstained on) the backdoored model's label."],
  ["true_positive_rate", "True positives", "Share of flipped inputs the defense restored to the clean model's label, or abstained on."],
  ["der", "DER", "Defense effectiveness rating (BackdoorBench): [max(0, ASR drop) − max(0, clean-accuracy drop) + 1] / 2. 1 is best, 0.5 is no effect."],
  ["abstention_rate", "Abstentions", "Share of inputs on which the defense abstained (label 0)."],
  // the registry's column metrics (defense/registry.py): what a defense without labels reports
  ["attack_success_rate_adaptive", "Adaptive attacker", "Share of activated inputs an attacker who knows the defense still sends to the target (re-activation after fine-tuning, the lattice search after quantisation, smoothing's adaptive attacker)."],
  ["detection_tpr", "Detection TPR", "Share of the poisoned training points (Neural Cleanse: of the attack's target class) the detector flagged; no n where nothing was poisoned."],
  ["detection_fpr", "Detection FPR", "Share of the clean training points (Neural Cleanse: of the other classes) the detector flagged."],
  ["anomaly_index", "Anomaly index", "Neural Cleanse: the suspect class's |L1 − median| / (1.4826·MAD); above 2 flags it."],
  ["trigger_l1", "Trigger |m|₁", "Neural Cleanse: the size of the suspect class's recovered mask."],
  ["trigger_l1_clean", "Trigger |m|₁, clean model", "Neural Cleanse: the same class's mask on the clean model (none when the attack left the network as it was)."],
];
/** after key -> the before key it compares with */
const WAS = /** @type {Record<string, string>} */ ({
  attack_success_rate_after: "attack_success_rate", clean_accuracy_after: "backdoored_accuracy",
});

/** A plain number of one of the table's kinds. @param {string} key @param {number | null | undefined} v */
function plain(key, v) {
  if (v == null) return DASH;
  if (key in FIGURES) return FIGURES[/** @type {import("../figures.js").FigureKey} */ (key)].format(v);
  return v.toFixed(3);
}

export function buildMetrics() {
  const body = el("tbody");
  const caption = el("p.card-note#df-metrics-caption", null, "");
  const table = el("table.card-table.df-metrics#df-metrics", null,
    el("thead", null, el("tr", null, ...["Metric", "Value", "95 % interval", "k / n", "What it measures"].map((h, i) =>
      el(i === 1 || i === 3 ? "th.num" : "th", null, h)))),
    body);
  const element = el("section.card.df-metrics-card#df-metrics-card", null,
    el("h3.card-title", null, "Metrics"),
    el("p.card-note", null, "The keys of the exported result's ", el("code", null, "metrics"),
      ". Rates carry a 95 % Wilson interval: with n = 250 test points a rate is only known to a few percent."),
    el("div.df-table-scroll", { tabindex: "0", role: "region", "aria-label": "The metrics table (scrolls sideways)" }, table),
    caption);

  /**
   * @param {import("../replies.js").DefenseMetrics | null} m the metrics table @param {string} key @param {string} label @param {string} def
   * @param {import("../replies.js").DefenseMetrics[string]} was the "before" counterpart
   */
  function row(m, key, label, def, was) {
    const v = m ? m[key] : undefined;
    const name = el("th", null, label, el("code.df-key-name", null, key));
    if (isRate(v)) {
      const before = was && isRate(was) && was.value != null ? el("span.df-was", null, `was ${percent(was.value, "auto")}`) : null;
      return el(`tr#df-row-${key}`, { title: def },
        name,
        el("td.num", null, el(`strong#df-m-${key}`, { dataset: { value: String(v.value ?? "") } }, percent(v.value, "auto")), before),
        el("td.df-ci", null, interval(v)),
        el("td.num.df-kn", null, v.n ? `${v.k} / ${v.n}` : DASH),
        el("td.df-def", null, def));
    }
    return el(`tr#df-row-${key}`, { title: def },
      name,
      el("td.num", null, el(`strong#df-m-${key}`, { dataset: { value: v == null ? "" : String(v) } }, plain(key, v))),
      el("td.df-ci"), el("td.num.df-kn"), el("td.df-def", null, def));
  }

  const section = (/** @type {string} */ text, /** @type {string} */ id, /** @type {string} */ detail = "") =>
    el(`tr.df-section#${id}`, null, el("th", { colSpan: 5 }, text, detail ? el("span.df-section-detail", null, detail) : null));

  /**
   * @param {import("../replies.js").DefenseMetrics | null} before the metrics without a defense (defense_metrics, or a defend reply's)
   * @param {import("../replies.js").DefenseMetrics | null} after the last defend reply's metrics, or null
   * @param {string} afterTitle what the last defense was
   */
  function show(before, after, afterTitle) {
    const rows = [section("Before any defense", "df-sec-before"),
      ...BEFORE_ROWS.map(([k, l, d]) => row(before, k, l, d, null)),
      section(after ? "After the last defense" : "After a defense: run one above", "df-sec-after", after ? afterTitle : "")];
    // the rows the defense reports (proximity and smoothing: labels and counts; the others their column metrics)
    if (after) rows.push(...AFTER_ROWS.filter(([k]) => k in after).map(([k, l, d]) => row(after, k, l, d, WAS[k] ? before?.[WAS[k]] : null)));
    else rows.push(el("tr.df-empty", null, el("td", { colSpan: 5 }, "A defense fills these rows: accuracy and attack success after, false and true positives, DER, abstentions; a script's other defenses their adaptive attacker and detection rates.")));
    body.replaceChildren(...rows);
    element.dataset.after = after ? "1" : "0";
  }

  return {
    element,
    show,
    setCaption(/** @type {string} */ text) { caption.textContent = text; },
  };
}

/**
 * What the defenses act on, for the panel's first line (its counts in #df-context-counts' data attributes), and
 * the table's caption.
 * @param {import("../replies.js").DefenseMetrics} m the metrics without a defense
 */
export function describeTestSet(m) {
  const total = m.clean_accuracy?.n ?? 0;
  const asr = m.attack_success_rate;
  const activated = asr?.n ?? 0;
  const line = [
    "Defenses run on the activated test set: ",
    el("strong#df-context-counts", { dataset: { total: String(total), activated: String(activated) } },
      activated ? `${total} test points, ${activated} activated` : `${total} test points, none activated`),
    activated ? ` (attack success ${percent(asr?.value, "auto")}).`
      : ". Plant and activate a backdoor above (checksum: Plant, then Activate; or the signature backdoor) to see what the defenses undo; until then they run on the plain test set.",
  ];
  const caption = activated
    ? "The attacker's target is the opposite of the clean model's label at each activated point."
    : "No point is activated: attack success, |Δx| and the activation time stay empty.";
  return { line, caption };
}
