/**
 * The frame schedule a flight really sends (derived from src/sim/timing.ts and the frame IDs of
 * src/core/frame/ids.ts), and its comparison with a rig file's `frames`. The rig's schedule is
 * what `triplex bus-load` certifies; a flight refuses a rig whose schedule is not the one it
 * sends (a different period, payload or medium, or a frame the rig does not list), so a bus
 * budget can never be computed for traffic the flight does not produce.
 */
import type { FlightTiming } from './timing.js';
import type { Rig } from './rig.js';
import { layoutOf, type CanMedium } from '../core/channel/medium.js';
import { canIdOf, CHANNEL_IDS_MAX, IMU_NUMBERS_MAX } from '../core/frame/ids.js';

export interface ScheduledFrame {
  readonly name: string;
  readonly id: number;
  readonly periodMicros: number;
  readonly payloadBytes: number;
  readonly fd: boolean;
}

/** Every frame the flight's nodes send periodically: per IMU rate and acceleration; per channel command, status and clock sync. */
export function flightSchedule(timing: FlightTiming, medium: CanMedium, channelCount: number, sensorCount: number): ScheduledFrame[] {
  const payloadBytes = layoutOf(medium).frameBytes;
  const fd = medium === 'can-fd';
  const p = timing.periodMicros;
  const frames: ScheduledFrame[] = [];
  for (const c of CHANNEL_IDS_MAX.slice(0, channelCount)) {
    frames.push({ name: `clock-sync-${c}`, id: canIdOf('clock-sync', c), periodMicros: p * timing.syncEveryCycles, payloadBytes, fd });
    frames.push({ name: `command-${c}`, id: canIdOf('command', c), periodMicros: p, payloadBytes, fd });
    frames.push({ name: `status-${c}`, id: canIdOf('channel-status', c), periodMicros: p * timing.statusEveryCycles, payloadBytes, fd });
  }
  for (const n of IMU_NUMBERS_MAX.slice(0, sensorCount)) {
    frames.push({ name: `imu${n}-rate`, id: canIdOf('imu-rate', n), periodMicros: p, payloadBytes, fd });
    frames.push({ name: `imu${n}-accel`, id: canIdOf('imu-accel', n), periodMicros: p, payloadBytes, fd });
  }
  return frames;
}

/** How the rig's schedule differs from `sent` (empty: the rig lists every frame as the flight sends it). */
export function scheduleMismatches(rig: Rig, sent: readonly ScheduledFrame[]): string[] {
  const problems: string[] = [];
  for (const f of sent) {
    const listed = rig.frames.find((r) => r.id === f.id && !r.extended);
    const id = `0x${f.id.toString(16).padStart(3, '0')}`;
    if (listed === undefined) problems.push(`${f.name} (${id}) is sent every ${f.periodMicros} µs but not in the rig's frames`);
    else if (listed.periodMicros !== f.periodMicros) problems.push(`${f.name} (${id}) is sent every ${f.periodMicros} µs, the rig says ${listed.periodMicros} µs`);
    else if (listed.payloadBytes !== f.payloadBytes || listed.fd !== f.fd) problems.push(`${f.name} (${id}) is sent as ${f.payloadBytes}-byte ${f.fd ? 'CAN FD' : 'classic'} frames, the rig says ${listed.payloadBytes}-byte ${listed.fd ? 'CAN FD' : 'classic'}`);
  }
  return problems;
}
