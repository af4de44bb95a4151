// @ts-check
// What a student did, kept in the browser (localStorage): per lesson, the steps done, the answer picked and
// whether it was revealed. Storage may be missing or full (private windows): progress then lasts the page's life.

const KEY = "bp-lessons-v1";

/** @typedef {{done: number[], answers: Record<string, number>, revealed: number[]}} LessonProgress */

export class Progress {
  constructor() {
    /** @type {Record<string, LessonProgress>} */
    this.data = {};
    try {
      const parsed = JSON.parse(localStorage.getItem(KEY) || "{}");
      if (parsed && typeof parsed === "object") this.data = parsed;
    } catch {
      this.data = {};
    }
  }

  /** @param {number} lesson @returns {LessonProgress} */
  of(lesson) {
    const p = this.data[lesson] || { done: [], answers: {}, revealed: [] };
    return { done: Array.isArray(p.done) ? p.done : [], answers: p.answers && typeof p.answers === "object" ? p.answers : {},
      revealed: Array.isArray(p.revealed) ? p.revealed : [] };
  }

  /** @param {number} lesson @param {(p: LessonProgress) => void} change */
  edit(lesson, change) {
    const p = this.of(lesson);
    change(p);
    this.data[lesson] = p;
    this.save();
  }

  /** @param {number} lesson @param {number} step */
  isDone(lesson, step) { return this.of(lesson).done.includes(step); }
  /** @param {number} lesson @param {number} step */
  isRevealed(lesson, step) { return this.of(lesson).revealed.includes(step); }
  /** @param {number} lesson @param {number} step @returns {number | null} */
  answer(lesson, step) { return this.of(lesson).answers[step] ?? null; }

  /** @param {number} lesson @param {number} step */
  markDone(lesson, step) {
    if (!this.isDone(lesson, step)) this.edit(lesson, (p) => p.done.push(step));
  }
  /** @param {number} lesson @param {number} step @param {number} choice */
  setAnswer(lesson, step, choice) { this.edit(lesson, (p) => { p.answers[step] = choice; }); }
  /** @param {number} lesson @param {number} step */
  reveal(lesson, step) {
    if (!this.isRevealed(lesson, step)) this.edit(lesson, (p) => p.revealed.push(step));
  }

  /** Forget everything. */
  reset() {
    this.data = {};
    try { localStorage.removeItem(KEY); } catch { /* no storage: nothing kept */ }
  }

  save() {
    try { localStorage.setItem(KEY, JSON.stringify(this.data)); } catch { /* no storage: kept for this page only */ }
  }
}
