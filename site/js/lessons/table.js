// @ts-check
// The lessons as data: the table build.py generates from py/backdoor_playground/lessons/ (js/lessons/lesson-table.js),
// typed. Python checks every step's link against the state table (tests/py/test_lessons.py); the page only reads.
import { LESSON_TABLE } from "./lesson-table.js";

/**
 * One condition on the page's state: `fact op value` (facts.js computes the facts).
 * @typedef {{fact: string, op: "<" | "<=" | ">" | ">=" | "==" | "!=", value: string | number | boolean, label: string}} Check
 * The prediction asked before the result is revealed; `answer` indexes `choices`.
 * @typedef {{prompt: string, choices: string[], answer: number, reveal: string}} Question
 * One step: its task on one control (a CSS selector), the URL keys it sets (`state`, typed as the state table's
 * values) and its link (`hash`, without "#").
 * @typedef {{title: string, task: string, control: string, state: Record<string, import("../app/replies.js").ConfigValue>,
 *   hash: string, question: Question | null, checks: Check[]}} Step
 * @typedef {{number: number, title: string, summary: string, steps: Step[]}} Lesson
 */

/** Every lesson, `lesson=N` being LESSONS[N - 1]. @type {Lesson[]} */
export const LESSONS = /** @type {any} */ (LESSON_TABLE).lessons;

/** The lesson `n` (1-based), or null. @param {number} n */
export const lessonAt = (n) => (Number.isInteger(n) && n >= 1 && n <= LESSONS.length ? LESSONS[n - 1] : null);
