// @ts-check
// The one table of the scripting API's methods (docs/EMBED.md): what an embedding page may ask over postMessage.
// The page (embed/api.js) checks every request's arguments against it and runs the method; the demo
// (dev/embed-demo.js) builds its buttons from it; tests/e2e/test_ui_embed.py holds docs/EMBED.md to it.
// Bounds come from Python (the state table and the limits tables): the page writes no limit of its own.

/**
 * One argument: its JSON type, whether it must be given, the choices it takes (strings), and what it means.
 * "points" is "all" or a list of test-point indices; "object" a plain object that Python checks key by key.
 * @typedef {{type: "integer" | "number" | "string" | "boolean" | "object" | "points", required?: boolean,
 *   choices?: string[], doc: string}} ArgSpec
 * @typedef {{summary: string, args: Record<string, ArgSpec>, result: string, example?: Record<string, unknown>}} MethodSpec
 */

/** @type {Readonly<Record<string, MethodSpec>>} */
export const METHODS = Object.freeze({
  info: {
    summary: "What this page is: the API's methods, the part shown, the origins it answers.",
    args: {},
    result: "{methods, embed, origins, version}",
  },
  get_state: {
    summary: "The playground's settings.",
    args: {},
    result: "{hash, config}: the link's hash (without '#') and every state key's value",
  },
  set_state: {
    summary: "Change settings: a whole link hash, or a patch of state keys (not both). The embed keys stay as the iframe's src set them.",
    args: {
      hash: { type: "string", doc: "a link's hash, as the page writes it (\"dataset=xor&networkShape=4\"); keys it omits take their defaults" },
      patch: { type: "object", doc: "state keys and their new values ({\"learningRate\": 0.1}); the others keep theirs" },
    },
    result: "{hash, config, notices}; an error when a key is unknown or a value was refused (the page then uses the fallback the notice names)",
    example: { patch: { dataset: "xor", networkShape: [4] } },
  },
  train: {
    summary: "Pause, then train this many epochs; the plot and the panels follow. Resolves when done.",
    args: { epochs: { type: "integer", required: true, doc: "epochs to train: 1 up to the state table's `epochs` limit" } },
    result: "metrics (as `metrics`)",
    example: { epochs: 50 },
  },
  reset: {
    summary: "Back to epoch 0 (the Reset button); `reinit` draws new initial weights (Reinitialise).",
    args: { reinit: { type: "boolean", doc: "new initial weights (initSeed + 1); default false" } },
    result: "metrics",
  },
  plant: {
    summary: "Plant a backdoor in the trained network: the checksum in the operator, or the signature block.",
    args: {
      backdoor: { type: "string", required: true, choices: ["checksum", "signature"], doc: "which backdoor" },
      settings: { type: "object", doc: "checksum: {variant, key, modulo, precision, secret, layers, target} (missing ones from the csum_* state keys); signature: {scheme: toy-rsa | lamport | rsa | ed25519, bits, target}" },
    },
    result: "{backdoor, stats}: the backdoor panel's numbers for the planted model",
    example: { backdoor: "checksum", settings: { key: 150 } },
  },
  remove: {
    summary: "Remove the planted backdoor (either kind).",
    args: {},
    result: "{removed: \"checksum\" | \"signature\" | null}",
  },
  activate: {
    summary: "Trigger the planted backdoor on test points: the checksum's digit edit (or search), or signing the points.",
    args: {
      points: { type: "points", doc: "\"all\" (default) or a list of test-point indices" },
      method: { type: "string", choices: ["digit-edit", "search"], doc: "checksum only: how to find the trigger; default digit-edit" },
      params: { type: "object", doc: "checksum only: digit-edit {window}, search {k, radius, max_trials}" },
      target: { type: "string", doc: "signature only: the target (\"flip\", \"next\", or a class as text); default the installed one" },
    },
    result: "{backdoor, summary}: attempted, flipped, flip_rate, |dx| figures, test_accuracy_after...",
    example: { points: "all" },
  },
  defend: {
    summary: "Run a defense on the attacked test set (the defense panel's worker call) and say what it did.",
    args: { params: { type: "object", required: true, doc: "{type: proximity | smoothing | quantisation | fine-tuning | fine-pruning | spectral | clustering | cleanse, ...its settings}" } },
    result: "{type, params, metrics, ...}: the defense's outcome, with the metrics before it",
    example: { params: { type: "proximity" } },
  },
  metrics: {
    summary: "Read the metrics: loss and accuracy, and under a backdoor its agreement and attack success.",
    args: {},
    result: "{epoch, loss_train, loss_test, acc_train, acc_test, backdoor: {clean_accuracy, backdoored_accuracy, agreement, attack_success_rate, ...} | null}",
  },
});

/** The method names, in the table's order. */
export const METHOD_NAMES = Object.freeze(Object.keys(METHODS));
