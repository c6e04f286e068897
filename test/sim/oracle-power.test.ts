/**
 * The oracle is tested for power (issue 12): configurations that truly fail must be judged as
 * failing — by comparison with the golden twin, never by the mechanisms' own verdicts — and
 * configurations that truly pass must stay clean. Each must-fail case is named after what it
 * really is; the mutation test disables the voter's isolation and checks the oracle notices.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { decodeFaultProfile, NO_FAULTS, type FaultProfile, type FaultSpec } from '../../src/core/fault/profile.js';
import { ActuatorVoter } from '../../src/core/vote/voter.js';
import { Flight, type FlightConfig, type FlightResult } from '../../src/sim/flight.js';
import { flightFails } from '../../src/sim/report.js';
import { decodeRig } from '../../src/sim/rig.js';
import { RecordedTwin } from '../../src/sim/twin.js';

const decoded = decodeRig(readFileSync('hil/rigs/emulated.json', 'utf8'));
if (!decoded.ok) throw new Error('rig');
const rig = decoded.value;
const defaultProfile = decodeFaultProfile(JSON.parse(readFileSync('hil/scenarios/default.json', 'utf8')));
if (!defaultProfile.ok) throw new Error('default profile');

function profile(events: readonly (readonly [number, FaultSpec])[]): FaultProfile {
  return { name: 'power', description: '', events: events.map(([s, fault]) => ({ atMicros: s * 1e6, fault })), processes: [], seu: undefined };
}

function fly(p: FaultProfile, durationS: number, extra: Partial<FlightConfig> = {}, seed = 1): FlightResult {
  return new Flight({ seed, durationS, rateHz: rig.rateHz, profile: p, rig, ...extra }).run();
}

const gyroBias = (sensor: number): FaultSpec => ({ kind: 'sensor', sensor, mode: 'bias', value: 0.3 });
/** Three flipped data bits of one (39,32) word whose syndrome is a fourth bit's column: SEC-DED "corrects" it into a 4-bit error. */
const MISCORRECTED_BITS = [0, 1, 26] as const;
/** Word 5 holds the roll rate-loop gain (MEMORY_SLOT.rateKp). */
const RATE_KP_WORD = 5;

describe('must fail: each is judged as what it truly is', () => {
  test('common-mode gyro bias (all three IMUs, 0.3 rad/s): sdc — the consolidator sees three agreeing sensors', () => {
    const r = fly(profile([[2, gyroBias(1)], [2, gyroBias(2)], [2, gyroBias(3)]]), 12);
    expect(r.outcome).toBe('sdc');
    expect(r.twin?.maxAttitudeDeviationDeg).toBeGreaterThan(90);
    expect(flightFails(r)).toBe(true);
  });

  test('two of three gyros biased the same way: sdc (mid-value select follows the two)', () => {
    const r = fly(profile([[2, gyroBias(1)], [2, gyroBias(2)]]), 12);
    expect(r.outcome).toBe('sdc');
    expect(r.failures[0]).toMatch(/^sdc: fault 1 sensor on S2 at 2 s: command off the twin/);
  });

  test('two channels with the same wrong command (+10° on B and C for 1 s): sdc, although the voter blames healthy A', () => {
    const r = fly(profile([[5, { kind: 'wrong-command', channel: 'B', offsetDeg: 10, durationMicros: 1e6 }], [5, { kind: 'wrong-command', channel: 'C', offsetDeg: 10, durationMicros: 1e6 }]]), 10);
    expect(r.outcome).toBe('sdc');
    expect(r.twin?.maxCommandDeviationDeg).toBeGreaterThan(9);
    const first = r.twin?.episodes[0];
    expect(first?.announced).toBe(false);
    expect(first?.atS).toBeLessThan(5.01);
  });

  test('all three channels +10° for 1 s: sdc (output 10° off for the whole second)', () => {
    const events = (['A', 'B', 'C'] as const).map((channel) => [5, { kind: 'wrong-command', channel, offsetDeg: 10, durationMicros: 1e6 }] as const);
    const r = fly(profile(events), 10);
    expect(r.outcome).toBe('sdc');
    expect(r.twin?.episodes[0]?.votes).toBeGreaterThanOrEqual(240);
  });

  test('a 3-bit miscorrected word in two channels (roll rate gain of B and C), golden guard off: sdc, though the ECC counts it corrected', () => {
    const events = (['B', 'C'] as const).flatMap((channel) => MISCORRECTED_BITS.map((bit) => [5, { kind: 'memory-flip', channel, word: RATE_KP_WORD, bit }] as const));
    const r = fly(profile(events), 10, { goldenGuard: false });
    expect(r.outcome).toBe('sdc');
    // The mechanisms' own account: every flip "corrected" by SEC-DED — exactly what the oracle must not trust.
    expect(r.faults.corrected).toBeGreaterThanOrEqual(5);
    expect(r.twin?.maxAttitudeDeviationDeg).toBeGreaterThan(ATTITUDE_LOST_DEG);
  });

  test('the same words with the golden guard on (the default): repaired within a pass, so the sdc is brief, not a lost vehicle', () => {
    // Two channels wrong at once outvote the third until the guard's pass reaches the word: still an
    // sdc (the oracle must say so), but tens of votes instead of hundreds, and the attitude holds.
    const events = (['B', 'C'] as const).flatMap((channel) => MISCORRECTED_BITS.map((bit) => [5, { kind: 'memory-flip', channel, word: RATE_KP_WORD, bit }] as const));
    const r = fly(profile(events), 10);
    expect(r.outcome).toBe('sdc');
    const votes = (r.twin?.episodes ?? []).reduce((sum, e) => sum + e.votes, 0);
    expect(votes).toBeGreaterThan(0);
    expect(votes).toBeLessThan(60);
    expect(r.twin?.maxAttitudeDeviationDeg ?? 99).toBeLessThan(ATTITUDE_LOST_DEG);
  });

  test('a corruption after the voter (test hook, +10° on actuator 0 for 1 s): sdc, unattributed — no mechanism can see it', () => {
    const r = fly(NO_FAULTS, 8, { testHooks: { afterVote: (t, cmd) => { if (t >= 4e6 && t < 5e6) cmd[0] = (cmd[0] ?? 0) + 10; } } });
    expect(r.outcome).toBe('sdc');
    expect(r.faults.injected).toBe(0);
    expect(r.twin?.unattributedDeviations).toBe(1);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatch(/with no fault injected before it/);
  });

  test('a double fault after a detected crash (A crashes at 2 s, common-mode gyro bias at 6 s): sdc — the crash\'s alarms do not excuse it', () => {
    const r = fly(profile([[2, { kind: 'channel-crash', channel: 'A' }], [6, gyroBias(1)], [6, gyroBias(2)], [6, gyroBias(3)]]), 14);
    expect(r.outcome).toBe('sdc');
    expect(r.faultList[0]?.outcome).toBe('degraded');
    expect(r.failures.some((f) => f.startsWith('sdc: fault 3 sensor on S3 at 6 s'))).toBe(true);
  });
});

/** Beyond this the vehicle is off the twin's path (the envelope's attitude bound is 5°). */
const ATTITUDE_LOST_DEG = 20;

describe('must pass', () => {
  test('--faults none: masked, and the twin is met exactly (the same seed flies the same flight)', () => {
    const r = fly(NO_FAULTS, 10);
    expect(r.outcome).toBe('masked');
    expect(r.twin?.maxCommandDeviationDeg).toBe(0);
    expect(r.twin?.maxAttitudeDeviationDeg).toBe(0);
    expect(r.twin?.votesCompared).toBe(r.cycles);
    expect(flightFails(r)).toBe(false);
  });

  test('the default profile (seed 1, 60 s): no failure', () => {
    const r = fly(defaultProfile.value, 60);
    expect(r.failures).toEqual([]);
    expect(flightFails(r)).toBe(false);
    expect(r.twin?.maxCommandDeviationDeg).toBeLessThan(r.twin?.commandMarginDeg ?? 0);
  });

  // Each event of the default profile alone, moved to 2 s of a 6 s flight. Only the permanent
  // oscillator drift may end `degraded` (its channel is rightly out); no transient costs a channel.
  test.each(defaultProfile.value.events.map((e, i) => [i, e.fault.kind, e.fault] as const))('default profile event %i (%s) alone: no sdc, detected-unsafe or hang', (_i, kind, fault) => {
    const r = fly(profile([[2, fault]]), 6);
    expect(kind === 'clock-drift' ? ['masked', 'recovered', 'degraded'] : ['masked', 'recovered']).toContain(r.outcome);
    expect(r.failures).toEqual([]);
  });

  // Seed 31 of the default profile before the fix: C's permanent drift at 54 s took C out, and a
  // transient memory flip on B 0.4 s later took the blame ("a channel lost for good to a transient
  // fault", exit 1); seeds 13, 46, 49 the same with a later flip on C itself. A lost channel is
  // blamed on its own permanent fault first. (A 500 ppm drift is now re-admitted once C keeps time
  // through its own corrections, so this uses 3000 ppm, which C cannot keep up with.)
  test('a channel lost to its own permanent drift is not blamed on a later transient flip, on it or another channel', () => {
    const r = fly(profile([
      [2, { kind: 'clock-drift', channel: 'C', ppm: 3000 }],
      [2.1, { kind: 'memory-flip', channel: 'C', word: 3, bit: 7 }],
      [2.2, { kind: 'memory-flip', channel: 'B', word: 3, bit: 7 }],
    ]), 8);
    const lost = r.isolations.find((i) => i.channel === 'C');
    expect(lost?.atS).toBeGreaterThan(2.2); // both flips came before C left the vote
    const drift = r.faultList.find((f) => f.kind === 'clock-drift');
    const flips = r.faultList.filter((f) => f.kind === 'memory-flip');
    expect(drift?.outcome).toBe('degraded');
    expect(flips.map((f) => f.outcome)).not.toContain('degraded');
    expect(r.failures).toEqual([]);
    expect(flightFails(r)).toBe(false);
  });

  // Issue 13's "done when": before, seeds 3, 4, 8, 9, 10 ended with A lost to the 42 s clock jump
  // (exit 1) and every seed with C out after its 54 s drift. (Seeds 1–50 measured: all active.)
  test.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('the default profile, seed %i, 60 s: every channel active at the end, no failure', (seed) => {
    const r = fly(defaultProfile.value, 60, {}, seed);
    expect(Object.values(r.channels).map((c) => c.health)).toEqual(['active', 'active', 'active']);
    expect(r.failures).toEqual([]);
    expect(flightFails(r)).toBe(false);
  });

  test('a recorded twin judges exactly as the live twin does', () => {
    const events = (['B', 'C'] as const).flatMap((channel) => MISCORRECTED_BITS.map((bit) => [5, { kind: 'memory-flip', channel, word: RATE_KP_WORD, bit }] as const));
    const recorded = new RecordedTwin(1, 2500);
    fly(NO_FAULTS, 10, { twin: 'none', recordVote: (k, v) => { recorded.record(k, v); } });
    const live = fly(profile(events), 10);
    const fromRecord = fly(profile(events), 10, { twin: recorded });
    expect(fromRecord).toEqual(live);
  });
});

describe('mutation: the voter with its isolation disabled', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  test('the oracle reports failures the intact voter does not have', () => {
    const intact = fly(defaultProfile.value, 60);
    expect(flightFails(intact)).toBe(false);
    vi.spyOn(ActuatorVoter.prototype as unknown as { isolate: () => void }, 'isolate').mockImplementation(() => undefined);
    const mutant = fly(defaultProfile.value, 60);
    expect(mutant.isolations).toEqual([]);
    expect(flightFails(mutant)).toBe(true);
    expect(['sdc', 'detected-unsafe', 'hang']).toContain(mutant.outcome);
    expect(mutant.outcomes.sdc + mutant.outcomes['detected-unsafe'] + mutant.outcomes.hang).toBeGreaterThan(0);
  });
});
