/**
 * Vehicle, sensors and control law: ns per plant step (RK4 + gust), per IMU sample, per law
 * step (Float32Array-backed memory and registers), and the heap growth of a closed loop of
 * one plant, three IMUs and three laws over 1,000,000 cycles (budget: plant + 3 IMUs ≲ 2 µs,
 * one law step ≲ 0.5 µs, heap growth < 1 MiB).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { timeIt, type BenchSuite } from './harness.js';
import { Prng } from '../core/sim/prng.js';
import { Plant } from '../core/plant/plant.js';
import { createImus, DEFAULT_IMU, IMU_SAMPLE_LENGTH } from '../core/plant/imu.js';
import { IMU_STREAM_BASE, PLANT_GUST_STREAM } from '../core/sim/streams.js';
import { aerosondeVehicle } from '../core/plant/vehicle.js';
import { ControlLaw } from '../core/control/law.js';
import { defaultGains, initialiseControlMemory, SETPOINT_LENGTH, writeSetpoint } from '../core/control/gains.js';
import { ArrayControlMemory, ArrayWorkRegisters } from '../core/control/state.js';
import { setpointAt, STANDARD_MANOEUVRES } from '../core/control/setpoint.js';

const PERIOD_MICROS = 4000;

/** A full GC so heap figures are comparable: --expose-gc if given, else enabled at run time. */
function collectGarbage(): void {
  if (typeof globalThis.gc !== 'function') v8.setFlagsFromString('--expose-gc');
  const gc = (globalThis.gc ?? runInNewContext('gc')) as () => void;
  gc();
}
const DT_S = PERIOD_MICROS * 1e-6;

function makeLoop(seed: number) {
  const root = new Prng(seed);
  const vehicle = aerosondeVehicle();
  const plant = new Plant(vehicle, root.fork(PLANT_GUST_STREAM));
  const imus = createImus(DEFAULT_IMU, [0, 1, 2].map((i) => root.fork(IMU_STREAM_BASE + i)));
  const setpoint = new Float64Array(SETPOINT_LENGTH);
  const laws = [0, 1, 2].map(() => {
    const memory = new ArrayControlMemory();
    initialiseControlMemory(memory, defaultGains(vehicle), setpoint);
    return { law: new ControlLaw(), memory, registers: new ArrayWorkRegisters(), out: new Float64Array(4) };
  });
  const samples = new Float64Array(3 * IMU_SAMPLE_LENGTH);
  const sample = new Float64Array(IMU_SAMPLE_LENGTH);
  let nowMicros = 0;
  const cycle = (): void => {
    for (let i = 0; i < 3; i++) imus[i]?.sample(plant.state, nowMicros, samples, i * IMU_SAMPLE_LENGTH);
    for (let k = 0; k < IMU_SAMPLE_LENGTH; k++) {
      const a = samples[k] ?? 0;
      const b = samples[IMU_SAMPLE_LENGTH + k] ?? 0;
      const c = samples[2 * IMU_SAMPLE_LENGTH + k] ?? 0;
      sample[k] = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
    setpointAt(STANDARD_MANOEUVRES, nowMicros, setpoint);
    for (const channel of laws) {
      writeSetpoint(channel.memory, setpoint);
      channel.law.step(channel.memory, channel.registers, sample, DT_S, channel.out);
    }
    plant.step(laws[0]?.out ?? new Float64Array(4), DT_S);
    nowMicros += PERIOD_MICROS;
  };
  return { plant, imus, laws, sample, samples, cycle };
}

export const suite: BenchSuite = {
  name: 'plant',
  run(report, options) {
    const loop = makeLoop(1);
    const commands = new Float64Array([1, -1, 2, 0.5]);
    const plantNs = timeIt(() => { loop.plant.step(commands, DT_S); });
    report({ name: 'plant.step', impl: 'rk4', nsPerOp: Math.round(plantNs) });
    let now = 0;
    const imu = loop.imus[0];
    const imuNs = timeIt(() => { imu?.sample(loop.plant.state, now, loop.samples, 0); now += PERIOD_MICROS; });
    report({ name: 'imu.sample', impl: 'one unit', nsPerOp: Math.round(imuNs) });
    report({ name: 'plant+3 imus', impl: 'sum', nsPerOp: Math.round(plantNs + 3 * imuNs), budgetNs: 2000 });
    const channel = loop.laws[0];
    if (channel === undefined) return;
    loop.sample.set([0.01, -0.02, 0.005, 0.1, -0.2, -9.8]);
    const lawNs = timeIt(() => { channel.law.step(channel.memory, channel.registers, loop.sample, DT_S, channel.out); });
    report({ name: 'law.step', impl: 'Float32Array memory', nsPerOp: Math.round(lawNs), budgetNs: 500 });
    const closed = makeLoop(2);
    const cycles = Math.round(1_000_000 * options.scale);
    for (let i = 0; i < 10_000; i++) closed.cycle();
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const start = process.hrtime.bigint();
    for (let i = 0; i < cycles; i++) closed.cycle();
    const elapsedNs = Number(process.hrtime.bigint() - start);
    collectGarbage();
    const heapGrowthBytes = process.memoryUsage().heapUsed - heapBefore;
    report({ name: 'closed loop (1 plant, 3 imus, 3 laws)', impl: `${cycles} cycles`, nsPerCycle: Math.round(elapsedNs / cycles), heapGrowthBytes, heapBudgetBytes: 1_048_576 });
  },
};
