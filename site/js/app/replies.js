// @ts-check
// The worker protocol's data, as types (type-only module): the method names (the generated api-table.js, from
// worker/api.py METHODS), what the page sends and what Python answers (docs/ARCHITECTURE.md). Python owns the
// truth; these say what the page relies on.

/**
 * A worker method name: a key of the generated API table (worker/api.py METHODS).
 * @typedef {keyof typeof import("./api-table.js").API} ApiMethod
 */

/**
 * One URL-state value, as Python validated it (state table kinds: bool, int, number, choice, string, int_list,
 * choice_list).
 * @typedef {string | number | boolean | number[] | string[]} ConfigValue
 */

/**
 * The playground's settings (every key of the state table; the ones the page reads by name are listed).
 * @typedef {{
 *   networkShape: number[], activations: string[], problem: string, dataset: string, regDataset: string,
 *   showTestData: boolean, discretize: boolean, hideText?: boolean, trojan: number,
 *   csum_key: number, csum_modulo: number, csum_precision: number, csum_variant: string, csum_layers: string,
 * } & Record<string, ConfigValue>} Config
 */

/**
 * Where one neuron's (or feature's) picture lies in a frame's packed `grids` buffer.
 * @typedef {{id: string, offset: number, w: number, h: number}} GridLayout
 */

/**
 * Everything that changes while training (Session.frame; `train` adds epochs_run, train_ms, frame_ms).
 * Metrics are null when the split is empty (accuracies also for regression).
 * @typedef {{
 *   epoch: number, loss_train: number | null, loss_test: number | null, acc_train: number | null,
 *   acc_test: number | null, diverged: boolean, grids: Uint8Array, layout: GridLayout[], output_id: string,
 *   hover: string | null, weights: number[][][], biases: number[][],
 *   epochs_run?: number, train_ms?: number, frame_ms?: number,
 *   d?: number, k?: number, z?: number, class_grid?: Uint8Array, confidence_grid?: Uint8Array,
 *   test_pred?: Uint8Array, confusion_train?: number[][], confusion_test?: number[][],
 * }} Frame
 */

/**
 * The network's shape and parameters (Session.model_view: MLP.to_dict plus the enabled features). A model with
 * checksum operators also carries their parameters under `csum`.
 * @typedef {{
 *   features: string[], layer_sizes: number[], activation_names: string[], weights: number[][][],
 *   biases: number[][], dead: boolean[][][], csum?: Record<string, unknown>,
 * }} Model
 */

/**
 * Train and test points, flat [x, y, label, x, y, label, ...]; `source` says where they came from.
 * Beyond the plane (d != 2 or K > 2) rows are [coordinates (d)..., label] and `d`, `k` say so.
 * @typedef {{train: number[], test: number[], source: string, d?: number, k?: number}} Data
 */

/**
 * A reply that carries the whole state (init, reset, rebuilds, imports, plant, replay...). Some methods add their
 * own part (`backdoor`: the checksum stats after a plant; `result`: a replayed experiment), read by the panels.
 * @typedef {{
 *   config: Config, hash: string, notices: string[], data: Data, model: Model, frame: Frame,
 *   backdoor?: import("../panels/replies.js").BackdoorStats, result?: import("../panels/replies.js").ReplayResult,
 * }} Snapshot
 */

/**
 * The reply to `update`: "none" / "live" (applied in place), "backdoor" (new checksum numbers on the planted
 * model: a new frame and the stats), or "model" / "data" (rebuilt: a whole snapshot).
 * @typedef {({kind: "none" | "live", config: Config, hash: string, notices: string[]})
 *   | ({kind: "backdoor", config: Config, hash: string, notices: string[], frame: Frame, backdoor: unknown})
 *   | ({kind: "model" | "data"} & Snapshot)} UpdateReply
 */

/**
 * One data set of the picker: a few points to draw its thumbnail.
 * The sets beyond the plane carry their d and K (3-D points projected; the digits a few `images` of 64 pixels).
 * @typedef {{name: string, problem: string, label: string, points: number[], d?: number, k?: number,
 *   images?: number[]}} DatasetThumb
 */

/**
 * What the worker says about itself once ready (api.info, plus how long each boot stage took).
 * @typedef {{package: string, numpy: string, python: string, platform: string,
 *   boot_timings_ms?: Record<string, number>}} WorkerInfo
 */

/**
 * The reply of the methods the page itself calls (the panels' methods answer their own shapes).
 * @typedef {{
 *   info: WorkerInfo, init: Snapshot, replay: Snapshot, reset: Snapshot, import_model: Snapshot,
 *   import_csv: Snapshot, update: UpdateReply, train: Frame, frame: Frame, set_weight: Frame, set_bias: Frame,
 *   dataset_thumbnails: DatasetThumb[], export_model: ModelDocument, export_csv: string,
 * }} KnownReplies
 */

/**
 * The reply of method M: its KnownReplies entry, else `unknown`: the panels' methods (plant, defend, ...) answer
 * shapes that only their panel reads and types.
 * @template {ApiMethod} M
 * @typedef {M extends keyof KnownReplies ? KnownReplies[M] : unknown} Reply
 */

/**
 * A model file (export_model's reply; the worker restarts from one after a crash).
 * @typedef {{format: "backdoor-playground-model", version: number, config: Config, model: Partial<Model>}} ModelDocument
 */

/**
 * Boot progress, sent by the worker while Python loads.
 * @typedef {{stage: string, progress: number, text: string}} BootStatus
 */

/**
 * Why Python stopped (the worker's "fatal" message, a crash, a boot timeout).
 * @typedef {{message: string, type?: string, traceback?: string}} ErrorInfo
 */

/**
 * Every message the worker posts to the page.
 * @typedef {({type: "status"} & BootStatus)
 *   | {type: "ready", info: WorkerInfo}
 *   | {type: "fatal", error: ErrorInfo}
 *   | {type: "reply", id: number, ok: true, value: unknown}
 *   | {type: "reply", id: number, ok: false, error: ErrorInfo}
 *   | {type: "log", level: string, text: string}} WorkerMessage
 */

/**
 * The page's one message to the worker: call backdoor_playground.worker.api.<method>(**args).
 * @typedef {{type: "call", id: number, method: ApiMethod, args?: object}} CallMessage
 */

/**
 * The read-only handle on `window.__bp` (app/main.js) for users' scripts, the benchmark and the tests: what the page
 * last received from Python. They call any method by name, so its `call` takes any string (the worker refuses
 * unknown ones).
 * @typedef {{call: (method: string, args?: object) => Promise<unknown>, config: () => Config,
 *   info: () => WorkerInfo | undefined, model: () => Model | null, drawMs: () => number[], data: () => Data | null,
 *   frame: () => Frame | null, worker: () => Worker}} PageHandle
 */

export {};
