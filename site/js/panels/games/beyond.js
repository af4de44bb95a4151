// @ts-check
// Queries beyond the plane: on 3-D data a click on the page's plot queries (x, y) on the slice at its height z; on
// data with more coordinates (the digits) a click on a test image in the image grid queries that image's pixels
// (the test row of the data view). Both only while the games panel owns the page's picks (ui/picks.js: the panel
// the user last pressed in), so a click never spends a query by surprise; the backdoor panels keep theirs otherwise.
// The queried images are marked in the grid (event image-marks: "flipped" where the answer shows the backdoor,
// "selected" otherwise; new test data clears them). What a click may query is read from d (the data view and the round), never a set's name.

import { emit, on } from "../../ui/events.js";
import { createPicks, pickOwner, trackPickOwner } from "../../ui/picks.js";
import { shape, sliceZ } from "../kd.js";

/** The games panel's name as the owner of picks and of image marks. */
export const OWNER = "games";

/**
 * @typedef {{ask: (points: number[][], images?: number[]) => void, roundD: () => number | null,
 *   notify: (text: string) => void}} BeyondHooks
 *   ask: query points (images: the test index of each, for the grid's marks); roundD: the live round's d (null: none)
 */

/**
 * Wire the page's plot (3-D) and image grid (d > 3) to the game's queries.
 * @param {import("../context.js").PanelContext} ctx @param {HTMLElement} root the panel's root @param {BeyondHooks} hooks
 */
export function beyondPlane(ctx, root, hooks) {
  trackPickOwner(OWNER, root);
  /** @type {Map<number, string>} queried image -> mark kind */
  const marks = new Map();

  /** The page's d when the games own the clicks and a round of that d is live; else null (and says why). */
  function liveD() {
    if (pickOwner() !== OWNER) return null;
    const { d } = shape(ctx.getData());
    const want = hooks.roundD();
    if (want === null) hooks.notify("Press New round in the games panel first: a click then queries its models.");
    else if (want !== d) hooks.notify(`This round's data has ${want} coordinates, the page's ${d}: press New round.`);
    return want === d ? d : null;
  }

  ctx.heatmap.onPick((x, y) => {
    if (shape(ctx.getData()).d !== 3) return;  // the plane: the game's own plots take the clicks
    if (liveD() === 3) hooks.ask([[x, y, sliceZ(ctx)]]);
  });

  on("image-picked", ({ index }) => {
    const data = ctx.getData();
    if (shape(data).d <= 3) return;
    const d = liveD();
    if (!data || d === null) return;
    const row = data.test.slice(index * (d + 1), index * (d + 1) + d);
    if (row.length === d) hooks.ask([row], [index]);
  });

  // new test data: the marked indices name other images now
  const testData = createPicks();
  on("snapshot", ({ snap }) => { if (testData.follow(snap?.data?.test ?? [])) clear(); });

  function clear() {
    if (!marks.size) return;
    marks.clear();
    publish();
  }

  function publish() {
    emit("image-marks", { owner: OWNER, marks: [...marks].map(([index, kind]) => ({ index, kind })) });
  }

  return {
    /** An answered image query: "flipped" when the answer shows the backdoor. @param {number} index @param {boolean} shows */
    mark(index, shows) {
      if (marks.get(index) !== "flipped") marks.set(index, shows ? "flipped" : "selected");
      publish();
    },
    /** A new round: no image is queried yet. */
    clear,
  };
}
