/**
 * What a node of the emulated rig sends with: preallocated frames per CAN ID reused round-robin
 * (no allocation per cycle), an outbox per node that counts the frames its bus refused, and the
 * IMUs' sensor-frame encoder (E2E-protected rate and acceleration frames from a sample in SI
 * units, scaled to the wire by src/core/frame/sensor-frame.ts's units).
 */
import type { EmulatedCanNode } from './emulated-can.js';
import { layoutOf, mediumFrame, type CanMedium } from '../core/channel/medium.js';
import type { CanFrame } from '../core/frame/can.js';
import { createProtectState, e2eConfigOf, protect, type E2eConfig, type ProtectState } from '../core/frame/e2e/index.js';
import { assert } from '../core/assert.js';
import { canIdOf, IMU_NUMBERS_MAX, type ImuNumber } from '../core/frame/ids.js';
import { encodeImuAccel, encodeImuRate, type ImuAccel, type ImuRate } from '../core/frame/sensor-frame.js';
import { accelCodeOf, rateCodeOf } from '../core/frame/scaling.js';
import { IMU_SAMPLE_LENGTH } from '../core/plant/imu.js';

/** Frames per ring: more than any transmit queue holds, so a frame is never reused while queued. */
export const RING_FRAMES = 64;

/** Preallocated frames of one sender and ID, reused round-robin. */
class FrameRing {
  private readonly frames: CanFrame[];
  private next = 0;

  constructor(id: number, private readonly medium: CanMedium) {
    this.frames = Array.from({ length: RING_FRAMES }, () => mediumFrame(medium, id, new Uint8Array(layoutOf(medium).frameBytes)));
  }

  take(data: Uint8Array): CanFrame {
    const f = this.frames[this.next] ?? mediumFrame(this.medium, 0, new Uint8Array(layoutOf(this.medium).frameBytes));
    this.next = this.next + 1 === RING_FRAMES ? 0 : this.next + 1;
    const d = f.data;
    // A plain copy: TypedArray#set is a builtin call that costs more than eight stores.
    if (data.length > d.length) d.set(data);
    for (let j = 0; j < data.length; j++) d[j] = data[j] ?? 0;
    return f;
  }
}

/**
 * Corruption in a sender's transmit buffer after its E2E protection and before its CAN
 * controller computes the frame CRC (`payload-corrupt`, docs/FAULTS.md): the frame goes out with a
 * valid CAN CRC over wrong data, so only the receivers' E2E check can catch it. One armed
 * corruption acts on the next frame sent with a matching ID by any node of the flight.
 */
export class PayloadFaults {
  private readonly pending: { readonly id: number | undefined; readonly bit: number; readonly bits: number }[] = [];
  /** Frames corrupted so far. */
  corrupted = 0;

  get armed(): boolean {
    return this.pending.length > 0;
  }

  /** The next frame with `id` (any, when undefined) has `bits` adjacent data bits from `bit` flipped (modulo its data bits). */
  arm(id: number | undefined, bit: number, bits: number): void {
    assert(Number.isInteger(bit) && bit >= 0 && Number.isInteger(bits) && bits >= 1 && bits <= 64, 'PayloadFaults.arm');
    this.pending.push({ id, bit, bits });
  }

  /** Applies the first matching armed corruption to `data` (a frame of `canId` about to be sent). */
  apply(canId: number, data: Uint8Array): void {
    const k = this.pending.findIndex((p) => p.id === undefined || p.id === canId);
    const p = this.pending[k];
    if (p === undefined) return;
    this.pending.splice(k, 1);
    const dataBits = data.length * 8;
    for (let b = 0; b < p.bits; b++) {
      const at = (p.bit + b) % dataBits;
      data[at >>> 3] = (data[at >>> 3] ?? 0) ^ (1 << (at & 7));
    }
    this.corrupted++;
  }
}

/** A node's sender: the IDs it may send and a ring for each; counts what the bus did not take. */
export class NodeOutbox {
  /** IDs and their rings (two or three per sender: a linear scan beats a Map lookup). */
  private readonly ids: number[] = [];
  private readonly rings: FrameRing[] = [];
  dropped = 0;

  constructor(private readonly node: EmulatedCanNode, ids: readonly number[], medium: CanMedium, private readonly payload?: PayloadFaults) {
    for (const id of ids) {
      if (this.ids.includes(id)) continue;
      this.ids.push(id);
      this.rings.push(new FrameRing(id, medium));
    }
  }

  /** Sends under `canId`, which must be one of this node's IDs (another ID is a programmer error, not a drop). */
  send(canId: number, data: Uint8Array): void {
    // A plain scan: `indexOf` is a builtin call that costs more than two or three compares.
    const ids = this.ids;
    let k = 0;
    while (k < ids.length && ids[k] !== canId) k++;
    const ring = this.rings[k];
    if (ring === undefined) { assert(false, `NodeOutbox: 0x${canId.toString(16)} is not one of this node's IDs (${this.ids.map((id) => `0x${id.toString(16)}`).join(', ')})`); }
    const frame = ring.take(data);
    if (this.payload?.armed === true) this.payload.apply(canId, frame.data);
    if (!this.node.send(frame).ok) this.dropped++;
  }
}

/** One IMU's sender: its own rate and acceleration IDs (docs/WIRE.md: 0x120 + IMU, 0x130 + IMU), E2E state and configuration. */
interface ImuLink {
  readonly outbox: NodeOutbox;
  readonly rateId: number;
  readonly accelId: number;
  readonly rate: ProtectState;
  readonly accel: ProtectState;
  readonly rateCfg: E2eConfig;
  readonly accelCfg: E2eConfig;
}

/** The IMU nodes' senders: E2E-protected rate and acceleration frames from a sample [gx gy gz ax ay az]. */
export class SensorFrameSender {
  /** One scratch sample per flight, filled by the IMU model before `send`. */
  readonly sample = new Float64Array(IMU_SAMPLE_LENGTH);
  private readonly links: ImuLink[] = [];
  private readonly buffer: Uint8Array;
  private readonly body: number;
  private readonly rate: ImuRate = { sensorStatus: 0, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 };
  private readonly accel: ImuAccel = { sensorStatus: 0, accelXCmPerS2: 0, accelYCmPerS2: 0, accelZCmPerS2: 0 };

  constructor(private readonly medium: CanMedium, private readonly payload?: PayloadFaults) {
    this.buffer = new Uint8Array(layoutOf(medium).frameBytes);
    this.body = layoutOf(medium).bodyOffsetBytes;
  }

  /** Adds IMU number `imu` (1-based) sending from `node`. */
  addImu(imu: ImuNumber, node: EmulatedCanNode): void {
    assert(IMU_NUMBERS_MAX.includes(imu) && imu === this.links.length + 1, `SensorFrameSender: IMU ${imu} added as IMU ${this.links.length + 1}`);
    const rateId = canIdOf('imu-rate', imu);
    const accelId = canIdOf('imu-accel', imu);
    const outbox = new NodeOutbox(node, [rateId, accelId], this.medium, this.payload);
    this.links.push({
      outbox, rateId, accelId, rate: createProtectState(), accel: createProtectState(),
      rateCfg: e2eConfigOf('imu-rate', imu, this.medium), accelCfg: e2eConfigOf('imu-accel', imu, this.medium),
    });
  }

  get imuCount(): number {
    return this.links.length;
  }

  /** Frames the bus refused from every IMU. */
  get dropped(): number {
    return this.links.reduce((s, l) => s + l.outbox.dropped, 0);
  }

  /** Sends IMU index `i`'s frames from `this.sample`. */
  sendImu(i: number): void {
    const link = this.links[i];
    if (link === undefined) { assert(false, `SensorFrameSender.sendImu: no IMU index ${i} (${this.links.length} added)`); }
    const s = this.sample;
    this.rate.rateXMradPerS = rateCodeOf(s[0] ?? 0);
    this.rate.rateYMradPerS = rateCodeOf(s[1] ?? 0);
    this.rate.rateZMradPerS = rateCodeOf(s[2] ?? 0);
    encodeImuRate(this.rate, this.buffer, this.body);
    protect(link.rateCfg, link.rate, this.buffer);
    link.outbox.send(link.rateId, this.buffer);
    this.accel.accelXCmPerS2 = accelCodeOf(s[3] ?? 0);
    this.accel.accelYCmPerS2 = accelCodeOf(s[4] ?? 0);
    this.accel.accelZCmPerS2 = accelCodeOf(s[5] ?? 0);
    encodeImuAccel(this.accel, this.buffer, this.body);
    protect(link.accelCfg, link.accel, this.buffer);
    link.outbox.send(link.accelId, this.buffer);
  }
}
