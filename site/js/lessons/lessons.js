// @ts-check
// Guided lessons (issue #16), a page mode (app/modes.js): init(ctx) like a panel. The URL's `lesson` and `step` keys
// say which step is open; each step's own link sets the page's state (lessons/table.js, generated from Python). The
// card asks for a prediction, reveals the result, and turns Next on when the step's checks pass on the page's state
// (facts.js). Moving between steps patches only the keys the lesson's steps set, so a trained or planted model
// stays when the next step keeps its data and network; a step's link opens it from scratch.
import { on } from "../ui/events.js";
import { applyHiding } from "../app/controls.js";
import { prop, PROPS } from "../app/state.js";
import { LESSONS, lessonAt } from "./table.js";
import { Facts } from "./facts.js";
import { Progress } from "./progress.js";
import { LessonCard } from "./card.js";
import { LessonMenu } from "./menu.js";

/** @typedef {import("../panels/context.js").PanelContext} PanelContext */

const TARGET_CLASS = "lesson-target";
/** The page-mode keys: a link with nothing else (`#lesson=2&step=3`) is a bare step link. */
const MODE_KEYS = new Set(["lesson", "step", "teacher", "embed"]);
const STAT_FACTS = new Set(["agreement", "trigger_rate"]);

/** @param {PanelContext} ctx */
export function init(ctx) {
  const cardRoot = document.getElementById("lesson-card");
  const menuRoot = document.getElementById("lessons-menu");
  const button = /** @type {HTMLButtonElement | null} */ (document.getElementById("lessons-button"));
  if (!cardRoot || !menuRoot || !button) return;
  const facts = new Facts(ctx);
  const progress = new Progress();
  /** The step on show: "lesson/step", or "" when none. */
  let shown = "";
  /** @type {Element | null} */
  let target = null;

  const current = () => {
    const config = ctx.getConfig();
    const lesson = lessonAt(Number(config.lesson));
    if (!lesson) return null;
    const stepNo = Math.min(Math.max(1, Number(config.step) || 1), lesson.steps.length);
    return { lesson, lessonNo: lesson.number, stepNo, step: lesson.steps[stepNo - 1], teacher: config.teacher === true };
  };

  const card = new LessonCard(cardRoot, {
    onAnswer: (choice) => {
      const c = current();
      if (!c) return;
      progress.setAnswer(c.lessonNo, c.stepNo, choice);
      redraw();
    },
    onReveal: () => {
      const c = current();
      if (!c || progress.answer(c.lessonNo, c.stepNo) == null) return;
      progress.reveal(c.lessonNo, c.stepNo);
      redraw();
    },
    onBack: () => { const c = current(); if (c && c.stepNo > 1) go(c.lessonNo, c.stepNo - 1); },
    onNext: () => {
      const c = current();
      if (!c || !canGoOn(c)) return;
      if (!c.teacher) progress.markDone(c.lessonNo, c.stepNo); // the teacher's browsing marks nothing done
      if (c.stepNo < c.lesson.steps.length) go(c.lessonNo, c.stepNo + 1);
      else close(true);
    },
    onClose: () => close(false),
    onShowControl: () => highlight(true),
  });
  const menu = new LessonMenu(menuRoot, button, progress, () => redraw());

  /** Whether this step's checks pass now (each with its label). @param {NonNullable<ReturnType<typeof current>>} c */
  const checkList = (c) => c.step.checks.map((check) => ({ label: check.label, ok: facts.passes(check) }));

  /** Next is on once the prediction is revealed (if asked) and the checks pass; a done step stays done. */
  const canGoOn = (/** @type {NonNullable<ReturnType<typeof current>>} */ c) => {
    if (c.teacher || progress.isDone(c.lessonNo, c.stepNo)) return true;
    const asked = c.step.question != null;
    if (asked && !progress.isRevealed(c.lessonNo, c.stepNo)) return false;
    return checkList(c).every((x) => x.ok);
  };

  /** The checks and Next, from the page's state now. */
  const recheck = () => {
    const c = current();
    if (!c) return;
    const checks = checkList(c);
    const ok = canGoOn(c);
    const asked = c.step.question != null && !progress.isRevealed(c.lessonNo, c.stepNo) && !c.teacher;
    const status = c.teacher ? teacherStatus(checks)
      : progress.isDone(c.lessonNo, c.stepNo) ? "Step done."
      : asked ? "Make your prediction and reveal the result to go on."
      : checks.every((x) => x.ok) ? "Well done: go on with Next." : "Do the task: the checks tick as the page changes.";
    card.drawChecks(checks, ok, status);
    if (ok && !c.teacher && checks.every((x) => x.ok)) progress.markDone(c.lessonNo, c.stepNo);
  };

  /** What the teacher's view says under the checks (Next is always on there). @param {{ok: boolean}[]} checks */
  const teacherStatus = (checks) => (!checks.length ? "This step checks nothing on the page; Next is always on here."
    : checks.every((x) => x.ok) ? "The checks pass on this page; Next is always on here."
    : "Next is always on here; a student goes on once the prediction is revealed and the checks pass.");

  /** Outline the step's control; scroll it into view when asked (a new step, or "Show me"). @param {boolean} scroll */
  const highlight = (scroll) => {
    target?.classList.remove(TARGET_CLASS);
    const c = current();
    target = c ? document.querySelector(c.step.control) : null;
    if (!target) return;
    target.classList.add(TARGET_CLASS);
    // near the top of the view: the card sits at the bottom (bottom right on wide screens) and must not cover it
    if (scroll) window.scrollBy({ top: target.getBoundingClientRect().top - window.innerHeight * 0.2 });
  };

  /** Draw the card for the URL's lesson and step; a new step resets what the checks saw. */
  const redraw = () => {
    const c = current();
    const key = c ? `${c.lessonNo}/${c.stepNo}` : "";
    const fresh = key !== shown;
    shown = key;
    document.body.dataset.lesson = key;
    if (!c) {
      target?.classList.remove(TARGET_CLASS);
      target = null;
      card.hide();
      return;
    }
    if (fresh && bare() && !applied(c.step)) {
      shown = "";
      go(c.lessonNo, c.stepNo); // a bare step link (#lesson=2&step=3): the step's own state, then redraw
      return;
    }
    if (fresh) {
      facts.reset();
      highlight(true);
      if (needsStats(c)) facts.refreshStats().then(recheck);
    }
    card.show({ ...c, answer: progress.answer(c.lessonNo, c.stepNo), revealed: progress.isRevealed(c.lessonNo, c.stepNo),
      done: progress.isDone(c.lessonNo, c.stepNo), controlFound: target != null });
    recheck();
  };

  /** Every key but the page modes' at its default: the link named only the step. */
  const bare = () => Object.entries(ctx.getConfig()).every(([key, value]) => MODE_KEYS.has(key) || !PROPS.has(key)
    || JSON.stringify(value) === JSON.stringify(prop(key).default));

  /** Whether the page is in the step's state. @param {import("./table.js").Step} step */
  const applied = (step) => Object.entries(step.state)
    .every(([key, value]) => JSON.stringify(value) === JSON.stringify(ctx.getConfig()[key]));

  const needsStats = (/** @type {NonNullable<ReturnType<typeof current>>} */ c) => c.step.checks.some((x) => STAT_FACTS.has(x.fact));

  /**
   * Open step `stepNo` of the lesson on show: patch the keys the lesson's steps set to that step's values (the others
   * back to their defaults) and turn off the hide flags it does not set. Python rebuilds only what changed.
   * @param {number} lessonNo @param {number} stepNo
   */
  async function go(lessonNo, stepNo) {
    const lesson = lessonAt(lessonNo);
    if (!lesson) return;
    const state = lesson.steps[stepNo - 1].state;
    /** @type {Record<string, any>} */
    const patch = {};
    for (const s of lesson.steps) for (const key of Object.keys(s.state)) patch[key] = structuredClone(prop(key).default);
    Object.assign(patch, structuredClone(state));
    const config = ctx.getConfig();
    for (const key of Object.keys(config)) if (key.endsWith("_hide") && config[key] === true && !(key in state)) patch[key] = false;
    for (const key of Object.keys(patch)) if (JSON.stringify(patch[key]) === JSON.stringify(config[key])) delete patch[key];
    await ctx.update(patch);
    applyHiding(ctx.getConfig());
    redraw();
  }

  /** Close the lesson (and after its last step, open the list). @param {boolean} finished */
  async function close(finished) {
    const config = ctx.getConfig();
    /** @type {Record<string, any>} */
    const patch = { lesson: 0, step: 0 };
    for (const key of Object.keys(config)) if (key.endsWith("_hide") && config[key] === true) patch[key] = false;
    await ctx.update(patch);
    applyHiding(ctx.getConfig());
    redraw();
    if (finished) menu.toggle(true);
  }

  on("snapshot", () => {
    redraw();
    const c = current();
    if (c && needsStats(c)) facts.refreshStats().then(recheck);
  });
  on("frame", () => recheck());
  on("attack-changed", (d) => {
    facts.events.add(`${d.source}:${d.what}`);
    const c = current();
    if (c && d.source === "checksum" && needsStats(c)) facts.refreshStats().then(recheck);
    recheck();
  });
  on("defense-changed", (d) => {
    if (d.type) facts.events.add(`defense:${d.type}`);
    recheck();
  });
  const games = document.getElementById("games-panel");
  if (games) new MutationObserver(() => { facts.gamesChanged(); recheck(); })
    .observe(games, { attributes: true, attributeFilter: ["data-rounds", "data-game"] });
  const players = document.getElementById("games-player-progress");  // the automated players' runs
  if (players) new MutationObserver(() => { facts.playersChanged(); recheck(); })
    .observe(players, { attributes: true, attributeFilter: ["data-state"] });
  if (LESSONS.length) redraw();
}
