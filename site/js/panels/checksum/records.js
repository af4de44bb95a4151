// @ts-check
// The backdoor panel's results row: one activation's per-point records as a scrollable table, and a zoom on
// the record the user clicks, at a scale where its |Δx| is visible (at the plot's scale it is far below a pixel).

import { el } from "../../ui/dom.js";
import { drawZoom, zoomTools } from "./zoom.js";
import { DASH, count, sci } from "../../ui/format.js";

/** Every digit of a coordinate (the shortest text that reads back as the same float64). @param {number} v */
const coord = (v) => String(v);

/** b as text, its digits after the common prefix with a highlighted. @param {number} a @param {number} b */
function changed(a, b) {
  const before = coord(a);
  const after = coord(b);
  let k = 0;
  while (k < after.length && after[k] === before[k]) k++;
  return [el("span.bd-same", null, after.slice(0, k)), el("span.bd-new", null, after.slice(k))];
}

/** The point before, and under it the point after (changed digits highlighted); 3-D: x, y, z (p0 / p1); the digits:
 * the pixels that changed. @param {import("../replies.js").ActivationRecord} r */
function pointCell(r) {
  const p0 = r.p0 ?? [r.x0, r.y0];
  const p1 = r.p1 ?? (r.p0 ? null : [r.x1, r.y1]);
  if (p0.length > 3) {
    const moved = p1 ? p0.flatMap((v, j) => (p1[j] !== v ? [j] : [])) : [];
    return el("td.mono", null, el("div", null, `${p0.length} pixels`),
      el("div.bd-after", null, moved.length ? `${moved.length} changed: ${moved.slice(0, 4).join(", ")}${moved.length > 4 ? ", …" : ""}` : "unchanged"));
  }
  const cell = el("td.mono", null, el("div", null, p0.map(coord).join(", ")));
  if (p1 && p1.some((v, j) => v !== p0[j])) {
    cell.append(el("div.bd-after", null, ...p0.flatMap((v, j) => [...(j ? [", "] : []), ...changed(v, p1[j])])));
  }
  return cell;
}

/** @param {number | number[] | null | undefined} v a number, a list of numbers or null */
const list = (v) => (v == null ? DASH : Array.isArray(v) ? v.join(", ") : String(v));

/** Output sign as a small coloured label. @param {number | null} v */
function sign(v) {
  if (v == null) return el("span.bd-out", null, DASH);
  return el(`span.bd-out.${v >= 0 ? "bd-pos" : "bd-neg"}`, { title: String(v) }, v >= 0 ? "+" : "−", Math.abs(v).toFixed(3));
}

/**
 * @param {{plotSize: number, onSelect: (position: number | null) => void}} opts
 */
export function buildRecords(opts) {
  const caption = el("p.bd-records-caption#bd-records-caption", null, "");
  const body = el("tbody");
  const table = el("table.card-table#bd-records", null,
    el("thead", null, el("tr", null,
      ...["test #", "point before, after", "|Δ|", "node", "checksum", "output", "result"].map((h) => el("th", null, h)))),
    body);
  const canvas = /** @type {HTMLCanvasElement} */ (el("canvas.bd-zoom#bd-zoom", { role: "img", "aria-label": "Zoom on the chosen record" }));
  const zoomText = el("div.bd-zoom-text#bd-zoom-caption", { "aria-live": "polite" }, "");
  const section = el("section.bd-results#bd-results", { hidden: true },
    el("div.bd-results-table", null,
      el("h3.card-title", null, "Activation records"), caption,
      el("div.bd-scroll", null, table)),
    el("div.bd-zoom-box", null,
      el("h3.card-title", null, "Zoom"), canvas, zoomTools(canvas, () => zoomText.innerText), zoomText));
  /** @type {import("../replies.js").ActivationRecord[]} */
  let records = [];
  let selected = /** @type {number | null} */ (null);

  /** @param {number | null} position */
  function select(position) {
    selected = position;
    for (const row of body.querySelectorAll("tr")) {
      row.classList.toggle("selected", Number(/** @type {HTMLElement} */ (row).dataset.position) === position);
    }
    const rec = position == null ? null : records[position];
    const drawn = drawZoom(canvas, rec, { plotSize: opts.plotSize });
    canvas.dataset.index = rec ? String(rec.index) : "";
    if (!rec) {
      zoomText.replaceChildren("Click a row to see that point up close.");
    } else if (!drawn || !rec.delta) {
      zoomText.replaceChildren(`Test point ${rec.index} was not moved${rec.reason ? `: ${rec.reason}` : ""}.`);
    } else {
      zoomText.replaceChildren(
        el("p", null, `Test point ${rec.index}: moved by |Δ| = ${sci(rec.delta, 2)}, `, el("strong", null, rec.flipped ? "label flipped" : "label kept"), "."),
        el("p.card-muted", null, `Grid step ${sci(drawn.step, 1)} · zoom ×${sci(drawn.magnification, 2)}. On the plot above this move is ${sci(drawn.movePxOnPlot, 2)} px.`));
      zoomText.dataset.scale = String(drawn.step);  // test hooks: the grid step and the move it shows
      zoomText.dataset.delta = String(rec.delta);
    }
    opts.onSelect(position);
  }

  /**
   * Show an activation result ({records, summary}).
   * @param {import("../replies.js").ActivationResult | null} result
   */
  function show(result) {
    records = result ? result.records : [];
    section.hidden = !result;
    body.replaceChildren(...records.map((r, k) => {
      const row = el(`tr${r.flipped ? ".flipped" : ""}${r.delta ? "" : ".unmoved"}`, {
        dataset: { position: String(k), index: String(r.index) },
        title: r.reason ?? "Click to zoom in",
        onclick: () => select(k),
      },
      el("td.num", null, String(r.index)),
      pointCell(r),
      el("td.num", null, r.delta ? sci(r.delta, 2) : "0"),
      el("td.num", null, r.nodes ? list(r.nodes.map((/** @type {number} */ n) => n + 1)) : r.node == null ? DASH : String(r.node + 1)),
      el("td.num", null, `${list(r.csum0)} → ${list(r.csum1)}`, r.trials != null ? el("span.card-muted", null, ` (${count(r.trials)} trials)`) : ""),
      el("td", null, sign(r.out0), " → ", sign(r.out1)),
      el("td", null, r.flipped ? "flipped" : r.matched ? el("span.card-muted", null, "fired, class kept") : el("span.card-muted", null, r.reason || "not fired")));
      return row;
    }));
    const s = result?.summary;
    caption.textContent = s ? `${s.method}: ${s.attempted} point${s.attempted === 1 ? "" : "s"}, ${s.matched} matched, ${s.flipped} flipped. ` +
      "Nodes are numbered from 1 in the first hidden layer; the checksum is the node's residue before → after." : "";
    select(records.length ? Math.max(0, records.findIndex((r) => r.flipped)) : null);
  }

  return { element: section, show, select, selected: () => (selected == null ? null : records[selected]) };
}
