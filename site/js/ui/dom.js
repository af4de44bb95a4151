// @ts-check
// The page's ONE element helper, el(), used by every panel and the widgets.

/**
 * An attribute's value: text (or a number, a boolean attribute, skipped when false / null), a listener for "on…",
 * an object for `dataset`, or any other value a property of that name takes (e.g. `value`, `checked`).
 * @typedef {string | number | boolean | null | undefined | ((event: never) => unknown) | Record<string, string>} AttrValue
 */

/**
 * Create an element: `el("div.card#id", {title: "…", onclick: fn}, child, "text", …)`.
 * Attributes whose name starts with "on" become listeners; `dataset` takes an object; `style` goes through the
 * CSSOM (allowed by the page's CSP, unlike a style attribute); false/null are skipped.
 * @param {string} spec tag, then optional .class and #id parts
 * @param {Record<string, AttrValue> | null} [attrs]
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
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else if (key === "dataset") Object.assign(node.dataset, value);
    // through the CSSOM: the page's Content-Security-Policy refuses style attributes set as markup
    else if (key === "style") node.style.cssText = String(value);
    else if (key in node && typeof value !== "string") /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (node))[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    node.append(typeof child === "number" ? String(child) : child);
  }
  return node;
}
