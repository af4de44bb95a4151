// @ts-check
// The lesson index (#lessons-menu, opened by the masthead's Lessons button): the lessons with their progress, a
// link to start or continue each, the teacher's view, and a reset of the progress kept in this browser.
import { el } from "../ui/dom.js";
import { LESSONS } from "./table.js";

/** @typedef {import("./progress.js").Progress} Progress */

export class LessonMenu {
  /** @param {HTMLElement} root @param {HTMLButtonElement} button @param {Progress} progress @param {() => void} onReset */
  constructor(root, button, progress, onReset) {
    this.root = root;
    this.button = button;
    this.progress = progress;
    this.onReset = onReset;
    button.disabled = false;
    button.addEventListener("click", () => this.toggle(this.root.hidden));
    document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !this.root.hidden) this.toggle(false); });
  }

  /** @param {boolean} open */
  toggle(open) {
    if (open) this.draw();
    this.root.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
  }

  draw() {
    const items = LESSONS.map((lesson) => {
      const n = lesson.number;
      const done = lesson.steps.filter((_, k) => this.progress.isDone(n, k + 1)).length;
      const next = Math.min(lesson.steps.length, lesson.steps.findIndex((_, k) => !this.progress.isDone(n, k + 1)) + 1 || lesson.steps.length);
      const close = () => this.toggle(false);
      return el("li.lessons-item", { dataset: { lesson: String(n), done: String(done) } },
        el("div.lessons-item-text", null,
          el("a.lessons-item-title", { href: `#${lesson.steps[next - 1].hash}`, onclick: close, id: `lessons-open-${n}` },
            `${n}. ${lesson.title}`),
          el("p.lessons-item-summary", null, lesson.summary)),
        el("div.lessons-item-side", null,
          el("span.lessons-progress", { id: `lessons-progress-${n}`, title: "Steps done in this browser" },
            `${done} / ${lesson.steps.length}`),
          el("a.card-link", { href: `#${lesson.steps[0].hash}&teacher=true`, onclick: close, id: `lessons-teacher-${n}`,
            title: "The lesson from its first step with the answers shown" }, "teacher's view")));
    });
    const reset = el("button.text-button#lessons-reset", { type: "button", onclick: () => {
      this.progress.reset();
      this.onReset();
      this.draw();
    } }, "Reset progress");
    this.root.replaceChildren(el("div.lessons-menu-inner", null,
      el("div.lessons-menu-head", null,
        el("h2.lessons-menu-title", null, "Guided lessons"),
        el("p.lessons-menu-hint", null, "Each step sets up the page through its link, points at the control to use, and asks for a prediction before it shows the result. Progress stays in this browser."),
        el("button.lesson-icon#lessons-menu-close", { type: "button", "aria-label": "Close the lesson list", onclick: () => this.toggle(false) }, "×")),
      el("ol.lessons-list", null, ...items),
      el("div.card-row", null, reset)));
  }
}
