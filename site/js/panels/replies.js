// @ts-check
// The worker replies the panels read, as types (the fields the page uses; Python may send more). Type-only module:
// the names follow py/backdoor_playground/worker/*.py and the packages behind them.

// ------------------------------------------------------------------------------------------------ playground

/**
 * The playground's types are app/replies.js's (one definition): the panels read these names.
 * @typedef {import("../app/replies.js").Config} Config
 * @typedef {import("../app/replies.js").Model} ModelInfo
 * @typedef {import("../app/replies.js").Data} PageData
 * @typedef {import("../app/replies.js").Snapshot} Snapshot
 * What a replayed experiment adds to its snapshot for the panels.
 * @typedef {{defense?: DefendReply, metrics?: DefenseMetrics}} ReplayResult
 */

// ------------------------------------------------------------------------------------------------ checksum

/**
 * backdoor_stats(): what planting did (rates in [0, 1]; the planted-only fields are absent when not planted).
 * @typedef {{planted: boolean, layers: number[], has_clean: boolean,
 *            params: {variant: string, key: number, modulo: number, precision: number},
 *            agreement?: number | null, agreement_grid?: number | null, trigger_rate?: number | null,
 *            trigger_rate_grid?: number | null, node_trigger_rate?: number | null,
 *            clean_test_accuracy?: number | null, test_accuracy?: number | null}} BackdoorStats
 * One test point's activation: before (x0, y0, out0), after (x1, y1, out1), the node(s) and residues.
 * @typedef {{index: number, x0: number, y0: number, x1: number, y1: number, out0: number | null,
 *            out1: number | null, delta: number, flipped: boolean, matched: boolean, reason?: string,
 *            node?: number | null, nodes?: number[], csum0?: number | number[] | null,
 *            csum1?: number | number[] | null, trials?: number | null, p0?: number[] | null,
 *            p1?: number[] | null}} ActivationRecord
 * @typedef {{method: string, variant: string, key: number, modulo: number, precision: number, k?: number,
 *            attempted: number, matched: number, flipped: number, trials: number, seconds: number,
 *            cancelled?: boolean, median_abs_delta: number | null, max_abs_delta: number | null,
 *            activation_seconds_per_point: number | null, test_accuracy_after: number | null, notes?: string[],
 *            target?: string | number}} ActivationSummary
 * @typedef {{records: ActivationRecord[], summary: ActivationSummary}} ActivationResult
 * search_start / search_step / search_cancel: the running search.
 * @typedef {{done: number, total: number, trials: number, point_trials: number, expected_trials?: number | null,
 *            flipped: number, seconds: number, finished: boolean, cancelled: boolean,
 *            result: ActivationResult}} SearchProgress
 * The `update` reply when new checksum numbers apply to a planted model.
 * @typedef {{kind: string, config: Config, backdoor: BackdoorStats}} NumbersUpdate
 */

// ------------------------------------------------------------------------------------------------ signature

/**
 * csum_signature(): NN Calculator's "signature" (a checksum of X1).
 * @typedef {{key: number | null, flipped: number, flipped_indices: number[], residues: number[], histogram: number[],
 *            modulo: number, precision: number, skipped?: number, loss_test_before: number, loss_test_after: number,
 *            loss_train: number, test_accuracy_before: number, test_accuracy_after: number}} CsumSignature
 * signature_view() with a block installed (diagram.js's SignatureView plus what the cards show).
 * @typedef {import("./signature/diagram.js").SignatureView & {installed: boolean, activated?: boolean,
 *            perturbation_bound: number, description?: string,
 *            vk?: {n?: string | number, e?: string | number, vk_hex?: string, n_hex?: string, vk_short?: string,
 *                  vk_fingerprint?: string}}} SignatureViewReply
 * @typedef {{agreement: number | null, agreement_grid: number | null, accidental_accepts: number,
 *            accidental_accepts_grid: number, clean_test_accuracy: number | null,
 *            backdoored_test_accuracy: number | null, activated: number}} SignatureStats
 * @typedef {{attempted: number, flipped: number, accepted: number, median_abs_delta: number | null,
 *            max_abs_delta: number | null, activation_seconds_per_point: number | null, carrier: string,
 *            perturbation_bound: number, test_accuracy_after: number | null, seconds: number}} SignatureSummary
 * @typedef {{index: number, x1: number, y1: number, accepted: boolean, flipped: boolean}} SignedRecord
 * @typedef {{records: SignedRecord[], summary: SignatureSummary}} SignatureActivation
 * @typedef {{succeeded: boolean, attempts: number, seconds: number, detail?: string,
 *            target_point?: {index: number, x1?: number, y1?: number, flipped: boolean} | null}} ForgeResult
 * One row of signature_estimate().schemes.
 * @typedef {{scheme: string, bits: number, live: boolean, text: string, note?: string, human?: string,
 *            brute_force_human?: string, brute_force_log10_seconds: number, factoring_log10_seconds: number}} SchemeEstimate
 * @typedef {{budget_s: number, schemes: SchemeEstimate[],
 *            rates: {rho_iterations_per_s: number, toy_rsa_brute_force_per_s: number, verify_per_s: Record<string, number>},
 *            live_limit: {factor_bits: number | null, brute_force_bits: number | null}}} SignatureEstimate
 */

// ------------------------------------------------------------------------------------------------ defense

/**
 * A rate with its 95 % Wilson interval and its counts.
 * @typedef {{value: number | null, lo: number | null, hi: number | null, k: number, n: number}} Rate
 * defense.metrics: rates (Rate) and plain numbers, by key (metrics.js lists the rows).
 * @typedef {{clean_accuracy?: Rate, attack_success_rate?: Rate} & Record<string, Rate | number | null | undefined>} DefenseMetrics
 * defend(): one defense's result (any type of the registry, defense/registry.py: proximity and smoothing carry
 * labels and counts; the others their section, e.g. flagged or pruned, and the column metrics); `curves` only from a
 * live run.
 * @typedef {{type: string, params: Record<string, string | number>, metrics: DefenseMetrics,
 *            labels?: number[], model_labels?: number[], replayed?: boolean,
 *            restored?: number, flipped?: number, clean_changed?: number, twin_changed?: number, clean_n?: number,
 *            accuracy_after?: number | null, asr_after?: number | null, activated?: number,
 *            radius?: number | null, radius_auto?: number | null, radius_sep?: number | null, k?: number,
 *            abstained?: number, radius_max?: number | null, sigma?: number, note?: string,
 *            curves?: Record<string, any>}} DefendReply
 *   curves: each defense's plot series (histograms, radius/k curves, certified and immunization curves), a
 *   different shape per plot; charts.js draws them, so they stay loosely typed here.
 * The smoothing reply's curves (defense/run.py _smoothing; immunization: smoothing.immunization_curve).
 * @typedef {{sigmas: number[], n: number, alpha: number, activated: number, asr: (number | null)[],
 *            abstention: (number | null)[], clean_accuracy: (number | null)[], adaptive_points?: number,
 *            asr_adaptive?: (number | null)[], median_rho_over_sigma?: (number | null)[], factors: number[],
 *            directions?: number}} ImmunizationCurve
 * @typedef {{certified: {r: number[], clean: (number | null)[], activated: (number | null)[]},
 *            radii: (number | null)[], radii_clean: (number | null)[],
 *            lipschitz: {gamma: number | null, sigma: number, norm: string, bound: number | null},
 *            immunization: ImmunizationCurve}} SmoothingCurves
 * defend_start / defend_step / defend_cancel: a running defense; `result` (defend's reply) once finished.
 * @typedef {{type?: string, done?: number, total?: number, fraction: number, finished: boolean, cancelled: boolean,
 *            seconds: number, result?: DefendReply}} DefenseProgress
 */

// ------------------------------------------------------------------------------------------------ NN Calculator

/**
 * run_inference(): NN Calculator's Inference (half-MSE), with its text line.
 * @typedef {{loss_train: number | null, loss_test: number | null, text: string}} InferenceReply
 * One (predicted label, state) count of a layer, in order of first occurrence.
 * @typedef {import("./calculator/charts.js").StateCount} StateCount
 * One label's row of a layer's KL table.
 * @typedef {{label: "N" | "P", kl: number | null, nonzero_states: number, max_state: string | null, max_count: number,
 *            min_state: string | null, min_count: number}} KlRow
 * One layer of kl_inefficiency().
 * @typedef {{layer: number, kind: "hidden" | "output", nodes: number, p_ref: number, kl: {N: number | null, P: number | null},
 *            states: StateCount[], by_truth: {N: StateCount[], P: StateCount[]}, table: KlRow[], overlap: string[],
 *            constant_bits: {label: "N" | "P", bit: number, value: number}[]}} KlLayer
 * One split's kl_inefficiency().
 * @typedef {{n_points: number, counts: {N: number, P: number}, predicted: {N: number, P: number}, layers: KlLayer[],
 *            arithmetic_mean: number | null, geometric_mean: number | null, notes: string[]}} KlSplit
 * run_inefficiency(): both splits.
 * @typedef {{train: KlSplit, test: KlSplit}} InefficiencyReply
 * sensitivity_start / sensitivity_step: progress; `result` once done (sensitivity_cancel: cancelled + result).
 * @typedef {{done?: boolean, cancelled?: boolean, fraction?: number, text?: string, result?: SensitivityResult}} SensitivityProgress
 * A mean ± population sd over the finished runs (None when no run had a value).
 * @typedef {{mean: number | null, sd: number | null, values: number[]}} MeanSd
 * @typedef {{runs: number, iterations: number, completed_runs: number, finished: boolean, cancelled: boolean,
 *            layers: {layer: number, nodes: number, N: MeanSd, P: MeanSd}[], lines: string[], notes: string[]}} SensitivityResult
 * memory_info(): the two memories and the buttons' tooltips (operation -> text).
 * @typedef {{empty: boolean, what: string, problem?: string | null, n_train?: number, n_test?: number}} DataMemoryInfo
 * @typedef {{empty: boolean, what: string, count: number, shape: string | null, n_parameters: number}} ModelMemoryInfo
 * @typedef {{data: DataMemoryInfo, model: ModelMemoryInfo,
 *            tooltips: {data: Record<string, string>, model: Record<string, string>}}} MemoryInfo
 * trojan_regions(): a trojan level's effect, description and regions on the plot.
 * @typedef {{level: number, effect: string, description: string,
 *            regions: import("../widgets/heatmap.js").Region[]}} TrojanInfo
 */

export {};
