// @ts-check
// Files: model and data export downloads, imports that leave the playground untouched when the file is bad, and
// FileLinks (<a download> links for generated files, the defense and calculator panels).

import { el } from "./dom.js";
import { messageOf } from "./format.js";
import { API } from "../app/api-table.js";

/**
 * @typedef {import("../app/replies.js").ApiMethod} ApiMethod
 * @typedef {import("../app/replies.js").Snapshot} Snapshot
 */
/**
 * @template {ApiMethod} M
 * @typedef {import("../app/replies.js").Reply<M>} Reply
 */

/** Save `text` as a file called `name`. @param {string} text @param {string} name @param {string} type */
export function download(text, name, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** @param {HTMLInputElement} input @returns {Promise<string | null>} */
async function readChosenFile(input) {
  const file = input.files && input.files[0];
  input.value = ""; // choosing the same file again must fire `change` again
  if (!file) return null;
  if (file.size > MAX_FILE_BYTES) throw new Error(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is 5 MB`);
  return await file.text();
}

/**
 * @param {{call: <M extends ApiMethod>(m: M, a?: object) => Promise<Reply<M>>, applySnapshot: (s: Snapshot) => void,
 *          reportError: (e: unknown) => void, pause: () => void, idle: () => Promise<void>}} ctx
 */
export function bindFiles(ctx) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
  $("model-export").addEventListener("click", async () => {
    try {
      await ctx.idle();
      const doc = await ctx.call(API.export_model);
      download(JSON.stringify(doc, null, 1), "backdoor-playground-model.json");
    } catch (err) {
      ctx.reportError(err);
    }
  });
  $("csv-download").addEventListener("click", async () => {
    try {
      await ctx.idle();
      download(await ctx.call(API.export_csv), "backdoor-playground-data.csv", "text/csv");
    } catch (err) {
      ctx.reportError(err);
    }
  });
  /** @type {[string, typeof API.import_model | typeof API.import_csv, string][]} */
  const imports = [["model-import", API.import_model, "model file"], ["csv-upload", API.import_csv, "CSV file"]];
  for (const [id, method, what] of imports) {
    $(id).addEventListener("change", async () => {
      try {
        const text = await readChosenFile($(id));
        if (text == null) return;
        ctx.pause();
        await ctx.idle();
        ctx.applySnapshot(await ctx.call(method, { text }));
      } catch (err) {
        ctx.reportError(new Error(`The ${what} was not loaded (nothing changed): ${messageOf(err)}`));
      }
    });
  }
}

/** An <a download> for `text` (its blob URL is revoked by `revoke()` or when it is replaced). */
export class FileLinks {
  constructor() {
    /** @type {string[]} */ this.urls = [];
  }

  revoke() {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
  }

  /** @param {string} name @param {string} text @param {string} [type] */
  link(name, text, type = "text/csv") {
    const url = URL.createObjectURL(new Blob([text], { type }));
    this.urls.push(url);
    return el("a.calc-file-link", { href: url, download: name, title: `Save ${name} again` }, name);
  }
}
