// @ts-check
// Runs in <head> before the first paint (a classic script, like ui/theme-init.js): a link with `embed=plot`,
// `embed=network` or `embed=panel:<name>` shows that one part of the page, for an iframe. CSS (css/embed.css) reads
// <html data-embed="plot | network | panel">; this script marks the panel's section (the one map from panel names to
// sections), and adds the link that opens the whole playground in a new tab. Python validates the key like every
// other (state table `embed`); embed/api.js applies its verdict through window.bpEmbed.apply after each snapshot.
(function () {
  /** A panel's section is #<name>-panel, except these (index.html). @type {Record<string, string>} */
  const SECTION_IDS = { checksum: "backdoor-panel" };
  /** The keys that make a link an embedded one: the "open" link drops them. */
  const EMBED_KEYS = ["embed", "embed_origins"];
  const root = document.documentElement;
  let shown = "";

  /** The value of `embed` in a URL hash ("" when absent or unreadable). @param {string} hash */
  function partOf(hash) {
    const match = /(?:^#?|&)embed=([^&]*)/.exec(hash);
    try {
      return match ? decodeURIComponent(match[1]) : "";
    } catch {
      return "";
    }
  }

  /** The section that shows a part ("" for the plot and the network). @param {string} part */
  function sectionId(part) {
    const name = part.startsWith("panel:") ? part.slice("panel:".length) : "";
    return name ? SECTION_IDS[name] || `${name}-panel` : "";
  }

  /** This page's link without the embed keys: the whole playground with the same settings. */
  function openHref() {
    const kept = location.hash.replace(/^#/, "").split("&")
      .filter((pair) => pair && !EMBED_KEYS.includes(decodeURIComponent(pair.split("=")[0])));
    return location.pathname + (kept.length ? "#" + kept.join("&") : "");
  }

  /**
   * Show `part` alone ("" = the whole page). Before the body exists only <html> is marked (CSS hides every panel
   * until its section is marked); a part whose section is missing shows the whole page. Returns the part shown.
   * @param {string} part
   */
  function apply(part) {
    const kind = part === "plot" || part === "network" ? part : /^panel:[a-z][a-z0-9-]*$/.test(part) ? "panel" : "";
    const id = kind === "panel" ? sectionId(part) : "";
    if (document.body) {
      for (const old of document.querySelectorAll(".embed-shown")) old.classList.remove("embed-shown");
      const section = id ? document.getElementById(id) : null;
      if (section) section.classList.add("embed-shown");
      if (id && !section) return apply("");
      ensureLink(Boolean(kind));
    }
    if (kind) root.dataset.embed = kind;
    else delete root.dataset.embed;
    shown = kind ? part : "";
    return shown;
  }

  /** The "Open in Backdoor Playground" link at the end of the top bar (embed mode only). @param {boolean} on */
  function ensureLink(on) {
    let link = /** @type {HTMLAnchorElement | null} */ (document.getElementById("embed-open"));
    if (!on || link) {
      if (link) link.hidden = !on;
      return;
    }
    const bar = document.querySelector(".top-bar-inner");
    if (!bar) return;
    link = document.createElement("a");
    link.id = "embed-open";
    link.className = "embed-open text-button";
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Open in Backdoor Playground";
    link.title = "The whole playground with these settings, in a new tab";
    const refresh = () => { /** @type {HTMLAnchorElement} */ (link).href = openHref(); };
    refresh();
    // The page rewrites its hash as settings change (history.replaceState fires no event): read it when used.
    for (const name of ["pointerenter", "focus", "click", "auxclick", "contextmenu"]) link.addEventListener(name, refresh);
    bar.append(link);
  }

  /** @type {any} */ (window).bpEmbed = Object.freeze({ apply, part: () => shown, sectionId, openHref });
  apply(partOf(location.hash));
  if (shown) document.addEventListener("DOMContentLoaded", () => apply(shown));
})();
