/**
 * Seeded runs of the agreement layer: the honest table of docs/BYZANTINE.md is produced by
 * these runs (test/core/byzantine/table.test.ts and `npm run bench -- --only byzantine`).
 *
 * Model per cycle (4 ms): a true 3-axis signal; channel k reads its own IMU (truth plus
 * Gaussian noise σ); the readings are exchanged (AgreementExchange); each healthy channel
 * consolidates its vector by mid-value select over the sources it has not isolated, monitors
 * every source against the result (up/down persistence counter, isolating at the trip level;
 * an SM(1) proof isolates at once), computes its command (−0.5 × consolidated value) and
 * sends it to the voter, which votes by mid-value select and monitors the channels alike.
 *
 * Counted: agreement violations (cycles in which two healthy channels consolidated different
 * inputs, compared exactly), silent data corruption (a healthy channel's consolidated input
 * outside the range of the healthy readings, or the voted command outside the range of the
 * healthy channels' commands), false isolations (a healthy channel isolated by a healthy
 * channel or by the voter), and which observers isolated the faulty channel.
 */
import { assert } from '../assert.js';
import { Prng } from '../sim/prng.js';
import { midValueSelect, persistenceStep, thresholdFromNoise } from '../vote/select.js';
import { makeAdversary, type ByzantineBehaviour } from './adversary.js';
import { AgreementExchange, resolveAlgorithm, type AuthSet } from './exchange.js';
import type { Medium } from './fabric.js';
import { REJECT_REASONS, type ExchangeAlgorithm, type RejectReason } from './node.js';

export type ScenarioFault = 'none' | ByzantineBehaviour | 'omission';
export const SCENARIO_FAULTS: readonly ScenarioFault[] = ['none', 'symmetric', 'two-faced', 'masquerade', 'replay', 'omission'];
export const SCENARIO_CYCLES_MAX = 1_000_000;
/** The faulty channel (A), the impersonated one (B), and the receiver that misses B's frames (C). */
export const FAULTY_NODE = 0;
export const VICTIM_NODE = 1;
export const OMITTED_AT_NODE = 2;
const PERIOD_S = 0.004;
const SIGNAL_HZ = 0.5;
const COMMAND_GAIN = -0.5;

export interface ScenarioConfig {
  readonly medium: Medium;
  readonly exchange: 'plain' | 'signed';
  readonly channelCount: number;
  readonly fault: ScenarioFault;
  readonly seed: number;
  readonly cycles: number;
  /** First faulty cycle. */
  readonly fromCycle: number;
  readonly axisCount: number;
  readonly noiseSigma: number;
  /** Lie size; undefined = the fault's default (two-faced: half the threshold, so no monitor notices; others 1.0). */
  readonly offset?: number;
  /** Per cycle probability that B's messages are lost at C ('omission'). */
  readonly omissionProbability: number;
  /** Source/channel monitor persistence trip (up/down counter). */
  readonly monitorTrip: number;
}

export interface ScenarioReport {
  readonly algorithm: ExchangeAlgorithm;
  readonly cycles: number;
  readonly agreementViolations: number;
  readonly firstViolationCycle: number;
  readonly inputSdcCycles: number;
  readonly outputSdcCycles: number;
  readonly falseIsolations: number;
  /** Observers (healthy channels, then the voter as bit channelCount) that isolated the faulty channel. */
  readonly faultyIsolatedMask: number;
  readonly rejected: Readonly<Record<RejectReason, number>>;
}

export function defaultScenario(overrides: Partial<ScenarioConfig> & Pick<ScenarioConfig, 'medium' | 'exchange' | 'fault'>): ScenarioConfig {
  return {
    channelCount: 3, seed: 1, cycles: 500, fromCycle: 50, axisCount: 3, noiseSigma: 0.01, omissionProbability: 0.2, monitorTrip: 3, ...overrides,
  };
}

interface Monitor {
  readonly level: Int32Array;
  isolated: number;
}

/** One observer's consolidation or vote over `rows` (row k = source k, NaN = none); writes `out`. */
function select(rows: Float64Array, n: number, axes: number, isolated: number, scratch: Float64Array, out: Float64Array): void {
  for (let a = 0; a < axes; a++) {
    let count = 0;
    for (let k = 0; k < n; k++) {
      const v = rows[k * axes + a] ?? Number.NaN;
      if ((isolated & (1 << k)) === 0 && Number.isFinite(v)) scratch[count++] = v;
    }
    out[a] = count === 0 ? Number.NaN : midValueSelect(scratch, count);
  }
}

/** Steps the monitor of every source except `self`; returns the newly isolated mask. */
function monitorStep(m: Monitor, rows: Float64Array, n: number, axes: number, ref: Float64Array, threshold: number, trip: number, self: number): number {
  let fresh = 0;
  for (let k = 0; k < n; k++) {
    if (k === self || (m.isolated & (1 << k)) !== 0 || !Number.isFinite(rows[k * axes] ?? Number.NaN)) continue;
    let miscompare = false;
    for (let a = 0; a < axes; a++) if (Math.abs((rows[k * axes + a] ?? 0) - (ref[a] ?? 0)) > threshold) miscompare = true;
    const level = persistenceStep(m.level[k] ?? 0, miscompare, trip, 1);
    m.level[k] = level;
    if (level >= trip) fresh |= 1 << k;
  }
  m.isolated |= fresh;
  return fresh;
}

function outside(value: number, lo: number, hi: number): boolean {
  return !(value >= lo && value <= hi);
}

function defaultOffset(cfg: ScenarioConfig, threshold: number): number {
  if (cfg.offset !== undefined) return cfg.offset;
  return cfg.fault === 'two-faced' ? threshold / 2 : 1.0;
}

function buildExchange(cfg: ScenarioConfig, algorithm: ExchangeAlgorithm, threshold: number, auth: AuthSet | undefined): AgreementExchange {
  const behaviour = cfg.fault === 'none' || cfg.fault === 'omission' ? undefined : cfg.fault;
  const adversary = behaviour === undefined ? undefined : makeAdversary({
    behaviour, node: FAULTY_NODE, fromCycle: cfg.fromCycle, offset: defaultOffset(cfg, threshold), victim: VICTIM_NODE, lagCycles: 3,
  });
  return new AgreementExchange({ medium: cfg.medium, algorithm, channelCount: cfg.channelCount, axisCount: cfg.axisCount }, auth, adversary);
}

/** Runs one seeded scenario. `auth` is required for the signed exchange. */
export function runScenario(cfg: ScenarioConfig, auth?: AuthSet): ScenarioReport {
  const algorithm = resolveAlgorithm(cfg.medium, cfg.exchange, cfg.channelCount);
  assert(algorithm !== undefined, `runScenario: ${cfg.medium}/${cfg.exchange} is not offered`);
  assert(Number.isInteger(cfg.cycles) && cfg.cycles >= 1 && cfg.cycles <= SCENARIO_CYCLES_MAX, 'runScenario: bad cycles');
  const n = cfg.channelCount;
  const axes = cfg.axisCount;
  const threshold = thresholdFromNoise(cfg.noiseSigma, 0);
  const prng = new Prng(cfg.seed);
  const noise = Array.from({ length: n }, (_, k) => prng.fork(k + 1));
  const omissionPrng = prng.fork(100);
  const ex = buildExchange(cfg, algorithm, threshold, auth);
  let omitNow = false;
  if (cfg.fault === 'omission') {
    ex.setOmission((from, to) => omitNow && from === VICTIM_NODE && to === OMITTED_AT_NODE);
  }
  const healthy = cfg.fault === 'none' || cfg.fault === 'omission' ? (1 << n) - 1 : ((1 << n) - 1) & ~(1 << FAULTY_NODE);
  const monitors: Monitor[] = Array.from({ length: n + 1 }, () => ({ level: new Int32Array(n), isolated: 0 }));
  const cons = Array.from({ length: n }, () => new Float64Array(axes));
  const commands = Array.from({ length: n }, () => new Float64Array(axes));
  const readings = Array.from({ length: n }, () => new Float64Array(axes));
  const voted = new Float64Array(axes);
  const scratch = new Float64Array(4);
  const counts = { agreementViolations: 0, firstViolationCycle: -1, inputSdcCycles: 0, outputSdcCycles: 0, falseIsolations: 0 };

  for (let cycle = 0; cycle < cfg.cycles; cycle++) {
    const t = cycle * PERIOD_S;
    for (let k = 0; k < n; k++) {
      for (let a = 0; a < axes; a++) (readings[k] ?? voted)[a] = Math.sin(2 * Math.PI * SIGNAL_HZ * t + a) + cfg.noiseSigma * (noise[k]?.nextGaussian() ?? 0);
    }
    omitNow = cycle >= cfg.fromCycle && omissionPrng.nextBool(cfg.omissionProbability);
    const vectors = ex.exchangeInputs(cycle, readings);
    for (let j = 0; j < n; j++) {
      const m = monitors[j];
      const rows = vectors[j];
      const c = cons[j];
      if (m === undefined || rows === undefined || c === undefined) continue;
      const proof = ex.proofMask(j);
      counts.falseIsolations += popcount(proof & ~m.isolated & healthy);
      m.isolated |= proof;
      select(rows, n, axes, m.isolated, scratch, c);
      const fresh = monitorStep(m, rows, n, axes, c, threshold, cfg.monitorTrip, j);
      if ((healthy & (1 << j)) !== 0) counts.falseIsolations += popcount(fresh & healthy);
      for (let a = 0; a < axes; a++) (commands[j] ?? voted)[a] = COMMAND_GAIN * (c[a] ?? 0);
    }
    if (!agree(cons, healthy, axes)) {
      counts.agreementViolations++;
      if (counts.firstViolationCycle < 0) counts.firstViolationCycle = cycle;
    }
    if (inputSdc(cons, readings, healthy, axes)) counts.inputSdcCycles++;
    const view = ex.sendCommands(cycle, commands);
    const voter = monitors[n];
    assert(voter !== undefined, 'voter monitor');
    select(view, n, axes, voter.isolated, scratch, voted);
    counts.falseIsolations += popcount(monitorStep(voter, view, n, axes, voted, threshold / 2, cfg.monitorTrip, -1) & healthy);
    if (outputSdc(voted, commands, healthy, axes)) counts.outputSdcCycles++;
  }
  let faultyIsolatedMask = 0;
  monitors.forEach((m, j) => { if ((j === n || (healthy & (1 << j)) !== 0) && (m.isolated & (1 << FAULTY_NODE)) !== 0 && healthy !== (1 << n) - 1) faultyIsolatedMask |= 1 << j; });
  const rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, ex.rejected[r]])) as Record<RejectReason, number>;
  return { algorithm, cycles: cfg.cycles, ...counts, faultyIsolatedMask, rejected };
}

function popcount(bits: number): number {
  let count = 0;
  for (let b = bits; b !== 0; b &= b - 1) count++;
  return count;
}

/** True when every healthy channel consolidated exactly the same vector. */
export function agree(consolidated: readonly Float64Array[], healthyMask: number, axes: number): boolean {
  let reference: Float64Array | undefined;
  for (let j = 0; j < consolidated.length; j++) {
    if ((healthyMask & (1 << j)) === 0) continue;
    const c = consolidated[j];
    if (c === undefined) continue;
    if (reference === undefined) {
      reference = c;
      continue;
    }
    for (let a = 0; a < axes; a++) if (!Object.is(c[a], reference[a])) return false;
  }
  return true;
}

function inputSdc(cons: readonly Float64Array[], readings: readonly Float64Array[], healthy: number, axes: number): boolean {
  for (let a = 0; a < axes; a++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < readings.length; k++) {
      if ((healthy & (1 << k)) === 0) continue;
      const v = readings[k]?.[a] ?? 0;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (let j = 0; j < cons.length; j++) if ((healthy & (1 << j)) !== 0 && outside(cons[j]?.[a] ?? Number.NaN, lo, hi)) return true;
  }
  return false;
}

function outputSdc(voted: Float64Array, commands: readonly Float64Array[], healthy: number, axes: number): boolean {
  for (let a = 0; a < axes; a++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < commands.length; k++) {
      if ((healthy & (1 << k)) === 0) continue;
      lo = Math.min(lo, commands[k]?.[a] ?? 0);
      hi = Math.max(hi, commands[k]?.[a] ?? 0);
    }
    if (outside(voted[a] ?? Number.NaN, lo, hi)) return true;
  }
  return false;
}
