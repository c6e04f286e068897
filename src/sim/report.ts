/**
 * The result of a flight (the `triplex run --json` contract, docs/FLIGHT.md): a pure function
 * of the flight's state at the moment it is asked. It changes nothing — open fault records are
 * reported with the fate they would have if the flight ended now — so asking twice, or in the
 * middle of a flight, gives the same answer as the state it reads.
 */
import type { EmulatedCanBus } from './emulated-can.js';
import type { NodeOutbox } from './outbox.js';
import type { ByzantineFault, P2pWiring } from './p2p-wiring.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import type { VoterNode } from '../core/channel/voter-node.js';
import { FaultLedger, type FaultFate } from '../core/fault/accounting.js';
import type { Injection } from '../core/fault/injector.js';
import { CHANNEL_IDS_MAX } from '../core/frame/ids.js';
import { FLIGHT_ENVELOPE } from '../core/plant/vehicle.js';

export interface IsolationReport { readonly channel: string; readonly atS: number; readonly reason: string; readonly detectionLatencyMs: number }
export interface FaultReport {
  readonly id: number; readonly kind: string; readonly target: string; readonly atS: number; readonly source: string;
  readonly fate: FaultFate; readonly detectedBy: string; readonly detectionLatencyMs: number | null;
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
  return s.ledger.records.map((r) => ({
    id: r.id, kind: r.kind, target: r.channel >= 0 ? (names[r.channel] ?? '?') : r.sensor >= 0 ? `S${r.sensor + 1}` : 'bus',
    atS: round6(r.atMicros / 1e6), source: s.injections[r.id]?.source ?? 'event', fate: FaultLedger.fateAtEnd(r), detectedBy: r.detectedBy,
    detectionLatencyMs: r.detectionLatencyMicros === undefined ? null : round3(r.detectionLatencyMicros / 1000),
  }));
}

/** The result of the flight in state `s` (pure). */
export function flightResult(s: FlightState): FlightResult {
  const names = s.channels.map((c) => c.name);
  const events = s.voterNode.voter.events.list();
  const counts = s.ledger.countsAtEnd();
  const stats = s.bus.statistics();
  const ledger = s.ledger;
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
    faultList: faultList(s, names),
  };
}
