// @ts-check
// The panels below the playground and the page modes, loaded once Python is ready (app/main.js's start): every
// module fetched at once, then each one's init(ctx) and each listener's first snapshot in a task of its own, so no
// long main-thread task follows ready (a Play pressed at once draws its first frames on time; docs/BENCHMARKS.md).

import { PANEL_NAMES } from "./state.js";
import { MODE_MODULES } from "./modes.js";
import { emitSpread } from "../ui/events.js";

/** The browser's scheduler.yield where it exists (Chromium 129+), else a zero-delay timer. @returns {Promise<void>} */
export function nextTask() {
  const scheduler = /** @type {{scheduler?: {yield?: () => Promise<void>}}} */ (globalThis).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve));
}

/**
 * Import every panel (state table order) and page mode, init each with `ctx`, then give them the latest snapshot
 * (they missed the ones applied before they loaded). A snapshot applied meanwhile reaches every panel already
 * initialized through the hub; the spread stops when one does (no older snapshot after a newer one).
 * @param {import("../panels/context.js").PanelContext} ctx
 * @param {() => import("./replies.js").Snapshot | null} latest the last snapshot applied
 */
export async function loadPanels(ctx, latest) {
  const loading = [...PANEL_NAMES.map((name) => `../panels/${name}/panel.js`), ...MODE_MODULES]
    .map((url) => /** @type {Promise<{init: (ctx: any) => void}>} */ (import(url)));
  loading.forEach((p) => p.catch(() => {}));  // each awaited in turn below; the first failure throws there
  for (const load of loading) {
    const panel = await load;
    await nextTask();
    panel.init(ctx);
  }
  const snap = latest();
  if (!snap) return;
  await nextTask();
  await emitSpread("snapshot", { snap }, async () => {
    await nextTask();
    return latest() === snap;
  });
}
