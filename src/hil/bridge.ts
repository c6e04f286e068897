/**
 * Starts a rig from its description: the flight loop (plant, sensors, voter, emulated
 * channels), a BoardSession for every channel that is a real board, and the RigRunner that
 * steps or paces its cycles. Shared by `triplex hil` and `triplex console` (whose LocalRig
 * drives it). Board channels run in lockstep: each cycle the bridge sends the board its sensor
 * frames and a TICK, waits (monotonic timeout) for the command frame and puts it on the
 * flight's bus as that channel's command (src/hil/board-bridge.ts).
 */
import type { LatencyRecorder } from './board-bridge.js';
import type { BoardChannel, CycleRunner } from './board-port.js';
import { RigRunner } from './rig-runner.js';
import { RealClock } from '../io/real-clock.js';
import { createFlight, type Flight } from '../sim/flight.js';
import type { Rig } from '../sim/rig.js';
import { STANDARD_MANOEUVRES, type SetpointSchedule } from '../core/control/setpoint.js';
import type { FaultProfile } from '../core/fault/profile.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';

export interface StartRigOptions {
  readonly rig: Rig;
  readonly seed: number;
  readonly rateHz: number;
  readonly durationS: number;
  readonly profile: FaultProfile;
  readonly clock?: MonotonicClock;
  /** Setpoint schedule of the flight and the boards; default the standard manoeuvres. */
  readonly schedule?: SetpointSchedule;
  /** Board reply timeout per cycle; default `defaultBoardTimeoutMicros`. */
  readonly boardTimeoutMicros?: number;
}

/**
 * A QEMU board answers a cycle in ≈ 20 ms (the emulated Cortex-M is far slower than the part),
 * so a rig with one waits this long by default; such a rig only flies in lockstep.
 */
export const QEMU_BOARD_TIMEOUT_MICROS = 200_000;

/** The board reply timeout of a rig: 0.8 of the period, or QEMU_BOARD_TIMEOUT_MICROS when a channel is a QEMU board. */
export function defaultBoardTimeoutMicros(rig: Rig, periodMicros: number): number {
  return rig.channels.some((c) => c.kind === 'qemu') ? Math.max(QEMU_BOARD_TIMEOUT_MICROS, Math.round(periodMicros * 0.8)) : Math.round(periodMicros * 0.8);
}

export interface RunningRig {
  readonly rigName: string;
  readonly seed: number;
  readonly flight: Flight;
  readonly runner: RigRunner;
  readonly boards: ReadonlyMap<number, BoardChannel>;
  /** Sensor-to-voted-command latency of board cycles (undefined on an all-emulated rig). */
  readonly latency: LatencyRecorder | undefined;
  close(): Promise<void>;
}

export async function startRig(options: StartRigOptions): Promise<Result<RunningRig, string>> {
  const schedule = options.schedule ?? STANDARD_MANOEUVRES;
  const created = createFlight({ seed: options.seed, durationS: options.durationS, rateHz: options.rateHz, profile: options.profile, rig: options.rig, schedule });
  if (!created.ok) return err(created.error);
  const flight = created.value;
  const clock = options.clock ?? new RealClock();
  const hasBoards = options.rig.channels.some((c) => c.kind !== 'emulated');
  let boards = new Map<number, BoardChannel>();
  let runCycle: CycleRunner | undefined;
  let latency: LatencyRecorder | undefined;
  if (hasBoards) {
    // Loaded only for rigs with boards, so an emulated rig never loads serialport.
    const { openBoards } = await import('./board-bridge.js');
    const opened = await openBoards(flight, options.rig, clock, options.boardTimeoutMicros ?? defaultBoardTimeoutMicros(options.rig, flight.periodMicros), schedule);
    if (!opened.ok) return err(opened.error);
    ({ boards, runCycle, latency } = opened.value);
  }
  const runner = new RigRunner(flight, runCycle ?? (() => { flight.runCycles(1); return Promise.resolve(); }), clock);
  return ok({
    rigName: options.rig.name, seed: options.seed, flight, runner, boards, latency,
    close: async () => {
      runner.pausePacing();
      await runner.idle();
      for (const b of boards.values()) await b.close();
    },
  });
}
