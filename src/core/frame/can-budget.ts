/**
 * CAN bus budget: load and worst-case response times by the revised analysis of Davis, Burns,
 * Bril and Lukkien (2007), "Controller Area Network (CAN) schedulability analysis: Refuted,
 * revisited and revised", Real-Time Systems 35 — section 4 (busy period, every instance in
 * it, blocking by one lower-priority frame, queuing jitter, tau_bit). Integer nanoseconds.
 *
 *   B_m   = max C_k over lower-priority k (0 if none)
 *   t_m   = B_m + Σ_{k ∈ hep(m)} ceil((t_m + J_k) / T_k) C_k              (busy period)
 *   Q_m   = ceil((t_m + J_m) / T_m)                                       (instances)
 *   w_m(q)= B_m + q C_m + Σ_{k ∈ hp(m)} ceil((w_m(q) + J_k + τ_bit) / T_k) C_k
 *   R_m(q)= J_m + w_m(q) − q T_m + C_m,   R_m = max_{0 ≤ q < Q_m} R_m(q)
 */
import { assert } from '../assert.js';

export interface BudgetMessage {
  readonly name: string;
  /** Lower value = higher priority (the arbitration key). Unique. */
  readonly priority: number;
  readonly periodNs: number;
  readonly deadlineNs: number;
  readonly jitterNs: number;
  /** Worst-case transmission time C (worst-case stuffed bits × bit time, IFS included). */
  readonly transmissionNs: number;
}

export interface BudgetResult {
  readonly name: string;
  /** Worst-case response time, or Infinity if the busy period does not end (overload) or exceeds the horizon. */
  readonly responseNs: number;
  readonly busyPeriodNs: number;
  readonly instances: number;
  readonly schedulable: boolean;
}

export interface BudgetAnalysis {
  /** Σ C_m / T_m × 100. */
  readonly utilisationPercent: number;
  readonly results: readonly BudgetResult[];
}

/** Iterations of any fixed-point loop; each step grows the value by at least one C, so this bounds the horizon. */
export const FIXED_POINT_ITERATIONS_MAX = 100_000;
export const INSTANCES_MAX = 100_000;

/** The revised Davis et al. analysis over a whole schedule (any order in; results in input order). */
export function analyseCanSchedule(messages: readonly BudgetMessage[], tauBitNs: number): BudgetAnalysis {
  assert(tauBitNs > 0, 'tau_bit must be positive');
  for (const m of messages) assert(m.periodNs > 0 && m.transmissionNs > 0 && m.jitterNs >= 0 && m.deadlineNs > 0, `bad timing for ${m.name}`);
  const byPriority = [...messages].sort((x, y) => x.priority - y.priority);
  for (let i = 1; i < byPriority.length; i++) assert((byPriority[i - 1]?.priority ?? 0) < (byPriority[i]?.priority ?? 0), 'priorities must be unique');
  const utilisation = messages.reduce((sum, m) => sum + m.transmissionNs / m.periodNs, 0);
  const results = messages.map((m) => responseTime(m, byPriority, tauBitNs, utilisation));
  return { utilisationPercent: utilisation * 100, results };
}

function responseTime(m: BudgetMessage, byPriority: readonly BudgetMessage[], tauBitNs: number, utilisation: number): BudgetResult {
  const higher = byPriority.filter((k) => k.priority < m.priority);
  const lower = byPriority.filter((k) => k.priority > m.priority);
  const blocking = lower.reduce((max, k) => Math.max(max, k.transmissionNs), 0);
  const unbounded = { name: m.name, responseNs: Number.POSITIVE_INFINITY, busyPeriodNs: Number.POSITIVE_INFINITY, instances: 0, schedulable: false };
  const hepUtilisation = [...higher, m].reduce((sum, k) => sum + k.transmissionNs / k.periodNs, 0);
  if (hepUtilisation >= 1 || utilisation > 1) return unbounded;
  const busy = fixedPoint(m.transmissionNs, (t) => blocking + [...higher, m].reduce((sum, k) => sum + Math.ceil((t + k.jitterNs) / k.periodNs) * k.transmissionNs, 0));
  if (busy === undefined) return unbounded;
  const instances = Math.ceil((busy + m.jitterNs) / m.periodNs);
  assert(instances >= 1 && instances <= INSTANCES_MAX, `${m.name}: ${instances} instances in the busy period`);
  let worst = 0;
  let w = blocking;
  for (let q = 0; q < instances; q++) {
    const base = blocking + q * m.transmissionNs;
    const next = fixedPoint(Math.max(w, base), (x) => base + higher.reduce((sum, k) => sum + Math.ceil((x + k.jitterNs + tauBitNs) / k.periodNs) * k.transmissionNs, 0));
    if (next === undefined) return unbounded;
    w = next;
    worst = Math.max(worst, m.jitterNs + w - q * m.periodNs + m.transmissionNs);
  }
  return { name: m.name, responseNs: worst, busyPeriodNs: busy, instances, schedulable: worst <= m.deadlineNs };
}

/** Iterates x = f(x) from `start` until it stops changing; undefined if it does not converge in the bound. */
function fixedPoint(start: number, f: (x: number) => number): number | undefined {
  let x = start;
  for (let i = 0; i < FIXED_POINT_ITERATIONS_MAX; i++) {
    const next = f(x);
    if (next === x) return x;
    assert(next > x, 'fixed-point iteration must be monotonic');
    x = next;
  }
  return undefined;
}
