// @ts-check
// The automated players (games/: random, boundary, probe, whitebox) play the same game, backdoor and Q in the
// worker: games_player_start, then games_player_step calls of a short budget (whole rounds) with a progress bar and
// Cancel; training waits meanwhile (ctx.hold / release). Each run's score lands in the score table beside yours.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { cleanMessage, duration } from "../../ui/format.js";

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
  const cancel = /** @type {HTMLButtonElement} */ (el("button.text-button#games-player-cancel", { type: "button", disabled: true }, "Cancel"));
  const bar = el("div.mx-progress-bar#games-player-bar");
  const text = el("span.mx-progress-text#games-player-text", null, "");
  const progress = el("div.mx-progress#games-player-progress", { hidden: true, dataset: { state: "idle", done: "0" } },
    el("div.mx-progress-track", null, bar), text, cancel);
  const notes = el("ul.gm-notes#games-player-notes");
  let cancelRequested = false;
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
    cancelRequested = false;
    run.disabled = true;
    cancel.disabled = false;
    hooks.setBusy(true);
    progress.hidden = false;
    progress.dataset.state = "running";
    bar.style.width = "0%";
    text.textContent = "Training the first round…";
    const hold = ctx.hold(`the ${player.value} player`);
    try {
      /** @type {PlayerProgress} */
      let p = await ctx.call(API.games_player_start, { ...s, player: player.value, rounds: Number(rounds.value) });
      hooks.onProgress(p, s);
      while (!p.finished) {
        p = await ctx.call(cancelRequested ? API.games_player_cancel : API.games_player_step, cancelRequested ? {} : { budget_ms: STEP_MS });
        bar.style.width = `${(100 * p.done / p.total).toFixed(1)}%`;
        progress.dataset.done = String(p.done);
        text.textContent = `${p.player}: ${p.done} of ${p.total} rounds · ${duration(p.seconds)}`;
        hooks.onProgress(p, s);
      }
      progress.dataset.state = p.cancelled ? "cancelled" : "done";
      text.textContent = p.cancelled ? `Cancelled: ${p.done} of ${p.total} rounds scored.` : `Done: ${p.total} rounds in ${duration(p.seconds)}.`;
    } catch (err) {
      progress.dataset.state = "error";
      text.textContent = `Failed: ${cleanMessage(err)}`;
      ctx.reportError(err);
    } finally {
      ctx.release(hold);
      running = false;
      run.disabled = false;
      cancel.disabled = true;
      hooks.setBusy(false);
    }
  }

  run.addEventListener("click", () => start());
  cancel.addEventListener("click", () => {
    cancelRequested = true;
    cancel.disabled = true;
    text.textContent = "Cancelling after the current round…";
  });

  const element = el("div.gm-players", null,
    el("div.card-row", null, el("label.card-field", null, "player", player),
      el("label.card-field", null, "rounds", rounds), run),
    progress,
    el("p.card-note", null, "The automated players play the same game, backdoor and Q, each round trained in the worker as yours are (the command line's rounds: the same seeds give the same rows):"),
    notes);
  /** A new series: the last run's progress goes (its row left the score table). */
  function reset() {
    if (!running) progress.hidden = true;
  }

  return { element, fill, reset, get running() { return running; } };
}
