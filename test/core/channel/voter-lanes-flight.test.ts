/**
 * The lazy voter lanes against the eager ones, in whole flights (src/core/channel/voter-node.ts):
 * lanes 1 and 2 are forked from lane 0 only when a fault touches a lane, and dropped again when a
 * re-sync finds the three equal. That shortcut is only sound if a flight with it is the same
 * flight as one whose three lanes run from the start (`eagerVoterLanes: true`): the same result,
 * field for field, and the same voted command at every vote. And a fault-free flight with one
 * lane (the simplex voter) must vote exactly what three identical lanes force-vote.
 *
 * Each flight is short (6 s simulated, fault at 3 s) and seeded; the seed is in the test name
 * (replay one with `-t 'seed 7'`).
 */
import { describe, expect, test } from 'vitest';
import { NO_FAULTS, type FaultProfile, type FaultSpec } from '../../../src/core/fault/profile.js';
import { loadFlightRig } from '../../../src/io/loaders.js';
import { createFlight, type Flight, type FlightConfig, type FlightResult } from '../../../src/sim/flight.js';

const loaded = loadFlightRig(undefined);
if (!loaded.ok) throw new Error(loaded.error);
const rig = loaded.value;
const DURATION_S = 6;
const FAULT_AT_MICROS = 3_000_000;

function profile(name: string, faults: readonly FaultSpec[]): FaultProfile {
  return { name, description: '', events: faults.map((fault, i) => ({ atMicros: FAULT_AT_MICROS + i * 400_000, fault })), processes: [], seu: undefined };
}

interface Flown {
  readonly flight: Flight;
  readonly result: FlightResult;
  /** The voted command (deg, 4 actuators) of every vote, in order. */
  readonly votes: Float64Array;
}

function fly(seed: number, p: FaultProfile, extra: Partial<FlightConfig>): Flown {
  const votes = new Float64Array(DURATION_S * 250 * 4 + 16);
  let count = 0;
  const created = createFlight({
    seed, durationS: DURATION_S, rateHz: 250, profile: p, rig, ...extra,
    recordVote: (k, v) => {
      expect(k).toBe(count);
      votes.set(v.commandDeg.subarray(0, 4), 4 * k);
      count++;
    },
  });
  if (!created.ok) throw new Error(created.error);
  const result = created.value.run();
  expect(count).toBe(created.value.cycleCount);
  return { flight: created.value, result, votes: votes.subarray(0, 4 * count) };
}

/** First vote at which two vote records differ (−1: none), for a readable failure. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return Math.floor(i / 4);
  return -1;
}

/** Profiles that touch the voter lanes: every lane-state field, lanes 0 and 1, bits that matter, and lane command codes. */
const PROFILES: readonly FaultProfile[] = [
  profile('health', [{ kind: 'voter-upset', lane: 0, field: 'health', index: 1, bit: 1 }, { kind: 'voter-upset', lane: 1, field: 'health', index: 2, bit: 0 }]),
  profile('level', [{ kind: 'voter-upset', lane: 0, field: 'level', index: 1, bit: 30 }, { kind: 'voter-upset', lane: 1, field: 'level', index: 0, bit: 29 }]),
  profile('floats', [
    { kind: 'voter-upset', lane: 0, field: 'lastVoted', index: 0, bit: 62 },
    { kind: 'voter-upset', lane: 1, field: 'output', index: 2, bit: 62 },
    { kind: 'voter-upset', lane: 2, field: 'healthySince', index: 1, bit: 62 },
  ]),
  profile('counters', [{ kind: 'voter-upset', lane: 0, field: 'probation', index: 0, bit: 30 }, { kind: 'voter-upset', lane: 2, field: 'pairLevel', index: 0, bit: 30 }]),
  profile('command-flips', [
    { kind: 'command-flip', lane: 0, actuator: 0, bit: 14 },
    { kind: 'command-flip', lane: 1, actuator: 3, bit: 15 },
    { kind: 'command-flip', lane: 2, actuator: 1, bit: 9 },
  ]),
  // Open fields: the plan draws them from the seed (the same draw in both flights).
  profile('drawn', [{ kind: 'voter-upset', lane: 0 }, { kind: 'voter-upset', lane: 1 }, { kind: 'command-flip', lane: 2 }, { kind: 'voter-upset', lane: 2 }]),
  // A lane upset while a channel is isolated for its own fault: the lanes disagree about a real isolation.
  { name: 'with-channel-fault', description: '', processes: [], seu: undefined, events: [
    { atMicros: 2_000_000, fault: { kind: 'wrong-command', channel: 'B', offsetDeg: 10, durationMicros: 1_000_000 } },
    { atMicros: 2_100_000, fault: { kind: 'voter-upset', lane: 0, field: 'health', index: 1, bit: 0 } },
    { atMicros: 2_100_000, fault: { kind: 'voter-upset', lane: 1, field: 'probation', index: 1, bit: 3 } },
  ] },
];

const SEEDS = [3, 7, 11];

describe('lazy voter lanes = eager voter lanes (whole flights)', () => {
  test.each(PROFILES.flatMap((p) => SEEDS.map((seed) => [p.name, seed, p] as const)))('%s, seed %i: same result and the same voted command at every vote', (_name, seed, p) => {
    const lazy = fly(seed, p, {});
    const eager = fly(seed, p, { eagerVoterLanes: true });
    expect(lazy.result.faults.injected).toBe(p.events.length);
    expect(firstDifference(lazy.votes, eager.votes), 'first vote that differs').toBe(-1);
    expect(JSON.stringify(lazy.result)).toBe(JSON.stringify(eager.result));
    const l = lazy.flight.voterNode;
    const e = eager.flight.voterNode;
    expect([l.laneResyncs, l.laneDisagreements]).toEqual([e.laneResyncs, e.laneDisagreements]);
    // The faults really made the lanes differ (a re-sync, a force-vote disagreement, or lanes still
    // forked at the end), or the comparison would be of two flights the shortcut never touched.
    expect(l.laneResyncs > 0 || l.laneDisagreements > 0 || l.lanesRunning === 3).toBe(true);
  });

  test('the comparison has power: the lazy node did fork for a lane upset and dropped its forks after the re-sync (seed 7)', () => {
    const p = profile('health', [{ kind: 'voter-upset', lane: 1, field: 'health', index: 0, bit: 1 }]);
    const created = createFlight({ seed: 7, durationS: DURATION_S, rateHz: 250, profile: p, rig });
    if (!created.ok) throw new Error(created.error);
    const f = created.value;
    expect(f.voterNode.lanesRunning).toBe(1);
    f.runCycles(Math.round((FAULT_AT_MICROS / 1e6) * 250) + 1);
    expect(f.voterNode.lanesRunning).toBe(3);
    f.runCycles(f.cycleCount);
    expect(f.voterNode.laneResyncs).toBeGreaterThan(0);
    expect(f.voterNode.lanesRunning).toBe(1);
  });
});

describe('the force voter of three identical lanes is the identity', () => {
  test.each([1, 5, 9])('fault-free, seed %i: one lane and three lanes vote byte-identical commands', (seed) => {
    const simplex = fly(seed, NO_FAULTS, { voterLanes: 1 });
    const triplex = fly(seed, NO_FAULTS, { voterLanes: 3 });
    const eager = fly(seed, NO_FAULTS, { voterLanes: 3, eagerVoterLanes: true });
    expect(simplex.votes.some((x) => x !== 0)).toBe(true);
    expect(firstDifference(simplex.votes, triplex.votes), 'simplex vs lazy triplex').toBe(-1);
    expect(firstDifference(simplex.votes, eager.votes), 'simplex vs eager triplex').toBe(-1);
    expect(JSON.stringify(simplex.result)).toBe(JSON.stringify(triplex.result));
    expect(eager.flight.voterNode.laneDisagreements).toBe(0);
  });

  test('must fail: the same lane command flip separates one lane from three (seed 1)', () => {
    const p = profile('flip', [{ kind: 'command-flip', lane: 0, actuator: 0, bit: 14 }]);
    const simplex = fly(1, p, { voterLanes: 1 });
    const triplex = fly(1, p, { voterLanes: 3 });
    const k = firstDifference(simplex.votes, triplex.votes);
    expect(k).toBe(Math.round((FAULT_AT_MICROS / 1e6) * 250));
    expect(Math.abs((simplex.votes[4 * k] ?? 0) - (triplex.votes[4 * k] ?? 0))).toBeGreaterThan(20);
  });
});
