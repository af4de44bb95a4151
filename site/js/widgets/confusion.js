// @ts-check
// The confusion matrix: rows = true class, columns = predicted class (playground/classes.confusion), each cell's
// count shaded by its share of its row, the diagonal (right answers) in the accent ink.

import { el } from "../ui/dom.js";

/**
 * @param {HTMLElement} host emptied and filled
 * @param {number[][]} matrix K x K counts
 * @param {string[]} names class names, in index order
 */
export function renderConfusion(host, matrix, names) {
  const k = matrix.length;
  const head = el("tr", null, el("th.cm-corner", { scope: "col", title: "rows: true class; columns: predicted" },
    "true \\ pred"), ...names.map((n) => el("th", { scope: "col" }, n)));
  const rows = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return el("tr", null, el("th", { scope: "row" }, names[i]), ...row.map((count, j) => {
      const share = count / total;
      const cell = el(i === j ? "td.cm-hit" : "td", { title: `true ${names[i]}, predicted ${names[j]}: ${count}` },
        count);
      cell.style.setProperty("--share", share.toFixed(3));
      return cell;
    }));
  });
  const filled = matrix.flat().reduce((a, b) => a + b, 0);
  host.replaceChildren(el("table.confusion", { dataset: { k: String(k), total: String(filled) } },
    el("caption", null, "Confusion matrix (test points)"), el("thead", null, head), el("tbody", null, ...rows)));
}
