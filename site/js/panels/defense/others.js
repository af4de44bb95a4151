// @ts-check
// Card D: the defenses without a card of their own here (quantisation, fine-tuning, fine-pruning, the spectral and
// clustering detectors; the matrix panel runs them as columns), shown when a script runs one (`defend`,
// docs/EMBED.md). One card for all of them, drawn from what the reply carries, never from its type: the registry's
// column metrics (defense/registry.py) as tiles in the metrics table's words, and what else it returns beyond its
// settings (the detectors' count of flagged training points, fine-pruning's pruned neurons). Hidden until a result.

import { el } from "../../ui/dom.js";
import { percent } from "../../ui/format.js";
import { AFTER_ROWS } from "./metrics.js";
import { isRate, statusLine, tiles } from "./util.js";

/** The reply's keys that are not a result to show (the settings, the timing, the metrics: shown by the table). */
const NOT_SHOWN = new Set(["type", "params", "seconds", "metrics", "settings"]);

export function buildOthersCard() {
  const status = statusLine("df-other-status");
  const summary = tiles("df-other-tiles");
  const title = el("span#df-other-name", null, "");
  const element = el("section.card.df-card.df-other-card#df-other-card", { hidden: true },
    el("h3.card-title", null, el("span.card-step", null, "D"), "Other defenses: ", title),
    el("p.card-desc", null, "A script ran a defense that has no card above (the matrix panel runs these as columns). "
      + "Its numbers, as the experiment's result has them; the metrics table has their 95 % Wilson intervals."),
    status.element,
    summary.element);

  /** @param {import("../replies.js").DefendReply} r @param {import("../replies.js").DefenseMetrics | null} before */
  function show(r, before) {
    const m = r.metrics ?? {};
    /** @type {import("./util.js").Tile[]} */
    const items = [];
    for (const [key, label] of AFTER_ROWS) {
      const v = m[key];
      if (!(key in m)) continue;
      const was = key === "attack_success_rate_after" && isRate(before?.attack_success_rate) && before.attack_success_rate.value != null
        ? `was ${percent(before.attack_success_rate.value, "auto")}` : "";
      if (isRate(v)) items.push([`df-other-${key}`, label, v.n ? percent(v.value, "auto") : "n = 0", v.value, v.n ? `${v.k} of ${v.n}${was ? ` · ${was}` : ""}` : "nothing to count"]);
      else items.push([`df-other-${key}`, label, v == null ? "none" : Number(v).toFixed(3), v, v == null ? "does not apply here" : ""]);
    }
    // what else the defense returns beyond its settings: a count (the detectors' flagged training points) as it is,
    // a list (fine-pruning's pruned neurons) by its length
    for (const [key, v] of Object.entries(/** @type {Record<string, unknown>} */ (r))) {
      if (NOT_SHOWN.has(key) || key in (r.params ?? {})) continue;
      if (Array.isArray(v)) items.push([`df-other-${key}`, key, String(v.length), v.length, v.length === 1 ? "entry in the reply" : "entries in the reply"]);
      else if (typeof v === "number") items.push([`df-other-${key}`, key, String(v), v]);
    }
    summary.set(items);
    title.textContent = r.type;
    element.dataset.type = r.type;
    element.hidden = false;
  }

  function clear() {
    summary.hide();
    status.clear();
    element.hidden = true;
    delete element.dataset.type;
  }

  return { element, status, show, clear, setBusy: (/** @type {boolean} */ _busy) => {} };
}
