/**
 * The TypeScript reference of what a board computes (docs/RIG-PROTOCOL.md, "The control
 * cycle"): consolidation by mid-value select, the control law on a SEC-DED memory image and a
 * TMR register image, deflections quantised to mrad. Used by the vector generator and by the
 * board integration test to compute the command a board must send.
 */
import { ControlLaw, type LawStatus } from '../../src/core/control/law.js';
import { defaultGains, initialiseControlMemory, SETPOINT_LENGTH } from '../../src/core/control/gains.js';
import { CONTROL_MEMORY_BYTES, MEMORY_SLOT_COUNT, REGISTER_NAMES, type ControlMemory, type WorkRegisters } from '../../src/core/control/state.js';
import { INT12_LIMIT, quantize } from '../../src/core/frame/fixed-point.js';
import { MemoryImage } from '../../src/core/memory/memory-image.js';
import { RegisterImage } from '../../src/core/memory/register-image.js';
import { RAD_PER_DEG } from '../../src/core/plant/quaternion.js';
import { aerosondeVehicle } from '../../src/core/plant/vehicle.js';
import { midValueSelect } from '../../src/core/vote/select.js';

/** The board's memory image: the control state in SEC-DED (39,32) words, interleave 1. */
export function createBoardMemory(): MemoryImage {
  const image = new MemoryImage({ sizeBytes: CONTROL_MEMORY_BYTES, code: 'secded-39-32' });
  initialiseControlMemory(memoryPort(image), defaultGains(aerosondeVehicle()), new Float64Array(SETPOINT_LENGTH));
  return image;
}

export function memoryPort(image: MemoryImage): ControlMemory {
  return {
    readF32: (address) => image.readF32(address),
    writeF32: (address, value) => {
      const written = image.writeF32(address, value);
      if (!written.ok) throw new Error(`control memory write at ${address} refused`);
    },
  };
}

export function registerPort(registers: RegisterImage): WorkRegisters {
  return registers;
}

/** The default control state as float32 bit patterns, slot by slot. */
export function defaultControlWords(): Uint32Array {
  const image = createBoardMemory();
  const words = new Uint32Array(MEMORY_SLOT_COUNT);
  for (let slot = 0; slot < MEMORY_SLOT_COUNT; slot++) words[slot] = image.readU32(4 * slot);
  return words;
}

/** One IMU sample as it travels: rate in mrad/s and acceleration in cm/s², plus status flags. */
export interface ImuCodes {
  readonly rate: readonly [number, number, number];
  readonly accel: readonly [number, number, number];
  readonly rateStatus?: number;
  readonly accelStatus?: number;
}

/** Mid-value select per axis over the usable IMUs (rate × 0.001 → rad/s, accel × 0.01 → m/s²). */
export function consolidateCodes(imus: readonly (ImuCodes | null)[], held: Float64Array): number {
  let mask = 0;
  imus.forEach((imu, i) => {
    if (imu !== null && (((imu.rateStatus ?? 0) | (imu.accelStatus ?? 0)) & 1) === 0) mask |= 1 << i;
  });
  const values = new Float64Array(3);
  for (let axis = 0; axis < 6; axis++) {
    let count = 0;
    imus.forEach((imu, i) => {
      if (imu === null || ((mask >> i) & 1) === 0) return;
      values[count++] = axis < 3 ? (imu.rate[axis] ?? 0) * 0.001 : (imu.accel[axis - 3] ?? 0) * 0.01;
    });
    if (count > 0) held[axis] = midValueSelect(values, count);
  }
  return mask;
}

export function deflectionMrad(deg: number): number {
  return quantize(deg * RAD_PER_DEG * 1000, 1, INT12_LIMIT);
}

/** A reference channel: the same state a freshly reset board holds. */
export class ReferenceChannel {
  readonly memory = createBoardMemory();
  readonly registers = new RegisterImage(REGISTER_NAMES);
  readonly consolidated = new Float64Array(6);
  readonly out = new Float64Array(4);
  private readonly law = new ControlLaw();

  constructor(readonly periodMicros = 4000) {}

  cycle(imus: readonly (ImuCodes | null)[]): { readonly status: LawStatus; readonly mask: number; readonly deflectionMrad: number[] } {
    const mask = consolidateCodes(imus, this.consolidated);
    const status = this.law.step(memoryPort(this.memory), registerPort(this.registers), this.consolidated, this.periodMicros * 1e-6, this.out);
    this.registers.refreshAll();
    return { status, mask, deflectionMrad: Array.from(this.out, deflectionMrad) };
  }
}
