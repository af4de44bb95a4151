// @ts-check
// The lesson card (#lesson-card): not a modal, the page stays usable beside it. Title, "step n of N", the task, the
// control to use (highlighted on the page), the prediction (choices; Reveal once one is picked), the checks of the
// outcome (Next turns on when they pass), Back / Next, the step's own link, and close. The teacher's view shows the
// answer and the explanation at once and never locks Next: the choices are read-only there (the answer marked,
// nothing stored) and a note takes Reveal's place, saying what a student does.
import { el } from "../ui/dom.js";

/**
 * What the card shows for one step.
 * @typedef {{lessonNo: number, lesson: import("./table.js").Lesson, stepNo: number, step: import("./table.js").Step,
 *   teacher: boolean, answer: number | null, revealed: boolean, done: boolean, controlFound: boolean}} StepView
 * @typedef {{onAnswer: (choice: number) => void, onReveal: () => void, onBack: () => void, onNext: () => void,
 *   onClose: () => void, onShowControl: () => void}} CardHandlers
 */

export class LessonCard {
  /** @param {HTMLElement} root @param {CardHandlers} on */
  constructor(root, on) {
    this.root = root;
    this.on = on;
    /** @type {StepView | null} */
    this.view = null;
    this.parts = {
      checks: el("ul.lesson-checks#lesson-checks", { "aria-label": "What this step checks" }),
      next: /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#lesson-next", { type: "button", onclick: () => on.onNext() }, "Next")),
      back: /** @type {HTMLButtonElement} */ (el("button.text-button#lesson-back", { type: "button", onclick: () => on.onBack() }, "Back")),
      question: el("div.lesson-question#lesson-question"),
      status: el("p.lesson-status#lesson-status", { role: "status", "aria-live": "polite" }, ""),
    };
  }

  hide() {
    this.root.hidden = true;
    this.root.replaceChildren();
    this.view = null;
    delete this.root.dataset.lesson;
    delete this.root.dataset.step;
  }

  /** Draw a step (a new step, or the same one after an answer / a reveal). @param {StepView} v */
  show(v) {
    this.view = v;
    const { lesson, step, stepNo } = v;
    const total = lesson.steps.length;
    const minimise = /** @type {HTMLButtonElement} */ (el("button.lesson-icon#lesson-minimise", {
      type: "button", "aria-expanded": this.root.classList.contains("minimised") ? "false" : "true",
      title: "Fold the card away (the lesson stays open)", onclick: () => this.minimise(!this.root.classList.contains("minimised")),
    }, "–"));
    const head = el("div.lesson-head", null,
      el("div.lesson-head-text", null,
        el("p.lesson-kicker", null, `Lesson ${v.lessonNo}: ${lesson.title}`),
        el("h2.lesson-title#lesson-title", null, step.title),
        el("p.lesson-count#lesson-count", null, `Step ${stepNo} of ${total}`,
          v.teacher ? el("span.lesson-badge#lesson-teacher", null, "teacher's view") : null,
          v.done ? el("span.lesson-badge.lesson-done-badge", null, "done") : null)),
      minimise,
      el("button.lesson-icon#lesson-close", { type: "button", title: "Close the lesson (your progress is kept)",
        "aria-label": "Close the lesson", onclick: () => this.on.onClose() }, "×"));
    const control = el("p.lesson-control", null,
      v.controlFound
        ? el("button.card-link#lesson-show-control", { type: "button", onclick: () => this.on.onShowControl() }, "Show me the control")
        : el("span.card-warn-text#lesson-control-missing", null, "The control this step uses is not on this page."));
    this.parts.back.disabled = stepNo <= 1;
    this.parts.next.textContent = stepNo >= total ? "Finish" : "Next";
    const link = el("a.card-link.lesson-link#lesson-link", { href: `#${step.hash}${v.teacher ? "&teacher=true" : ""}`,
      title: "This step's own link: it opens the page in this step's state" }, "step link");
    this.root.replaceChildren(head,
      el("div.lesson-body", null,
        el("p.lesson-task#lesson-task", null, step.task), control, this.parts.question,
        el("p.lesson-subhead", null, step.checks.length ? "To go on" : ""), this.parts.checks, this.parts.status),
      el("div.lesson-nav", null, this.parts.back, link, this.parts.next));
    this.root.dataset.lesson = String(v.lessonNo);
    this.root.dataset.step = String(stepNo);
    this.root.hidden = false;
    this.drawQuestion();
  }

  /** @param {boolean} folded */
  minimise(folded) {
    this.root.classList.toggle("minimised", folded);
    this.root.querySelector("#lesson-minimise")?.setAttribute("aria-expanded", folded ? "false" : "true");
  }

  drawQuestion() {
    const v = this.view;
    const box = this.parts.question;
    if (!v || !v.step.question) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const q = v.step.question;
    const showAnswer = v.revealed || v.teacher;
    const choices = q.choices.map((text, i) => {
      const input = /** @type {HTMLInputElement} */ (el(`input#lesson-choice-${i}`, { type: "radio", name: "lesson-choice",
        value: String(i), checked: v.answer === i, disabled: v.revealed || v.teacher, onchange: () => this.on.onAnswer(i) }));
      const mark = showAnswer && i === q.answer ? "lesson-choice is-answer" : showAnswer && i === v.answer ? "lesson-choice is-wrong" : "lesson-choice";
      return el("label", { class: mark }, input, text);
    });
    const reveal = /** @type {HTMLButtonElement} */ (el("button.text-button#lesson-reveal", {
      type: "button", disabled: v.answer == null || v.revealed, onclick: () => this.on.onReveal(),
      title: v.answer == null ? "Pick a prediction first" : "",
    }, "Reveal"));
    const verdict = v.revealed && v.answer != null
      ? el("p.lesson-verdict#lesson-verdict", { dataset: { right: String(v.answer === q.answer) } },
        v.answer === q.answer ? "Your prediction was right." : `Not quite: the answer is “${q.choices[q.answer]}”.`)
      : null;
    // the teacher's view: the answer is on show already, so no Reveal to press and no "pick one first"
    const teacherNote = el("div.card-row", null, el("span.card-muted#lesson-teacher-note", null,
      "Teacher's view: the answer is marked and explained below. A student picks a prediction first; Reveal then shows this."));
    box.replaceChildren(...[
      el("fieldset.lesson-choices", null, el("legend.lesson-prompt", null, "Predict: ", q.prompt), ...choices),
      v.revealed ? null : v.teacher ? teacherNote
        : el("div.card-row", null, reveal, v.answer == null ? el("span.card-muted", null, "pick one first") : null),
      verdict,
      showAnswer ? el("p.lesson-reveal#lesson-reveal-text", null, q.reveal) : null,
    ].filter((x) => x != null));
  }

  /**
   * The checks' state and whether Next is on.
   * @param {{label: string, ok: boolean}[]} checks @param {boolean} canNext @param {string} status
   */
  drawChecks(checks, canNext, status) {
    this.parts.checks.replaceChildren(...checks.map((c) =>
      el("li", { class: c.ok ? "lesson-check ok" : "lesson-check", dataset: { ok: String(c.ok) } },
        el("span.lesson-check-mark", { "aria-hidden": "true" }, c.ok ? "✓" : "○"), c.label)));
    this.parts.next.disabled = !canNext;
    this.parts.status.textContent = status;
    this.root.dataset.canNext = String(canNext);
  }
}
