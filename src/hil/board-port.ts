/**
 * What the rest of Triplex sees of a real board in the loop: the BoardPort the console drives
 * (flip, peek, poke, scrub, kill, hang, revive, counters), the BoardChannel the bridge adds
 * (link statistics, close), and the CycleRunner that runs one lockstep cycle with the boards.
 * Implemented by src/hil/board-bridge.ts; one file so that the bridge and its boards share
 * the types without importing each other.
 */
import type { Result } from '../core/result.js';

/** What the console needs from a channel that is a real board (implemented by the board bridge). */
export interface BoardPort {
  readonly link: string;
  flipMemory(address: number, bit: number): Promise<Result<string, string>>;
  flipRegister(register: string, bit: number): Promise<Result<string, string>>;
  peek(address: number, lengthBytes: number): Promise<Result<Uint8Array, string>>;
  poke(address: number, bytes: Uint8Array): Promise<Result<string, string>>;
  scrub(): Promise<Result<string, string>>;
  kill(): Promise<Result<string, string>>;
  hang(): Promise<Result<string, string>>;
  revive(): Promise<Result<string, string>>;
  counters(): { readonly corrected: number; readonly uncorrectable: number };
  /** Re-reads the counters from the board (after `step` and after every board action). */
  refresh?(): Promise<void>;
}

export interface BoardLinkStatistics {
  readonly channel: string;
  readonly link: string;
  readonly connected: boolean;
  readonly cycles: number;
  readonly timeouts: number;
  readonly reconnects: number;
  readonly latencyP50Micros: number;
  readonly latencyP99Micros: number;
  readonly latencyMaxMicros: number;
  /** Latency spread: p99 − p50 of the board round trip. */
  readonly jitterMicros: number;
  /** Why the last exchange failed, if it did. */
  readonly lastError?: string;
}

/** A board channel as the bridge drives it. */
export interface BoardChannel extends BoardPort {
  statistics(): BoardLinkStatistics;
  close(): Promise<void>;
}

/** Runs one cycle of the flight (a board bridge runs it as a lockstep exchange with its boards). */
export type CycleRunner = () => Promise<void>;
