// @ts-check
// The Studies view (#studies-panel): the paper's open checks as the command line's studies (studies/: modulo,
// proximity, matrix, dimension), run in the worker in short studies_step calls with a progress bar and Cancel, on a
// small default grid (every option editable, parsed by the same code as the command
// line's --option KEY=VALUE, so the same options give the same numbers as `python3 -m backdoor_playground study`).
// Training waits while a study runs (ctx.hold). The figures are the command line's, drawn with the page's charts
// (charts.js); the headline numbers carry their pooled 95 % Wilson intervals. "Load results" draws a study's
// NAME.tsv / NAME.summary.tsv (+ NAME.json) made on the command line; "Download TSV" saves the run's files.
// Hears nothing; emits nothing.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { download } from "../../ui/files.js";
import { DASH, cleanMessage, count, duration, finite, percent } from "../../ui/format.js";
import { progressLine, stepJob } from "../../ui/progress.js";
import { chartFigure } from "./charts.js";

/**
 * @typedef {{name: string, doc: string, available: boolean, why: string | null, seeds: number,
 *   options: Record<string, string>, docs: Record<string, string>}} StudyInfo
 * @typedef {{studies: StudyInfo[], max_seeds: number, limits: Record<string, {high: number, doc: string}>}} StudyNames
 * @typedef {{label: string, mean: number | null, k: number | null, n: number | null, lo: number | null,
 *   hi: number | null, seeds: number | null}} HeadlineNumber
 * @typedef {{study: string, done: number, total: number, finished: boolean, cancelled: boolean, seconds: number,
 *   headline: string | null, charts: import("./charts.js").ChartData[], numbers: HeadlineNumber[], command: string,
 *   loaded?: string[]}} StudyProgress
 * @typedef {{name: string, tsv: string, summary_tsv: string, json: string}} StudyFiles
 */

/** Worker time per step: short, so other panels' calls get their turn. */
const STEP_MS = 150;

/** "99.6% [97.8%, 99.9%] (249/250)", or the mean alone when the file had no counts. @param {HeadlineNumber} m */
function withInterval(m) {
  if (!finite(m.mean)) return DASH;
  const ci = finite(m.lo) && finite(m.hi) ? ` [${percent(m.lo)}, ${percent(m.hi)}]` : "";
  const kn = finite(m.k) && finite(m.n) ? ` (${count(m.k)}/${count(m.n)})` : "";
  return `${percent(m.mean)}${ci}${kn}`;
}

/** Build the panel (once, when Python is ready). @param {import("../context.js").PanelContext} ctx */
export function init(ctx) {
  const root = document.getElementById("studies-panel");
  if (!root) return;
  const pick = /** @type {HTMLSelectElement} */ (el("select.card-select#st-study", { "aria-label": "Study" }));
  const doc = el("p.card-note#st-doc", null, "");
  const optionBox = el("div.st-options#st-options");
  const seeds = /** @type {HTMLInputElement} */ (el("input.card-input#st-seeds", { type: "number", min: 1, step: 1, value: "1" }));
  const runButton = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#st-run", { type: "button" }, "Run"));
  const progress = progressLine({ id: "st-progress", label: "Study jobs", cancelId: "st-cancel",
    cancelling: "Cancelling after the current job…" });
  const fileInput = /** @type {HTMLInputElement} */ (el("input#st-file", { type: "file", multiple: true, accept: ".tsv,.json,text/tab-separated-values,application/json", hidden: true }));
  const loadButton = /** @type {HTMLButtonElement} */ (el("button.text-button#st-load", { type: "button",
    title: "Draw a study made on the command line: its NAME.tsv or NAME.summary.tsv (with NAME.json for the exact options)" }, "Load results"));
  const loadStatus = el("span.st-load-status#st-load-status", { role: "status" }, "");
  const downloadButton = /** @type {HTMLButtonElement} */ (el("button.text-button#st-download", { type: "button", disabled: true,
    title: "Save the run as the command line writes it: NAME.tsv (tidy), NAME.summary.tsv, NAME.json" }, "Download TSV"));
  const command = el("pre.st-command#st-command", null, "");
  const source = el("p.card-note#st-source", null, "Run a study or load one to see its figures.");
  const numbers = el("table.st-numbers#st-numbers");
  const headline = el("pre.st-headline#st-headline", { hidden: true }, "");
  const figures = el("div.st-figures#st-figures");

  root.replaceChildren(
    el("div.panel-head", null,
      el("h2.column-title", null, "Studies: the paper's open checks"),
      el("p.column-hint", null, "The command line's studies on a small grid, run here in the worker; or load a study made on the command line.")),
    el("div.st-layout", null,
      el("section.card#st-run-card", null,
        el("h3.card-title", null, el("span.card-step", null, "1"), "Choose and run"),
        el("label.card-field.card-field-wide", null, "study", pick), doc, optionBox,
        el("div.card-row", null, el("label.card-field", null, "seeds", seeds), runButton),
        progress.element,
        el("div.card-row", null, loadButton, fileInput, downloadButton), loadStatus,
        el("details.st-details", null, el("summary", null, "The same study from the command line"), command)),
      el("section.card#st-result-card", null,
        el("h3.card-title", null, el("span.card-step", null, "2"), "Headline numbers"),
        source, numbers, headline,
        el("p.card-note", null, "Rates are pooled over seeds, with 95 % Wilson intervals (k of n points). A tidy TSV loaded alone has no counts, so its numbers come without intervals.")),
      el("section.card.st-figures-card#st-figures-card", null,
        el("h3.card-title", null, el("span.card-step", null, "3"), "Figures (as the command line draws them)"), figures)));

  /** @type {StudyInfo[]} */
  let studies = [];
  let running = false;
  let fileLimit = 5_000_000;

  function showOptions() {
    const info = studies.find((s) => s.name === pick.value);
    if (!info) return;
    doc.textContent = info.available ? info.doc : `${info.doc}. Not yet: ${info.why}`;
    seeds.value = String(info.seeds);
    optionBox.replaceChildren(...Object.entries(info.options).map(([key, value]) => el("label.st-option", { title: info.docs[key] },
      el("span.st-option-key", null, key),
      el(`input.card-input.st-option-value#st-opt-${key}`, { type: "text", value, dataset: { key }, spellcheck: false }))));
    runButton.disabled = running || !info.available;
  }

  function setRunning(/** @type {boolean} */ on) {
    running = on;
    root?.toggleAttribute("data-busy", on);
    runButton.disabled = on;
    loadButton.disabled = on;
    pick.disabled = on;
    for (const input of optionBox.querySelectorAll("input")) /** @type {HTMLInputElement} */ (input).disabled = on;
    seeds.disabled = on;
  }

  /** Draw a run's (or a loaded study's) numbers and figures. @param {StudyProgress} p */
  function show(p) {
    root?.setAttribute("data-study", p.study);
    numbers.replaceChildren(
      el("thead", null, el("tr", null, el("th", null, "headline"), el("th", null, "rate [95 % Wilson] (k/n)"))),
      el("tbody", null, ...p.numbers.map((m) => el("tr", { dataset: { label: m.label, k: String(m.k ?? ""), n: String(m.n ?? ""),
        mean: String(m.mean ?? "") } }, el("td", null, m.label), el("td.st-num", null, withInterval(m))))));
    headline.textContent = p.headline ?? "";
    headline.hidden = !p.headline;
    figures.replaceChildren(...p.charts.map((c) => chartFigure(c, p.study)));
    command.textContent = p.command;
  }

  /** @param {StudyProgress} p */
  function showProgress(p) {
    progress.update(p.total ? p.done / p.total : 1, `${p.done} of ${p.total} jobs · ${duration(p.seconds)}`, p);
    source.textContent = `Run in this page: the ${p.study} study${p.finished ? "" : " (so far)"}.`;
    show(p);
  }

  async function run() {
    if (running) return;
    const name = pick.value;
    /** @type {Record<string, string>} */
    const options = {};
    for (const input of optionBox.querySelectorAll("input")) {
      const i = /** @type {HTMLInputElement} */ (input);
      options[i.dataset.key ?? ""] = i.value.trim();
    }
    setRunning(true);
    progress.start("Starting…");
    const hold = ctx.hold(`the ${name} study`);
    try {
      const p = /** @type {StudyProgress} */ (await stepJob(ctx.call, { start: API.studies_start, step: API.studies_step,
        cancel: API.studies_cancel }, { name, seeds: Number(seeds.value), options }, { line: progress, budgetMs: STEP_MS, onReply: showProgress }));
      progress.end(p.cancelled ? "cancelled" : "done", p.cancelled
        ? `Cancelled after job ${p.done} of ${p.total}: the figures show the jobs finished (${duration(p.seconds)}).`
        : `Done: ${p.total} jobs in ${duration(p.seconds)}.`);
      downloadButton.disabled = false;
    } catch (err) {
      progress.end("error", `Failed: ${cleanMessage(err)}`);
      ctx.reportError(err);
    } finally {
      ctx.release(hold);
      setRunning(false);
    }
  }

  async function load() {
    const chosen = [...(fileInput.files ?? [])];
    fileInput.value = "";  // choosing the same files again must fire `change` again
    if (!chosen.length) return;
    loadStatus.textContent = "Reading…";
    loadStatus.classList.remove("st-error");
    try {
      const big = chosen.find((f) => f.size > 4 * fileLimit);
      if (big) throw new Error(`${big.name} is ${(big.size / 1e6).toFixed(1)} MB; a study file may have ${count(fileLimit)} characters`);
      const files = await Promise.all(chosen.map(async (f) => ({ name: f.name, text: await f.text() })));
      /** @type {StudyProgress} */
      const p = await ctx.call(API.studies_load, { files });
      if (pick.value !== p.study && studies.some((s) => s.name === p.study)) {
        pick.value = p.study;
        showOptions();
      }
      source.textContent = `Loaded from ${(p.loaded ?? []).join(", ")}: the ${p.study} study made on the command line.`;
      show(p);
      loadStatus.textContent = `Loaded the ${p.study} study.`;
      root?.setAttribute("data-loaded", p.study);
    } catch (err) {
      loadStatus.textContent = `Not loaded: ${cleanMessage(err)}`;
      loadStatus.classList.add("st-error");
    }
  }

  async function save() {
    try {
      /** @type {StudyFiles} */
      const f = await ctx.call(API.studies_files, {});
      download(f.tsv, `${f.name}.tsv`, "text/tab-separated-values");
      download(f.summary_tsv, `${f.name}.summary.tsv`, "text/tab-separated-values");
      download(f.json, `${f.name}.json`);
    } catch (err) {
      ctx.reportError(err);
    }
  }

  pick.addEventListener("change", showOptions);
  runButton.addEventListener("click", () => run());
  loadButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => load());
  downloadButton.addEventListener("click", () => save());

  ctx.call(API.studies_names, {}).then((/** @type {StudyNames} */ n) => {
    studies = n.studies;
    fileLimit = n.limits.file_chars?.high ?? fileLimit;
    seeds.max = String(n.max_seeds);
    pick.replaceChildren(...studies.map((s) => el("option", { value: s.name, disabled: !s.available },
      s.available ? s.name : `${s.name} (not yet)`)));
    pick.value = studies.find((s) => s.available)?.name ?? "";
    showOptions();
    root.dataset.ready = "1";
  }, (err) => ctx.reportError(err));
}
