/**
 * The real MonotonicClock: process.hrtime.bigint(), which reads CLOCK_MONOTONIC on Linux. It
 * never jumps with NTP or a user setting the date, so durations and timeouts measured on it
 * stay correct (DESIGN.md, "clocks are unreliable"). Lives outside src/core because it reads
 * the process clock; core code receives it as a MonotonicClock.
 */
import type { MonotonicClock } from '../core/sim/clock.js';

export class RealClock implements MonotonicClock {
  /** The hrtime reading at construction: `nowMicros()` counts from 0 there, far from 2^53. */
  private readonly originNanos: bigint;
  private lastMicros = 0;

  constructor() {
    this.originNanos = process.hrtime.bigint();
  }

  /** Whole microseconds since this clock was made; never decreases. */
  nowMicros(): number {
    const micros = Number((process.hrtime.bigint() - this.originNanos) / 1000n);
    // hrtime is monotonic already; the guard keeps the port's contract even on a broken platform clock.
    if (micros > this.lastMicros) this.lastMicros = micros;
    return this.lastMicros;
  }
}
