// @ts-check
// Canvas sizing for the device pixel ratio, shared by every chart (ui/figure.js paint() goes through it).

/**
 * Size a canvas for the device's pixel ratio and clear it; returns its 2-D context in CSS pixels.
 * @param {HTMLCanvasElement} canvas @param {number} width CSS pixels @param {number} height CSS pixels
 * @param {string} [font] the context's font (else the canvas default)
 */
export function prepare(canvas, width, height, font) {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (font) ctx.font = font;
  return ctx;
}
