/**
 * The result of a flight (the `triplex run --json` contract, docs/FLIGHT.md): a pure function
 * of the flight's state at the moment it is asked. It changes nothing — open fault records are
 * reported with the fate they would have if the flight ended now — so asking twice, or in the
 * middle of a flight, gives the same answer as the state it reads.
 */
import type { EmulatedCanBus } from './emulated-can.js';
import type { Deviation, OutcomeClass, TwinFigures, Verdict } from './oracle.js';
import type { NodeOutbox } from './outbox.js';
import type { ByzantineFault, P2pWiring } from './p2p-wiring.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import type { VoterNode } from '../core/channel/voter-node.js';
import { FaultLedger, type FaultFate } from '../core/fault/accounting.js';
import type { Injection } from '../core/fault/plan.js';
import { isTransientFault, type FaultSpec } from '../core/fault/profile.js';
import { CHANNEL_IDS_MAX } from '../core/frame/ids.js';
import { FLIGHT_ENVELOPE } from '../core/plant/vehicle.js';

export interface IsolationReport { readonly channel: string; readonly atS: number; readonly reason: string; readonly detectionLatencyMs: number }
export interface FaultReport {
  readonly id: number; readonly kind: string; readonly target: string; readonly atS: number; readonly source: string;
  readonly fate: FaultFate; readonly detectedBy: string; readonly detectionLatencyMs: number | null;
  /** The oracle's verdict on this fault (src/sim/oracle.ts), and whether the fault is transient. */
  readonly outcome: OutcomeClass; readonly transient: boolean;
}

/** A stretch of votes outside the twin's tolerance. */
export interface DeviationReport {
  readonly atS: number; readonly untilS: number; readonly votes: number;
  /** The fault (faultList id) it belongs to, or null. */
  readonly fault: number | null;
  readonly announced: boolean; readonly what: string;
  readonly maxCommandDeviationDeg: number; readonly maxAttitudeDeviationDeg: number;
}

export interface TwinReport extends TwinFigures {
  /** Deviations that belong to no injected fault. */
  readonly unattributedDeviations: number;
  /** The first deviations (at most DEVIATIONS_KEPT_MAX). */
  readonly episodes: DeviationReport[];
}

export interface AgreementReport {
  readonly links: 'p2p';
  readonly algorithm: string;
  readonly channelCount: number;
  readonly exchanges: number;
  readonly firstViolationS: number | null;
  readonly byzantine: { readonly channel: string; readonly atS: number } | null;
  readonly rejected: Readonly<Record<string, number>>;
}

export interface FlightResult {
  readonly seed: number;
  readonly cycles: number;
  readonly simSeconds: number;
  readonly rateHz: number;
  readonly profile: string;
  readonly rig: string;
  readonly faults: { readonly injected: number } & Record<FaultFate, number>;
  readonly maxAttitudeErrorDeg: number;
  readonly maxBodyRateRadPerS: number;
  readonly envelope: { readonly attitudeErrorDegMax: number; readonly bodyRateRadPerSMax: number; readonly exceededCycles: number };
  readonly isolations: IsolationReport[];
  readonly reintegrations: { readonly channel: string; readonly atS: number }[];
  readonly failSafe: { readonly kind: string; readonly atS: number; readonly reason: string }[];
  readonly deadlineMisses: number;
  readonly healthyIsolations: { readonly channel: string; readonly atS: number; readonly reason: string }[];
  /** Cycles in which healthy channels consolidated different inputs (measured with p2p links; docs/BYZANTINE.md). */
  readonly agreementViolations: number;
  /** Healthy channels isolated: healthyIsolations plus SM(1) proofs against healthy channels. */
  readonly falseIsolations: number;
  /** p2p only: the agreement layer's configuration and counters. */
  readonly agreement?: AgreementReport;
  readonly unattributed: { readonly sdc: number; readonly failSafe: number };
  readonly channels: Record<string, Record<string, number | string>>;
  readonly voter: { readonly mode: string; readonly e2eRejected: number; readonly clockFaultMask: number };
  readonly bus: { readonly frames: number; readonly errorFrames: number; readonly loadPercent: number; readonly dropped: number };
  readonly faultList: FaultReport[];
  /** The oracle's verdict on the flight: the most severe outcome of its faults and deviations. */
  readonly outcome: OutcomeClass;
  /** Injected faults per outcome. */
  readonly outcomes: Record<OutcomeClass, number>;
  /** The comparison with the golden twin (null for a flight that is itself a twin). */
  readonly twin: TwinReport | null;
  /** Why the flight fails (empty: it does not), one line per failing fault or deviation. */
  readonly failures: string[];
}

/** Everything a result is made of, read-only. */
export interface FlightState {
  readonly seed: number;
  readonly rateHz: number;
  readonly profileName: string;
  readonly rigName: string;
  readonly cyclesRun: number;
  readonly periodMicros: number;
  readonly ledger: FaultLedger;
  readonly channels: readonly ChannelRuntime[];
  readonly voterNode: VoterNode;
  readonly bus: EmulatedCanBus;
  readonly channelOutboxes: readonly NodeOutbox[];
  /** Frames the bus refused from the IMUs. */
  readonly sensorFramesDropped: number;
  readonly injections: readonly Injection[];
  readonly vehicle: { readonly maxAttitudeErrorDeg: number; readonly maxBodyRateRadPerS: number; readonly envelopeExceededCycles: number };
  readonly deadlineMisses: number;
  readonly p2p: P2pWiring | undefined;
  readonly byzantine: ByzantineFault | undefined;
  readonly verdict: Verdict;
  readonly twin: TwinFigures | null;
  readonly deviations: readonly Deviation[];
  readonly specs: readonly FaultSpec[];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function agreementReport(s: FlightState, p2p: P2pWiring): AgreementReport {
  const b = s.byzantine;
  return {
    links: 'p2p', algorithm: p2p.algorithm, channelCount: s.channels.length, exchanges: p2p.exchanges,
    firstViolationS: p2p.firstViolationMicros < 0 ? null : round6(p2p.firstViolationMicros / 1e6),
    byzantine: b === undefined ? null : { channel: CHANNEL_IDS_MAX[b.channel] ?? '?', atS: round6(b.atMicros / 1e6) },
    rejected: { ...p2p.exchange.rejected },
  };
}

function channelReport(s: FlightState, c: ChannelRuntime, i: number): Record<string, number | string> {
  return {
    health: s.voterNode.voter.channelHealth(i), cycles: c.cycles, selfFaults: c.selfFaults, scrubCorrected: c.scrubCorrected,
    scrubUncorrectable: c.scrubUncorrectable, scrubPasses: c.scrubPasses, readCorrected: c.memory.statistics().readCorrected,
    registerRepairs: c.registerRepairs, e2eErrors: c.e2eErrors, e2eRepeated: c.e2eRepeated, e2eWrongSequence: c.e2eWrongSequence,
    framesLost: c.framesLost, clockCorrectionMicros: round3(c.clock.correctionMicros), framesDropped: s.channelOutboxes[i]?.dropped ?? 0,
  };
}

function faultList(s: FlightState, names: readonly string[]): FaultReport[] {
  return s.ledger.records.map((r, i) => ({
    id: r.id, kind: r.kind, target: r.channel >= 0 ? (names[r.channel] ?? '?') : r.sensor >= 0 ? `S${r.sensor + 1}` : 'bus',
    atS: round6(r.atMicros / 1e6), source: s.injections[r.id]?.source ?? 'event', fate: FaultLedger.fateAtEnd(r), detectedBy: r.detectedBy,
    detectionLatencyMs: r.detectionLatencyMicros === undefined ? null : round3(r.detectionLatencyMicros / 1000),
    outcome: s.verdict.perFault[i] ?? 'masked', transient: transientAt(s.specs, i),
  }));
}

function transientAt(specs: readonly FaultSpec[], i: number): boolean {
  const spec = specs[i];
  return spec === undefined || isTransientFault(spec);
}

function twinReport(s: FlightState): TwinReport | null {
  if (s.twin === null) return null;
  return {
    ...s.twin, maxCommandDeviationDeg: round3(s.twin.maxCommandDeviationDeg), maxAttitudeDeviationDeg: round3(s.twin.maxAttitudeDeviationDeg),
    firstDeviationS: s.twin.firstDeviationS === null ? null : round6(s.twin.firstDeviationS),
    unattributedDeviations: s.verdict.unattributed,
    episodes: s.deviations.map((d) => ({
      atS: round6(d.startMicros / 1e6), untilS: round6(d.endMicros / 1e6), votes: d.votes, fault: d.faultId < 0 ? null : d.faultId,
      announced: d.announced, what: d.what, maxCommandDeviationDeg: round3(d.maxCommandDeviationDeg), maxAttitudeDeviationDeg: round3(d.maxAttitudeDeviationDeg),
    })),
  };
}

/** One line per reason the flight fails under the shared exit rule (docs/FLIGHT.md, "Exit codes"). */
function failures(s: FlightState, list: readonly FaultReport[], twin: TwinReport | null): string[] {
  const lines: string[] = [];
  for (const f of s.verdict.failing) {
    const r = list[f.id];
    if (r === undefined) continue;
    const dev = twin?.episodes.find((d) => d.fault === f.id);
    const what = dev === undefined ? '' : `: ${dev.what} off the twin from ${dev.atS} s for ${dev.votes} votes (command ${dev.maxCommandDeviationDeg}°, attitude ${dev.maxAttitudeDeviationDeg}°)${dev.announced ? ', announced' : ', no alarm'}`;
    const degraded = f.outcome === 'degraded' ? ': a channel lost for good to a transient fault' : '';
    lines.push(`${f.outcome}: fault ${r.id} ${r.kind} on ${r.target} at ${r.atS} s${what}${degraded}`);
  }
  for (const d of twin?.episodes ?? []) {
    if (d.fault !== null) continue;
    lines.push(`${d.announced ? 'detected-unsafe' : 'sdc'}: ${d.what} off the twin from ${d.atS} s for ${d.votes} votes (command ${d.maxCommandDeviationDeg}°, attitude ${d.maxAttitudeDeviationDeg}°) with no fault injected before it`);
  }
  return lines;
}

/**
 * The exit rule shared by `run`, `hil`, `soak` and `campaign` (docs/FLIGHT.md, "Exit codes"): a
 * flight fails when a fault or deviation ended `sdc`, `hang` or `detected-unsafe`, when a
 * transient fault cost a channel for good (`degraded`), when healthy channels were isolated, or
 * when the agreement layer let healthy channels disagree. `failures` names each.
 */
export function flightFails(r: Pick<FlightResult, 'failures' | 'agreementViolations' | 'falseIsolations'>): boolean {
  return r.failures.length > 0 || r.agreementViolations > 0 || r.falseIsolations > 0;
}

/** The result of the flight in state `s` (pure). */
export function flightResult(s: FlightState): FlightResult {
  const names = s.channels.map((c) => c.name);
  const events = s.voterNode.voter.events.list();
  const counts = s.ledger.countsAtEnd();
  const stats = s.bus.statistics();
  const ledger = s.ledger;
  const list = faultList(s, names);
  const twin = twinReport(s);
  return {
    seed: s.seed,
    cycles: s.cyclesRun,
    simSeconds: round6((s.cyclesRun * s.periodMicros) / 1e6),
    rateHz: s.rateHz,
    profile: s.profileName,
    rig: s.rigName,
    faults: { injected: ledger.records.length, ...counts, sdc: counts.sdc + ledger.unattributedSdc },
    maxAttitudeErrorDeg: round3(s.vehicle.maxAttitudeErrorDeg),
    maxBodyRateRadPerS: round3(s.vehicle.maxBodyRateRadPerS),
    envelope: { ...FLIGHT_ENVELOPE, exceededCycles: s.vehicle.envelopeExceededCycles },
    isolations: events.filter((e) => e.kind === 'isolated').map((e) => ({ channel: names[e.channel] ?? '?', atS: round6(e.atMicros / 1e6), reason: e.reason, detectionLatencyMs: round3(e.detectionLatencyMicros / 1000) })),
    reintegrations: events.filter((e) => e.kind === 'reintegrated').map((e) => ({ channel: names[e.channel] ?? '?', atS: round6(e.atMicros / 1e6) })),
    failSafe: events.filter((e) => e.kind === 'failsafe_entered' || e.kind === 'failsafe_exited' || e.kind === 'failed').map((e) => ({ kind: e.kind, atS: round6(e.atMicros / 1e6), reason: e.reason })),
    deadlineMisses: s.deadlineMisses,
    agreementViolations: s.p2p?.agreementViolations ?? 0,
    falseIsolations: ledger.healthyIsolations.length + (s.p2p?.proofFalseIsolations ?? 0),
    ...(s.p2p === undefined ? {} : { agreement: agreementReport(s, s.p2p) }),
    healthyIsolations: ledger.healthyIsolations.map((h) => ({ channel: names[h.channel] ?? '?', atS: round6(h.atMicros / 1e6), reason: h.reason })),
    unattributed: { sdc: ledger.unattributedSdc, failSafe: ledger.unattributedFailSafe },
    channels: Object.fromEntries(s.channels.map((c, i) => [c.name, channelReport(s, c, i)])),
    voter: { mode: s.voterNode.voter.mode, e2eRejected: s.voterNode.e2eRejected, clockFaultMask: s.voterNode.clockFaultMask },
    bus: { frames: stats.frames, errorFrames: stats.errorFrames, loadPercent: round3(stats.loadPercent), dropped: s.sensorFramesDropped },
    faultList: list,
    outcome: s.verdict.outcome,
    outcomes: s.verdict.outcomes,
    twin,
    failures: failures(s, list, twin),
  };
}
