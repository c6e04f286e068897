/**
 * Cross-channel integrator equalisation (docs/FLIGHT.md, "Equalisation"). Healthy channels run
 * the same law on nearly the same inputs, but not always exactly the same: a sensor frame that
 * arrives just after one channel's compute slot and just before another's gives the two a
 * different sample for that cycle (frame misalignment, docs/REDUNDANCY.md). The proportional
 * and derivative paths forget such a difference on the next cycle; the rate-loop integrators
 * keep it for ever, so without a restoring term the channels' integrators random-walk apart
 * and two healthy channels in pair mode end up disagreeing by more than the voter threshold.
 *
 * Each channel therefore listens to its peers' command frames (they are on the same bus),
 * forms the mid value of its own last command and the peers' commands of the same cycle, and
 * moves its integrators by `gain · dt · B · (mid − own)` — the torque difference the
 * effectiveness matrix B maps the command difference to. The mid value is the voted value, so
 * the channel that already sits at it is not moved: equalisation does not change what the
 * voter outputs, it only pulls the outliers in. A difference beyond `windowDeg` on any
 * actuator is a disagreement for the voter to judge, not noise to equalise away, so the cycle
 * is skipped. Allocation-free per cycle.
 */
import { assert } from '../assert.js';
import type { ControlMemory } from '../control/state.js';
import { memoryAddress } from '../control/state.js';
import { decodeCommandInto, createActuatorCommand } from '../frame/command-frame.js';
import { commandDegOfCode } from '../frame/scaling.js';
import { check, createCheckStateFor, e2eConfigOf, type CheckState, type E2eConfig } from '../frame/e2e/index.js';
import { CHANNEL_IDS_MAX, FRAME_BODY_BYTES, MEDIUM_LAYOUT, type Medium } from '../frame/ids.js';
import { ACTUATOR_COUNT } from '../plant/vehicle.js';
import { midValueSelect } from '../vote/select.js';

/** Default equalisation gain (1/s): a 0.5 s time constant, slow against the 4 ms frame. */
export const EQUALIZATION_GAIN_PER_S = 2;
/** Default window (deg): twice the voter threshold (0.02 FS of 25°), the most the voter itself tolerates. */
export const EQUALIZATION_WINDOW_DEG = 1;

export interface EqualizerConfig {
  readonly index: number;
  readonly channelCount: number;
  readonly periodMicros: number;
  readonly gainPerS: number;
  readonly windowDeg: number;
  /** Medium of the peers' command frames (default 'can'; docs/WIRE.md). */
  readonly medium?: Medium;
}

export class CommandEqualizer {
  /** Cycles in which the integrators were moved, and cycles skipped because a difference exceeded the window. */
  applied = 0;
  skipped = 0;
  private readonly cfg: EqualizerConfig;
  private readonly e2e: E2eConfig[];
  private state: CheckState[];
  /** Per channel (own included) × actuator: last command (deg). */
  private readonly commandDeg: Float64Array;
  /** Per channel: raw receive (or own send) time of that command; −1e15 when none. */
  private readonly stampMicros: Float64Array;
  private readonly decoded = createActuatorCommand();
  /** Where the command body starts on the medium. */
  private readonly body: number;
  private readonly column: Float64Array;
  private readonly delta = new Float64Array(ACTUATOR_COUNT);
  private lastStepRawMicros = -1e15;
  private readonly effectivenessAddress = Int32Array.from({ length: 3 * ACTUATOR_COUNT }, (_, i) => memoryAddress('effectiveness', i));
  private readonly integratorAddress = Int32Array.from({ length: 3 }, (_, i) => memoryAddress('integrator', i));
  private readonly integratorMaxAddress = Int32Array.from({ length: 3 }, (_, i) => memoryAddress('integratorMax', i));

  constructor(cfg: EqualizerConfig) {
    assert(cfg.channelCount >= 1 && cfg.channelCount <= CHANNEL_IDS_MAX.length && cfg.index >= 0 && cfg.index < cfg.channelCount, 'equalizer channels');
    assert(cfg.gainPerS >= 0 && cfg.windowDeg >= 0 && cfg.periodMicros > 0, 'equalizer config');
    this.cfg = cfg;
    this.body = MEDIUM_LAYOUT[cfg.medium ?? 'can'].bodyOffsetBytes;
    this.e2e = CHANNEL_IDS_MAX.slice(0, cfg.channelCount).map((c) => e2eConfigOf('command', c, cfg.medium ?? 'can'));
    this.state = this.e2e.map(createCheckStateFor);
    this.commandDeg = new Float64Array(cfg.channelCount * ACTUATOR_COUNT);
    this.stampMicros = new Float64Array(cfg.channelCount).fill(-1e15);
    this.column = new Float64Array(cfg.channelCount);
  }

  /** A peer's command frame, received at raw time `rawMicros`. Frames that fail E2E are ignored. */
  receivePeer(peer: number, data: Uint8Array, rawMicros: number): void {
    const cfg = this.e2e[peer];
    const state = this.state[peer];
    if (peer === this.cfg.index || cfg === undefined || state === undefined || check(cfg, state, data) !== 'OK') return;
    if (decodeCommandInto(data, this.body, FRAME_BODY_BYTES, this.decoded) !== null || !this.decoded.engaged) return;
    for (let a = 0; a < ACTUATOR_COUNT; a++) this.commandDeg[peer * ACTUATOR_COUNT + a] = commandDegOfCode(this.decoded.deflectionMrad[a] ?? 0);
    this.stampMicros[peer] = rawMicros;
  }

  /** The command this channel sent (as encoded, mrad) at raw time `rawMicros`. */
  noteOwn(deflectionMrad: ArrayLike<number>, rawMicros: number): void {
    const i = this.cfg.index;
    for (let a = 0; a < ACTUATOR_COUNT; a++) this.commandDeg[i * ACTUATOR_COUNT + a] = commandDegOfCode(deflectionMrad[a] ?? 0);
    this.stampMicros[i] = rawMicros;
  }

  /**
   * Called at the start of a step at raw time `rawMicros`, before the law: compares the own
   * command of the previous cycle with the peers' commands of that cycle (received within half a
   * frame of it) and moves the integrators in `mem`. Returns true when it moved them.
   */
  apply(mem: ControlMemory, rawMicros: number, dtS: number): boolean {
    const previous = this.lastStepRawMicros;
    this.lastStepRawMicros = rawMicros;
    const half = this.cfg.periodMicros / 2;
    const own = this.cfg.index;
    const ownStamp = this.stampMicros[own] ?? -1e15;
    if (this.cfg.gainPerS === 0 || ownStamp < previous - half || ownStamp > previous + half) return false;
    let count = 0;
    for (let c = 0; c < this.cfg.channelCount; c++) {
      const s = this.stampMicros[c] ?? -1e15;
      if (c !== own && s > previous - half && s <= previous + half) count++;
    }
    if (count === 0) return false;
    if (!this.differences(previous - half, previous + half)) {
      this.skipped++;
      return false;
    }
    this.moveIntegrators(mem, dtS);
    this.applied++;
    return true;
  }

  /** Forgets every received command and the E2E receive state (cold restart). */
  reset(): void {
    this.state = this.e2e.map(createCheckStateFor);
    this.stampMicros.fill(-1e15);
    this.lastStepRawMicros = -1e15;
  }

  /** delta[a] = mid − own per actuator over the commands of the window; false if any exceeds the window. */
  private differences(from: number, until: number): boolean {
    const own = this.cfg.index;
    for (let a = 0; a < ACTUATOR_COUNT; a++) {
      let n = 0;
      for (let c = 0; c < this.cfg.channelCount; c++) {
        const s = this.stampMicros[c] ?? -1e15;
        if (c === own || (s > from && s <= until)) this.column[n++] = this.commandDeg[c * ACTUATOR_COUNT + a] ?? 0;
      }
      const d = midValueSelect(this.column, n) - (this.commandDeg[own * ACTUATOR_COUNT + a] ?? 0);
      if (!(Math.abs(d) <= this.cfg.windowDeg)) return false;
      this.delta[a] = d;
    }
    return true;
  }

  private moveIntegrators(mem: ControlMemory, dtS: number): void {
    const k = this.cfg.gainPerS * dtS;
    for (let axis = 0; axis < 3; axis++) {
      let torque = 0;
      for (let a = 0; a < ACTUATOR_COUNT; a++) torque += mem.readF32(this.effectivenessAddress[axis * ACTUATOR_COUNT + a] ?? 0) * (this.delta[a] ?? 0);
      if (torque === 0) continue;
      const address = this.integratorAddress[axis] ?? 0;
      const limit = mem.readF32(this.integratorMaxAddress[axis] ?? 0);
      const next = mem.readF32(address) + k * torque;
      mem.writeF32(address, next > limit ? limit : next < -limit ? -limit : next);
    }
  }
}
