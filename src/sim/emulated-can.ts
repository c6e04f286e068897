/**
 * The emulated CAN bus: an adapter like any other (each attached node is a FrameBus), run in
 * lockstep on a SimClock. Timing comes from each frame's real bit length (exact stuffing) or
 * the can-utils worst case; arbitration by the full arbitration field; ISO 11898-1 fault
 * confinement (TEC/REC, error-passive, bus-off, recovery after 128 × 11 recessive bits);
 * error frames and automatic retransmission; fault hooks (bit flips checked by a real
 * CRC-15 at the receivers, omission at one receiver, delay, duplicate, babbling idiot,
 * stuck bus-off). See docs/BUS.md for the model and its simplifications.
 *
 * Internally time is integer nanoseconds (bit times must divide 10^9 ns); handlers get
 * `timestampMicros = ns / 1000` (may be fractional). All queues are bounded and allocated
 * at attach time; the fault-free per-frame path allocates nothing.
 */
import { assert } from '../core/assert.js';
import { CAN_CLASSIC_DATA_BYTES_MAX, CAN_EFF_MASK, CAN_FD_LENGTHS, CAN_SFF_MASK, type CanFrame } from '../core/frame/can.js';
import {
  buildWire, CAN_EOF_BITS, CAN_IFS_BITS, CAN_TRAILER_BITS, CAN_WIRE_BITS_MAX, exactClassicFrameBits, frameBitLength,
  receiveWire, type StuffingMode, type WireVerdict, worstCaseClassicFrameBits,
} from '../core/frame/can-bits.js';
import { err, ok, type Result } from '../core/result.js';
import type { SimClock } from '../core/sim/clock.js';
import type { Prng } from '../core/sim/prng.js';
import { matchesFilters, type BusCapabilities, type BusState, type BusStatistics, type FrameBus, type FrameFilter, type FrameHandler, type SendError, type Subscription } from '../bus/frame-bus.js';

export const EMULATED_NODES_MAX = 32;
export const EMULATED_SUBSCRIPTIONS_MAX = 64;
export const EMULATED_FAULTS_MAX = 64;
export const LATENCY_IDS_MAX_DEFAULT = 2048;
export const DELAYED_FRAMES_MAX_DEFAULT = 256;
/** ISO 11898-1: bus-off recovery needs 128 occurrences of 11 consecutive recessive bits. */
export const BUS_OFF_RECOVERY_OCCURRENCES = 128;
const NS_PER_S = 1_000_000_000;
const ERROR_FLAG_BITS = 6;
const ERROR_DELIMITER_BITS = 8;
const SUSPEND_TRANSMISSION_BITS = 8;
const REC_AFTER_PASSIVE_SUCCESS = 119;
const COUNTER_MAX = 255;
/** The shared success value of `send` (immutable; no allocation per frame). */
const SENT: Result<void, SendError> = Object.freeze(ok(undefined));

export interface EmulatedCanBusOptions {
  readonly clock: SimClock;
  readonly bitRateBps: number;
  /** CAN FD data-phase bit rate for frames with BRS; absent: BRS frames are rejected. */
  readonly dataBitRateBps?: number;
  readonly stuffing: StuffingMode;
  /** Source for random fault hooks; required only if they are used. */
  readonly prng?: Prng;
  /** Bound of each node's transmit queue. */
  readonly txQueueFramesMax: number;
  /** Automatic bus-off recovery after 128 × 11 recessive bits (default true). */
  readonly autoRecoverBusOff?: boolean;
  readonly latencyIdsMax?: number;
  readonly delayedFramesMax?: number;
}

export type NodeErrorState = 'error-active' | 'error-passive' | 'bus-off';

/** Selects frames for a fault hook; absent fields match anything. */
export interface FrameMatch {
  readonly id?: number;
  readonly extended?: boolean;
  /** Name of the transmitting node. */
  readonly from?: string;
}

export interface LatencyStatistics {
  readonly id: number;
  readonly extended: boolean;
  readonly count: number;
  readonly minMicros: number;
  readonly meanMicros: number;
  readonly maxMicros: number;
}

export interface EmulatedBusStatistics {
  readonly elapsedMicros: number;
  readonly busyMicros: number;
  readonly loadPercent: number;
  /** Frames transmitted successfully (each retransmission that succeeds counts once). */
  readonly frames: number;
  readonly errorFrames: number;
  /** Queue-to-delivery latency per ID (bounded; IDs beyond the bound are counted in `latencyOverflowFrames`). */
  readonly latency: readonly LatencyStatistics[];
  readonly latencyOverflowFrames: number;
}

type FlipScope = 'bus' | readonly string[];
interface FlipHook { readonly kind: 'flip'; readonly match: FrameMatch; readonly bitIndex: number; readonly scope: FlipScope; remaining: number }
interface RandomFlipHook { readonly kind: 'random-flip'; readonly match: FrameMatch; readonly probability: number; readonly scope: 'bus' | 'receiver' }
interface DropHook { readonly kind: 'drop'; readonly match: FrameMatch; readonly at: string; remaining: number }
interface DelayHook { readonly kind: 'delay'; readonly match: FrameMatch; readonly delayMicros: number; remaining: number }
interface DuplicateHook { readonly kind: 'duplicate'; readonly match: FrameMatch; remaining: number }
type FaultHook = FlipHook | RandomFlipHook | DropHook | DelayHook | DuplicateHook;

/**
 * Fault hooks. `times` counts frames the hook acts on (default 1; Infinity for always).
 * Bit flips act on classic frames only (FD frames pass unflipped; see docs/BUS.md).
 */
export class EmulatedCanFaults {
  /** @internal */ readonly hooks: FaultHook[] = [];

  constructor(private readonly bus: EmulatedCanBus) {}

  /**
   * Flips wire bit `bitIndex` (0 = SOF, counted over the stuffed bits, up to the end of EOF).
   * `scope: 'bus'` flips it for every node, the transmitter included (it sees a bit error);
   * a list of receiver names flips it only at those receivers (a local disturbance).
   */
  flipBit(spec: { readonly bitIndex: number; readonly scope?: FlipScope; readonly match?: FrameMatch; readonly times?: number }): void {
    assert(Number.isInteger(spec.bitIndex) && spec.bitIndex >= 0 && spec.bitIndex < CAN_WIRE_BITS_MAX, 'flipBit: bitIndex out of range');
    this.add({ kind: 'flip', match: spec.match ?? {}, bitIndex: spec.bitIndex, scope: spec.scope ?? 'bus', remaining: times(spec.times) });
  }

  /** Each matching classic frame gets, with `probability`, one random bit flipped (bus-wide or at one random receiver). */
  randomBitFlips(spec: { readonly probability: number; readonly scope?: 'bus' | 'receiver'; readonly match?: FrameMatch }): void {
    assert(spec.probability >= 0 && spec.probability <= 1, 'randomBitFlips: probability must be in [0, 1]');
    assert(this.bus.hasPrng(), 'randomBitFlips needs the bus to have a prng');
    this.add({ kind: 'random-flip', match: spec.match ?? {}, probability: spec.probability, scope: spec.scope ?? 'receiver' });
  }

  /** The receiver `at` loses matching frames silently (the others receive them): inconsistent omission. */
  drop(spec: { readonly at: string; readonly match?: FrameMatch; readonly times?: number }): void {
    this.add({ kind: 'drop', match: spec.match ?? {}, at: spec.at, remaining: times(spec.times) });
  }

  /** Matching frames reach the receivers' handlers `delayMicros` late (bounded delay line). */
  delay(spec: { readonly delayMicros: number; readonly match?: FrameMatch; readonly times?: number }): void {
    assert(Number.isFinite(spec.delayMicros) && spec.delayMicros >= 0, 'delay: delayMicros must be >= 0');
    this.add({ kind: 'delay', match: spec.match ?? {}, delayMicros: spec.delayMicros, remaining: times(spec.times) });
  }

  /**
   * Matching frames are received twice: the transmitter sees a disturbance in the last EOF bit
   * (receivers have already accepted the frame), signals an error and retransmits.
   */
  duplicate(spec: { readonly match?: FrameMatch; readonly times?: number } = {}): void {
    this.add({ kind: 'duplicate', match: spec.match ?? {}, remaining: times(spec.times) });
  }

  /** `node` contends for the bus with `frame` every time the bus is free (a babbling idiot). */
  babble(node: string, frame: CanFrame): void {
    this.bus.nodeNamed(node).babbleFrame = frame;
  }

  stopBabble(node: string): void {
    this.bus.nodeNamed(node).babbleFrame = undefined;
  }

  /** Forces `node` into bus-off and keeps it there (no recovery) until `clear()`. */
  stuckBusOff(node: string): void {
    const target = this.bus.nodeNamed(node);
    target.stuckBusOff = true;
    target.enterBusOff();
  }

  clear(): void {
    this.hooks.length = 0;
    this.bus.clearNodeFaults();
  }

  private add(hook: FaultHook): void {
    assert(this.hooks.length < EMULATED_FAULTS_MAX, `at most ${EMULATED_FAULTS_MAX} fault hooks`);
    this.hooks.push(hook);
  }
}

function times(value: number | undefined): number {
  const n = value ?? 1;
  assert(n === Number.POSITIVE_INFINITY || (Number.isInteger(n) && n >= 1), 'times must be a positive integer or Infinity');
  return n;
}

function matches(match: FrameMatch, frame: CanFrame, from: string): boolean {
  return (match.id === undefined || match.id === frame.id) && (match.extended === undefined || match.extended === frame.extended) && (match.from === undefined || match.from === from);
}

/** The arbitration field as one comparable number (lower wins): base ID, RTR|SRR, IDE, extended ID, RTR. */
export function arbitrationKey(frame: CanFrame): number {
  if (!frame.extended) return ((frame.id & 0x7ff) * 2 + (frame.rtr ? 1 : 0)) * 2 ** 20;
  const base = (frame.id >>> 18) & 0x7ff;
  return (((base * 2 + 1) * 2 + 1) * 2 ** 18 + (frame.id & 0x3ffff)) * 2 + (frame.rtr ? 1 : 0);
}

/** Why a frame cannot be sent, or undefined if it is a valid data/remote frame for this bus. */
export function invalidFrameReason(frame: CanFrame, brsAllowed: boolean): string | undefined {
  if (frame.error) return 'error frames cannot be sent';
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > (frame.extended ? CAN_EFF_MASK : CAN_SFF_MASK)) return `id ${String(frame.id)} out of range for a ${frame.extended ? '29' : '11'}-bit identifier`;
  if (frame.fd) {
    if (frame.rtr) return 'CAN FD has no remote frames';
    if (!CAN_FD_LENGTHS.includes(frame.data.length)) return `CAN FD payload of ${frame.data.length} bytes is not a DLC size`;
    if (frame.brs && !brsAllowed) return 'bit-rate switch needs a data bit rate';
    return undefined;
  }
  if (frame.brs || frame.esi) return 'BRS/ESI are CAN FD only';
  if (frame.rtr) {
    const length = frame.rtrLength ?? 0;
    if (frame.data.length !== 0 || !Number.isInteger(length) || length < 0 || length > CAN_CLASSIC_DATA_BYTES_MAX) return 'remote frame needs no data and rtrLength 0..8';
    return undefined;
  }
  if (frame.data.length > CAN_CLASSIC_DATA_BYTES_MAX) return `classic payload of ${frame.data.length} bytes exceeds 8`;
  return undefined;
}

interface SubscriptionSlot { readonly handler: FrameHandler; readonly filters: readonly FrameFilter[] | undefined; active: boolean }

/** One controller on the emulated bus: a FrameBus plus its fault-confinement state. */
export class EmulatedCanNode implements FrameBus {
  readonly name: string;
  /** The name given to `attach()`. */
  readonly nodeName: string;
  readonly capabilities: BusCapabilities = { fd: true, errorCounters: true };
  /** @internal */ tec = 0;
  /** @internal */ rec = 0;
  /** @internal */ busOff = false;
  /** @internal */ closed = false;
  /** @internal */ stuckBusOff = false;
  /** @internal */ babbleFrame: CanFrame | undefined = undefined;
  /** @internal */ suspendUntilNs = 0;
  /** @internal */ recoveryOccurrences = 0;
  /** @internal */ recessiveNs = 0;
  /** @internal */ readonly queueFrames: (CanFrame | undefined)[];
  /** @internal */ readonly queueEnqueuedNs: Float64Array;
  /** @internal */ readonly queueKeys: Float64Array;
  /** @internal */ queueCount = 0;
  /** @internal */ readonly subscriptions: SubscriptionSlot[] = [];
  /** @internal */ framesSent = 0;
  /** @internal */ framesReceived = 0;
  /** @internal */ errorFrames = 0;
  /** @internal */ framesDropped = 0;

  constructor(private readonly bus: EmulatedCanBus, readonly index: number, nodeName: string, queueFramesMax: number) {
    this.name = `emulated:${nodeName}`;
    this.nodeName = nodeName;
    this.queueFrames = new Array<CanFrame | undefined>(queueFramesMax).fill(undefined);
    this.queueEnqueuedNs = new Float64Array(queueFramesMax);
    this.queueKeys = new Float64Array(queueFramesMax);
  }

  send(frame: CanFrame): Result<void, SendError> {
    if (this.closed) return err({ code: 'closed' });
    const reason = invalidFrameReason(frame, this.bus.dataBitNs > 0);
    if (reason !== undefined) return err({ code: 'invalid_frame', reason });
    if (this.busOff) return err({ code: 'bus_off' });
    const capacity = this.queueFrames.length;
    if (this.queueCount >= capacity) return err({ code: 'queue_full', queueFramesMax: capacity });
    const slot = this.queueCount++;
    this.queueFrames[slot] = frame;
    this.queueEnqueuedNs[slot] = this.bus.nowNs();
    this.queueKeys[slot] = arbitrationKey(frame);
    return SENT;
  }

  subscribe(handler: FrameHandler, filters?: readonly FrameFilter[]): Subscription {
    const live = this.subscriptions.filter((s) => s.active);
    assert(live.length < EMULATED_SUBSCRIPTIONS_MAX, `at most ${EMULATED_SUBSCRIPTIONS_MAX} subscriptions per node`);
    this.subscriptions.length = 0;
    this.subscriptions.push(...live);
    const slot: SubscriptionSlot = { handler, filters: filters === undefined ? undefined : [...filters], active: true };
    this.subscriptions.push(slot);
    return { unsubscribe: () => { slot.active = false; } };
  }

  state(): BusState {
    if (this.closed) return 'closed';
    return this.errorState();
  }

  errorState(): NodeErrorState {
    if (this.busOff) return 'bus-off';
    return this.tec > 127 || this.rec > 127 ? 'error-passive' : 'error-active';
  }

  /** Transmit and receive error counters (ISO 11898-1 TEC, REC). */
  errorCounters(): { readonly tec: number; readonly rec: number } {
    return { tec: this.tec, rec: this.rec };
  }

  /** Frames waiting in the transmit queue. */
  queuedFrames(): number {
    return this.queueCount;
  }

  statistics(): BusStatistics {
    return { framesSent: this.framesSent, framesReceived: this.framesReceived, errorFrames: this.errorFrames, framesDropped: this.framesDropped, txErrorCount: this.tec, rxErrorCount: this.rec };
  }

  close(): Promise<void> {
    this.closed = true;
    this.queueFrames.fill(undefined);
    this.queueCount = 0;
    for (const s of this.subscriptions) s.active = false;
    return Promise.resolve();
  }

  /** @internal A node that can receive and acknowledge. */
  isActive(): boolean {
    return !this.closed && !this.busOff;
  }

  /** @internal */
  enterBusOff(): void {
    if (!this.busOff) this.bus.busOffNodes++;
    this.busOff = true;
    this.recoveryOccurrences = 0;
    this.recessiveNs = 0;
  }

  /** @internal Index of the best pending frame (lowest key, then oldest) queued by `atNs`, or -1. */
  bestQueued(atNs: number): number {
    let best = -1;
    let bestKey = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.queueCount; i++) {
      if ((this.queueEnqueuedNs[i] ?? 0) > atNs) break;
      const key = this.queueKeys[i] ?? 0;
      if (key < bestKey) { bestKey = key; best = i; }
    }
    return best;
  }

  /** @internal */
  removeQueued(slot: number): void {
    if (!(slot >= 0 && slot < this.queueCount)) assert(false, 'removeQueued: bad slot');
    for (let i = slot; i < this.queueCount - 1; i++) {
      this.queueFrames[i] = this.queueFrames[i + 1];
      this.queueEnqueuedNs[i] = this.queueEnqueuedNs[i + 1] ?? 0;
      this.queueKeys[i] = this.queueKeys[i + 1] ?? 0;
    }
    this.queueCount--;
    this.queueFrames[this.queueCount] = undefined;
  }

  /** @internal Hands a received frame to the matching subscriptions. */
  deliver(frame: CanFrame, timestampMicros: number): void {
    const subs = this.subscriptions;
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i];
      if (s !== undefined && s.active && (s.filters === undefined || matchesFilters(frame, s.filters))) s.handler(frame, timestampMicros);
    }
  }
}

/** The frame on the bus right now and what will happen to it (allocated once, reused). */
interface InFlight {
  active: boolean;
  frame: CanFrame | undefined;
  from: EmulatedCanNode | undefined;
  /** Queue slot (-1: the babble frame). */
  slot: number;
  enqueuedNs: number;
  startNs: number;
  /** Receivers accept (and deliver) at this time; errors are signalled at this time. */
  completeNs: number;
  /** The bus is idle again (after IFS, error frame, or suspend). */
  freeNs: number;
  success: boolean;
  /** Transmitter saw an error after the receivers accepted (duplicate on retransmission). */
  lateError: boolean;
  /** Per node index: 1 = accepts the frame. */
  readonly accepts: Uint8Array;
  /** Per node index: REC increment for this frame's error. */
  readonly recDelta: Uint8Array;
  tecDelta: number;
  delayMicros: number;
  dropAt: number;
}

interface LatencyCell { readonly id: number; readonly extended: boolean; count: number; sumMicros: number; minMicros: number; maxMicros: number }

export class EmulatedCanBus {
  readonly faults: EmulatedCanFaults;
  readonly clock: SimClock;
  readonly bitRateBps: number;
  readonly stuffing: StuffingMode;
  /** @internal */ readonly bitNs: number;
  /** @internal */ readonly dataBitNs: number;
  /** @internal Nodes in bus-off now (kept by `enterBusOff` and `maybeRecover`). */
  busOffNodes = 0;
  private readonly prng: Prng | undefined;
  private readonly txQueueFramesMax: number;
  private readonly autoRecover: boolean;
  private readonly nodes: EmulatedCanNode[] = [];
  private readonly inFlight: InFlight;
  private cursorNs: number;
  private busFreeNs: number;
  private idleAccountedNs: number;
  private readonly startNs: number;
  private busyNs = 0;
  private frames = 0;
  private errorFrameCount = 0;
  private readonly latency = new Map<number, LatencyCell>();
  /** The cells of standard IDs by ID (the same objects as in `latency`; saves the Map lookup per frame). */
  private readonly standardLatency = new Array<LatencyCell | undefined>(CAN_SFF_MASK + 1).fill(undefined);
  private readonly latencyIdsMax: number;
  private latencyOverflowFrames = 0;
  private readonly delayedFrames: (CanFrame | undefined)[];
  private readonly delayedNode: Int32Array;
  private readonly delayedAtNs: Float64Array;
  private delayedCount = 0;
  private readonly wireTx = new Uint8Array(CAN_WIRE_BITS_MAX + 32);
  private readonly wireRx = new Uint8Array(CAN_WIRE_BITS_MAX + 32);
  private readonly scratch = new Uint8Array(CAN_WIRE_BITS_MAX);

  constructor(options: EmulatedCanBusOptions) {
    assert(Number.isInteger(options.bitRateBps) && options.bitRateBps > 0 && NS_PER_S % options.bitRateBps === 0, 'bitRateBps must divide 10^9 (integer ns bit time)');
    const dataRate = options.dataBitRateBps;
    assert(dataRate === undefined || (Number.isInteger(dataRate) && dataRate >= options.bitRateBps && NS_PER_S % dataRate === 0), 'dataBitRateBps must be >= bitRateBps and divide 10^9');
    assert(Number.isInteger(options.txQueueFramesMax) && options.txQueueFramesMax >= 1 && options.txQueueFramesMax <= 4096, 'txQueueFramesMax must be 1..4096');
    this.clock = options.clock;
    this.bitRateBps = options.bitRateBps;
    this.bitNs = NS_PER_S / options.bitRateBps;
    this.dataBitNs = dataRate === undefined ? 0 : NS_PER_S / dataRate;
    this.stuffing = options.stuffing;
    this.prng = options.prng;
    this.txQueueFramesMax = options.txQueueFramesMax;
    this.autoRecover = options.autoRecoverBusOff ?? true;
    this.latencyIdsMax = options.latencyIdsMax ?? LATENCY_IDS_MAX_DEFAULT;
    const delayedMax = options.delayedFramesMax ?? DELAYED_FRAMES_MAX_DEFAULT;
    this.delayedFrames = new Array<CanFrame | undefined>(delayedMax).fill(undefined);
    this.delayedNode = new Int32Array(delayedMax);
    this.delayedAtNs = new Float64Array(delayedMax);
    this.cursorNs = this.clock.nowMicros() * 1000;
    this.busFreeNs = this.cursorNs;
    this.idleAccountedNs = this.cursorNs;
    this.startNs = this.cursorNs;
    this.inFlight = {
      active: false, frame: undefined, from: undefined, slot: -1, enqueuedNs: 0, startNs: 0, completeNs: 0, freeNs: 0, success: false, lateError: false,
      accepts: new Uint8Array(EMULATED_NODES_MAX), recDelta: new Uint8Array(EMULATED_NODES_MAX), tecDelta: 0, delayMicros: 0, dropAt: -1,
    };
    this.faults = new EmulatedCanFaults(this);
  }

  /** Adds a controller named `nodeName` (unique) to the bus. */
  attach(nodeName: string): EmulatedCanNode {
    assert(this.nodes.length < EMULATED_NODES_MAX, `at most ${EMULATED_NODES_MAX} nodes`);
    assert(!this.nodes.some((n) => n.nodeName === nodeName), `node '${nodeName}' already attached`);
    const node = new EmulatedCanNode(this, this.nodes.length, nodeName, this.txQueueFramesMax);
    this.nodes.push(node);
    return node;
  }

  /** A controller named `nodeName` is attached. */
  hasNode(nodeName: string): boolean {
    return this.nodes.some((n) => n.nodeName === nodeName);
  }

  /** @internal */
  nodeNamed(nodeName: string): EmulatedCanNode {
    const node = this.nodes.find((n) => n.nodeName === nodeName);
    assert(node !== undefined, `no node named '${nodeName}'`);
    return node;
  }

  /** @internal */
  hasPrng(): boolean {
    return this.prng !== undefined;
  }

  /** @internal */
  clearNodeFaults(): void {
    for (const node of this.nodes) { node.babbleFrame = undefined; node.stuckBusOff = false; }
  }

  /** @internal Bus time now: the event being processed, or the clock if it moved on. */
  nowNs(): number {
    return Math.max(this.cursorNs, this.clock.nowMicros() * 1000);
  }

  /** Frame on the wire in bits at the nominal rate, interframe space included (per the bus's stuffing mode). */
  frameDurationNs(frame: CanFrame): number {
    if (!frame.fd) return (this.stuffing === 'exact' ? exactClassicFrameBits(frame) : worstCaseClassicFrameBits(frame.rtr ? 0 : frame.data.length, frame.extended)) * this.bitNs;
    const bits = frameBitLength(frame, this.stuffing);
    return bits.nominalBits * this.bitNs + bits.dataBits * this.dataBitNs;
  }

  /**
   * Runs the bus up to `micros` on the SimClock (which it advances as frames complete). Frames
   * pending at exactly `micros` start in the next call, so that every sender of that instant
   * contends.
   */
  runUntil(micros: number): void {
    if (!(Number.isSafeInteger(micros) && micros >= this.clock.nowMicros())) assert(false, 'runUntil: time must not go backwards');
    const targetNs = micros * 1000;
    const eventsMax = (Math.ceil((targetNs - this.cursorNs) / this.bitNs) + 16) * (this.nodes.length + 2) + this.delayedFrames.length;
    for (let events = 0; ; events++) {
      if (!(events <= eventsMax)) assert(false, 'runUntil: event bound exceeded');
      const delayedAt = this.delayedCount > 0 ? (this.delayedAtNs[0] ?? 0) : Number.POSITIVE_INFINITY;
      if (this.inFlight.active) {
        const completeAt = this.inFlight.completeNs;
        if (delayedAt <= completeAt && delayedAt <= targetNs) { this.deliverDelayed(); continue; }
        if (completeAt > targetNs) break;
        this.complete();
        continue;
      }
      const startAt = this.nextStartNs();
      if (delayedAt <= targetNs && delayedAt <= startAt) { this.deliverDelayed(); continue; }
      if (startAt >= targetNs) break;
      this.start(startAt);
    }
    this.accountIdle(targetNs);
    this.cursorNs = Math.max(this.cursorNs, targetNs);
    this.clock.advanceTo(micros);
  }

  statistics(): EmulatedBusStatistics {
    const elapsedNs = Math.max(0, this.nowNs() - this.startNs);
    const latency = [...this.latency.values()].map((c) => ({ id: c.id, extended: c.extended, count: c.count, minMicros: c.minMicros, meanMicros: c.sumMicros / c.count, maxMicros: c.maxMicros }));
    latency.sort((a, b) => (a.extended === b.extended ? a.id - b.id : a.extended ? 1 : -1));
    return {
      elapsedMicros: elapsedNs / 1000, busyMicros: this.busyNs / 1000, loadPercent: elapsedNs === 0 ? 0 : (100 * this.busyNs) / elapsedNs,
      frames: this.frames, errorFrames: this.errorFrameCount, latency, latencyOverflowFrames: this.latencyOverflowFrames,
    };
  }

  /** Earliest time a transmission can start: bus idle and some node with a pending frame allowed to send. */
  private nextStartNs(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const node of this.nodes) {
      // Nothing pending: the node would contribute +Infinity; skip it before the other tests.
      if ((node.queueCount === 0 && node.babbleFrame === undefined) || !node.isActive()) continue;
      const pendingAt = node.babbleFrame !== undefined ? 0 : node.queueCount > 0 ? (node.queueEnqueuedNs[0] ?? 0) : Number.POSITIVE_INFINITY;
      earliest = Math.min(earliest, Math.max(pendingAt, node.suspendUntilNs));
    }
    return Math.max(earliest, this.busFreeNs);
  }

  /** Arbitration at `atNs`: the lowest arbitration key among every node's best pending frame wins. */
  private start(atNs: number): void {
    this.accountIdle(atNs);
    this.cursorNs = atNs;
    let winner: EmulatedCanNode | undefined;
    let winnerSlot = -1;
    let winnerKey = Number.POSITIVE_INFINITY;
    for (const node of this.nodes) {
      // A node with nothing pending would bid +Infinity and never win: skip it first.
      if ((node.queueCount === 0 && node.babbleFrame === undefined) || !node.isActive() || node.suspendUntilNs > atNs) continue;
      const slot = node.bestQueued(atNs);
      let key = slot >= 0 ? (node.queueKeys[slot] ?? 0) : Number.POSITIVE_INFINITY;
      let chosen = slot;
      if (node.babbleFrame !== undefined) {
        const babbleKey = arbitrationKey(node.babbleFrame);
        if (babbleKey < key) { key = babbleKey; chosen = -1; }
      }
      // Equal keys from two nodes: the earlier-attached node wins (a real bus would see a bit error later in the frame).
      if (key < winnerKey) { winner = node; winnerSlot = chosen; winnerKey = key; }
    }
    if (winner === undefined) assert(false, 'start: no contender');
    const frame = winnerSlot >= 0 ? winner.queueFrames[winnerSlot] : winner.babbleFrame;
    if (frame === undefined) assert(false, 'start: empty slot');
    const f = this.inFlight;
    f.active = true;
    f.frame = frame;
    f.from = winner;
    f.slot = winnerSlot;
    f.startNs = atNs;
    f.enqueuedNs = winnerSlot >= 0 ? (winner.queueEnqueuedNs[winnerSlot] ?? atNs) : atNs;
    this.decideOutcome(atNs);
  }

  /** Fills in what happens to the in-flight frame: timing, who accepts, counter changes. */
  private decideOutcome(atNs: number): void {
    const f = this.inFlight;
    const frame = f.frame;
    const from = f.from;
    if (frame === undefined || from === undefined) assert(false, 'decideOutcome: nothing in flight');
    // Plain loop: TypedArray#fill is a builtin call that costs more than a few stores. Every
    // other active node accepts unless a flip (decideFlipped decides itself) or an ACK error.
    let receivers = 0;
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const accepts = node !== undefined && node !== from && node.isActive();
      f.accepts[i] = accepts ? 1 : 0;
      f.recDelta[i] = 0;
      if (accepts) receivers++;
    }
    f.tecDelta = 0;
    f.lateError = false;
    f.delayMicros = 0;
    f.dropAt = -1;
    const name = from.nodeName;
    const flip = frame.fd ? undefined : this.takeFlip(frame, name);
    if (flip !== undefined) {
      // A flipped frame is accepted only where settleFlipped says so.
      for (let i = 0; i < nodes.length; i++) f.accepts[i] = 0;
      this.decideFlipped(atNs, flip);
      return;
    }
    const durationNs = this.frameDurationNs(frame);
    if (receivers === 0) { this.decideAckError(atNs, durationNs); return; }
    f.success = true;
    f.completeNs = atNs + durationNs - CAN_IFS_BITS * this.bitNs;
    f.freeNs = atNs + durationNs;
    this.applyDeliveryHooks(frame, name);
    if (this.takeHook('duplicate', frame, name)) {
      // Receivers accepted at the last-but-one EOF bit; the transmitter flags the last one and retransmits.
      f.lateError = true;
      f.success = false;
      f.tecDelta = 8;
      f.freeNs = f.completeNs + (ERROR_FLAG_BITS + ERROR_DELIMITER_BITS + CAN_IFS_BITS) * this.bitNs;
    }
  }

  /** No other node acknowledges: ACK error at the ACK slot (ISO exception for a passive transmitter). */
  private decideAckError(atNs: number, durationNs: number): void {
    const f = this.inFlight;
    const from = f.from;
    assert(from !== undefined, 'decideAckError: no transmitter');
    f.success = false;
    // The error flag starts at the ACK delimiter: 11 bits (ACK delimiter, EOF, IFS) before the frame's end.
    f.completeNs = atNs + durationNs - (CAN_TRAILER_BITS - 2) * this.bitNs;
    f.freeNs = f.completeNs + (ERROR_FLAG_BITS + ERROR_DELIMITER_BITS + CAN_IFS_BITS) * this.bitNs;
    f.tecDelta = from.errorState() === 'error-passive' ? 0 : 8;
  }

  /** Slow path: build the real wire bits, flip, let every receiver destuff and CRC-check its copy. */
  private decideFlipped(atNs: number, flip: { readonly bitIndex: number; readonly scope: FlipScope }): void {
    const f = this.inFlight;
    const frame = f.frame;
    const from = f.from;
    assert(frame !== undefined && from !== undefined, 'decideFlipped: nothing in flight');
    const trailer = buildWire(frame, this.scratch, this.wireTx);
    const lastEof = trailer.eofStart + CAN_EOF_BITS - 1;
    const bitIndex = Math.min(flip.bitIndex, lastEof);
    let abortAt = flip.scope === 'bus' ? bitIndex + 1 : Number.POSITIVE_INFINITY;
    const txDetects = flip.scope === 'bus';
    let acked = false;
    const verdicts: { node: EmulatedCanNode; verdict: WireVerdict }[] = [];
    for (const node of this.nodes) {
      if (node === from || !node.isActive()) continue;
      this.wireRx.set(this.wireTx);
      if (flip.scope === 'bus' || flip.scope.includes(node.nodeName)) this.wireRx[bitIndex] = (this.wireRx[bitIndex] ?? 0) ^ 1;
      const verdict = receiveWire(this.wireRx, this.scratch);
      verdicts.push({ node, verdict });
      if (verdict.ok || verdict.acked) acked = true;
      if (!verdict.ok && node.errorState() === 'error-active') abortAt = Math.min(abortAt, verdict.error.flagAt);
    }
    const ackError = !acked && abortAt > trailer.ackSlot;
    if (ackError) abortAt = trailer.ackSlot + 1;
    this.settleFlipped(atNs, verdicts, abortAt, lastEof, trailer.eofStart + CAN_EOF_BITS + CAN_IFS_BITS, txDetects || ackError, ackError);
  }

  /** Turns receiver verdicts and the abort position into acceptance, counter deltas and timing. */
  private settleFlipped(atNs: number, verdicts: readonly { node: EmulatedCanNode; verdict: WireVerdict }[], abortAt: number, lastEof: number, totalBits: number, txDetects: boolean, ackError: boolean): void {
    const f = this.inFlight;
    const from = f.from;
    assert(from !== undefined, 'settleFlipped: no transmitter');
    const aborted = abortAt <= lastEof;
    let echo = false;
    for (const { node, verdict } of verdicts) {
      const primary = !verdict.ok && verdict.error.flagAt === abortAt;
      if (!primary && node.errorState() === 'error-active') echo = true;
    }
    if (!txDetects && from.errorState() === 'error-active') echo = true;
    for (const { node, verdict } of verdicts) {
      if (verdict.ok && !aborted) { f.accepts[node.index] = 1; continue; }
      const primary = !verdict.ok && verdict.error.flagAt === abortAt && node.errorState() === 'error-active';
      f.recDelta[node.index] = primary && echo ? 9 : 1;
    }
    f.success = !aborted;
    if (!aborted) {
      f.completeNs = atNs + (totalBits - CAN_IFS_BITS) * this.bitNs;
      f.freeNs = atNs + totalBits * this.bitNs;
      const frame = f.frame;
      assert(frame !== undefined, 'settleFlipped: no frame');
      this.applyDeliveryHooks(frame, from.nodeName);
      return;
    }
    const passiveAckException = ackError && from.errorState() === 'error-passive' && !verdicts.some(({ node }) => node.errorState() === 'error-active');
    f.tecDelta = passiveAckException ? 0 : 8;
    f.completeNs = atNs + abortAt * this.bitNs;
    f.freeNs = f.completeNs + (ERROR_FLAG_BITS + (echo ? ERROR_FLAG_BITS : 0) + ERROR_DELIMITER_BITS + CAN_IFS_BITS) * this.bitNs;
  }

  private applyDeliveryHooks(frame: CanFrame, from: string): void {
    const f = this.inFlight;
    for (const hook of this.faults.hooks) {
      if (hook.kind === 'drop' && hook.remaining > 0 && matches(hook.match, frame, from) && f.dropAt < 0) {
        const target = this.nodes.find((n) => n.nodeName === hook.at);
        if (target !== undefined && f.accepts[target.index] === 1) { f.dropAt = target.index; hook.remaining--; }
      } else if (hook.kind === 'delay' && hook.remaining > 0 && matches(hook.match, frame, from) && f.delayMicros === 0) {
        f.delayMicros = hook.delayMicros;
        hook.remaining--;
      }
    }
  }

  private takeHook(kind: 'duplicate', frame: CanFrame, from: string): boolean {
    const hooks = this.faults.hooks;
    if (hooks.length === 0) return false;
    for (const hook of hooks) {
      if (hook.kind === kind && hook.remaining > 0 && matches(hook.match, frame, from)) { hook.remaining--; return true; }
    }
    return false;
  }

  private takeFlip(frame: CanFrame, from: string): { bitIndex: number; scope: FlipScope } | undefined {
    const hooks = this.faults.hooks;
    if (hooks.length === 0) return undefined;
    for (const hook of hooks) {
      if (hook.kind === 'flip' && hook.remaining > 0 && matches(hook.match, frame, from)) { hook.remaining--; return hook; }
      if (hook.kind === 'random-flip' && matches(hook.match, frame, from) && this.prng !== undefined && this.prng.nextBool(hook.probability)) {
        const bitIndex = this.prng.nextInt(exactClassicFrameBits(frame) - CAN_IFS_BITS);
        if (hook.scope === 'bus') return { bitIndex, scope: 'bus' };
        const receivers = this.nodes.filter((n) => n.isActive() && n.nodeName !== from);
        const pick = receivers.length === 0 ? undefined : receivers[this.prng.nextInt(receivers.length)];
        return { bitIndex, scope: pick === undefined ? [] : [pick.nodeName] };
      }
    }
    return undefined;
  }

  /** The in-flight frame's outcome takes effect: deliveries, counters, retransmission or dequeue. */
  private complete(): void {
    const f = this.inFlight;
    const frame = f.frame;
    const from = f.from;
    if (!f.active || frame === undefined || from === undefined) assert(false, 'complete: nothing in flight');
    this.cursorNs = f.completeNs;
    this.busyNs += f.freeNs - f.startNs;
    this.busFreeNs = f.freeNs;
    this.idleAccountedNs = Math.max(this.idleAccountedNs, f.freeNs);
    f.active = false;
    const delivered = f.success || f.lateError;
    this.updateCounters(from, f.success);
    if (f.success && f.slot >= 0) from.removeQueued(f.slot);
    if (f.success) { from.framesSent++; this.frames++; } else { this.errorFrameCount++; }
    if (from.errorState() === 'error-passive') from.suspendUntilNs = f.freeNs + SUSPEND_TRANSMISSION_BITS * this.bitNs;
    if (delivered) this.deliverAccepted(frame, from, f.enqueuedNs);
    f.frame = undefined;
    f.from = undefined;
  }

  private updateCounters(from: EmulatedCanNode, success: boolean): void {
    const f = this.inFlight;
    from.tec = success ? Math.max(0, from.tec - 1) : Math.min(from.tec + f.tecDelta, COUNTER_MAX + 8);
    if (from.tec > COUNTER_MAX && !from.busOff) from.enterBusOff();
    for (const node of this.nodes) {
      if (!success || f.lateError) node.errorFrames += node.isActive() || node === from ? 1 : 0;
      if (node.busOff) { this.countRecoveryOccurrence(node); continue; }
      if (node === from || node.closed) continue;
      const delta = f.recDelta[node.index] ?? 0;
      if (delta > 0) node.rec = Math.min(COUNTER_MAX, node.rec + delta);
      else if (f.accepts[node.index] === 1) node.rec = node.rec > 127 ? REC_AFTER_PASSIVE_SUCCESS : Math.max(0, node.rec - 1);
    }
  }

  /** Every frame or error frame ends with 11 recessive bits (ACK delimiter/EOF/IFS, or error delimiter/IFS). */
  private countRecoveryOccurrence(node: EmulatedCanNode): void {
    node.recessiveNs = 0;
    node.recoveryOccurrences++;
    this.maybeRecover(node);
  }

  private maybeRecover(node: EmulatedCanNode): void {
    if (!this.autoRecover || node.stuckBusOff || node.recoveryOccurrences < BUS_OFF_RECOVERY_OCCURRENCES) return;
    if (node.busOff) this.busOffNodes--;
    node.busOff = false;
    node.tec = 0;
    node.rec = 0;
    node.recoveryOccurrences = 0;
  }

  /** Idle bus time counts as recessive bits toward bus-off recovery. */
  private accountIdle(untilNs: number): void {
    const fromNs = Math.max(this.idleAccountedNs, this.busFreeNs);
    if (this.inFlight.active || untilNs <= fromNs) return;
    this.idleAccountedNs = untilNs;
    // No node is bus-off: nothing counts idle time (the common case, on every bus event).
    if (this.busOffNodes === 0) return;
    const sequenceNs = 11 * this.bitNs;
    for (const node of this.nodes) {
      if (!node.busOff) continue;
      node.recessiveNs += untilNs - fromNs;
      const occurrences = Math.floor(node.recessiveNs / sequenceNs);
      node.recoveryOccurrences += occurrences;
      node.recessiveNs -= occurrences * sequenceNs;
      this.maybeRecover(node);
    }
  }

  private deliverAccepted(frame: CanFrame, from: EmulatedCanNode, enqueuedNs: number): void {
    const f = this.inFlight;
    const atNs = f.completeNs;
    this.recordLatency(frame, atNs + f.delayMicros * 1000 - enqueuedNs);
    // The clock moves to the delivery instant before the first handler runs (handlers never move it back).
    let clockAdvanced = false;
    for (const node of this.nodes) {
      if (node === from || f.accepts[node.index] !== 1 || node.closed) continue;
      node.framesReceived++;
      if (node.index === f.dropAt) continue;
      if (f.delayMicros > 0) { this.pushDelayed(frame, node, atNs + f.delayMicros * 1000); continue; }
      if (!clockAdvanced) { this.advanceClock(atNs); clockAdvanced = true; }
      node.deliver(frame, atNs / 1000);
    }
  }

  private pushDelayed(frame: CanFrame, node: EmulatedCanNode, atNs: number): void {
    if (this.delayedCount >= this.delayedFrames.length) { node.framesDropped++; return; }
    let i = this.delayedCount++;
    while (i > 0 && (this.delayedAtNs[i - 1] ?? 0) > atNs) {
      this.delayedFrames[i] = this.delayedFrames[i - 1];
      this.delayedNode[i] = this.delayedNode[i - 1] ?? 0;
      this.delayedAtNs[i] = this.delayedAtNs[i - 1] ?? 0;
      i--;
    }
    this.delayedFrames[i] = frame;
    this.delayedNode[i] = node.index;
    this.delayedAtNs[i] = atNs;
  }

  private deliverDelayed(): void {
    const frame = this.delayedFrames[0];
    const node = this.nodes[this.delayedNode[0] ?? 0];
    const atNs = this.delayedAtNs[0] ?? 0;
    for (let i = 0; i < this.delayedCount - 1; i++) {
      this.delayedFrames[i] = this.delayedFrames[i + 1];
      this.delayedNode[i] = this.delayedNode[i + 1] ?? 0;
      this.delayedAtNs[i] = this.delayedAtNs[i + 1] ?? 0;
    }
    this.delayedCount--;
    this.delayedFrames[this.delayedCount] = undefined;
    assert(frame !== undefined && node !== undefined, 'deliverDelayed: empty slot');
    this.cursorNs = Math.max(this.cursorNs, atNs);
    if (node.closed) return;
    this.advanceClock(atNs);
    node.deliver(frame, atNs / 1000);
  }

  private advanceClock(atNs: number): void {
    const micros = Math.floor(atNs / 1000);
    if (micros > this.clock.nowMicros()) this.clock.advanceTo(micros);
  }

  private recordLatency(frame: CanFrame, latencyNs: number): void {
    let cell = frame.extended ? undefined : this.standardLatency[frame.id];
    if (cell === undefined) {
      const key = frame.extended ? frame.id + 2 ** 29 : frame.id;
      cell = this.latency.get(key);
      if (cell === undefined) {
        if (this.latency.size >= this.latencyIdsMax) { this.latencyOverflowFrames++; return; }
        cell = { id: frame.id, extended: frame.extended, count: 0, sumMicros: 0, minMicros: Number.POSITIVE_INFINITY, maxMicros: 0 };
        this.latency.set(key, cell);
      }
      if (!frame.extended) this.standardLatency[frame.id] = cell;
    }
    const micros = latencyNs / 1000;
    cell.count++;
    cell.sumMicros += micros;
    if (micros < cell.minMicros) cell.minMicros = micros;
    if (micros > cell.maxMicros) cell.maxMicros = micros;
  }
}
