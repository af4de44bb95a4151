// @ts-check
// The embed demo: the playground in an iframe (#embed=<part>), driven from outside through its postMessage API.
// One button per method of the API's table (js/embed/methods.js), its arguments as JSON, a log of every message and
// the metrics the replies carry. This page's hash is the playground's link (the part selector sets `embed`).

import { METHODS, METHOD_NAMES } from "../js/embed/methods.js";
import { PANEL_NAMES } from "../js/app/state.js";

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const frame = /** @type {HTMLIFrameElement} */ ($("demo-frame"));
const partSelect = /** @type {HTMLSelectElement} */ ($("demo-part"));
const log = $("demo-log");
const status = $("demo-status");

/** Requests sent and not yet answered: id -> method. @type {Map<number, string>} */
const pending = new Map();
let nextId = 1;
/** Every message received from the playground, oldest first. @type {Record<string, unknown>[]} */
const received = [];
let ready = false;

const PARTS = ["plot", "network", ...PANEL_NAMES.map((name) => `panel:${name}`)];
/** The playground link this page starts with when its own hash is empty. */
const DEFAULT_HASH = "dataset=circle&networkShape=4&activation=relu&seed=42";

/** This page's hash as a list of key=value pairs, with `embed` set to `part`. @param {string} part */
function hashWith(part) {
  const pairs = (location.hash.replace(/^#/, "") || DEFAULT_HASH).split("&").filter((p) => p && !p.startsWith("embed="));
  return [...pairs, `embed=${encodeURIComponent(part)}`].join("&");
}

/** The part this page's hash asks for (plot by default). */
function currentPart() {
  const m = /(?:^#|&)embed=([^&]*)/.exec(location.hash);
  const part = m ? decodeURIComponent(m[1]) : "plot";
  return PARTS.includes(part) ? part : "plot";
}

/** Load the playground showing `part`. @param {string} part */
function load(part) {
  const hash = hashWith(part);
  history.replaceState(null, "", "#" + hash);
  ready = false;
  setReady(false);
  pending.clear();
  frame.src = new URL("../index.html#" + hash, location.href).href;
}

/** @param {boolean} on */
function setReady(on) {
  ready = on;
  status.dataset.state = on ? "ready" : "waiting";
  status.textContent = on ? "The playground is ready: send it requests." : "Waiting for the playground to say it is ready…";
  for (const b of document.querySelectorAll("#demo-methods button")) /** @type {HTMLButtonElement} */ (b).disabled = !on;
}

/**
 * One line of the log. @param {"out" | "in"} dir @param {Record<string, unknown>} msg
 */
function record(dir, msg) {
  const li = document.createElement("li");
  li.dataset.dir = dir;
  li.dataset.type = String(msg.type);
  if (msg.id !== undefined && msg.id !== null) li.dataset.id = String(msg.id);
  const text = JSON.stringify(msg);
  li.textContent = `${dir === "out" ? "→" : "←"} ${text.length > 600 ? text.slice(0, 597) + "..." : text}`;
  log.prepend(li);
}

/** Post one message to the playground (this origin only). @param {Record<string, unknown>} msg */
function post(msg) {
  record("out", msg);
  frame.contentWindow?.postMessage(msg, location.origin);
}

/** Send a request. @param {string} method @param {Record<string, unknown>} args */
function send(method, args) {
  const id = nextId++;
  pending.set(id, method);
  post({ type: method, id, args });
}

/** The metrics a reply carries (train, reset and metrics reply them; activate and defend their own parts). @param {any} result */
function showMetrics(result) {
  if (!result || typeof result !== "object") return;
  const box = $("demo-metrics");
  const rate = (/** @type {any} */ r) => (r && typeof r === "object" && "value" in r ? r.value : r);
  const shown = {
    epoch: result.epoch, "test loss": result.loss_test, "test accuracy": result.acc_test,
    "agreement": rate(result.backdoor?.agreement), "attack success": rate(result.backdoor?.attack_success_rate ?? result.metrics?.attack_success_rate),
    "attack success after the defense": rate(result.metrics?.attack_success_rate_after),
    "flipped by the activation": result.summary?.flipped,
  };
  for (const [label, value] of Object.entries(shown)) {
    if (value === undefined || value === null) continue;
    const key = label.replace(/\W+/g, "_");
    let dd = /** @type {HTMLElement | null} */ (box.querySelector(`dd[data-metric="${key}"]`));
    if (!dd) {
      const dt = document.createElement("dt");
      dt.textContent = label;
      dd = document.createElement("dd");
      dd.dataset.metric = key;
      box.append(dt, dd);
    }
    dd.dataset.value = String(value);
    dd.textContent = typeof value === "number" && !Number.isInteger(value) ? value.toFixed(4) : String(value);
  }
}

/** @param {MessageEvent} event */
function onMessage(event) {
  // Only the frame, only from this origin: a demo that listened to anyone would be a bad example.
  if (event.source !== frame.contentWindow || event.origin !== location.origin) return;
  const msg = event.data;
  if (!msg || typeof msg !== "object") return;
  record("in", msg);
  received.push(msg);
  if (msg.type === "ready") setReady(true);
  if (msg.type === "reply") showMetrics(msg.result);
  if (msg.type === "reply" || msg.type === "error") pending.delete(msg.id);
}

function buildMethods() {
  const host = $("demo-methods");
  for (const name of METHOD_NAMES) {
    const spec = METHODS[name];
    const args = /** @type {HTMLTextAreaElement} */ (document.createElement("textarea"));
    args.id = `args-${name}`;
    args.rows = 1;
    args.spellcheck = false;
    args.value = JSON.stringify(spec.example ?? {});
    args.setAttribute("aria-label", `${name} arguments (JSON)`);
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.method = name;
    button.textContent = name;
    button.title = spec.summary;
    button.disabled = true;
    button.addEventListener("click", () => {
      let parsed;
      try {
        parsed = JSON.parse(args.value || "{}");
      } catch (err) {
        record("out", { type: "not sent", id: null, message: `${name}: the arguments are not JSON (${err})` });
        return;
      }
      send(name, parsed);
    });
    const row = document.createElement("div");
    row.className = "demo-method";
    const doc = document.createElement("p");
    doc.textContent = spec.summary;
    row.append(button, args, doc);
    host.append(row);
  }
}

for (const part of PARTS) partSelect.append(new Option(part, part));
partSelect.value = currentPart();
partSelect.addEventListener("change", () => load(partSelect.value));
$("demo-malformed").addEventListener("click", () => post({ type: "train", args: { epochs: 5 } }));
$("demo-clear").addEventListener("click", () => log.replaceChildren());
window.addEventListener("message", onMessage);
buildMethods();
load(partSelect.value);
// the handle the tests read: what is unanswered, whether the playground said it is ready, what it said
/** @type {any} */ (window).__demo = Object.freeze({
  pending: () => [...pending.keys()], ready: () => ready, received: () => [...received], send });
