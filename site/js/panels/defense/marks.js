// @ts-check
// Marks on the output plot on the test points whose label the last defense changed (kind "defended": a green
// triangle, widgets/marks.js), drawn as the defense panel's own set next to the other panels' marks.

/**
 * Draw (or remove) the rings. The reply must carry the backdoored model's label per input (`model_labels`) to say
 * which labels the defense changed; returns the number of rings, or null when the reply cannot tell.
 * @param {import("../../widgets/heatmap.js").Heatmap} heatmap
 * @param {import("../replies.js").DefendReply | null} result the last defend reply, or null
 * @param {number[]} test the test points, flat [x, y, label, ...] (panels/kd.js planeTest: NaN off the plot)
 * @param {boolean} show the user's toggle
 * @returns {number | null}
 */
export function drawDefenseMarks(heatmap, result, test, show) {
  const model = result?.model_labels;
  /** @type {import("../../widgets/heatmap.js").Mark[]} */
  const mine = [];
  if (result?.labels && model && show) {
    result.labels.forEach((/** @type {number} */ label, /** @type {number} */ i) => {
      if (label !== model[i] && Number.isFinite(test[3 * i]) && Number.isFinite(test[3 * i + 1])) mine.push({ x: test[3 * i], y: test[3 * i + 1], kind: "defended" });
    });
  }
  heatmap.setMarks(mine, "defense");
  return result && !model ? null : mine.length;
}
