// @ts-check
// The games panel (#games-panel, issue 16): "Which one is backdoored?" and "Trigger it without the key", Goldwasser,
// Kim, Vaikuntanathan and Zamir's undetectability (2022) tried by hand. Each round the worker trains a clean and a
// backdoored model on the same data from this playground's settings (games/human.py: the command line's rounds);
// which slot holds the backdoor stays in Python until the guess. Queries: a click on a plot, a typed point, a CSV;
// beyond the plane (beyond.js) a click on the page's 3-D slice or on a digit image of the grid.
// The automated players (players.js) play the same rounds for comparison. Hears "snapshot" (the epochs); emits
// image-marks (the queried digit images). Test hooks on the root: data-game, data-rounds (rounds finished), data-live, data-left, data-busy,
// data-point (the trigger game's point).

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { cleanMessage } from "../../ui/format.js";
import { on } from "../../ui/events.js";
import { answersTable, labelText, parseCsv, parsePoint } from "./answers.js";
import { gamePlot } from "./plot.js";
import { playersCard } from "./players.js";
import { VERDICT_NOTE, baselinesView, scoreTable, scoreText } from "./score.js";
import { whiteboxView } from "./whitebox.js";
import { roundTimer } from "./timer.js";
import { beyondPlane } from "./beyond.js";
import { sliceZ } from "../kd.js";

/**
 * @typedef {"distinguish" | "trigger"} Game
 * @typedef {import("./players.js").GameSettings} GameSettings
 * @typedef {import("./score.js").Summary} Summary
 * @typedef {{game: Game, round: number, whitebox: boolean, d: number, k: number, queries: number, left: number,
 *   low: number[], high: number[], train_points: number[][], train_labels: number[], finished: number,
 *   score: Summary | null, point?: number[], radius?: number, time_budget_s?: number, point_label?: number,
 *   series: boolean, config: Record<string, unknown>}} RoundView
 */

const INTRO = {
  distinguish: "Two networks trained on the same data: one clean, one backdoored, in slots A and B drawn by a secret seeded draw that stays in the worker until you guess. Query points (click a plot, type a point or upload a CSV of points: both models answer), then say which one is backdoored.",
  trigger: "The backdoored network and a given point (the cross): find an input inside the dashed square that flips its label against the clean model's, within Q queries (and the time budget, if set), without the key.",
};

/** Build the panel (once, when Python is ready). @param {import("../context.js").PanelContext} ctx */
export function init(ctx) {
  const root = document.getElementById("games-panel");
  if (!root) return;
  const select = (/** @type {string} */ spec, /** @type {[string, string][]} */ options) =>
    /** @type {HTMLSelectElement} */ (el(spec, null, ...options.map(([v, t]) => el("option", { value: v }, t))));
  const mode = select("select.card-select#games-mode", [["distinguish", "Which one is backdoored?"], ["trigger", "Trigger it without the key"]]);
  const backdoor = select("select.card-select#games-backdoor", []);
  const input = (/** @type {string} */ spec, /** @type {Record<string, string | number>} */ attrs) =>
    /** @type {HTMLInputElement} */ (el(spec, { type: "number", ...attrs }));
  const queries = input("input.card-input#games-queries", { min: 1, step: 1, value: "10" });
  const epochs = input("input.card-input#games-epochs", { min: 1, step: 1, value: "100" });
  const radius = input("input.card-input#games-radius", { min: 0, step: 0.05, value: "0.5" });
  const timeBudget = input("input.card-input#games-time", { min: 0, step: 1, value: "0" });
  const whitebox = /** @type {HTMLInputElement} */ (el("input#games-whitebox", { type: "checkbox" }));
  const startButton = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#games-start", { type: "button" }, "New round"));
  const intro = el("p.card-desc#games-intro", null, INTRO.distinguish);
  const status = el("p.card-status#games-status", null, "Press New round to train the two models.");
  const plotA = gamePlot("games-plot-a", "Model A", (p) => ask([p]));
  const plotB = gamePlot("games-plot-b", "Model B", (p) => ask([p]));
  const pointInput = /** @type {HTMLInputElement} */ (el("input.card-input.card-wide#games-point", { type: "text", placeholder: "x, y", "aria-label": "A point to query" }));
  const clickHint = el("p.card-note.gm-click-hint#games-click-hint", { hidden: true }, "");
  const queryButton = /** @type {HTMLButtonElement} */ (el("button.text-button#games-query", { type: "button" }, "Query"));
  const csv = /** @type {HTMLInputElement} */ (el("input#games-csv", { type: "file", accept: ".csv,text/csv,text/plain", "aria-label": "A CSV of points to query" }));
  const guessA = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#games-guess-a", { type: "button" }, "A is backdoored"));
  const guessB = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#games-guess-b", { type: "button" }, "B is backdoored"));
  const giveUp = /** @type {HTMLButtonElement} */ (el("button.text-button#games-give-up", { type: "button" }, "Give up"));
  const timerText = el("span.gm-timer#games-timer", null, "");
  const outcome = el("p.card-status#games-outcome", { hidden: true }, "");
  const answers = answersTable("games-answers");
  const wbHost = el("div#games-wb-host");
  const verdict = el("p.gm-verdict#games-verdict", null, "No round finished yet.");
  const verdictNote = el("p.card-note#games-verdict-note", null, VERDICT_NOTE.distinguish);
  const scores = scoreTable("games-scores");
  const baselines = el("div#games-baselines");
  const baselinesCard = el("div.gm-baselines-wrap", { hidden: true }, el("h4.gm-subtitle", null, "Key-less baselines at real key sizes"), baselines);
  const command = el("pre.mx-command#games-command", null, "");

  /** @type {RoundView | null} */ let live = null;
  /** @type {GameSettings | null} */ let lastSettings = null;
  let busy = false;
  let runs = 0;
  const beyond = beyondPlane(ctx, root, { ask: (points, images) => ask(points, images), roundD: () => live?.d ?? null,
    notify: (text) => ctx.notify(text, "info") });
  const timer = roundTimer(timerText, () => { if (live?.game === "trigger") end(API.games_give_up, {}); });

  const players = playersCard(ctx, {
    settings: () => settings(),
    setBusy: (on) => { root.toggleAttribute("data-busy", on || busy); },
    onProgress: (p, s) => {
      if (p.done === 0) runs += 1;
      scores.set(`player-${runs}`, p.game, { who: p.player, backdoor: s.backdoor, queries: s.queries, whitebox: p.whitebox,
        summary: p.summary, done: p.done, total: p.total });
      if (p.game === "trigger" && p.finished && p.summary && "baseline_estimate" in p.summary) {
        showBaselines(/** @type {any} */ (p.summary).baseline_estimate);
      }
    },
  });

  const field = (/** @type {string} */ label, /** @type {HTMLElement} */ control, /** @type {string} */ title = "") =>
    el("label.card-field", title ? { title } : null, label, control);
  const triggerOnly = el("div.card-row.gm-trigger-only", { hidden: true },
    field("radius", radius, "Max-norm distance an input may move from the given point"),
    field("time budget (s, 0: none)", timeBudget, "Seconds per round; the worker refuses queries after it"));
  const plots = el("div.gm-plots", null, plotA.element, plotB.element);
  const guessRow = el("div.card-row.gm-guess", null, guessA, guessB);
  const giveUpRow = el("div.card-row.gm-trigger-only", { hidden: true }, giveUp, timerText);

  root.replaceChildren(
    el("div.panel-head", null,
      el("h2.column-title", null, "Games: can you tell? can you trigger?"),
      el("p.column-hint", null, "Goldwasser, Kim, Vaikuntanathan and Zamir (2022) claim a signature backdoor is undetectable: no efficient observer tells the backdoored network from a clean one, or triggers it without the key. Try it against their signature block, NN Calculator's checksum operator, and BadNets' data poisoning (Gu et al. 2017).")),
    el("div.gm-layout", null,
      el("section.card#games-setup", null,
        el("h3.card-title", null, el("span.card-step", null, "1"), "Choose the game"),
        el("div.card-row", null, field("game", mode), field("backdoor", backdoor)),
        el("div.card-row", null, field("Q (queries per round)", queries), field("epochs", epochs, "Training length of each round's networks"),
          el("label.card-choice", { title: "See the networks' weights, operators and any block around them" }, whitebox, "white-box")),
        triggerOnly, intro,
        el("div.card-row", null, startButton),
        el("details.mx-details", null, el("summary", null, "The same game from the command line"), command)),
      el("section.card#games-play", null,
        el("h3.card-title", null, el("span.card-step", null, "2"), "Play"),
        status, plots, clickHint,
        el("div.card-row", null, field("point", pointInput), queryButton, field("CSV of points", csv)),
        guessRow, giveUpRow, outcome, answers.element, wbHost),
      el("section.card#games-score", null,
        el("h3.card-title", null, el("span.card-step", null, "3"), "Score: you and the automated players"),
        verdict, scores.element, verdictNote, baselinesCard, players.element)));

  /** @returns {GameSettings} */
  function settings() {
    return { game: /** @type {Game} */ (mode.value), backdoor: backdoor.value, queries: Number(queries.value),
      epochs: Number(epochs.value), radius: Number(radius.value), time_budget_s: Number(timeBudget.value) };
  }

  function setLive(/** @type {boolean} */ on) {
    root?.toggleAttribute("data-live", on);
    const canQuery = on && !busy && (live?.left ?? 0) > 0;
    for (const b of [queryButton, csv, pointInput]) b.disabled = !canQuery;
    plotA.enable(canQuery);
    plotB.enable(canQuery && live?.game === "distinguish");
    guessA.disabled = guessB.disabled = !on || busy;
    giveUp.disabled = !on || busy;
    startButton.disabled = busy;
  }

  function setBusy(/** @type {boolean} */ on) {
    busy = on;
    root?.toggleAttribute("data-busy", on || players.running);
    setLive(!!live);
  }

  function showMode() {
    const game = /** @type {Game} */ (mode.value);
    root?.setAttribute("data-game", game);
    intro.textContent = INTRO[game];
    verdictNote.textContent = VERDICT_NOTE[game];
    for (const n of root?.querySelectorAll(".gm-trigger-only") || []) /** @type {HTMLElement} */ (n).hidden = game !== "trigger";
    guessRow.hidden = game !== "distinguish";
    plotB.element.hidden = game !== "distinguish";
    baselinesCard.hidden = game !== "trigger";
    if (game === "trigger") loadBaselines();
  }

  async function loadBaselines() {
    try {
      showBaselines(await ctx.call(API.games_baselines, { backdoor: backdoor.value }));
    } catch (err) { ctx.reportError(err); }
  }

  /** @param {any} est */
  function showBaselines(est) { baselines.replaceChildren(baselinesView(est)); }

  function showScore(/** @type {Summary | null} */ score, /** @type {number} */ finished) {
    root?.setAttribute("data-rounds", String(finished));
    const s = lastSettings;
    verdict.textContent = `You: ${scoreText(/** @type {Game} */ (s?.game ?? mode.value), score)}`;
    verdict.dataset.rounds = String(finished);
    if (s && score) scores.set("you", s.game, { who: "you", backdoor: s.backdoor, queries: s.queries, whitebox: !!live?.whitebox || whitebox.checked, summary: score });
  }

  async function start() {
    if (busy) return;
    const s = settings();
    const keep = !!lastSettings && JSON.stringify(lastSettings) === JSON.stringify(s);
    setBusy(true);
    timer.stop();
    status.textContent = "Training the two networks in the worker…";
    outcome.hidden = true;
    try {
      /** @type {RoundView} */
      const v = await ctx.call(API.games_start, { ...s, whitebox: whitebox.checked, keep_score: keep });
      if (!v.series) { scores.clear(); runs = 0; players.reset(); }
      live = v;
      lastSettings = s;
      showScore(v.score, v.finished);
      // the trigger game's plot zooms on the point: the square of allowed moves is what is clicked
      const zoom = v.point && v.radius && v.d <= 3 ? 4 * v.radius : 0;
      const view = v.point && zoom ? { ...v, low: v.point.map((c) => c - zoom), high: v.point.map((c) => c + zoom) } : v;
      for (const plot of [plotA, plotB]) { plot.setSlice(sliceZ(ctx)); plot.reset(view); }
      plots.hidden = v.d > 3;  // no plane to draw: the digits are queried from the image grid
      beyond.clear();
      plotA.setTitle(v.game === "distinguish" ? "Model A" : "The backdoored model");
      answers.reset(v.game, v.k);
      const here = v.point ? ` The given point (${v.point.map((x) => x.toFixed(3)).join(", ")}) is labelled ${labelText(v.point_label ?? 0, v.k)}.` : "";
      status.textContent = `Round ${v.finished + 1}: ${v.left} of ${v.queries} queries left.${here}` + (v.d > 3 ? " Click a test image in the grid." : "");
      clickHint.textContent = howToQuery(v.d) + (v.d === 3 && v.point && v.radius ? ` The given point is at z = ${v.point[2].toFixed(2)}: ` +
        `its square shows on the plots above while the slice is within ${v.radius} of that height.` : "");
      clickHint.hidden = v.d <= 2;
      pointInput.placeholder = v.d === 2 ? "x, y" : v.d === 3 ? "x, y, z" : `${v.d} numbers`;
      root?.setAttribute("data-left", String(v.left));
      if (v.point) root?.setAttribute("data-point", v.point.join(","));
      else root?.removeAttribute("data-point");
      command.textContent = `echo '${JSON.stringify(v.config)}' > game.json\nPYTHONPATH=py python3 -m backdoor_playground game ${v.game} game.json --rounds 20 --player probe --out game.json`;
      wbHost.replaceChildren();
      if (v.whitebox) wbHost.replaceChildren(whiteboxView(await ctx.call(API.games_whitebox, {})));
      if (v.game === "trigger" && v.time_budget_s) timer.start(v.time_budget_s);
    } catch (err) {
      live = null;
      status.textContent = `Failed: ${cleanMessage(err)}`;
      ctx.reportError(err);
    } finally {
      setBusy(false);
    }
  }

  /** What a click queries for data of d coordinates (typing and a CSV always work). @param {number} d */
  function howToQuery(d) {
    const owner = "A click on the page's plot or grid queries while this panel is the one you last pressed in.";
    if (d === 3) return `Click the page's plot or the plots above: each click queries (x, y) at the slice's height z (move the slice with its slider). ${owner}`;
    return `Click a test image in the grid under the page's plot to query its ${d} pixels; the grid marks it (solid purple where the answer gives the backdoor away). ${owner}`;
  }

  /**
   * Query points; both models answer (distinguish) or the backdoored one (trigger).
   * @param {number[][]} points @param {number[]} [images] the test image of each point (the digits' grid)
   */
  async function ask(points, images) {
    if (!live || busy || !points.length) return;
    setBusy(true);
    try {
      const r = await ctx.call(API.games_query, { points: points.slice(0, live.left) });
      r.answers.forEach((/** @type {any} */ a, /** @type {number} */ j) => {
        const image = images?.[j];
        if (image !== undefined) beyond.mark(image, live?.game === "distinguish" ? a.labels[0] !== a.labels[1] : a.fired);
        if (live?.game === "distinguish") {
          answers.addPair(a, image);
          plotA.add({ point: a.point, label: a.labels[0] });
          plotB.add({ point: a.point, label: a.labels[1] });
        } else {
          answers.addTrigger(a, image);
          plotA.add({ point: a.point, label: a.label });
        }
      });
      live.left = r.left;
      root?.setAttribute("data-left", String(r.left));
      status.textContent = `Round ${live.finished + 1}: ${r.left} of ${live.queries} queries left.` +
        (live.game === "distinguish" && r.left === 0 ? " Now guess." : "");
      if (r.over) finishTrigger(r.result);
    } catch (err) {
      ctx.notify(cleanMessage(err), "warn");
    } finally {
      setBusy(false);
    }
  }

  /** @param {any} result */
  function finishTrigger(result) {
    timer.stop();
    live = null;
    outcome.hidden = false;
    outcome.dataset.success = String(result.success);
    outcome.textContent = result.success ? `Triggered after ${result.queries} queries: the label flipped against the clean model's.`
      : result.timed_out ? `Time is up: not triggered (${result.queries} queries used).` : `Not triggered in ${result.queries} queries.`;
    showScore(result.score, result.score.success.n);
    status.textContent = "Round over: press New round for the next one.";
    setLive(false);
  }

  /** End the round: a guess (distinguish) or giving up (trigger). @param {string} method @param {object} args */
  async function end(method, args) {
    if (!live || busy) return;
    setBusy(true);
    try {
      const r = await ctx.call(/** @type {any} */ (method), args);
      if (live?.game === "trigger") { finishTrigger(r); return; }
      live = null;
      outcome.hidden = false;
      outcome.dataset.correct = String(r.correct);
      outcome.textContent = `${r.correct ? "Right" : "Wrong"}: model ${r.truth ? "B" : "A"} was the backdoored one.`;
      status.textContent = "Round over: press New round for the next one.";
      showScore(r.score, r.score.rounds);
    } catch (err) {
      ctx.reportError(err);
    } finally {
      setBusy(false);
    }
  }

  startButton.addEventListener("click", () => start());
  queryButton.addEventListener("click", () => {
    const p = live ? parsePoint(pointInput.value, live.d) : null;
    if (p) ask([p]); else ctx.notify(`Type a point as ${live?.d ?? 2} numbers, e.g. "1.5, -2".`, "warn");
  });
  pointInput.addEventListener("keydown", (e) => { if (e.key === "Enter") queryButton.click(); });
  csv.addEventListener("change", async () => {
    const file = csv.files?.[0];
    if (!file || !live) return;
    const points = parseCsv(await file.text(), live.d);
    csv.value = "";
    if (points.length) ask(points); else ctx.notify(`No points of ${live.d} numbers in ${file.name}.`, "warn");
  });
  guessA.addEventListener("click", () => end(API.games_guess, { slot: 0 }));
  guessB.addEventListener("click", () => end(API.games_guess, { slot: 1 }));
  giveUp.addEventListener("click", () => end(API.games_give_up, {}));
  mode.addEventListener("change", () => showMode());
  backdoor.addEventListener("change", () => { if (mode.value === "trigger") loadBaselines(); });

  on("frame", ({ frame }) => { if (frame.z != null) for (const plot of [plotA, plotB]) plot.setSlice(frame.z); });
  on("snapshot", ({ snap }) => {
    const e = Number(snap?.config?.epochs);
    if (Number.isFinite(e) && e > 0 && !live) epochs.value = String(e);
  });

  root.setAttribute("data-rounds", "0");
  showMode();
  setLive(false);
  ctx.call(API.games_names, {}).then((/** @type {{backdoors: string[], players: string[], notes: Record<string, string>}} */ n) => {
    backdoor.replaceChildren(...n.backdoors.map((b) => el("option", { value: b }, b)));
    players.fill(n.players, n.notes);
    root.dataset.ready = "1";
  }, (err) => ctx.reportError(err));
}
