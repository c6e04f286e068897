/**
 * Sensor consolidation: each minor frame a channel turns up to four redundant sensor samples
 * (e.g. three IMUs) into one value per axis, and monitors each source against the result.
 *
 * Per cycle the runtime calls `setSample()` for every sensor frame that passed the E2E check,
 * then `consolidate(nowMicros)`, which writes `output` (preallocated, one value per axis) and
 * returns a status word (`CONSOLIDATION_*` bits). Nothing is allocated after construction.
 *
 * Rules (reasoning in docs/REDUNDANCY.md, "Sensor consolidation"):
 * - A source is *usable* when its last sample is valid (E2E ok, all axes finite), fresh
 *   (0 ≤ now − stamp ≤ freshnessTimeoutMicros, monotonic micros) and the source is not failed.
 * - 3 or 4 usable → mid-value select per axis (median; with 4 the mean of the middle two).
 * - 2 usable → per axis: the mean if they agree within the axis threshold; otherwise the one
 *   closer to the last consolidated value (a real quantity moves continuously, a failing
 *   sensor usually jumps), or the mean if there is no last value; PAIR_DISAGREE alarm.
 * - 1 usable → that source, SINGLE_SOURCE alarm.
 * - 0 usable → the last consolidated value is held, NO_DATA alarm.
 * - Source monitor: when the reference is trusted (≥ 3 usable, or 2 that agree), a source
 *   whose sample differs from the consolidated value by more than the axis threshold on any
 *   axis counts a miscompare (up/down persistence counter); at `failTrip` it is failed and
 *   leaves the vote. A failed source that is fresh, valid and agrees with a trusted reference
 *   for `reintegrationCycles` consecutive cycles is reintegrated; after `failuresMax` failures
 *   it stays failed for good.
 */
import { assert } from '../assert.js';
import { midValueSelect, persistenceStep, SELECT_COUNT_MAX } from './select.js';

export const CONSOLIDATION_AXES_MAX = 32;

/** Bits 0..3: source i contributed to this cycle's output. */
export const CONSOLIDATION_USED_MASK = 0x0f;
/** Exactly one usable source: its value is used unchecked. */
export const CONSOLIDATION_ALARM_SINGLE_SOURCE = 1 << 4;
/** No usable source: the last consolidated value is held. */
export const CONSOLIDATION_ALARM_NO_DATA = 1 << 5;
/** Two usable sources disagreeing beyond threshold on at least one axis. */
export const CONSOLIDATION_ALARM_PAIR_DISAGREE = 1 << 6;
/** At least one source is currently failed by the source monitor. */
export const CONSOLIDATION_ALARM_SOURCE_FAILED = 1 << 7;
/** At least one non-failed source was stale or invalid this cycle. */
export const CONSOLIDATION_ALARM_SOURCE_MISSING = 1 << 8;
/** A source was failed in this cycle (see `failedMask`). */
export const CONSOLIDATION_EVENT_SOURCE_FAILED = 1 << 9;
/** A source was reintegrated in this cycle. */
export const CONSOLIDATION_EVENT_SOURCE_REINTEGRATED = 1 << 10;

export interface ConsolidatorConfig {
  /** Redundant sources, 1..4. */
  readonly sourceCount: number;
  /** Values per sample, 1..CONSOLIDATION_AXES_MAX. */
  readonly axisCount: number;
  /** A sample older than this (monotonic micros) is stale. */
  readonly freshnessTimeoutMicros: number;
  /** Per axis, in the axis's unit: pair-agreement and source-monitor threshold (see thresholdFromNoise). */
  readonly thresholds: readonly number[];
  /** Persistence counter level that fails a source. */
  readonly failTrip: number;
  /** Counter decrement per agreeing cycle (failTrip = consecutive rule, 1 = up/down rule). */
  readonly failDecay: number;
  /** Consecutive agreeing cycles before a failed source is reintegrated. */
  readonly reintegrationCycles: number;
  /** After this many failures a source is failed permanently. */
  readonly failuresMax: number;
}

export type SourceState = 'ok' | 'failed' | 'failed_permanent';

export class SensorConsolidator {
  /** Consolidated value per axis; rewritten by every `consolidate()`. */
  readonly output: Float64Array;
  private readonly cfg: ConsolidatorConfig;
  private readonly samples: Float64Array;
  private readonly stampMicros: Float64Array;
  private readonly valid: Uint8Array;
  private readonly monitorCount: Int32Array;
  private readonly agreeRun: Int32Array;
  private readonly failures: Int32Array;
  private readonly scratch = new Float64Array(SELECT_COUNT_MAX);
  private readonly usedIndex = new Int32Array(SELECT_COUNT_MAX);
  private failedBits = 0;
  private permanentBits = 0;
  private hasOutput = false;
  private lastDataMicrosValue = -1;

  constructor(cfg: ConsolidatorConfig) {
    validateConfig(cfg);
    this.cfg = { ...cfg, thresholds: [...cfg.thresholds] };
    this.output = new Float64Array(cfg.axisCount);
    this.samples = new Float64Array(cfg.sourceCount * cfg.axisCount);
    this.stampMicros = new Float64Array(cfg.sourceCount);
    this.valid = new Uint8Array(cfg.sourceCount);
    this.monitorCount = new Int32Array(cfg.sourceCount);
    this.agreeRun = new Int32Array(cfg.sourceCount);
    this.failures = new Int32Array(cfg.sourceCount);
  }

  /**
   * Records the latest sample of `source` (copied). `stampMicros` is the monotonic receive
   * time. A sample with a non-finite value, or `valid = false` (E2E failure), is not usable.
   */
  setSample(source: number, values: ArrayLike<number>, stampMicros: number, valid: boolean): void {
    if (!(Number.isInteger(source) && source >= 0 && source < this.cfg.sourceCount)) assert(false, `setSample: bad source ${source}`);
    assert(values.length >= this.cfg.axisCount, 'setSample: too few values');
    let finite = true;
    const base = source * this.cfg.axisCount;
    for (let a = 0; a < this.cfg.axisCount; a++) {
      const v = values[a] ?? Number.NaN;
      if (!Number.isFinite(v)) finite = false;
      this.samples[base + a] = v;
    }
    this.stampMicros[source] = stampMicros;
    this.valid[source] = valid && finite ? 1 : 0;
  }

  /** Consolidates the current samples into `output`; returns the status word. */
  consolidate(nowMicros: number): number {
    if (!Number.isFinite(nowMicros)) assert(false, 'consolidate: bad time');
    let status = this.collectUsable(nowMicros);
    const usedCount = popcount4(status & CONSOLIDATION_USED_MASK);
    if (usedCount === 0) {
      status |= CONSOLIDATION_ALARM_NO_DATA;
    } else {
      if (usedCount === 1) status |= CONSOLIDATION_ALARM_SINGLE_SOURCE;
      if (this.selectAxes(usedCount)) status |= CONSOLIDATION_ALARM_PAIR_DISAGREE;
      this.hasOutput = true;
      this.lastDataMicrosValue = nowMicros;
    }
    const trusted = usedCount >= 3 || (usedCount === 2 && (status & CONSOLIDATION_ALARM_PAIR_DISAGREE) === 0);
    if (trusted) status |= this.monitorSources(nowMicros);
    if (this.failedBits !== 0) status |= CONSOLIDATION_ALARM_SOURCE_FAILED;
    return status;
  }

  /** Bit i set: source i is failed (temporarily or permanently). */
  get failedMask(): number {
    return this.failedBits;
  }

  /** Monotonic time of the last cycle that had at least one usable source, or −1. */
  get lastDataMicros(): number {
    return this.lastDataMicrosValue;
  }

  sourceState(source: number): SourceState {
    if (!(source >= 0 && source < this.cfg.sourceCount)) assert(false, `sourceState: bad source ${source}`);
    const bit = 1 << source;
    if ((this.permanentBits & bit) !== 0) return 'failed_permanent';
    return (this.failedBits & bit) !== 0 ? 'failed' : 'ok';
  }

  /** Current persistence-counter level of `source` (0 = agreeing). */
  monitorLevel(source: number): number {
    return this.monitorCount[source] ?? 0;
  }

  private fresh(source: number, nowMicros: number): boolean {
    if (this.valid[source] !== 1) return false;
    const ageMicros = nowMicros - (this.stampMicros[source] ?? 0);
    return ageMicros >= 0 && ageMicros <= this.cfg.freshnessTimeoutMicros;
  }

  /** Used-source bits, plus SOURCE_MISSING when a non-failed source is stale/invalid. */
  private collectUsable(nowMicros: number): number {
    let status = 0;
    for (let s = 0; s < this.cfg.sourceCount; s++) {
      const failed = (this.failedBits & (1 << s)) !== 0;
      if (failed) continue;
      if (this.fresh(s, nowMicros)) status |= 1 << s;
      else status |= CONSOLIDATION_ALARM_SOURCE_MISSING;
    }
    let n = 0;
    for (let s = 0; s < this.cfg.sourceCount; s++) if ((status & (1 << s)) !== 0) this.usedIndex[n++] = s;
    return status;
  }

  /** Writes `output` from the usable sources; returns true if a pair disagreed on some axis. */
  private selectAxes(usedCount: number): boolean {
    const { axisCount, thresholds } = this.cfg;
    let disagree = false;
    for (let a = 0; a < axisCount; a++) {
      for (let i = 0; i < usedCount; i++) this.scratch[i] = this.samples[(this.usedIndex[i] ?? 0) * axisCount + a] ?? 0;
      if (usedCount !== 2) {
        this.output[a] = midValueSelect(this.scratch, usedCount);
        continue;
      }
      const x = this.scratch[0] ?? 0;
      const y = this.scratch[1] ?? 0;
      if (Math.abs(x - y) <= (thresholds[a] ?? 0)) {
        this.output[a] = (x + y) / 2;
        continue;
      }
      disagree = true;
      const last = this.output[a] ?? 0;
      this.output[a] = !this.hasOutput ? (x + y) / 2 : Math.abs(x - last) <= Math.abs(y - last) ? x : y;
    }
    return disagree;
  }

  /** Runs the per-source monitors against a trusted `output`; returns EVENT_* bits. */
  private monitorSources(nowMicros: number): number {
    let events = 0;
    for (let s = 0; s < this.cfg.sourceCount; s++) {
      if (!this.fresh(s, nowMicros)) continue;
      const bit = 1 << s;
      const miscompare = this.deviates(s);
      if ((this.failedBits & bit) === 0) {
        const level = persistenceStep(this.monitorCount[s] ?? 0, miscompare, this.cfg.failTrip, this.cfg.failDecay);
        this.monitorCount[s] = level;
        if (level >= this.cfg.failTrip) events |= this.failSource(s);
        continue;
      }
      if ((this.permanentBits & bit) !== 0) continue;
      this.agreeRun[s] = miscompare ? 0 : (this.agreeRun[s] ?? 0) + 1;
      if ((this.agreeRun[s] ?? 0) >= this.cfg.reintegrationCycles) {
        this.failedBits &= ~bit;
        this.monitorCount[s] = 0;
        this.agreeRun[s] = 0;
        events |= CONSOLIDATION_EVENT_SOURCE_REINTEGRATED;
      }
    }
    return events;
  }

  private deviates(source: number): boolean {
    const { axisCount, thresholds } = this.cfg;
    const base = source * axisCount;
    for (let a = 0; a < axisCount; a++) {
      const d = Math.abs((this.samples[base + a] ?? 0) - (this.output[a] ?? 0));
      if (d > (thresholds[a] ?? 0)) return true;
    }
    return false;
  }

  private failSource(source: number): number {
    const bit = 1 << source;
    assert((this.failedBits & bit) === 0, 'failSource: already failed');
    this.failedBits |= bit;
    this.agreeRun[source] = 0;
    const failures = (this.failures[source] ?? 0) + 1;
    this.failures[source] = failures;
    if (failures >= this.cfg.failuresMax) this.permanentBits |= bit;
    return CONSOLIDATION_EVENT_SOURCE_FAILED;
  }
}

function popcount4(bits: number): number {
  return (bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1) + ((bits >> 3) & 1);
}

function validateConfig(cfg: ConsolidatorConfig): void {
  assert(Number.isInteger(cfg.sourceCount) && cfg.sourceCount >= 1 && cfg.sourceCount <= SELECT_COUNT_MAX, 'consolidator: sourceCount must be 1..4');
  assert(Number.isInteger(cfg.axisCount) && cfg.axisCount >= 1 && cfg.axisCount <= CONSOLIDATION_AXES_MAX, 'consolidator: bad axisCount');
  assert(cfg.thresholds.length === cfg.axisCount, 'consolidator: one threshold per axis');
  assert(cfg.thresholds.every((t) => Number.isFinite(t) && t > 0), 'consolidator: thresholds must be > 0');
  assert(cfg.freshnessTimeoutMicros > 0, 'consolidator: freshnessTimeoutMicros must be > 0');
  assert(Number.isInteger(cfg.failTrip) && cfg.failTrip >= 1, 'consolidator: failTrip must be >= 1');
  assert(Number.isInteger(cfg.failDecay) && cfg.failDecay >= 1, 'consolidator: failDecay must be >= 1');
  assert(Number.isInteger(cfg.reintegrationCycles) && cfg.reintegrationCycles >= 1, 'consolidator: bad reintegrationCycles');
  assert(Number.isInteger(cfg.failuresMax) && cfg.failuresMax >= 1, 'consolidator: failuresMax must be >= 1');
}

/**
 * Defaults for a 250 Hz minor frame (docs/REDUNDANCY.md): fresh if younger than 1.5 frames,
 * fail after 10 net miscompare cycles (40 ms, up/down counter), reintegrate after 250 agreeing
 * cycles (1 s), permanent after 3 failures. Thresholds come from the caller's sensor model.
 */
export function defaultConsolidatorConfig(sourceCount: number, thresholds: readonly number[]): ConsolidatorConfig {
  return {
    sourceCount,
    axisCount: thresholds.length,
    freshnessTimeoutMicros: 6_000,
    thresholds,
    failTrip: 10,
    failDecay: 1,
    reintegrationCycles: 250,
    failuresMax: 3,
  };
}
