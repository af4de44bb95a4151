// @ts-check
// The export card: the live state as the command line's experiment result (api.experiment_result), saved as
// backdoor-playground-result.json and, as tidy rows, backdoor-playground-result.tsv; and a Replay link that
// re-runs the whole experiment from its config.

import { el } from "../../ui/dom.js";
import { FileLinks } from "../../ui/files.js";
import { download } from "../../ui/files.js";
import { statusLine } from "./util.js";
import { messageOf } from "../../ui/format.js";

export const JSON_NAME = "backdoor-playground-result.json";
export const TSV_NAME = "backdoor-playground-result.tsv";

/**
 * @param {{fetch: () => Promise<{result: Record<string, unknown>, tsv: string, replay: string}>, notify: (message: string, level?: "info" | "warn" | "error") => void}} cb
 *   fetch: experiment_result's reply {result, tsv, replay} (throws with a readable message)
 */
export function buildExportCard(cb) {
  const exportButton = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#df-export", { type: "button" }, "Export results"));
  const status = statusLine("df-export-status");
  const files = el("ul.df-files#df-files", null, el("li", null, el("code", null, JSON_NAME)), el("li", null, el("code", null, TSV_NAME)));
  const links = new FileLinks();
  const link = /** @type {HTMLAnchorElement} */ (el("a.df-replay#df-replay-link", { href: "#", title: "Open to re-run this experiment from scratch" }, "make the link: Export, or run a defense"));
  link.setAttribute("aria-disabled", "true");
  const copy = /** @type {HTMLButtonElement} */ (el("button.text-button#df-replay-copy", { type: "button", disabled: true }, "Copy"));
  const element = el("section.card.df-export-card#df-export-card", null,
    el("h3.card-title", null, "Export and replay"),
    el("p.card-desc", null, "Save what this page shows in the command line's format: ",
      el("code", null, "python3 -m backdoor_playground experiment"), " writes the same JSON, and the TSV is one tidy row per metric (cell, seed, stage, metric, value)."),
    el("div.card-row", null, exportButton),
    files,
    status.element,
    el("div.df-replay-box", null,
      el("span.card-label", null, "Replay link"),
      el("div.df-replay-row", null, link, copy)),
    el("p.card-note", null, "Replay re-runs the whole experiment from its config: train from scratch → plant → activate → defend. ",
      "Edits made by hand (weights typed in, settings changed while training) are not part of it, so its numbers can differ from the ones above."));

  /** @param {string} replay "replay=..." */
  function setReplay(replay) {
    link.href = `${location.pathname}#${replay}`;
    link.textContent = `#${replay.length > 42 ? `${replay.slice(0, 42)}…` : replay}`;
    link.removeAttribute("aria-disabled");
    link.dataset.hash = replay;
    copy.disabled = false;
  }

  /** The model or data changed: the saved files and the link describe an earlier state. */
  function resetReplay() {
    links.revoke();
    files.replaceChildren(el("li", null, el("code", null, JSON_NAME)), el("li", null, el("code", null, TSV_NAME)));
    status.clear();
    link.href = "#";
    link.textContent = "make the link: Export, or run a defense";
    link.setAttribute("aria-disabled", "true");
    delete link.dataset.hash;
    copy.disabled = true;
  }

  link.addEventListener("click", (e) => { if (!link.dataset.hash) e.preventDefault(); });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link.href);
      cb.notify("Replay link copied: it re-runs this experiment from scratch.", "info");
    } catch {
      cb.notify("Right-click the Replay link and copy its address.", "info");
    }
  });
  exportButton.addEventListener("click", async () => {
    status.running("Collecting the result…");
    try {
      const reply = await cb.fetch();
      download(JSON.stringify(reply.result, null, 1), JSON_NAME, "application/json");
      download(reply.tsv, TSV_NAME, "text/tab-separated-values");
      setReplay(reply.replay);
      links.revoke();  // the same files stay one click away (a browser may hold back a second automatic download)
      files.replaceChildren(el("li", null, links.link(JSON_NAME, JSON.stringify(reply.result, null, 1), "application/json")),
        el("li", null, links.link(TSV_NAME, reply.tsv, "text/tab-separated-values")));
      const stages = ["clean", "backdoored", "activation", "forgery", "defense", "metrics"].filter((k) => k in reply.result);
      status.done(`Saved ${JSON_NAME} (${stages.join(", ")}) and ${TSV_NAME} (${reply.tsv.trim().split("\n").length - 1} rows).`);
    } catch (err) {
      status.error(`Export failed: ${messageOf(err)}`);
    }
  });

  return {
    element,
    setReplay,
    resetReplay,
    setBusy(/** @type {boolean} */ busy) { exportButton.disabled = busy; },
  };
}
