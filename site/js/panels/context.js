// @ts-check
// The panel contract, in one place. Every panels/<name>/panel.js exports `init(ctx)`; app/main.js imports the four
// panels once Python is ready (the state table's `panels`, in page order, then app/modes.js's page modes), calls init(ctx) on each,
// then emits the latest "snapshot". A panel hears the hub (ui/events.js: snapshot, frame, training-stopped,
// attack-changed...) and emits only its own events (attack-changed, defense-changed, picks-changed); it never
// watches the DOM outside its own root, and it changes the playground only through ctx. Type-only module.

/** @typedef {import("../app/replies.js").ApiMethod} ApiMethod */

/**
 * What app/main.js hands every panel at load. `call` resolves to `any` on purpose: the reply's shape depends on
 * the method, and each caller states the one it reads (a typedef next to the caller: BackdoorStats, DefendReply...).
 * @typedef {{
 *   call: (method: ApiMethod, args?: object) => Promise<any>,
 *   applySnapshot: (snap: import("./replies.js").Snapshot) => void,
 *   drawFrame: (frame: import("../app/replies.js").Frame) => void,
 *   update: (patch: Record<string, any>) => Promise<any>,
 *   regenerate: () => Promise<any>,
 *   reportError: (err: unknown) => void,
 *   notify: (message: string, level?: "info" | "warn" | "error") => void,
 *   pause: () => void,
 *   hold: (reason: string) => number,
 *   release: (id: number) => void,
 *   idle: () => Promise<void>,
 *   isPlaying: () => boolean,
 *   play: () => void,
 *   step: () => void,
 *   heatmap: import("../widgets/heatmap.js").Heatmap,
 *   network: import("../widgets/network.js").NetworkView,
 *   getConfig: () => import("./replies.js").Config,
 *   getModel: () => import("./replies.js").ModelInfo | null,
 *   getData: () => import("./replies.js").PageData | null,
 *   getFrame: () => import("../app/replies.js").Frame | null,
 *   resetChart: () => void,
 * }} PanelContext
 *   call: a worker call between training chunks; update: a settings change (resolves to the reply, null after an
 *   error); idle: resolves once the chunk in flight has landed; getFrame: the frame last drawn; hold: training
 *   waits for the panel's job (no chunk starts, Play shows "waiting for <reason>") until release(id), then resumes
 *   by itself if Play is on.
 */

export {};
