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
