// @ts-check
// Runs in <head> before the first paint (a classic script, not a module): the light or dark theme, from the
// choice remembered by the toggle (js/ui/theme.js) or else the system setting. CSS reads <html data-theme>.
(function () {
  let stored = null;
  try {
    stored = localStorage.getItem("bp-theme");
  } catch {
    stored = null; // storage blocked (privacy mode): follow the system
  }
  const dark = stored ? stored === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.dataset.theme = dark ? "dark" : "light";
})();
