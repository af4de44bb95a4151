// @ts-check
// The automated players (games/: random, boundary, probe, whitebox) play the same game, backdoor and Q in the
// worker: games_player_start, then games_player_step calls of a short budget (whole rounds) with a progress bar and
// Cancel; training waits meanwhile (ctx.hold / release). Each run's score lands in the score table beside yours.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { cleanMessage, duration } from "../../ui/format.js";
import { progressLine, stepJob } from "../../ui/progress.js";

const STEP_MS = 200;

/**
 * @typedef {import("./score.js").Summary} Summary
 * @typedef {{game: "distinguish" | "trigger", player: string, whitebox: boolean, done: number, total: number,
 *   finished: boolean, cancelled: boolean, seconds: number, summary: Summary | null}} PlayerProgress
 * @typedef {{game: "distinguish" | "trigger", backdoor: string, queries: number, epochs: number, radius: number,
 *   time_budget_s: number}} GameSettings
 */

/**
 * @param {import("../context.js").PanelContext} ctx
 * @param {{settings: () => GameSettings | null, onProgress: (p: PlayerProgress, s: GameSettings) => void,
 *   setBusy: (on: boolean) => void}} hooks
 */
export function playersCard(ctx, hooks) {
  const player = /** @type {HTMLSelectElement} */ (el("select.card-select#games-player", { "aria-label": "Automated player" }));
  const rounds = /** @type {HTMLInputElement} */ (el("input.card-input#games-player-rounds", { type: "number", min: 1, step: 1, value: "5" }));
  const run = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#games-run-player", { type: "button" }, "Run player"));
  const progress = progressLine({ id: "games-player-progress", label: "Automated player's rounds",
    barId: "games-player-bar", textId: "games-player-text", cancelId: "games-player-cancel",
    cancelling: "Cancelling after the current round…" });
  const notes = el("ul.gm-notes#games-player-notes");
  let running = false;

  /** @param {string[]} names @param {Record<string, string>} about */
  function fill(names, about) {
    player.replaceChildren(...names.map((n) => el("option", { value: n }, n)));
    notes.replaceChildren(...names.map((n) => el("li", null, el("strong", null, n), `: ${about[n]}.`)));
  }

  async function start() {
    const s = hooks.settings();
    if (running || !s) return;
    running = true;
    run.disabled = true;
    hooks.setBusy(true);
    progress.start("Training the first round…");
    const hold = ctx.hold(`the ${player.value} player`);
    try {
      const p = /** @type {PlayerProgress} */ (await stepJob(ctx.call,
        { start: API.games_player_start, step: API.games_player_step, cancel: API.games_player_cancel },
        { ...s, player: player.value, rounds: Number(rounds.value) },
        { line: progress, budgetMs: STEP_MS, onReply: (/** @type {PlayerProgress} */ q, first) => {
          if (!first) progress.update(q.done / q.total, `${q.player}: ${q.done} of ${q.total} rounds · ${duration(q.seconds)}`, { done: q.done });
          hooks.onProgress(q, s);
        } }));
      progress.end(p.cancelled ? "cancelled" : "done",
        p.cancelled ? `Cancelled: ${p.done} of ${p.total} rounds scored.` : `Done: ${p.total} rounds in ${duration(p.seconds)}.`);
    } catch (err) {
      progress.end("error", `Failed: ${cleanMessage(err)}`);
      ctx.reportError(err);
    } finally {
      ctx.release(hold);
      running = false;
      run.disabled = false;
      hooks.setBusy(false);
    }
  }

  run.addEventListener("click", () => start());

  const element = el("div.gm-players", null,
    el("div.card-row", null, el("label.card-field", null, "player", player),
      el("label.card-field", null, "rounds", rounds), run),
    progress.element,
    el("p.card-note", null, "The automated players play the same game, backdoor and Q, each round trained in the worker as yours are (the command line's rounds: the same seeds give the same rows):"),
    notes);
  /** A new series: the last run's progress goes (its row left the score table). */
  function reset() {
    if (!running) progress.hide();
  }

  return { element, fill, reset, get running() { return running; } };
}
