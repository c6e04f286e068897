/**
 * The port the console drives: whatever flies the rig (the flight loop with emulated channels
 * and board sessions) implements RigControl. The console never reaches into the rig; it asks
 * for status and applies typed actions, so the same session works on a local rig and, through
 * src/console/remote.ts, on a rig in another process.
 */
import type { Result } from '../core/result.js';
import type { ChannelId, ChannelState, ConsoleCommand } from './parse.js';

export interface ChannelStatus {
  readonly channel: ChannelId;
  /** How the channel is reached: 'emulated', 'serial /dev/ttyAMA0', 'slcan /dev/ttyACM0', … */
  readonly link: string;
  readonly state: ChannelState;
  /** Single-bit errors corrected (scrubber and reads) since the rig started. */
  readonly corrected: number;
  /** Uncorrectable (double-bit) errors detected since the rig started. */
  readonly uncorrectable: number;
  /** The last fault seen or injected on this channel, in words; undefined before the first. */
  readonly lastFault: string | undefined;
}

export interface RigStatus {
  readonly rig: string;
  readonly cycle: number;
  /** Flight time on the rig's monotonic clock. */
  readonly timeMicros: number;
  readonly paused: boolean;
  readonly channels: readonly ChannelStatus[];
}

/** Commands the rig carries out; the rest (help, log, expect, quit) the console handles itself. */
export type RigAction = Exclude<ConsoleCommand, { readonly kind: 'status' | 'help' | 'log-start' | 'log-stop' | 'quit' | 'expect-count' | 'expect-state' }>;

export interface RigControl {
  status(): RigStatus;
  /** Carries out an action; the reply is text for the operator, the error one line naming the problem. */
  apply(action: RigAction): Promise<Result<string, string>>;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

export function formatStatus(status: RigStatus): string {
  const head = `rig ${status.rig}  cycle ${status.cycle}  t ${(status.timeMicros / 1e6).toFixed(3)} s  ${status.paused ? 'paused' : 'running'}`;
  const rows = status.channels.map((c) =>
    `${pad(c.channel, 4)}${pad(c.link, 22)}${pad(c.state, 10)}${pad(String(c.corrected), 11)}${pad(String(c.uncorrectable), 15)}${c.lastFault ?? '-'}`);
  return [head, `${pad('CH', 4)}${pad('link', 22)}${pad('state', 10)}${pad('corrected', 11)}${pad('uncorrectable', 15)}last fault`, ...rows].join('\n');
}

/** Hex dump, 16 bytes a row, addresses in hex. */
export function formatHexDump(address: number, bytes: Uint8Array): string {
  const rows: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const chunk = Array.from(bytes.subarray(at, at + 16), (b) => b.toString(16).padStart(2, '0'));
    rows.push(`0x${(address + at).toString(16).padStart(8, '0')}  ${chunk.join(' ')}`);
  }
  return rows.join('\n');
}
