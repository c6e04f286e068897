/**
 * Bounded event log of the redundancy manager: isolations, reintegrations, permanent failures
 * and fail-safe transitions, with monotonic timestamps and reasons. Stored as a struct of
 * typed arrays so that recording on the per-cycle path never allocates; when full, the oldest
 * event is overwritten and `droppedCount` says how many were lost. Reading (`list()`) builds
 * plain objects and is meant for reporting (`triplex run --json`), not for the cycle.
 */
import { assert } from '../assert.js';

export const VOTER_EVENT_KINDS = [
  'isolated',
  'transfer_failed',
  'reintegrating',
  'reintegrated',
  'failed',
  'failsafe_entered',
  'failsafe_exited',
] as const;
export type VoterEventKind = (typeof VOTER_EVENT_KINDS)[number];

export const VOTER_EVENT_REASONS = [
  'miscompare',
  'timeout',
  'invalid',
  'external',
  'isolations_max',
  'transfer_attempts_max',
  'crc_mismatch',
  'probation_miscompare',
  'healthy_period',
  'probation_passed',
  'no_channels',
  'pair_disagree',
  'recovered',
  'declared',
  'sources_disagree',
  'no_source',
] as const;
export type VoterEventReason = (typeof VOTER_EVENT_REASONS)[number];

export interface VoterEvent {
  readonly kind: VoterEventKind;
  /** Channel index, or −1 for voter-level events (fail-safe). */
  readonly channel: number;
  readonly reason: VoterEventReason;
  /** Monotonic time of the vote cycle that raised the event. */
  readonly atMicros: number;
  /**
   * For isolations: time from the first symptom (first miscompare of the persistence run, or
   * the last fresh command for a timeout) to the isolation. 0 where not applicable.
   */
  readonly detectionLatencyMicros: number;
}

export const EVENT_CAPACITY_MAX = 4096;
/** Numbers `EventRing.writeSummary` writes. */
export const EVENT_RING_SUMMARY_LENGTH = 8;

export class EventRing {
  private readonly kinds: Uint8Array;
  private readonly channels: Int8Array;
  private readonly reasons: Uint8Array;
  private readonly atMicros: Float64Array;
  private readonly latencyMicros: Float64Array;
  private head = 0;
  private size = 0;
  private total = 0;

  constructor(readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity >= 1 && capacity <= EVENT_CAPACITY_MAX, `EventRing: bad capacity ${capacity}`);
    this.kinds = new Uint8Array(capacity);
    this.channels = new Int8Array(capacity);
    this.reasons = new Uint8Array(capacity);
    this.atMicros = new Float64Array(capacity);
    this.latencyMicros = new Float64Array(capacity);
  }

  record(kind: VoterEventKind, channel: number, reason: VoterEventReason, atMicros: number, latencyMicros = 0): void {
    const slot = (this.head + this.size) % this.capacity;
    this.kinds[slot] = VOTER_EVENT_KINDS.indexOf(kind);
    this.channels[slot] = channel;
    this.reasons[slot] = VOTER_EVENT_REASONS.indexOf(reason);
    this.atMicros[slot] = atMicros;
    this.latencyMicros[slot] = latencyMicros;
    if (this.size < this.capacity) this.size++;
    else this.head = (this.head + 1) % this.capacity;
    this.total++;
  }

  /**
   * Makes this ring an exact copy of `other` (same capacity): retained events, order, totals.
   * Allocation-free (byte copies into the preallocated arrays).
   */
  copyFrom(other: EventRing): void {
    assert(other.capacity === this.capacity, 'EventRing.copyFrom: capacity differs');
    this.kinds.set(other.kinds);
    this.channels.set(other.channels);
    this.reasons.set(other.reasons);
    this.atMicros.set(other.atMicros);
    this.latencyMicros.set(other.latencyMicros);
    this.head = other.head;
    this.size = other.size;
    this.total = other.total;
    assert(this.total === other.total && this.size <= this.capacity, 'EventRing.copyFrom: copy incomplete');
  }

  /**
   * Writes EVENT_RING_SUMMARY_LENGTH numbers to `out[offset..]`: total, size, head and the newest
   * event's kind, channel, reason, time and latency (zeros while empty). Two rings fed the same
   * records write the same summary; a voter lane folds it into its state fingerprint. Returns the
   * offset after the summary. Allocation-free.
   */
  writeSummary(out: Float64Array, offset: number): number {
    assert(offset >= 0 && offset + EVENT_RING_SUMMARY_LENGTH <= out.length, 'EventRing.writeSummary: no room');
    const newest = (this.head + this.size - 1 + this.capacity) % this.capacity;
    const any = this.size > 0;
    out[offset] = this.total;
    out[offset + 1] = this.size;
    out[offset + 2] = this.head;
    out[offset + 3] = any ? (this.kinds[newest] ?? 0) : 0;
    out[offset + 4] = any ? (this.channels[newest] ?? 0) : 0;
    out[offset + 5] = any ? (this.reasons[newest] ?? 0) : 0;
    out[offset + 6] = any ? (this.atMicros[newest] ?? 0) : 0;
    out[offset + 7] = any ? (this.latencyMicros[newest] ?? 0) : 0;
    return offset + EVENT_RING_SUMMARY_LENGTH;
  }

  /** Events recorded since construction (including overwritten ones). */
  get totalCount(): number {
    return this.total;
  }

  get droppedCount(): number {
    return this.total - this.size;
  }

  /** The retained events, oldest first. Allocates: for reporting only. */
  list(): VoterEvent[] {
    const out: VoterEvent[] = [];
    for (let i = 0; i < this.size; i++) {
      const slot = (this.head + i) % this.capacity;
      out.push({
        kind: VOTER_EVENT_KINDS[this.kinds[slot] ?? 0] ?? 'isolated',
        channel: this.channels[slot] ?? -1,
        reason: VOTER_EVENT_REASONS[this.reasons[slot] ?? 0] ?? 'miscompare',
        atMicros: this.atMicros[slot] ?? 0,
        detectionLatencyMicros: this.latencyMicros[slot] ?? 0,
      });
    }
    return out;
  }
}
