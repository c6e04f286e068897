/**
 * Campaign statistics: per target and outcome class, counts, rates and Wilson intervals.
 *
 * Outcomes: the oracle's taxonomy (src/core/fault/outcome.ts, docs/FLIGHT.md "Outcomes"):
 * masked, recovered, degraded, detected-unsafe, sdc, hang.
 */
import { assert } from '../assert.js';
import { isOutcomeClass, OUTCOME_CLASSES, type OutcomeClass } from '../fault/outcome.js';
import { TARGETS, type Target } from './plan.js';
import { wilsonInterval, type Interval } from './sampling.js';

export const OUTCOMES = OUTCOME_CLASSES;
export type Outcome = OutcomeClass;

export function isOutcome(text: unknown): text is Outcome {
  return isOutcomeClass(text);
}

export interface OutcomeStat {
  readonly outcome: Outcome;
  readonly count: number;
  readonly rate: number;
  /** Wilson interval of the rate; when count is 0 only `high` is informative (an upper bound). */
  readonly interval: Interval;
}

export interface TargetStats {
  readonly target: Target | 'all';
  readonly injections: number;
  readonly outcomes: readonly OutcomeStat[];
}

export interface CampaignStats {
  readonly confidence: number;
  readonly byTarget: readonly TargetStats[];
  readonly total: TargetStats;
}

/** Counts per target and outcome, filled one row at a time. */
export class OutcomeCounter {
  private readonly counts = new Map<Target, number[]>();

  add(target: Target, outcome: Outcome): void {
    let row = this.counts.get(target);
    if (row === undefined) {
      row = OUTCOMES.map(() => 0);
      this.counts.set(target, row);
    }
    const index = OUTCOMES.indexOf(outcome);
    assert(index >= 0, `unknown outcome ${outcome}`);
    row[index] = (row[index] ?? 0) + 1;
  }

  count(target: Target, outcome: Outcome): number {
    return this.counts.get(target)?.[OUTCOMES.indexOf(outcome)] ?? 0;
  }

  stats(confidence = 0.95): CampaignStats {
    const byTarget = TARGETS.filter((t) => this.counts.has(t)).map((t) => targetStats(t, this.counts.get(t) ?? [], confidence));
    const all = OUTCOMES.map((_, i) => byTarget.reduce((sum, t) => sum + (t.outcomes[i]?.count ?? 0), 0));
    return { confidence, byTarget, total: targetStats('all', all, confidence) };
  }
}

function targetStats(target: Target | 'all', counts: readonly number[], confidence: number): TargetStats {
  const injections = counts.reduce((a, b) => a + b, 0);
  const outcomes = OUTCOMES.map((outcome, i) => {
    const count = counts[i] ?? 0;
    return { outcome, count, rate: injections === 0 ? 0 : count / injections, interval: wilsonInterval(count, injections, confidence) };
  });
  return { target, injections, outcomes };
}

function percent(value: number): string {
  if (value === 0) return '0';
  return value < 0.001 ? (value * 100).toFixed(3) : (value * 100).toFixed(2);
}

/** "12.50 % [10.1, 15.3]" or, for a zero count, "0 % (≤ 0.38)". */
export function formatRate(stat: OutcomeStat): string {
  if (stat.count === 0) return `0 % (≤ ${percent(stat.interval.high)})`;
  return `${percent(stat.rate)} % [${percent(stat.interval.low)}, ${percent(stat.interval.high)}]`;
}

/** A plain-text table: one line per target, one column per outcome (count and rate with interval). */
export function formatStatsTable(stats: CampaignStats): string {
  const header = ['target', 'n', ...OUTCOMES];
  const rows = [...stats.byTarget, stats.total].map((t) => [
    t.target, String(t.injections),
    ...t.outcomes.map((o) => `${o.count} ${formatRate(o)}`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const note = `rates in % with Wilson ${Math.round(stats.confidence * 100)} % intervals; a zero count shows its upper bound (≤)`;
  return [line(header), rule, ...rows.slice(0, -1).map(line), rule, line(rows[rows.length - 1] ?? []), '', note].join('\n');
}
