import { describe, expect, it } from 'vitest';
import { analyseCanSchedule, type BudgetMessage } from '../../../src/core/frame/can-budget.js';

const ms = (x: number): number => Math.round(x * 1_000_000);

describe('CAN schedulability (Davis, Burns, Bril, Lukkien 2007)', () => {
  // The paper's counter-example (section 3): 125 kbit/s (tau_bit = 8 µs), three frames with
  // C = 1 ms; the original analysis claimed R_C = 2.0 ms... the revised analysis gives 3.5 ms,
  // which exceeds C's deadline of 3.25 ms. Hand computation (this file's comments) agrees:
  //   A: B=1, busy 2 → R_A = 2.0.   B: B=1, busy 5, Q=2: w0=2 → R=3.0; w1=4 → R=1.5 → R_B = 3.0.
  //   C: B=0, busy 7, Q=2: w0=2 → R=3.0; w1=6 → R = 6 − 3.5 + 1 = 3.5.
  const messages: BudgetMessage[] = [
    { name: 'A', priority: 1, periodNs: ms(2.5), deadlineNs: ms(2.5), jitterNs: 0, transmissionNs: ms(1) },
    { name: 'B', priority: 2, periodNs: ms(3.5), deadlineNs: ms(3.25), jitterNs: 0, transmissionNs: ms(1) },
    { name: 'C', priority: 3, periodNs: ms(3.5), deadlineNs: ms(3.25), jitterNs: 0, transmissionNs: ms(1) },
  ];

  it('reproduces the worked example: R = 2.0, 3.0, 3.5 ms; C misses its 3.25 ms deadline', () => {
    const { results, utilisationPercent } = analyseCanSchedule(messages, 8000);
    expect(results.map((r) => r.responseNs)).toEqual([ms(2), ms(3), ms(3.5)]);
    expect(results.map((r) => r.schedulable)).toEqual([true, true, false]);
    expect(results.map((r) => r.instances)).toEqual([1, 2, 2]);
    expect(results[2]!.busyPeriodNs).toBe(ms(7));
    expect(utilisationPercent).toBeCloseTo(100 * (1 / 2.5 + 2 / 3.5), 9);
  });

  it('jitter adds to the response time of the frame and to interference on lower ones', () => {
    const jittered = messages.map((m) => (m.name === 'A' ? { ...m, jitterNs: ms(0.5) } : m));
    const { results } = analyseCanSchedule(jittered, 8000);
    expect(results[0]!.responseNs).toBe(ms(2.5));
    expect(results[2]!.responseNs).toBeGreaterThanOrEqual(ms(3.5));
  });

  it('an overloaded schedule is unbounded, not a hang', () => {
    const heavy = messages.map((m) => ({ ...m, periodNs: ms(2) }));
    const { results } = analyseCanSchedule(heavy, 8000);
    expect(results[2]!.responseNs).toBe(Number.POSITIVE_INFINITY);
    expect(results[2]!.schedulable).toBe(false);
  });

  it('input order does not matter', () => {
    const a = analyseCanSchedule(messages, 8000).results;
    const b = analyseCanSchedule([...messages].reverse(), 8000).results;
    expect(b.map((r) => r.responseNs)).toEqual(a.map((r) => r.responseNs).reverse());
  });
});
