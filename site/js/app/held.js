// @ts-check
// Training held by a job (Player.hold): the Play button and a line under the epoch counter say what training waits
// for and whether it resumes by itself (when Play is on). body.held is for styling and tests only.

import { el } from "../ui/dom.js";

/**
 * @param {string | null} reason what training waits for (null: nothing holds it)
 * @param {boolean} playing whether Play is on (training resumes when the hold ends)
 */
export function showHeld(reason, playing) {
  const button = /** @type {HTMLElement} */ (document.getElementById("play-pause-button"));
  let note = document.getElementById("play-held");
  if (!note) {
    note = el("span.play-held#play-held", { role: "status", hidden: true });
    document.getElementById("iter-number")?.after(note);
  }
  document.body.classList.toggle("held", reason !== null);
  button.dataset.held = reason ?? "";
  if (reason === null) {
    note.hidden = true;
    note.textContent = "";
    button.title = "Run / pause";
    button.setAttribute("aria-label", "Run training");
    return;
  }
  const what = playing ? `Waiting for ${reason}: training resumes when it ends` : `Waiting for ${reason}`;
  note.textContent = playing ? `waiting for ${reason}…` : `${reason} running`;
  note.hidden = false;
  button.title = `${what} (press to ${playing ? "stay paused afterwards" : "resume training when it ends"})`;
  button.setAttribute("aria-label", what);
}
