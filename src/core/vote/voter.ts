/**
 * Actuator voter and redundancy manager for 3 or 4 channels (2 is accepted for tests of the
 * pair rule). Per minor frame the runtime calls `setCommand()` for each channel command frame
 * that passed the E2E check (`markInvalid()` for one that failed it), then `vote(nowMicros)`,
 * which writes `output` (one value per actuator, preallocated) and returns a status word
 * (`VOTER_*` bits | voting-channel mask). Nothing is allocated on this path.
 *
 * Channel health: active → suspect (miscomparing, or stale but not yet timed out) → isolated
 * (persistence counter tripped, timeout, or an external fault report) → after a healthy period
 * (fresh, valid, no fault report for `healthyPeriodMicros`) the voter asks the runtime to install
 * the voted control state in the channel (`StateTransferPort.requestStateTransfer`, true when
 * the receiver's CRC over what it installed matched the voted CRC; a receiver that can only
 * answer after the vote reports a rejection with `reportTransferFailed`) → reintegrating
 * (probation: must agree with the reference for `probationCycles` consecutive cycles, not yet
 * voting) → active. A channel isolated `isolationsMax` times within `isolationWindowMicros` (the
 * reintegration budget), or whose transfer fails
 * `transferAttemptsMax` times in a row, or that the runtime declares dead, is failed for good.
 *
 * Modes by the number n of voting channels: n ≥ 3 mid-value select ('vote'); n = 2 the mean if
 * the pair agrees, otherwise the command closer to the last voted one, latched fail-safe if
 * the disagreement persists ('pair'); n = 1 that channel ('single'); n = 0 fail-safe: hold the
 * last voted output for `failSafeHoldMicros`, then the safe command. Reasoning and numbers:
 * docs/REDUNDANCY.md.
 *
 * Voter lanes: the actuator electronics run three replicas of this voter, one per lane, fed the
 * same inputs. `copyStateFrom()` makes one lane an exact copy of another (resynchronisation),
 * `stateFingerprint()` hashes a lane's whole mutable state so lanes can be compared cheaply, and
 * `upsetState()` flips one bit of a lane's own memory (an SEU in the voter) for fault injection.
 */
import { assert, assertNever } from '../assert.js';
import { EVENT_RING_SUMMARY_LENGTH, EventRing, type VoterEventReason } from './events.js';
import { midValueSelect, persistenceStep, SELECT_COUNT_MAX } from './select.js';

export const VOTER_ACTUATORS_MAX = 16;

/** Bits 0..3 of the status word: channel i voted this cycle. */
export const VOTER_VOTING_MASK = 0x0f;
/** Fewer voting channels than configured. */
export const VOTER_ALARM_DEGRADED = 1 << 4;
/** Two voting channels disagree beyond threshold. */
export const VOTER_ALARM_PAIR_DISAGREE = 1 << 5;
/** One voting channel: its command goes out unchecked (loud). */
export const VOTER_ALARM_SINGLE = 1 << 6;
/** Fail-safe: last voted output held, or the safe command (loud). */
export const VOTER_ALARM_FAILSAFE = 1 << 7;
/** At least one channel is permanently failed. */
export const VOTER_ALARM_CHANNEL_FAILED = 1 << 8;
/** An event was recorded in this cycle. */
export const VOTER_EVENT_RECORDED = 1 << 9;

export type ChannelHealth = 'active' | 'suspect' | 'isolated' | 'reintegrating' | 'failed';
export type VoterMode = 'vote' | 'pair' | 'single' | 'failsafe_hold' | 'failsafe';

const ACTIVE = 0;
const SUSPECT = 1;
const ISOLATED = 2;
const REINTEGRATING = 3;
const FAILED = 4;
const HEALTH_NAMES: readonly ChannelHealth[] = ['active', 'suspect', 'isolated', 'reintegrating', 'failed'];
const HEALTH_STATES = 5;
/** Mode codes for the fingerprint (index = code). */
const MODE_NAMES: readonly VoterMode[] = ['vote', 'pair', 'single', 'failsafe_hold', 'failsafe'];

/**
 * The parts of a voter lane's memory an upset (`upsetState`) can hit. health, level, probation
 * and healthySince have one element per channel; output and lastVoted one per actuator;
 * pairLevel is a single scalar.
 */
export const VOTER_STATE_FIELDS = ['health', 'level', 'output', 'lastVoted', 'probation', 'healthySince', 'pairLevel'] as const;
export type VoterStateField = (typeof VOTER_STATE_FIELDS)[number];

/** Scalars folded into the fingerprint after the typed arrays (see `stateFingerprint`). */
const FINGERPRINT_SCALARS = 8;

/** IEEE-754 bit b of a float64 lives in byte b >> 3 (little-endian) or 7 − (b >> 3) of its 8 bytes. */
const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32-bit) over `bytes`, continuing from `hash`. */
function fnv1a(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] ?? 0;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

function bytesOf(array: Float64Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Flips IEEE-754 bit `bit` (0 = mantissa LSB, 52..62 exponent, 63 sign) of float64 element `index`, given the array's bytes. */
function flipFloat64Bit(bytes: Uint8Array, index: number, bit: number): void {
  const byte = index * 8 + (LITTLE_ENDIAN ? bit >> 3 : 7 - (bit >> 3));
  assert(byte >= 0 && byte < bytes.length, 'flipFloat64Bit: out of range');
  bytes[byte] = (bytes[byte] ?? 0) ^ (1 << (bit & 7));
}

/** Scalar and per-actuator config fields two lanes must share for `copyStateFrom`. */
const LANE_CONFIG_KEYS = [
  'channelCount', 'actuatorCount', 'stalenessTimeoutMicros', 'timeoutIsolateMicros', 'rateGain', 'miscompareTrip',
  'miscompareDecay', 'healthyPeriodMicros', 'probationCycles', 'isolationsMax', 'isolationWindowMicros',
  'transferAttemptsMax', 'pairTrip', 'failSafeHoldMicros', 'eventCapacity',
] as const;

function sameLaneConfig(a: VoterConfig, b: VoterConfig): boolean {
  for (let k = 0; k < LANE_CONFIG_KEYS.length; k++) {
    const key = LANE_CONFIG_KEYS[k];
    if (key !== undefined && a[key] !== b[key]) return false;
  }
  for (let i = 0; i < a.actuatorCount; i++) {
    if (a.thresholds[i] !== b.thresholds[i] || a.safeCommand[i] !== b.safeCommand[i]) return false;
  }
  return true;
}

/** Why a state transfer did not happen (the reason of its `transfer_failed` event; `false` is `crc_mismatch`). */
export type StateTransferFailure = 'crc_mismatch' | 'sources_disagree' | 'no_source';

/** Implemented by the channel runtime. */
export interface StateTransferPort {
  /**
   * Vote the control state of the healthy channels, install it in `channel` and have the
   * receiver verify what it installed against the voted CRC. Returns true when it did; false
   * (a CRC mismatch) or the reason otherwise. Called synchronously from `vote()`.
   */
  requestStateTransfer(channel: number): boolean | StateTransferFailure;
}

export interface VoterConfig {
  readonly channelCount: number;
  readonly actuatorCount: number;
  /** A command older than this (monotonic) does not vote. */
  readonly stalenessTimeoutMicros: number;
  /** No fresh valid command for longer than this → isolation ('timeout' or 'invalid'). */
  readonly timeoutIsolateMicros: number;
  /** Per actuator, absolute miscompare threshold in the command's unit. */
  readonly thresholds: readonly number[];
  /** Rate allowance: threshold += min(threshold, rateGain · |voted change over the last cycle|). */
  readonly rateGain: number;
  /** Persistence counter level that isolates a channel. */
  readonly miscompareTrip: number;
  /** Counter decrement per agreeing cycle (1 = up/down counter; = trip → consecutive rule). */
  readonly miscompareDecay: number;
  /** Continuous fresh/valid/no-fault time an isolated channel needs before a state transfer. */
  readonly healthyPeriodMicros: number;
  /** Consecutive agreeing cycles a reintegrating channel needs to become active. */
  readonly probationCycles: number;
  /** Isolations within `isolationWindowMicros` that fail a channel for good (the reintegration budget). */
  readonly isolationsMax: number;
  /**
   * The budget's window: `isolationsMax` isolations whose first lies less than this before the
   * last one. Undefined: the whole flight (every isolation counts for ever).
   */
  readonly isolationWindowMicros?: number;
  readonly transferAttemptsMax: number;
  /** Pair-disagreement persistence (counter level) that latches fail-safe in pair mode. */
  readonly pairTrip: number;
  /** In fail-safe the last voted output is held this long before the safe command. */
  readonly failSafeHoldMicros: number;
  /** Per actuator, the documented safe command (e.g. surfaces centred = 0). */
  readonly safeCommand: readonly number[];
  readonly eventCapacity: number;
}

export class ActuatorVoter {
  /** The actuator command of this cycle; rewritten by every `vote()`. */
  readonly output: Float64Array;
  readonly events: EventRing;
  private readonly cfg: VoterConfig;
  private readonly port: StateTransferPort;
  private readonly commands: Float64Array;
  private readonly stampMicros: Float64Array;
  private readonly hasCommand: Uint8Array;
  private readonly invalidSeen: Uint8Array;
  private readonly faultReported: Uint8Array;
  private readonly health: Uint8Array;
  private readonly level: Int32Array;
  private readonly firstSymptomMicros: Float64Array;
  private readonly lastFreshMicros: Float64Array;
  private readonly healthySinceMicros: Float64Array;
  private readonly probation: Int32Array;
  private readonly isolations: Int32Array;
  /** Per channel, the times of its last `isolationsMax` isolations (a ring, c·isolationsMax + k). */
  private readonly isolationTimes: Float64Array;
  private readonly transferFails: Int32Array;
  private readonly voted: Float64Array;
  private readonly lastVoted: Float64Array;
  private readonly reference: Float64Array;
  private readonly effThreshold: Float64Array;
  private readonly scratch = new Float64Array(SELECT_COUNT_MAX);
  private readonly votingIndex = new Int32Array(SELECT_COUNT_MAX);
  private votingCount = 0;
  private hasVoted = false;
  private pairLevel = 0;
  private pairLatched = false;
  private failSafeSinceMicros = -1;
  private modeValue: VoterMode = 'failsafe';
  private started = false;
  private eventsBefore = 0;
  /**
   * Byte views of every mutable typed array, in a fixed order: what `copyStateFrom` copies and
   * `stateFingerprint` hashes (with the scalars). Built once in the constructor.
   */
  private readonly stateBytes: readonly Uint8Array[];
  private readonly outputBytes: Uint8Array;
  private readonly lastVotedBytes: Uint8Array;
  private readonly healthySinceBytes: Uint8Array;
  /** Scratch for the fingerprint: the scalars, then the event ring's summary. */
  private readonly fingerprintWords = new Float64Array(FINGERPRINT_SCALARS + EVENT_RING_SUMMARY_LENGTH);
  private readonly fingerprintBytes = bytesOf(this.fingerprintWords);
  /** The last hash `hashState` computed (a typed slot: comparing two lanes' slots boxes no number). */
  private readonly fingerprintSlot = new Uint32Array(1);

  constructor(cfg: VoterConfig, port: StateTransferPort) {
    validateVoterConfig(cfg);
    this.cfg = { ...cfg, thresholds: [...cfg.thresholds], safeCommand: [...cfg.safeCommand] };
    this.port = port;
    const c = cfg.channelCount;
    const a = cfg.actuatorCount;
    this.output = Float64Array.from(cfg.safeCommand);
    this.events = new EventRing(cfg.eventCapacity);
    this.commands = new Float64Array(c * a);
    this.stampMicros = new Float64Array(c);
    this.hasCommand = new Uint8Array(c);
    this.invalidSeen = new Uint8Array(c);
    this.faultReported = new Uint8Array(c);
    this.health = new Uint8Array(c);
    this.level = new Int32Array(c);
    this.firstSymptomMicros = new Float64Array(c).fill(-1);
    this.lastFreshMicros = new Float64Array(c);
    this.healthySinceMicros = new Float64Array(c).fill(-1);
    this.probation = new Int32Array(c);
    this.isolations = new Int32Array(c);
    this.isolationTimes = new Float64Array(c * cfg.isolationsMax);
    this.transferFails = new Int32Array(c);
    this.voted = new Float64Array(a);
    this.lastVoted = Float64Array.from(cfg.safeCommand);
    this.reference = new Float64Array(a);
    this.effThreshold = new Float64Array(a);
    this.outputBytes = bytesOf(this.output);
    this.lastVotedBytes = bytesOf(this.lastVoted);
    this.healthySinceBytes = bytesOf(this.healthySinceMicros);
    this.stateBytes = [
      this.outputBytes, bytesOf(this.commands), bytesOf(this.stampMicros), bytesOf(this.hasCommand),
      bytesOf(this.invalidSeen), bytesOf(this.faultReported), bytesOf(this.health), bytesOf(this.level),
      bytesOf(this.firstSymptomMicros), bytesOf(this.lastFreshMicros), this.healthySinceBytes, bytesOf(this.probation),
      bytesOf(this.isolations), bytesOf(this.isolationTimes), bytesOf(this.transferFails), bytesOf(this.voted),
      this.lastVotedBytes, bytesOf(this.reference), bytesOf(this.effThreshold), bytesOf(this.scratch), bytesOf(this.votingIndex),
    ];
  }

  /**
   * Makes this voter an exact copy of `other` (a lane of the same configuration): every typed
   * array, every scalar and the event ring, so that from now on both give identical outputs,
   * status words and events for identical inputs. The config and the StateTransferPort stay
   * this lane's own. Allocation-free.
   */
  copyStateFrom(other: ActuatorVoter): void {
    assert(other.cfg.channelCount === this.cfg.channelCount && other.cfg.actuatorCount === this.cfg.actuatorCount, 'copyStateFrom: channel/actuator count differs');
    assert(sameLaneConfig(this.cfg, other.cfg), 'copyStateFrom: configuration differs');
    assert(other.stateBytes.length === this.stateBytes.length, 'copyStateFrom: layout differs');
    for (let k = 0; k < this.stateBytes.length; k++) {
      const to = this.stateBytes[k];
      const from = other.stateBytes[k];
      if (to === undefined || from === undefined || to.length !== from.length) assert(false, `copyStateFrom: array ${k} differs`);
      to.set(from);
    }
    this.events.copyFrom(other.events);
    this.votingCount = other.votingCount;
    this.hasVoted = other.hasVoted;
    this.pairLevel = other.pairLevel;
    this.pairLatched = other.pairLatched;
    this.failSafeSinceMicros = other.failSafeSinceMicros;
    this.modeValue = other.modeValue;
    this.started = other.started;
    this.eventsBefore = other.eventsBefore;
    this.hashState();
    other.hashState();
    assert(this.fingerprintSlot[0] === other.fingerprintSlot[0], 'copyStateFrom: fingerprints differ after the copy');
  }

  /**
   * 32-bit FNV-1a hash of the lane's whole mutable state: the bytes of every typed array
   * (float64 by their IEEE-754 bytes), then the scalars (votingCount, hasVoted, pairLevel,
   * pairLatched, failSafeSinceMicros, mode, started, eventsBefore) and the event ring's summary
   * (total count, size, head, newest event). Equal state gives an equal fingerprint; any single
   * flipped state bit changes it (FNV-1a is a bijection of its state per byte). Allocation-free.
   */
  stateFingerprint(): number {
    this.hashState();
    return this.fingerprintSlot[0] ?? 0;
  }

  /** Computes the state fingerprint into `fingerprintSlot[0]`. */
  private hashState(): void {
    let h = FNV_OFFSET_BASIS;
    // Indexed loops, not for-of: no iterator object on this path.
    for (let k = 0; k < this.stateBytes.length; k++) {
      const bytes = this.stateBytes[k];
      if (bytes !== undefined) h = fnv1a(h, bytes);
    }
    const w = this.fingerprintWords;
    w[0] = this.votingCount;
    w[1] = this.hasVoted ? 1 : 0;
    w[2] = this.pairLevel;
    w[3] = this.pairLatched ? 1 : 0;
    w[4] = this.failSafeSinceMicros;
    w[5] = MODE_NAMES.indexOf(this.modeValue);
    w[6] = this.started ? 1 : 0;
    w[7] = this.eventsBefore;
    this.events.writeSummary(w, FINGERPRINT_SCALARS);
    this.fingerprintSlot[0] = fnv1a(h, this.fingerprintBytes);
  }

  /**
   * A single-event upset in the voter's own memory: XORs bit `bit` into element `index` of
   * `field` (0 ≤ index < stateFieldLength(field), 0 ≤ bit < stateFieldBits(field); index is
   * ignored for the scalar pairLevel).
   * - health (8-bit code per channel): the state decoder maps any code to one of the five
   *   states, code mod 5 (active, suspect, isolated, reintegrating, failed). A single flip
   *   always lands on a different state, and can promote a failed channel.
   * - level, probation (int32 per channel), pairLevel (int32 scalar): two's-complement bit
   *   flip; a flipped high bit gives a huge or negative counter, as the memory would.
   * - output, lastVoted (float64 per actuator), healthySince (float64 per channel): IEEE-754
   *   bit 0..63 (52..62 exponent, 63 sign); a flipped exponent bit can give a huge value,
   *   an infinity or a NaN. `output` is rewritten by the next vote; lastVoted and healthySince
   *   are read before they are rewritten.
   * Allocation-free.
   */
  upsetState(field: VoterStateField, index: number, bit: number): void {
    const bits = ActuatorVoter.stateFieldBits(field);
    if (!(Number.isInteger(bit) && bit >= 0 && bit < bits)) assert(false, `upsetState: bad bit ${bit} for ${field}`);
    const length = this.stateFieldLength(field);
    if (field !== 'pairLevel' && !(Number.isInteger(index) && index >= 0 && index < length)) {
      assert(false, `upsetState: bad index ${index} for ${field}`);
    }
    switch (field) {
      case 'health': this.health[index] = (((this.health[index] ?? 0) ^ (1 << bit)) & 0xff) % HEALTH_STATES; return;
      case 'level': this.level[index] = (this.level[index] ?? 0) ^ (1 << bit); return;
      case 'probation': this.probation[index] = (this.probation[index] ?? 0) ^ (1 << bit); return;
      case 'pairLevel': this.pairLevel = (this.pairLevel ^ (1 << bit)) | 0; return;
      case 'output': flipFloat64Bit(this.outputBytes, index, bit); return;
      case 'lastVoted': flipFloat64Bit(this.lastVotedBytes, index, bit); return;
      case 'healthySince': flipFloat64Bit(this.healthySinceBytes, index, bit); return;
      default: assertNever(field, 'voter state field');
    }
  }

  /** Elements of `field` in a voter of `cfg`: channels, actuators, or 1 for pairLevel. */
  static stateFieldLength(field: VoterStateField, cfg: Pick<VoterConfig, 'channelCount' | 'actuatorCount'>): number {
    switch (field) {
      case 'health': case 'level': case 'probation': case 'healthySince': return cfg.channelCount;
      case 'output': case 'lastVoted': return cfg.actuatorCount;
      case 'pairLevel': return 1;
      default: return assertNever(field, 'voter state field');
    }
  }

  /** Bits per element of `field`: 8 (health), 32 (level, probation, pairLevel), 64 (floats). */
  static stateFieldBits(field: VoterStateField): number {
    switch (field) {
      case 'health': return 8;
      case 'level': case 'probation': case 'pairLevel': return 32;
      case 'output': case 'lastVoted': case 'healthySince': return 64;
      default: return assertNever(field, 'voter state field');
    }
  }

  /** `ActuatorVoter.stateFieldLength(field, cfg)` for this voter's config. */
  stateFieldLength(field: VoterStateField): number {
    return ActuatorVoter.stateFieldLength(field, this.cfg);
  }

  /** `ActuatorVoter.stateFieldBits(field)`. */
  stateFieldBits(field: VoterStateField): number {
    return ActuatorVoter.stateFieldBits(field);
  }

  /** Records a command frame that passed the E2E check (`receivedMicros`: monotonic receive time). */
  setCommand(channel: number, values: ArrayLike<number>, receivedMicros: number): void {
    this.checkChannel(channel);
    assert(values.length >= this.cfg.actuatorCount, 'setCommand: too few values');
    const base = channel * this.cfg.actuatorCount;
    for (let i = 0; i < this.cfg.actuatorCount; i++) {
      const v = values[i] ?? Number.NaN;
      if (!Number.isFinite(v)) {
        this.invalidSeen[channel] = 1;
        return;
      }
      this.commands[base + i] = v;
    }
    this.stampMicros[channel] = receivedMicros;
    this.hasCommand[channel] = 1;
    this.invalidSeen[channel] = 0;
  }

  /** A command frame of `channel` failed its E2E check: it does not refresh the channel. */
  markInvalid(channel: number): void {
    this.checkChannel(channel);
    this.invalidSeen[channel] = 1;
  }

  /**
   * An outside monitor (clock sync, self-test, watchdog) reports `channel` faulty: it is
   * isolated at the next vote and cannot start its healthy period while the report stands.
   * `clearFault()` withdraws the report.
   */
  reportFault(channel: number): void {
    this.checkChannel(channel);
    this.faultReported[channel] = 1;
  }

  clearFault(channel: number): void {
    this.checkChannel(channel);
    this.faultReported[channel] = 0;
  }

  /** The runtime knows `channel` is dead (crashed, no reintegration possible): failed for good. */
  declareFailed(channel: number, nowMicros: number): void {
    this.checkChannel(channel);
    if (this.health[channel] !== FAILED) this.setFailed(channel, 'declared', nowMicros);
  }

  /** Votes the current commands into `output`; returns the status word. */
  vote(nowMicros: number): number {
    if (!Number.isFinite(nowMicros)) assert(false, 'vote: bad time');
    this.eventsBefore = this.events.totalCount;
    if (!this.started) this.start(nowMicros);
    this.checkTimeouts(nowMicros);
    this.collectVoting(nowMicros);
    const trusted = this.computeVoted();
    this.computeThresholds();
    this.monitorVoting(nowMicros, trusted);
    this.monitorReintegrating(nowMicros, trusted);
    this.serviceIsolated(nowMicros);
    const status = this.produceOutput(nowMicros);
    return status | (this.events.totalCount !== this.eventsBefore ? VOTER_EVENT_RECORDED : 0);
  }

  channelHealth(channel: number): ChannelHealth {
    this.checkChannel(channel);
    return HEALTH_NAMES[this.health[channel] ?? FAILED] ?? 'failed';
  }

  get mode(): VoterMode {
    return this.modeValue;
  }

  /** Miscompare persistence level of `channel` (0 = agreeing). */
  monitorLevel(channel: number): number {
    return this.level[channel] ?? 0;
  }

  isolationCount(channel: number): number {
    return this.isolations[channel] ?? 0;
  }

  private checkChannel(channel: number): void {
    if (!(Number.isInteger(channel) && channel >= 0 && channel < this.cfg.channelCount)) assert(false, `voter: bad channel ${channel}`);
  }

  private start(nowMicros: number): void {
    this.started = true;
    this.lastFreshMicros.fill(nowMicros);
  }

  private fresh(channel: number, nowMicros: number): boolean {
    if (this.hasCommand[channel] !== 1) return false;
    const ageMicros = nowMicros - (this.stampMicros[channel] ?? 0);
    return ageMicros >= 0 && ageMicros <= this.cfg.stalenessTimeoutMicros;
  }

  /** Freshness bookkeeping, timeout and external-fault isolation of non-isolated channels. */
  private checkTimeouts(nowMicros: number): void {
    for (let c = 0; c < this.cfg.channelCount; c++) {
      if (this.fresh(c, nowMicros)) this.lastFreshMicros[c] = this.stampMicros[c] ?? nowMicros;
      const h = this.health[c];
      if (h === ISOLATED || h === FAILED) continue;
      if (this.faultReported[c] === 1) {
        this.isolate(c, 'external', nowMicros, 0);
        continue;
      }
      const silentMicros = nowMicros - (this.lastFreshMicros[c] ?? 0);
      if (silentMicros > this.cfg.timeoutIsolateMicros) {
        this.isolate(c, this.invalidSeen[c] === 1 ? 'invalid' : 'timeout', nowMicros, silentMicros);
      }
    }
  }

  private collectVoting(nowMicros: number): void {
    let n = 0;
    for (let c = 0; c < this.cfg.channelCount; c++) {
      const h = this.health[c];
      if (h !== ACTIVE && h !== SUSPECT) continue;
      const fresh = this.fresh(c, nowMicros);
      if (fresh) this.votingIndex[n++] = c;
      this.health[c] = fresh && this.level[c] === 0 ? ACTIVE : SUSPECT;
    }
    this.votingCount = n;
  }

  /** Fills `voted` from the voting channels; returns whether it is a trusted reference. */
  private computeVoted(): boolean {
    const n = this.votingCount;
    if (n === 0) return false;
    const a = this.cfg.actuatorCount;
    if (n === 2) return this.votePair();
    for (let i = 0; i < a; i++) {
      for (let k = 0; k < n; k++) this.scratch[k] = this.commands[(this.votingIndex[k] ?? 0) * a + i] ?? 0;
      this.voted[i] = midValueSelect(this.scratch, n);
    }
    return true;
  }

  /** Pair rule: mean if agreeing on every actuator, else per actuator the one nearer the last vote. */
  private votePair(): boolean {
    const a = this.cfg.actuatorCount;
    const x = (this.votingIndex[0] ?? 0) * a;
    const y = (this.votingIndex[1] ?? 0) * a;
    let agree = true;
    for (let i = 0; i < a; i++) {
      if (Math.abs((this.commands[x + i] ?? 0) - (this.commands[y + i] ?? 0)) > (this.cfg.thresholds[i] ?? 0)) agree = false;
    }
    for (let i = 0; i < a; i++) {
      const u = this.commands[x + i] ?? 0;
      const v = this.commands[y + i] ?? 0;
      const last = this.lastVoted[i] ?? 0;
      this.voted[i] = agree || !this.hasVoted ? (u + v) / 2 : Math.abs(u - last) <= Math.abs(v - last) ? u : v;
    }
    this.pairLevel = persistenceStep(this.pairLevel, !agree, this.cfg.pairTrip, 1);
    if (this.pairLevel >= this.cfg.pairTrip) this.pairLatched = true;
    if (this.pairLevel === 0) this.pairLatched = false;
    return agree;
  }

  /** Effective per-actuator threshold: absolute + bounded allowance for the voted rate. */
  private computeThresholds(): void {
    for (let i = 0; i < this.cfg.actuatorCount; i++) {
      const base = this.cfg.thresholds[i] ?? 0;
      const change = this.votingCount > 0 && this.hasVoted ? Math.abs((this.voted[i] ?? 0) - (this.lastVoted[i] ?? 0)) : 0;
      this.effThreshold[i] = base + Math.min(base, this.cfg.rateGain * change);
    }
  }

  private deviates(channel: number, reference: Float64Array): boolean {
    const a = this.cfg.actuatorCount;
    for (let i = 0; i < a; i++) {
      if (Math.abs((this.commands[channel * a + i] ?? 0) - (reference[i] ?? 0)) > (this.effThreshold[i] ?? 0)) return true;
    }
    return false;
  }

  /** Disagreement monitors of voting channels; only a vote of ≥ 3 can blame one channel. */
  private monitorVoting(nowMicros: number, trusted: boolean): void {
    if (this.votingCount < 3 || !trusted) return;
    for (let k = 0; k < this.votingCount; k++) {
      const c = this.votingIndex[k] ?? 0;
      const miscompare = this.deviates(c, this.voted);
      const before = this.level[c] ?? 0;
      const after = persistenceStep(before, miscompare, this.cfg.miscompareTrip, this.cfg.miscompareDecay);
      this.level[c] = after;
      if (before === 0 && after > 0) this.firstSymptomMicros[c] = nowMicros;
      if (after >= this.cfg.miscompareTrip) {
        this.isolate(c, 'miscompare', nowMicros, nowMicros - (this.firstSymptomMicros[c] ?? nowMicros));
      } else {
        this.health[c] = after > 0 ? SUSPECT : ACTIVE;
        if (after === 0) this.firstSymptomMicros[c] = -1;
      }
    }
  }

  /** Probation of reintegrating channels against the voted output, or against each other. */
  private monitorReintegrating(nowMicros: number, trusted: boolean): void {
    const referenceOk = this.votingCount > 0 ? trusted : this.referenceFromReintegrating(nowMicros);
    if (!referenceOk) return;
    const reference = this.votingCount > 0 ? this.voted : this.reference;
    for (let c = 0; c < this.cfg.channelCount; c++) {
      if (this.health[c] !== REINTEGRATING || !this.fresh(c, nowMicros)) continue;
      if (this.deviates(c, reference)) {
        this.isolate(c, 'probation_miscompare', nowMicros, 0);
        continue;
      }
      this.probation[c] = (this.probation[c] ?? 0) + 1;
      if ((this.probation[c] ?? 0) >= this.cfg.probationCycles) {
        this.health[c] = ACTIVE;
        this.level[c] = 0;
        this.transferFails[c] = 0;
        this.events.record('reintegrated', c, 'probation_passed', nowMicros);
      }
    }
  }

  /**
   * With no voting channel, reintegrating channels are checked against their own mid-value
   * (2 must agree; a lone one is accepted, as 'single' mode would accept it). Returns trust.
   */
  private referenceFromReintegrating(nowMicros: number): boolean {
    let n = 0;
    for (let c = 0; c < this.cfg.channelCount; c++) {
      if (this.health[c] === REINTEGRATING && this.fresh(c, nowMicros)) this.votingIndex[n++] = c;
    }
    if (n === 0) return false;
    const a = this.cfg.actuatorCount;
    for (let i = 0; i < a; i++) {
      for (let k = 0; k < n; k++) this.scratch[k] = this.commands[(this.votingIndex[k] ?? 0) * a + i] ?? 0;
      this.reference[i] = midValueSelect(this.scratch, n);
    }
    this.votingCount = 0;
    return true;
  }

  /** Healthy-period timing and state transfer for isolated channels. */
  private serviceIsolated(nowMicros: number): void {
    for (let c = 0; c < this.cfg.channelCount; c++) {
      if (this.health[c] !== ISOLATED) continue;
      if (!this.fresh(c, nowMicros) || this.faultReported[c] === 1) {
        this.healthySinceMicros[c] = -1;
        continue;
      }
      if ((this.healthySinceMicros[c] ?? -1) < 0) this.healthySinceMicros[c] = nowMicros;
      if (nowMicros - (this.healthySinceMicros[c] ?? nowMicros) < this.cfg.healthyPeriodMicros) continue;
      this.transferState(c, nowMicros);
    }
  }

  private transferState(channel: number, nowMicros: number): void {
    const outcome = this.port.requestStateTransfer(channel);
    if (outcome === true) {
      this.health[channel] = REINTEGRATING;
      this.probation[channel] = 0;
      this.level[channel] = 0;
      this.events.record('reintegrating', channel, 'healthy_period', nowMicros);
      return;
    }
    this.failTransfer(channel, outcome === false ? 'crc_mismatch' : outcome, nowMicros);
  }

  /**
   * The receiver of a transfer that could only be installed after the vote (a board over its
   * serial line, src/hil/board-bridge.ts) rejected it: `channel` goes back from reintegrating
   * to isolated and the failure counts as a failed transfer, as a synchronous one would.
   */
  reportTransferFailed(channel: number, nowMicros: number, reason: StateTransferFailure = 'crc_mismatch'): void {
    this.checkChannel(channel);
    if (this.health[channel] !== REINTEGRATING) return;
    this.health[channel] = ISOLATED;
    this.probation[channel] = 0;
    this.failTransfer(channel, reason, nowMicros);
  }

  private failTransfer(channel: number, reason: StateTransferFailure, nowMicros: number): void {
    const fails = (this.transferFails[channel] ?? 0) + 1;
    this.transferFails[channel] = fails;
    this.healthySinceMicros[channel] = nowMicros;
    this.events.record('transfer_failed', channel, reason, nowMicros);
    if (fails >= this.cfg.transferAttemptsMax) this.setFailed(channel, 'transfer_attempts_max', nowMicros);
  }

  private isolate(channel: number, reason: VoterEventReason, nowMicros: number, latencyMicros: number): void {
    const count = (this.isolations[channel] ?? 0) + 1;
    this.isolations[channel] = count;
    // The budget: the isolationsMax-th isolation within the window fails the channel. The ring
    // holds the last isolationsMax isolation times; the oldest of them is isolation count − max + 1.
    const max = this.cfg.isolationsMax;
    this.isolationTimes[channel * max + (count % max)] = nowMicros;
    const oldest = this.isolationTimes[channel * max + ((count - max + 1) % max)] ?? nowMicros;
    const window = this.cfg.isolationWindowMicros;
    const overBudget = count >= max && (window === undefined || nowMicros - oldest < window);
    this.health[channel] = ISOLATED;
    this.level[channel] = 0;
    this.firstSymptomMicros[channel] = -1;
    this.healthySinceMicros[channel] = -1;
    this.events.record('isolated', channel, reason, nowMicros, latencyMicros);
    if (overBudget) this.setFailed(channel, 'isolations_max', nowMicros);
  }

  private setFailed(channel: number, reason: VoterEventReason, nowMicros: number): void {
    this.health[channel] = FAILED;
    this.events.record('failed', channel, reason, nowMicros);
  }

  /** Mode selection, fail-safe hold/safe command, and the status word. */
  private produceOutput(nowMicros: number): number {
    const n = this.votingCount;
    const failSafe = n === 0 || (n === 2 && this.pairLatched);
    let status = 0;
    for (let k = 0; k < n; k++) status |= 1 << (this.votingIndex[k] ?? 0);
    if (n < this.cfg.channelCount) status |= VOTER_ALARM_DEGRADED;
    if (n === 2 && this.pairLevel > 0) status |= VOTER_ALARM_PAIR_DISAGREE;
    if (n === 1) status |= VOTER_ALARM_SINGLE;
    if (this.health.includes(FAILED)) status |= VOTER_ALARM_CHANNEL_FAILED;
    if (n !== 2) {
      this.pairLevel = 0;
      this.pairLatched = false;
    }
    if (failSafe) return status | VOTER_ALARM_FAILSAFE | this.failSafeOutput(nowMicros, n === 0 ? 'no_channels' : 'pair_disagree');
    if (this.failSafeSinceMicros >= 0) {
      this.failSafeSinceMicros = -1;
      this.events.record('failsafe_exited', -1, 'recovered', nowMicros);
    }
    this.modeValue = n >= 3 ? 'vote' : n === 2 ? 'pair' : 'single';
    this.output.set(this.voted);
    this.lastVoted.set(this.voted);
    this.hasVoted = true;
    return status;
  }

  private failSafeOutput(nowMicros: number, reason: VoterEventReason): number {
    if (this.failSafeSinceMicros < 0) {
      this.failSafeSinceMicros = nowMicros;
      this.events.record('failsafe_entered', -1, reason, nowMicros);
    }
    const holding = this.hasVoted && nowMicros - this.failSafeSinceMicros <= this.cfg.failSafeHoldMicros;
    this.modeValue = holding ? 'failsafe_hold' : 'failsafe';
    for (let i = 0; i < this.cfg.actuatorCount; i++) {
      this.output[i] = holding ? (this.lastVoted[i] ?? 0) : (this.cfg.safeCommand[i] ?? 0);
    }
    return 0;
  }
}

function validateVoterConfig(cfg: VoterConfig): void {
  assert(Number.isInteger(cfg.channelCount) && cfg.channelCount >= 2 && cfg.channelCount <= SELECT_COUNT_MAX, 'voter: channelCount must be 2..4');
  assert(Number.isInteger(cfg.actuatorCount) && cfg.actuatorCount >= 1 && cfg.actuatorCount <= VOTER_ACTUATORS_MAX, 'voter: bad actuatorCount');
  assert(cfg.thresholds.length === cfg.actuatorCount && cfg.thresholds.every((t) => Number.isFinite(t) && t > 0), 'voter: one threshold > 0 per actuator');
  assert(cfg.safeCommand.length === cfg.actuatorCount && cfg.safeCommand.every(Number.isFinite), 'voter: one finite safe command per actuator');
  assert(cfg.stalenessTimeoutMicros > 0 && cfg.timeoutIsolateMicros >= cfg.stalenessTimeoutMicros, 'voter: timeoutIsolateMicros >= stalenessTimeoutMicros > 0');
  assert(cfg.rateGain >= 0 && Number.isFinite(cfg.rateGain), 'voter: rateGain must be >= 0');
  for (const key of ['miscompareTrip', 'miscompareDecay', 'probationCycles', 'isolationsMax', 'transferAttemptsMax', 'pairTrip'] as const) {
    assert(Number.isInteger(cfg[key]) && cfg[key] >= 1, `voter: ${key} must be an integer >= 1`);
  }
  assert(cfg.healthyPeriodMicros >= 0 && cfg.failSafeHoldMicros >= 0, 'voter: negative period');
  assert(cfg.isolationWindowMicros === undefined || cfg.isolationWindowMicros > 0, 'voter: isolation window must be > 0');
}

/**
 * Defaults for the 250 Hz minor frame (4 ms) with commands normalised to full scale ±1
 * (docs/REDUNDANCY.md has the reasoning for every number).
 */
export function defaultVoterConfig(channelCount: number, actuatorCount: number): VoterConfig {
  return {
    channelCount,
    actuatorCount,
    stalenessTimeoutMicros: 6_000,
    timeoutIsolateMicros: 12_000,
    thresholds: new Array<number>(actuatorCount).fill(0.02),
    rateGain: 1,
    miscompareTrip: 5,
    miscompareDecay: 1,
    healthyPeriodMicros: 1_000_000,
    probationCycles: 25,
    isolationsMax: 3,
    isolationWindowMicros: 60_000_000,
    transferAttemptsMax: 3,
    pairTrip: 25,
    failSafeHoldMicros: 20_000,
    safeCommand: new Array<number>(actuatorCount).fill(0),
    eventCapacity: 256,
  };
}
