// @ts-check
// The training loop. While playing, the worker trains for a small time budget and answers with one frame; the
// page draws it on the next animation frame. Exactly one request is in flight, so the worker never queues work
// and pause takes effect within one budget. A panel's long job holds training (hold(reason) ... release(id)):
// while any hold is in, no chunk starts but Play keeps its meaning; when the last hold is released, training
// resumes by itself if Play was on.

/** @typedef {import("./replies.js").Frame} Frame */

export const TRAIN_BUDGET_MS = 12;
const MAX_BUDGET_MS = 60;

export class Player {
  /**
   * @param {(args: {epochs?: number, budget_ms?: number}) => Promise<Frame>} train   sends `train` to the worker
   * @param {(frame: Frame) => void} onFrame            draws a frame (called inside requestAnimationFrame)
   * @param {(err: unknown) => void} onError
   */
  constructor(train, onFrame, onError) {
    this.train = train;
    this.onFrame = onFrame;
    this.onError = onError;
    this.playing = false;
    this.inFlight = false;
    this.budget = TRAIN_BUDGET_MS;
    this.waiters = 0;
    /** @type {Frame | null} */
    this.pendingFrame = null;
    this.rafScheduled = false;
    /** @type {((playing: boolean) => void) | null} */
    this.onPlayingChange = null;
    /** @type {Map<number, string>} hold id -> what training waits for */
    this.holds = new Map();
    this.holdSeq = 0;
    /** @type {((reason: string | null) => void) | null} called when the first hold comes in (its reason) and the last goes (null) */
    this.onHoldChange = null;
  }

  /** What training waits for (the oldest hold's reason), or null when nothing holds it. */
  get heldBy() {
    for (const reason of this.holds.values()) return reason;
    return null;
  }

  /**
   * Hold training while a job runs (its reason, e.g. "smoothing", is shown on the Play button): no new chunk starts
   * and Step does nothing; Play and Pause still record what the user wants. Returns the id to release.
   * @param {string} reason
   */
  hold(reason) {
    const id = ++this.holdSeq;
    const first = this.holds.size === 0;
    this.holds.set(id, reason);
    if (first) this.onHoldChange?.(reason);
    return id;
  }

  /** End a hold (done, cancelled or failed: the same); the last one resumes training if Play is on. @param {number} id */
  release(id) {
    if (!this.holds.delete(id)) return;
    if (this.holds.size) return;
    this.onHoldChange?.(null);
    if (this.playing) this.pump();
  }

  play() {
    if (this.playing) return;
    this.playing = true;
    this.onPlayingChange?.(true);
    this.pump();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.onPlayingChange?.(false);
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Wait for the request in flight (if any) so that the next call sees a settled model. */
  async idle() {
    while (this.inFlight) await new Promise((r) => setTimeout(r, 5));
  }

  /**
   * Run `fn` between training chunks: no new chunk starts until it is done, then playing resumes.
   * (Polling `idle()` alone could starve: the loop starts a new chunk as soon as one ends.)
   * @template T @param {() => Promise<T>} fn @returns {Promise<T>}
   */
  async exclusive(fn) {
    this.waiters += 1;
    try {
      await this.idle();
      return await fn();
    } finally {
      this.waiters -= 1;
      if (this.playing) this.pump();
    }
  }

  /** One epoch, paused (TF Playground's step button). */
  async step() {
    this.pause();
    if (this.holds.size) return;
    await this.exclusive(async () => {
      try {
        this.show(await this.train({ epochs: 1 }));
      } catch (err) {
        this.onError(err);
      }
    });
  }

  async pump() {
    if (!this.playing || this.inFlight || this.waiters > 0 || this.holds.size) return;
    this.inFlight = true;
    try {
      const frame = await this.train({ budget_ms: this.budget });
      // Big networks take longer to draw a frame (every neuron over the whole grid); train at least as long as
      // a frame costs, so training keeps most of the worker's time while the picture still moves.
      this.budget = Math.min(MAX_BUDGET_MS, Math.max(TRAIN_BUDGET_MS, frame.frame_ms || 0));
      this.show(frame);
      if (frame.diverged || frame.epochs_run === 0) this.pause();
    } catch (err) {
      this.pause();
      this.onError(err);
    } finally {
      this.inFlight = false;
    }
    if (this.playing) this.pump();
  }

  /** Draw on the next animation frame; a newer frame replaces one not yet drawn. @param {Frame} frame */
  show(frame) {
    this.pendingFrame = frame;
    if (this.rafScheduled) return;
    this.rafScheduled = true;
    requestAnimationFrame(() => {
      this.rafScheduled = false;
      const f = this.pendingFrame;
      this.pendingFrame = null;
      if (f) this.onFrame(f);
    });
  }
}
