/**
 * Where the control law keeps its state. Everything that persists from one cycle to the next
 * (gains, limits, allocation matrices, setpoint, integrators, filter states, the attitude
 * estimate) lives in a ControlMemory — in a channel, the ECC-protected memory image — and is
 * read from it every step, so a flipped bit that the scrubber has not corrected really changes
 * the computation. Per-cycle working values pass through WorkRegisters — in a channel, the
 * triple-redundant register image — between the stages of one step.
 *
 * Memory layout: float32 little-endian slots, 4 bytes each, at `base + 4·slot` (MEMORY_SLOT).
 * Register layout: one float32 per named register (REGISTER). docs/VEHICLE.md has both tables.
 */
import { assert } from '../assert.js';

/** Float32 slots by byte address; in a channel, the MemoryImage itself (a load corrects on the way). */
export interface ControlMemory {
  readF32(address: number): number;
  writeF32(address: number, value: number): void;
  /**
   * Optional direct port: the slots as a Float32Array (slot = address / 4) while a load of any
   * slot from it is exactly what `readF32` would return, with no other effect that matters,
   * else undefined. It stays valid across the caller's own `writeF32`s and nothing else: the law
   * asks once per stage (src/core/memory/memory-image.ts, `cleanSlots`).
   */
  cleanSlots?(): Float32Array | undefined;
  /**
   * With `cleanSlots`: the caller stored into the first `count` byte addresses of `addresses`
   * through the slots (after `cleanSlots` and nothing else); the memory brings the words holding
   * them up to date (their check bits) as `writeF32` would have.
   */
  storedSlots?(addresses: Int32Array, count: number): void;
}

/** Working registers by index (REGISTER); in a channel, the RegisterImage itself. */
export interface WorkRegisters {
  readF32At(index: number): number;
  writeF32At(index: number, value: number): void;
  /**
   * Optional direct port, as ControlMemory.cleanSlots: register i is slot i while that holds;
   * loads made through it are reported with `countReads` (src/core/memory/register-image.ts).
   */
  equalSlots?(): Float32Array | undefined;
  countReads?(n: number): void;
}

/** "TX" (0x5458) in the magic slot, and the layout version; checked every step. */
export const CONTROL_MEMORY_MAGIC = 0x5458;
export const CONTROL_MEMORY_VERSION = 1;

/** Slot index of every persistent value (address = base + 4 × slot). */
export const MEMORY_SLOT = {
  magic: 0,
  version: 1,
  /** Attitude loop proportional gain per axis x y z (rad/s per rad). */
  attitudeKp: 2,
  /** Rate loop P, I, D per axis (N·m per rad/s, N·m per rad, N·m per rad/s²). */
  rateKp: 5,
  rateKi: 8,
  rateKd: 11,
  /** Derivative filter time constant (s). */
  derivativeTauS: 14,
  /** Anti-windup back-calculation gain (1/s). */
  antiWindupGain: 15,
  /** Complementary filter: accelerometer correction gain (1/s) and gyro-bias learning gain (1/s²). */
  estimatorAccelGain: 16,
  estimatorBiasGain: 17,
  /** Rate setpoint limit per axis (rad/s). */
  rateSetpointMax: 18,
  /** Integrator limit per axis (N·m). */
  integratorMax: 21,
  /** Actuator travel limit per actuator (deg). */
  actuatorLimit: 24,
  /** Effectiveness B, 3×4 row-major (N·m per deg). */
  effectiveness: 28,
  /** Allocation B⁺ = Bᵀ(BBᵀ)⁻¹, 4×3 row-major (deg per N·m). */
  allocation: 40,
  /** Attitude setpoint roll, pitch, yaw (rad). */
  setpointAttitude: 52,
  /** Body-rate feedforward p, q, r (rad/s). */
  setpointRate: 55,
  /** Rate-loop integrators x y z (N·m). */
  integrator: 58,
  /** Last measured body rate (rad/s), for derivative on measurement. */
  previousRate: 61,
  /** Filtered rate derivative (rad/s²). */
  derivativeFiltered: 64,
  /** Attitude estimate quaternion w x y z (body→NED). */
  estimateQuaternion: 67,
  /** Estimated gyro bias x y z (rad/s). */
  estimateGyroBias: 71,
} as const;

export const MEMORY_SLOT_COUNT = 74;
/**
 * The read-only part of the control memory: magic, version, gains, limits and the two matrices
 * (slots 0 up to the setpoint), written once at initialisation and never by the law. A channel
 * guards it with golden CRCs and repairs it from a golden copy (src/core/memory/golden-region.ts).
 */
export const CONTROL_READ_ONLY_BYTES = 52 * 4;
export const CONTROL_MEMORY_BYTES = MEMORY_SLOT_COUNT * 4;

/** Width (slots) of every entry of MEMORY_SLOT, for tables and the console. */
export const MEMORY_SLOT_WIDTH: Readonly<Record<keyof typeof MEMORY_SLOT, number>> = {
  magic: 1, version: 1, attitudeKp: 3, rateKp: 3, rateKi: 3, rateKd: 3, derivativeTauS: 1,
  antiWindupGain: 1, estimatorAccelGain: 1, estimatorBiasGain: 1, rateSetpointMax: 3,
  integratorMax: 3, actuatorLimit: 4, effectiveness: 12, allocation: 12, setpointAttitude: 3,
  setpointRate: 3, integrator: 3, previousRate: 3, derivativeFiltered: 3, estimateQuaternion: 4,
  estimateGyroBias: 3,
};

/** Byte address of element `element` of slot group `name` in a memory image at `base`. */
export function memoryAddress(name: keyof typeof MEMORY_SLOT, element = 0, base = 0): number {
  assert(element >= 0 && element < MEMORY_SLOT_WIDTH[name], `element ${element} out of range for ${name}`);
  return base + 4 * (MEMORY_SLOT[name] + element);
}

/** Named working registers, in index order. The console names them: `flip A reg RATE_ERR_Y 30`. */
export const REGISTER_NAMES = [
  'RATE_MEAS_X', 'RATE_MEAS_Y', 'RATE_MEAS_Z',
  'ATT_ERR_X', 'ATT_ERR_Y', 'ATT_ERR_Z',
  'RATE_SP_X', 'RATE_SP_Y', 'RATE_SP_Z',
  'RATE_ERR_X', 'RATE_ERR_Y', 'RATE_ERR_Z',
  'TORQUE_DEM_X', 'TORQUE_DEM_Y', 'TORQUE_DEM_Z',
  'ACT_OUT_0', 'ACT_OUT_1', 'ACT_OUT_2', 'ACT_OUT_3',
] as const;

export type RegisterName = (typeof REGISTER_NAMES)[number];
export const REGISTER_COUNT = REGISTER_NAMES.length;

/** Index of the first register of each group. */
export const REGISTER = {
  rateMeasured: 0,
  attitudeError: 3,
  rateSetpoint: 6,
  rateError: 9,
  torqueDemand: 12,
  actuatorOutput: 15,
} as const;

export function registerIndex(name: string): number | undefined {
  const index = (REGISTER_NAMES as readonly string[]).indexOf(name);
  return index < 0 ? undefined : index;
}

/** Float32Array-backed ControlMemory for tests and stand-alone use (byte addresses, 4-aligned). */
export class ArrayControlMemory implements ControlMemory {
  readonly words: Float32Array;
  private readonly bits: Uint32Array;

  constructor(bytes = CONTROL_MEMORY_BYTES) {
    assert(bytes > 0 && bytes % 4 === 0, 'memory size must be a positive multiple of 4');
    this.words = new Float32Array(bytes / 4);
    this.bits = new Uint32Array(this.words.buffer);
  }

  readF32(address: number): number {
    this.check(address);
    return this.words[address >>> 2] ?? 0;
  }

  writeF32(address: number, value: number): void {
    this.check(address);
    this.words[address >>> 2] = value;
  }

  private check(address: number): void {
    if ((address & 3) !== 0 || address < 0 || address >= this.words.length * 4) assert(false, `bad control memory address ${address}`);
  }

  /** Flips bit `bit` (0 = LSB of the float32 word) at byte address `address`. */
  flipBit(address: number, bit: number): void {
    assert((address & 3) === 0 && bit >= 0 && bit < 32, 'bad flip');
    const i = address >>> 2;
    this.bits[i] = ((this.bits[i] ?? 0) ^ (1 << bit)) >>> 0;
  }
}

/** Float32Array-backed WorkRegisters for tests and stand-alone use. */
export class ArrayWorkRegisters implements WorkRegisters {
  readonly words = new Float32Array(REGISTER_COUNT);
  private readonly bits = new Uint32Array(this.words.buffer);

  readF32At(index: number): number {
    if (!(index >= 0 && index < REGISTER_COUNT)) assert(false, `bad register ${index}`);
    return this.words[index] ?? 0;
  }

  writeF32At(index: number, value: number): void {
    if (!(index >= 0 && index < REGISTER_COUNT)) assert(false, `bad register ${index}`);
    this.words[index] = value;
  }

  flipBit(index: number, bit: number): void {
    assert(index >= 0 && index < REGISTER_COUNT && bit >= 0 && bit < 32, 'bad flip');
    this.bits[index] = ((this.bits[index] ?? 0) ^ (1 << bit)) >>> 0;
  }
}
