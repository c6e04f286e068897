/**
 * The FrameBus port: one interface for every adapter (emulated CAN, serial line, SLCAN,
 * SocketCAN), as python-can has one `Bus`. Drivers return status values instead of throwing
 * (F Prime habit); delivery is by subscription with id/mask filters.
 */
import type { CanFrame } from '../core/frame/can.js';
import type { Result } from '../core/result.js';

/** Accept a frame when `(frame.id & mask) === (id & mask)` and, if given, its ID kind matches. */
export interface FrameFilter {
  readonly id: number;
  readonly mask: number;
  readonly extended?: boolean;
}

/** ISO 11898-1 fault confinement states, plus `closed` after close(). */
export type BusState = 'error-active' | 'error-passive' | 'bus-off' | 'closed';

export interface BusStatistics {
  readonly framesSent: number;
  readonly framesReceived: number;
  readonly errorFrames: number;
  /** Frames the adapter dropped (full queue, bad line, filter overflow), never silently. */
  readonly framesDropped: number;
  /** Transmit and receive error counters where the adapter knows them (CAN); else 0. */
  readonly txErrorCount: number;
  readonly rxErrorCount: number;
}

export type SendError =
  | { readonly code: 'queue_full'; readonly queueFramesMax: number }
  | { readonly code: 'bus_off' }
  | { readonly code: 'closed' }
  | { readonly code: 'invalid_frame'; readonly reason: string }
  | { readonly code: 'io_error'; readonly message: string };

/** Called for each received frame; `timestampMicros` is on the adapter's monotonic clock. */
export type FrameHandler = (frame: CanFrame, timestampMicros: number) => void;

export interface Subscription {
  unsubscribe(): void;
}

/** What an adapter can do beyond classic CAN; absent means all false. */
export interface BusCapabilities {
  /** Sends and receives CAN FD frames (contract suite runs its FD cases). */
  readonly fd: boolean;
  /** `statistics()` reports real transmit/receive error counters. */
  readonly errorCounters?: boolean;
}

export interface FrameBus {
  /** Adapter name as in the registry ('emulated', 'serial', 'slcan', 'socketcan'), plus the channel. */
  readonly name: string;
  /** Optional capabilities (compatible extension); absent: classic CAN only. */
  readonly capabilities?: BusCapabilities;
  /** Queues a frame for transmission; never blocks, never throws on a bad frame. */
  send(frame: CanFrame): Result<void, SendError>;
  /** Receives frames matching any filter (all frames when `filters` is empty or absent). */
  subscribe(handler: FrameHandler, filters?: readonly FrameFilter[]): Subscription;
  state(): BusState;
  statistics(): BusStatistics;
  close(): Promise<void>;
}

export function matchesFilters(frame: CanFrame, filters: readonly FrameFilter[] | undefined): boolean {
  if (filters === undefined || filters.length === 0) return true;
  for (const filter of filters) {
    if (filter.extended !== undefined && filter.extended !== frame.extended) continue;
    if (((frame.id ^ filter.id) & filter.mask) === 0) return true;
  }
  return false;
}
