// @ts-check
// The scripting API's envelope (docs/EMBED.md), checked like any other input: who may talk to the page (origins),
// and whether a message is a request the page can run. Pure functions: embed/api.js does the talking.
//
// Request: {type: <method>, id: string | number, args?: {...}}. Reply: {type: "reply", id, result} or
// {type: "error", id, message} (id null when the request had none). The page also says {type: "ready", ...} once
// it listens.

import { METHODS, METHOD_NAMES } from "./methods.js";

/**
 * A request that passed the checks.
 * @typedef {{type: string, id: string | number, args: Record<string, unknown>}} Request
 * @typedef {{ok: true, request: Request} | {ok: false, id: string | number | null, message: string}} Checked
 */

/** The longest id the page echoes (a string id is a label, not a payload). */
export const MAX_ID_CHARS = 200;

/**
 * The origins an embedder allowed (the validated `embed_origins` key: a comma list), lower-cased as browsers write
 * them. @param {unknown} value @returns {string[]}
 */
export function allowedOrigins(value) {
  if (typeof value !== "string" || value === "") return [];
  return value.split(",").map((o) => o.toLowerCase());
}

/**
 * Whether the page answers a message: from its own origin, or from the window that embeds it when the embedder
 * allowed that window's origin (embed_origins). Everything else is ignored.
 * @param {{origin: string, source: unknown}} event
 * @param {{own: string, parent: unknown, self: unknown, allowed: string[]}} where
 */
export function accepts(event, where) {
  if (event.origin === where.own) return true;
  return where.parent !== where.self && event.source === where.parent && where.allowed.includes(event.origin);
}

/** @param {unknown} v @returns {v is Record<string, unknown>} */
const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v)
  && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** A short readable form of a bad value for an error message. @param {unknown} v */
export function show(v) {
  let text;
  try {
    text = typeof v === "string" ? JSON.stringify(v) : v === undefined ? "undefined" : JSON.stringify(v) ?? String(v);
  } catch {
    text = Object.prototype.toString.call(v);
  }
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/** @param {unknown} id */
const goodId = (id) => (typeof id === "string" && id.length > 0 && id.length <= MAX_ID_CHARS)
  || (typeof id === "number" && Number.isFinite(id));

/**
 * Check one message: its type names a method, it carries an id, its args fit the method's table entry.
 * @param {unknown} data @returns {Checked}
 */
export function check(data) {
  if (!isPlainObject(data)) return { ok: false, id: null, message: `message: ${show(data)} is not an object {type, id, args}` };
  const id = goodId(data.id) ? /** @type {string | number} */ (data.id) : null;
  if (typeof data.type !== "string") return { ok: false, id, message: `type: missing; a request's type is one of ${METHOD_NAMES.join(", ")}` };
  if (!Object.hasOwn(METHODS, data.type)) return { ok: false, id, message: `type: unknown ${show(data.type)}; the methods are ${METHOD_NAMES.join(", ")}` };
  if (data.id === undefined) return { ok: false, id: null, message: `id: missing; every request carries an id (a string or a number) that its reply repeats` };
  if (id === null) return { ok: false, id: null, message: `id: ${show(data.id)} is not a non-empty string (up to ${MAX_ID_CHARS} characters) or a finite number` };
  for (const key of Object.keys(data)) {
    if (!["type", "id", "args"].includes(key)) return { ok: false, id, message: `${key}: unknown field; a request has type, id and args` };
  }
  const args = data.args === undefined ? {} : data.args;
  if (!isPlainObject(args)) return { ok: false, id, message: `args: ${show(args)} is not an object` };
  const problem = checkArgs(data.type, args);
  if (problem) return { ok: false, id, message: problem };
  return { ok: true, request: { type: data.type, id, args } };
}

/**
 * The first problem with a method's arguments, or "" (types and choices here; Python checks the values' bounds).
 * @param {string} method @param {Record<string, unknown>} args
 */
export function checkArgs(method, args) {
  const spec = METHODS[method].args;
  const names = Object.keys(spec);
  for (const key of Object.keys(args)) {
    if (!Object.hasOwn(spec, key)) {
      return `args.${key}: unknown; ${method} takes ${names.length ? names.join(", ") : "no arguments"}`;
    }
  }
  for (const [key, a] of Object.entries(spec)) {
    const v = args[key];
    if (v === undefined) {
      if (a.required) return `args.${key}: missing; ${method} needs it (${a.doc})`;
      continue;
    }
    const bad = typeProblem(a, v);
    if (bad) return `args.${key}: ${show(v)} ${bad}`;
  }
  return "";
}

/** @param {import("./methods.js").ArgSpec} a @param {unknown} v */
function typeProblem(a, v) {
  switch (a.type) {
    case "integer":
      if (typeof v !== "number" || !Number.isInteger(v)) return "is not an integer";
      break;
    case "number":
      if (typeof v !== "number" || !Number.isFinite(v)) return "is not a finite number";
      break;
    case "string":
      if (typeof v !== "string") return "is not a string";
      break;
    case "boolean":
      if (typeof v !== "boolean") return "is not true or false";
      break;
    case "object":
      if (!isPlainObject(v)) return "is not an object";
      break;
    case "points":
      if (v !== "all" && !(Array.isArray(v) && v.length > 0 && v.every((i) => Number.isInteger(i) && i >= 0))) {
        return "is not \"all\" nor a non-empty list of test-point indices";
      }
      break;
  }
  if (a.choices && !a.choices.includes(/** @type {string} */ (v))) return `is not one of ${a.choices.join(", ")}`;
  return "";
}
