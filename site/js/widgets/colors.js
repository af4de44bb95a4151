// @ts-check
// The playground's one colour scale: orange (-1) -> grey (0) -> blue (+1).
// Heatmaps use a quantised version (a fixed number of shades keeps the picture calm while it
// trains); links, biases and data points use the continuous version so small changes stay visible.

/** Number of distinct shades in heatmaps and thumbnails. */
export const SHADES = 30;

/** The three colour stops as [r, g, b]: value -1, 0, +1. */
export const NEGATIVE_RGB = /** @type {const} */ ([0xf5, 0x93, 0x22]);
export const NEUTRAL_RGB = /** @type {const} */ ([0xe8, 0xea, 0xeb]);
export const POSITIVE_RGB = /** @type {const} */ ([0x08, 0x77, 0xbd]);

/**
 * The ramp colour of a value, as [r, g, b] integers; values outside [-1, 1] are clamped.
 * @param {number} v
 * @returns {[number, number, number]}
 */
export function rampRgb(v) {
  const t = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
  const [from, to, f] = t < 0 ? [NEUTRAL_RGB, NEGATIVE_RGB, -t] : [NEUTRAL_RGB, POSITIVE_RGB, t];
  return [
    Math.round(from[0] + (to[0] - from[0]) * f),
    Math.round(from[1] + (to[1] - from[1]) * f),
    Math.round(from[2] + (to[2] - from[2]) * f),
  ];
}

/**
 * CSS colour of a value on the continuous ramp (for links, biases and points).
 * @param {number} v
 * @returns {string}
 */
export function valueColor(v) {
  const [r, g, b] = rampRgb(v);
  return `rgb(${r},${g},${b})`;
}

/**
 * Packs RGBA into one uint32 as an ImageData Uint32Array view reads it on little-endian machines
 * (every browser platform in practice): the red byte is the lowest.
 * @param {number} r
 * @param {number} g
 * @param {number} b
 * @param {number} a
 */
function packRgba(r, g, b, a) {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * Which of the SHADES shades a quantised byte falls in (0 = most orange, SHADES-1 = most blue).
 * @param {number} byte 0..255, where 0 stands for -1 and 255 for +1
 */
export function shadeIndex(byte) {
  // The byte stands for v = byte / 127.5 - 1; bin v over [-1, 1] into SHADES equal steps.
  return Math.min(SHADES - 1, Math.floor((byte * SHADES) / 255));
}

/**
 * Lookup table from a quantised byte (docs/ARCHITECTURE.md: 0 = -1, 255 = +1) to a packed RGBA
 * pixel on the SHADES-step ramp. Shade 0 is pure orange and the last shade pure blue.
 * @param {number} [alpha] 0..255; heatmaps use a translucent fill so the page shows through
 * @returns {Uint32Array}
 */
export function buildLut(alpha = 160) {
  const shades = new Uint32Array(SHADES);
  for (let s = 0; s < SHADES; s++) {
    const [r, g, b] = rampRgb(-1 + (2 * s) / (SHADES - 1));
    shades[s] = packRgba(r, g, b, alpha);
  }
  const lut = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) lut[byte] = shades[shadeIndex(byte)];
  return lut;
}

/**
 * Two-colour lookup table for the "Discretize output" view: the sign of the value decides.
 * @param {number} [alpha]
 * @returns {Uint32Array}
 */
export function buildSignLut(alpha = 160) {
  const negative = packRgba(NEGATIVE_RGB[0], NEGATIVE_RGB[1], NEGATIVE_RGB[2], alpha);
  const positive = packRgba(POSITIVE_RGB[0], POSITIVE_RGB[1], POSITIVE_RGB[2], alpha);
  const lut = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) lut[byte] = byte < 128 ? negative : positive;
  return lut;
}
