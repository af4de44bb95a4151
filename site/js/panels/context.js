// @ts-check
// The panel contract, in one place. Every panels/<name>/panel.js exports `init(ctx)`; app/main.js imports the four
// panels once Python is ready, calls init(ctx) on each (calculator, checksum, signature, defense, in that order),
// then emits the latest "snapshot". A panel hears the hub (ui/events.js: snapshot, frame, training-stopped,
// attack-changed...) and emits only its own events (attack-changed, defense-changed, picks-changed); it never
// watches the DOM outside its own root, and it changes the playground only through ctx. Type-only module.

/**
 * What app/main.js hands every panel at load.
 * @typedef {{
 *   call: (method: string, args?: object) => Promise<any>,
 *   applySnapshot: (snap: any) => void,
 *   drawFrame: (frame: any) => void,
 *   update: (patch: Record<string, any>) => Promise<any>,
 *   regenerate: () => Promise<any>,
 *   reportError: (err: any) => void,
 *   notify: (message: string, level?: "info" | "warn" | "error") => void,
 *   pause: () => void,
 *   idle: () => Promise<void>,
 *   isPlaying: () => boolean,
 *   heatmap: import("../widgets/heatmap.js").Heatmap,
 *   network: import("../widgets/network.js").NetworkView,
 *   getConfig: () => Record<string, any>,
 *   getModel: () => any,
 *   getData: () => any,
 *   getFrame: () => any,
 *   resetChart: () => void,
 * }} PanelContext
 *   call: a worker call between training chunks; update: a settings change (resolves to the reply, null after an
 *   error); idle: resolves once the chunk in flight has landed; getFrame: the frame last drawn.
 */

export {};
