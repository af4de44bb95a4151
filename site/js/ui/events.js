// @ts-check
// When the playground stops training (main.js toggles the body's "playing" class), panels refresh what training
// changed: one observer per listener on the body's class attribute.

/**
 * Call `cb` each time training stops (the body loses its "playing" class).
 * @param {() => void} cb
 */
export function onTrainingStop(cb) {
  let wasPlaying = document.body.classList.contains("playing");
  new MutationObserver(() => {
    const playing = document.body.classList.contains("playing");
    if (!playing && wasPlaying) cb();
    wasPlaying = playing;
  }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
}
