// @ts-check
// The digits in a backdoor panel (issue 14): the digits have no plot, so the image grid (app/problem-view.js) is
// where test points are picked (event image-picked) and where this panel's picked and activated images are marked
// (event image-marks). For an activated image a small view shows the original, the triggered image and their
// difference magnified (widgets/digit-diff.js), with what raw integer pixels do to such a trigger.

import { el } from "../ui/dom.js";
import { emit, on } from "../ui/events.js";
import { digitDiff } from "../widgets/digit-diff.js";
import { shape } from "./kd.js";

/**
 * What the stored integers 0..16 do to this trigger: a change below half a grey step is rounded away.
 * @param {boolean} raw @param {number} maxAbs the largest pixel change, in the model's units
 */
function roundingNote(raw, maxAbs) {
  const steps = raw ? maxAbs : maxAbs * 16;  // in grey steps of the stored integers
  const seen = raw ? "Raw pixels: the data set stores integers 0..16 and the network sees them as floats."
    : "Unit pixels: the network sees the stored integers 0..16 divided by 16.";
  return steps < 0.5
    ? `${seen} This trigger moves a pixel by at most ${steps.toPrecision(2)} of a grey step: it lives only in the ` +
      "floats the model is given. Rounding the triggered image to integers 0..16 gives the original back, and " +
      "the backdoor does not fire."
    : `${seen} This trigger moves a pixel by up to ${steps.toPrecision(2)} grey steps: rounding to integers 0..16 ` +
      "keeps part of it.";
}

/**
 * @typedef {{index: number, p0?: number[] | null, p1?: number[] | null, flipped?: boolean, accepted?: boolean,
 *   delta?: number | null}} ImageRecord
 * @param {{owner: string, idPrefix: string, onPick: (index: number) => void,
 *   scale: () => string}} opts scale: the config's digits_scale ("raw" or "unit")
 */
export function buildImageMarks(opts) {
  const pick = el("p.card-note", { id: `${opts.idPrefix}-image-hint` },
    "The digits have no plot: click images in the grid under the output to pick them.");
  const select = /** @type {HTMLSelectElement} */ (el(`select.card-select#${opts.idPrefix}-image-select`,
    { "aria-label": "Activated image to show" }));
  const view = el("div", { id: `${opts.idPrefix}-image-diff` });
  const note = el("p.card-note.digit-diff-note", { id: `${opts.idPrefix}-image-note` });
  const chooser = el("label.card-field", null, "Activated image ", select);
  const element = el("section.card.digit-diff-card", { id: `${opts.idPrefix}-images`, hidden: true },
    el("h3.card-title", null, "An activated image"), pick, chooser, view, note);
  let digits = false;
  /** @type {ImageRecord[]} */
  let moved = [];

  on("image-picked", ({ index }) => { if (digits) opts.onPick(index); });
  select.addEventListener("change", () => draw(Number(select.value)));

  /** @param {number} i the index into `moved` */
  function draw(i) {
    const r = moved[i];
    if (!r?.p0 || !r.p1) {
      view.replaceChildren(el("p.card-note", null, "Activate some images to see what the trigger changed."));
      note.textContent = "";
      element.dataset.shown = "";
      return;
    }
    const raw = opts.scale() !== "unit";
    const diff = digitDiff(r.p0, r.p1, raw ? 16 : 1);
    view.replaceChildren(diff.element);
    note.textContent = roundingNote(raw, diff.maxAbs);
    element.dataset.shown = String(r.index);
  }

  return {
    element,
    /** Follow the data: only the digits use this. @param {import("./replies.js").PageData | null | undefined} data */
    setData(data) {
      digits = shape(data).d > 3;
      element.hidden = !digits;
      if (!digits) {
        moved = [];
        emit("image-marks", { owner: opts.owner, marks: [] });
      }
    },
    /**
     * Mark the picked and activated images in the grid and show one activated image.
     * @param {ImageRecord[]} records @param {number[]} picks
     */
    show(records, picks) {
      if (!digits) return;
      moved = records.filter((r) => r.p0 && r.p1 && (r.accepted ?? true) && r.p1.some((v, j) => v !== r.p0?.[j]));
      /** @type {{index: number, kind: string}[]} */
      const marks = picks.map((index) => ({ index, kind: "selected" }));
      for (const r of moved) marks.push({ index: r.index, kind: r.flipped ? "flipped" : "moved" });
      emit("image-marks", { owner: opts.owner, marks });
      const keep = Number(element.dataset.shown);
      select.replaceChildren(...moved.map((r, i) => new Option(`test image ${r.index}${r.flipped ? " (label changed)" : ""}`,
        String(i))));
      const at = Math.max(0, moved.findIndex((r) => r.index === keep));
      select.value = String(at);
      chooser.hidden = moved.length < 2;
      draw(at);
    },
  };
}
