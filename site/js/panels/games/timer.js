// @ts-check
// The trigger game's countdown: shows the seconds left of the round's time budget and, at zero, ends the round
// (onExpire). Display only: the worker's own clock refuses queries after the deadline (games/rounds.TriggerArena).

/** @param {HTMLElement} text @param {() => void} onExpire */
export function roundTimer(text, onExpire) {
  /** @type {ReturnType<typeof setInterval> | null} */ let tick = null;
  let deadline = 0;

  function stop() {
    if (tick !== null) clearInterval(tick);
    tick = null;
    text.textContent = "";
  }

  function show() {
    const left = Math.max(0, (deadline - performance.now()) / 1000);
    text.textContent = `${left.toFixed(1)} s left`;
    if (left <= 0) {
      stop();
      text.textContent = "time is up";
      onExpire();
    }
  }

  return {
    /** @param {number} seconds */
    start(seconds) {
      stop();
      deadline = performance.now() + seconds * 1000;
      tick = setInterval(show, 200);
      show();
    },
    stop,
  };
}
