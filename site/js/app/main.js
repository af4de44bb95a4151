// @ts-check
// The page: draws the controls at once, boots Python in a worker, then turns user actions into worker calls and
// worker replies into pictures. All math happens in the worker (backdoor_playground.api).
import { PyWorker } from "./worker-client.js";
import { API } from "./api-table.js";
import { parseHash, NETWORK_SHAPE } from "./state.js";
import { buildControls, writeControls, bindControls, applyHiding } from "./controls.js";
import { Player } from "./player.js";
import { Heatmap } from "../widgets/heatmap.js";
import { LineChart } from "../widgets/linechart.js";
import { NetworkView } from "../widgets/network.js";
import { renderDatasetThumbs } from "../widgets/thumbs.js";
import { showStatus, showFatal, notify, showNotices, checkHealth, showHeld } from "./status.js";
import { modelDocument, networkFromConfig, networkFromModel, thumbsFor } from "./draw.js";
import { initTheme } from "../ui/theme.js";
import { fixed, formatEpoch, messageOf, percent } from "../ui/format.js";
import { emit } from "../ui/events.js";
import { ProblemView } from "./problem-view.js";

/**
 * @typedef {import("./replies.js").ApiMethod} ApiMethod
 * @typedef {import("./replies.js").Config} Config
 * @typedef {import("./replies.js").Frame} Frame
 * @typedef {import("./replies.js").Model} Model
 * @typedef {import("./replies.js").Data} Data
 * @typedef {import("./replies.js").Snapshot} Snapshot
 */
/** The page's global: the handle this module publishes. */
const page = /** @type {Window & {__bp?: import("./replies.js").PageHandle}} */ (window);

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const ui = {
  heatmap: new Heatmap($("heatmap")),
  chart: new LineChart(/** @type {HTMLCanvasElement} */ ($("linechart"))),
  network: new NetworkView($("network")),
};

/** What the page knows of the playground (the worker owns the truth). */
const app = {
  /** @type {Config} */ config: parseHash(location.hash),
  /** @type {Model | null} */ model: null,
  /** @type {Data | null} */ data: null,
  /** @type {Frame | null} */ frame: null,
  hover: /** @type {string | null} */ (null),
  /** @type {number[]} */ drawMs: [],
  /** @type {Snapshot | null} */ lastSnapshot: null,
};

// Read-only handle for users' scripts, the benchmark and the tests: what the page last received from Python.
page.__bp = Object.freeze({
  call: (/** @type {string} */ m, /** @type {object | undefined} */ a) => call(/** @type {ApiMethod} */ (m), a),
  config: () => app.config, info: () => py.info, worker: () => py.worker, model: () => app.model, drawMs: () => [...app.drawMs], data: () => app.data, frame: () => app.frame,
});

// The whole layout at once, before Python: controls, thumbnails and the network from the link, an empty plot with
// the loading card. What the user sets meanwhile is drawn here and sent to Python once it is ready (see update).
initTheme();
const kd = new ProblemView({ heatmap: ui.heatmap, update, slice: (z) => frameCall(API.frame, { hover: app.hover, z }),
  redrawPoints: drawPoints, report: reportError });
buildControls();
writeControls(app.config);
applyHiding(app.config);
drawThumbs();
ui.network.render(networkFromConfig(app.config));
performance.mark("bp-ui-visible");

/** Resolves once the first playground exists in Python: calls made before wait for it (nothing is lost). */
let sessionStarted = () => {};
const session = new Promise((resolve) => { sessionStarted = () => resolve(undefined); });
/** Settles when no worker restart is under way (calls made during one wait for the new worker). */
let restarting = Promise.resolve();
const player = new Player(async (args) => {
  await session;
  await restarting;
  return py.call(API.train, args);
}, drawFrame, reportError);
player.onPlayingChange = (/** @type {boolean} */ playing) => {
  document.body.classList.toggle("playing", playing);  // styling only (the play button's icon); the hub tells modules
  showHeld(player.heldBy, player.playing);
  emit(playing ? "training-started" : "training-stopped", {});
};
player.onHoldChange = (/** @type {string | null} */ reason) => showHeld(reason, player.playing);

const WORKER_URL = new URL("../../worker.js", import.meta.url).href;
const workerHooks = {
  onStatus: (/** @type {import("./replies.js").BootStatus} */ s) => {
    performance.mark(`bp-status-${s.stage}`);
    showStatus(s);
  },
  onFatal: (/** @type {import("./replies.js").ErrorInfo} */ e) => {
    player.pause();
    if (document.body.dataset.ready === "1") recover(e);
    else showFatal(e);
  },
};
// Python starts once the layout is drawn: an earlier start slowed both the layout and the boot (docs/BENCHMARKS.md).
let py = new PyWorker(WORKER_URL, workerHooks);
let recoveries = 0;

/**
 * The worker died after the page was ready: start a new one with the same link and weights.
 * @param {{message: string}} e
 */
async function recover(e) {
  recoveries += 1;
  if (recoveries > 3) {
    showFatal({ message: `${e.message} (Python stopped ${recoveries} times; reload the page)` });
    return;
  }
  notify(`Python stopped (${e.message}). Restarting it with your settings and your network's weights…`, "error");
  const saved = modelDocument(app.config, app.model, app.frame);
  py = new PyWorker(WORKER_URL, workerHooks);
  restarting = (async () => {
    try {
      await py.ready;
      applySnapshot(await py.call(API.init, { hash: location.hash }));
      if (saved) applySnapshot(await py.call(API.import_model, { text: JSON.stringify(saved) }));
      notify("Python restarted: your settings and weights are back (the epoch count starts again).", "info");
    } catch (err) {
      showFatal({ message: `Python could not be restarted: ${messageOf(err)}` });
    }
  })();
  await restarting;
}

/** @param {unknown} err whatever a failed call or handler threw (a PythonError, an Error, a string) */
function reportError(err) {
  console.warn(err);
  notify(messageOf(err), "error");
}

// ---------------------------------------------------------------- drawing

/** The output metrics keep TF Playground's en dash for "no value" (index.html starts with it; the panels use DASH). */
const OUTPUT_DASH = "–";

/** @param {Frame} frame */
function drawFrame(frame) {
  const t0 = performance.now();
  drawFrameParts(frame);
  app.drawMs.push(performance.now() - t0);
  if (app.drawMs.length > 200) app.drawMs.splice(0, 100);
  emit("frame", { frame });
}

/** @param {Frame} frame */
function drawFrameParts(frame) {
  app.frame = frame;
  $("iter-number").textContent = formatEpoch(frame.epoch);
  $("loss-train").textContent = fixed(frame.loss_train, 3, OUTPUT_DASH);
  $("loss-test").textContent = fixed(frame.loss_test, 3, OUTPUT_DASH);
  $("acc-train").textContent = percent(frame.acc_train, 1, OUTPUT_DASH);
  $("acc-test").textContent = percent(frame.acc_test, 1, OUTPUT_DASH);
  if (frame.loss_train != null) ui.chart.push(frame.epoch, frame.loss_train, frame.loss_test ?? frame.loss_train);
  const own = kd.drawPlot(frame, app.hover); // K > 2 classes (the class map) and the digits draw their own
  const shown = own ? null : (app.hover && frame.layout.find((g) => g.id === app.hover && g.w > 20)) ||
    frame.layout.find((g) => g.id === frame.output_id);
  if (shown === undefined) throw new Error(`frame ${frame.epoch} has no grid for the output node ${frame.output_id}`);
  if (shown) ui.heatmap.draw(frame.grids.subarray(shown.offset, shown.offset + shown.w * shown.h), shown.w, shown.h,
    { discretize: app.config.discretize && shown.id === frame.output_id });
  ui.network.updateWeights(kd.weights(frame.weights), frame.biases);
  ui.network.drawThumbnails(frame.grids, frame.layout);
  checkHealth(frame, app.config);
}

function drawPoints() {
  if (!app.data) return;
  kd.setPoints(app.data, app.config.showTestData);
}

function drawThumbs() {
  const { problem, selected, thumbs } = thumbsFor(app.config);
  renderDatasetThumbs($("dataset-thumbs"), thumbs, selected,
    (name) => update(problem === "regression" ? { regDataset: name } : { dataset: name }));
  kd.thumbs(app.config);
}

/** Apply a reply that carries the whole state (init, reset, rebuilds, imports). @param {Snapshot} snap */
function applySnapshot(snap) {
  player.pendingFrame = null; // a frame of the model this snapshot replaces must not be drawn over it
  app.config = snap.config;
  app.model = snap.model;
  app.data = snap.data;
  setHash(snap.hash);
  writeControls(app.config);
  applyHiding(app.config);
  showNotices(snap.notices);
  ui.chart.reset();
  ui.network.render(kd.snapshot(snap, networkFromModel(snap.model, snap.config))); // its diagram as the data's d asks
  drawPoints();
  drawThumbs();
  drawFrame(snap.frame);
  app.lastSnapshot = snap;
  emit("snapshot", { snap });
}

/** @param {string} hash */
function setHash(hash) {
  const next = "#" + hash;
  stateHash = hash;
  if (location.hash !== next) history.replaceState(null, "", next);
}

/** The playground's own link, as last set (a failed Replay link puts it back). */
let stateHash = "";

// ---------------------------------------------------------------- actions

/**
 * A worker call made between training chunks, so its reply never races a frame.
 * @template {ApiMethod} M @param {M} m @param {object} [a] @returns {Promise<import("./replies.js").Reply<M>>}
 */
const call = (m, a) => player.exclusive(async () => {
  await session;
  await restarting;
  return py.call(m, a);
});
/** Resolves once the chunk in flight (if any) has landed. */
const idle = () => player.exclusive(async () => {});

/**
 * Send a settings change; the reply says whether it applied live or rebuilt. Resolves to the reply (kind "backdoor":
 * new checksum numbers on the planted model, which the checksum panel that asked shows), or null after an error.
 * @param {Partial<Config>} patch @returns {Promise<import("./replies.js").UpdateReply | null>}
 */
async function update(patch) {
  const viewOnly = Object.keys(patch).every((k) => k === "showTestData" || k === "discretize");
  if (!document.body.dataset.ready) drawBeforeReady(patch);
  try {
    const reply = await call(API.update, { patch });
    if (reply.kind === "model" || reply.kind === "data") {
      applySnapshot(reply);
    } else {
      app.config = reply.config;
      setHash(reply.hash);
      writeControls(app.config);
      showNotices(reply.notices);
      if (reply.kind === "backdoor") drawFrame(reply.frame); // new checksum numbers on the planted model: new picture
    }
    if (viewOnly) {
      drawPoints();
      if (app.frame) drawFrame(app.frame);
    }
    return reply;
  } catch (err) {
    reportError(err);
    writeControls(app.config);
    return null;
  }
}

/**
 * Python is not ready yet: draw the change from the config alone (the thumbnails, the network's shape); the call
 * itself waits for the session and then applies it. @param {Partial<Config>} patch
 */
function drawBeforeReady(patch) {
  app.config = /** @type {Config} */ ({ ...app.config, ...patch });
  writeControls(app.config);
  drawThumbs();
  ui.network.render(networkFromConfig(app.config));
}

/** A new random sample of the same dataset (Regenerate, and the calculator's D RG). */
const regenerate = () => update({ seed: Math.random().toFixed(5) });

/**
 * Run a worker call that returns a snapshot, pausing first.
 * @param {typeof API.reset | typeof API.init} method @param {object} args
 */
async function rebuild(method, args = {}) {
  player.pause();
  try {
    applySnapshot(await call(method, args));
  } catch (err) {
    reportError(err);
  }
}

/**
 * Run a worker call that returns a frame.
 * @param {typeof API.frame | typeof API.set_weight | typeof API.set_bias} method @param {object} args
 */
async function frameCall(method, args) {
  try {
    drawFrame(await call(method, args));
  } catch (err) {
    reportError(err);
  }
}

function bindActions() {
  $("play-pause-button").addEventListener("click", () => player.toggle());
  $("next-step-button").addEventListener("click", () => player.step());
  $("reset-button").addEventListener("click", () => rebuild(API.reset, { reinit: false }));
  $("reinit-button").addEventListener("click", () => rebuild(API.reset, { reinit: true }));
  $("data-regen-button").addEventListener("click", () => regenerate());
  $("copy-link-button").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      notify("Link copied: it reproduces these settings exactly.", "info");
    } catch {
      notify("Copy the address bar: it holds every setting.", "info");
    }
  });
  bindControls((patch) => update(patch));
  const net = ui.network;
  const isOn = (/** @type {string} */ id) => (app.model ? app.model.features.includes(id) : app.config[id] === true);
  net.on("toggleFeature", (id) => !(kd.collapsed && id === "pixels") && update({ [id]: !isOn(id) }));
  net.on("editWeight", (l, i, j, value) => kd.editable(l, notify)
    && frameCall(API.set_weight, { layer: l, source: i, target: j, value }));
  net.on("editBias", (l, j, value) => frameCall(API.set_bias, { layer: l, node: j, value }));
  net.on("hoverNode", (id) => {
    app.hover = id;
    frameCall(API.frame, { hover: id });
  });
  // Hidden layers: at most networkShape's max_len; the diagram gives a layer's new width (bounds: the data set's cap).
  const shape = () => [...app.config.networkShape];
  const resize = (/** @type {number} */ l, /** @type {number} */ n) => update({ networkShape: shape().map((m, k) => (k === l ? n : m)) });
  net.on("addLayer", () => shape().length < NETWORK_SHAPE.max_len && update({ networkShape: [...shape(), 2], activations: [] }));
  net.on("removeLayer", () => shape().length > 0 && update({ networkShape: shape().slice(0, -1), activations: [] }));
  net.on("addNeuron", resize);
  net.on("removeNeuron", resize);
  net.on("layerActivation", (l, name) => {
    if (!app.model) return;
    const acts = app.model.activation_names.slice(0, -1);
    acts[l] = name;
    update({ activations: acts });
  });
  // the file buttons' code loads after the first screen is drawn (it needs Python anyway)
  import("../ui/files.js").then(({ bindFiles }) => bindFiles({ call, applySnapshot, reportError, pause: () => player.pause(), idle }),
    (err) => reportError(new Error(`The file buttons did not load (${messageOf(err)}): reload the page to use them.`)));
  window.addEventListener("hashchange", () => (isReplay(location.hash)
    ? replayLink() : rebuild(API.init, { hash: location.hash })));
}

/** A Replay link (#replay=…, from "Export results") re-runs an exported experiment; any other hash is state. */
const isReplay = (/** @type {string} */ hash) => hash.startsWith("#replay=");

/** Why a replay failed, in one line. @param {unknown} err */
const replayFailure = (err) => `Replay failed: ${messageOf(err).split("\n").pop()}`;

/** A Replay link pasted into a running page: re-run it; a damaged one leaves the playground as it was. */
async function replayLink() {
  player.pause();
  try {
    applySnapshot(await call(API.replay, { link: location.hash }));
  } catch (err) {
    notify(replayFailure(err), "error");
    setHash(stateHash);
  }
}

/** The first Replay link's experiment; a damaged link says why and falls back to the default. @returns {Promise<Snapshot>} */
async function replaySnapshot() {
  showStatus({ stage: "replay", progress: 0.95, text: "Replaying the experiment (train, plant, activate, defend)…" });
  try {
    return await py.call(API.replay, { link: location.hash });
  } catch (err) {
    const snap = await py.call(API.init, { hash: "" });
    snap.notices = [replayFailure(err)];
    return snap;
  }
}

async function start() {
  bindActions();
  try {
    // A plain link's init is asked for now: the worker answers it once Python is up, with no round trip after ready.
    const early = isReplay(location.hash) ? null : py.call(API.init, { hash: location.hash });
    early?.catch(() => {});  // awaited below; a boot failure surfaces through py.ready
    await py.ready;
    performance.mark("bp-python-ready");
    applySnapshot(await (early ?? replaySnapshot())); // every handler needs the session that init (or replay) starts
    sessionStarted(); // the changes made while Python loaded go out now, in order
    performance.mark("bp-ready");
    document.body.dataset.ready = "1";
    showStatus({ stage: "ready", progress: 1, text: "ready" });
    // The panels below the playground load after Python is ready (dynamic import), so the controls above draw at
    // once. Each exports init(ctx) (the panel contract: docs/ARCHITECTURE.md) and listens to the hub.
    /** @type {import("../panels/context.js").PanelContext} */
    const ctx = { call, applySnapshot, drawFrame, update, regenerate, reportError, notify, pause: () => player.pause(),
      hold: (/** @type {string} */ reason) => player.hold(reason), release: (/** @type {number} */ id) => player.release(id),
      idle, isPlaying: () => player.playing, play: () => player.play(), step: () => player.step(), heatmap: ui.heatmap, network: ui.network, getConfig: () => app.config,
      getModel: () => app.model, getData: () => app.data, getFrame: () => app.frame, resetChart: () => ui.chart.reset() };
    const { loadPanels } = await import("./load-panels.js");
    await loadPanels(ctx, () => app.lastSnapshot); // each init and each first snapshot in a task of its own
    performance.mark("bp-panels");
    document.body.dataset.panels = "1";
  } catch (err) {
    if (!document.body.dataset.error) showFatal({ message: messageOf(err) });
  }
}

start();
