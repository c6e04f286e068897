import { describe, expect, test } from 'vitest';
import {
  ArrayControlMemory, ArrayWorkRegisters, CONTROL_MEMORY_BYTES, MEMORY_SLOT, MEMORY_SLOT_COUNT, MEMORY_SLOT_WIDTH,
  memoryAddress, REGISTER, REGISTER_COUNT, REGISTER_NAMES, registerIndex,
} from '../../../src/core/control/state.js';
import { defaultGains, initialiseControlMemory, pseudoInverse3x4, SETPOINT_LENGTH } from '../../../src/core/control/gains.js';
import { aerosondeVehicle } from '../../../src/core/plant/vehicle.js';

describe('control memory layout', () => {
  test('slot groups tile the image exactly, without gaps or overlaps', () => {
    const entries = (Object.keys(MEMORY_SLOT) as (keyof typeof MEMORY_SLOT)[]).map((name) => [MEMORY_SLOT[name], MEMORY_SLOT_WIDTH[name]] as const);
    entries.sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (const [slot, width] of entries) {
      expect(slot).toBe(next);
      next = slot + width;
    }
    expect(next).toBe(MEMORY_SLOT_COUNT);
    expect(CONTROL_MEMORY_BYTES).toBe(4 * MEMORY_SLOT_COUNT);
    expect(memoryAddress('rateKp', 1, 1024)).toBe(1024 + 4 * (MEMORY_SLOT.rateKp + 1));
    expect(() => memoryAddress('rateKp', 3)).toThrow();
  });

  test('register names are unique and indexable; groups point at their names', () => {
    expect(new Set(REGISTER_NAMES).size).toBe(REGISTER_COUNT);
    expect(registerIndex('RATE_ERR_Y')).toBe(REGISTER.rateError + 1);
    expect(registerIndex('TORQUE_DEM_X')).toBe(REGISTER.torqueDemand);
    expect(registerIndex('ACT_OUT_3')).toBe(REGISTER.actuatorOutput + 3);
    expect(registerIndex('RATE_MEAS_Z')).toBe(REGISTER.rateMeasured + 2);
    expect(registerIndex('NOPE')).toBeUndefined();
  });

  test('array-backed memory and registers store float32 and flip single bits', () => {
    const mem = new ArrayControlMemory();
    mem.writeF32(8, 1.5);
    expect(mem.readF32(8)).toBe(1.5);
    mem.flipBit(8, 31);
    expect(mem.readF32(8)).toBe(-1.5);
    mem.writeF32(12, 0.1);
    expect(mem.readF32(12)).toBe(Math.fround(0.1));
    expect(() => mem.readF32(6)).toThrow();
    expect(() => mem.readF32(CONTROL_MEMORY_BYTES)).toThrow();
    const regs = new ArrayWorkRegisters();
    regs.writeF32At(2, 2);
    regs.flipBit(2, 23);
    expect(regs.readF32At(2)).toBe(4);
    expect(() => regs.readF32At(REGISTER_COUNT)).toThrow();
  });
});

describe('gains in memory', () => {
  test('B·B⁺ is the identity for the Aerosonde effectiveness', () => {
    const b = aerosondeVehicle().effectivenessNmPerDeg;
    const pinv = new Float64Array(12);
    pseudoInverse3x4(b, pinv);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) sum += b[4 * i + k]! * pinv[3 * k + j]!;
        expect(sum).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    // The two ailerons share the roll demand antisymmetrically.
    expect(pinv[0]).toBeCloseTo(-pinv[3]!, 12);
    expect(() => { pseudoInverse3x4([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], pinv); }).toThrow();
  });

  test('initialiseControlMemory writes header, gains, setpoint and a level estimate at a base offset', () => {
    const vehicle = aerosondeVehicle();
    const gains = defaultGains(vehicle);
    const base = 64;
    const mem = new ArrayControlMemory(base + CONTROL_MEMORY_BYTES);
    const setpoint = Float64Array.of(0.1, -0.2, 0.3, 0, 0, 0.05);
    expect(setpoint.length).toBe(SETPOINT_LENGTH);
    initialiseControlMemory(mem, gains, setpoint, base);
    expect(mem.readF32(memoryAddress('magic', 0, base))).toBe(0x5458);
    expect(mem.readF32(memoryAddress('version', 0, base))).toBe(1);
    expect(mem.readF32(memoryAddress('rateKp', 2, base))).toBe(gains.rateKp[2]);
    expect(mem.readF32(memoryAddress('actuatorLimit', 3, base))).toBe(25);
    expect(mem.readF32(memoryAddress('setpointAttitude', 1, base))).toBe(Math.fround(-0.2));
    expect(mem.readF32(memoryAddress('setpointRate', 2, base))).toBe(Math.fround(0.05));
    expect(mem.readF32(memoryAddress('estimateQuaternion', 0, base))).toBe(1);
    expect(mem.readF32(memoryAddress('integrator', 0, base))).toBe(0);
    expect(mem.readF32(0)).toBe(0);
  });
});
