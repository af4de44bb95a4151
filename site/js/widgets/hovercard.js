// @ts-check
// The small card that names a link's weight or a node's bias ("Weight is 0.23") and lets the
// user type a new value: click the value (or the link) to edit, Enter commits, Escape cancels.
// It lingers briefly after the pointer leaves the link so the pointer can travel onto it.

/** @typedef {{kind: string, l: number, i: number, j: number}} CardTarget */

const LINGER_MS = 300;

/**
 * Short, readable value: two decimals, or two significant digits for tiny non-zero values.
 * @param {number | undefined} v
 */
export function formatParameter(v) {
  if (v === undefined || !Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 0.005) return v.toPrecision(2);
  return v.toFixed(2);
}

/**
 * @param {HTMLElement} host positioned element the card lives in
 * @param {{read: (t: CardTarget) => number | undefined, commit: (t: CardTarget, v: number) => void}} io
 */
export function createHoverCard(host, io) {
  const card = document.createElement("div");
  card.className = "hovercard";
  card.hidden = true;
  card.setAttribute("role", "tooltip");
  const text = document.createElement("span");
  text.className = "hovercard-text";
  const value = document.createElement("button");
  value.type = "button";
  value.className = "hovercard-value";
  value.title = "Click to edit";
  const input = document.createElement("input");
  input.type = "number";
  input.step = "any";
  input.className = "hovercard-input";
  input.hidden = true;
  card.append(text, value, input);
  host.append(card);

  /** @type {CardTarget | null} */ let target = null;
  let editing = false;
  let hideTimer = 0;

  const cancelHide = () => {
    window.clearTimeout(hideTimer);
    hideTimer = 0;
  };

  const refresh = () => {
    if (!target || editing) return;
    value.textContent = formatParameter(io.read(target));
  };

  const hide = () => {
    cancelHide();
    editing = false;
    target = null;
    card.hidden = true;
    input.hidden = true;
    value.hidden = false;
  };

  const startEditing = () => {
    if (!target) return;
    editing = true;
    const current = io.read(target);
    input.value = current === undefined ? "" : String(Number(current.toPrecision(6)));
    value.hidden = true;
    input.hidden = false;
    input.focus();
    input.select();
  };

  const stopEditing = () => {
    editing = false;
    input.hidden = true;
    value.hidden = false;
    refresh();
  };

  value.addEventListener("click", startEditing);
  input.addEventListener("keydown", (event) => {
    // Keep keys typed here away from page-wide shortcuts (space = play, etc.).
    event.stopPropagation();
    if (event.key === "Enter") {
      const typed = Number(input.value);
      if (input.value.trim() !== "" && Number.isFinite(typed) && target) io.commit(target, typed);
      stopEditing();
    } else if (event.key === "Escape") {
      stopEditing();
    }
  });
  input.addEventListener("blur", () => {
    if (editing) stopEditing();
    if (!card.matches(":hover")) hideTimer = window.setTimeout(hide, LINGER_MS);
  });
  card.addEventListener("mouseenter", cancelHide);
  card.addEventListener("mouseleave", () => {
    if (!editing) hideTimer = window.setTimeout(hide, LINGER_MS);
  });

  return {
    /**
     * @param {CardTarget} next
     * @param {MouseEvent} event positions the card next to the pointer
     * @param {boolean} edit open straight in edit mode
     */
    show(next, event, edit) {
      if (editing && !edit) return;
      cancelHide();
      target = next;
      text.textContent = next.kind === "weight" ? "Weight is " : "Bias is ";
      editing = false;
      input.hidden = true;
      value.hidden = false;
      refresh();
      card.hidden = false;
      const box = host.getBoundingClientRect();
      const x = Math.min(event.clientX - box.left + 12, host.clientWidth - card.offsetWidth - 4);
      card.style.left = `${Math.max(0, x)}px`;
      card.style.top = `${event.clientY - box.top + 10}px`;
      if (edit) startEditing();
    },
    /** The pointer left the link: hide unless it reaches the card in time. */
    leaveSoon() {
      if (editing) return;
      cancelHide();
      hideTimer = window.setTimeout(hide, LINGER_MS);
    },
    hide,
    refresh,
  };
}
