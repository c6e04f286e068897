import { describe, expect, it } from 'vitest';
import { PACER_LEAD_MICROS, RealtimePacer } from '../../src/hil/pacer.js';
import type { MonotonicClock } from '../../src/core/sim/clock.js';

/** A clock that moves `stepMicros` on every read (plus whatever the test adds). */
class SteppingClock implements MonotonicClock {
  now = 0;
  constructor(private readonly stepMicros: number) {}
  nowMicros(): number {
    this.now += this.stepMicros;
    return this.now;
  }
}

describe('RealtimePacer', () => {
  it('starts every cycle at or after its deadline and runs exactly the requested cycles', () => {
    const clock = new SteppingClock(7);
    const starts: number[] = [];
    const stats = new RealtimePacer(clock, 1000, 0).run(5, () => { starts.push(clock.now); return true; });
    expect(starts).toHaveLength(5);
    const first = 7 + PACER_LEAD_MICROS;
    starts.forEach((t, k) => { expect(t).toBeGreaterThanOrEqual(first + k * 1000); expect(t).toBeLessThan(first + k * 1000 + 7); });
    expect(stats.jitterMaxMicros).toBeLessThan(7);
    expect(stats.jitterP50Micros).toBeGreaterThanOrEqual(0);
    expect(stats.overruns).toBe(0);
  });

  it('counts a cycle whose work outlasts its period as an overrun and reports the next start as late', () => {
    const clock = new SteppingClock(1);
    let k = 0;
    const stats = new RealtimePacer(clock, 1000, 0).run(4, () => { if (k++ === 1) clock.now += 1500; return true; });
    expect(stats.overruns).toBe(1);
    expect(stats.jitterMaxMicros).toBeGreaterThanOrEqual(500);
  });

  it('stops when the step returns false', () => {
    const clock = new SteppingClock(3);
    let calls = 0;
    new RealtimePacer(clock, 500, 0).run(10, () => ++calls < 3);
    expect(calls).toBe(3);
  });
});
