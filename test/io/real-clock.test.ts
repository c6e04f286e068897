import { describe, expect, it } from 'vitest';
import { RealClock } from '../../src/io/real-clock.js';

describe('RealClock', () => {
  it('starts near zero and never decreases', () => {
    const clock = new RealClock();
    let last = clock.nowMicros();
    expect(last).toBeGreaterThanOrEqual(0);
    expect(Number.isSafeInteger(last)).toBe(true);
    for (let i = 0; i < 10_000; i++) {
      const now = clock.nowMicros();
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
  });

  it('moves forward across a real wait', async () => {
    const clock = new RealClock();
    const start = clock.nowMicros();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.nowMicros()).toBeGreaterThan(start);
  });
});
