/**
 * Channel clocks and their fault-tolerant synchronisation (Welch & Lynch, "A new
 * fault-tolerant algorithm for clock synchronization", Information and Computation 77, 1988).
 *
 * `ChannelClock` models one channel's oscillator: raw = offset + (1 + driftPpm·10⁻⁶)·true, with
 * injectable jumps and drift changes, plus a correction term that synchronisation adds. The
 * corrected ("logical") time is what the channel uses to place its minor frames; timeouts keep
 * using the raw monotonic clock, because a negative correction would make the logical clock go
 * backwards.
 *
 * `ClockSync` is one channel's side of the algorithm. Every resync period R each channel
 * sends a timestamp (its logical and its raw time); a receiver turns each into an estimate of
 * (peer − self) with error at most ε, passes them to `setReading()`, and calls `resync()`, which
 * discards the f highest and f lowest estimates (own clock counts as 0), returns the midpoint
 * of the remaining extremes as the correction to apply, and updates the fault flags:
 * - jump: a peer's logical reading is farther than `jumpThresholdMicros` from the midpoint;
 * - runaway: a peer's raw rate relative to this clock, measured over W rounds, differs from the
 *   median rate of the group by more than `runawayThresholdPpm`. A raw difference that steps by
 *   more than the jump threshold in one round restarts that peer's window: a step is a jump
 *   (transient), and a rate measured across it would be a false runaway (permanent);
 * - self out of sync: the correction this channel must apply exceeds `selfThresholdMicros`.
 * Flags latch until `clearPeerFault()`; flagged peers are left out of later rounds.
 *
 * Precision (max skew between correct logical clocks), for n ≥ 3f + 1, or n = 3, f = 1 with
 * symmetric faults: δ = 4ε + 4ρR (ρ as a fraction). See `precisionBoundMicros` and
 * docs/REDUNDANCY.md for the derivation and which faults each configuration tolerates.
 */
import { assert } from '../assert.js';
import { midValueSelect, sortSmall, SELECT_COUNT_MAX } from './select.js';

const PPM = 1e-6;

/** One channel's oscillator plus the correction applied by synchronisation. */
export class ChannelClock {
  private anchorTrueMicros = 0;
  private anchorRawMicros: number;
  private driftPpmValue: number;
  private correction = 0;

  constructor(offsetMicros: number, driftPpm: number) {
    assert(Number.isFinite(offsetMicros) && Number.isFinite(driftPpm) && driftPpm > -1e6, 'ChannelClock: bad parameters');
    this.anchorRawMicros = offsetMicros;
    this.driftPpmValue = driftPpm;
  }

  /** The uncorrected oscillator reading at true time `trueMicros`. */
  rawMicros(trueMicros: number): number {
    return this.anchorRawMicros + (1 + this.driftPpmValue * PPM) * (trueMicros - this.anchorTrueMicros);
  }

  /** The logical (corrected) time at true time `trueMicros`. */
  localMicros(trueMicros: number): number {
    return this.rawMicros(trueMicros) + this.correction;
  }

  /** Fault injection: the oscillator steps by `deltaMicros` (either sign). */
  injectJump(deltaMicros: number): void {
    this.anchorRawMicros += deltaMicros;
  }

  /** Fault injection / ageing: the drift becomes `driftPpm` from true time `atTrueMicros`, continuously. */
  setDriftPpm(driftPpm: number, atTrueMicros: number): void {
    assert(Number.isFinite(driftPpm) && driftPpm > -1e6, 'ChannelClock: bad drift');
    this.anchorRawMicros = this.rawMicros(atTrueMicros);
    this.anchorTrueMicros = atTrueMicros;
    this.driftPpmValue = driftPpm;
  }

  /** Adds a synchronisation correction (the value `ClockSync.resync()` returned). */
  applyCorrection(adjustmentMicros: number): void {
    assert(Number.isFinite(adjustmentMicros), 'ChannelClock: bad correction');
    this.correction += adjustmentMicros;
  }

  get correctionMicros(): number {
    return this.correction;
  }

  get driftPpm(): number {
    return this.driftPpmValue;
  }
}

export interface ClockSyncConfig {
  /** Channels taking part, 2..4. */
  readonly channelCount: number;
  /** f: faulty clocks tolerated (values discarded at each end), 0 or 1. */
  readonly faultsTolerated: number;
  /** R: time between resync rounds. */
  readonly resyncPeriodMicros: number;
  /** ε: bound on the error of one reading of a peer's clock (delay uncertainty). */
  readonly readingErrorMicros: number;
  /** ρ: bound on a correct oscillator's drift. */
  readonly driftPpmMax: number;
  /** W: rounds over which a peer's relative rate is measured for runaway detection. */
  readonly driftWindowRounds: number;
}

/** δ = 4ε + 4ρR: the skew bound between correct logical clocks (docs/REDUNDANCY.md). */
export function precisionBoundMicros(cfg: ClockSyncConfig): number {
  return 4 * cfg.readingErrorMicros + 4 * cfg.driftPpmMax * PPM * cfg.resyncPeriodMicros;
}

/** A correct peer's reading is within δ + 2ε of the fault-tolerant midpoint. */
export function jumpThresholdMicros(cfg: ClockSyncConfig): number {
  return precisionBoundMicros(cfg) + 2 * cfg.readingErrorMicros;
}

/** A correct channel's own correction is at most δ + ε. */
export function selfThresholdMicros(cfg: ClockSyncConfig): number {
  return precisionBoundMicros(cfg) + cfg.readingErrorMicros;
}

/**
 * Two correct oscillators differ in rate by at most 2ρ; a rate measured from two readings
 * W rounds apart is off by at most 2ε/(W·R). Anything beyond the sum is a runaway.
 */
export function runawayThresholdPpm(cfg: ClockSyncConfig): number {
  return 2 * cfg.driftPpmMax + (2 * cfg.readingErrorMicros) / (cfg.driftWindowRounds * cfg.resyncPeriodMicros) / PPM;
}

/**
 * Fault-tolerant midpoint of `values[0..count)` (reordered): drop the f lowest and f highest,
 * return the midpoint of the remaining extremes. f is lowered to ⌊(count − 1)/2⌋ when fewer
 * readings arrived, so at least one value always remains.
 */
export function faultTolerantMidpoint(values: Float64Array, count: number, f: number): number {
  if (!(count >= 1 && count <= SELECT_COUNT_MAX && f >= 0)) assert(false, `faultTolerantMidpoint: bad count ${count}`);
  sortSmall(values, count);
  const drop = Math.min(f, (count - 1) >> 1);
  return ((values[drop] ?? 0) + (values[count - 1 - drop] ?? 0)) / 2;
}

export type ClockFault = 'none' | 'jump' | 'runaway';

const NONE = 0;
const JUMP = 1;
const RUNAWAY = 2;
const FAULT_NAMES: readonly ClockFault[] = ['none', 'jump', 'runaway'];

export class ClockSync {
  private readonly cfg: ClockSyncConfig;
  private readonly self: number;
  private readonly logicalDiff: Float64Array;
  private readonly hasReading: Uint8Array;
  /** Raw-diff history: (W + 1) rounds × channelCount, ring indexed by round. */
  private readonly rawHistory: Float64Array;
  private readonly rawValid: Uint8Array;
  private readonly fault: Uint8Array;
  /** Per peer: 1 = its raw rate is excused (its logical clock kept within the bound through its own corrections). */
  private readonly rateExcused: Uint8Array;
  private readonly rate = new Float64Array(SELECT_COUNT_MAX);
  private readonly rateKnown = new Uint8Array(SELECT_COUNT_MAX);
  private readonly scratch = new Float64Array(SELECT_COUNT_MAX);
  private round = 0;
  private selfOutOfSyncValue = false;
  private lastAdjustment = 0;
  private rawSteps = 0;
  /** A raw difference that moved more than this in one round stepped (jumpThresholdMicros). */
  private readonly stepLimitMicros: number;
  /** 2ρR: how far two correct oscillators move apart in one round. */
  private readonly driftPerRoundMicros: number;

  constructor(cfg: ClockSyncConfig, self: number) {
    validateClockConfig(cfg);
    assert(Number.isInteger(self) && self >= 0 && self < cfg.channelCount, `ClockSync: bad self ${self}`);
    this.cfg = { ...cfg };
    this.self = self;
    const n = cfg.channelCount;
    this.logicalDiff = new Float64Array(n);
    this.hasReading = new Uint8Array(n);
    this.rawHistory = new Float64Array((cfg.driftWindowRounds + 1) * n);
    this.rawValid = new Uint8Array((cfg.driftWindowRounds + 1) * n);
    this.fault = new Uint8Array(n);
    this.rateExcused = new Uint8Array(n);
    this.stepLimitMicros = jumpThresholdMicros(cfg);
    this.driftPerRoundMicros = 2 * cfg.driftPpmMax * PPM * cfg.resyncPeriodMicros;
  }

  /**
   * This round's estimates of (peer − self): logical time and raw oscillator time, from the
   * peer's timestamp frame. Call once per peer and round; a silent peer is simply not set.
   */
  setReading(peer: number, logicalDiffMicros: number, rawDiffMicros: number): void {
    if (!(Number.isInteger(peer) && peer >= 0 && peer < this.cfg.channelCount && peer !== this.self)) assert(false, `ClockSync: bad peer ${peer}`);
    if (!Number.isFinite(logicalDiffMicros) || !Number.isFinite(rawDiffMicros)) return;
    this.logicalDiff[peer] = logicalDiffMicros;
    this.hasReading[peer] = 1;
    const rounds = this.cfg.driftWindowRounds + 1;
    const n = this.cfg.channelCount;
    const slot = (this.round % rounds) * n + peer;
    // A step in the raw difference since the peer's last reading (rounds may be missing: a frame
    // dropped as late, a silent round) is a jump of the peer's oscillator or of this one, not a
    // rate: a rate measured across it would read as a runaway — a permanent verdict for a
    // transient fault. The window restarts after the step. Two correct oscillators move apart by
    // at most 2ρR a round, which the limit allows for each round since that reading.
    for (let back = 1; back < rounds; back++) {
      const previous = ((this.round + rounds - back) % rounds) * n + peer;
      if (this.rawValid[previous] !== 1) continue;
      if (Math.abs(rawDiffMicros - (this.rawHistory[previous] ?? 0)) > this.stepLimitMicros + back * this.driftPerRoundMicros) {
        for (let r = 0; r < rounds; r++) this.rawValid[r * n + peer] = 0;
        this.rawSteps++;
      }
      break;
    }
    this.rawHistory[slot] = rawDiffMicros;
    this.rawValid[slot] = 1;
  }

  /** Raw steps seen (peer or own oscillator jumps) that restarted a peer's rate window. */
  get rawStepCount(): number {
    return this.rawSteps;
  }

  /** Ends the round: returns the correction to apply to this channel's clock. */
  resync(): number {
    let count = 0;
    this.scratch[count++] = 0;
    for (let q = 0; q < this.cfg.channelCount; q++) {
      if (q === this.self || this.hasReading[q] !== 1 || this.fault[q] !== NONE) continue;
      this.scratch[count++] = this.logicalDiff[q] ?? 0;
    }
    const adjustment = faultTolerantMidpoint(this.scratch, count, this.cfg.faultsTolerated);
    this.detectJumps(adjustment);
    this.detectRunaways();
    this.selfOutOfSyncValue = Math.abs(adjustment) > selfThresholdMicros(this.cfg);
    this.lastAdjustment = adjustment;
    this.endRound();
    return adjustment;
  }

  /** Latched fault verdict on `peer` (always 'none' for self). */
  peerFault(peer: number): ClockFault {
    return FAULT_NAMES[this.fault[peer] ?? NONE] ?? 'none';
  }

  /** Bit q set: peer q's clock is flagged faulty. Feeds `ActuatorVoter.reportFault`. */
  get peerFaultMask(): number {
    let mask = 0;
    for (let q = 0; q < this.cfg.channelCount; q++) if (this.fault[q] !== NONE) mask |= 1 << q;
    return mask;
  }

  /** This channel's own correction in the last round exceeded δ + ε: its clock jumped or sync is lost. */
  get selfOutOfSync(): boolean {
    return this.selfOutOfSyncValue;
  }

  get lastAdjustmentMicros(): number {
    return this.lastAdjustment;
  }

  /**
   * Forgets every reading of this round and all rate history (the channel was down: what it
   * heard before is stale, and a rate measured across the gap means nothing). Verdicts stand.
   */
  forgetReadings(): void {
    this.hasReading.fill(0);
    this.rawValid.fill(0);
  }

  /**
   * Withdraws a runaway verdict on `peer` whose logical clock has kept within the bound through
   * its own corrections (its oscillator is off, its time is not): its raw rate is no longer
   * judged. A later jump verdict (its logical clock leaving the bound) ends the excuse.
   */
  excuseRate(peer: number): void {
    if (!(peer >= 0 && peer < this.cfg.channelCount)) assert(false, `ClockSync: bad peer ${peer}`);
    this.rateExcused[peer] = 1;
    this.clearPeerFault(peer);
  }

  /** Peer `peer`'s raw rate is excused (see `excuseRate`). */
  rateIsExcused(peer: number): boolean {
    return this.rateExcused[peer] === 1;
  }

  /** Withdraws the verdict on `peer` (after it was reintegrated) and forgets its rate history. */
  clearPeerFault(peer: number): void {
    if (!(peer >= 0 && peer < this.cfg.channelCount)) assert(false, `ClockSync: bad peer ${peer}`);
    this.fault[peer] = NONE;
    for (let r = 0; r <= this.cfg.driftWindowRounds; r++) this.rawValid[r * this.cfg.channelCount + peer] = 0;
  }

  private detectJumps(midpointMicros: number): void {
    const limit = jumpThresholdMicros(this.cfg);
    for (let q = 0; q < this.cfg.channelCount; q++) {
      if (q === this.self || this.hasReading[q] !== 1 || this.fault[q] !== NONE) continue;
      if (Math.abs((this.logicalDiff[q] ?? 0) - midpointMicros) > limit) {
        this.fault[q] = JUMP;
        this.rateExcused[q] = 0;
      }
    }
  }

  /** Relative rates over the window; a peer far from the group's median rate is a runaway. */
  private detectRunaways(): void {
    const w = this.cfg.driftWindowRounds;
    if (this.round < w) return;
    const n = this.cfg.channelCount;
    const now = (this.round % (w + 1)) * n;
    const then = ((this.round - w) % (w + 1)) * n;
    let count = 0;
    for (let q = 0; q < n; q++) {
      const known = q === this.self || (this.rawValid[now + q] === 1 && this.rawValid[then + q] === 1);
      this.rateKnown[q] = known ? 1 : 0;
      const rate = q === this.self ? 0 : ((this.rawHistory[now + q] ?? 0) - (this.rawHistory[then + q] ?? 0)) / (w * this.cfg.resyncPeriodMicros) / PPM;
      this.rate[q] = rate;
      if (known) this.scratch[count++] = rate;
    }
    if (count < 3) return;
    const median = midValueSelect(this.scratch, count);
    const limit = runawayThresholdPpm(this.cfg);
    for (let q = 0; q < n; q++) {
      if (q === this.self || this.rateKnown[q] !== 1 || this.fault[q] !== NONE || this.rateExcused[q] === 1) continue;
      if (Math.abs((this.rate[q] ?? 0) - median) > limit) this.fault[q] = RUNAWAY;
    }
  }

  private endRound(): void {
    this.hasReading.fill(0);
    this.round++;
    const next = (this.round % (this.cfg.driftWindowRounds + 1)) * this.cfg.channelCount;
    this.rawValid.fill(0, next, next + this.cfg.channelCount);
  }
}

function validateClockConfig(cfg: ClockSyncConfig): void {
  assert(Number.isInteger(cfg.channelCount) && cfg.channelCount >= 2 && cfg.channelCount <= SELECT_COUNT_MAX, 'ClockSync: channelCount must be 2..4');
  assert(cfg.faultsTolerated === 0 || cfg.faultsTolerated === 1, 'ClockSync: faultsTolerated must be 0 or 1');
  assert(cfg.resyncPeriodMicros > 0 && cfg.readingErrorMicros >= 0 && cfg.driftPpmMax >= 0, 'ClockSync: bad timing parameters');
  assert(Number.isInteger(cfg.driftWindowRounds) && cfg.driftWindowRounds >= 1 && cfg.driftWindowRounds <= 1000, 'ClockSync: driftWindowRounds must be 1..1000');
}

/**
 * Defaults: resync every 10 minor frames (R = 40 ms), reading error ε = 20 µs (timestamp
 * taken at frame reception on a 1 Mbit/s CAN bus, software latency jitter), ρ = 100 ppm
 * (crystal over temperature and ageing), W = 25 rounds (1 s). δ = 80 + 16 = 96 µs, 2.4 % of
 * the 4 ms minor frame; runaway threshold 200 + 40 = 240 ppm.
 */
export function defaultClockSyncConfig(channelCount: number): ClockSyncConfig {
  return {
    channelCount,
    faultsTolerated: 1,
    resyncPeriodMicros: 40_000,
    readingErrorMicros: 20,
    driftPpmMax: 100,
    driftWindowRounds: 25,
  };
}
