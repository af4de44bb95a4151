// @ts-check
// The page's ONE element helper, el(), used by every panel and the widgets.

/**
 * Create an element: `el("div.card#id", {title: "…", onclick: fn}, child, "text", …)`.
 * Attributes whose name starts with "on" become listeners; `dataset` takes an object; false/null are skipped.
 * @param {string} spec tag, then optional .class and #id parts
 * @param {Record<string, any> | null} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function el(spec, attrs = null, ...children) {
  const [, tag, rest] = /^([a-z0-9]+)(.*)$/i.exec(spec) || [, "div", ""];
  const node = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === ".") node.classList.add(part.slice(1));
    else node.id = part.slice(1);
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") /** @type {any} */ (node)[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    node.append(typeof child === "number" ? String(child) : child);
  }
  return node;
}
