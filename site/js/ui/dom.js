// @ts-check
// Small DOM and number helpers shared by the NN Calculator panel modules (calculator-panel.js, calc-*.js).

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

/** A number with `digits` decimals, "—" when missing or not finite. @param {number | null | undefined} v */
export function fmt(v, digits = 3) {
  return v == null || !Number.isFinite(v) ? "—" : v.toFixed(digits);
}

/** The message of an error or rejection value. @param {any} err */
export function messageOf(err) {
  return String(err && err.message ? err.message : err);
}

/** An <a download> for `text` (its blob URL is revoked by `revoke()` or when it is replaced). */
export class FileLinks {
  constructor() {
    /** @type {string[]} */ this.urls = [];
  }

  revoke() {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
  }

  /** @param {string} name @param {string} text @param {string} [type] */
  link(name, text, type = "text/csv") {
    const url = URL.createObjectURL(new Blob([text], { type }));
    this.urls.push(url);
    return el("a.calc-file-link", { href: url, download: name, title: `Save ${name} again` }, name);
  }
}
