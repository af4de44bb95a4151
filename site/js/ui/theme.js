// @ts-check
// The light / dark theme. js/ui/theme-init.js sets <html data-theme> before the first paint; this module keeps it
// following the system setting until the user picks one with the toggle (then remembered in localStorage), and
// tells the widgets that draw on canvases which ink and paper to use.

const KEY = "bp-theme";
const SYSTEM_DARK = matchMedia("(prefers-color-scheme: dark)");

/** @typedef {"light" | "dark"} Theme */

/** @returns {Theme} */
export function currentTheme() {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

/** The remembered choice, or null when the page follows the system. @returns {Theme | null} */
function storedTheme() {
  try {
    const v = localStorage.getItem(KEY);
    return v === "dark" || v === "light" ? v : null;
  } catch {
    return null;
  }
}

/**
 * Colours for canvas drawing in the current theme (read from the CSS variables, so the sheets stay the one place
 * a colour is written): `ink` text, `muted` secondary text and axes, `paper` the background, `rule` grid lines.
 */
export function canvasColors() {
  const css = getComputedStyle(document.documentElement);
  const read = (/** @type {string} */ name) => css.getPropertyValue(name).trim();
  return { ink: read("--ink"), muted: read("--muted"), paper: read("--surface"), rule: read("--rule") };
}

/**
 * @typedef {{text: string, axis: string, grid: string, ink: string, paper: string}} ChartInk
 *   text: tick labels and axis titles; axis: frames and ticks; grid: grid lines; ink: strong lines and labels;
 *   paper: what the chart is drawn on
 */

/** Ink on white paper: the light theme, and every exported file (a PNG or SVG is a white page in both themes). */
const LIGHT_INK = /** @type {ChartInk} */ ({ text: "#5c5c5c", axis: "#8f8f8f", grid: "#eceef0", ink: "#2b2b2b", paper: "#ffffff" });
let onPaperDepth = 0;

/**
 * The ink a chart painter draws with: the theme's (so axis text, ticks and frames read on a dark card), or the light
 * theme's while an export draws (onPaper). Painters call this each time they draw.
 * @returns {ChartInk}
 */
export function chartInk() {
  if (onPaperDepth > 0 || currentTheme() !== "dark") return LIGHT_INK;
  const css = getComputedStyle(document.documentElement);
  const read = (/** @type {string} */ name, /** @type {string} */ fallback) => css.getPropertyValue(name).trim() || fallback;
  return { text: read("--muted", "#a3abb2"), axis: read("--faint", "#6f787f"), grid: read("--rule", "#343b42"),
    ink: read("--ink", "#e4e7ea"), paper: read("--panel", "#1c2024") };
}

/**
 * Data colours too dark to read on the dark card, and their lighter twins of the same hue (theme.css gives the
 * legends' swatches the same twins). Exports keep the originals: they draw on white.
 */
const DARK_TWINS = /** @type {Record<string, string>} */ ({ "#6a1b9a": "#ce93d8", "#c2185b": "#f48fb1", "#2e7d32": "#81c784" });

/** A data colour (line, mark, key) as the current theme draws it on screen. @param {string} color */
export function dataColor(color) {
  return onPaperDepth === 0 && currentTheme() === "dark" ? DARK_TWINS[color.toLowerCase()] ?? color : color;
}

/** Run `fn` with the light theme's ink (ui/figure.js draws exported files in it). @template T @param {() => T} fn */
export function onPaper(fn) {
  onPaperDepth += 1;
  try {
    return fn();
  } finally {
    onPaperDepth -= 1;
  }
}

/** @type {Set<(theme: Theme) => void>} */
const listeners = new Set();

/** Call `fn` after every theme change (to redraw a canvas); returns the unsubscribe. @param {(theme: Theme) => void} fn */
export function onThemeChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** @param {Theme} theme */
function apply(theme) {
  if (document.documentElement.dataset.theme === theme) return;
  document.documentElement.dataset.theme = theme;
  syncToggle();
  for (const fn of listeners) fn(theme);
}

function syncToggle() {
  const button = document.getElementById("theme-toggle");
  if (!button) return;
  const dark = currentTheme() === "dark";
  button.setAttribute("aria-pressed", String(dark));
  const text = button.querySelector(".theme-toggle-text");
  if (text) text.textContent = "Dark theme";
  button.title = dark ? "Switch to the light theme" : "Switch to the dark theme";
}

/** Wire the masthead's toggle and follow the system setting while no choice is remembered. */
export function initTheme() {
  syncToggle();
  document.getElementById("theme-toggle")?.addEventListener("click", () => {
    const next = currentTheme() === "dark" ? "light" : "dark";
    try {
      // Picking the system's own theme forgets the choice, so the page follows the system again.
      if (next === (SYSTEM_DARK.matches ? "dark" : "light")) localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch {
      // storage blocked: the choice lasts until the page is closed
    }
    apply(next);
  });
  SYSTEM_DARK.addEventListener("change", (e) => {
    if (!storedTheme()) apply(e.matches ? "dark" : "light");
  });
}
