/**
 * Starts a rig from its description: the flight loop (plant, sensors, voter, emulated
 * channels) plus a BoardSession for every channel that is a real board. Shared by
 * `triplex hil` and `triplex console`. Board channels run in lockstep: each cycle the bridge
 * sends the board its sensor frames and a TICK, waits (monotonic timeout) for the command
 * frame and puts it on the flight's bus as that channel's command (src/hil/board-bridge.ts).
 */
import { createFlight, type Flight } from '../sim/flight.js';
import type { LatencyRecorder } from './board-bridge.js';
import { FlightControl, type BoardPort, type CycleRunner } from '../console/local-rig.js';
import { RealClock } from '../io/real-clock.js';
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
  /** Board reply timeout per cycle; default 0.8 of the period. */
  readonly boardTimeoutMicros?: number;
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

/** A board channel as the bridge drives it (src/hil/board-bridge.ts implements it). */
export interface BoardChannel extends BoardPort {
  statistics(): BoardLinkStatistics;
  close(): Promise<void>;
}

export interface RunningRig {
  readonly flight: Flight;
  readonly control: FlightControl;
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
    const opened = await openBoards(flight, options.rig, clock, options.boardTimeoutMicros ?? Math.round(flight.periodMicros * 0.8), schedule);
    if (!opened.ok) return err(opened.error);
    ({ boards, runCycle, latency } = opened.value);
  }
  const control = new FlightControl({ flight, rigName: options.rig.name, seed: options.seed, clock, boards, ...(runCycle === undefined ? {} : { runCycle }) });
  return ok({
    flight, control, boards, latency,
    close: async () => {
      control.pausePacing();
      await control.idle();
      for (const b of boards.values()) await b.close();
    },
  });
}
