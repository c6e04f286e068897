/**
 * The console's hold on a local rig (RigControl over a RunningRig from src/hil/bridge.ts):
 * status per channel; faults injected between cycles through the flight's fault injector
 * (src/sim/injector.ts, so the fault ledger sees them), including its seeded SEU process;
 * pause / resume / step through the rig's RigRunner (real-time pacing lives there). Channels
 * that are real boards are handed to their BoardPort: a flip on a board travels over the wire
 * protocol. `inject` takes any fault of the profile schema to the emulated parts of the rig
 * (channels, voter lanes, actuators, bus, IMUs) and refuses a fault on a board's channel.
 */
import { describeInjected, eventField } from './inject.js';
import type { ChannelState } from './parse.js';
import { formatHexDump, type ChannelStatus, type RigAction, type RigControl, type RigStatus } from './rig-control.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import { REGISTER_NAMES } from '../core/control/state.js';
import { channelIndexOf, expandProfile, type FaultGeometry } from '../core/fault/plan.js';
import { voterFieldSize, type ChannelName, type FaultSpec } from '../core/fault/profile.js';
import { STUCK_BITS_MAX } from '../core/memory/memory-image.js';
import { err, ok, type Result } from '../core/result.js';
import { Prng } from '../core/sim/prng.js';
import type { ChannelHealth } from '../core/vote/voter.js';
import type { BoardPort } from '../hil/board-port.js';
import type { RunningRig } from '../hil/bridge.js';
import type { RigRunner } from '../hil/rig-runner.js';
import type { Flight } from '../sim/flight.js';

const NAMES = ['A', 'B', 'C'] as const;
/**
 * PRNG stream of the open fields of console `inject`s (`new Prng(seed).fork(CONSOLE_INJECT_STREAM)`):
 * apart from every stream of src/core/sim/streams.ts, so an inject never shifts a flight's draws.
 */
export const CONSOLE_INJECT_STREAM = 600;
type ChannelAction = Extract<RigAction, { readonly channel: unknown }>;

function stateOf(health: ChannelHealth): ChannelState {
  switch (health) {
    case 'active': case 'suspect': return 'active';
    case 'isolated': case 'reintegrating': return 'isolated';
    case 'failed': return 'failed';
  }
}

export class LocalRig implements RigControl {
  private readonly flight: Flight;
  private readonly runner: RigRunner;
  private readonly boards: ReadonlyMap<number, BoardPort>;
  private readonly lastFault: (string | undefined)[];
  /** Channels stopped by `kill` (a revive cold-restarts them); `hang` keeps the state. */
  private readonly killed: boolean[];

  /** Draws the open fields (which word, which bit, …) of `inject`, as a profile's run PRNG would. */
  private readonly injectPrng: Prng;

  constructor(private readonly rig: Pick<RunningRig, 'rigName' | 'flight' | 'runner' | 'boards'> & Partial<Pick<RunningRig, 'seed'>>) {
    this.flight = rig.flight;
    this.injectPrng = new Prng(rig.seed ?? 0).fork(CONSOLE_INJECT_STREAM);
    this.runner = rig.runner;
    this.boards = rig.boards;
    this.lastFault = this.flight.channels.map(() => undefined);
    this.killed = this.flight.channels.map(() => false);
    this.runner.onCycle(() => { this.upsets(); });
  }

  status(): RigStatus {
    const f = this.flight;
    return {
      rig: this.rig.rigName,
      cycle: f.cyclesRun,
      timeMicros: f.cyclesRun * f.periodMicros,
      paused: this.runner.isPaused,
      channels: f.channels.map((c, i) => this.channelStatus(c, i)),
    };
  }

  async apply(action: RigAction): Promise<Result<string, string>> {
    switch (action.kind) {
      case 'pause': this.runner.pausePacing(); await this.runner.idle(); return ok(`paused at cycle ${this.flight.cyclesRun}`);
      case 'resume': this.runner.resumePacing(); return ok(`running from cycle ${this.flight.cyclesRun}`);
      case 'step': return this.step(action.cycles);
      case 'flip-bus': {
        this.flight.injector.injectBusFlipNow(action.id);
        return ok(action.id === undefined ? 'the next frame on the bus will be corrupted' : `the next frame with ID 0x${action.id.toString(16)} will be corrupted`);
      }
      case 'sensor': {
        if (action.sensor > this.flight.sensorCount) return err(`sensor ${action.sensor} is not on this rig (${this.flight.sensorCount} sensors)`);
        const mode = action.fault.kind;
        this.flight.injector.injectNow({ kind: 'sensor', sensor: action.sensor, mode, ...(action.fault.kind === 'bias' ? { value: action.fault.value } : {}) });
        return ok(`sensor ${action.sensor} ${action.fault.kind === 'bias' ? `biased by ${action.fault.value}` : mode}`);
      }
      case 'inject': return this.inject(action.fault);
      default: return this.channelAction(action);
    }
  }

  /**
   * `inject`: the fault as a one-event profile through the flight's own expansion (the rig's
   * targets checked, open fields drawn from the inject stream) and injector, so the fault
   * ledger, the observer and the oracle see it like a profile event.
   */
  private inject(fault: FaultSpec): Result<string, string> {
    const refused = this.refuseInject(fault);
    if (refused !== undefined) return err(`inject ${fault.kind}: ${refused}`);
    const profile = { name: 'console', description: '', events: [{ atMicros: 0, fault }], processes: [], seu: undefined };
    const expanded = expandProfile(profile, this.geometry(), this.injectPrng);
    if (!expanded.ok) return err(`inject: ${eventField(expanded.error.path)}: ${expanded.error.message}`);
    const injection = expanded.value[0];
    if (injection === undefined) return err(`inject ${fault.kind}: the fault expanded to no injection`);
    const unfit = unfitVoterUpset(injection.fault, this.flight.channels.length);
    if (unfit !== undefined) return err(`inject: ${unfit}`);
    this.flight.injector.injectNow(injection.fault, injection.wireBit);
    const index = 'channel' in injection.fault ? channelIndexOf(injection.fault.channel) : -1;
    if (index >= 0) this.lastFault[index] = `${injection.fault.kind} @${this.flight.cyclesRun}`;
    if (injection.fault.kind === 'channel-crash' || injection.fault.kind === 'channel-hang') this.killed[index] = injection.fault.kind === 'channel-crash';
    return ok(describeInjected(injection.fault));
  }

  /** Why the rig cannot take `fault` now (a board's channel, a channel already down, a full table), or undefined. */
  private refuseInject(fault: FaultSpec): string | undefined {
    const name = 'channel' in fault ? fault.channel : fault.kind === 'bus-drop' ? fault.receiver : undefined;
    const index = name === undefined ? -1 : channelIndexOf(name);
    const board = this.boards.get(index);
    if (board !== undefined) return `channel ${name ?? '?'} is a board (${board.link}): inject reaches emulated channels only (a board takes flip, peek, poke, scrub, kill, hang, revive)`;
    const c = this.flight.channels[index];
    if ((fault.kind === 'channel-crash' || fault.kind === 'channel-hang') && this.flight.injector.isDown(index)) return `channel ${fault.channel} is already down (revive it first)`;
    if (fault.kind === 'stuck-bit' && c !== undefined && c.memory.stuckBitCount >= STUCK_BITS_MAX) return `channel ${fault.channel} has ${STUCK_BITS_MAX} stuck bits already (the most one memory image models)`;
    if (fault.kind === 'voter-upset' && fault.field === undefined && (fault.index !== undefined || fault.bit !== undefined)) return 'index and bit need a field (their ranges differ per field)';
    if (fault.kind === 'actuator' && fault.actuator >= this.flight.actuatorPath.positionDeg.length) return `actuator ${fault.actuator} is not on this rig (${this.flight.actuatorPath.positionDeg.length} actuators)`;
    if (fault.kind === 'command-flip' && (fault.actuator ?? 0) >= this.flight.voterNode.outputDeg.length) return `actuator ${fault.actuator ?? 0} is not on this rig (${this.flight.voterNode.outputDeg.length} actuators)`;
    return undefined;
  }

  private geometry(): FaultGeometry {
    const f = this.flight;
    const memory = f.channels[0]?.memory;
    return {
      channelCount: f.channels.length, sensorCount: f.sensorCount, voterLanes: f.voterNode.laneCount,
      memoryWordCount: memory?.wordCount ?? 1, memoryCodeBits: memory?.code.codeBits ?? 1, memoryPhysicalBits: memory?.physicalBitCount ?? 1,
      registerNames: REGISTER_NAMES, durationMicros: Math.max(1, f.cycleCount * f.periodMicros),
    };
  }

  private async channelAction(action: ChannelAction): Promise<Result<string, string>> {
    const index = NAMES.indexOf(action.channel);
    const c = this.flight.channels[index];
    if (c === undefined) return err(`channel ${action.channel} is not on this rig`);
    const board = this.boards.get(index);
    const result = board === undefined ? this.emulatedAction(action, c, index) : await this.boardAction(action, board);
    if (result.ok && action.kind !== 'peek') this.lastFault[index] = `${describe(action)} @${this.flight.cyclesRun}`;
    return result;
  }

  private emulatedAction(action: ChannelAction, c: ChannelRuntime, index: number): Result<string, string> {
    const channel = action.channel as ChannelName;
    switch (action.kind) {
      case 'flip-mem': {
        if (action.address >= c.memory.sizeBytes) return err(`address 0x${action.address.toString(16)} is outside ${action.channel}'s memory (${c.memory.sizeBytes} bytes)`);
        const word = Math.floor(action.address / c.memory.wordBytes);
        const bit = (action.address % c.memory.wordBytes) * 8 + action.bit;
        this.flight.injector.injectNow({ kind: 'memory-flip', channel, word, bit });
        return ok(`flipped ${action.channel} memory 0x${action.address.toString(16)} bit ${action.bit} (word ${word}, code bit ${bit})`);
      }
      case 'flip-reg':
        this.flight.injector.injectNow({ kind: 'register-flip', channel, register: action.register, copy: 0, bit: action.bit });
        return ok(`armed a flip of ${action.channel} ${action.register} bit ${action.bit} (copy 0) for the next cycle`);
      case 'upset':
        this.flight.injector.setUpsetRate(index, action.rateHz);
        return ok(action.rateHz === 0 ? `upsets on ${action.channel} stopped` : `upsets on ${action.channel} at ${action.rateHz}/s`);
      case 'kill':
        if (this.flight.injector.isDown(index)) return err(`channel ${action.channel} is already down (revive it first)`);
        this.flight.injector.injectNow({ kind: 'channel-crash', channel });
        this.killed[index] = true;
        return ok(`killed ${action.channel}`);
      case 'hang':
        if (this.flight.injector.isDown(index)) return err(`channel ${action.channel} is already down (revive it first)`);
        this.flight.injector.injectNow({ kind: 'channel-hang', channel, durationMicros: Number.MAX_SAFE_INTEGER / 4 });
        this.killed[index] = false;
        return ok(`hung ${action.channel}`);
      case 'revive': {
        if (!this.flight.injector.isDown(index)) return err(`channel ${action.channel} is running (nothing to revive)`);
        const cold = this.killed[index] === true;
        this.flight.injector.revive(index, cold);
        this.killed[index] = false;
        return ok(`revived ${action.channel} (${cold ? 'cold restart' : 'resumes with its state'}; it reintegrates when it agrees again)`);
      }
      case 'clock-drift':
        this.flight.injector.injectNow({ kind: 'clock-drift', channel, ppm: action.driftPpm });
        return ok(`${action.channel} clock drifts ${action.driftPpm} ppm`);
      case 'clock-jump':
        this.flight.injector.injectNow({ kind: 'clock-jump', channel, jumpMicros: Math.round(action.jumpMillis * 1000) });
        return ok(`${action.channel} clock jumped ${action.jumpMillis} ms`);
      case 'scrub': return ok(scrubNow(c, action.channel));
      case 'peek': return this.peekEmulated(c, action.address, action.lengthBytes);
      case 'poke': {
        if (action.address + action.bytes.length > c.memory.sizeBytes) return err(`0x${action.address.toString(16)}+${action.bytes.length} is outside ${action.channel}'s memory (${c.memory.sizeBytes} bytes)`);
        const written = c.memory.write(action.address, action.bytes);
        return written.ok ? ok(`wrote ${action.bytes.length} bytes at 0x${action.address.toString(16)}`) : err(`poke: uncorrectable word at 0x${written.error.address.toString(16)}`);
      }
    }
  }

  private peekEmulated(c: ChannelRuntime, address: number, lengthBytes: number): Result<string, string> {
    if (address + lengthBytes > c.memory.sizeBytes) return err(`0x${address.toString(16)}+${lengthBytes} is outside the memory (${c.memory.sizeBytes} bytes)`);
    const bytes = c.memory.readChecked(address, lengthBytes);
    return bytes.ok ? ok(formatHexDump(address, bytes.value)) : err(`peek: uncorrectable word at 0x${bytes.error.address.toString(16)}`);
  }

  private async boardAction(action: ChannelAction, board: BoardPort): Promise<Result<string, string>> {
    switch (action.kind) {
      case 'flip-mem': return board.flipMemory(action.address, action.bit);
      case 'flip-reg': return board.flipRegister(action.register, action.bit);
      case 'peek': {
        const bytes = await board.peek(action.address, action.lengthBytes);
        return bytes.ok ? ok(formatHexDump(action.address, bytes.value)) : bytes;
      }
      case 'poke': return board.poke(action.address, action.bytes);
      case 'scrub': return board.scrub();
      case 'kill': return board.kill();
      case 'hang': return board.hang();
      case 'revive': return board.revive();
      case 'upset': case 'clock-drift': case 'clock-jump':
        return err(`${action.kind} is not available on board ${action.channel} (${board.link}); use flip, kill or hang`);
    }
  }

  private channelStatus(c: ChannelRuntime, i: number): ChannelStatus {
    const health = this.flight.channelHealth(i);
    const board = this.boards.get(i);
    const counts = board?.counters() ?? {
      corrected: c.scrubber.statistics().corrected + c.memory.statistics().readCorrected + c.registerRepairs,
      uncorrectable: c.scrubber.statistics().uncorrectableEvents + c.memory.statistics().readUncorrectable,
    };
    return { channel: NAMES[i] ?? 'A', link: board?.link ?? 'emulated', state: stateOf(health), ...counts, lastFault: this.lastFault[i] };
  }

  private async step(cycles: number): Promise<Result<string, string>> {
    const ran = await this.runner.step(cycles);
    for (const board of this.boards.values()) await board.refresh?.();
    return ran;
  }

  /** The SEU process lives in the fault injector (src/sim/injector.ts); the console names each upset it made. */
  private upsets(): void {
    for (const upset of this.flight.injector.upsetStep()) this.lastFault[upset.channel] = `SEU word ${upset.word} @${this.flight.cyclesRun}`;
  }
}

/**
 * A full scrub pass now, outside the channel's own scrubber (whose clock belongs to the channel's
 * cycle): every dirty word is read through the corrector, which writes the correction back.
 */
function scrubNow(c: ChannelRuntime, name: string): string {
  const words = c.memory.wordCount;
  let dirtyBefore = 0;
  for (let w = c.memory.findDirtyWord(0, words); w >= 0 && w < words; w = c.memory.findDirtyWord(w + 1, words)) dirtyBefore++;
  c.memory.read(0, c.memory.sizeBytes);
  let dirtyAfter = 0;
  for (let w = c.memory.findDirtyWord(0, words); w >= 0 && w < words; w = c.memory.findDirtyWord(w + 1, words)) dirtyAfter++;
  return `scrubbed ${words} words of ${name}: ${dirtyBefore - dirtyAfter} corrected, ${dirtyAfter} uncorrectable`;
}

/** A voter upset's element and bit (drawn or given) against its field's size; undefined when they fit. */
function unfitVoterUpset(fault: FaultSpec, channels: number): string | undefined {
  if (fault.kind !== 'voter-upset' || fault.field === undefined) return undefined;
  const size = voterFieldSize(fault.field, channels);
  if (fault.field !== 'pairLevel' && (fault.index ?? 0) >= size.length) return `index: ${fault.field} has ${size.length} element${size.length === 1 ? '' : 's'}`;
  if ((fault.bit ?? 0) >= size.bits) return `bit: ${fault.field} elements have ${size.bits} bits`;
  return undefined;
}

function describe(action: RigAction): string {
  switch (action.kind) {
    case 'flip-mem': return `flip mem 0x${action.address.toString(16)} bit ${action.bit}`;
    case 'flip-reg': return `flip reg ${action.register} bit ${action.bit}`;
    case 'upset': return action.rateHz === 0 ? 'upsets off' : `upsets ${action.rateHz}/s`;
    case 'clock-drift': return `clock drift ${action.driftPpm} ppm`;
    case 'clock-jump': return `clock jump ${action.jumpMillis} ms`;
    case 'poke': return `poke 0x${action.address.toString(16)} (${action.bytes.length} bytes)`;
    default: return action.kind;
  }
}
