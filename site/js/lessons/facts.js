// @ts-check
// The facts a lesson's checks read (py/backdoor_playground/lessons/model.py lists them): the last frame's metrics, the
// config, whether the model carries a checksum operator, the checksum's backdoor_stats, what the hub said since the
// step opened, and the Games panel's published state (its data-game / data-rounds contract; the automated players'
// progress, #games-player-progress data-state, and their rows in the score table, #games-scores data-key player-N).
import { API } from "../app/api-table.js";

/** @typedef {import("../panels/context.js").PanelContext} PanelContext */
/** @typedef {string | number | boolean | null} FactValue */

const FRAME = new Set(["epoch", "loss_test", "loss_train", "acc_test", "acc_train"]);
const STATS = new Set(["agreement", "trigger_rate"]);

export class Facts {
  /** @param {PanelContext} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    /** Hub events seen since the step opened ("checksum:activation", "defense:proximity"...). @type {Set<string>} */
    this.events = new Set();
    /** The checksum's backdoor_stats, fetched when a check needs them. @type {Record<string, any> | null} */
    this.stats = null;
    /** How many times the Games panel's data-rounds went up since the step opened. */
    this.roundsPlayed = 0;
    this.lastRounds = this.gamesRounds();
    /** How many automated player runs finished since the step opened. */
    this.playerRuns = 0;
    this.lastPlayerState = playerState();
  }

  /** A new step: forget what happened before it. */
  reset() {
    this.events.clear();
    this.roundsPlayed = 0;
    this.lastRounds = this.gamesRounds();
    this.playerRuns = 0;
    this.lastPlayerState = playerState();
  }

  /** The automated players' progress changed: count a run when its state turned "done". */
  playersChanged() {
    const now = playerState();
    if (now === "done" && this.lastPlayerState !== "done") this.playerRuns += 1;
    this.lastPlayerState = now;
  }

  /** The Games panel's finished rounds (its data-rounds), or null when there is no Games panel. */
  gamesRounds() {
    const raw = document.getElementById("games-panel")?.dataset.rounds;
    const n = raw == null || raw === "" ? NaN : Number(raw);
    return Number.isFinite(n) ? n : null;
  }

  /** The Games panel changed: count a round when data-rounds went up. */
  gamesChanged() {
    const now = this.gamesRounds();
    if (now != null && (this.lastRounds == null || now > this.lastRounds)) this.roundsPlayed += 1;
    this.lastRounds = now;
  }

  /** Fetch the checksum's backdoor_stats (a step reads agreement or trigger_rate, and the model may have changed). */
  async refreshStats() {
    try {
      this.stats = this.planted() ? await this.ctx.call(API.backdoor_stats) : null;
    } catch {
      this.stats = null; // no stats: the checks that read them stay unmet
    }
  }

  planted() {
    return Boolean(this.ctx.getModel()?.activation_names.some((n) => n.endsWith("_csum")));
  }

  /** @param {string} name @returns {FactValue} */
  value(name) {
    if (name.startsWith("config.")) {
      const v = this.ctx.getConfig()[name.slice("config.".length)];
      return Array.isArray(v) ? v.join(",") : v ?? null;
    }
    if (name.startsWith("event:")) return this.events.has(name.slice("event:".length));
    const frame = this.ctx.getFrame();
    if (FRAME.has(name)) return frame ? /** @type {number | null} */ (frame[/** @type {"epoch"} */ (name)]) : null;
    if (name === "gap") return frame && frame.loss_test != null && frame.loss_train != null ? frame.loss_test - frame.loss_train : null;
    if (name === "checksum_planted") return this.planted();
    if (STATS.has(name)) return this.stats?.[name] ?? null;
    if (name === "games_game") return document.getElementById("games-panel")?.dataset.game ?? null;
    if (name === "games_rounds") return this.gamesRounds();
    if (name === "games_rounds_played") return this.roundsPlayed;
    if (name === "games_player_runs") return this.playerRuns;
    if (name === "games_player_score") return playerScore();
    throw new Error(`lessons: unknown fact "${name}"`);
  }

  /** @param {import("./table.js").Check} check */
  passes(check) {
    const v = this.value(check.fact);
    if (v == null) return false;
    const w = check.value;
    switch (check.op) {
      case "==": return v === w;
      case "!=": return v !== w;
      case "<": return Number(v) < Number(w);
      case "<=": return Number(v) <= Number(w);
      case ">": return Number(v) > Number(w);
      case ">=": return Number(v) >= Number(w);
      default: return false;
    }
  }
}

/** The automated players' progress (#games-player-progress data-state: idle, running, done...), or null. */
function playerState() {
  return document.getElementById("games-player-progress")?.dataset.state ?? null;
}

/** The last automated player's score in the score table (its row's data-value), or null when none shows one. */
function playerScore() {
  const rows = document.querySelectorAll("#games-scores tr[data-key^='player-']");
  const raw = /** @type {HTMLElement | undefined} */ (rows[rows.length - 1])?.dataset.value;
  const n = raw == null || raw === "" ? NaN : Number(raw);
  return Number.isFinite(n) ? n : null;
}
