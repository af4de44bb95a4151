// @ts-check
// The page's ONE set of number formats: the dash for a missing value, fixed decimals, percentages, small rates,
// scientific notation with superscripts, counts and durations; and the ONE way to turn an error into a message.

/** What a missing (null, undefined, NaN, infinite) value shows as, everywhere in the panels. */
export const DASH = "—";

const SUPERSCRIPT = /** @type {Record<string, string>} */ ({
  "-": "⁻", ".": "·", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹",
});

/** Whether `v` is a number worth showing (not null, undefined, NaN or infinite). @param {number | null | undefined} v @returns {v is number} */
export const finite = (v) => v != null && Number.isFinite(v);

/** A number with `digits` decimals; `missing` (the dash) when missing or not finite. @param {number | null | undefined} v */
export function fixed(v, digits = 3, missing = DASH) {
  return finite(v) ? v.toFixed(digits) : missing;
}

/** "6.3 × 10⁻⁸" (two significant digits), "0" for zero, the dash when missing. @param {number | null | undefined} v */
export function sci(v, digits = 2) {
  if (!finite(v)) return DASH;
  if (v === 0) return "0";
  const [mant, exp] = v.toExponential(digits - 1).split("e");
  const e = Number(exp);
  if (e >= -2 && e <= 3) return Number(v.toPrecision(digits)).toLocaleString("en-US", { maximumSignificantDigits: digits });
  return `${mant} × ${power(10, e)}`;
}

/** `text` in superscript digits ("-44" -> "⁻⁴⁴"). @param {string | number} text */
const superscript = (text) => String(text).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);

/** A power with a superscript exponent: power(2, 44) -> "2⁴⁴", power(10, -9) -> "10⁻⁹". @param {number | string} base @param {number | string} exp */
export const power = (base, exp) => `${base}${superscript(exp)}`;

/**
 * Numbers in a text from Python, in the page's style: "10^23" / "2^-44" / "2^(c-44)" become powers with superscripts
 * ("10²³", "2⁻⁴⁴"), and e-notation ("7.5e-09", "6e-14") becomes "7.5 × 10⁻⁹". For prose only (not hex strings).
 * @param {string | null | undefined} text
 */
export function mathText(text) {
  return String(text ?? "")
    .replace(/\b(\d+)\^\(?(-?\d+(?:\.\d+)?)\)?/g, (_, base, exp) => power(base, exp))
    .replace(/(?<![\w.])(\d+(?:\.\d+)?)e([+-]?\d+)\b/g, (_, mant, exp) =>
      sci(Number(`${mant}e${exp}`), Math.max(1, mant.replace(/^0+|\./g, "").length)));
}

/** "a" or "an" before `word` as it is read: an Ed25519, an RSA key, an 8-bit n, an 18-bit n; a Lamport key. @param {string | number} word */
export function article(word) {
  const w = String(word);
  const vowel = /^[aeiou]/i.test(w) && !/^(uni|use|one)/i.test(w);
  const letters = /^[FHLMNRSX][A-Z0-9]/.test(w);  // an acronym read letter by letter: an RSA, an HMAC, an FDH
  const number = /^(8|11|18)(\d{3})*(?!\d)/.test(w) || /^8/.test(w);
  return vowel || letters || number ? "an" : "a";
}

/**
 * A fraction as a percentage, the page's one percent style (no space): 0.9968 -> "99.7%". `digits` "auto" gives two
 * decimals below 1 % and one above (percentDigits); `missing` replaces the dash.
 * @param {number | null | undefined} v @param {number | "auto"} [digits] @param {string} [missing]
 */
export function percent(v, digits = 1, missing = DASH) {
  if (!finite(v)) return missing;
  return `${(100 * v).toFixed(digits === "auto" ? percentDigits(v) : digits)}%`;
}

/** A small rate as a percentage with two significant digits: 0.0015 -> "0.15%", 1.5e-5 -> "0.0015%". @param {number | null | undefined} v */
export function rate(v) {
  if (!finite(v)) return DASH;
  return v === 0 ? "0%" : `${Number((100 * v).toPrecision(2))}%`;
}

/** A length in data units: three significant digits between 0.01 and 1000, else sci: 0.707, 2.4 × 10⁻⁶. @param {number | null | undefined} v */
export function length(v) {
  if (!finite(v)) return DASH;
  return Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? String(Number(v.toPrecision(3))) : sci(v, 2);
}

/** An integer with thousands separators. @param {number | null | undefined} v */
export function count(v) {
  return !finite(v) ? DASH : Math.round(v).toLocaleString("en-US");
}

/** A duration: "0.4 ms", "1.3 s", "3 min", "2.1 h", "5 days" and beyond. @param {number | null | undefined} s */
export function duration(s) {
  if (!finite(s)) return "forever";
  if (s < 1e-3) return `${sci(s * 1e6, 2)} µs`;
  if (s < 1) return `${Number((s * 1e3).toPrecision(2))} ms`;
  if (s < 120) return `${Number(s.toPrecision(2))} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Number((s / 3600).toPrecision(2))} h`;
  if (s < 3.15e9) return `${count(s / 86400)} days`;
  return `${sci(s / 3.15e7, 2)} years`;
}

/** The epoch counter as TF Playground shows it: 000,000. @param {number} n */
export function formatEpoch(n) {
  return String(n).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Decimals for a percentage: two below 1 % (but not at 0), else one. @param {number} v */
export const percentDigits = (v) => (v !== 0 && Math.abs(v) < 0.01 ? 2 : 1);

/** The message of an error or rejection value (an Error's message, else the value as text). @param {unknown} err */
export function messageOf(err) {
  const message = /** @type {{message?: unknown} | null | undefined} */ (err)?.message;
  return String(message ? message : err);
}

/** The message without Python's exception name ("ValueError: "). @param {unknown} err */
export function cleanMessage(err) {
  return messageOf(err).replace(/^(\w+Error): /, "");
}
