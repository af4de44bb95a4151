// @ts-check
// Test points picked on the output plot, shared by the backdoor and signature panels (each keeps its own set): a
// click toggles the nearest test point, the picks are ringed, and new test data clears them.

/** Within this distance (data units) of a click, the nearest test point is picked. */
export const PICK_RADIUS = 0.5;

/** The panel the plot's clicks pick for: the one last touched; "" (none yet) lets every panel pick. */
let owner = "";

/**
 * Make `root`'s panel the owner of the plot's clicks whenever the user presses anywhere inside it.
 * @param {string} name @param {HTMLElement} root
 */
export function trackPickOwner(name, root) {
  root.addEventListener("pointerdown", () => { owner = name; }, true);
}

/** The panel the plot's clicks pick for ("" until the user touches one). */
export function pickOwner() {
  return owner;
}

/** Whether a click on the plot picks for panel `name`. @param {string} name */
export function picksFor(name) {
  return owner === "" || owner === name;
}

/** One panel's picked test points (indices into the flat test array [x, y, label, ...]). */
export function createPicks() {
  /** @type {Set<number>} */
  const picked = new Set();
  /** @type {number[] | null} */
  let data = null;
  return {
    /** How many points are picked. */
    get size() { return picked.size; },
    /** The picked indices, ascending. */
    sorted: () => [...picked].sort((a, b) => a - b),
    clear() { picked.clear(); },
    /** Toggle test point i (the digits' image grid picks by index). @param {number} i */
    toggle(i) {
      if (picked.has(i)) picked.delete(i);
      else picked.add(i);
    },
    /**
     * Follow the test data of a snapshot: different numbers clear the picks. True when the test set changed.
     * @param {number[]} test
     */
    follow(test) {
      const changed = !sameNumbers(test, data);
      if (changed) picked.clear();
      data = test;
      return changed;
    },
    /**
     * Toggle the test point nearest to (x, y) within PICK_RADIUS; false when no point is that close.
     * @param {number[]} test @param {number} x @param {number} y
     */
    toggleNear(test, x, y) {
      let best = -1;
      let bestD = PICK_RADIUS;
      for (let i = 0; 3 * i + 1 < test.length; i++) {
        const d = Math.hypot(test[3 * i] - x, test[3 * i + 1] - y);
        if (d < bestD) { best = i; bestD = d; }
      }
      if (best < 0) return false;
      if (picked.has(best)) picked.delete(best);
      else picked.add(best);
      return true;
    },
    /**
     * Rings (kind "selected") on the picked points.
     * @param {number[]} test @returns {import("../widgets/heatmap.js").Mark[]}
     */
    marks(test) {
      return [...picked].map((i) => ({ x: test[3 * i], y: test[3 * i + 1], kind: "selected" }));
    },
  };
}

/**
 * Picks (and other marked test points) are only visible with the test data shown: turn it on if it is off.
 * @param {{getConfig: () => {showTestData?: unknown}, update: (patch: {showTestData: boolean}) => Promise<unknown>} | null} ctx
 */
export function showTestPoints(ctx) {
  if (ctx && !ctx.getConfig().showTestData) ctx.update({ showTestData: true });
}

/** @param {number[]} a @param {number[] | null} b */
function sameNumbers(a, b) {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
