// @ts-check
// The matrix panel (#matrix-panel): which defense stops which backdoor? Pick backdoors and defenses (all by
// default), Run: the worker trains its own models from the playground's config with the command line's seeds
// "0".."n-1" (experiment/matrix.MatrixRun, in short matrix_step calls between training chunks, with a progress
// bar and Cancel), so the grid equals `python3 -m backdoor_playground matrix` on that config and the playground
// above is not touched. Clicking a cell opens its Replay link: the playground's panels then show that backdoor
// and that defense. Hears "snapshot" (the config's epochs and problem type); emits nothing.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { DASH, cleanMessage, duration, finite, percent } from "../../ui/format.js";
import { on } from "../../ui/events.js";
import { progressLine, stepJob } from "../../ui/progress.js";
import { buildGrid, legend } from "./grid.js";

/**
 * @typedef {import("./grid.js").MatrixCell} MatrixCell
 * @typedef {{backdoors: string[], defenses: string[], default_backdoors: string[], default_defenses: string[],
 *   triggers: string[], default_trigger: string, max_seeds: number, max_epochs: number, default_epochs: number}} MatrixNames
 * @typedef {{done: number, total: number, finished: boolean, cancelled: boolean, seconds: number, running: string,
 *   backdoors: string[], defenses: string[], seeds: number, trigger: string, config: Record<string, unknown>,
 *   cells: MatrixCell[]}} MatrixProgress
 * @typedef {{value: number | null, k: number | null, n: number | null} | null | undefined} ReplayedRate
 */

/** Worker time per step: short, so training chunks and other panels' calls get their turn. */
const STEP_MS = 150;

/** Build the panel (once, when Python is ready). @param {import("../context.js").PanelContext} ctx */
export function init(ctx) {
  const root = document.getElementById("matrix-panel");
  if (!root) return;
  const backdoorBox = el("div.mx-choices#mx-backdoors", { role: "group", "aria-label": "Backdoors" });
  const defenseBox = el("div.mx-choices#mx-defenses", { role: "group", "aria-label": "Defenses" });
  const seeds = /** @type {HTMLInputElement} */ (el("input.card-input#mx-seeds", { type: "number", min: 1, step: 1, value: "1" }));
  const epochs = /** @type {HTMLInputElement} */ (el("input.card-input#mx-epochs", { type: "number", min: 1, step: 1 }));
  const trigger = /** @type {HTMLSelectElement} */ (el("select.card-select#mx-trigger",
    { title: "The poisoning row's trigger: the square box, or NN Calculator's trojan region T1 … T9 (its points are moved there and relabelled)" }));
  const runButton = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#mx-run", { type: "button" }, "Run"));
  const progress = progressLine({ id: "mx-progress", label: "Matrix steps", cancelId: "mx-cancel",
    cancelling: "Cancelling after the current step…" });
  const caption = el("p.card-note#mx-caption", null, "Run the matrix to fill the grid.");
  const grid = buildGrid({ onPick: pick });
  const replayLink = /** @type {HTMLAnchorElement} */ (el("a.card-link#mx-replay-link", { href: "#" }, "Replay link"));
  const replayed = el("span.mx-replayed#mx-replayed", null, "");
  const selection = el("p.mx-selection#mx-selection", { hidden: true }, el("span#mx-selected", null, ""), " · ", replayLink,
    el("br"), replayed);
  const command = el("pre.mx-command#mx-command", null, "");
  const regression = el("p.card-warning#mx-regression", { hidden: true },
    "The matrix needs a classification problem (labels +1 / −1): set Problem type to Classification above.");

  root.replaceChildren(
    el("div.panel-head", null,
      el("h2.column-title", null, "Matrix: which defense stops which backdoor?"),
      el("p.column-hint", null, "Every backdoor planted on the same trained network, every defense run on its triggered test points.")),
    regression,
    el("div.mx-layout", null,
      el("section.card#mx-run-card", null,
        el("h3.card-title", null, el("span.card-step", null, "1"), "Choose and run"),
        el("span.card-label", null, "Backdoors"), backdoorBox,
        el("span.card-label", null, "Defenses"), defenseBox,
        el("div.card-row", null, el("label.card-field", null, "poisoning trigger", trigger)),
        el("div.card-row", null,
          el("label.card-field", null, "seeds", seeds),
          el("label.card-field", { title: "Training length of each seed's network" }, "epochs", epochs),
          runButton),
        progress.element,
        el("p.card-note", null, "The worker trains its own networks from this playground's settings, with seeds 0 … n−1 as the command line does; the playground above is not touched. A defense's randomness comes from the seed too, so a cell repeats exactly."),
        el("details.mx-details", null, el("summary", null, "The same matrix from the command line"), command)),
      el("section.card#mx-grid-card", null,
        el("h3.card-title", null, el("span.card-step", null, "2"), "Attack success after the defense"),
        caption,
        el("div.mx-grid-wrap", { tabindex: "0", role: "region", "aria-label": "The matrix (scrolls sideways)" }, grid.element),
        legend(),
        selection,
        el("p.card-note", null, "Colour: the share of triggered test points that still get the attacker's label after the defense. Text: clean accuracy after the defense. Hover a cell for the 95 % Wilson intervals; click it to replay that backdoor and that defense in the playground above."))));

  let running = false;
  let defaultEpochs = 300;
  let picked = "";  // the Replay link (without "replay=") of the clicked cell, until its replay arrives

  /** @param {HTMLElement} box @param {string} prefix @param {string[]} all @param {string[]} chosen */
  function fillChoices(box, prefix, all, chosen) {
    box.replaceChildren(...all.map((name) => el("label.card-choice", null,
      el(`input#mx-${prefix}-${name.replace(/[^a-z0-9]+/gi, "-")}`, { type: "checkbox", value: name, checked: chosen.includes(name) }),
      name)));
  }

  /** @param {HTMLElement} box */
  const checked = (box) => [...box.querySelectorAll("input:checked")].map((i) => /** @type {HTMLInputElement} */ (i).value);

  function setRunning(/** @type {boolean} */ on) {
    running = on;
    root?.toggleAttribute("data-busy", on);
    runButton.disabled = on;
    trigger.disabled = on;
    for (const input of root?.querySelectorAll(".mx-choices input, #mx-seeds, #mx-epochs") || []) {
      /** @type {HTMLInputElement} */ (input).disabled = on;
    }
  }

  /** @param {MatrixProgress} p */
  function showProgress(p) {
    const cells = p.backdoors.length * p.defenses.length;
    progress.update(p.total ? p.done / p.total : 1, `${p.done} of ${p.total} steps · ${p.cells.length} of ${cells} cells · ` +
      `${duration(p.seconds)}${p.running ? ` · ${p.running}…` : ""}`, p);
    grid.show(p.backdoors, p.defenses, p.cells, p.seeds, p.finished);
    const c = p.config;
    caption.textContent = `${c.dataset}, network [${String(c.networkShape)}] ${c.activation}, ${c.epochs} epochs, ` +
      `seed${p.seeds > 1 ? `s 0 … ${p.seeds - 1} (pooled)` : " 0"}.`;
    command.textContent = commandLine(p);
  }

  /** The command line that computes the same grid. @param {MatrixProgress} p */
  function commandLine(p) {
    const config = JSON.stringify(p.config);
    return `echo '${config}' > matrix.json\nPYTHONPATH=py python3 -m backdoor_playground matrix matrix.json \\\n` +
      `  --seeds ${p.seeds} --backdoors ${p.backdoors.join(",")} --defenses ${p.defenses.join(",")}` +
      `${p.trigger && p.trigger !== "box" ? ` --trigger ${p.trigger}` : ""} --out matrix.tsv`;
  }

  async function run() {
    if (running) return;
    const backdoors = checked(backdoorBox);
    const defenses = checked(defenseBox);
    if (!backdoors.length || !defenses.length) {
      ctx.notify("Tick at least one backdoor and one defense.", "warn");
      return;
    }
    setRunning(true);
    progress.start("Starting…");
    selection.hidden = true;
    grid.clearSelection();
    try {
      const p = /** @type {MatrixProgress} */ (await stepJob(ctx.call, { start: API.matrix_start, step: API.matrix_step, cancel: API.matrix_cancel },
        { backdoors, defenses, seeds: Number(seeds.value), epochs: Number(epochs.value), trigger: trigger.value },
        { line: progress, budgetMs: STEP_MS, onReply: showProgress }));
      progress.end(p.cancelled ? "cancelled" : "done", p.cancelled
        ? `Cancelled at step ${p.done} of ${p.total}: ${p.cells.length} cells kept (${duration(p.seconds)}).`
        : `Done: ${p.cells.length} cells in ${duration(p.seconds)}.`);
    } catch (err) {
      progress.end("error", `Failed: ${cleanMessage(err)}`);
      ctx.reportError(err);
    } finally {
      setRunning(false);
    }
  }

  /** A clicked cell: its Replay link becomes the page's link (app/main.js replays it). @param {MatrixCell} cell */
  function pick(cell) {
    const href = `${location.pathname}${location.search}#${cell.link}`;
    replayLink.href = href;
    replayLink.dataset.backdoor = cell.backdoor;
    replayLink.dataset.defense = cell.defense;
    picked = cell.link.slice("replay=".length);
    replayed.textContent = "";
    delete replayed.dataset.done;
    /** @type {HTMLElement} */ (selection.querySelector("#mx-selected")).textContent =
      `${cell.backdoor} × ${cell.defense}: replaying it in the playground above (seed 0)`;
    selection.hidden = false;
    location.hash = cell.link;
  }

  /**
   * The replayed cell's own numbers, from the replay's result (the same metric names as the grid); the defense panel
   * shows the run too (proximity, smoothing and Neural Cleanse in their cards, every other type in its card D).
   * @param {{config?: {defense?: {type?: string}}, metrics?: Record<string, ReplayedRate>}} result
   */
  function showReplayed(result) {
    const m = result.metrics || {};
    const rate = (/** @type {ReplayedRate} */ r) => (r && finite(r.value) ? `${percent(r.value)} (${r.k}/${r.n})` : DASH);
    const type = result.config?.defense?.type;
    const after = type ? m.attack_success_rate_after : m.attack_success_rate;
    const acc = type ? m.clean_accuracy_after : m.backdoored_accuracy;
    const parts = [`Replayed: attack success after ${rate(after)}`, `clean accuracy after ${rate(acc)}`];
    if (m.attack_success_rate_adaptive && finite(m.attack_success_rate_adaptive.value)) {
      parts.push(`adaptive attacker ${rate(m.attack_success_rate_adaptive)}`);
    }
    if (m.detection_tpr && finite(m.detection_tpr.value)) parts.push(`detection TPR ${rate(m.detection_tpr)}`);
    const panel = type ? "; the defense panel shows it too" : "";
    replayed.textContent = `${parts.join(", ")}${panel}.`;
    replayed.dataset.done = "1";
  }

  runButton.addEventListener("click", () => run());

  on("snapshot", ({ snap }) => {
    if (!snap) return;
    const result = /** @type {{config?: Record<string, unknown>} | undefined} */ (snap.result);
    if (picked && result?.config) {
      picked = "";
      showReplayed(/** @type {Parameters<typeof showReplayed>[0]} */ (result));
    }
    const regressionProblem = snap.config?.problem === "regression";
    regression.hidden = !regressionProblem;
    if (!running) runButton.disabled = regressionProblem;
    const e = Number(snap.config?.epochs);
    if (!running && Number.isFinite(e) && e > 0) epochs.value = String(e);
    else if (!epochs.value) epochs.value = String(defaultEpochs);
  });

  ctx.call(API.matrix_names, {}).then((/** @type {MatrixNames} */ n) => {
    defaultEpochs = n.default_epochs;
    if (!epochs.value) epochs.value = String(defaultEpochs);
    seeds.max = String(n.max_seeds);
    epochs.max = String(n.max_epochs);
    fillChoices(backdoorBox, "bd", n.backdoors, n.default_backdoors);
    fillChoices(defenseBox, "df", n.defenses, n.default_defenses);
    trigger.replaceChildren(...n.triggers.map((t) => el("option", { value: t, selected: t === n.default_trigger },
      t === "box" ? "box (square)" : `${t} (trojan)`)));
    grid.show(n.default_backdoors, n.default_defenses, []);
    root.dataset.ready = "1";
  }, (err) => ctx.reportError(err));
}
