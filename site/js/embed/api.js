// @ts-check
// The scripting API over postMessage (docs/EMBED.md) and embed mode's follow-up, as a page mode (app/modes.js:
// loaded after the panels, init(ctx)). A request runs through the same worker calls and hub events the panels'
// buttons use, so the panels show what a script did; requests run one at a time, in arrival order. Messages from
// an origin the page does not answer are ignored (counted, and said on the console): no reply, nothing posted.

import { API } from "../app/api-table.js";
import { PROPS, prop } from "../app/state.js";
import { emit, on } from "../ui/events.js";
import { messageOf } from "../ui/format.js";
import { METHOD_NAMES } from "./methods.js";
import { accepts, allowedOrigins, check, show } from "./protocol.js";

/** @typedef {import("../panels/context.js").PanelContext} PanelContext */
/** @typedef {import("../app/replies.js").Snapshot} Snapshot */

/** The keys only the iframe's src sets: a script cannot widen who may script the page. */
const EMBED_KEYS = ["embed", "embed_origins"];
/** Epochs per worker call while `train` runs: the plot moves between calls and Pause lands within one. */
const TRAIN_CHUNK = 25;

/** What embed-init.js publishes (the early script: the one map of parts to sections). */
const early = /** @type {{bpEmbed?: {apply: (part: string) => string}, __bp?: {info: () => {package?: string} | null}}} */ (
  /** @type {unknown} */ (window));

const state = {
  /** @type {PanelContext | null} */ ctx: null,
  /** @type {Snapshot | null} */ snap: null,
  /** @type {string[]} */ allowed: [],
  /** @type {Set<string>} */ announced: new Set(),
  ignored: 0,
  answered: 0,
  /** Requests run one after another. @type {Promise<void>} */ queue: Promise.resolve(),
};

/** Start listening (once Python is ready and the panels are built). @param {PanelContext} ctx */
export function init(ctx) {
  state.ctx = ctx;
  on("snapshot", ({ snap }) => {
    state.snap = snap;
    follow(snap.config);
  });
  window.addEventListener("message", onMessage);
  follow(ctx.getConfig());
}

/**
 * Apply Python's verdict on the embed keys: the part shown, and who may script the page (a new origin is told the
 * page is ready). @param {import("../app/replies.js").Config} config
 */
function follow(config) {
  early.bpEmbed?.apply(String(config.embed ?? ""));
  state.allowed = allowedOrigins(config.embed_origins);
  const parent = parentOrigin();
  if (!parent || state.announced.has(parent)) return;
  if (parent !== location.origin && !state.allowed.includes(parent)) return;  // never post to an origin not allowed
  state.announced.add(parent);
  window.parent.postMessage({ type: "ready", methods: METHOD_NAMES, embed: String(config.embed ?? "") }, parent);
}

/** The embedding window's origin ("" when the page is not in a frame or the browser does not say). */
function parentOrigin() {
  if (window.parent === window) return "";
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length) return ancestors[0];
  try {
    return document.referrer ? new URL(document.referrer).origin : "";
  } catch {
    return "";
  }
}

/** @param {MessageEvent} event */
function onMessage(event) {
  const where = { own: location.origin, parent: window.parent, self: window, allowed: state.allowed };
  if (!accepts(event, where)) {
    state.ignored += 1;
    document.body.dataset.embedIgnored = String(state.ignored);  // test hook
    console.warn(`Backdoor Playground ignored a message from ${event.origin || "an unknown origin"} (${state.ignored} so far): ` +
      "it answers its own origin and the embedder's origins listed in embed_origins (docs/EMBED.md).");
    return;
  }
  if (!event.source || typeof (/** @type {any} */ (event.source)).postMessage !== "function") return;
  const source = /** @type {Window} */ (event.source);
  const checked = check(event.data);
  // A reply or a ready message that came back to the page (it embeds itself, or a same-origin echo) asks nothing.
  const data = /** @type {{type?: unknown}} */ (event.data);
  if (!checked.ok && data && ["reply", "error", "ready"].includes(String(data.type))) return;
  const reply = (/** @type {object} */ msg) => {
    state.answered += 1;
    document.body.dataset.embedAnswered = String(state.answered);  // test hook
    source.postMessage(msg, event.origin);  // the origin was accepted above
  };
  if (!checked.ok) {
    reply({ type: "error", id: checked.id, message: checked.message });
    return;
  }
  const { request } = checked;
  state.queue = state.queue.then(async () => {
    try {
      reply({ type: "reply", id: request.id, result: await run(request.type, request.args) });
    } catch (err) {
      reply({ type: "error", id: request.id, message: messageOf(err) });
    }
  });
}

/** A request's own fault, said as "<key>: what is wrong". */
class RequestError extends Error {}

/** @param {string} method @param {Record<string, any>} args */
function run(method, args) {
  const handler = HANDLERS[method];
  if (!handler) throw new RequestError(`type: ${method} has no handler`);  // the table and the handlers disagree
  return handler(args);
}

/** @returns {PanelContext} */
const ctx = () => /** @type {PanelContext} */ (state.ctx);

/** @type {Record<string, (args: Record<string, any>) => Promise<unknown>>} */
const HANDLERS = {
  info: async () => ({
    methods: METHOD_NAMES, embed: String(ctx().getConfig().embed ?? ""), origins: [location.origin, ...state.allowed],
    version: early.__bp?.info()?.package ?? null,
  }),
  get_state: async () => ({ hash: location.hash.replace(/^#/, ""), config: ctx().getConfig() }),
  set_state: async ({ hash, patch }) => (patch !== undefined ? setPatch(hash, patch) : setHash(hash)),
  train: async ({ epochs }) => train(epochs),
  reset: async ({ reinit = false }) => {
    ctx().pause();
    ctx().applySnapshot(await ctx().call(API.reset, { reinit }));
    return metrics();
  },
  plant: async ({ backdoor, settings = {} }) => plant(backdoor, settings),
  remove: async () => remove(),
  activate: async (args) => activate(args),
  defend: async ({ params }) => {
    ctx().pause();
    await ctx().idle();
    const r = await ctx().call(API.defend, { params, curves: false });
    emit("script-result", { kind: "defense", result: r });
    return r;
  },
  metrics: async () => metrics(),
};
if (METHOD_NAMES.some((name) => !HANDLERS[name])) throw new Error("embed/api.js: a method of methods.js has no handler");

// ---------------------------------------------------------------------------------------------------- state

/** The notices that refused one of `keys` (the page fell back to a default). @param {string[]} notices @param {string[]} keys */
const refusals = (notices, keys) => notices.filter((n) => n.startsWith("unknown key") || keys.some((k) => n.startsWith(`${k}=`)));

/** @param {unknown} hash @param {Record<string, unknown>} patch */
async function setPatch(hash, patch) {
  if (hash !== undefined) throw new RequestError("args: give hash or patch, not both");
  const keys = Object.keys(patch);
  for (const key of keys) {
    if (EMBED_KEYS.includes(key)) throw new RequestError(`patch.${key}: set by the iframe's src, not by a message`);
    if (!PROPS.has(key)) throw new RequestError(`patch.${key}: not a state key`);
  }
  const reply = await ctx().update(patch);
  if (!reply) throw new Error("set_state: the page could not apply the patch (its notice says why)");
  const refused = refusals(reply.notices ?? [], keys);
  if (refused.length) throw new RequestError(`patch.${refused.join("; ")}`);
  return { hash: reply.hash, config: reply.config, notices: reply.notices ?? [] };
}

/** @param {unknown} hash */
async function setHash(hash) {
  if (typeof hash !== "string") throw new RequestError("args: give hash (a link's hash) or patch (state keys)");
  const text = hash.replace(/^#/, "");
  const pairs = text.split("&").filter(Boolean);
  const keys = pairs.map((p) => { try { return decodeURIComponent(p.split("=")[0]); } catch { return p; } });
  if (keys.includes("replay")) throw new RequestError("hash: a Replay link re-runs an experiment; set_state takes settings");
  const own = keys.find((k) => EMBED_KEYS.includes(k));
  if (own) throw new RequestError(`hash: ${own} is set by the iframe's src, not by a message`);
  // the embed keys stay as the iframe's src set them
  const config = ctx().getConfig();
  const kept = EMBED_KEYS.filter((k) => config[k]).map((k) => `${k}=${encodeURIComponent(String(config[k]))}`);
  ctx().pause();
  const snap = await ctx().call(API.init, { hash: [...pairs, ...kept].join("&") });
  ctx().applySnapshot(snap);
  const refused = refusals(snap.notices ?? [], keys);
  if (refused.length) throw new RequestError(`hash: ${refused.join("; ")}`);
  return { hash: snap.hash, config: snap.config, notices: snap.notices ?? [] };
}

// ---------------------------------------------------------------------------------------------------- training

/** Train `epochs` epochs in chunks, drawing each; the panels hear training start and stop. @param {number} epochs */
async function train(epochs) {
  const hi = prop("epochs").hi ?? 0;
  if (epochs < 1 || epochs > hi) throw new RequestError(`args.epochs: ${epochs} is outside 1..${hi}`);
  ctx().pause();
  await ctx().idle();
  emit("training-started", {});
  try {
    for (let left = epochs; left > 0;) {
      const n = Math.min(TRAIN_CHUNK, left);
      const frame = await ctx().call(API.train, { epochs: n });
      ctx().drawFrame(frame);
      left -= n;
      if (frame.diverged) throw new Error(`train: the loss diverged at epoch ${frame.epoch}; lower the learning rate`);
    }
  } finally {
    emit("training-stopped", {});
  }
  return metrics();
}

/** The numbers on the page: the frame's losses and accuracies, and the backdoor metrics table (null for regression). */
async function metrics() {
  const f = ctx().getFrame();
  const base = { epoch: f?.epoch ?? 0, loss_train: f?.loss_train ?? null, loss_test: f?.loss_test ?? null,
    acc_train: f?.acc_train ?? null, acc_test: f?.acc_test ?? null };
  const regression = ctx().getConfig().problem === "regression";
  return { ...base, backdoor: regression ? null : await ctx().call(API.defense_metrics) };
}

// ---------------------------------------------------------------------------------------------------- backdoors

/** What the signature block takes (worker/signature.py signature_install). */
const SIGNATURE_SETTINGS = ["scheme", "bits", "target"];

/** The panels re-read the model (as after any rebuild): the signature panel finds its block this way. */
function resync() {
  if (state.snap) emit("snapshot", { snap: state.snap });
}

/** @param {string} backdoor @param {Record<string, unknown>} settings */
async function plant(backdoor, settings) {
  ctx().pause();
  await ctx().idle();
  if (backdoor === "checksum") {
    const snap = await ctx().call(API.plant, { params: settings });
    ctx().applySnapshot(snap);  // the checksum panel shows the planted model (snapshot.backdoor)
    return { backdoor, stats: snap.backdoor };
  }
  const unknown = Object.keys(settings).find((k) => !SIGNATURE_SETTINGS.includes(k));
  if (unknown) throw new RequestError(`args.settings.${unknown}: unknown; the signature block takes ${SIGNATURE_SETTINGS.join(", ")}`);
  const r = await ctx().call(API.signature_install, settings);
  resync();
  return { backdoor, stats: r.stats };
}

/** Which backdoor the model carries: "signature", "checksum" or null. */
async function planted() {
  if (ctx().getConfig().problem !== "regression" && (await ctx().call(API.signature_view)).installed) return "signature";
  return (await ctx().call(API.backdoor_stats))?.planted ? "checksum" : null;
}

async function remove() {
  ctx().pause();
  await ctx().idle();
  const kind = await planted();
  if (kind === "signature") {
    await ctx().call(API.signature_remove);
    resync();
  } else if (kind === "checksum") {
    ctx().applySnapshot(await ctx().call(API.unplant));
  }
  return { removed: kind };
}

/** @param {Record<string, any>} args */
async function activate({ points = "all", method, params, target }) {
  ctx().pause();
  await ctx().idle();
  const kind = await planted();
  if (kind === null) throw new RequestError("activate: no backdoor is planted: plant one first");
  if (kind === "signature") {
    const extra = method !== undefined ? "method" : params !== undefined ? "params" : "";
    if (extra) throw new RequestError(`args.${extra}: the checksum's; the signature block signs the points`);
    const r = await ctx().call(API.signature_activate, { points, ...(target === undefined ? {} : { target }) });
    emit("script-result", { kind: "signature-activation", result: r });  // the panel shows it and tells the others
    return { backdoor: kind, summary: r.summary };
  }
  if (target !== undefined) throw new RequestError(`args.target: ${show(target)} is the signature block's; the checksum's target is planted with it`);
  const r = await ctx().call(API.activate, { method: method ?? "digit-edit", points, ...(params ? { params } : {}) });
  emit("script-result", { kind: "checksum-activation", result: r });  // the panel shows it and tells the others
  return { backdoor: kind, summary: r.summary };
}
