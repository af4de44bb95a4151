// @ts-check
// Placeholder until the panel lands.
/** @param {any} _ctx */
export function initDefensePanel(_ctx) {}
/** @param {any} _snap */
export function onDefenseSnapshot(_snap) {}
