import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ActuatorVoter,
  defaultVoterConfig,
  VOTER_ALARM_CHANNEL_FAILED,
  VOTER_ALARM_DEGRADED,
  VOTER_ALARM_FAILSAFE,
  VOTER_ALARM_PAIR_DISAGREE,
  VOTER_ALARM_SINGLE,
  VOTER_EVENT_RECORDED,
  VOTER_VOTING_MASK,
  type StateTransferFailure,
  type VoterConfig,
} from '../../../src/core/vote/voter.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { fcParams, testSeed } from '../../support/seed.js';

const PERIOD_MICROS = 4_000;
type Cmd = readonly number[] | null | 'invalid';

/** Drives a voter at 250 Hz and records the state-transfer requests the runtime would serve. */
class Rig {
  readonly voter: ActuatorVoter;
  readonly cfg: VoterConfig;
  readonly transfers: number[] = [];
  transferOk: boolean | StateTransferFailure = true;
  now = 0;

  constructor(channelCount = 3, overrides: Partial<VoterConfig> = {}, actuatorCount = 2) {
    this.cfg = { ...defaultVoterConfig(channelCount, actuatorCount), ...overrides };
    this.voter = new ActuatorVoter(this.cfg, {
      requestStateTransfer: (channel) => {
        this.transfers.push(channel);
        return this.transferOk;
      },
    });
  }

  step(cmds: readonly Cmd[]): number {
    cmds.forEach((cmd, c) => {
      if (cmd === 'invalid') this.voter.markInvalid(c);
      else if (cmd !== null) this.voter.setCommand(c, cmd, this.now);
    });
    const status = this.voter.vote(this.now);
    this.now += PERIOD_MICROS;
    return status;
  }

  /** Steps `cycles` times with commands from `make(k)`. */
  run(cycles: number, make: (k: number) => readonly Cmd[]): number {
    let status = 0;
    for (let k = 0; k < cycles; k++) status = this.step(make(k));
    return status;
  }

  health(): string[] {
    return Array.from({ length: this.cfg.channelCount }, (_, c) => this.voter.channelHealth(c));
  }
}

const good = [0.1, -0.2] as const;

describe('ActuatorVoter: masking and isolation', () => {
  it('masks a wrong-but-plausible command and isolates its channel after exactly miscompareTrip cycles', () => {
    const rig = new Rig();
    rig.run(10, () => [good, good, good]);
    const onsetMicros = rig.now;
    const wrong = [0.1 + 0.05, -0.2];
    let isolatedAt = -1;
    for (let k = 0; k < 10; k++) {
      rig.step([good, wrong, good]);
      expect([...rig.voter.output]).toEqual([...good]);
      if (isolatedAt < 0 && rig.voter.channelHealth(1) === 'isolated') isolatedAt = k;
      if (k < rig.cfg.miscompareTrip - 1) expect(rig.voter.channelHealth(1)).toBe('suspect');
    }
    expect(isolatedAt).toBe(rig.cfg.miscompareTrip - 1);
    const isolation = rig.voter.events.list().find((e) => e.kind === 'isolated');
    expect(isolation).toEqual({
      kind: 'isolated', channel: 1, reason: 'miscompare',
      atMicros: onsetMicros + (rig.cfg.miscompareTrip - 1) * PERIOD_MICROS,
      detectionLatencyMicros: (rig.cfg.miscompareTrip - 1) * PERIOD_MICROS,
    });
    expect(rig.voter.mode).toBe('pair');
    expect(rig.health()).toEqual(['active', 'isolated', 'active']);
  });

  it('an intermittent miscompare below 50 % duty never isolates; above it does (up/down counter)', () => {
    const rig = new Rig();
    rig.run(1_000, (k) => [good, k % 2 === 0 ? [0.5, -0.2] : good, good]);
    expect(rig.voter.channelHealth(1)).not.toBe('isolated');
    rig.run(100, (k) => [good, k % 3 !== 0 ? [0.5, -0.2] : good, good]);
    expect(rig.voter.channelHealth(1)).toBe('isolated');
  });

  it('small disagreement within threshold never isolates anyone (seeded noise, 20 000 cycles)', () => {
    const prng = new Prng(testSeed('voter noise'));
    const rig = new Rig();
    const half = rig.cfg.thresholds[0]! / 2;
    rig.run(20_000, (k) => {
      const base = 0.6 * Math.sin(k / 50);
      return [0, 1, 2].map(() => [base + prng.nextRange(-half / 2, half / 2), -base + prng.nextRange(-half / 2, half / 2)]);
    });
    expect(rig.health()).toEqual(['active', 'active', 'active']);
    expect(rig.voter.events.totalCount).toBe(0);
  });

  it('rate allowance: channels one frame apart during a fast ramp are not isolated', () => {
    const rig = new Rig();
    const slope = 0.025; // per frame: above the 0.02 absolute threshold
    rig.run(200, (k) => [[slope * k, 0], [slope * (k - 1), 0], [slope * k, 0]]);
    expect(rig.voter.channelHealth(1)).toBe('active');
    const strict = new Rig(3, { rateGain: 0 });
    strict.run(200, (k) => [[slope * k, 0], [slope * (k - 1), 0], [slope * k, 0]]);
    expect(strict.voter.channelHealth(1)).toBe('isolated');
  });

  it('isolates a silent channel after timeoutIsolateMicros (reason timeout), and one sending corrupt frames (reason invalid)', () => {
    const rig = new Rig();
    rig.run(5, () => [good, good, good]);
    const lastFresh = rig.now - PERIOD_MICROS;
    let k = 0;
    const seen = new Set<string>();
    while (rig.voter.channelHealth(2) !== 'isolated' && k++ < 100) {
      rig.step([good, 'invalid', null]);
      seen.add(rig.voter.channelHealth(2));
    }
    expect([...seen]).toEqual(['active', 'suspect', 'isolated']);
    const events = rig.voter.events.list();
    expect(events.map((e) => [e.channel, e.reason])).toEqual([[1, 'invalid'], [2, 'timeout']]);
    const latency = events[1]!.detectionLatencyMicros;
    expect(latency).toBeGreaterThan(rig.cfg.timeoutIsolateMicros);
    expect(latency).toBeLessThanOrEqual(rig.cfg.timeoutIsolateMicros + PERIOD_MICROS);
    expect(events[1]!.atMicros - lastFresh).toBe(latency);
    expect(rig.voter.mode).toBe('single');
  });

  it('isolates on an external fault report (e.g. clock sync) at the next vote', () => {
    const rig = new Rig();
    rig.step([good, good, good]);
    rig.voter.reportFault(0);
    rig.step([good, good, good]);
    expect(rig.voter.channelHealth(0)).toBe('isolated');
    expect(rig.voter.events.list()[0]).toMatchObject({ channel: 0, reason: 'external', detectionLatencyMicros: 0 });
    // While the report stands, no healthy period starts.
    rig.run(400, () => [good, good, good]);
    expect(rig.transfers).toEqual([]);
    rig.voter.clearFault(0);
    rig.run(300, () => [good, good, good]);
    expect(rig.transfers).toEqual([0]);
  });
});

describe('ActuatorVoter: reintegration', () => {
  /** Steps until channel 1 is isolated by its wrong commands; returns the isolation time. */
  function isolateChannel1(rig: Rig): number {
    for (let k = 0; k < 10 && rig.voter.channelHealth(1) !== 'isolated'; k++) rig.step([good, [0.9, 0.9], good]);
    expect(rig.voter.channelHealth(1)).toBe('isolated');
    return rig.now - PERIOD_MICROS;
  }

  it('after the healthy period: state transfer, probation, active again', () => {
    const rig = new Rig();
    const isolatedAt = isolateChannel1(rig);
    const transferAt = isolatedAt + rig.cfg.healthyPeriodMicros;
    while (rig.now < transferAt) rig.step([good, good, good]);
    expect(rig.transfers).toEqual([]);
    expect(rig.voter.channelHealth(1)).toBe('isolated');
    rig.step([good, good, good]);
    expect(rig.transfers).toEqual([1]);
    expect(rig.voter.channelHealth(1)).toBe('reintegrating');
    expect(rig.voter.mode).toBe('pair');
    rig.run(rig.cfg.probationCycles - 1, () => [good, good, good]);
    expect(rig.voter.channelHealth(1)).toBe('reintegrating');
    const status = rig.step([good, good, good]);
    expect(rig.voter.channelHealth(1)).toBe('active');
    expect(status & VOTER_EVENT_RECORDED).not.toBe(0);
    rig.step([good, good, good]);
    expect(rig.voter.mode).toBe('vote');
    const kinds = rig.voter.events.list().map((e) => [e.kind, e.reason, e.atMicros]);
    expect(kinds).toEqual([
      ['isolated', 'miscompare', isolatedAt],
      ['reintegrating', 'healthy_period', transferAt],
      ['reintegrated', 'probation_passed', transferAt + rig.cfg.probationCycles * PERIOD_MICROS],
    ]);
  });

  it('a failed state transfer (CRC mismatch) keeps the channel isolated; repeated failures fail it', () => {
    const rig = new Rig();
    isolateChannel1(rig);
    rig.transferOk = false;
    const periodCycles = rig.cfg.healthyPeriodMicros / PERIOD_MICROS;
    rig.run(periodCycles + 1, () => [good, good, good]);
    expect(rig.transfers).toEqual([1]);
    expect(rig.voter.channelHealth(1)).toBe('isolated');
    rig.run(periodCycles * (rig.cfg.transferAttemptsMax - 1), () => [good, good, good]);
    expect(rig.transfers).toEqual(new Array<number>(rig.cfg.transferAttemptsMax).fill(1));
    expect(rig.voter.channelHealth(1)).toBe('failed');
    const status = rig.step([good, good, good]);
    expect(status & VOTER_ALARM_CHANNEL_FAILED).not.toBe(0);
    expect(rig.voter.events.list().map((e) => e.kind)).toEqual(['isolated', 'transfer_failed', 'transfer_failed', 'transfer_failed', 'failed']);
  });

  it('a transfer refused for its sources (no majority, no source) is a failed transfer with that reason, and the voter retries', () => {
    const rig = new Rig();
    isolateChannel1(rig);
    const periodCycles = rig.cfg.healthyPeriodMicros / PERIOD_MICROS;
    rig.transferOk = 'sources_disagree';
    rig.run(periodCycles + 1, () => [good, good, good]);
    expect(rig.voter.channelHealth(1)).toBe('isolated');
    rig.transferOk = 'no_source';
    rig.run(periodCycles, () => [good, good, good]);
    rig.transferOk = true;
    rig.run(periodCycles, () => [good, good, good]);
    expect(rig.transfers).toEqual([1, 1, 1]);
    expect(rig.voter.channelHealth(1)).toBe('reintegrating');
    expect(rig.voter.events.list().map((e) => `${e.kind}:${e.reason}`)).toEqual([
      'isolated:miscompare', 'transfer_failed:sources_disagree', 'transfer_failed:no_source', 'reintegrating:healthy_period',
    ]);
  });

  it('a transfer the receiver rejects after the vote (a board\'s VERIFY): back to isolated and counted, failed at transferAttemptsMax', () => {
    const rig = new Rig();
    isolateChannel1(rig);
    const periodCycles = rig.cfg.healthyPeriodMicros / PERIOD_MICROS;
    for (let attempt = 1; attempt <= rig.cfg.transferAttemptsMax; attempt++) {
      rig.run(periodCycles + 1, () => [good, good, good]);
      expect(rig.voter.channelHealth(1)).toBe('reintegrating');
      rig.voter.reportTransferFailed(1, rig.now);
      expect(rig.voter.channelHealth(1)).toBe(attempt < rig.cfg.transferAttemptsMax ? 'isolated' : 'failed');
    }
    expect(rig.voter.events.list().map((e) => `${e.kind}:${e.reason}`).slice(-3)).toEqual(['reintegrating:healthy_period', 'transfer_failed:crc_mismatch', 'failed:transfer_attempts_max']);
    expect(rig.voter.isolationCount(1)).toBe(1); // a rejected transfer is not another isolation
    // Ignored unless the channel is reintegrating.
    const other = new Rig();
    other.run(5, () => [good, good, good]);
    other.voter.reportTransferFailed(0, other.now);
    expect(other.health()).toEqual(['active', 'active', 'active']);
    expect(other.voter.events.list()).toEqual([]);
  });

  // Issue 13: the reintegration budget is per window. Before, every isolation counted for ever, so
  // three transients over a long flight (an hour of soak) cost a channel for good.
  describe('the reintegration budget: isolationsMax isolations within isolationWindowMicros', () => {
    /** Isolates channel 1 (an outside fault report) at each of `atS`, letting it reintegrate between. */
    function isolateAt(rig: Rig, atS: readonly number[]): void {
      for (const t of atS) {
        while (rig.now < t * 1e6) rig.step([good, good, good]);
        rig.voter.reportFault(1);
        rig.step([good, good, good]);
        rig.voter.clearFault(1);
      }
      rig.run(2 * rig.cfg.healthyPeriodMicros / PERIOD_MICROS, () => [good, good, good]);
    }

    it('three isolations spread over more than the window: reintegrated each time, active at the end', () => {
      const rig = new Rig(3, { isolationWindowMicros: 60e6 });
      isolateAt(rig, [1, 35, 70]);
      expect(rig.voter.isolationCount(1)).toBe(3);
      expect(rig.health()).toEqual(['active', 'active', 'active']);
    });

    it('must fail: the same three within one window fail the channel for good (alarmed)', () => {
      const rig = new Rig(3, { isolationWindowMicros: 60e6 });
      isolateAt(rig, [1, 20, 40]);
      expect(rig.voter.channelHealth(1)).toBe('failed');
      expect(rig.step([good, good, good]) & VOTER_ALARM_CHANNEL_FAILED).not.toBe(0);
      expect(rig.voter.events.list().at(-1)).toMatchObject({ kind: 'failed', reason: 'isolations_max' });
    });

    it('an unbounded window: every isolation counts for ever, as before', () => {
      const rig = new Rig(3, { isolationWindowMicros: Number.POSITIVE_INFINITY });
      isolateAt(rig, [1, 35, 70]);
      expect(rig.voter.channelHealth(1)).toBe('failed');
    });
  });

  it('a channel that miscompares in probation goes back to isolated; isolationsMax isolations fail it for good', () => {
    const rig = new Rig();
    isolateChannel1(rig);
    const periodCycles = rig.cfg.healthyPeriodMicros / PERIOD_MICROS;
    for (let i = 1; i < rig.cfg.isolationsMax; i++) {
      let k = 0;
      while (rig.voter.channelHealth(1) === 'isolated' && k++ <= periodCycles) rig.step([good, [0.9, 0.9], good]);
      expect(rig.voter.channelHealth(1)).toBe('reintegrating');
      rig.step([good, [0.9, 0.9], good]);
    }
    expect(rig.voter.channelHealth(1)).toBe('failed');
    const reasons = rig.voter.events.list().map((e) => `${e.kind}:${e.reason}`);
    expect(reasons).toEqual([
      'isolated:miscompare',
      'reintegrating:healthy_period', 'isolated:probation_miscompare',
      'reintegrating:healthy_period', 'isolated:probation_miscompare', 'failed:isolations_max',
    ]);
    rig.run(periodCycles * 2, () => [good, good, good]);
    expect(rig.voter.channelHealth(1)).toBe('failed');
  });

  it('declareFailed fails a channel for good', () => {
    const rig = new Rig();
    rig.voter.declareFailed(2, 0);
    rig.run(1_000, () => [good, good, good]);
    expect(rig.voter.channelHealth(2)).toBe('failed');
    expect(rig.voter.events.list()).toEqual([{ kind: 'failed', channel: 2, reason: 'declared', atMicros: 0, detectionLatencyMicros: 0 }]);
  });
});

describe('ActuatorVoter: degraded modes and fail-safe', () => {
  it('3 → 2 → 1 → fail-safe (hold, then the safe command) → recovery', () => {
    const rig = new Rig(3, { safeCommand: [0, 0.05] });
    let status = rig.run(5, () => [good, good, good]);
    expect(rig.voter.mode).toBe('vote');
    expect(status & (VOTER_VOTING_MASK | VOTER_ALARM_DEGRADED)).toBe(0b111);

    status = rig.run(5, () => [good, good, null]);
    expect(rig.voter.mode).toBe('pair');
    expect(status & VOTER_ALARM_DEGRADED).not.toBe(0);
    expect([...rig.voter.output]).toEqual([...good]);

    status = rig.run(5, () => [[0.12, -0.2], null, null]);
    expect(rig.voter.mode).toBe('single');
    expect(status & VOTER_ALARM_SINGLE).not.toBe(0);
    expect([...rig.voter.output]).toEqual([0.12, -0.2]);

    const lostAt = rig.now;
    let k = 0;
    for (; k < 100 && rig.voter.mode !== 'failsafe_hold'; k++) rig.step([null, null, null]);
    expect(rig.voter.mode).toBe('failsafe_hold');
    const enteredAt = rig.now - PERIOD_MICROS;
    expect(enteredAt - lostAt).toBeGreaterThan(rig.cfg.stalenessTimeoutMicros - PERIOD_MICROS);
    expect([...rig.voter.output]).toEqual([0.12, -0.2]);
    while (rig.now - enteredAt <= rig.cfg.failSafeHoldMicros) {
      status = rig.step([null, null, null]);
      expect(status & VOTER_ALARM_FAILSAFE).not.toBe(0);
      expect(rig.voter.mode).toBe('failsafe_hold');
    }
    status = rig.step([null, null, null]);
    expect(rig.voter.mode).toBe('failsafe');
    expect(status & VOTER_ALARM_FAILSAFE).not.toBe(0);
    expect([...rig.voter.output]).toEqual([0, 0.05]);

    const events = rig.voter.events.list();
    expect(events.filter((e) => e.kind === 'failsafe_entered')).toEqual([
      { kind: 'failsafe_entered', channel: -1, reason: 'no_channels', atMicros: enteredAt, detectionLatencyMicros: 0 },
    ]);
    // All three come back: healthy period, state transfer, probation against each other.
    rig.run(rig.cfg.healthyPeriodMicros / PERIOD_MICROS + rig.cfg.probationCycles + 2, () => [good, good, good]);
    expect(rig.health()).toEqual(['active', 'active', 'active']);
    expect(rig.voter.mode).toBe('vote');
    expect(rig.voter.events.list().at(-1)).toMatchObject({ kind: 'failsafe_exited', reason: 'recovered' });
  });

  it('pair rule: mean when agreeing; nearer the last vote when not; latched fail-safe after pairTrip', () => {
    const rig = new Rig(2);
    rig.step([[0.1, 0.1], [0.11, 0.1]]);
    expect(rig.voter.output[0]).toBeCloseTo(0.105, 12);
    let status = rig.step([[0.1, 0.1], [0.4, 0.1]]);
    expect(rig.voter.output[0]).toBe(0.1);
    expect(status & VOTER_ALARM_PAIR_DISAGREE).not.toBe(0);
    expect(rig.voter.mode).toBe('pair');
    rig.run(rig.cfg.pairTrip - 2, () => [[0.1, 0.1], [0.4, 0.1]]);
    expect(rig.voter.mode).toBe('pair');
    status = rig.step([[0.1, 0.1], [0.4, 0.1]]);
    expect(rig.voter.mode).toBe('failsafe_hold');
    expect(status & VOTER_ALARM_FAILSAFE).not.toBe(0);
    expect(rig.voter.events.list().at(-1)).toMatchObject({ kind: 'failsafe_entered', reason: 'pair_disagree' });
    expect(rig.health()).toEqual(['active', 'active']);
    // Agreement must be restored for pairTrip cycles before the pair drives the actuators again.
    rig.run(rig.cfg.pairTrip - 1, () => [[0.1, 0.1], [0.1, 0.1]]);
    expect(rig.voter.mode).toBe('failsafe');
    rig.step([[0.1, 0.1], [0.1, 0.1]]);
    expect(rig.voter.mode).toBe('pair');
    expect(rig.voter.output[0]).toBe(0.1);
  });

  it('4 channels: mean of the middle two, one faulty isolated, then 3-channel median', () => {
    const rig = new Rig(4);
    rig.step([[0.1, 0], [0.11, 0], [0.12, 0], [0.13, 0]]);
    expect(rig.voter.output[0]).toBeCloseTo(0.115, 12);
    for (let k = 0; k < rig.cfg.miscompareTrip; k++) {
      rig.step([[0.1, 0], [0.11, 0], [0.12, 0], [-0.7, 0]]);
      expect(rig.voter.output[0]).toBeCloseTo(0.105, 12);
    }
    expect(rig.health()).toEqual(['active', 'active', 'active', 'isolated']);
    rig.step([[0.1, 0], [0.11, 0], [0.12, 0], [-0.7, 0]]);
    expect(rig.voter.mode).toBe('vote');
    expect(rig.voter.output[0]).toBe(0.11);
  });

  it('the event ring is bounded and counts what it dropped', () => {
    const rig = new Rig(3, { eventCapacity: 2, isolationsMax: 1000, healthyPeriodMicros: 0, probationCycles: 1 });
    rig.run(200, (k) => [good, k % 8 < 6 ? [0.9, 0.9] : good, good]);
    expect(rig.voter.events.list()).toHaveLength(2);
    expect(rig.voter.events.totalCount).toBeGreaterThan(2);
    expect(rig.voter.events.droppedCount).toBe(rig.voter.events.totalCount - 2);
  });

  it('rejects bad configurations and bad channel indices', () => {
    expect(() => new Rig(5)).toThrow(/channelCount/);
    expect(() => new Rig(3, { thresholds: [0.02] })).toThrow(/threshold/);
    expect(() => new Rig(3, { timeoutIsolateMicros: 1 })).toThrow(/timeoutIsolateMicros/);
    expect(() => { new Rig().voter.setCommand(3, good, 0); }).toThrow(/bad channel/);
  });
});

describe('ActuatorVoter properties', () => {
  it('with any single faulty channel the output stays within the healthy range and no healthy channel is isolated', () => {
    const arbitrary = fc.record({
      channelCount: fc.constantFrom(3, 4),
      faulty: fc.nat(3),
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
      mode: fc.constantFrom('random', 'wild', 'silent', 'bias', 'flicker'),
    });
    fc.assert(fc.property(arbitrary, ({ channelCount, faulty: f, seed, mode }) => {
      const faulty = f % channelCount;
      const rig = new Rig(channelCount, { healthyPeriodMicros: 200_000 });
      const prng = new Prng(seed);
      const quarter = rig.cfg.thresholds[0]! / 4;
      const healthy = [0, 0];
      for (let k = 0; k < 400; k++) {
        const base0 = prng.nextRange(-1, 1) * 0.5;
        const base1 = 0.3 * Math.sin(k / 20);
        const cmds: Cmd[] = [];
        let lo = [Infinity, Infinity];
        let hi = [-Infinity, -Infinity];
        for (let c = 0; c < channelCount; c++) {
          healthy[0] = base0 + prng.nextRange(-quarter, quarter);
          healthy[1] = base1 + prng.nextRange(-quarter, quarter);
          if (c === faulty) { cmds.push(faultyCommand(mode, prng, healthy, k)); continue; }
          cmds.push([healthy[0], healthy[1]]);
          lo = lo.map((v, i) => Math.min(v, healthy[i]!));
          hi = hi.map((v, i) => Math.max(v, healthy[i]!));
        }
        rig.step(cmds);
        // Plain checks in the hot loop (expect() per cycle would dominate the run time).
        for (let i = 0; i < 2; i++) {
          const out = rig.voter.output[i]!;
          if (!(out >= lo[i]! && out <= hi[i]!)) expect.fail(`cycle ${k}: output[${i}] ${out} outside healthy [${lo[i]}, ${hi[i]}]`);
        }
        for (let c = 0; c < channelCount; c++) {
          if (c !== faulty && rig.voter.channelHealth(c) !== 'active') expect.fail(`cycle ${k}: healthy channel ${c} is ${rig.voter.channelHealth(c)}`);
        }
      }
    }), fcParams('voter single-fault property', 1_000));
  });
});

function faultyCommand(mode: string, prng: Prng, healthy: readonly number[], k: number): Cmd {
  switch (mode) {
    case 'random': return [prng.nextRange(-1, 1), prng.nextRange(-1, 1)];
    case 'wild': return [prng.nextRange(-1e6, 1e6), prng.nextRange(-1e6, 1e6)];
    case 'silent': return prng.nextBool(0.5) ? null : 'invalid';
    case 'bias': return [healthy[0]! + 0.05, healthy[1]!];
    default: return k % 3 === 0 ? [healthy[0]!, healthy[1]!] : [healthy[0]! - 0.3, healthy[1]! + 0.3];
  }
}
