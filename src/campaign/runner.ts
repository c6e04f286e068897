/**
 * A campaign's rows as pure functions of (config, row index): the configuration stored in the
 * results header (CampaignConfig, decoded without trusting it), the plan, the background
 * profile and the flight model; `golden()` flies the fault-free run, `run(row)` one row.
 */
import { CampaignPlan, FAULT_CLASSES, isFaultClass, isTarget, type CampaignPlanConfig, type FaultClass, type FaultSpaceShape } from '../core/campaign/plan.js';
import { decodeFaultProfile, NO_FAULTS, type FaultProfile } from '../core/fault/profile.js';
import { err, ok, type Result } from '../core/result.js';
import { Prng } from '../core/sim/prng.js';
import { TWIN_SEED_STREAM } from '../core/sim/streams.js';
import type { CampaignRow, GoldenRecord } from '../io/results.js';
import { FLIGHT_MODELS, loadModel, type FlightFunction, type FlightModel, type FlightTrace } from './models.js';

/** Everything that determines a campaign's rows; stored in the results header and hashed. */
export interface CampaignConfig {
  readonly seed: number;
  readonly durationS: number;
  readonly rateHz: number;
  readonly model: FlightModel;
  /** The background fault profile as its JSON value (null: none), so a results file replays alone. */
  readonly profile: unknown;
  readonly counts: CampaignPlanConfig['counts'];
  readonly sizing: { readonly mode: 'fixed'; readonly injections: number } | { readonly mode: 'leveugle'; readonly margin: number; readonly confidence: number };
  readonly shape: FaultSpaceShape;
  /**
   * Flight seeds shared by the rows (`--twin-seeds N`, docs/CAMPAIGNS.md "Golden twins"): row i
   * flies twin seed i mod N, so one recorded twin per seed judges every row of that seed. 0 or
   * absent (results files of oracle version 1): every row flies its own seed with a live twin.
   */
  readonly twinSeeds?: number;
  /** `--class` (docs/CAMPAIGNS.md, "Classes"); absent: single (and the first waves' hashes unchanged). */
  readonly faultClass?: FaultClass;
  /** `--voter-lanes 1` (a simplex voter); absent: 3 lanes. */
  readonly voterLanes?: 1;
}

/** Most twin seeds a campaign may have. */
export const TWIN_SEEDS_MAX = 4096;

/** Validates a header's config (outside bytes). Never throws. */
export function decodeCampaignConfig(value: Readonly<Record<string, unknown>>): Result<CampaignConfig, string> {
  const { seed, durationS, rateHz, model, counts, shape } = value;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) return err('config.seed: expected a non-negative integer');
  if (typeof durationS !== 'number' || !(durationS > 0 && durationS <= 3600)) return err('config.durationS: expected 0 < s ≤ 3600');
  if (typeof rateHz !== 'number' || !(rateHz >= 1 && rateHz <= 10_000)) return err('config.rateHz: expected 1..10000');
  if (typeof model !== 'string' || !(FLIGHT_MODELS as readonly string[]).includes(model)) return err('config.model: unknown flight model');
  if (!Array.isArray(counts) || counts.length === 0) return err('config.counts: expected per-target counts');
  for (const c of counts as readonly unknown[]) {
    const o = c as { target?: unknown; injections?: unknown } | null;
    if (typeof o !== 'object' || o === null || typeof o.target !== 'string' || !isTarget(o.target) || typeof o.injections !== 'number' || !Number.isSafeInteger(o.injections) || o.injections < 0) return err('config.counts: bad entry');
  }
  if (typeof shape !== 'object' || shape === null) return err('config.shape: expected the fault space shape');
  const { twinSeeds } = value;
  if (twinSeeds !== undefined && (typeof twinSeeds !== 'number' || !Number.isSafeInteger(twinSeeds) || twinSeeds < 0 || twinSeeds > TWIN_SEEDS_MAX)) return err(`config.twinSeeds: expected 0..${TWIN_SEEDS_MAX}`);
  const { faultClass, voterLanes } = value;
  if (voterLanes !== undefined && voterLanes !== 1) return err('config.voterLanes: expected 1 (absent: 3 lanes)');
  if (faultClass !== undefined && (typeof faultClass !== 'string' || !isFaultClass(faultClass))) return err(`config.faultClass: expected one of ${FAULT_CLASSES.join(', ')}`);
  return ok(value as unknown as CampaignConfig);
}

export function decodeProfileValue(value: unknown): Result<FaultProfile, string> {
  if (value === null || value === undefined) return ok(NO_FAULTS);
  const decoded = decodeFaultProfile(value);
  return decoded.ok ? decoded : err(`${decoded.error.path}: ${decoded.error.message}`);
}

/** A campaign ready to run rows: its plan, its flight, its background profile. */
export class CampaignRunner {
  readonly plan: CampaignPlan;
  /** The flight seeds rows share (empty: every row flies its own). */
  readonly twinSeeds: readonly number[];

  constructor(readonly config: CampaignConfig, private readonly flight: FlightFunction, private readonly profile: FaultProfile) {
    this.plan = new CampaignPlan({
      seed: config.seed, durationS: config.durationS, rateHz: config.rateHz, counts: config.counts,
      ...(config.faultClass === undefined ? {} : { faultClass: config.faultClass }),
    }, config.shape);
    const draws = new Prng(config.seed).fork(TWIN_SEED_STREAM);
    this.twinSeeds = Array.from({ length: config.twinSeeds ?? 0 }, () => draws.nextU32());
  }

  /** The seed row `row` flies (its twin's seed too). */
  flightSeedOf(row: number, planned: number): number {
    return this.twinSeeds.length === 0 ? planned : (this.twinSeeds[row % this.twinSeeds.length] ?? planned);
  }

  static async load(config: CampaignConfig): Promise<CampaignRunner> {
    const { flight } = await loadModel(config.model);
    const profile = decodeProfileValue(config.profile);
    if (!profile.ok) throw new Error(`bad profile in config: ${profile.error}`);
    return new CampaignRunner(config, flight, profile.value);
  }

  /** The golden run: the campaign's flight with no planned fault, seeded by the campaign seed. */
  golden(): GoldenRecord {
    const summary = this.flight({ seed: this.config.seed, durationS: this.config.durationS, rateHz: this.config.rateHz, profile: this.profile, plannedFault: undefined, traceEveryCycles: 0, ...(this.config.voterLanes === 1 ? { voterLanes: 1 as const } : {}) });
    return { type: 'golden', seed: this.config.seed, outcome: summary.outcome, maxAttitudeErrorDeg: summary.maxAttitudeErrorDeg, scrub: summary.scrub };
  }

  /**
   * Runs row `row`; with `traceEveryCycles` > 0 also returns its attitude trace. `fastForward`
   * false flies it from t = 0 and `earlyConvergence` false to its end (the references the
   * equivalence tests compare with); `skippedS` is the simulated time fast-forward did not fly
   * again, `earlyEndedS` the time early convergence spared at the end.
   */
  run(row: number, traceEveryCycles = 0, fastForward = true, earlyConvergence = fastForward): { readonly line: CampaignRow; readonly trace: FlightTrace | undefined; readonly skippedS: number; readonly earlyEndedS: number } {
    const planned = this.plan.row(row);
    const seed = this.flightSeedOf(row, planned.seed);
    const summary = this.flight({ seed, durationS: this.config.durationS, rateHz: this.config.rateHz, profile: this.profile, plannedFault: planned.fault, extraFaults: planned.extra, traceEveryCycles, sharedTwin: this.twinSeeds.length > 0, fastForward, earlyConvergence, ...(this.config.voterLanes === 1 ? { voterLanes: 1 as const } : {}) });
    const line: CampaignRow = {
      type: 'row', row, seed,
      fault: { target: planned.target, location: planned.location, timeS: planned.fault.atMicros / 1e6, spec: planned.fault.fault },
      outcome: summary.outcome, detectionLatencyMs: summary.detectionLatencyMs, maxAttitudeErrorDeg: summary.maxAttitudeErrorDeg, scrub: summary.scrub,
      ...(summary.fate === undefined ? {} : { fate: summary.fate }),
      ...(summary.fails === undefined ? {} : { fails: summary.fails }),
      ...(summary.twin === undefined ? {} : { twin: summary.twin }),
    };
    return { line, trace: summary.trace, skippedS: summary.skippedS ?? 0, earlyEndedS: summary.earlyEndedS ?? 0 };
  }
}
