/**
 * The flight models a campaign row runs: one seeded closed-loop flight with one planned fault.
 *
 * Two models sit behind one function type:
 *   emulated   the full closed loop of src/sim/flight.ts (channels, voter, bus, plant)
 *   synthetic  a cheap single-axis stand-in with the same inputs and outputs, used to test
 *              the campaign machinery itself (plan, workers, resume, shards, report) in
 *              milliseconds. Its outcomes are a plausible model, not a measurement.
 */
import type { FaultSpaceShape } from '../core/campaign/plan.js';
import type { Outcome } from '../core/campaign/stats.js';
import { LEGACY_OUTCOMES, worstOutcome } from '../core/fault/outcome.js';
import { REGISTER_NAMES } from '../core/control/state.js';
import type { FaultProfile, TimedFault } from '../core/fault/profile.js';
import { Prng } from '../core/sim/prng.js';
import type { ScrubSummary } from '../io/results.js';

export const FLIGHT_MODELS = ['emulated', 'synthetic'] as const;
export type FlightModel = (typeof FLIGHT_MODELS)[number];

export interface FlightRequest {
  readonly seed: number;
  readonly durationS: number;
  readonly rateHz: number;
  readonly profile: FaultProfile;
  readonly plannedFault: TimedFault | undefined;
  /** The row's further faults (a double or common-mode class); the outcome is the worst of all its faults'. */
  readonly extraFaults?: readonly TimedFault[];
  /** Record the attitude error every this many cycles (0: no trace). */
  readonly traceEveryCycles: number;
  /**
   * The row's seed is shared with other rows (a campaign's twin seeds): judge it against a
   * recorded twin kept per seed in this process, so the twin is flown once per seed, not per row.
   * False: a live twin flown beside this flight (twice the cost).
   */
  readonly sharedTwin?: boolean;
  /** A simplex voter (1 lane) instead of the three force-voted lanes. */
  readonly voterLanes?: 1;
  /**
   * Start the row from the golden checkpoint just before its first fault instead of t = 0
   * (docs/CAMPAIGNS.md, "Fast-forward"; default true). The result is the same either way.
   */
  readonly fastForward?: boolean;
  /**
   * End the row once its state equals the golden flight's at a checkpoint after its faults
   * (docs/CAMPAIGNS.md, "Early convergence"; default true, needs fast-forward's checkpoints).
   */
  readonly earlyConvergence?: boolean;
}

export interface FlightTrace {
  readonly timeS: readonly number[];
  readonly attitudeErrorDeg: readonly number[];
}

export interface FlightSummary {
  /** The oracle's outcome of the planned fault (of the flight when there is none). */
  readonly outcome: Outcome;
  /** The mechanisms' own account of the planned fault (the first wave's fate), for comparison. */
  readonly fate?: string;
  /** The flight fails the shared exit rule (src/sim/report.ts `flightFails`). */
  readonly fails?: boolean;
  /** Largest deviation from the golden twin: command (deg) and attitude (deg). */
  readonly twin?: { readonly maxCommandDeviationDeg: number; readonly maxAttitudeDeviationDeg: number } | null;
  readonly detectionLatencyMs: number | null;
  readonly maxAttitudeErrorDeg: number;
  readonly scrub: ScrubSummary;
  readonly trace: FlightTrace | undefined;
  /** Simulated seconds the row skipped by fast-forward (0: flown from t = 0). Not part of the results row. */
  readonly skippedS?: number;
  /** Simulated seconds early convergence spared the row at its end (0: flown to the end). Not part of the results row. */
  readonly earlyEndedS?: number;
}

export type FlightFunction = (request: FlightRequest) => FlightSummary;

/** The fault space of the synthetic model: the standard vehicle's images and frames. */
export const SYNTHETIC_FAULT_SPACE: FaultSpaceShape = {
  channels: ['A', 'B', 'C'],
  memoryWords: 37,
  memoryCodeBits: 72,
  registerNames: REGISTER_NAMES,
  registerBits: 32,
  busIds: [0x081, 0x082, 0x083, 0x101, 0x102, 0x103, 0x121, 0x122, 0x123, 0x131, 0x132, 0x133, 0x201, 0x202, 0x203],
  sensors: [1, 2, 3],
};

/** The synthetic model's effects, in the mechanisms' fate names (mapped to outcomes by LEGACY_OUTCOMES). */
type Fate = 'masked' | 'corrected' | 'isolated' | 'failSafe' | 'sdc' | 'hang';

interface Effect {
  readonly outcome: Fate;
  readonly latencyMicros: number | null;
  /** Extra attitude disturbance (deg) and how long it lasts (micros) after injection. */
  readonly disturbanceDeg: number;
  readonly disturbanceMicros: number;
  readonly corrected: number;
}

const SCRUB_PERIOD_MICROS = 100_000;

function effectOf(fault: TimedFault, draws: Prng, periodMicros: number): Effect {
  const f = fault.fault;
  const rare = draws.nextFloat();
  switch (f.kind) {
    case 'memory-flip': {
      const latency = (((f.word ?? 0) + draws.nextInt(37)) % 37) * (SCRUB_PERIOD_MICROS / 37) + periodMicros;
      const dataBit = (f.bit ?? 0) < 64;
      return { outcome: 'corrected', latencyMicros: latency, disturbanceDeg: dataBit ? 0.05 : 0, disturbanceMicros: latency, corrected: 1 };
    }
    case 'register-flip':
      return { outcome: 'corrected', latencyMicros: periodMicros, disturbanceDeg: 0, disturbanceMicros: 0, corrected: 1 };
    case 'sensor':
      if (f.mode === 'noise' || (f.mode === 'bias' && Math.abs(f.value ?? 0) < 0.1)) {
        return rare < 0.03 ? { outcome: 'sdc', latencyMicros: null, disturbanceDeg: 4, disturbanceMicros: 2_000_000, corrected: 0 } : { outcome: 'masked', latencyMicros: null, disturbanceDeg: 0.1, disturbanceMicros: 500_000, corrected: 0 };
      }
      return { outcome: 'isolated', latencyMicros: periodMicros * (3 + draws.nextInt(5)), disturbanceDeg: 0.4, disturbanceMicros: 100_000, corrected: 0 };
    case 'channel-crash': case 'channel-hang':
      return { outcome: rare < 0.02 ? 'failSafe' : 'isolated', latencyMicros: periodMicros * (3 + draws.nextInt(3)), disturbanceDeg: 0.2, disturbanceMicros: 50_000, corrected: 0 };
    case 'wrong-command':
      return Math.abs(f.offsetDeg) < 5
        ? { outcome: 'masked', latencyMicros: null, disturbanceDeg: 0.05, disturbanceMicros: f.durationMicros, corrected: 0 }
        : { outcome: 'isolated', latencyMicros: periodMicros * (10 + draws.nextInt(10)), disturbanceDeg: 1.5, disturbanceMicros: 80_000, corrected: 0 };
    case 'clock-drift': case 'clock-jump': {
      const big = f.kind === 'clock-drift' ? Math.abs(f.ppm) >= 1000 : Math.abs(f.jumpMicros) >= 10_000;
      if (!big) return { outcome: 'corrected', latencyMicros: 2 * periodMicros, disturbanceDeg: 0, disturbanceMicros: 0, corrected: 0 };
      return { outcome: rare < 0.05 ? 'hang' : 'isolated', latencyMicros: periodMicros * (5 + draws.nextInt(20)), disturbanceDeg: 0.3, disturbanceMicros: 100_000, corrected: 0 };
    }
    default:
      return rare < 0.01
        ? { outcome: 'sdc', latencyMicros: null, disturbanceDeg: 3, disturbanceMicros: 500_000, corrected: 0 }
        : { outcome: 'masked', latencyMicros: f.kind === 'bus-corrupt' || f.kind === 'bus-duplicate' ? periodMicros : null, disturbanceDeg: 0.02, disturbanceMicros: 2 * periodMicros, corrected: 0 };
  }
}

const FATE_SEVERITY: readonly Fate[] = ['masked', 'corrected', 'isolated', 'failSafe', 'hang', 'sdc'];
const NO_EFFECT: Effect = { outcome: 'masked', latencyMicros: null, disturbanceDeg: 0, disturbanceMicros: 0, corrected: 0 };

/**
 * The synthetic model: a first-order attitude-error loop with sensor noise, disturbed by the
 * planned fault's modelled effect. Deterministic in (seed, fault); O(cycles).
 */
export const syntheticFlight: FlightFunction = (request) => {
  const periodMicros = 1_000_000 / request.rateHz;
  const cycles = Math.max(1, Math.floor(request.durationS * request.rateHz));
  const noise = new Prng(request.seed).fork(1);
  const planned = request.plannedFault;
  let effect = planned === undefined ? NO_EFFECT : effectOf(planned, new Prng(request.seed).fork(2), periodMicros);
  for (const [i, extra] of (request.extraFaults ?? []).entries()) {
    const other = effectOf(extra, new Prng(request.seed).fork(3 + i), periodMicros);
    if (FATE_SEVERITY.indexOf(other.outcome) > FATE_SEVERITY.indexOf(effect.outcome)) effect = other;
  }
  const fromMicros = planned?.atMicros ?? Number.POSITIVE_INFINITY;
  const timeS: number[] = [];
  const errorDeg: number[] = [];
  let error = 0;
  let maxError = 0;
  const gain = Math.min(1, 20 / request.rateHz);
  for (let cycle = 0; cycle < cycles; cycle++) {
    const nowMicros = cycle * periodMicros;
    const since = nowMicros - fromMicros;
    const push = since >= 0 && since < effect.disturbanceMicros ? effect.disturbanceDeg : 0;
    error += gain * (push - error) + 0.01 * noise.nextGaussian();
    const magnitude = Math.abs(error);
    if (magnitude > maxError) maxError = magnitude;
    if (request.traceEveryCycles > 0 && cycle % request.traceEveryCycles === 0) {
      timeS.push(nowMicros / 1e6);
      errorDeg.push(magnitude);
    }
  }
  const scrubbedWords = Math.floor((request.durationS * 1e6) / SCRUB_PERIOD_MICROS) * 37 * 3;
  return {
    outcome: LEGACY_OUTCOMES[effect.outcome] ?? 'masked',
    detectionLatencyMs: effect.latencyMicros === null ? null : Math.round(effect.latencyMicros) / 1000,
    maxAttitudeErrorDeg: Math.round(maxError * 1e6) / 1e6,
    scrub: { corrected: effect.corrected, uncorrectable: 0, scrubbedWords },
    trace: request.traceEveryCycles > 0 ? { timeS, attitudeErrorDeg: errorDeg } : undefined,
  };
};

export interface LoadedModel {
  readonly flight: FlightFunction;
  readonly shape: FaultSpaceShape;
}

/** The flight function and fault space of a model. */
export function loadModel(model: FlightModel): Promise<LoadedModel> {
  switch (model) {
    case 'synthetic': return Promise.resolve({ flight: syntheticFlight, shape: SYNTHETIC_FAULT_SPACE });
    case 'emulated': return loadEmulated();
  }
}

/** The emulated rig's fault space: images as the flight builds them, frames of every node. */
function emulatedShape(memory: { readonly wordCount: number; readonly code: { readonly codeBits: number } }): FaultSpaceShape {
  return { ...SYNTHETIC_FAULT_SPACE, memoryWords: memory.wordCount, memoryCodeBits: memory.code.codeBits };
}

/** Recorded twins kept per process (a campaign has a few twin seeds; each twin is ~0.6 MB per minute of flight). */
export const TWIN_CACHE_MAX = 32;
/** Simulated time between two golden checkpoints a row can start from (fast-forward) and end at (early convergence)... */
export const CHECKPOINT_EVERY_S = 0.5;
/**
 * ... but no more checkpoints than this per twin seed (longer flights space them further): a
 * checkpoint of the standard rig holds ≈ 0.9 MB, so a worker keeps ≈ 18 MB per twin seed.
 */
export const CHECKPOINTS_PER_FLIGHT_MAX = 20;
/** Full-state comparisons a row may spend on early convergence (each costs a few ms). */
export const CONVERGENCE_CHECKS_MAX = 2;
/**
 * Fault kinds whose rows always fly from t = 0: they change how the flight is built (a
 * forger joins the bus), so a checkpoint of the golden flight does not describe theirs.
 */
const FULL_FLIGHT_KINDS: ReadonlySet<string> = new Set(['can-masquerade']);

/** A background profile with nothing of its own to inject: the only kind a checkpoint serves. */
function isQuiet(profile: FaultProfile): boolean {
  return profile.events.length === 0 && profile.processes.length === 0 && profile.seu === undefined;
}

async function loadEmulated(): Promise<LoadedModel> {
  const [{ createFlight }, { loadFlightRig }, { MemoryImage }, { CONTROL_MEMORY_GEOMETRY }, { RecordedTwin }, { flightFails }, { NO_FAULTS }, { SnapshotMismatch }] = await Promise.all([
    import('../sim/flight.js'), import('../io/loaders.js'), import('../core/memory/memory-image.js'), import('../core/channel/channel.js'),
    import('../sim/twin.js'), import('../sim/report.js'), import('../core/fault/profile.js'), import('../sim/snapshot.js'),
  ]);
  const { fingerprint } = await import('../sim/snapshot.js');
  type Flight = Extract<ReturnType<typeof createFlight>, { ok: true }>['value'];
  type Snapshot = ReturnType<Flight['snapshot']>;
  type OracleInterval = ReturnType<Flight['takeOracleInterval']>;
  const twins = new Map<string, InstanceType<typeof RecordedTwin>>();
  /** The recorded twin of (seed, duration, rate), flown on first use. */
  const twinOf = (request: FlightRequest): InstanceType<typeof RecordedTwin> => {
    const key = `${request.seed}/${request.durationS}/${request.rateHz}`;
    const known = twins.get(key);
    if (known !== undefined) return known;
    const twin = new RecordedTwin(request.seed, Math.ceil(request.durationS * request.rateHz));
    const created = createFlight({ seed: request.seed, durationS: request.durationS, rateHz: request.rateHz, profile: NO_FAULTS, rig, twin: 'none', recordVote: (k, v) => { twin.record(k, v); } });
    if (!created.ok) throw new Error(created.error);
    created.value.run();
    if (twins.size >= TWIN_CACHE_MAX) twins.delete(twins.keys().next().value ?? key);
    twins.set(key, twin);
    return twin;
  };
  /**
   * Golden checkpoints of (seed, duration, rate, lanes): the fault-free flight judged against its
   * recorded twin, exactly as a row is built but with no planned fault, snapshotted every
   * CHECKPOINT_EVERY_S (at most CHECKPOINTS_PER_FLIGHT_MAX times). Entry k is the state after k × everyCycles cycles (entry 0 unused), with
   * what early convergence compares and takes from it: its convergence fingerprint, the oracle's
   * maxima over the rest of the flight after it, and whether the judge saw anything after it.
   */
  interface Checkpoints {
    readonly everyCycles: number;
    readonly snaps: readonly Snapshot[];
    readonly fingerprints: readonly string[];
    readonly rest: readonly OracleInterval[];
    /** Nothing reached the golden flight's judge after checkpoint k (no alarm, ledger entry or deviation). */
    readonly quietAfter: readonly boolean[];
    readonly end: Snapshot;
  }
  const checkpoints = new Map<string, Checkpoints>();
  const checkpointsOf = (request: FlightRequest): Checkpoints => {
    const key = `${request.seed}/${request.durationS}/${request.rateHz}/${request.voterLanes ?? 3}`;
    const known = checkpoints.get(key);
    if (known !== undefined) return known;
    const f = makeFlight(request, request.profile);
    const cycles = Math.ceil(request.durationS * request.rateHz);
    const everyCycles = Math.max(1, Math.round(CHECKPOINT_EVERY_S * request.rateHz), Math.ceil(cycles / CHECKPOINTS_PER_FLIGHT_MAX));
    const snaps: Snapshot[] = [];
    const fingerprints: string[] = [];
    const intervals: OracleInterval[] = [];
    while (!f.done) {
      snaps.push(f.snapshot());
      fingerprints.push(f.convergenceFingerprint());
      f.runCycles(everyCycles);
      intervals.push(f.takeOracleInterval());
    }
    const end = f.snapshot();
    const rest: OracleInterval[] = new Array<OracleInterval>(intervals.length);
    let after: OracleInterval = { maxAttitudeErrorDeg: 0, maxBodyRateRadPerS: 0, maxCommandDeviationDeg: 0, maxAttitudeDeviationDeg: 0 };
    for (let k = intervals.length - 1; k >= 0; k--) {
      const i = intervals[k] ?? after;
      after = {
        maxAttitudeErrorDeg: Math.max(after.maxAttitudeErrorDeg, i.maxAttitudeErrorDeg), maxBodyRateRadPerS: Math.max(after.maxBodyRateRadPerS, i.maxBodyRateRadPerS),
        maxCommandDeviationDeg: Math.max(after.maxCommandDeviationDeg, i.maxCommandDeviationDeg), maxAttitudeDeviationDeg: Math.max(after.maxAttitudeDeviationDeg, i.maxAttitudeDeviationDeg),
      };
      rest[k] = after;
    }
    const judgeAtEnd = judgeFingerprint(end);
    const quietAfter = snaps.map((snap) => judgeFingerprint(snap) === judgeAtEnd);
    if (checkpoints.size >= TWIN_CACHE_MAX) checkpoints.delete(checkpoints.keys().next().value ?? key);
    const entry: Checkpoints = { everyCycles, snaps, fingerprints, rest, quietAfter, end };
    checkpoints.set(key, entry);
    return entry;
  };
  /** What the golden flight's judge has seen so far: its last alarm, its ledger, its deviation count. */
  const judgeFingerprint = (snap: Snapshot): string => {
    const graph = snap.graph as unknown as { observer: { lastAlarmMicros: number }; oracle: { deviationCount: number }; ledger: object };
    return `${graph.observer.lastAlarmMicros}/${graph.oracle.deviationCount}/${fingerprint(graph.ledger, { shared: new Set() })}`;
  };
  const makeFlight = (request: FlightRequest, profile: FaultProfile): Flight => {
    const twin = request.sharedTwin === true ? twinOf(request) : 'live';
    const created = createFlight({ seed: request.seed, durationS: request.durationS, rateHz: request.rateHz, profile, rig, twin, ...(request.voterLanes === 1 ? { voterLanes: 1 } : {}) });
    if (!created.ok) throw new Error(created.error);
    return created.value;
  };
  /** The row's flight, restored from the last checkpoint before its first fault when it can be (and the simulated seconds skipped). */
  const startFlight = (request: FlightRequest, profile: FaultProfile, plannedFaults: readonly TimedFault[]): { readonly f: Flight; readonly skippedS: number; readonly points: Checkpoints | undefined } => {
    const eligible = request.fastForward !== false && request.sharedTwin === true && request.traceEveryCycles === 0 && isQuiet(request.profile)
      && plannedFaults.length > 0 && plannedFaults.every((p) => !FULL_FLIGHT_KINDS.has(p.fault.kind));
    const f = makeFlight(request, profile);
    if (!eligible) return { f, skippedS: 0, points: undefined };
    const first = Math.min(...plannedFaults.map((p) => p.atMicros));
    const points = checkpointsOf(request);
    const { everyCycles, snaps } = points;
    const index = Math.min(snaps.length - 1, Math.floor(first / (everyCycles * f.periodMicros)));
    const snap = snaps[index];
    if (index <= 0 || snap === undefined) return { f, skippedS: 0, points };
    try {
      f.restoreFrom(snap);
      return { f, skippedS: (snap.cyclesRun * f.periodMicros) / 1e6, points };
    } catch (error: unknown) {
      if (!(error instanceof SnapshotMismatch)) throw error;
      return { f: makeFlight(request, profile), skippedS: 0, points: undefined };
    }
  };
  /**
   * Flies the row to its end. After its last fault's window, at up to CONVERGENCE_CHECKS_MAX
   * checkpoints where its judge is settled and its vehicle is where the golden one is (bit for
   * bit), compares its whole state with the golden flight's; equal
   * state ends the row as the golden flight ends (`Flight.finishAsConverged`). Returns the
   * simulated seconds not flown, or undefined when the row had to be flown again from t = 0.
   */
  const flyToEnd = (f: Flight, points: Checkpoints | undefined, plannedFaults: readonly TimedFault[]): number | undefined => {
    if (points === undefined) { f.runCycles(f.cycleCount); return 0; }
    const quietFrom = Math.max(...plannedFaults.map((p) => p.atMicros + ((p.fault as { durationMicros?: number }).durationMicros ?? 0)));
    const span = points.everyCycles * f.periodMicros;
    let checks = 0;
    for (let k = Math.floor(quietFrom / span) + 1; k < points.snaps.length && checks < CONVERGENCE_CHECKS_MAX; k++) {
      const at = points.snaps[k];
      const rest = points.rest[k];
      if (at === undefined || rest === undefined) break;
      f.runCycles(at.cyclesRun - f.cyclesRun);
      if (!f.judgeSettled || points.quietAfter[k] !== true || !f.plantMatches(at)) continue;
      checks++;
      if (f.convergenceFingerprint() !== points.fingerprints[k]) continue;
      try {
        f.finishAsConverged(at, points.end, rest);
        return ((f.cycleCount - at.cyclesRun) * f.periodMicros) / 1e6;
      } catch (error: unknown) {
        if (!(error instanceof SnapshotMismatch)) throw error;
        return undefined;
      }
    }
    f.runCycles(f.cycleCount);
    return 0;
  };
  const loaded = loadFlightRig(undefined);
  if (!loaded.ok) throw new Error(loaded.error);
  const rig = loaded.value;
  const shape = emulatedShape(new MemoryImage(CONTROL_MEMORY_GEOMETRY));
  const flight: FlightFunction = (request) => {
    const plannedFaults = request.plannedFault === undefined ? [] : [request.plannedFault, ...(request.extraFaults ?? [])];
    const profile: FaultProfile = plannedFaults.length === 0 ? request.profile : { ...request.profile, events: [...request.profile.events, ...plannedFaults].sort((a, b) => a.atMicros - b.atMicros) };
    const started = startFlight(request, profile, plannedFaults);
    let f = started.f;
    const trace = request.traceEveryCycles > 0 ? traceFlight(f, request.traceEveryCycles) : undefined;
    let earlyS = flyToEnd(f, request.earlyConvergence === false ? undefined : started.points, plannedFaults);
    let skippedS = started.skippedS;
    if (earlyS === undefined) {
      // A convergence that did not line up left the flight half restored: fly the row again, whole.
      f = makeFlight(request, profile);
      f.runCycles(f.cycleCount);
      earlyS = 0;
      skippedS = 0;
    }
    const result = f.result();
    const isPlanned = (r: (typeof result.faultList)[number]): boolean => r.source === 'event' && plannedFaults.some((p) => Math.abs(r.atS - p.atMicros / 1e6) < 1e-6 && r.kind === p.fault.kind);
    const records = result.faultList.filter(isPlanned);
    const record = records[0];
    const outcome = records.reduce<Outcome | undefined>((worst, r) => (worst === undefined ? r.outcome : worstOutcome(worst, r.outcome)), undefined);
    const latencies = records.map((r) => r.detectionLatencyMs).filter((l): l is number => l !== null);
    const channels = Object.values(result.channels);
    const sum = (key: string): number => channels.reduce((a, c) => a + (typeof c[key] === 'number' ? c[key] : 0), 0);
    return {
      outcome: outcome ?? result.outcome,
      ...(record === undefined ? {} : { fate: record.fate }),
      fails: flightFails(result),
      twin: result.twin === null ? null : { maxCommandDeviationDeg: result.twin.maxCommandDeviationDeg, maxAttitudeDeviationDeg: result.twin.maxAttitudeDeviationDeg },
      detectionLatencyMs: latencies.length === 0 ? null : Math.min(...latencies),
      maxAttitudeErrorDeg: result.maxAttitudeErrorDeg,
      scrub: { corrected: sum('scrubCorrected') + sum('readCorrected') + sum('registerRepairs'), uncorrectable: sum('scrubUncorrectable'), scrubbedWords: sum('scrubPasses') * shape.memoryWords },
      trace,
      skippedS,
      earlyEndedS: earlyS,
    };
  };
  return { flight, shape };
}

/** Runs a flight in chunks of `every` cycles, recording the largest attitude error of each chunk. */
function traceFlight(f: { runCycles(n: number): void; readonly done: boolean; takeAttitudeWindowMax(): number; readonly cyclesRun: number; readonly periodMicros: number; readonly cycleCount: number }, every: number): FlightTrace {
  const timeS: number[] = [];
  const attitudeErrorDeg: number[] = [];
  f.takeAttitudeWindowMax();
  for (let chunk = 0; chunk <= f.cycleCount && !f.done; chunk++) {
    f.runCycles(every);
    timeS.push((f.cyclesRun * f.periodMicros) / 1e6);
    attitudeErrorDeg.push(f.takeAttitudeWindowMax());
  }
  return { timeS, attitudeErrorDeg };
}
