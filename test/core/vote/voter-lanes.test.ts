import { describe, expect, it } from 'vitest';
import {
  ActuatorVoter,
  defaultVoterConfig,
  VOTER_ALARM_FAILSAFE,
  VOTER_ALARM_PAIR_DISAGREE,
  VOTER_ALARM_SINGLE,
  VOTER_STATE_FIELDS,
  type StateTransferFailure,
  type VoterConfig,
  type VoterStateField,
} from '../../../src/core/vote/voter.js';

const PERIOD_MICROS = 4_000;
const CYCLES = 600;
type Cmd = readonly number[] | null | 'invalid';

/** What the runtime does to every lane in one minor frame. */
interface Frame {
  readonly cmds: readonly Cmd[];
  readonly report?: number;
  readonly clear?: number;
}

/** Short periods so that a few hundred cycles see isolation, failed transfer, reintegration. */
function laneConfig(overrides: Partial<VoterConfig> = {}): VoterConfig {
  return { ...defaultVoterConfig(3, 2), healthyPeriodMicros: 200_000, probationCycles: 10, ...overrides };
}

/**
 * The scripted flight: slowly moving commands with small per-channel offsets; channel 1
 * miscompares (40–59), channel 2 goes silent (100–119: single mode), every channel is silent
 * for three cycles (250–252: fail-safe hold, not long enough to time out), channel 0 is reported faulty (300–319), channel 2
 * sends corrupt frames (400–429), channel 1 disagrees in pair mode
 * (460–499: latched fail-safe after pairTrip cycles).
 */
function frame(k: number): Frame {
  const u = 0.1 + 0.05 * Math.sin(k / 20);
  const v = -0.2 + 0.03 * Math.cos(k / 15);
  const cmds: Cmd[] = [[u, v], [u + 0.002, v - 0.001], [u - 0.001, v + 0.002]];
  if (k >= 40 && k < 60) cmds[1] = [u + 0.06, v];
  if (k >= 100 && k < 120) cmds[2] = null;
  if (k >= 250 && k < 253) cmds.fill(null);
  if (k >= 400 && k < 430) cmds[2] = 'invalid';
  if (k >= 460 && k < 500) cmds[1] = [u + 0.05, v];
  if (k === 300) return { cmds, report: 0 };
  if (k === 320) return { cmds, clear: 0 };
  return { cmds };
}

/** Transfer outcomes by attempt: the first is refused (no majority), later ones succeed. */
function transferOutcome(attempt: number): boolean | StateTransferFailure {
  return attempt === 0 ? 'sources_disagree' : true;
}

/** One voter lane with its own StateTransferPort stub (deterministic in its call sequence). */
class Lane {
  readonly voter: ActuatorVoter;
  readonly transfers: number[] = [];

  constructor(cfg: VoterConfig) {
    this.voter = new ActuatorVoter(cfg, {
      requestStateTransfer: (channel) => {
        const outcome = transferOutcome(this.transfers.length);
        this.transfers.push(channel);
        return outcome;
      },
    });
  }

  /** Feeds one frame at `nowMicros` and votes; returns the status word. */
  step(f: Frame, nowMicros: number): number {
    if (f.report !== undefined) this.voter.reportFault(f.report);
    if (f.clear !== undefined) this.voter.clearFault(f.clear);
    f.cmds.forEach((cmd, c) => {
      if (cmd === 'invalid') this.voter.markInvalid(c);
      else if (cmd !== null) this.voter.setCommand(c, cmd, nowMicros);
    });
    return this.voter.vote(nowMicros);
  }

  runTo(fromCycle: number, toCycle: number, make: (k: number) => Frame = frame): void {
    for (let k = fromCycle; k < toCycle; k++) this.step(make(k), k * PERIOD_MICROS);
  }
}

function healthOf(voter: ActuatorVoter): string[] {
  return [0, 1, 2].map((c) => voter.channelHealth(c));
}

/** Everything a lane shows the outside, for a lockstep comparison. */
function observable(voter: ActuatorVoter): unknown {
  return {
    output: Array.from(voter.output),
    mode: voter.mode,
    health: healthOf(voter),
    levels: [0, 1, 2].map((c) => voter.monitorLevel(c)),
    isolations: [0, 1, 2].map((c) => voter.isolationCount(c)),
    totalEvents: voter.events.totalCount,
    dropped: voter.events.droppedCount,
  };
}

/** A lane with a different history: it must not look like the lane it will copy. */
function divergentLane(cfg: VoterConfig): Lane {
  const lane = new Lane(cfg);
  lane.runTo(0, 80, (k) => ({ cmds: [k % 7 === 0 ? null : [0.5, 0.5], [0.4, -0.4], k > 30 ? 'invalid' : [0.45, 0]] }));
  return lane;
}

describe('ActuatorVoter lanes: copyStateFrom', () => {
  for (const eventCapacity of [256, 4]) {
    for (const copyAt of [0, 42, 97, 251, 305, 465, 490, 505]) {
      it(`a lane copied at cycle ${copyAt} (event ring ${eventCapacity}) stays in lockstep: outputs, status words, events`, () => {
        const cfg = laneConfig({ eventCapacity });
        const a = new Lane(cfg);
        a.runTo(0, copyAt);
        const b = divergentLane(cfg);
        expect(b.voter.stateFingerprint()).not.toBe(a.voter.stateFingerprint());
        b.voter.copyStateFrom(a.voter);
        // The transfer stubs are the runtime's, not voter state: give B's stub A's history.
        b.transfers.splice(0, b.transfers.length, ...a.transfers);
        expect(b.voter.stateFingerprint()).toBe(a.voter.stateFingerprint());
        expect(b.voter.events.list()).toEqual(a.voter.events.list());
        expect(observable(b.voter)).toEqual(observable(a.voter));
        for (let k = copyAt; k < CYCLES; k++) {
          const statusA = a.step(frame(k), k * PERIOD_MICROS);
          const statusB = b.step(frame(k), k * PERIOD_MICROS);
          expect(statusB, `cycle ${k}`).toBe(statusA);
          expect(observable(b.voter), `cycle ${k}`).toEqual(observable(a.voter));
          expect(b.voter.stateFingerprint(), `cycle ${k}`).toBe(a.voter.stateFingerprint());
        }
        expect(b.voter.events.list()).toEqual(a.voter.events.list());
        expect(b.voter.events.totalCount).toBe(a.voter.events.totalCount);
        expect(b.transfers).toEqual(a.transfers);
      });
    }
  }

  it('the scripted flight exercises isolation, a refused transfer, reintegration, single, pair and fail-safe', () => {
    const lane = new Lane(laneConfig());
    let alarms = 0;
    for (let k = 0; k < CYCLES; k++) alarms |= lane.step(frame(k), k * PERIOD_MICROS);
    expect(alarms & VOTER_ALARM_SINGLE).not.toBe(0);
    expect(alarms & VOTER_ALARM_PAIR_DISAGREE).not.toBe(0);
    expect(alarms & VOTER_ALARM_FAILSAFE).not.toBe(0);
    const seen = new Set(lane.voter.events.list().map((e) => `${e.kind}/${e.reason}`));
    for (const want of [
      'isolated/miscompare', 'isolated/timeout', 'isolated/external', 'isolated/invalid', 'transfer_failed/sources_disagree',
      'reintegrating/healthy_period', 'reintegrated/probation_passed', 'failsafe_entered/no_channels', 'failsafe_entered/pair_disagree', 'failsafe_exited/recovered',
    ]) expect(seen.has(want), want).toBe(true);
    expect(healthOf(lane.voter)).toEqual(['active', 'active', 'active']);
    expect(lane.voter.mode).toBe('vote');
  });

  it('lanes built alike and fed alike have equal fingerprints every cycle, and the fingerprint tracks the state', () => {
    const lanes = [0, 1, 2].map(() => new Lane(laneConfig()));
    const distinct = new Set<number>();
    for (let k = 0; k < CYCLES; k++) {
      const statuses = lanes.map((lane) => lane.step(frame(k), k * PERIOD_MICROS));
      const prints = lanes.map((lane) => lane.voter.stateFingerprint());
      expect(new Set(statuses).size, `cycle ${k}`).toBe(1);
      expect(new Set(prints).size, `cycle ${k}`).toBe(1);
      distinct.add(prints[0]!);
    }
    // The commands move every cycle, so the state (and its hash) does too.
    expect(distinct.size).toBeGreaterThan(CYCLES * 0.95);
  });

  it('a lane hit by an upset diverges; the fingerprint shows it and copyStateFrom from a majority lane resynchronises it', () => {
    const lanes = [0, 1, 2].map(() => new Lane(laneConfig()));
    for (let k = 0; k < 200; k++) for (const lane of lanes) lane.step(frame(k), k * PERIOD_MICROS);
    const [a, b, c] = lanes as [Lane, Lane, Lane];
    // Bit 20 of channel 0's persistence counter: the lane believes channel 0 miscompared for ever.
    c.voter.upsetState('level', 0, 20);
    expect(c.voter.stateFingerprint()).not.toBe(a.voter.stateFingerprint());
    const statusA = a.step(frame(200), 200 * PERIOD_MICROS);
    b.step(frame(200), 200 * PERIOD_MICROS);
    const statusC = c.step(frame(200), 200 * PERIOD_MICROS);
    expect(c.voter.channelHealth(0)).toBe('isolated');
    expect(a.voter.channelHealth(0)).toBe('active');
    expect(statusC).not.toBe(statusA);
    const prints = lanes.map((lane) => lane.voter.stateFingerprint());
    expect(prints[0]).toBe(prints[1]);
    expect(prints[2]).not.toBe(prints[0]);
    c.voter.copyStateFrom(a.voter);
    c.transfers.splice(0, c.transfers.length, ...a.transfers);
    for (let k = 201; k < CYCLES; k++) {
      const statuses = lanes.map((lane) => lane.step(frame(k), k * PERIOD_MICROS));
      expect(new Set(statuses).size, `cycle ${k}`).toBe(1);
      expect(new Set(lanes.map((lane) => lane.voter.stateFingerprint())).size, `cycle ${k}`).toBe(1);
      expect(Array.from(c.voter.output)).toEqual(Array.from(a.voter.output));
    }
    expect(c.voter.events.list()).toEqual(a.voter.events.list());
  });

  it('rejects a lane of another configuration', () => {
    const lane = new Lane(laneConfig());
    expect(() => { lane.voter.copyStateFrom(new Lane(laneConfig({ channelCount: 4 })).voter); }).toThrow(/count differs/);
    expect(() => { lane.voter.copyStateFrom(new ActuatorVoter(defaultVoterConfig(3, 3), { requestStateTransfer: () => true })); }).toThrow(/count differs/);
    expect(() => { lane.voter.copyStateFrom(new Lane(laneConfig({ thresholds: [0.02, 0.03] })).voter); }).toThrow(/configuration differs/);
    expect(() => { lane.voter.copyStateFrom(new Lane(laneConfig({ eventCapacity: 8 })).voter); }).toThrow(/configuration differs/);
  });
});

/** A voter part-way through the scripted flight (at 150: channel 2 isolated, channel 1 reintegrating). */
function midFlight(cycles = 150): Lane {
  const lane = new Lane(laneConfig());
  lane.runTo(0, cycles);
  return lane;
}

function expectedLength(field: VoterStateField, channels: number, actuators: number): number {
  if (field === 'pairLevel') return 1;
  return field === 'output' || field === 'lastVoted' ? actuators : channels;
}

describe('ActuatorVoter lanes: upsetState and the fingerprint', () => {
  it('enumerates its state fields: lengths per channel or actuator, bits per element', () => {
    expect(VOTER_STATE_FIELDS).toEqual(['health', 'level', 'output', 'lastVoted', 'probation', 'healthySince', 'pairLevel']);
    const bits = { health: 8, level: 32, output: 64, lastVoted: 64, probation: 32, healthySince: 64, pairLevel: 32 };
    const cfg = defaultVoterConfig(4, 3);
    const voter = new ActuatorVoter(cfg, { requestStateTransfer: () => true });
    for (const field of VOTER_STATE_FIELDS) {
      expect(ActuatorVoter.stateFieldLength(field, cfg), field).toBe(expectedLength(field, 4, 3));
      expect(voter.stateFieldLength(field), field).toBe(expectedLength(field, 4, 3));
      expect(ActuatorVoter.stateFieldBits(field), field).toBe(bits[field]);
      expect(voter.stateFieldBits(field), field).toBe(bits[field]);
    }
  });

  it('every single flipped state bit changes the fingerprint; flipping it back restores it (health: decoded to another valid state)', () => {
    const base = midFlight().voter;
    expect(healthOf(base)).toEqual(['active', 'reintegrating', 'isolated']);
    const basePrint = base.stateFingerprint();
    const copy = new Lane(laneConfig()).voter;
    let cases = 0;
    for (const field of VOTER_STATE_FIELDS) {
      for (let index = 0; index < base.stateFieldLength(field); index++) {
        for (let bit = 0; bit < base.stateFieldBits(field); bit++) {
          copy.copyStateFrom(base);
          copy.upsetState(field, index, bit);
          const where = `${field}[${index}] bit ${bit}`;
          expect(copy.stateFingerprint(), where).not.toBe(basePrint);
          if (field === 'health') {
            expect(copy.channelHealth(index), where).not.toBe(base.channelHealth(index));
          } else {
            copy.upsetState(field, index, bit);
            expect(copy.stateFingerprint(), where).toBe(basePrint);
          }
          cases++;
        }
      }
    }
    // 3 channels × (8 + 32 + 32 + 64) + 2 actuators × (64 + 64) + 32.
    expect(cases).toBe(3 * (8 + 32 + 32 + 64) + 2 * 128 + 32);
  });

  it('health codes decode to one of the five states (code mod 5): a flip can even revive a failed channel', () => {
    const voter = midFlight().voter;
    const names = ['active', 'suspect', 'isolated', 'reintegrating', 'failed'];
    const before = names.indexOf(voter.channelHealth(2));
    expect(voter.channelHealth(2)).toBe('isolated');
    voter.upsetState('health', 2, 7); // 2 ^ 128 = 130 → 130 mod 5 = 0
    expect(voter.channelHealth(2)).toBe(names[(before ^ 128) % 5]);
    expect(voter.channelHealth(2)).toBe('active');
    voter.declareFailed(0, 600_000);
    voter.upsetState('health', 0, 0); // 4 ^ 1 = 5 → 0
    expect(voter.channelHealth(0)).toBe('active');
  });

  it('output and lastVoted flip real IEEE-754 bits: sign, mantissa and exponent', () => {
    const voter = midFlight().voter;
    const value = voter.output[0]!;
    voter.upsetState('output', 0, 63);
    expect(voter.output[0]).toBe(-value);
    voter.upsetState('output', 0, 63);
    voter.upsetState('output', 0, 0);
    expect(voter.output[0]).not.toBe(value);
    expect(Math.abs(voter.output[0]! - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -52);
    voter.upsetState('output', 0, 0);
    voter.upsetState('output', 0, 62);
    expect(Math.abs(voter.output[0]!) > 1e300 || !Number.isFinite(voter.output[0]!)).toBe(true);
  });

  it('an upset output is rewritten by the next vote; an upset lastVoted heals after two votes in vote mode', () => {
    for (const field of ['output', 'lastVoted'] as const) {
      const clean = midFlight(200);
      const hit = midFlight(200);
      expect(hit.voter.mode).toBe('vote');
      hit.voter.upsetState(field, 1, 62);
      expect(hit.voter.stateFingerprint()).not.toBe(clean.voter.stateFingerprint());
      for (let k = 200; k < 202; k++) {
        expect(hit.step(frame(k), k * PERIOD_MICROS)).toBe(clean.step(frame(k), k * PERIOD_MICROS));
        expect(Array.from(hit.voter.output), `${field} cycle ${k}`).toEqual(Array.from(clean.voter.output));
        if (field === 'output') expect(hit.voter.stateFingerprint()).toBe(clean.voter.stateFingerprint());
      }
      expect(hit.voter.stateFingerprint(), field).toBe(clean.voter.stateFingerprint());
    }
  });

  it('in fail-safe hold the held command is lastVoted: an upset there goes out', () => {
    const clean = new Lane(laneConfig());
    const hit = new Lane(laneConfig());
    clean.runTo(0, 253);
    hit.runTo(0, 252);
    expect(hit.voter.mode).toBe('failsafe_hold');
    hit.voter.upsetState('lastVoted', 0, 51);
    hit.runTo(252, 253);
    expect(hit.voter.mode).toBe('failsafe_hold');
    expect(hit.voter.output[0]).not.toBe(clean.voter.output[0]);
    expect(hit.voter.output[1]).toBe(clean.voter.output[1]);
  });

  it('rejects a bad field, index or bit', () => {
    const voter = midFlight().voter;
    expect(() => { voter.upsetState('health', 3, 0); }).toThrow(/bad index/);
    expect(() => { voter.upsetState('output', 2, 0); }).toThrow(/bad index/);
    expect(() => { voter.upsetState('level', -1, 0); }).toThrow(/bad index/);
    expect(() => { voter.upsetState('health', 0, 8); }).toThrow(/bad bit/);
    expect(() => { voter.upsetState('probation', 0, 32); }).toThrow(/bad bit/);
    expect(() => { voter.upsetState('healthySince', 0, 64); }).toThrow(/bad bit/);
    expect(() => { voter.upsetState('lastVoted', 0, 1.5); }).toThrow(/bad bit/);
    expect(() => { voter.upsetState('pairLevel', 0, 32); }).toThrow(/bad bit/);
    expect(() => { voter.upsetState('bogus' as VoterStateField, 0, 0); }).toThrow();
  });
});
