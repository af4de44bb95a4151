// @ts-check
// Card B of the signature panel: a real signature backdoor (Goldwasser, Kim, Vaikuntanathan, Zamir). Install wraps
// the classifier in Verify(vk, ·) and a selector (api signature_install / signature_remove); the card shows the
// verification key, where the signature rides (the low bits of (x, y) or a certificate input), the perturbation
// bound and the agreement with the classifier on clean inputs. Activate signs (message, target) with the secret key
// for all test points or the picked ones (signature_activate) and reports flipped, |Δx| and the signing time.

import { API } from "../../app/api-table.js";
import { el } from "../../ui/dom.js";
import { targetPicker } from "../kd.js";
import { targetText } from "./diagram.js";
import { DASH, count, duration, mathText, messageOf, percent, rate, sci } from "../../ui/format.js";
import { statTile } from "../../ui/card.js";
import { figureTiles, figuresNote } from "../figures.js";
import { LIMITS, fieldRange, readLimited } from "../limits.js";

const BITS = LIMITS.signature.bits;

export const SCHEMES = /** @type {const} */ (["toy-rsa", "lamport", "rsa", "ed25519"]);
const SCHEME_TITLES = /** @type {Record<string, string>} */ ({
  "toy-rsa": `toy RSA-FDH (${BITS.low}–${BITS.high} bits)`, lamport: "Lamport one-time (SHA-256)", rsa: "RSA-2048 FDH", ed25519: "Ed25519",
});
const SCHEME_TEXT = /** @type {Record<string, string>} */ ({
  "toy-rsa": "Full-domain-hash RSA with a tiny modulus: the target bit and the signature fit in the low bits of the two coordinates. Forgeable on purpose (factor n).",
  lamport: "Hash-based one-time signature: each signature reveals half of the secret key, so signing several points with one key invites forgery: sign about 10 picked points, then try Forge › key reuse. Needs a certificate input (8 KiB σ).",
  rsa: "Full-domain-hash RSA with a 2048-bit modulus: 2048-bit signatures ride in a certificate input.",
  ed25519: "Edwards-curve signatures (RFC 8032): 512-bit signatures ride in a certificate input.",
});

/** Points of the output plot's grid the block's "grid" numbers count over (playground/grid.py: 100 x 100). */
export const GRID_POINTS = 100 * 100;

/** A K-class target in words. @param {string | number} t */
const classTarget = (t) => (t === "next" ? "the class after the classifier's (c → c + 1 mod K)" : `class ${t}`);

/** Agreement as a percentage like every other rate (two decimals below 1 %: a single disagreeing point shows). @param {number | null | undefined} v */
const agreementText = (v) => percent(v, v != null && v < 1 && v > 0.99 ? 2 : 1);

/**
 * @param {{call: import("../context.js").PanelContext["call"], setBusy: (busy: boolean) => void,
 *          testCount: () => number, picks: () => number[], clearPicks: () => void, showTestPoints: () => void,
 *          onView: (view: import("../replies.js").SignatureViewReply | null) => void,
 *          onActivation: (result: import("../replies.js").SignatureActivation | null) => void,
 *          onStats: (stats: import("../replies.js").SignatureStats) => void}} ctx
 *   onStats: the block's numbers on the live model (the panel labels the plot's accidental accepts from them)
 */
export function buildBlockCard(ctx) {
  const scheme = /** @type {HTMLSelectElement} */ (el("select.card-select#sg-scheme", { title: "The signature scheme of the verifier" },
    ...SCHEMES.map((s) => el("option", { value: s }, SCHEME_TITLES[s]))));
  const bits = /** @type {HTMLInputElement} */ (el("input.card-input#sg-bits", { type: "number", ...fieldRange(BITS), value: String(BITS.default), title: `Size of the toy RSA modulus n, ${BITS.low} to ${BITS.high} bits` }));
  const bitsField = el("label.card-field#sg-bits-field", null, "modulus", bits, el("span.card-unit", null, "bits"));
  const target = /** @type {HTMLSelectElement} */ (el("select.card-select#sg-target", { title: "The label the selector outputs where Verify accepts" },
    el("option", { value: "flip" }, "flip the class"), el("option", { value: "1" }, "blue (+1)"), el("option", { value: "-1" }, "orange (−1)")));
  const schemeText = el("p.card-desc#sg-scheme-desc", null, SCHEME_TEXT["toy-rsa"]);
  const targetField = el("label.card-field", null, "target", target);
  const kdTarget = targetPicker("sg-target-class");
  let kClasses = 2;
  let dims = 2;
  const install = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#sg-install", { type: "button" }, "Install"));
  const remove = /** @type {HTMLButtonElement} */ (el("button.text-button#sg-remove", { type: "button", disabled: true }, "Remove"));
  const error = el("p.sg-error#sg-block-error", { role: "alert", hidden: true });
  const blockedNote = el("p.card-note.card-warn-text#sg-install-blocked", { hidden: true, role: "status" }, "");
  const status = el("p.card-status#sg-state", { "aria-live": "polite" }, "No signature block installed: the output is the classifier's.");
  const info = el("div.sg-info#sg-info", { hidden: true });
  const allCount = el("span#sg-all-count", null, "");
  const pickedCount = el("span#sg-picked-count", null, "0");
  const pickedWhere = el("span", null, "picked on the plot");
  const pickHint = el("span", null, "Click the output plot to pick test points.");
  const radio = (/** @type {string} */ value, /** @type {boolean} */ checked, /** @type {(Node | string)[]} */ ...label) =>
    el("label.card-choice", null, el(`input#sg-points-${value}`, { type: "radio", name: "sg-points", value, checked }), ...label);
  const activate = /** @type {HTMLButtonElement} */ (el("button.text-button.card-primary#sg-activate", { type: "button", disabled: true }, "Activate"));
  const summary = el("dl.card-summary#sg-summary", { hidden: true });
  const signing = el("p.card-note#sg-signing", { hidden: true, "aria-live": "polite" });
  const activation = el("div.sg-activation#sg-activation-box", { hidden: true },
    el("h4.sg-subtitle", null, "Activate (the key holder signs)"),
    el("div.card-row", { role: "radiogroup", "aria-label": "Points to sign" },
      radio("all", true, el("span", null, "all ", allCount, " test points")),
      radio("picked", false, el("span", null, pickedWhere, " (", pickedCount, ")")),
      el("button.card-link#sg-clear-picks", { type: "button", onclick: () => ctx.clearPicks() }, "clear")),
    el("p.card-note", null, "Signs (point, target) with the secret key and writes σ into the carrier. ", pickHint),
    el("div.card-row", null, activate, signing),
    summary);
  const card = el("section.card.sg-card#sg-block-card", null,
    el("h3.card-title", null, el("span.card-step", null, "B"), "Signature block (Goldwasser et al.)"),
    el("p.card-desc", null, "The model becomes classifier ∥ Verify → select: where Verify(vk, message, σ) accepts, the output is the attacker's label; everywhere else the classifier's."),
    el("div.card-row", null, el("label.card-field.card-field-wide.sg-grow", null, "scheme", scheme), bitsField),
    schemeText,
    el("div.card-row", null, targetField, install, remove),
    kdTarget.row,
    blockedNote, error, status, info, activation);

  let installed = false;
  let busy = false;
  let blocked = "";  // why installing is not possible now (the checksum backdoor is planted), or ""
  /** @type {import("../replies.js").SignatureViewReply | null} */ let current = null;
  const buttons = () => {
    install.disabled = busy || Boolean(blocked);
    install.title = blocked;
    blockedNote.textContent = blocked;
    blockedNote.hidden = !blocked;
    install.textContent = installed ? "Reinstall" : "Install";
    remove.disabled = busy || !installed;
    activate.disabled = busy || !installed;
  };
  const fail = (/** @type {unknown} */ err) => { error.textContent = messageOf(err); error.hidden = false; };
  /** @returns {"flip" | "next" | number} K > 2: "next" or a class (panels/kd.js); K = 2: flip or a label */
  const targetValue = () => kdTarget.value() ?? (target.value === "flip" ? "flip" : Number(target.value));
  kdTarget.row.addEventListener("change", () => showStatus());
  target.addEventListener("change", () => showStatus());
  scheme.addEventListener("change", () => {
    bitsField.hidden = scheme.value !== "toy-rsa";
    schemeText.textContent = schemeLine();
  });
  /** The scheme's one line; beyond the plane the carrier is every coordinate, not two. @param {string} [name] */
  function schemeLine(name = scheme.value) {
    return kClasses > 2 || dims !== 2 ? SCHEME_TEXT[name].replace("the two coordinates", `the ${dims} coordinates`)
      .replace("the target bit", kClasses > 2 ? "the target class" : "the target bit") : SCHEME_TEXT[name];
  }
  for (const input of card.querySelectorAll('input[name="sg-points"]')) {
    input.addEventListener("change", () => { if (pointsValue() === "picked") ctx.showTestPoints(); });
  }
  const pointsValue = () => /** @type {HTMLInputElement} */ (card.querySelector('input[name="sg-points"]:checked')).value;

  /** Run a call with the panel busy and errors in the card. @param {() => Promise<void>} fn */
  async function guarded(fn) {
    error.hidden = true;
    ctx.setBusy(true);
    try {
      await fn();
    } catch (err) {
      fail(err);
    } finally {
      ctx.setBusy(false);
    }
  }

  install.addEventListener("click", () => guarded(async () => {
    const toy = scheme.value === "toy-rsa";
    const args = { scheme: scheme.value, bits: toy ? readLimited(bits, "bits", BITS) : null, target: targetValue() };
    /** @type {{view: import("../replies.js").SignatureViewReply, stats: import("../replies.js").SignatureStats}} */
    const r = await ctx.call(API.signature_install, args);
    summary.hidden = true;
    showView(r.view);
    showStats(r.stats);
    ctx.onActivation(null);
  }));
  remove.addEventListener("click", () => guarded(async () => {
    await ctx.call(API.signature_remove);
    showView(null);
    ctx.onActivation(null);
  }));
  activate.addEventListener("click", () => guarded(async () => {
    const points = pointsValue() === "all" ? "all" : ctx.picks();
    if (points !== "all" && !points.length) throw new Error("No points picked: click test points on the output plot first, or choose all test points.");
    const n = points === "all" ? ctx.testCount() : points.length;
    signing.textContent = `Signing ${n} point${n === 1 ? "" : "s"} with the secret key…`;
    signing.hidden = false;
    /** @type {import("../replies.js").SignatureActivation} */
    const r = await ctx.call(API.signature_activate, { points, target: targetValue() }).finally(() => { signing.hidden = true; });
    await showActivation(r);
  }));

  /** An activation's reply, from Activate or from a script (embed/api.js): its tiles, rings and the block's stats.
   * @param {import("../replies.js").SignatureActivation} r */
  async function showActivation(r) {
    showSummary(r.summary);
    ctx.onActivation(r);
    showStats(await ctx.call(API.signature_stats));
  }

  /** @param {import("../replies.js").SignatureViewReply | null} view signature_view() with installed true, or null */
  function showView(view) {
    installed = Boolean(view?.installed);
    card.dataset.installed = installed ? "1" : "0";
    buttons();
    activation.hidden = !installed;
    info.hidden = !installed;
    ctx.onView(installed ? view : null);
    if (!installed || !view) {
      current = null;
      status.textContent = "No signature block installed: the output is the classifier's.";
      summary.hidden = true;
      return;
    }
    scheme.value = view.scheme;
    bitsField.hidden = view.scheme !== "toy-rsa";
    if (view.scheme === "toy-rsa") bits.value = String(view.bits);
    schemeText.textContent = schemeLine(view.scheme);
    const vk = view.vk ?? {};
    current = view;
    showStatus();
    const row = (/** @type {string} */ label, /** @type {Node | string} */ value, /** @type {string} */ id) =>
      el("tr", null, el("th", null, label), el(`td#${id}`, null, value));
    const carrier = view.carrier === "bits"
      ? `low ${view.carrier_bits_per_coordinate} bits of each of ${view.d ? `the ${view.d} coordinates` : "x, y"} (fixed point, step 2⁻⁴⁴): target + ${view.signature_bits}-bit σ`
      : `certificate input (${count(view.signature_bits)}-bit σ); the point snaps to the 2⁻⁴⁴ lattice`;
    info.replaceChildren(
      el("table.card-stats-table.sg-kv", null, el("tbody", null,
        row("verification key", view.scheme === "toy-rsa" ? `n = ${vk.n}, e = ${vk.e}` : el("span.mono", { title: vk.vk_hex ?? vk.n_hex ?? "" }, vk.vk_short ?? DASH), "sg-vk"),
        row("vk fingerprint", el("span.mono", null, vk.vk_fingerprint ?? DASH), "sg-vk-fp"),
        row("carrier", carrier, "sg-carrier"),
        row("perturbation bound", el("span", { dataset: { value: String(view.perturbation_bound) } }, `|Δx| < ${sci(view.perturbation_bound, 2)}`), "sg-bound"))),
      el("p.card-note#sg-description", null, mathText(view.description)),
      el("div#sg-stats"));
    info.dataset.carrier = view.carrier;
  }

  /** The installed block in one line; the target is the select's (Activate signs it, whatever Install said). */
  function showStatus() {
    if (!current) return;
    status.replaceChildren(el("strong", null, "Installed: "), `${current.label}${current.scheme === "toy-rsa" ? `, ${current.bits}-bit modulus` : ""}. `,
      `Where Verify accepts, the output is the signed target; Activate signs ${kClasses > 2 ? classTarget(targetValue()) : targetText(targetValue())}.`);
  }

  /** @param {import("../replies.js").SignatureStats} s */
  function showStats(s) {
    const host = info.querySelector("#sg-stats");
    if (!host || !s) return;
    ctx.onStats(s);
    /** @template {number | null} V @param {string} id @param {V} v @param {(v: V) => string} f */
    const cell = (id, v, f) =>
      el("td.num", null, el(`strong#${id}`, { dataset: { value: String(v ?? "") } }, f(v)));
    const rows = [el("tr", null, el("th"), el("th.num", null, "test set"), el("th.num", null, "grid"))];
    rows.push(el("tr", { title: "Share of untouched test points (and of the 100 × 100 grid) where select gives the classifier's class: exactly 1 unless someone forges a signature" },
      el("th", null, "Agreement on clean inputs"), cell("sg-agreement", s.agreement, agreementText), cell("sg-agreement-grid", s.agreement_grid, agreementText)));
    rows.push(el("tr", { title: "Unsigned inputs that Verify accepted anyway" },
      el("th", null, "Accidental accepts"), cell("sg-accidental", s.accidental_accepts, count), cell("sg-accidental-grid", s.accidental_accepts_grid, (v) =>
        (v === 0 ? "none" : `${count(v)} (${rate(v / GRID_POINTS)})`))));
    rows.push(el("tr", null, el("th", null, "Test accuracy, classifier"), cell("sg-acc-clean", s.clean_test_accuracy, percent), el("td")));
    rows.push(el("tr", null, el("th", null, `Test accuracy, with ${count(s.activated)} signed`), cell("sg-acc-bd", s.backdoored_test_accuracy, percent), el("td")));
    host.replaceChildren(el("table.card-stats-table", null, el("tbody", null, ...rows)));
  }

  /** @param {import("../replies.js").SignatureSummary} s */
  function showSummary(s) {
    summary.replaceChildren(
      statTile("sg-attempted", "signed", count(s.attempted), s.attempted),
      statTile("sg-flipped", "flipped", count(s.flipped), s.flipped),
      statTile("sg-accepted", "Verify accepted", count(s.accepted), s.accepted),
      ...figureTiles(s, { median_abs_delta: "sg-median-delta", max_abs_delta: "sg-max-delta", activation_seconds_per_point: "sg-time-per-point" }),
      el("p.card-note.card-summary-note", null, `${s.carrier === "certificate" ? "σ in the certificate input" : "σ in the low bits"}; ` +
        `every move is below the bound ${sci(s.perturbation_bound, 2)}. Test accuracy after: ${percent(s.test_accuracy_after)}. ` +
        `${s.attempted} signature${s.attempted === 1 ? "" : "s"} in ${duration(s.seconds)}. ${figuresNote(s.attempted)} Signed points are ringed on the plot.`));
    summary.hidden = false;
  }

  return {
    element: card,
    showView,
    showStats,
    showActivation,
    hideSummary: () => { summary.hidden = true; },
    installed: () => installed,
    setCounts(/** @type {number} */ nTest, /** @type {number} */ nPicked) {
      allCount.textContent = String(nTest);
      pickedCount.textContent = String(nPicked);
    },
    /** Follow the data: K > 2 chooses "next" or a class instead of flip / a label. @param {import("../replies.js").PageData | null | undefined} data */
    setData(data) {
      kdTarget.setData(data);
      kClasses = data?.k ?? 2;
      dims = data?.d ?? 2;
      targetField.hidden = kClasses > 2;
      const images = (data?.d ?? 2) > 3;
      pickedWhere.textContent = images ? "picked in the image grid" : "picked on the plot";
      pickHint.textContent = images ? "Click images in the grid under the output to pick them."
        : (data?.d ?? 2) === 3 ? "Click test points near the slice on the output plot to pick them." : "Click the output plot to pick test points.";
      schemeText.textContent = schemeLine();
      showStatus();
    },
    choosePicked() { /** @type {HTMLInputElement} */ (card.querySelector("#sg-points-picked")).checked = true; },
    setBusy(/** @type {boolean} */ value) { busy = value; buttons(); },
    /** The checksum backdoor is planted (one at a time): Install is disabled with `reason` shown; "" enables it. */
    setBlocked(/** @type {string} */ reason) { blocked = reason; buttons(); },
  };
}
