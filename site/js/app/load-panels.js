// @ts-check
// The panels below the playground and the page modes, loaded once Python is ready (app/main.js's start): their
// styles and every module fetched at once, then each one's init(ctx) and each listener's first snapshot in a task (and a frame) of its
// own, so no long main-thread task follows ready (a Play pressed at once draws its first frames on time; docs/BENCHMARKS.md).

import { PANEL_NAMES } from "./state.js";
import { MODE_MODULES } from "./modes.js";
import { emitSpread } from "../ui/events.js";

/** The longest wait for a frame before the next panel loads anyway. */
const FRAME_WAIT_MS = 100;
/** The longest wait for the panels' styles before the panels draw anyway (unstyled, but working). */
const STYLES_WAIT_MS = 10_000;

/**
 * The panels' styles: build.py's css/panels.css, a disabled link in the page (not fetched, so the first paint matches
 * only the first screen's rules), fetched and applied now. Resolves true once applied, false if they did not load.
 * @returns {Promise<boolean>}
 */
export function loadPanelStyles() {
  const link = document.getElementById("panel-styles");
  if (!(link instanceof HTMLLinkElement) || !link.disabled) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), STYLES_WAIT_MS);
    const done = (/** @type {boolean} */ ok) => {
      clearTimeout(timer);
      resolve(ok);
    };
    link.addEventListener("load", () => done(true), { once: true });
    link.addEventListener("error", () => done(false), { once: true });
    link.disabled = false;
    if (link.sheet) done(true);  // a browser that fetched it despite `disabled` applies it at once, with no event
  });
}

/**
 * The next task after the next frame is drawn: the DOM a panel just built is laid out and painted on its own, not
 * together with every other panel's (scheduler.yield would run the next init before the frame). A hidden page draws
 * no frames: there a zero-delay timer; nor may an iframe out of sight: there at most FRAME_WAIT_MS. @returns {Promise<void>}
 */
export function afterFrame() {
  if (document.visibilityState === "hidden") return new Promise((resolve) => setTimeout(resolve));
  return new Promise((resolve) => {
    let waiting = true;
    const next = () => {
      if (waiting) setTimeout(resolve);
      waiting = false;
    };
    requestAnimationFrame(next);
    setTimeout(next, FRAME_WAIT_MS);  // an iframe out of sight may get no frames (the embed API loads here too)
  });
}

/**
 * Import every panel (state table order) and page mode, init each with `ctx`, then give them the latest snapshot
 * (they missed the ones applied before they loaded). A snapshot applied meanwhile reaches every panel already
 * initialized through the hub; the spread stops when one does (no older snapshot after a newer one).
 * @param {import("../panels/context.js").PanelContext} ctx
 * @param {() => import("./replies.js").Snapshot | null} latest the last snapshot applied
 */
export async function loadPanels(ctx, latest) {
  const styled = loadPanelStyles();
  const loading = [...PANEL_NAMES.map((name) => `../panels/${name}/panel.js`), ...MODE_MODULES]
    .map((url) => /** @type {Promise<{init: (ctx: any) => void}>} */ (import(url)));
  loading.forEach((p) => p.catch(() => {}));  // each awaited in turn below; the first failure throws there
  if (!await styled) {
    ctx.notify("The panels' styles did not load: the panels below work but look plain (reload the page to retry).",
      "error");
  }
  for (const load of loading) {
    const panel = await load;
    await afterFrame();
    panel.init(ctx);
  }
  const snap = latest();
  if (!snap) return;
  await afterFrame();
  await emitSpread("snapshot", { snap }, async () => {
    await afterFrame();
    return latest() === snap;
  });
}
