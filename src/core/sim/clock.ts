/**
 * Time is passed in (STYLE.md habit 2). Every duration, timeout and schedule in Triplex reads
 * a MonotonicClock; the time-of-day clock is used for log stamps only. Microseconds as a
 * JavaScript number are exact up to 2^53 µs (about 285 years of uptime).
 */
export interface MonotonicClock {
  /** Microseconds since an arbitrary origin; never decreases. */
  nowMicros(): number;
}

/** The simulated twin: time moves only when the simulation moves it. */
export class SimClock implements MonotonicClock {
  private micros: number;

  constructor(startMicros = 0) {
    if (!Number.isSafeInteger(startMicros) || startMicros < 0) throw new RangeError(`bad start time ${startMicros}`);
    this.micros = startMicros;
  }

  nowMicros(): number {
    return this.micros;
  }

  /** Moves time forward to `micros`; moving backwards is a programmer error. */
  advanceTo(micros: number): void {
    if (!(micros >= this.micros) || !Number.isSafeInteger(micros)) throw new RangeError(`monotonic clock cannot go from ${this.micros} to ${micros}`);
    this.micros = micros;
  }

  advanceBy(deltaMicros: number): void {
    this.advanceTo(this.micros + deltaMicros);
  }
}
