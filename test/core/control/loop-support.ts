/**
 * A single-channel closed loop for tests: plant + three IMUs + mid-value select + control law,
 * the law's state in Float32Array-backed memory. The channel runtime (voting, bus, E2E) is not
 * involved; this is the smallest loop that exercises the vehicle and the law together.
 */
import { Prng } from '../../../src/core/sim/prng.js';
import { Plant, STATE_P, STATE_QW } from '../../../src/core/plant/plant.js';
import { createImus, DEFAULT_IMU, IMU_SAMPLE_LENGTH, type Imu, type ImuParams } from '../../../src/core/plant/imu.js';
import { IMU_STREAM_BASE, PLANT_GUST_STREAM } from '../../../src/core/sim/streams.js';
import { aerosondeVehicle, type VehicleParams } from '../../../src/core/plant/vehicle.js';
import { attitudeErrorDeg } from '../../../src/core/plant/quaternion.js';
import { ControlLaw, LAW_OK, type StageHook } from '../../../src/core/control/law.js';
import { defaultGains, initialiseControlMemory, SETPOINT_LENGTH, writeSetpoint, type ControlGains } from '../../../src/core/control/gains.js';
import { ArrayControlMemory, ArrayWorkRegisters } from '../../../src/core/control/state.js';
import { HOLD_LEVEL, setpointAt, type SetpointSchedule } from '../../../src/core/control/setpoint.js';

export interface LoopConfig {
  readonly seed: number;
  readonly rateHz?: number;
  readonly vehicle?: VehicleParams;
  readonly gains?: ControlGains;
  readonly imu?: ImuParams;
  readonly schedule?: SetpointSchedule;
  readonly hook?: StageHook;
}

export class Loop {
  readonly plant: Plant;
  readonly imus: Imu[];
  readonly law: ControlLaw;
  readonly memory = new ArrayControlMemory();
  readonly registers = new ArrayWorkRegisters();
  readonly commands = new Float64Array(4);
  readonly setpoint = new Float64Array(SETPOINT_LENGTH);
  private readonly quaternionScratch = new Float64Array(4);
  readonly consolidated = new Float64Array(IMU_SAMPLE_LENGTH);
  readonly samples = new Float64Array(3 * IMU_SAMPLE_LENGTH);
  readonly dtS: number;
  readonly periodMicros: number;
  readonly schedule: SetpointSchedule;
  nowMicros = 0;
  maxErrorDeg = 0;
  maxRateRadPerS = 0;
  lawFaults = 0;

  constructor(config: LoopConfig) {
    const root = new Prng(config.seed);
    const vehicle = config.vehicle ?? aerosondeVehicle();
    this.plant = new Plant(vehicle, root.fork(PLANT_GUST_STREAM));
    this.imus = createImus(config.imu ?? DEFAULT_IMU, [0, 1, 2].map((i) => root.fork(IMU_STREAM_BASE + i)), vehicle.gravityMPerS2);
    this.law = new ControlLaw(config.hook === undefined ? {} : { hook: config.hook });
    this.schedule = config.schedule ?? HOLD_LEVEL;
    this.periodMicros = Math.round(1e6 / (config.rateHz ?? 250));
    this.dtS = this.periodMicros * 1e-6;
    setpointAt(this.schedule, 0, this.setpoint);
    initialiseControlMemory(this.memory, config.gains ?? defaultGains(vehicle), this.setpoint);
  }

  /** One cycle: sample, consolidate, set the setpoint, run the law, advance the plant. */
  cycle(): void {
    let alive = 0;
    for (let i = 0; i < 3; i++) if (this.imus[i]!.sample(this.plant.state, this.nowMicros, this.samples, alive * IMU_SAMPLE_LENGTH)) alive++;
    consolidate(this.samples, alive, this.consolidated);
    setpointAt(this.schedule, this.nowMicros, this.setpoint);
    writeSetpoint(this.memory, this.setpoint);
    if (this.law.step(this.memory, this.registers, this.consolidated, this.dtS, this.commands) !== LAW_OK) this.lawFaults++;
    this.plant.step(this.commands, this.dtS);
    this.nowMicros += this.periodMicros;
    setpointAt(this.schedule, this.nowMicros, this.setpoint);
    const error = attitudeErrorDeg(this.plant.state, STATE_QW, this.setpoint[0]!, this.setpoint[1]!, this.setpoint[2]!, this.quaternionScratch);
    if (error > this.maxErrorDeg) this.maxErrorDeg = error;
    for (let i = 0; i < 3; i++) this.maxRateRadPerS = Math.max(this.maxRateRadPerS, Math.abs(this.plant.state[STATE_P + i]!));
  }

  run(seconds: number): void {
    const cycles = Math.round(seconds * 1e6 / this.periodMicros);
    for (let i = 0; i < cycles; i++) this.cycle();
  }

  errorDeg(): number {
    return attitudeErrorDeg(this.plant.state, STATE_QW, this.setpoint[0]!, this.setpoint[1]!, this.setpoint[2]!, this.quaternionScratch);
  }
}

/** Mid-value select per element of `count` samples (3: median; 2: mean; 1: as is). */
export function consolidate(samples: Float64Array, count: number, out: Float64Array): void {
  for (let i = 0; i < IMU_SAMPLE_LENGTH; i++) {
    const a = samples[i]!;
    const b = samples[IMU_SAMPLE_LENGTH + i]!;
    const c = samples[2 * IMU_SAMPLE_LENGTH + i]!;
    if (count >= 3) out[i] = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    else if (count === 2) out[i] = 0.5 * (a + b);
    else if (count === 1) out[i] = a;
  }
}
