import { describe, expect, test } from 'vitest';
import { ControlLaw, LAW_BAD_LAYOUT, LAW_NON_FINITE, LAW_OK, LAW_STAGE_RATE, type StageHook } from '../../../src/core/control/law.js';
import { defaultGains, initialiseControlMemory, SETPOINT_LENGTH, writeSetpoint } from '../../../src/core/control/gains.js';
import { ArrayControlMemory, ArrayWorkRegisters, memoryAddress, registerIndex } from '../../../src/core/control/state.js';
import { aerosondeVehicle, GRAVITY_M_PER_S2 } from '../../../src/core/plant/vehicle.js';
import { RAD_PER_DEG } from '../../../src/core/plant/quaternion.js';

const DT_S = 0.004;
const vehicle = aerosondeVehicle();

function fresh(setpoint = new Float64Array(SETPOINT_LENGTH)): { mem: ArrayControlMemory; regs: ArrayWorkRegisters } {
  const mem = new ArrayControlMemory();
  initialiseControlMemory(mem, defaultGains(vehicle), setpoint);
  return { mem, regs: new ArrayWorkRegisters() };
}

/** Level, rolling at 0.2 rad/s: a rate error on x. */
const rolling = Float64Array.of(0.2, 0, 0, 0, 0, -GRAVITY_M_PER_S2);
const level = Float64Array.of(0, 0, 0, 0, 0, -GRAVITY_M_PER_S2);

describe('control law', () => {
  test('a roll-rate error drives the ailerons antisymmetrically and updates the integrator in memory', () => {
    const { mem, regs } = fresh();
    const out = new Float64Array(4);
    expect(new ControlLaw().step(mem, regs, rolling, DT_S, out)).toBe(LAW_OK);
    expect(out[0]).toBeLessThan(-1);
    expect(out[1]).toBeCloseTo(-out[0]!, 4);
    expect(mem.readF32(memoryAddress('integrator', 0))).toBeLessThan(0);
    expect(mem.readF32(memoryAddress('previousRate', 0))).toBeCloseTo(0.2, 6);
    expect(regs.readF32At(registerIndex('RATE_ERR_X')!)).toBeCloseTo(-0.2, 1);
  });

  test('outputs saturate at the actuator limits held in memory', () => {
    const { mem, regs } = fresh();
    mem.writeF32(memoryAddress('actuatorLimit', 0), 3);
    mem.writeF32(memoryAddress('actuatorLimit', 1), 3);
    const out = new Float64Array(4);
    new ControlLaw().step(mem, regs, Float64Array.of(5, 0, 0, 0, 0, -GRAVITY_M_PER_S2), DT_S, out);
    expect(out[0]).toBe(-3);
    expect(out[1]).toBe(3);
  });

  test('a flipped bit in a gain slot changes the output (gains are read from memory every step)', () => {
    const a = fresh();
    const b = fresh();
    b.mem.flipBit(memoryAddress('rateKp', 0), 22);
    const outA = new Float64Array(4);
    const outB = new Float64Array(4);
    new ControlLaw().step(a.mem, a.regs, rolling, DT_S, outA);
    new ControlLaw().step(b.mem, b.regs, rolling, DT_S, outB);
    expect(outB[0]).not.toBe(outA[0]);
    expect(Math.abs(outB[0]! - outA[0]!)).toBeGreaterThan(0.5);
    // The same flip in a gain of an axis with no error leaves that axis alone.
    const c = fresh();
    c.mem.flipBit(memoryAddress('rateKp', 1), 22);
    const outC = new Float64Array(4);
    new ControlLaw().step(c.mem, c.regs, rolling, DT_S, outC);
    expect(Array.from(outC)).toEqual(Array.from(outA));
  });

  test('a register flipped between stages perturbs the step; one flipped between steps is overwritten', () => {
    const torque = registerIndex('TORQUE_DEM_X')!;
    const clean = fresh();
    const hit = fresh();
    const hook: StageHook = { afterStage(stage) { if (stage === LAW_STAGE_RATE) hit.regs.flipBit(torque, 30); } };
    const outClean = new Float64Array(4);
    const outHit = new Float64Array(4);
    new ControlLaw().step(clean.mem, clean.regs, rolling, DT_S, outClean);
    new ControlLaw({ hook }).step(hit.mem, hit.regs, rolling, DT_S, outHit);
    expect(outHit[0]).not.toBeCloseTo(outClean[0]!, 2);
    const between = fresh();
    const out = new Float64Array(4);
    between.regs.flipBit(torque, 30);
    new ControlLaw().step(between.mem, between.regs, rolling, DT_S, out);
    expect(Array.from(out)).toEqual(Array.from(outClean));
  });

  test('a corrupted magic word is detected: zero outputs, LAW_BAD_LAYOUT', () => {
    const { mem, regs } = fresh();
    mem.flipBit(memoryAddress('magic'), 3);
    const out = Float64Array.of(1, 2, 3, 4);
    expect(new ControlLaw().step(mem, regs, rolling, DT_S, out)).toBe(LAW_BAD_LAYOUT);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });

  test('a non-finite state is detected: LAW_NON_FINITE and zero on the affected actuators', () => {
    const { mem, regs } = fresh();
    mem.writeF32(memoryAddress('integrator', 1), Number.NaN);
    const out = new Float64Array(4);
    expect(new ControlLaw().step(mem, regs, level, DT_S, out)).toBe(LAW_NON_FINITE);
    expect(out[2]).toBe(0);
  });

  test('works at a base offset inside a larger memory image', () => {
    const base = 256;
    const mem = new ArrayControlMemory(base + 512);
    initialiseControlMemory(mem, defaultGains(vehicle), new Float64Array(SETPOINT_LENGTH), base);
    const reference = fresh();
    const out = new Float64Array(4);
    const outRef = new Float64Array(4);
    new ControlLaw({ base }).step(mem, new ArrayWorkRegisters(), rolling, DT_S, out);
    new ControlLaw().step(reference.mem, reference.regs, rolling, DT_S, outRef);
    expect(Array.from(out)).toEqual(Array.from(outRef));
  });
});

describe('attitude estimator', () => {
  test('converges to the roll and pitch the accelerometer sees, and learns a gyro bias', () => {
    const { mem, regs } = fresh();
    const law = new ControlLaw();
    const roll = 10 * RAD_PER_DEG;
    const pitch = -5 * RAD_PER_DEG;
    const g = GRAVITY_M_PER_S2;
    const sample = Float64Array.of(0.01, 0, 0, g * Math.sin(pitch), -g * Math.cos(pitch) * Math.sin(roll), -g * Math.cos(pitch) * Math.cos(roll));
    const out = new Float64Array(4);
    for (let i = 0; i < 60 * 250; i++) law.step(mem, regs, sample, DT_S, out);
    const q = [0, 1, 2, 3].map((i) => mem.readF32(memoryAddress('estimateQuaternion', i)));
    const [w, x, y, z] = q as [number, number, number, number];
    const estRoll = Math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y));
    const estPitch = Math.asin(2 * (w * y - z * x));
    expect(Math.abs(estRoll - roll)).toBeLessThan(0.1 * RAD_PER_DEG);
    expect(Math.abs(estPitch - pitch)).toBeLessThan(0.1 * RAD_PER_DEG);
    // A roll-axis gyro bias is observable from gravity; the estimator learns it.
    expect(mem.readF32(memoryAddress('estimateGyroBias', 0))).toBeCloseTo(0.01, 3);
  });

  test('writeSetpoint changes the rate setpoint through the attitude loop', () => {
    const { mem, regs } = fresh();
    writeSetpoint(mem, Float64Array.of(0, 10 * RAD_PER_DEG, 0, 0, 0, 0));
    const out = new Float64Array(4);
    new ControlLaw().step(mem, regs, level, DT_S, out);
    expect(regs.readF32At(registerIndex('RATE_SP_Y')!)).toBeGreaterThan(0.5);
    expect(out[2]).toBeLessThan(0); // elevator trailing edge up to pitch the nose up
  });
});
