/**
 * Outcome accounting: every injected fault is traced to its fate (docs/FLIGHT.md, "Fault
 * fates"). Each fault opens a record with an observation window; the flight reports what the
 * mechanisms saw (a corrected word, a CAN error frame, an isolated channel or sensor, fail-safe,
 * a silent data corruption), and the ledger assigns each observation to the open records it
 * can belong to. A record's fate is the most severe one observed in its window:
 *
 *   masked < corrected < isolated < failSafe < hang < sdc
 *
 * with `detectionLatencyMicros` from the injection to the first detecting observation. When
 * the window ends with no observation the fate is the record's default: 'masked', or 'hang'
 * for a channel that stopped and was never isolated.
 *
 * Attribution: an isolation of channel c belongs to the open records that target c (crash,
 * hang, wrong command, clock faults, and memory faults that c detected itself); only if there
 * is none does it go to the most recent open fault that targets no channel (bus, babble,
 * sensor), and it is then also counted as the isolation of a healthy channel. Fail-safe and
 * SDC belong to every open record; with none open they are counted as unattributed.
 */
import { assert } from '../assert.js';
import type { FaultKind } from './profile.js';

export const FATES = ['masked', 'corrected', 'isolated', 'failSafe', 'hang', 'sdc'] as const;
export type FaultFate = (typeof FATES)[number];
export const FAULT_RECORDS_MAX = 200_000;

export interface FaultRecord {
  readonly id: number;
  readonly kind: FaultKind;
  /** Channel index targeted, or −1. */
  readonly channel: number;
  /** Sensor index (0-based) targeted, or −1. */
  readonly sensor: number;
  readonly atMicros: number;
  readonly windowEndMicros: number;
  fate: FaultFate | undefined;
  defaultFate: FaultFate;
  detectedBy: string;
  detectionLatencyMicros: number | undefined;
  /** A memory fault the channel itself detected (uncorrectable): channel isolations are then its doing. */
  selfDetected: boolean;
  /** A forged sender's victim (can-masquerade): the victim's isolation is this fault's doing; else −1. */
  victim: number;
  /** The fault left wrong data in its channel that no mechanism flagged (an ECC miscorrection): the channel's isolation is its doing. */
  corrupted: boolean;
  closed: boolean;
}

const CHANNEL_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'channel-crash', 'channel-hang', 'wrong-command', 'clock-drift', 'clock-jump', 'two-faced', 'masquerade', 'replay',
  // A wrong computation, a control-flow error or a forged sender makes the channel itself faulty.
  'compute-flip', 'control-flow', 'can-masquerade',
]);
const GENERIC_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>(['bus-corrupt', 'bus-drop', 'bus-delay', 'bus-duplicate', 'babble', 'sensor', 'payload-corrupt', 'voter-drop']);
/** Faults a channel can find in itself (an uncorrectable word, a failed signature check): its self-report is theirs. */
const SELF_DETECTABLE_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'memory-flip', 'mbu', 'word-mbu', 'stuck-bit', 'decoder-upset', 'scrubber-upset', 'golden-flip', 'compute-flip', 'control-flow',
]);

export interface UnexplainedIsolation {
  readonly channel: number;
  readonly atMicros: number;
  readonly reason: string;
  /** The generic fault it was attributed to, or −1. */
  readonly blamedOn: number;
}

function rank(fate: FaultFate): number {
  return FATES.indexOf(fate);
}

export class FaultLedger {
  readonly records: FaultRecord[] = [];
  /** Isolations of channels no open fault targeted (a healthy channel voted out). */
  readonly healthyIsolations: UnexplainedIsolation[] = [];
  unattributedSdc = 0;
  unattributedFailSafe = 0;
  /** Records not yet closed, oldest first (bounded by FAULT_RECORDS_MAX). */
  private readonly open: FaultRecord[] = [];

  /** Opens a record; returns its id. */
  add(kind: FaultKind, channel: number, sensor: number, atMicros: number, windowMicros: number): number {
    assert(this.records.length < FAULT_RECORDS_MAX, 'fault ledger full');
    assert(windowMicros > 0, 'window must be positive');
    const stops = kind === 'channel-crash' || kind === 'channel-hang';
    const record: FaultRecord = {
      id: this.records.length, kind, channel, sensor, atMicros, windowEndMicros: atMicros + windowMicros,
      fate: undefined, defaultFate: stops ? 'hang' : 'masked', detectedBy: 'none', detectionLatencyMicros: undefined, selfDetected: false, victim: -1, corrupted: false, closed: false,
    };
    this.records.push(record);
    this.open.push(record);
    return record.id;
  }

  get openCount(): number {
    return this.open.length;
  }

  /** The record `id` saw `fate` at `atMicros`, detected by `by`. */
  observe(id: number, fate: FaultFate, atMicros: number, by: string): void {
    const r = this.records[id];
    assert(r !== undefined, `no fault record ${id}`);
    if (r.closed) return;
    this.raise(r, fate, atMicros, by);
  }

  /** Closes record `id` now (its outcome is settled, e.g. a corrected word). */
  close(id: number): void {
    const r = this.records[id];
    if (r === undefined || r.closed) return;
    this.finish(r);
    const i = this.open.indexOf(r);
    if (i >= 0) this.open.splice(i, 1);
  }

  /**
   * Record `id`'s fault left wrong data behind that looks clean (the ECC miscorrected it): it
   * stays open through its window, and its channel's isolation in that window is its doing.
   */
  corruptedData(id: number): void {
    const r = this.records[id];
    if (r !== undefined && !r.closed) r.corrupted = true;
  }

  /** Channel `channel` detected a fault in itself (uncorrectable memory): its open memory records own it. */
  channelSelfFault(channel: number, atMicros: number): void {
    let claimed = false;
    for (const r of this.open) {
      if (r.channel !== channel || !SELF_DETECTABLE_KINDS.has(r.kind)) continue;
      r.selfDetected = true;
      this.raise(r, 'isolated', atMicros, 'self-check');
      claimed = true;
    }
    if (!claimed) this.claimGeneric(channel, atMicros, 'self-check');
  }

  /** Record `id` forges frames of channel `victim` (can-masquerade). */
  setVictim(id: number, victim: number): void {
    const r = this.records[id];
    if (r !== undefined) r.victim = victim;
  }

  /**
   * The voter isolated `channel`. Its own channel faults explain it; so does a forger
   * impersonating it, and an upset in the voter's own state (a lane that isolated a healthy
   * channel until the lane re-sync, src/core/channel/voter-node.ts).
   */
  isolation(channel: number, atMicros: number, reason: string): void {
    let claimed = false;
    for (const r of this.open) {
      const explains = r.channel === channel ? CHANNEL_KINDS.has(r.kind) || r.selfDetected || r.corrupted : r.victim === channel || r.kind === 'voter-upset';
      if (explains) {
        this.raise(r, 'isolated', atMicros, `voter:${reason}`);
        claimed = true;
      }
    }
    if (!claimed) this.claimGeneric(channel, atMicros, reason);
  }

  /** A channel stopped using sensor `sensor` (failed by its monitor, or stale). */
  sensorExcluded(sensor: number, atMicros: number, by: string): boolean {
    let claimed = false;
    for (const r of this.open) {
      if (r.kind === 'sensor' && r.sensor === sensor) {
        this.raise(r, 'isolated', atMicros, by);
        claimed = true;
      }
    }
    return claimed;
  }

  failSafe(atMicros: number): void {
    if (this.open.length === 0) this.unattributedFailSafe++;
    for (const r of this.open) this.raise(r, 'failSafe', atMicros, 'voter:failsafe');
  }

  sdc(atMicros: number, what: string): void {
    if (this.open.length === 0) this.unattributedSdc++;
    for (const r of this.open) this.raise(r, 'sdc', atMicros, what);
  }

  /**
   * The oracle found an unannounced deviation that belongs to record `id` (src/sim/oracle.ts):
   * its fate is SDC, whether or not its observation window is still open.
   */
  verdictSdc(id: number, atMicros: number): void {
    const r = this.records[id];
    assert(r !== undefined, `no fault record ${id}`);
    this.raise(r, 'sdc', atMicros, 'oracle');
  }

  /** Closes every record whose window ended at or before `nowMicros`. */
  tick(nowMicros: number): void {
    while (this.open.length > 0) {
      let closedAny = false;
      for (let i = 0; i < this.open.length; i++) {
        const r = this.open[i];
        if (r === undefined || r.windowEndMicros > nowMicros) continue;
        this.finish(r);
        this.open.splice(i, 1);
        closedAny = true;
        break;
      }
      if (!closedAny) return;
    }
  }

  /** End of flight: closes everything. */
  finishAll(): void {
    for (const r of this.open) this.finish(r);
    this.open.length = 0;
  }

  /** The fate record `r` has, or would have if the flight ended now (pure: closes nothing). */
  static fateAtEnd(r: FaultRecord): FaultFate {
    return r.fate ?? r.defaultFate;
  }

  /** Counts per fate of every record as if the flight ended now (pure: closes nothing). */
  countsAtEnd(): Record<FaultFate, number> {
    const c: Record<FaultFate, number> = { masked: 0, corrected: 0, isolated: 0, failSafe: 0, hang: 0, sdc: 0 };
    for (const r of this.records) c[FaultLedger.fateAtEnd(r)]++;
    return c;
  }

  /** Counts of closed records per fate. */
  counts(): Record<FaultFate, number> {
    const c: Record<FaultFate, number> = { masked: 0, corrected: 0, isolated: 0, failSafe: 0, hang: 0, sdc: 0 };
    for (const r of this.records) if (r.closed && r.fate !== undefined) c[r.fate]++;
    return c;
  }

  private claimGeneric(channel: number, atMicros: number, reason: string): void {
    let blamed = -1;
    for (let i = this.open.length - 1; i >= 0; i--) {
      const r = this.open[i];
      if (r !== undefined && GENERIC_KINDS.has(r.kind)) {
        this.raise(r, 'isolated', atMicros, `voter:${reason}`);
        blamed = r.id;
        break;
      }
    }
    this.healthyIsolations.push({ channel, atMicros, reason, blamedOn: blamed });
  }

  private raise(r: FaultRecord, fate: FaultFate, atMicros: number, by: string): void {
    if (r.detectionLatencyMicros === undefined && fate !== 'masked') {
      r.detectionLatencyMicros = Math.max(0, atMicros - r.atMicros);
      r.detectedBy = by;
    }
    if (r.fate === undefined || rank(fate) > rank(r.fate)) r.fate = fate;
  }

  private finish(r: FaultRecord): void {
    r.closed = true;
    if (r.fate === undefined) r.fate = r.defaultFate;
  }
}
