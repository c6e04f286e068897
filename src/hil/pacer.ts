/**
 * Real-time pacing of minor frames on the monotonic clock (`triplex run --realtime`,
 * docs/PERFORMANCE.md "Real-time pacing").
 *
 * Cycle k is due at start + k·P. The pacer sleeps until `spinMicros` before the deadline
 * without using the CPU (Atomics.wait on a private cell with a fractional-millisecond timeout:
 * the thread blocks in the kernel, unlike setTimeout whose 1 ms granularity and timer slack
 * would overshoot a 1 ms period), then spins on the clock for the last `spinMicros` so the cycle
 * starts within a few microseconds of its deadline. The start jitter (start − due) of every
 * cycle is kept, and a cycle whose work ends after its own period (start + P) is an overrun —
 * a real-time deadline miss. A late cycle starts at once; the schedule does not slip (later
 * cycles keep their original deadlines), so an overrun shows up as jitter in the next cycles.
 */
import { assert } from '../core/assert.js';
import type { MonotonicClock } from '../core/sim/clock.js';

/** Spin (busy-wait) for at most this long before a deadline; sleep before that. */
export const PACER_SPIN_MICROS_DEFAULT = 200;
/** First deadline this long after `run` starts (time to settle after start-up). */
export const PACER_LEAD_MICROS = 1000;

export interface RealtimeStats {
  readonly jitterP50Micros: number;
  readonly jitterP99Micros: number;
  readonly jitterMaxMicros: number;
  /** Cycles whose work ended after their period had elapsed (deadline misses). */
  readonly overruns: number;
}

export class RealtimePacer {
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly clock: MonotonicClock,
    private readonly periodMicros: number,
    private readonly spinMicros = PACER_SPIN_MICROS_DEFAULT,
  ) {
    assert(periodMicros > 0 && spinMicros >= 0, 'pacer: period must be > 0 and spin >= 0');
  }

  /** Blocks until the clock reads `dueMicros` or later; returns the time read then. */
  waitUntil(dueMicros: number): number {
    const sleepMicros = dueMicros - this.clock.nowMicros() - this.spinMicros;
    if (sleepMicros > 0) Atomics.wait(this.cell, 0, 0, sleepMicros / 1000);
    // Bounded by the deadline: the monotonic clock reaches `dueMicros` within spinMicros (+ sleep overshoot).
    let now = this.clock.nowMicros();
    while (now < dueMicros) now = this.clock.nowMicros();
    return now;
  }

  /** Runs `cycles` cycles of `step` paced at the period; `step` returns false to stop early. */
  run(cycles: number, step: () => boolean): RealtimeStats {
    assert(Number.isSafeInteger(cycles) && cycles >= 0, 'pacer: cycles must be a non-negative integer');
    const jitter = new Float64Array(cycles);
    let overruns = 0;
    let done = 0;
    const start = this.clock.nowMicros() + PACER_LEAD_MICROS;
    for (; done < cycles; done++) {
      const due = start + done * this.periodMicros;
      jitter[done] = this.waitUntil(due) - due;
      const more = step();
      if (this.clock.nowMicros() > due + this.periodMicros) overruns++;
      if (!more) { done++; break; }
    }
    return summarise(jitter.subarray(0, done), overruns);
  }
}

function summarise(jitter: Float64Array, overruns: number): RealtimeStats {
  const sorted = Float64Array.from(jitter).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { jitterP50Micros: at(0.5), jitterP99Micros: at(0.99), jitterMaxMicros: sorted[sorted.length - 1] ?? 0, overruns };
}
