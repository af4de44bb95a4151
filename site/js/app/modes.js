// @ts-check
// Page modes (guided lessons, embedding...): modules loaded after the panels, with the same context and contract
// (each exports init(ctx); panels/context.js). They change what the page shows, never the playground's numbers; their
// URL keys (lesson, step, teacher, embed) are in the state table like every other key.

/** Module URLs relative to this folder, loaded in this order after the panels. @type {string[]} */
export const MODE_MODULES = ["../lessons/lessons.js", "../embed/api.js"];
