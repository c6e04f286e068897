/**
 * What a flight is made of (FlightConfig) and the checks that a configuration can fly: the
 * medium of the rig's bus, the wiring options, the consolidation thresholds derived from the
 * IMU noise model. A configuration that cannot fly is a FlightConfigError (the CLI reports it
 * as bad input, exit 2), never an assertion.
 */
import type { CanMedium } from '../core/channel/medium.js';
import type { SetpointSchedule } from '../core/control/setpoint.js';
import type { CanFrame } from '../core/frame/can.js';
import type { FaultProfile } from '../core/fault/profile.js';
import { DEFAULT_IMU } from '../core/plant/imu.js';
import { thresholdFromNoise } from '../core/vote/select.js';
import type { ExchangeMode, KeyringFactory, Links } from './p2p-wiring.js';
import type { Rig } from './rig.js';
import type { TwinSource, VoteRecord } from './twin.js';

/** Where every frame on the bus goes when the flight is logged (src/io/candump.ts writes it out). */
export type FrameLog = (frame: CanFrame, tsMicros: number) => void;

export interface FlightConfig {
  readonly seed: number;
  readonly durationS: number;
  readonly rateHz: number;
  readonly profile: FaultProfile;
  readonly rig: Rig;
  readonly schedule?: SetpointSchedule;
  /** Every frame on the bus, as it is delivered (a candump log). */
  readonly frameLog?: FrameLog;
  readonly scrubWordsPerCycle?: number;
  /** p2p/Byzantine (docs/BYZANTINE.md): links between channels and voter, 'can' (default) or 'p2p'. */
  readonly links?: Links;
  /** p2p input exchange: 'plain' (default; OM(1) with 4 channels) or 'signed' (SM(1), Ed25519). */
  readonly exchange?: ExchangeMode;
  /** Channels: 3 (default) or 4 (p2p only; IMU 4 and channel D are added). */
  readonly channelCount?: number;
  /** The channels' signing keys for `exchange: 'signed'` (src/io/ed25519.ts keyringFromSeed). */
  readonly keyring?: KeyringFactory;
  /**
   * The golden twin the oracle judges this flight against (src/sim/twin.ts): 'live' (default; a
   * fault-free flight of the same configuration flown beside this one), a recorded twin (a
   * campaign's, shared by the rows of one seed), or 'none' (this flight is itself a twin).
   */
  readonly twin?: 'live' | 'none' | TwinSource;
  /** Called with every vote of this flight, in order (how a twin is recorded). */
  readonly recordVote?: (k: number, vote: VoteRecord) => void;
  /**
   * Voter lanes (docs/REDUNDANCY.md, "The voter and the actuator path"): 3 (default; the vote is
   * computed in three lanes and force-voted at the actuators) or 1 (a simplex voter node, the
   * first wave's architecture: a single upset in it reaches the surfaces).
   */
  readonly voterLanes?: 1 | 3;
  /**
   * The golden-copy guard of every channel's read-only region (default true). False: the first
   * waves' channel, whose ECC alone guards the gains — a miscorrected 3-bit upset then stays.
   */
  readonly goldenGuard?: boolean;
  /** Tests: the voter lanes all run from the start (src/core/channel/voter-node.ts `eagerLanes`). */
  readonly eagerVoterLanes?: boolean;
  /** Test hooks: never set by a profile, a flag or a file (test/sim/oracle-power.test.ts). */
  readonly testHooks?: FlightTestHooks;
}

export interface FlightTestHooks {
  /** Runs after the vote, before the command reaches the plant and the oracle: a corruption downstream of the voter. */
  readonly afterVote?: (t: number, commandDeg: Float64Array) => void;
}

/** A flight configuration the rig cannot run (e.g. a profile naming channel D on a 3-channel rig). */
export class FlightConfigError extends Error {
  override readonly name = 'FlightConfigError';
}

/**
 * The medium a flight on `rig` runs on: 'can-fd' (every Triplex frame a 20-byte P4 frame with
 * BRS, docs/WIRE.md) when the bus has a data-phase bit rate and the schedule's frames are FD;
 * 'can' (classic, P11/P22) when none is. A schedule that mixes both is not a flight rig.
 */
export function flightMedium(rig: Rig): CanMedium {
  const fd = rig.frames.filter((f) => f.fd).length;
  if (fd === 0 || rig.bus.dataBitRateBps === undefined) return 'can';
  if (fd !== rig.frames.length) throw new FlightConfigError(`rig '${rig.name}' mixes classic and FD frames; a flight runs every frame on one medium`);
  return 'can-fd';
}

/** Consolidation thresholds from the IMU noise model and the frame quantisation (docs/FLIGHT.md). */
export function sensorThresholds(): number[] {
  const gyro = thresholdFromNoise(DEFAULT_IMU.gyroNoiseRadPerS, 0.001) + 0.01;
  const accel = thresholdFromNoise(DEFAULT_IMU.accelNoiseMPerS2, 0.01) + 0.1;
  return [gyro, gyro, gyro, accel, accel, accel];
}
