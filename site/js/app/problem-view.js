// @ts-check
// The playground beyond TF Playground's plane (issue 14): K classes, 3-D inputs and the 8x8 digits. One controller
// the page asks at each snapshot and frame: it adds the picker's second row and its options (K for blobs, the digits'
// raw / unit scale), and in the output column the class legend, the confusion matrix, the 3-D slice slider with the
// rotatable scatter, and the digits' image grid. The 2-D two-class playground never sees any of it (hidden).
// d and K come from Python (the data view); limits from the generated tables, never written here.

import { STATE_TABLE, THUMBS } from "./state-table.js";
import { PROPS } from "./state.js";
import { el } from "../ui/dom.js";
import { onThemeChange } from "../ui/theme.js";
import { emit, on } from "../ui/events.js";
import { pickOwner } from "../ui/picks.js";
import { classNames, labelColor, paintClassGrid, renderClassLegend } from "../widgets/classes.js";
import { renderKdThumbs } from "../widgets/kd-thumbs.js";

/**
 * @typedef {import("./replies.js").Config} Config
 * @typedef {import("./replies.js").Data} Data
 * @typedef {import("./replies.js").Frame} Frame
 * @typedef {import("./replies.js").Model} Model
 * @typedef {import("./replies.js").Snapshot} Snapshot
 * @typedef {import("../widgets/network.js").NetworkModel} NetworkModel
 * @typedef {{heatmap: import("../widgets/heatmap.js").Heatmap, update: (patch: Partial<Config>) => unknown,
 *   slice: (z: number) => Promise<unknown>, redrawPoints: () => void, report: (err: unknown) => void}} ProblemDeps
 * @typedef {{scatter: import("../widgets/scatter3d.js").Scatter3D, digits: import("../widgets/digits.js").DigitGrid,
 *   renderConfusion: typeof import("../widgets/confusion.js").renderConfusion}} Views
 */

/** The slice height's rule (worker/playground.LIMITS["z"]). */
const Z = /** @type {{low: number, high: number, default: number}} */ (STATE_TABLE.limits.playground.z);
/** Points this close to the slice (in z) are drawn on the plot. */
const SLAB = 1;
/** The set's own d, K, whether the config may choose K, its widest hidden layer.
 * @type {Record<string, {d: number, k: number, k_choices: number[] | null, max_neurons: number}>} */
const SPECS = STATE_TABLE.datasets_nd;
/** The 3-D features (only for 3-D data). @type {Record<string, string>} */
const FEATURES_3D = STATE_TABLE.features_3d;
/** The planar features the 3-D feature column offers (x, y and their squares and product). */
const PLANAR_3D = new Set(["x", "y", "xSquared", "ySquared", "xTimesY"]);
/** Each backdoor's Attack.plane_only (null: any d and K). @type {Record<string, string | null>} */
const PLANE_ONLY = STATE_TABLE.plane_only;
/** The panels that may need the plane: the backdoor each one installs (null: NN Calculator's, always the plane). */
const PLANE_PANELS = [{ id: "backdoor-panel", kind: "checksum" }, { id: "signature-panel", kind: "signature" },
  { id: "calculator-panel", kind: null }];
const DIGITS_NOTE = "Data: the UCI optdigits test set (E. Alpaydin, C. Kaynak 1998, “Optical Recognition of " +
  "Handwritten Digits”, UCI Machine Learning Repository, CC BY 4.0), as bundled with scikit-learn. Each pixel counts " +
  "the ink in a 4×4 block of a 32×32 scan, an integer 0..16. Raw: the network sees those integers; unit: they are " +
  "divided by 16 (0..1). On raw inputs a trigger smaller than one step is rounded away when the image is stored as " +
  "integers.";

/** @param {Data | null} data @returns {{d: number, k: number}} */
export function shapeOf(data) {
  return { d: data?.d ?? 2, k: data?.k ?? 2 };
}

export class ProblemView {
  /** @param {ProblemDeps} deps */
  constructor(deps) {
    this.deps = deps;
    this.d = 2;
    this.k = 2;
    this.z = Z.default;
    /** @type {Data | null} */ this.data = null;
    this.digitsMax = 16;
    /** @type {number | null} the latest height asked for while a slice call is in flight */ this.wantZ = null;
    this.busy = false;
    /** the page redraws the plot's points */ this.redrawPoints = deps.redrawPoints;
    /** @type {{cls: Uint8Array, conf: Uint8Array, n: number} | null} */ this.lastGrid = null;

    // the picker's second row and its options, under the first
    const dataRow = /** @type {HTMLElement} */ (document.querySelector(".ui-dataset"));
    this.thumbHost = el("div#kd-thumbs.dataset-thumbs");
    this.kSelect = /** @type {HTMLSelectElement} */ (el("select#kd-classes", {
      onchange: () => deps.update({ classes: Number(this.kSelect.value) }) }));
    this.scaleSelect = /** @type {HTMLSelectElement} */ (el("select#kd-scale", {
      onchange: () => deps.update({ digits_scale: this.scaleSelect.value }) },
    ...(PROPS.get("digits_scale")?.choices ?? []).map((c) => new Option(c === "raw" ? "raw 0..16" : "unit 0..1", String(c)))));
    this.kRow = el("label.kd-option", null, "Classes K ", this.kSelect);
    this.scaleRow = el("label.kd-option", null, "Pixels the network sees ", this.scaleSelect);
    this.note = el("p.kd-note#kd-digits-note", null, DIGITS_NOTE);
    this.section = el("div.kd-data.ui-dataset", null,
      el("p.column-hint", null, "Beyond the plane: more classes, 3-D, digits."), this.thumbHost,
      this.kRow, this.scaleRow, this.note);
    dataRow.after(this.section);

    // the output column's views, under the plot
    const plotFrame = /** @type {HTMLElement} */ (document.querySelector(".plot-frame"));
    this.plotFrame = plotFrame;
    this.zInput = /** @type {HTMLInputElement} */ (el("input#kd-z", { type: "range", min: String(Z.low),
      max: String(Z.high), step: "0.1", value: String(Z.default), "aria-label": "Height z of the slice" }));
    this.zText = el("output#kd-z-value", null, "0.0");
    this.zInput.addEventListener("input", () => this.moveSlice(Number(this.zInput.value)));
    this.sliceRow = el("div.kd-slice", null, el("label", { for: "kd-z" }, "Slice at z = ", this.zText), this.zInput,
      el("p.kd-hint", null, "The plot shows the slice; points within ±1 of it are drawn. Click a point to move " +
        "the slice to its height (after you work in a backdoor panel or a game, a click picks a test point for it or queries there)."));
    this.scatterHost = el("div#kd-scatter.kd-scatter");
    this.digitsHost = el("div#kd-digits.kd-digits");
    /** @type {Views | null} the 3-D scatter, the digits grid and the confusion matrix, once loaded (see loadViews) */
    this.views = null;
    /** @type {Promise<Views | null> | null} */ this.viewsLoading = null;
    /** @type {Frame | null} the last frame, drawn into the views when they arrive */ this.lastFrame = null;
    /** @type {Map<string, {index: number, kind: string}[]>} */ this.imageMarks = new Map();
    on("image-marks", ({ owner, marks }) => {
      this.imageMarks.set(owner, marks);
      this.views?.digits.setMarks(this.imageMarks);
    });
    this.legend = el("div#kd-legend.kd-legend");
    this.confusion = el("div#kd-confusion.kd-confusion");
    this.view = el("div#kd-view.kd-view", null, this.digitsHost, this.legend, this.sliceRow, this.scatterHost,
      this.confusion);
    plotFrame.after(this.view);

    // the panels whose Python side takes 2-D two-class data only say so instead of failing (Attack.plane_only from
    // the generated table; NN Calculator's buttons read the plane's two inputs); the others work for any d and K
    this.panelNotes = PLANE_PANELS.map(({ id, kind }) => {
      const panel = /** @type {HTMLElement} */ (document.getElementById(id));
      const note = el(`p.kd-panel-note#kd-note-${id}`, { role: "note", hidden: true });
      panel.before(note);
      return { panel, note, kind };
    });

    // beyond the plane a click on the plot moves the slice; once the user works in a backdoor panel (ui/picks.js),
    // a click on the 3-D slice picks the test points drawn near it for that panel instead
    deps.heatmap.pickFirst = (x, y) => {
      if (!this.active || (this.d === 3 && pickOwner() !== "")) return false;
      this.pickNear(x, y);
      return true;
    };
    onThemeChange(() => this.recolor());
    this.apply();
  }

  /** True when the data is not TF Playground's 2-D two-class kind. */
  get active() {
    return this.d !== 2 || this.k > 2;
  }

  /** The picker's second row (drawn before Python is ready too). @param {Config} config */
  thumbs(config) {
    const selected = config.problem === "regression" ? "" : String(config.dataset);
    renderKdThumbs(this.thumbHost, THUMBS.filter((t) => t.d != null), selected, (name) => this.pick(name));
    const spec = SPECS[selected];
    this.kRow.hidden = !spec?.k_choices;
    if (spec?.k_choices) {
      const [lo, hi] = spec.k_choices;
      const own = Number(config.classes) || spec.k;
      this.kSelect.replaceChildren(...Array.from({ length: hi - lo + 1 }, (_, i) => new Option(String(lo + i),
        String(lo + i), false, lo + i === own)));
    }
    this.scaleRow.hidden = this.note.hidden = selected !== "digits";
    this.scaleSelect.value = String(config.digits_scale ?? "raw");
    this.digitsMax = config.digits_scale === "unit" ? 1 : 16;
  }

  /** A data set of the second row: the digits get a network that can hold ten classes. @param {string} name */
  pick(name) {
    /** @type {Partial<Config>} */
    const patch = { problem: "classification", dataset: name };
    if (name === "digits") patch.networkShape = [SPECS[name].max_neurons];  // the 64 -> 32 -> 10
    this.deps.update(patch);
  }

  /**
   * A new state from Python; returns the network diagram's model for this data (see network()).
   * @param {Snapshot} snap @param {NetworkModel} net @returns {NetworkModel}
   */
  snapshot(snap, net) {
    ({ d: this.d, k: this.k } = snap.config.problem === "regression" ? { d: 2, k: 2 } : shapeOf(snap.data));
    this.data = snap.data;
    this.z = snap.frame.z ?? this.z;
    this.thumbs(snap.config);
    this.apply();
    this.fillViews();
    renderClassLegend(this.legend, this.k, this.d > 3);
    return this.network(net, snap.model);
  }

  /** Shows and hides the views for the current d and K. */
  apply() {
    const kd = this.active;
    document.body.dataset.kd = kd ? `${this.d}x${this.k}` : "";
    document.body.classList.toggle("kd-images", this.d > 3); // styling: no plane, so no plane's checkboxes
    document.body.classList.toggle("kd-3d", this.d === 3); // styling: a click on the plot moves the slice
    this.view.hidden = !kd;
    this.legend.hidden = !kd || this.d > 3; // the digits have no class map to explain
    this.sliceRow.hidden = this.scatterHost.hidden = this.d !== 3;
    this.digitsHost.hidden = this.d <= 3;
    this.plotFrame.hidden = this.d > 3;
    this.deps.heatmap.pointColor = labelColor(this.k);
    this.zInput.value = String(this.z);
    this.zText.textContent = this.z.toFixed(1);
    for (const { panel, note, kind } of this.panelNotes) {
      const off = kd && (kind === null || PLANE_ONLY[kind] != null);
      note.hidden = !off;
      note.textContent = off ? `This part needs the 2-D two-class playground (d = 2, K = 2); this data has ` +
        `d = ${this.d}, K = ${this.k}. Pick one of the data sets in the first row to use it.` : "";
      panel.inert = off;
      panel.classList.toggle("kd-off", off);
    }
  }

  /**
   * A frame's views (confusion matrix, the digits' predictions, the slice) and the plot for K > 2 (the class map) or
   * the digits (no plot); false leaves the plot to the playground's heatmap.
   * @param {Frame} frame @param {string | null} hover a node whose full picture was asked for
   */
  drawPlot(frame, hover) {
    this.frame(frame);
    if (this.d > 3) return true;
    if (this.k <= 2 || !frame.class_grid || !frame.confidence_grid) return false;
    if (hover && frame.layout.some((g) => g.id === hover && g.w > 20)) return false;
    const n = Math.round(Math.sqrt(frame.class_grid.length));
    this.lastGrid = { cls: frame.class_grid, conf: frame.confidence_grid, n };
    this.deps.heatmap.background.classList.remove("pixelated");
    paintClassGrid(this.deps.heatmap.background, frame.class_grid, frame.confidence_grid, n, this.k);
    return true;
  }

  /** The rest of a frame: confusion matrix, the digits' predictions, the slice height. @param {Frame} frame */
  frame(frame) {
    this.lastFrame = frame;
    if (!this.active || !this.views) return;
    this.frameViews(this.views, frame);
    if (frame.z != null && this.d === 3 && this.wantZ === null && !this.busy) {
      this.z = frame.z;
      this.zText.textContent = this.z.toFixed(1);
    }
  }

  /** The plot's points (3-D: those near the slice). @param {Data} data @param {boolean} showTest */
  setPoints(data, showTest) {
    const { train, test } = this.points(data);
    this.deps.heatmap.setPoints(train, test, { showTest });
  }

  /** The heatmap's points: 3-D rows near the slice as [x, y, label]; 2-D rows as they are. @param {Data} data */
  points(data) {
    if (this.d !== 3) return { train: data.train, test: data.test };
    const near = (/** @type {number[]} */ rows) => {
      const out = [];
      for (let i = 0; i + 3 < rows.length; i += 4) {
        if (Math.abs(rows[i + 2] - this.z) <= SLAB) out.push(rows[i], rows[i + 1], rows[i + 3]);
      }
      return out;
    };
    return { train: near(data.train), test: near(data.test) };
  }

  /** Ask Python for the slice at z (one call at a time; the latest height wins). @param {number} z */
  async moveSlice(z) {
    this.z = Math.max(Z.low, Math.min(Z.high, z));
    this.zInput.value = String(this.z);
    this.zText.textContent = this.z.toFixed(1);
    this.views?.scatter.setSlice(this.z);
    this.redrawPoints();
    if (this.busy) {
      this.wantZ = this.z;
      return;
    }
    this.busy = true;
    try {
      let next = this.z;
      for (;;) {
        this.wantZ = null;
        await this.deps.slice(next);
        if (this.wantZ === null || this.wantZ === next) break;
        next = this.wantZ;
      }
    } finally {
      this.busy = false;
      this.wantZ = null;
    }
  }

  /** A click on the plot: the slice moves to the height of the data point nearest in (x, y). @param {number} x @param {number} y */
  pickNear(x, y) {
    if (this.d !== 3 || !this.data) return;
    let best = Infinity;
    let z = this.z;
    for (const rows of [this.data.train, this.data.test]) {
      for (let i = 0; i + 3 < rows.length; i += 4) {
        const dist = (rows[i] - x) ** 2 + (rows[i + 1] - y) ** 2;
        if (dist < best) [best, z] = [dist, rows[i + 2]];
      }
    }
    if (best < 1) this.moveSlice(Math.round(z * 10) / 10);
  }

  /** The diagram's inputs: the 3-D features for 3-D data; the 64 pixels as one block. @param {NetworkModel} net @param {Model} model */
  network(net, model) {
    if (this.d === 3) {
      // x, y, z with their squares and products (and any other planar feature in use): the column's height holds them
      const on = new Set(model.features);
      net.features = [...net.features.filter((f) => PLANAR_3D.has(f.id) || f.enabled),
        ...Object.entries(FEATURES_3D).map(([id, label]) => ({ id, label, enabled: on.has(id) }))];
    } else if (this.d > 3) {
      net.features = [{ id: "pixels", label: `${this.d} pixels (8×8)`, enabled: true }];
      net.layerSizes = [1, ...net.layerSizes.slice(1)];
      net.weights = this.weights(net.weights);
      if (net.dead) net.dead = [[net.dead[0]?.[0] ?? []], ...net.dead.slice(1)];
    }
    return net;
  }

  /** The first layer's weights as one row (their mean per neuron) when the pixels are one block. @param {number[][][]} w */
  weights(w) {
    if (this.d <= 3 || !w.length) return w;
    const rows = w[0];
    const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    return [[mean], ...w.slice(1)];
  }

  /**
   * Whether a link of layer l can be edited one by one (not the 64 pixels' block: that says so).
   * @param {number} l @param {(text: string, kind: "info") => void} notify
   */
  editable(l, notify) {
    if (!this.collapsed || l > 0) return true;
    notify("The 64 pixel weights are drawn as one block (their mean): edit the other layers.", "info");
    return false;
  }

  /** True when the diagram's first layer stands for many inputs (its links cannot be edited one by one). */
  get collapsed() {
    return this.d > 3;
  }

  recolor() {
    if (!this.active) return;
    this.deps.heatmap.pointColor = labelColor(this.k);
    this.redrawPoints();
    renderClassLegend(this.legend, this.k, this.d > 3);
    if (this.lastGrid && this.k > 2) {
      paintClassGrid(this.deps.heatmap.background, this.lastGrid.cls, this.lastGrid.conf, this.lastGrid.n, this.k);
    }
    this.fillViews();
  }

  /**
   * The views beyond the plane, imported the first time a problem needs them (the first screen draws without
   * them: fewer modules before it, ui_visible_ms). Each view's data is drawn once they arrive. @returns {Promise<Views | null>}
   */
  loadViews() {
    this.viewsLoading ??= Promise.all([import("../widgets/scatter3d.js"), import("../widgets/digits.js"),
      import("../widgets/confusion.js")]).then(([{ Scatter3D }, { DigitGrid }, { renderConfusion }]) => {
      const digits = new DigitGrid(this.digitsHost);
      // the digits have no plot: a click on an image picks that test point for the backdoor panels, which mark theirs
      digits.onPick = (index) => emit("image-picked", { index });
      this.views = { scatter: new Scatter3D(this.scatterHost), digits, renderConfusion };
      this.fillViews();
      return this.views;
    }, (err) => {
      // said once: the browser remembers a module that failed to load, so only a reload tries again
      this.deps.report(new Error(`The 3-D, digits and confusion views did not load (${err?.message ?? err}): ` +
        "reload the page to see them. Training and the numbers work without them."));
      return null;
    });
    return this.viewsLoading;
  }

  /** The loaded views show this data and the last frame (loads them first, the first time). */
  fillViews() {
    if (!this.active) return;
    const views = this.views;
    if (!views) {
      this.loadViews();
      return;
    }
    if (this.d === 3 && this.data) views.scatter.set([...this.data.train, ...this.data.test], labelColor(this.k), this.z);
    if (this.d > 3 && this.data) {
      views.digits.setImages(this.data.test, this.digitsMax);
      views.digits.setMarks(this.imageMarks);
    }
    if (this.lastFrame) this.frameViews(views, this.lastFrame);
  }

  /** @param {Views} views @param {Frame} frame */
  frameViews(views, frame) {
    if (frame.confusion_test) views.renderConfusion(this.confusion, frame.confusion_test, classNames(this.k, this.d > 3));
    if (this.d > 3) views.digits.setPredictions(frame.test_pred);
  }
}
