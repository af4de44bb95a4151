// @ts-check
// Placeholder until the panel lands.
/** @param {any} _ctx */
export function initSignaturePanel(_ctx) {}
/** @param {any} _snap */
export function onSignatureSnapshot(_snap) {}
