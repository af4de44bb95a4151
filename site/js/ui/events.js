// @ts-check
// The page's event hub: the ONE way modules tell each other what happened. The DOM is not a signal: panels never
// watch the body's class, the epoch counter's text or another panel's data-* attributes (those stay as test hooks).
// Every event name is listed in EVENTS below, with who emits it and who listens (docs/ARCHITECTURE.md too).

/**
 * The events and what `detail` carries.
 * @typedef {{
 *   "training-started": {},
 *   "training-stopped": {},
 *   "frame": {frame: import("../app/replies.js").Frame},
 *   "snapshot": {snap: import("../app/replies.js").Snapshot},
 *   "attack-changed": {source: "checksum" | "signature", what: string},
 *   "defense-changed": {type: string | null},
 *   "picks-changed": {panel: "checksum" | "signature", count: number},
 *   "image-picked": {index: number},
 *   "image-marks": {owner: string, marks: {index: number, kind: string}[]},
 *   "script-result": {kind: "checksum-activation" | "signature-activation" | "defense", result: any},
 * }} EventMap
 */

/**
 * The fixed list of event names: emitted by -> heard by.
 * - training-started: app/main.js (the player starts) -> nobody yet
 * - training-stopped: app/main.js (the player stops) -> checksum, signature and defense panels (refresh what
 *   training changed)
 * - frame: app/main.js, after drawing each new frame (every epoch chunk, a step, a weight edit, a hover) -> defense
 *   panel (its "before" numbers may be stale)
 * - snapshot: app/main.js, after applying a reply that rebuilds the model or the data (init, reset, plant,
 *   imports, memories, replay) -> every panel
 * - attack-changed: checksum panel (planted or removed, checksum numbers changed on a planted model, an activation
 *   ran), signature panel (a block installed or removed, an activation, a forgery, a CSUM signature) -> defense
 *   panel; the checksum and signature panels too (each disables its install while the other backdoor is in)
 * - defense-changed: defense panel (a defense result shown or forgotten) -> nobody yet
 * - picks-changed: checksum and signature panels (picked test points, the record in the zoom) -> nobody: the
 *   defense panel deliberately does not listen (a pick changes no metric)
 * - image-picked: app/problem-view.js (a click on a digit image of the grid: test point `index`) -> checksum,
 *   signature and games panels (the digits have no plot to pick on)
 * - image-marks: checksum, signature and games panels (their picked, activated and queried digit images) -> app/problem-view.js
 *   (marks them in the image grid, as the plot's rings do in 2-D)
 * - script-result: embed/api.js (a script's activate or defend ran through the worker: its reply) -> the checksum
 *   panel (records, summary, rings), the signature panel (the activation's rings) and the defense panel (the card of
 *   that defense and the metrics table), which show it as if their own buttons had run it
 * @type {readonly (keyof EventMap)[]}
 */
export const EVENTS = Object.freeze(["training-started", "training-stopped", "frame", "snapshot", "attack-changed",
  "defense-changed", "picks-changed", "image-picked", "image-marks", "script-result"]);

/**
 * Every event's listeners. One map holds every event's, so a listener's detail type is the union of them all;
 * on() and emit() pair each name with its own detail (EventMap).
 * @type {Map<string, Set<(detail: EventMap[keyof EventMap]) => void>>}
 */
const listeners = new Map(EVENTS.map((name) => [name, new Set()]));

/** @param {string} name */
function listenersOf(name) {
  const set = listeners.get(name);
  if (!set) throw new Error(`unknown event "${name}" (the events are listed in ui/events.js)`);
  return set;
}

/**
 * Listen to `name`; returns a function that stops listening.
 * @template {keyof EventMap} K
 * @param {K} name @param {(detail: EventMap[K]) => void} fn
 * @returns {() => void}
 */
export function on(name, fn) {
  const set = listenersOf(name);
  const listener = /** @type {(detail: EventMap[keyof EventMap]) => void} */ (fn);
  set.add(listener);
  return () => { set.delete(listener); };
}

/**
 * Tell every listener of `name`, in the order they subscribed. A listener that throws does not stop the others
 * (its error goes to the console, where the tests see it).
 * @template {keyof EventMap} K
 * @param {K} name @param {EventMap[K]} detail
 */
export function emit(name, detail) {
  for (const fn of [...listenersOf(name)]) tell(fn, detail);
}

/** One listener told; its error goes to the console, not to the other listeners. @param {(detail: any) => void} fn @param {unknown} detail */
function tell(fn, detail) {
  try {
    fn(detail);
  } catch (err) {
    console.error(err);
  }
}

/**
 * emit(), one listener per task: `between` runs before each listener after the first (a yield to the event loop,
 * so many heavy listeners never make one long task) and resolves to false to stop (a newer emit told them all).
 * @template {keyof EventMap} K
 * @param {K} name @param {EventMap[K]} detail @param {() => Promise<boolean>} between
 */
export async function emitSpread(name, detail, between) {
  let first = true;
  for (const fn of [...listenersOf(name)]) {
    if (!first && !(await between())) return;
    first = false;
    tell(fn, detail);
  }
}
