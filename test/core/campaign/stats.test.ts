import { describe, expect, it } from 'vitest';
import { formatStatsTable, OutcomeCounter } from '../../../src/core/campaign/stats.js';

describe('outcome statistics', () => {
  it('counts per target and overall with Wilson intervals', () => {
    const counter = new OutcomeCounter();
    for (let i = 0; i < 9; i++) counter.add('memory', 'recovered');
    counter.add('memory', 'sdc');
    for (let i = 0; i < 5; i++) counter.add('bus', 'masked');
    const stats = counter.stats();
    expect(stats.byTarget.map((t) => t.target)).toEqual(['memory', 'bus']);
    const sdc = stats.byTarget[0]?.outcomes.find((o) => o.outcome === 'sdc');
    expect(sdc?.count).toBe(1);
    expect(sdc?.rate).toBeCloseTo(0.1, 9);
    expect(sdc?.interval.low).toBeCloseTo(0.0179, 4);
    expect(stats.total.injections).toBe(15);
    expect(stats.total.outcomes.find((o) => o.outcome === 'masked')?.count).toBe(5);
    const table = formatStatsTable(stats);
    expect(table).toContain('memory');
    expect(table).toContain('1 10.00 % [1.79, 40.42]');
    expect(table).toContain('0 0 % (≤ 43.45)');
  });
});
