// @ts-check
// Boot progress, the fatal-error box, and the notices list (URL fallbacks, import errors, divergence).

const $ = (/** @type {string} */ id) => document.getElementById(id);

/** @param {{stage: string, progress: number, text: string}} s */
export function showStatus(s) {
  const box = $("status");
  const bar = $("status-bar");
  const text = $("status-text");
  if (bar) bar.style.width = `${Math.round(100 * s.progress)}%`;
  if (text) text.textContent = s.stage === "ready" ? "Python ready" : `Loading ${s.text}`;
  if (box) box.classList.toggle("done", s.stage === "ready");
}

/** A fatal error: the page says what happened and offers a reload. @param {{message: string, traceback?: string}} e */
export function showFatal(e) {
  document.body.dataset.error = e.message;
  const box = $("status");
  if (!box) return;
  box.classList.add("fatal");
  box.classList.remove("done");
  const text = $("status-text");
  if (text) text.textContent = `Python stopped: ${e.message}`;
  let reload = /** @type {HTMLButtonElement | null} */ ($("reload-button"));
  if (!reload) {
    reload = document.createElement("button");
    reload.id = "reload-button";
    reload.textContent = "Reload";
    box.append(reload);
  }
  reload.hidden = false;
  reload.onclick = () => location.reload();
  if (e.traceback) console.warn(e.traceback);
}

/** Add one message to the notices list. @param {string} message @param {"info" | "warn" | "error"} level */
export function notify(message, level = "warn") {
  const list = $("notices");
  if (!list) return;
  for (const li of list.querySelectorAll("li")) {
    if (li.dataset.message === message) return; // already shown
  }
  const li = document.createElement("li");
  li.className = `notice ${level}`;
  li.dataset.message = message;
  const text = document.createElement("span");
  text.textContent = message;
  const close = document.createElement("button");
  close.className = "notice-close";
  close.textContent = "×";
  close.title = "Dismiss";
  close.onclick = () => li.remove();
  li.append(text, close);
  list.append(li);
  if (level === "info") setTimeout(() => li.remove(), 6000);
}

/** @param {string[]} notices */
export function showNotices(notices) {
  for (const n of notices || []) notify(n, "warn");
}
