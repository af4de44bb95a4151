// @ts-check
// The matrix's grid: one row per backdoor, one column per defense, an HTML table styled as a heatmap. A cell's
// colour is the attack success after the defense (0 → pale green, 1 → deep red, legend below), its text the clean
// accuracy after; its tooltip gives both with their 95 % Wilson intervals and the detection rates. Clicking a cell
// hands its Replay link to the panel (onPick).

import { el } from "../../ui/dom.js";
import { DASH, count, finite, percent } from "../../ui/format.js";

/**
 * One metric of one cell, pooled over the seeds (experiment/matrix.summarize).
 * @typedef {{mean: number | null, sd: number | null, k: number | null, n: number | null,
 *   lo: number | null, hi: number | null}} CellMetric
 * @typedef {{backdoor: string, defense: string, seeds: number, link: string,
 *   metrics: Record<string, CellMetric | undefined>}} MatrixCell
 */

/** The colour stops of attack success, 0 to 1. */
const STOPS = /** @type {const} */ ([[0, [232, 245, 233]], [0.5, [255, 204, 128]], [1, [183, 28, 28]]]);

/** The heatmap colour of an attack success rate in [0, 1]. @param {number} v @returns {string} */
export function asrColor(v) {
  const x = Math.min(1, Math.max(0, v));
  let i = 0;
  while (i < STOPS.length - 2 && x > STOPS[i + 1][0]) i += 1;
  const [a, ca] = STOPS[i];
  const [b, cb] = STOPS[i + 1];
  const t = (x - a) / (b - a);
  const rgb = ca.map((c, j) => Math.round(c + t * (cb[j] - c)));
  return `rgb(${rgb.join(", ")})`;
}

/** "97.6% [93.1%, 99.4%] (244/250)" or the dash. @param {CellMetric | undefined} m */
export function withInterval(m) {
  if (!m || !finite(m.mean)) return `${DASH} (no points)`;
  const ci = finite(m.lo) && finite(m.hi) ? ` [${percent(m.lo)}, ${percent(m.hi)}]` : "";
  const kn = finite(m.k) && finite(m.n) ? ` (${count(m.k)}/${count(m.n)})` : "";
  return `${percent(m.mean)}${ci}${kn}`;
}

/** The cell's tooltip. @param {MatrixCell} c */
function tooltip(c) {
  const m = c.metrics;
  const lines = [`${c.backdoor} × ${c.defense}${c.seeds > 1 ? ` (${c.seeds} seeds pooled)` : ""}`,
    `attack success after: ${withInterval(m.attack_success_rate_after)}`,
    `clean accuracy after: ${withInterval(m.clean_accuracy_after)}`];
  if (m.attack_success_rate_adaptive && finite(m.attack_success_rate_adaptive.mean)) {
    lines.push(`adaptive attacker: ${withInterval(m.attack_success_rate_adaptive)}`);
  }
  if (m.detection_tpr) lines.push(`detection TPR: ${withInterval(m.detection_tpr)}`);
  if (m.detection_fpr) lines.push(`detection FPR: ${withInterval(m.detection_fpr)}`);
  if (m.abstention_rate) lines.push(`abstention: ${withInterval(m.abstention_rate)}`);
  lines.push("95% Wilson intervals. Click: replay this cell in the playground.");
  return lines.join("\n");
}

/** The colour legend: attack success after from 0 to 100 %, and the "no triggered points" swatch. */
export function legend() {
  const stops = [0, 0.25, 0.5, 0.75, 1].map((v) => `${asrColor(v)} ${100 * v}%`).join(", ");
  return el("div.mx-legend#mx-legend", null,
    el("span.mx-legend-label", null, "attack success after"),
    el("span.mx-legend-end", null, "0%"),
    el("span.mx-legend-bar", { style: `background: linear-gradient(to right, ${stops})` }),
    el("span.mx-legend-end", null, "100%"),
    el("span.mx-swatch.mx-none"), el("span.mx-legend-label", null, "no triggered points"),
    el("span.mx-legend-label.mx-legend-text", null, "cell text: clean accuracy after"));
}

/**
 * The grid's table element and a way to fill it.
 * @param {{onPick: (cell: MatrixCell) => void}} hooks
 */
export function buildGrid(hooks) {
  const table = /** @type {HTMLTableElement} */ (el("table.mx-grid#mx-grid"));
  /** @type {Map<string, MatrixCell>} */
  const byKey = new Map();
  let selected = "";
  let runSeeds = 1;
  let pendingText = "…";
  const key = (/** @type {string} */ b, /** @type {string} */ d) => `${b}\u0000${d}`;

  table.addEventListener("click", (event) => {
    const td = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest("td.mx-cell"));
    const cell = td && byKey.get(key(td.dataset.backdoor || "", td.dataset.defense || ""));
    if (!td || !cell) return;
    select(cell.backdoor, cell.defense);
    hooks.onPick(cell);
  });
  table.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    const td = /** @type {HTMLElement} */ (event.target);
    if (!td.matches("td.mx-cell")) return;
    event.preventDefault();
    td.click();
  });

  /** @param {string} b @param {string} d */
  function select(b, d) {
    selected = key(b, d);
    for (const td of table.querySelectorAll("td.mx-cell")) {
      const t = /** @type {HTMLElement} */ (td);
      t.classList.toggle("selected", key(t.dataset.backdoor || "", t.dataset.defense || "") === selected);
    }
  }

  /**
   * Draw the grid: every chosen row and column, the cells computed so far (the rest wait, dotted).
   * @param {string[]} backdoors @param {string[]} defenses @param {MatrixCell[]} cells
   * @param {number} [seeds] the run's seeds (a cell with fewer says so) @param {boolean} [stopped] no more cells
   */
  function show(backdoors, defenses, cells, seeds = 1, stopped = false) {
    runSeeds = seeds;
    pendingText = stopped ? "not run" : "…";
    byKey.clear();
    for (const c of cells) byKey.set(key(c.backdoor, c.defense), c);
    const head = el("tr", null, el("th.mx-corner", { scope: "col" }, "backdoor ↓ defense →"),
      ...defenses.map((d) => el("th.mx-col", { scope: "col" }, d)));
    const rows = backdoors.map((b) => el("tr", null, el("th.mx-row", { scope: "row" }, b),
      ...defenses.map((d) => cellElement(b, d, byKey.get(key(b, d))))));
    table.replaceChildren(el("thead", null, head), el("tbody", null, ...rows));
    table.dataset.cells = String(cells.length);
  }

  /** @param {string} b @param {string} d @param {MatrixCell | undefined} c */
  function cellElement(b, d, c) {
    const dataset = { backdoor: b, defense: d };
    if (!c) return el("td.mx-cell.mx-pending", { dataset }, pendingText);
    const asr = c.metrics.attack_success_rate_after;
    const acc = c.metrics.clean_accuracy_after;
    const hasAsr = !!asr && finite(asr.mean);
    const adaptive = c.metrics.attack_success_rate_adaptive;
    /** @type {Record<string, string>} */
    const data = { ...dataset, asr: hasAsr ? String(asr?.mean) : "", asrK: String(asr?.k ?? ""), asrN: String(asr?.n ?? ""),
      acc: String(acc?.mean ?? ""), accK: String(acc?.k ?? ""), accN: String(acc?.n ?? ""),
      adaptiveK: String(adaptive?.k ?? ""), adaptiveN: String(adaptive?.n ?? ""), link: c.link };
    const style = hasAsr ? `background: ${asrColor(/** @type {number} */ (asr?.mean))}` : null;
    const td = el(`td.mx-cell${hasAsr ? "" : ".mx-none"}`, { dataset: data, style, title: tooltip(c), tabindex: 0 },
      el("span.mx-acc", null, percent(acc?.mean)),
      el("span.mx-asr", null, (hasAsr ? `attack ${percent(asr?.mean, 0)}` : "no trigger") +
        (c.seeds < runSeeds ? ` · ${c.seeds}/${runSeeds} seeds` : "")));
    if (hasAsr && /** @type {number} */ (asr?.mean) > 0.62) td.classList.add("mx-dark");
    if (key(b, d) === selected) td.classList.add("selected");
    return td;
  }

  return { element: table, show, select, clearSelection: () => { selected = ""; select("", ""); } };
}
