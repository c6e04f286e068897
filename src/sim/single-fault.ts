/**
 * The single-fault hypothesis (docs/FLIGHT.md): one fault of one kind, alone in a flight, must
 * pass the oracle (src/sim/oracle.ts: no sdc, detected-unsafe or hang against the golden twin,
 * and no channel lost for good to a transient fault), keep the attitude within the envelope,
 * have the faulty channel (if any) isolated within the documented bound, and never isolate a
 * healthy channel. Used by the tests and by `triplex soak`.
 */
import type { FaultProfile, FaultSpec } from '../core/fault/profile.js';
import { Prng } from '../core/sim/prng.js';
import { FLIGHT_ENVELOPE } from '../core/plant/vehicle.js';
import { Flight, type FlightResult } from './flight.js';
import { flightFails } from './report.js';
import type { Rig } from './rig.js';

/** Documented isolation bound for channel faults that must be isolated (ms after injection). */
export const ISOLATION_BOUND_MS = 100;
/**
 * Isolation bound for a runaway clock of at least CLOCK_DRIFT_MUST_ISOLATE_PPM (ms): the rate
 * over the W = 10-round (1 s) window must exceed the 240 ppm runaway bound, which a 500 ppm
 * oscillator reaches within about 0.6 s; 1.5 s leaves a round of margin for the verdict.
 */
export const CLOCK_ISOLATION_BOUND_MS = 1500;
export const CLOCK_DRIFT_MUST_ISOLATE_PPM = 500;
/**
 * A clock jump of 1 ms or more is seen at a resync round (R = 100 ms) and voted out within a
 * frame; a forward jump across the sync slot skips that round's frame, so the bound is two
 * rounds plus 20 ms.
 */
export const CLOCK_JUMP_BOUND_MS = 220;
/**
 * Longest babble the single-fault rule covers (µs). On one bus a babbling node silences every
 * channel at once; beyond about two frames the voter's 12 ms timeout isolates them all (a bus
 * guardian or a second bus is the remedy, docs/FLIGHT.md).
 */
export const BABBLE_COVERED_MICROS = 6000;
export const SINGLE_FAULT_AT_S = 2;
export const SINGLE_FAULT_FLIGHT_S = 5;

/** A random single fault of each kind the hypothesis covers. */
export function randomSingleFault(prng: Prng): FaultSpec {
  const ch = (['A', 'B', 'C'] as const)[prng.nextInt(3)] ?? 'A';
  const kinds: (() => FaultSpec)[] = [
    () => ({ kind: 'memory-flip', channel: ch }),
    () => ({ kind: 'mbu', channel: ch, bits: 2 + prng.nextInt(3) }),
    () => ({ kind: 'register-flip', channel: ch }),
    () => ({ kind: 'bus-corrupt' }),
    () => ({ kind: 'bus-drop', receiver: ch }),
    () => ({ kind: 'bus-delay', delayMicros: 500 + prng.nextInt(1500) }),
    () => ({ kind: 'bus-duplicate' }),
    () => ({ kind: 'channel-crash', channel: ch, restartAfterMicros: 500_000 }),
    () => ({ kind: 'channel-hang', channel: ch, durationMicros: 300_000 }),
    () => ({ kind: 'sensor', sensor: 1 + prng.nextInt(3), mode: 'bias', value: 0.2, durationMicros: 2_000_000 }),
    () => ({ kind: 'sensor', sensor: 1 + prng.nextInt(3), mode: 'dead', durationMicros: 1_000_000 }),
    () => ({ kind: 'sensor', sensor: 1 + prng.nextInt(3), mode: 'stuck', durationMicros: 2_000_000 }),
    () => ({ kind: 'wrong-command', channel: ch, offsetDeg: 2 + prng.nextInt(8), durationMicros: 500_000 }),
    () => ({ kind: 'clock-jump', channel: ch, jumpMicros: (prng.nextBool(0.5) ? 1 : -1) * (1000 + prng.nextInt(5000)) }),
    () => ({ kind: 'clock-drift', channel: ch, ppm: (prng.nextBool(0.5) ? 1 : -1) * (CLOCK_DRIFT_MUST_ISOLATE_PPM + prng.nextInt(4500)) }),
    () => ({ kind: 'babble', durationMicros: 500 + prng.nextInt(BABBLE_COVERED_MICROS - 500) }),
    () => ({ kind: 'sensor', sensor: 1 + prng.nextInt(3), mode: 'noise', value: 20, durationMicros: 1_000_000 }),
    () => ({ kind: 'channel-crash', channel: ch }),
    // Issue 14's covered sites (docs/FAULTS.md, "Coverage"): open fields drawn by the flight.
    () => ({ kind: 'compute-flip', channel: ch }),
    () => ({ kind: 'control-flow', channel: ch, mode: (['skip', 'repeat', 'jump', 'stale', 'wrong-branch'] as const)[prng.nextInt(5)] ?? 'skip' }),
    () => ({ kind: 'word-mbu', channel: ch, bits: 3 + prng.nextInt(6) }),
    () => ({ kind: 'stuck-bit', channel: ch }),
    () => ({ kind: 'decoder-upset', channel: ch }),
    () => ({ kind: 'voter-upset', lane: prng.nextInt(3) }),
    () => ({ kind: 'command-flip', lane: prng.nextInt(3) }),
    () => ({ kind: 'payload-corrupt', bits: 1 + prng.nextInt(4) }),
    () => ({ kind: 'sensor', sensor: 1 + prng.nextInt(3), mode: 'drift', value: 0.05, durationMicros: 2_000_000 }),
  ];
  return (kinds[prng.nextInt(kinds.length)] ?? (() => ({ kind: 'bus-corrupt' })))();
}

export function singleFaultProfile(fault: FaultSpec): FaultProfile {
  return { name: `single-${fault.kind}`, description: '', events: [{ atMicros: SINGLE_FAULT_AT_S * 1e6, fault }], processes: [], seu: undefined };
}

/** Violations of the single-fault rule in `result` (empty: the rule holds). */
export function singleFaultViolations(fault: FaultSpec, result: FlightResult): string[] {
  const v: string[] = [];
  if (flightFails(result)) v.push(...result.failures);
  if (result.maxAttitudeErrorDeg > FLIGHT_ENVELOPE.attitudeErrorDegMax) v.push(`attitude error ${result.maxAttitudeErrorDeg}° beyond the envelope`);
  const target = 'channel' in fault ? fault.channel : undefined;
  for (const iso of result.isolations) {
    if (iso.channel !== target) v.push(`healthy channel ${iso.channel} isolated at ${iso.atS} s (${iso.reason})`);
  }
  const bound = isolationBoundMs(fault);
  if (bound !== undefined) {
    const first = result.isolations.find((i) => i.channel === target);
    // A clock jump the channel's own synchronisation takes back within the bound needs no isolation:
    // that is what the synchronisation is for (its outputs are judged against the twin above).
    const resynced = fault.kind === 'clock-jump' && result.faultList[0]?.fate === 'corrected' && result.faultList[0].detectedBy === 'clock-sync'
      && (result.faultList[0].detectionLatencyMs ?? Number.POSITIVE_INFINITY) <= bound;
    if (resynced) return v;
    if (first === undefined) v.push(`faulty channel ${target ?? '?'} never isolated`);
    else if ((first.atS - SINGLE_FAULT_AT_S) * 1000 > bound) v.push(`faulty channel isolated after ${Math.round((first.atS - SINGLE_FAULT_AT_S) * 1000)} ms (bound ${bound} ms)`);
  }
  return v;
}

/** The documented isolation bound (ms) for a fault whose channel must be isolated; undefined when none is required. */
export function isolationBoundMs(fault: FaultSpec): number | undefined {
  switch (fault.kind) {
    case 'channel-crash':
    case 'channel-hang': return ISOLATION_BOUND_MS;
    case 'wrong-command': return Math.abs(fault.offsetDeg) >= 2 ? ISOLATION_BOUND_MS : undefined;
    case 'clock-drift': return Math.abs(fault.ppm) >= CLOCK_DRIFT_MUST_ISOLATE_PPM ? CLOCK_ISOLATION_BOUND_MS : undefined;
    case 'clock-jump': return Math.abs(fault.jumpMicros) >= 1000 ? CLOCK_JUMP_BOUND_MS : undefined;
    default: return undefined;
  }
}

export function runSingleFault(seed: number, fault: FaultSpec, rig: Rig): { result: FlightResult; violations: string[] } {
  const flight = new Flight({ seed, durationS: SINGLE_FAULT_FLIGHT_S, rateHz: rig.rateHz, profile: singleFaultProfile(fault), rig });
  const result = flight.run();
  return { result, violations: singleFaultViolations(fault, result) };
}
