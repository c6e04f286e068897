/**
 * The control law of one channel: complementary-filter attitude estimator, cascaded attitude →
 * rate PID with derivative on measurement and back-calculation anti-windup, and pseudo-inverse
 * control allocation to the four actuators with saturation.
 *
 * State discipline: every gain, limit, matrix, setpoint, integrator and filter state is read
 * from ControlMemory at each step and the updated states are written back; every working value
 * is written to WorkRegisters by the stage that computes it and read back from there by the
 * stage that uses it. The step is four stages (estimate, attitude loop, rate loop, allocation);
 * an optional StageHook runs between them, which is where a campaign can flip a register bit
 * in mid-computation. The law itself holds no state but scratch. Allocation-free.
 */
import { assert } from '../assert.js';
import { quaternionFromEuler } from '../plant/quaternion.js';
import { ACTUATOR_COUNT, GRAVITY_M_PER_S2 } from '../plant/vehicle.js';
import {
  CONTROL_MEMORY_MAGIC, CONTROL_MEMORY_VERSION, MEMORY_SLOT as S, MEMORY_SLOT_COUNT, REGISTER as R, REGISTER_COUNT,
  type ControlMemory, type WorkRegisters,
} from './state.js';

export const LAW_OK = 0;
/** Magic or version slot does not match: the memory image is not a control state. */
export const LAW_BAD_LAYOUT = 1;
/** An actuator output was not finite (NaN/∞ from corrupted state); it was replaced by 0. */
export const LAW_NON_FINITE = 2;
/** The control-flow signature check failed: a stage was skipped, re-entered or jumped out of (outputs zeroed). */
export const LAW_CONTROL_FLOW = 3;
export type LawStatus = typeof LAW_OK | typeof LAW_BAD_LAYOUT | typeof LAW_NON_FINITE | typeof LAW_CONTROL_FLOW;

/**
 * Control-flow errors the law can be made to suffer in one step (fault injection):
 *   CF_SKIP_STAGE    stage `stage` is skipped (the PC jumps over the block, signature update included)
 *   CF_REPEAT_STAGE  after stage `stage` the PC jumps back to its start
 *   CF_JUMP_TO_END   after stage `stage` the PC jumps to the output (the later stages skipped)
 *   CF_WRONG_BRANCH  the estimator's accelerometer-gate branch is taken the wrong way (a legal edge)
 */
export const CF_SKIP_STAGE = 1;
export const CF_REPEAT_STAGE = 2;
export const CF_JUMP_TO_END = 3;
export const CF_WRONG_BRANCH = 4;

/**
 * Control-flow checking by signatures, after CFCSS (Oh, Shirvani, McCluskey, "Control-flow
 * checking by software signatures", IEEE Trans. Reliability 51(1), 2002): each stage (basic
 * block) has a compile-time signature s_i and a difference d_i = s_pred ⊕ s_i; on entry the run-time
 * signature G becomes G ⊕ d_i and must equal s_i, and before the output G ⊕ d_out must equal
 * s_out. A skipped block, a re-entered one or a jump out of the sequence leaves G wrong at the next
 * check. A legal edge taken on wrong data (the wrong branch of a decision) is not a control-flow
 * error to CFCSS and is not caught: that is a data error, left to the cross-channel vote.
 */
const SIGNATURES = Uint32Array.of(0x3a1, 0x5c2, 0x6d4, 0x9e8, 0xc71);
const SIGNATURE_START = 0x1f0;

export const LAW_STAGE_ESTIMATE = 0;
export const LAW_STAGE_ATTITUDE = 1;
export const LAW_STAGE_RATE = 2;
export const LAW_STAGE_ALLOCATION = 3;

/** Called after each stage with its LAW_STAGE_* number. Must not allocate on the hot path. */
export interface StageHook {
  afterStage(stage: number): void;
}

export interface ControlLawOptions {
  /** Byte address of the control state in the ControlMemory (default 0). */
  readonly base?: number;
  readonly hook?: StageHook;
}

/** Direct stores one stage defers (the most any stage makes is 7); more go through `writeF32`. */
const STAGE_STORES_MAX = 16;

/** Accelerometer correction is applied only when |f| is within this fraction of g. */
const ACCEL_GATE_FRACTION = 0.25;

export class ControlLaw {
  private readonly base: number;
  private readonly hook: StageHook | undefined;
  /** The attitude estimate of this step (copied from memory, updated, written back). */
  private readonly quaternion = new Float64Array(4);
  /** Memo: [roll, pitch, yaw] last read from the setpoint slots, then their quaternion. */
  private readonly setpointCache = Float64Array.of(Number.NaN, Number.NaN, Number.NaN, 1, 0, 0, 0);
  /** An armed control-flow error for the next step (CF_*; 0: none) and its stage. */
  private flowError = 0;
  private flowStage = 0;
  /** The estimator's accelerometer gate is inverted in this step (CF_WRONG_BRANCH). */
  private wrongBranch = false;
  /** Control-flow errors the signature check detected. */
  controlFlowErrorsDetected = 0;
  /**
   * The direct ports of the stage running (ControlMemory.cleanSlots, WorkRegisters.equalSlots),
   * asked for before each stage and dropped after it; undefined: loads go through the interface.
   */
  private memorySlots: Float32Array | undefined = undefined;
  private registerSlots: Float32Array | undefined = undefined;
  /** Register loads of the running stage made through `registerSlots` (reported after it). */
  private directRegisterReads = 0;
  /** Addresses stored through `memorySlots` in the running stage, re-encoded by the memory after it (`storedSlots`). */
  private readonly stored = new Int32Array(STAGE_STORES_MAX);
  private storedCount = 0;

  constructor(options: ControlLawOptions = {}) {
    this.base = options.base ?? 0;
    assert(this.base >= 0 && this.base % 4 === 0, 'control state base must be 4-aligned');
    this.hook = options.hook;
  }

  /**
   * One control cycle. `sample` holds the consolidated sensor values [gx gy gz] (rad/s) and
   * [ax ay az] (m/s², specific force); `dtS` is the time since the previous cycle. Writes four
   * actuator commands (deg) to `out`. Returns LAW_OK, or a status for a detected fault (outputs
   * are then zero for the affected actuators, or all of them for LAW_BAD_LAYOUT).
   */
  step(mem: ControlMemory, regs: WorkRegisters, sample: Float64Array, dtS: number, out: Float64Array): LawStatus {
    if (!(dtS > 0 && dtS <= 0.1)) assert(false, 'law step must be in (0, 0.1] s');
    if (!(sample.length >= 6 && out.length >= ACTUATOR_COUNT)) assert(false, 'law needs 6 sensor values and 4 outputs');
    if (mem.readF32(this.address(S.magic)) !== CONTROL_MEMORY_MAGIC || mem.readF32(this.address(S.version)) !== CONTROL_MEMORY_VERSION) {
      out.fill(0, 0, ACTUATOR_COUNT);
      return LAW_BAD_LAYOUT;
    }
    const flow = this.flowError;
    this.flowError = 0;
    this.wrongBranch = flow === CF_WRONG_BRANCH;
    const signatureOk = flow === 0 || flow === CF_WRONG_BRANCH ? this.runStages(mem, regs, sample, dtS) : this.runStagesWithError(mem, regs, sample, dtS, flow, this.flowStage);
    this.wrongBranch = false;
    if (!signatureOk) {
      this.controlFlowErrorsDetected++;
      out.fill(0, 0, ACTUATOR_COUNT);
      return LAW_CONTROL_FLOW;
    }
    let status: LawStatus = LAW_OK;
    for (let i = 0; i < ACTUATOR_COUNT; i++) {
      const value = regs.readF32At(R.actuatorOutput + i);
      if (Number.isFinite(value)) {
        out[i] = value;
      } else {
        out[i] = 0;
        status = LAW_NON_FINITE;
      }
    }
    return status;
  }

  /** Fault injection: the next step suffers control-flow error `kind` (CF_*) at `stage` (0..3). */
  armControlFlowError(kind: number, stage: number): void {
    assert(kind >= CF_SKIP_STAGE && kind <= CF_WRONG_BRANCH && Number.isInteger(stage) && stage >= 0 && stage <= LAW_STAGE_ALLOCATION, 'armControlFlowError');
    this.flowError = kind;
    this.flowStage = stage;
  }

  get controlFlowErrorArmed(): boolean {
    return this.flowError !== 0;
  }

  /** The four stages in order with their signature checks; true when every check passed (it always does here). */
  private runStages(mem: ControlMemory, regs: WorkRegisters, sample: Float64Array, dtS: number): boolean {
    let g = SIGNATURE_START;
    for (let stage = 0; stage <= LAW_STAGE_ALLOCATION; stage++) {
      g = this.enter(g, stage);
      if (g !== (SIGNATURES[stage] ?? 0)) return false;
      this.runStage(stage, mem, regs, sample, dtS);
    }
    return (g ^ this.difference(LAW_STAGE_ALLOCATION + 1)) === (SIGNATURES[LAW_STAGE_ALLOCATION + 1] ?? 0);
  }

  /** The same sequence with one control-flow error: the checks see what the PC really did. */
  private runStagesWithError(mem: ControlMemory, regs: WorkRegisters, sample: Float64Array, dtS: number, flow: number, at: number): boolean {
    let g = SIGNATURE_START;
    for (let stage = 0; stage <= LAW_STAGE_ALLOCATION; stage++) {
      if (flow === CF_SKIP_STAGE && stage === at) continue;
      g = this.enter(g, stage);
      if (g !== (SIGNATURES[stage] ?? 0)) return false;
      this.runStage(stage, mem, regs, sample, dtS);
      if (flow === CF_REPEAT_STAGE && stage === at) {
        g = this.enter(g, stage);
        if (g !== (SIGNATURES[stage] ?? 0)) return false;
        this.runStage(stage, mem, regs, sample, dtS);
      }
      if (flow === CF_JUMP_TO_END && stage === at) break;
    }
    return (g ^ this.difference(LAW_STAGE_ALLOCATION + 1)) === (SIGNATURES[LAW_STAGE_ALLOCATION + 1] ?? 0);
  }

  /** d_i = s_{i-1} ⊕ s_i (s_{-1} = the start signature). */
  private difference(block: number): number {
    return (block === 0 ? SIGNATURE_START : (SIGNATURES[block - 1] ?? 0)) ^ (SIGNATURES[block] ?? 0);
  }

  private enter(g: number, block: number): number {
    return g ^ this.difference(block);
  }

  private runStage(stage: number, mem: ControlMemory, regs: WorkRegisters, sample: Float64Array, dtS: number): void {
    this.openPorts(mem, regs);
    switch (stage) {
      case LAW_STAGE_ESTIMATE: this.estimate(mem, regs, sample, dtS); break;
      case LAW_STAGE_ATTITUDE: this.attitudeLoop(mem, regs); break;
      case LAW_STAGE_RATE: this.rateLoop(mem, regs, dtS); break;
      default: this.allocate(mem, regs, dtS);
    }
    this.closePorts(mem, regs);
    this.hook?.afterStage(stage);
  }

  /**
   * Asks for the direct ports for one stage. Inside a stage nothing but the stage's own loads
   * and stores touches memory and registers (the hook runs between stages), so what the ports
   * promise holds until `closePorts`.
   */
  private openPorts(mem: ControlMemory, regs: WorkRegisters): void {
    const m = mem.storedSlots === undefined ? undefined : mem.cleanSlots?.();
    this.memorySlots = m !== undefined && m.length >= (this.base >>> 2) + MEMORY_SLOT_COUNT ? m : undefined;
    const r = regs.equalSlots?.();
    this.registerSlots = r !== undefined && r.length >= REGISTER_COUNT ? r : undefined;
    this.directRegisterReads = 0;
    this.storedCount = 0;
  }

  /** Hands the stage's direct stores to the memory (which encodes them) and its direct register loads to the registers. */
  private closePorts(mem: ControlMemory, regs: WorkRegisters): void {
    if (this.storedCount > 0) {
      mem.storedSlots?.(this.stored, this.storedCount);
      // Scratch left zero between stages, so it is never state (a snapshot fingerprint sees it).
      for (let i = 0; i < this.storedCount; i++) this.stored[i] = 0;
    }
    this.storedCount = 0;
    if (this.directRegisterReads > 0) regs.countReads?.(this.directRegisterReads);
    this.directRegisterReads = 0;
    this.memorySlots = undefined;
    this.registerSlots = undefined;
  }

  /** A float32 load of the law's state: `mem.readF32(address)`, through the direct port when it is open. */
  private load(mem: ControlMemory, address: number): number {
    const m = this.memorySlots;
    return m === undefined ? mem.readF32(address) : (m[address >>> 2] ?? NaN);
  }

  /**
   * A float32 store of the law's state: `mem.writeF32(address, value)`, or through the direct
   * port when it is open: the value now, its word's check bits when the stage ends (nothing reads
   * the check bits before that; see `openPorts`).
   */
  private store(mem: ControlMemory, address: number, value: number): void {
    const m = this.memorySlots;
    if (m === undefined || this.storedCount >= STAGE_STORES_MAX) {
      mem.writeF32(address, value);
      return;
    }
    m[address >>> 2] = value;
    this.stored[this.storedCount++] = address;
  }

  /** A register load: `regs.readF32At(index)`, through the direct port when it is open. */
  private loadRegister(regs: WorkRegisters, index: number): number {
    const r = this.registerSlots;
    if (r === undefined) return regs.readF32At(index);
    this.directRegisterReads++;
    return r[index] ?? NaN;
  }

  private address(slot: number): number {
    return this.base + 4 * slot;
  }

  /** Stage 0: complementary filter (Mahony-style, with gyro-bias learning). */
  private estimate(mem: ControlMemory, regs: WorkRegisters, sample: Float64Array, dtS: number): void {
    const q = this.quaternion;
    for (let i = 0; i < 4; i++) q[i] = this.load(mem, this.address(S.estimateQuaternion + i));
    const w = q[0] ?? 1;
    const x = q[1] ?? 0;
    const y = q[2] ?? 0;
    const z = q[3] ?? 0;
    // Estimated "down" in body axes (Rᵀe₃) and measured down (−f/|f|); e = measured × estimated.
    const dx = 2 * (x * z - w * y);
    const dy = 2 * (y * z + w * x);
    const dz = 1 - 2 * (x * x + y * y);
    const ax = sample[3] ?? 0;
    const ay = sample[4] ?? 0;
    const az = sample[5] ?? 0;
    const norm = Math.sqrt(ax * ax + ay * ay + az * az);
    let ex = 0;
    let ey = 0;
    let ez = 0;
    if ((Math.abs(norm - GRAVITY_M_PER_S2) < ACCEL_GATE_FRACTION * GRAVITY_M_PER_S2) !== this.wrongBranch && norm > 0) {
      const mx = -ax / norm;
      const my = -ay / norm;
      const mz = -az / norm;
      ex = my * dz - mz * dy;
      ey = mz * dx - mx * dz;
      ez = mx * dy - my * dx;
    }
    const kAcc = this.load(mem, this.address(S.estimatorAccelGain));
    const kBiasDt = this.load(mem, this.address(S.estimatorBiasGain)) * dtS;
    const biasAddress = this.address(S.estimateGyroBias);
    const bx = this.load(mem, biasAddress);
    const by = this.load(mem, biasAddress + 4);
    const bz = this.load(mem, biasAddress + 8);
    regs.writeF32At(R.rateMeasured, (sample[0] ?? 0) - bx);
    regs.writeF32At(R.rateMeasured + 1, (sample[1] ?? 0) - by);
    regs.writeF32At(R.rateMeasured + 2, (sample[2] ?? 0) - bz);
    this.store(mem, biasAddress, bx - kBiasDt * ex);
    this.store(mem, biasAddress + 4, by - kBiasDt * ey);
    this.store(mem, biasAddress + 8, bz - kBiasDt * ez);
    const p = this.loadRegister(regs, R.rateMeasured) + kAcc * ex;
    const r1 = this.loadRegister(regs, R.rateMeasured + 1) + kAcc * ey;
    const r2 = this.loadRegister(regs, R.rateMeasured + 2) + kAcc * ez;
    const h = 0.5 * dtS;
    q[0] = w - h * (x * p + y * r1 + z * r2);
    q[1] = x + h * (w * p + y * r2 - z * r1);
    q[2] = y + h * (w * r1 + z * p - x * r2);
    q[3] = z + h * (w * r2 + x * r1 - y * p);
    this.normaliseEstimate();
    for (let i = 0; i < 4; i++) this.store(mem, this.address(S.estimateQuaternion + i), q[i] ?? 0);
  }

  private normaliseEstimate(): void {
    const q = this.quaternion;
    const w = q[0] ?? 1;
    const x = q[1] ?? 0;
    const y = q[2] ?? 0;
    const z = q[3] ?? 0;
    const norm = Math.sqrt(w * w + x * x + y * y + z * z);
    if (!(norm > 1e-6) || !Number.isFinite(norm)) {
      q[0] = 1;
      q[1] = 0;
      q[2] = 0;
      q[3] = 0;
      return;
    }
    const inv = 1 / norm;
    q[0] = w * inv;
    q[1] = x * inv;
    q[2] = y * inv;
    q[3] = z * inv;
  }

  /**
   * Setpoint quaternion from the Euler setpoint in memory. Memoised on the three values read
   * (a pure function of memory: a flipped setpoint bit changes the inputs and so the result).
   */
  private setpointQuaternion(mem: ControlMemory): void {
    const roll = this.load(mem, this.address(S.setpointAttitude));
    const pitch = this.load(mem, this.address(S.setpointAttitude + 1));
    const yaw = this.load(mem, this.address(S.setpointAttitude + 2));
    const cache = this.setpointCache;
    if (roll === cache[0] && pitch === cache[1] && yaw === cache[2]) return;
    cache[0] = roll;
    cache[1] = pitch;
    cache[2] = yaw;
    quaternionFromEuler(roll, pitch, yaw, cache, 3);
  }

  /** Stage 1: attitude error (body axes, small-angle vector of conj(q_sp) ⊗ q̂) → rate setpoint. */
  private attitudeLoop(mem: ControlMemory, regs: WorkRegisters): void {
    this.setpointQuaternion(mem);
    const c = this.setpointCache;
    const sw = c[3] ?? 1;
    const sx = c[4] ?? 0;
    const sy = c[5] ?? 0;
    const sz = c[6] ?? 0;
    const q = this.quaternion;
    const w = q[0] ?? 1;
    const x = q[1] ?? 0;
    const y = q[2] ?? 0;
    const z = q[3] ?? 0;
    const ew = sw * w + sx * x + sy * y + sz * z;
    const sign = ew < 0 ? -2 : 2;
    regs.writeF32At(R.attitudeError, sign * (sw * x - sx * w - sy * z + sz * y));
    regs.writeF32At(R.attitudeError + 1, sign * (sw * y + sx * z - sy * w - sz * x));
    regs.writeF32At(R.attitudeError + 2, sign * (sw * z - sx * y + sy * x - sz * w));
    for (let i = 0; i < 3; i++) {
      const kp = this.load(mem, this.address(S.attitudeKp + i));
      const limit = this.load(mem, this.address(S.rateSetpointMax + i));
      const demand = this.load(mem, this.address(S.setpointRate + i)) - kp * this.loadRegister(regs, R.attitudeError + i);
      regs.writeF32At(R.rateSetpoint + i, demand > limit ? limit : demand < -limit ? -limit : demand);
    }
  }

  /** Stage 2: PID on body rate; derivative on measurement through a first-order filter. */
  private rateLoop(mem: ControlMemory, regs: WorkRegisters, dtS: number): void {
    const tau = this.load(mem, this.address(S.derivativeTauS));
    const alpha = dtS / (tau + dtS);
    for (let i = 0; i < 3; i++) {
      const measured = this.loadRegister(regs, R.rateMeasured + i);
      regs.writeF32At(R.rateError + i, this.loadRegister(regs, R.rateSetpoint + i) - measured);
      const previousAddress = this.address(S.previousRate + i);
      const filterAddress = this.address(S.derivativeFiltered + i);
      const raw = (measured - this.load(mem, previousAddress)) / dtS;
      const filteredBefore = this.load(mem, filterAddress);
      const filtered = filteredBefore + alpha * (raw - filteredBefore);
      this.store(mem, previousAddress, measured);
      this.store(mem, filterAddress, filtered);
      const proportional = this.load(mem, this.address(S.rateKp + i)) * this.loadRegister(regs, R.rateError + i);
      const integral = this.load(mem, this.address(S.integrator + i));
      const derivative = this.load(mem, this.address(S.rateKd + i)) * Math.fround(filtered);
      regs.writeF32At(R.torqueDemand + i, proportional + integral - derivative);
    }
  }

  /** Stage 3: u = sat(B⁺·τ); integrators advance with back-calculation on τ_achieved − τ_demand. */
  private allocate(mem: ControlMemory, regs: WorkRegisters, dtS: number): void {
    const tx = this.loadRegister(regs, R.torqueDemand);
    const ty = this.loadRegister(regs, R.torqueDemand + 1);
    const tz = this.loadRegister(regs, R.torqueDemand + 2);
    for (let k = 0; k < ACTUATOR_COUNT; k++) {
      const row = this.address(S.allocation + 3 * k);
      const u = this.load(mem, row) * tx + this.load(mem, row + 4) * ty + this.load(mem, row + 8) * tz;
      const limit = this.load(mem, this.address(S.actuatorLimit + k));
      regs.writeF32At(R.actuatorOutput + k, u > limit ? limit : u < -limit ? -limit : u);
    }
    const kAw = this.load(mem, this.address(S.antiWindupGain));
    for (let i = 0; i < 3; i++) {
      const row = this.address(S.effectiveness + ACTUATOR_COUNT * i);
      let achieved = 0;
      for (let k = 0; k < ACTUATOR_COUNT; k++) achieved += this.load(mem, row + 4 * k) * this.loadRegister(regs, R.actuatorOutput + k);
      const demand = this.loadRegister(regs, R.torqueDemand + i);
      const integratorAddress = this.address(S.integrator + i);
      const limit = this.load(mem, this.address(S.integratorMax + i));
      const rateKi = this.load(mem, this.address(S.rateKi + i));
      const next = this.load(mem, integratorAddress) + dtS * (rateKi * this.loadRegister(regs, R.rateError + i) + kAw * (achieved - demand));
      this.store(mem, integratorAddress, next > limit ? limit : next < -limit ? -limit : next);
    }
  }
}
