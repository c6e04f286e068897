/**
 * The fault injector of the emulated rig: the one module that makes faults happen, whatever
 * asked for them — a profile's planned injections (timed events, Poisson processes, SEU rates,
 * expanded by src/core/fault/plan.ts), a console command (`injectNow`), a campaign row's
 * planned fault (merged into the profile), and the console's SEU process (`upsetStep`) and bus
 * flips, which draw from the console's stream (src/core/sim/streams.ts). Each
 * fault opens a record in the fault ledger and, where a mechanism is expected to correct it, a
 * watch in the observer; transient faults schedule their own end on the flight's scheduler.
 *
 * The injector owns the ground truth of which channels are down or faulty (ChannelFaultState);
 * it never reads a mechanism's verdict.
 */
import type { EmulatedCanBus } from './emulated-can.js';
import type { ChannelFaultState } from './fault-state.js';
import type { MechanismObserver } from './observer.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import { REGISTER_NAMES } from '../core/control/state.js';
import { classicFrame } from '../core/frame/can.js';
import type { FaultLedger } from '../core/fault/accounting.js';
import { channelIndexOf, type Injection } from '../core/fault/plan.js';
import { CHANNEL_NAMES, type FaultSpec } from '../core/fault/profile.js';
import type { Imu } from '../core/plant/imu.js';
import type { SimClock } from '../core/sim/clock.js';
import { Prng } from '../core/sim/prng.js';
import type { Scheduler } from '../core/sim/scheduler.js';
import { CONSOLE_UPSET_SEED_XOR } from '../core/sim/streams.js';
import type { ActuatorPath } from '../core/channel/actuator-path.js';
import type { CanMedium } from '../core/channel/medium.js';
import type { VoterNode } from '../core/channel/voter-node.js';
import { COMPUTE_VALUE_NAMES } from '../core/fault/profile.js';
import { CHANNEL_IDS_MAX } from '../core/frame/ids.js';
import { CommandForger } from './forger.js';
import type { PayloadFaults } from './outbox.js';

/** Observation window of a fault record (longer than every detection bound of docs/FLIGHT.md). */
export const FAULT_WINDOW_MICROS = 2_500_000;
/** Node name of the voter on the bus (src/sim/assembly.ts). */
export const VOTER_NODE = 'V';
/** Node name of the babbling idiot on the bus. */
export const BABBLE_NODE = 'X';
/** Scheduler priority of fault events (after the sensors at 0, before the channels at 10). */
const FAULT_PRIORITY = 5;
/** The console's SEU process injects at most this many upsets per channel per cycle. */
const UPSETS_PER_CYCLE_MAX = 64;
/** A console bus flip hits one of wire bits 1..CONSOLE_WIRE_BITS. */
const CONSOLE_WIRE_BITS = 100;

/** What the injector acts on: the rig's parts and the flight's clock and scheduler. */
export interface InjectorTargets {
  readonly clock: SimClock;
  readonly scheduler: Scheduler;
  readonly bus: EmulatedCanBus;
  readonly channels: readonly ChannelRuntime[];
  readonly imus: readonly Imu[];
  /** The channels talk over p2p links (a Byzantine lie then lives in the agreement layer). */
  readonly p2p: boolean;
  readonly periodMicros: number;
  /** End of the flight (µs): a Byzantine fault's record stays open until then. */
  readonly endMicros: number;
  readonly voterNode: VoterNode;
  readonly actuators: ActuatorPath;
  readonly payloadFaults: PayloadFaults;
  readonly forgers: (CommandForger | undefined)[];
  readonly medium: CanMedium;
}

/** One upset the console's SEU process injected. */
export interface Upset { readonly channel: number; readonly word: number }

export class FaultInjector {
  /** Per fault-ledger record, the fault as injected (ground truth for the oracle: transient or permanent). */
  readonly specs: FaultSpec[] = [];
  private nextInjection = 0;
  private readonly upsetRateHz: Float64Array;
  private readonly consolePrng: Prng;

  constructor(
    private readonly targets: InjectorTargets,
    private readonly injections: readonly Injection[],
    private readonly faults: ChannelFaultState,
    private readonly ledger: FaultLedger,
    private readonly observer: MechanismObserver,
    seed: number,
  ) {
    this.upsetRateHz = new Float64Array(targets.channels.length);
    this.consolePrng = new Prng(seed ^ CONSOLE_UPSET_SEED_XOR);
  }

  /** Schedules the next planned injection (call once when the flight is armed). */
  arm(): void {
    const next = this.injections[this.nextInjection];
    if (next === undefined) return;
    this.targets.scheduler.schedule(Math.max(next.atMicros, this.targets.clock.nowMicros()), FAULT_PRIORITY, this.onInjection);
  }

  /** Injects one fault now, between cycles, by the same path (and fault ledger) as a planned one. */
  injectNow(fault: FaultSpec, wireBit = 1): void {
    const t = this.targets.clock.nowMicros();
    this.targets.bus.runUntil(t);
    this.inject({ atMicros: t, fault, source: 'event', stage: 0, wireBit }, t);
  }

  /** A board drives channel `channel` (src/hil/board-bridge.ts): its emulated twin stays down for good. */
  setExternal(channel: number): void {
    this.faults.down[channel] = true;
  }

  isDown(channel: number): boolean {
    return this.faults.isDown(channel);
  }

  /** Ends a console kill (cold restart) or hang (resumes with its state): the channel runs again. */
  revive(channel: number, cold: boolean): void {
    const c = this.targets.channels[channel];
    if (c === undefined || this.faults.down[channel] !== true) return;
    if (cold) c.coldRestart(this.targets.clock.nowMicros());
    this.faults.down[channel] = false;
    this.faults.faulted[channel] = false;
  }

  /** A console `flip bus`: corrupts the next frame (or the next with `id`) at a wire bit drawn from the console's stream. */
  injectBusFlipNow(id: number | undefined): void {
    this.injectNow({ kind: 'bus-corrupt', ...(id === undefined ? {} : { id }) }, 1 + this.consolePrng.nextInt(CONSOLE_WIRE_BITS));
  }

  /** The console's SEU process: upsets per second in channel `channel`'s memory (0 stops it). */
  setUpsetRate(channel: number, rateHz: number): void {
    if (channel >= 0 && channel < this.upsetRateHz.length) this.upsetRateHz[channel] = rateHz;
  }

  /**
   * One cycle of the SEU process: Poisson arrivals per channel, each flipping a uniformly drawn
   * physical bit of its memory image. Returns the upsets injected (empty while no rate is set).
   */
  upsetStep(): Upset[] {
    const upsets: Upset[] = [];
    const periodS = this.targets.periodMicros * 1e-6;
    for (let i = 0; i < this.upsetRateHz.length; i++) {
      const rate = this.upsetRateHz[i] ?? 0;
      const c = this.targets.channels[i];
      if (rate === 0 || c === undefined) continue;
      const mean = rate * periodS;
      // Knuth's Poisson sampler, bounded: mean per cycle is small (rate ≤ 1e5/s, period ≥ 100 µs).
      let n = 0;
      for (let p = this.consolePrng.nextFloat(), limit = Math.exp(-mean); p > limit && n < UPSETS_PER_CYCLE_MAX; p *= this.consolePrng.nextFloat()) n++;
      for (let k = 0; k < n; k++) {
        const physical = this.consolePrng.nextInt(c.memory.physicalBitCount);
        const word = c.memory.interleaver.wordOf(physical);
        this.injectNow({ kind: 'memory-flip', channel: CHANNEL_NAMES[i] ?? 'A', word, bit: c.memory.interleaver.bitOf(physical) });
        upsets.push({ channel: i, word });
      }
    }
    return upsets;
  }

  private readonly onInjection = (t: number): void => {
    this.targets.bus.runUntil(t);
    for (let inj = this.injections[this.nextInjection]; inj !== undefined && inj.atMicros <= t; inj = this.injections[this.nextInjection]) {
      this.inject(inj, t);
      this.nextInjection++;
    }
    this.arm();
  };

  private inject(inj: Injection, t: number): void {
    const f = inj.fault;
    const channel = 'channel' in f ? channelIndexOf(f.channel) : -1;
    const sensor = f.kind === 'sensor' ? f.sensor - 1 : -1;
    const byzantineKind = f.kind === 'two-faced' || f.kind === 'masquerade' || f.kind === 'replay';
    // A Byzantine channel, a stuck cell or a forger for good stays faulty to the end: its record
    // stays open, so its isolation is never a healthy one.
    const toEnd = byzantineKind || f.kind === 'stuck-bit' || (f.kind === 'can-masquerade' && f.durationMicros === undefined);
    const id = this.ledger.add(f.kind, channel, sensor, t, toEnd ? Math.max(FAULT_WINDOW_MICROS, this.targets.endMicros - t + 1) : FAULT_WINDOW_MICROS);
    this.specs[id] = f;
    const c = channel >= 0 ? this.targets.channels[channel] : undefined;
    switch (f.kind) {
      case 'memory-flip':
      case 'mbu': this.injectMemory(id, inj, c, channel); return;
      case 'register-flip':
        c?.armRegisterFlip(Math.max(0, REGISTER_NAMES.indexOf(f.register as (typeof REGISTER_NAMES)[number])), (f.copy ?? 0) as 0 | 1 | 2, f.bit ?? 0, inj.stage);
        this.observer.watchRegister(id, channel);
        return;
      case 'bus-corrupt':
      case 'bus-drop':
      case 'bus-delay':
      case 'bus-duplicate':
      case 'babble': this.injectBus(id, inj, t); return;
      case 'channel-crash': this.injectStop(channel, t, f.restartAfterMicros, true); return;
      case 'channel-hang': this.injectStop(channel, t, f.durationMicros, false); return;
      case 'sensor': this.injectSensor(f.sensor - 1, f.mode, f.value, f.durationMicros, t); return;
      case 'wrong-command':
        if (c === undefined) return;
        c.wrongCommandOffsetDeg = f.offsetDeg;
        this.faults.faulted[channel] = true;
        this.targets.scheduler.schedule(t + f.durationMicros, FAULT_PRIORITY, () => { c.wrongCommandOffsetDeg = 0; this.faults.faulted[channel] = false; });
        return;
      case 'clock-drift':
        c?.clock.setDriftPpm(f.ppm, t);
        if (Math.abs(f.ppm) > 100) this.faults.faulted[channel] = true;
        return;
      case 'clock-jump':
        c?.clock.injectJump(f.jumpMicros);
        this.observer.watchClock(id, channel, f.jumpMicros);
        return;
      case 'two-faced':
      case 'masquerade':
      case 'replay':
        // p2p: the adversary in the agreement layer lies from this cycle on. CAN: the channel relays
        // nothing and the bus lets it tell everyone the same thing, so only its command can lie.
        this.faults.faulted[channel] = true;
        if (!this.targets.p2p && c !== undefined && f.kind !== 'replay') c.wrongCommandOffsetDeg = f.value;
        return;
      default:
        this.injectSite(id, f, c, channel, t);
    }
  }

  /** The sites of issue 14 (docs/FAULTS.md, "Fault sites"). */
  private injectSite(id: number, f: FaultSpec, c: ChannelRuntime | undefined, channel: number, t: number): void {
    const tg = this.targets;
    switch (f.kind) {
      case 'compute-flip':
        c?.armComputeFlip(Math.max(0, COMPUTE_VALUE_NAMES.indexOf(f.value ?? '')), f.bit ?? 0, f.stage ?? 0);
        return;
      case 'control-flow':
        c?.armControlFlowError(f.mode, f.stage);
        return;
      case 'word-mbu': {
        if (c === undefined) return;
        c.memory.flipWordBits(f.word ?? 0, f.bit ?? 0, f.bits);
        // Three or more bits exceed SEC-DED: unless the decoder flags the word uncorrectable, it
        // will read as clean or "correct" another bit — wrong data that looks right.
        const miscorrected = f.bits >= 3 && c.memory.decodeClassOf(f.word ?? 0) !== 'uncorrectable';
        if (miscorrected) this.ledger.corruptedData(id);
        this.observer.watchMemory(id, channel, [f.word ?? 0], miscorrected);
        return;
      }
      case 'stuck-bit':
        if (c === undefined) return;
        c.memory.setStuckBit(f.word ?? 0, f.bit ?? 0, f.value === 1 ? 1 : 0);
        this.observer.watchMemory(id, channel, [f.word ?? 0]);
        return;
      case 'scrubber-upset':
        c?.scrubber.upsetCursor(f.bit ?? 0);
        return;
      case 'decoder-upset':
        c?.memory.armDecoderUpset(f.bit ?? 0);
        return;
      case 'golden-flip':
        if (c === undefined) return;
        c.goldenCopy[f.byte ?? 0] = (c.goldenCopy[f.byte ?? 0] ?? 0) ^ (1 << (f.bit ?? 0));
        return;
      case 'voter-upset':
        tg.voterNode.upsetLane(f.lane, f.field ?? 'health', f.index ?? 0, f.bit ?? 0);
        return;
      case 'command-flip':
        tg.voterNode.flipLaneCommand(f.lane, f.actuator ?? 0, f.bit ?? 0);
        return;
      case 'actuator':
        tg.actuators.inject(f.actuator, f.mode, f.value, f.durationMicros, t);
        return;
      case 'payload-corrupt':
        tg.payloadFaults.arm(f.id, f.bit ?? 0, f.bits ?? 1);
        this.observer.watchE2e(id);
        return;
      case 'voter-drop':
        tg.bus.faults.drop({ at: VOTER_NODE, match: f.id === undefined ? {} : { id: f.id } });
        return;
      case 'can-masquerade': {
        const n = tg.channels.length;
        const victim = f.victim === undefined ? (channel + 1) % n : channelIndexOf(f.victim);
        const name = CHANNEL_IDS_MAX[victim];
        if (name === undefined || victim === channel) return;
        this.faults.faulted[channel] = true;
        this.ledger.setVictim(id, victim);
        const until = f.durationMicros === undefined ? Number.POSITIVE_INFINITY : t + f.durationMicros;
        // A second forgery by the same channel of the same victim (a double-class row) is a second node.
        const base = `${CHANNEL_NAMES[channel] ?? '?'}-forges-${name}`;
        const nodeName = tg.bus.hasNode(base) ? `${base}#${id}` : base;
        tg.forgers[victim] = new CommandForger(tg.bus.attach(nodeName), name, f.value, tg.medium, until);
        if (f.durationMicros !== undefined) tg.scheduler.schedule(until, FAULT_PRIORITY, () => { this.faults.faulted[channel] = false; });
        return;
      }
      default:
    }
  }

  private injectMemory(id: number, inj: Injection, c: ChannelRuntime | undefined, channel: number): void {
    if (c === undefined) return;
    const f = inj.fault;
    const words: number[] = [];
    if (f.kind === 'memory-flip') {
      c.memory.flipBit(f.word ?? 0, f.bit ?? 0);
      words.push(f.word ?? 0);
    } else if (f.kind === 'mbu') {
      for (let b = 0; b < f.bits; b++) {
        const p = Math.min(c.memory.physicalBitCount - 1, (f.physicalBit ?? 0) + b);
        c.memory.flipPhysicalBit(p);
        words.push(c.memory.interleaver.wordOf(p));
      }
    }
    this.observer.watchMemory(id, channel, words);
  }

  private injectBus(id: number, inj: Injection, t: number): void {
    const f = inj.fault;
    const faults = this.targets.bus.faults;
    const live = faults.hooks.filter((h) => !('remaining' in h) || h.remaining > 0);
    faults.hooks.length = 0;
    faults.hooks.push(...live);
    const frameId = (f as { readonly id?: number }).id;
    const match = frameId === undefined ? {} : { id: frameId };
    switch (f.kind) {
      case 'bus-corrupt':
        faults.flipBit({ bitIndex: inj.wireBit, scope: 'bus', match });
        this.observer.watchBus(id);
        return;
      case 'bus-drop': faults.drop({ at: f.receiver, match }); return;
      case 'bus-delay': faults.delay({ delayMicros: f.delayMicros, match }); return;
      case 'bus-duplicate': faults.duplicate({ match }); return;
      case 'babble':
        faults.babble(BABBLE_NODE, classicFrame(0x000, new Uint8Array(8)));
        this.targets.scheduler.schedule(t + f.durationMicros, FAULT_PRIORITY, () => { faults.stopBabble(BABBLE_NODE); });
        return;
      default:
    }
  }

  private injectStop(channel: number, t: number, afterMicros: number | undefined, cold: boolean): void {
    const c = this.targets.channels[channel];
    if (c === undefined) return;
    this.faults.down[channel] = true;
    this.faults.faulted[channel] = true;
    if (afterMicros === undefined) return;
    this.targets.scheduler.schedule(t + afterMicros, FAULT_PRIORITY, (now) => {
      if (cold) c.coldRestart(now);
      this.faults.down[channel] = false;
      this.faults.faulted[channel] = false;
    });
  }

  private injectSensor(s: number, mode: string, value: number | undefined, durationMicros: number | undefined, t: number): void {
    const imu = this.targets.imus[s];
    if (imu === undefined) return;
    const v = value ?? 0;
    switch (mode) {
      case 'stuck': imu.injectFault({ kind: 'stuck' }, t); break;
      case 'bias': imu.injectFault({ kind: 'bias_jump', gyroRadPerS: [v, v, v], accelMPerS2: [0, 0, 0] }, t); break;
      case 'noise': imu.injectFault({ kind: 'noise_burst', factor: value ?? 20, durationMicros: durationMicros ?? 1e12 }, t); break;
      case 'dead': imu.injectFault({ kind: 'dead' }, t); break;
      case 'drift': imu.injectFault({ kind: 'drift', gyroRadPerS2: [v, v, v] }, t); break;
      case 'scale': imu.injectFault({ kind: 'scale', factor: value ?? 1 }, t); break;
      default: imu.injectFault({ kind: 'ok' }, t);
    }
    if (durationMicros !== undefined) this.targets.scheduler.schedule(t + durationMicros, FAULT_PRIORITY, (now) => { imu.injectFault({ kind: 'ok' }, now); });
  }
}
