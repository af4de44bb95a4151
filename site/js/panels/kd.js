// @ts-check
// The backdoor and defense panels beyond TF Playground's plane (issue 14): the test points as the plot sees them,
// the records' points for the plot's marks, and the target class for K > 2. Python's rows are [x, y, label] in 2-D,
// [x, y, z, label] in 3-D and [64 pixels, label] for the digits; activation records carry x0, y0, x1, y1 in 2-D and
// p0, p1 (lists of d numbers) otherwise. Nothing here decides what the data allows: that is Python's (plane_only).

import { el } from "../ui/dom.js";
import { on } from "../ui/events.js";
import { classNames, labelColor } from "../widgets/classes.js";

/** Points this close to the slice (in z) are drawn on the 3-D plot and can be picked (as app/problem-view.js). */
export const SLAB = 1;

/** @typedef {import("./replies.js").PageData} PageData */

/** d and K of the page's data (2, 2 for TF Playground's sets). @param {PageData | null | undefined} data */
export function shape(data) {
  return { d: data?.d ?? 2, k: data?.k ?? 2 };
}

/** How many test points there are. @param {PageData | null | undefined} data */
export function testCount(data) {
  return data ? data.test.length / (shape(data).d + 1) : 0;
}

/**
 * The test points as the plot draws them: flat [x, y, label] per test point (index i at 3 i). 3-D points farther
 * than SLAB from the slice at z, and every digit image, get NaN coordinates: nothing on the plot, nothing to pick.
 * @param {PageData | null | undefined} data @param {number} z @returns {number[]}
 */
export function planeTest(data, z) {
  if (!data) return [];
  const { d } = shape(data);
  if (d === 2) return data.test;
  const row = d + 1;
  const out = [];
  for (let i = 0; i + d < data.test.length; i += row) {
    const near = d === 3 && Math.abs(data.test[i + 2] - z) <= SLAB;
    out.push(near ? data.test[i] : NaN, near ? data.test[i + 1] : NaN, data.test[i + d]);
  }
  return out;
}

/**
 * A record with its plot coordinates: 2-D as it is; 3-D: (x, y) of p0 / p1 when the moved point lies within SLAB of
 * the slice at z (drawn where the plot draws its points), else NaN; digits: NaN (the grid marks the image instead).
 * @template {{x0?: number | null, y0?: number | null, x1?: number | null, y1?: number | null,
 *   p0?: number[] | null, p1?: number[] | null}} R
 * @param {R} r @param {number} z @returns {R}
 */
export function planar(r, z) {
  if (!r.p0) return r;
  const p = r.p1 ?? r.p0;
  const shown = r.p0.length === 3 && Math.abs(p[2] - z) <= SLAB;
  const at = (/** @type {number[] | null | undefined} */ q, /** @type {number} */ j) => (q && shown ? q[j] : NaN);
  return { ...r, x0: at(r.p0, 0), y0: at(r.p0, 1), x1: at(r.p1, 0), y1: at(r.p1, 1) };
}

/** Marks with finite coordinates only (points off the slice or on the image grid are not drawn on the plot).
 * @template {{x: number, y: number}} M @param {M[]} marks */
export function onPlot(marks) {
  return marks.filter((m) => Number.isFinite(m.x) && Number.isFinite(m.y));
}

/** The slice height of the frame last drawn (0 when the data has no z). @param {{getFrame: () => {z?: number} | null}} ctx */
export function sliceZ(ctx) {
  return ctx.getFrame()?.z ?? 0;
}

/**
 * The target class for K > 2: "next" (each point to the class after its own) or a fixed class, each option named
 * and coloured as the class legend (widgets/classes.js). Hidden for K = 2 (the backdoors flip). `value()` is
 * undefined when hidden (Python's default), "next" or a class index.
 * @param {string} id the select's id
 */
export function targetPicker(id) {
  const select = /** @type {HTMLSelectElement} */ (el(`select#${id}.card-select.kd-target`,
    { title: "The class a triggered point goes to" }));
  const swatch = el("span.kd-target-swatch", { "aria-hidden": "true" });
  const row = el("label.card-field.kd-target-row", { hidden: true }, "target class", select, swatch);
  let k = 2;
  const paint = () => {
    const c = select.value === "next" ? "" : labelColor(k)(Number(select.value));
    swatch.style.background = c;
    swatch.hidden = !c;
  };
  select.addEventListener("change", paint);
  return {
    row,
    /** Follow the data's d and K. @param {PageData | null | undefined} data */
    setData(data) {
      const s = shape(data);
      row.hidden = s.k <= 2;
      if (s.k === k && select.options.length) return;
      k = s.k;
      const names = classNames(k, s.d > 3);
      const color = labelColor(k);
      const before = select.value;
      select.replaceChildren(new Option("the next class (c → c + 1 mod K)", "next"), ...names.map((name, c) => {
        const o = new Option(name, String(c));
        o.style.color = color(c);
        return o;
      }));
      select.value = [...select.options].some((o) => o.value === before) ? before : "next";
      paint();
    },
    /** @returns {"next" | number | undefined} */
    value() {
      if (row.hidden) return undefined;
      return select.value === "next" ? "next" : Number(select.value);
    },
    recolor: paint,
  };
}

/** 3-D: call `redraw` whenever the plot's slice moves, so marks drawn near the slice follow it. @param {() => void} redraw */
export function followSlice(redraw) {
  let lastZ = 0;
  on("frame", ({ frame }) => {
    if (frame.z != null && frame.z !== lastZ) {
      lastZ = frame.z;
      redraw();
    }
  });
}
