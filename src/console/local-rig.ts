/**
 * The console's hold on a flight (RigControl over src/hil/flight.ts): status per channel,
 * faults injected between cycles through the flight's own injection path (so the fault ledger
 * sees them), pause / resume / step, real-time pacing on the monotonic clock, and a seeded
 * SEU process per channel. Channels that are real boards are handed to their BoardPort
 * (src/hil/board-session.ts): a flip on a board travels over the wire protocol.
 */
import type { ChannelState } from './parse.js';
import { formatHexDump, type ChannelStatus, type RigAction, type RigControl, type RigStatus } from './rig-control.js';
import { assert } from '../core/assert.js';
import type { ChannelRuntime } from '../core/channel/channel.js';
import type { ChannelName } from '../core/fault/profile.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';
import { Prng } from '../core/sim/prng.js';
import type { ChannelHealth } from '../core/vote/voter.js';
import type { Flight } from '../sim/flight.js';

/** Cycles run between two yields to the event loop (consoles and boards stay responsive). */
export const CYCLES_PER_YIELD = 250;
/** Real-time pacing never runs more than this many overdue cycles at once (then it drops the backlog). */
export const CATCH_UP_CYCLES_MAX = 25;
const UPSETS_PER_CYCLE_MAX = 64;

/** What the console needs from a channel that is a real board (implemented by BoardSession). */
export interface BoardPort {
  readonly link: string;
  flipMemory(address: number, bit: number): Promise<Result<string, string>>;
  flipRegister(register: string, bit: number): Promise<Result<string, string>>;
  peek(address: number, lengthBytes: number): Promise<Result<Uint8Array, string>>;
  poke(address: number, bytes: Uint8Array): Promise<Result<string, string>>;
  scrub(): Promise<Result<string, string>>;
  kill(): Promise<Result<string, string>>;
  hang(): Promise<Result<string, string>>;
  revive(): Promise<Result<string, string>>;
  counters(): { readonly corrected: number; readonly uncorrectable: number };
  /** Re-reads the counters from the board (after `step` and after every board action). */
  refresh?(): Promise<void>;
}

/** A step hook: runs one cycle of the flight (a board bridge replaces it with a lockstep exchange). */
export type CycleRunner = () => Promise<void>;

export interface FlightControlOptions {
  readonly flight: Flight;
  readonly rigName: string;
  readonly seed: number;
  readonly clock: MonotonicClock;
  /** Boards by channel index; absent channels are emulated. */
  readonly boards?: ReadonlyMap<number, BoardPort>;
  /** Runs one cycle; default `flight.runCycles(1)`. */
  readonly runCycle?: CycleRunner;
  /** Called after every cycle (live status, statistics). */
  readonly afterCycle?: () => void;
}

const NAMES = ['A', 'B', 'C'] as const;
type ChannelAction = Extract<RigAction, { readonly channel: unknown }>;

function stateOf(health: ChannelHealth): ChannelState {
  switch (health) {
    case 'active': case 'suspect': return 'active';
    case 'isolated': case 'reintegrating': return 'isolated';
    case 'failed': return 'failed';
  }
}

export class FlightControl implements RigControl {
  private readonly flight: Flight;
  private readonly prng: Prng;
  private readonly upsetRateHz: Float64Array;
  private readonly lastFault: (string | undefined)[];
  /** Channels stopped by `kill` (a revive cold-restarts them); `hang` keeps the state. */
  private readonly killed: boolean[];
  private readonly runCycle: CycleRunner;
  private paused = true;
  private pacing: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private pacedFromMicros = 0;
  private pacedCycles = 0;
  /** Cycles the pacer dropped because the host could not keep up. */
  overruns = 0;

  constructor(private readonly options: FlightControlOptions) {
    this.flight = options.flight;
    this.prng = new Prng(options.seed ^ 0x5eed);
    this.upsetRateHz = new Float64Array(this.flight.channels.length);
    this.lastFault = this.flight.channels.map(() => undefined);
    this.killed = this.flight.channels.map(() => false);
    this.runCycle = options.runCycle ?? (() => { this.flight.runCycles(1); return Promise.resolve(); });
  }

  status(): RigStatus {
    const f = this.flight;
    return {
      rig: this.options.rigName,
      cycle: f.cyclesRun,
      timeMicros: f.cyclesRun * f.periodMicros,
      paused: this.paused,
      channels: f.channels.map((c, i) => this.channelStatus(c, i)),
    };
  }

  /** Starts real-time pacing (the interactive console and `triplex hil`); scripts never call it. */
  resumePacing(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pacedFromMicros = this.options.clock.nowMicros();
    this.pacedCycles = 0;
    this.tick();
  }

  pausePacing(): void {
    this.paused = true;
    clearTimeout(this.pacing);
    this.pacing = undefined;
  }

  /** Resolves when the cycle in progress (if any) has finished. */
  idle(): Promise<void> {
    return this.busy;
  }

  async apply(action: RigAction): Promise<Result<string, string>> {
    switch (action.kind) {
      case 'pause': this.pausePacing(); await this.busy; return ok(`paused at cycle ${this.flight.cyclesRun}`);
      case 'resume': this.resumePacing(); return ok(`running from cycle ${this.flight.cyclesRun}`);
      case 'step': return this.step(action.cycles);
      case 'flip-bus': {
        this.flight.injectNow({ kind: 'bus-corrupt', ...(action.id === undefined ? {} : { id: action.id }) }, 1 + this.prng.nextInt(100));
        return ok(action.id === undefined ? 'the next frame on the bus will be corrupted' : `the next frame with ID 0x${action.id.toString(16)} will be corrupted`);
      }
      case 'sensor': {
        if (action.sensor > this.flight.imus.length) return err(`sensor ${action.sensor} is not on this rig (${this.flight.imus.length} sensors)`);
        const mode = action.fault.kind;
        this.flight.injectNow({ kind: 'sensor', sensor: action.sensor, mode, ...(action.fault.kind === 'bias' ? { value: action.fault.value } : {}) });
        return ok(`sensor ${action.sensor} ${action.fault.kind === 'bias' ? `biased by ${action.fault.value}` : mode}`);
      }
      default: return this.channelAction(action);
    }
  }

  private async channelAction(action: ChannelAction): Promise<Result<string, string>> {
    const index = NAMES.indexOf(action.channel);
    const c = this.flight.channels[index];
    if (c === undefined) return err(`channel ${action.channel} is not on this rig`);
    const board = this.options.boards?.get(index);
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
        this.flight.injectNow({ kind: 'memory-flip', channel, word, bit });
        return ok(`flipped ${action.channel} memory 0x${action.address.toString(16)} bit ${action.bit} (word ${word}, code bit ${bit})`);
      }
      case 'flip-reg':
        this.flight.injectNow({ kind: 'register-flip', channel, register: action.register, copy: 0, bit: action.bit });
        return ok(`armed a flip of ${action.channel} ${action.register} bit ${action.bit} (copy 0) for the next cycle`);
      case 'upset':
        this.upsetRateHz[index] = action.rateHz;
        return ok(action.rateHz === 0 ? `upsets on ${action.channel} stopped` : `upsets on ${action.channel} at ${action.rateHz}/s`);
      case 'kill':
        if (this.flight.isDown(index)) return err(`channel ${action.channel} is already down (revive it first)`);
        this.flight.injectNow({ kind: 'channel-crash', channel });
        this.killed[index] = true;
        return ok(`killed ${action.channel}`);
      case 'hang':
        if (this.flight.isDown(index)) return err(`channel ${action.channel} is already down (revive it first)`);
        this.flight.injectNow({ kind: 'channel-hang', channel, durationMicros: Number.MAX_SAFE_INTEGER / 4 });
        this.killed[index] = false;
        return ok(`hung ${action.channel}`);
      case 'revive': {
        if (!this.flight.isDown(index)) return err(`channel ${action.channel} is running (nothing to revive)`);
        const cold = this.killed[index] === true;
        this.flight.revive(index, cold);
        this.killed[index] = false;
        return ok(`revived ${action.channel} (${cold ? 'cold restart' : 'resumes with its state'}; it reintegrates when it agrees again)`);
      }
      case 'clock-drift':
        this.flight.injectNow({ kind: 'clock-drift', channel, ppm: action.driftPpm });
        return ok(`${action.channel} clock drifts ${action.driftPpm} ppm`);
      case 'clock-jump':
        this.flight.injectNow({ kind: 'clock-jump', channel, jumpMicros: Math.round(action.jumpMillis * 1000) });
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
    const health = this.flight.voterNode.voter.channelHealth(i);
    const board = this.options.boards?.get(i);
    const counts = board?.counters() ?? {
      corrected: c.scrubber.statistics().corrected + c.memory.statistics().readCorrected + c.registerRepairs,
      uncorrectable: c.scrubber.statistics().uncorrectableEvents + c.memory.statistics().readUncorrectable,
    };
    return { channel: NAMES[i] ?? 'A', link: board?.link ?? 'emulated', state: stateOf(health), ...counts, lastFault: this.lastFault[i] };
  }

  private async step(cycles: number): Promise<Result<string, string>> {
    if (!this.paused) return err('step: the rig is running (pause first)');
    await this.busy;
    const from = this.flight.cyclesRun;
    for (let k = 0; k < cycles && !this.flight.done; k++) {
      await this.oneCycle();
      if (k % CYCLES_PER_YIELD === CYCLES_PER_YIELD - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    for (const board of this.options.boards?.values() ?? []) await board.refresh?.();
    const ran = this.flight.cyclesRun - from;
    return ran === cycles ? ok(`cycle ${this.flight.cyclesRun}`) : err(`the flight ended at cycle ${this.flight.cyclesRun} after ${ran} of ${cycles} cycles`);
  }

  private async oneCycle(): Promise<void> {
    await this.runCycle();
    this.upsets();
    this.options.afterCycle?.();
  }

  /** The SEU process: Poisson arrivals per channel, each flipping a uniformly drawn physical bit. */
  private upsets(): void {
    const periodS = this.flight.periodMicros * 1e-6;
    for (let i = 0; i < this.upsetRateHz.length; i++) {
      const rate = this.upsetRateHz[i] ?? 0;
      const c = this.flight.channels[i];
      if (rate === 0 || c === undefined) continue;
      const mean = rate * periodS;
      // Knuth's Poisson sampler, bounded: mean per cycle is small (rate ≤ 1e5/s, period ≥ 100 µs).
      let n = 0;
      for (let p = this.prng.nextFloat(), limit = Math.exp(-mean); p > limit && n < UPSETS_PER_CYCLE_MAX; p *= this.prng.nextFloat()) n++;
      for (let k = 0; k < n; k++) {
        const physical = this.prng.nextInt(c.memory.physicalBitCount);
        this.flight.injectNow({ kind: 'memory-flip', channel: NAMES[i] ?? 'A', word: c.memory.interleaver.wordOf(physical), bit: c.memory.interleaver.bitOf(physical) });
        this.lastFault[i] = `SEU word ${c.memory.interleaver.wordOf(physical)} @${this.flight.cyclesRun}`;
      }
    }
  }

  /** Real-time pacing: cycle k is due at start + k·P on the monotonic clock. */
  private tick(): void {
    if (this.paused || this.flight.done) return;
    const period = this.flight.periodMicros;
    const elapsedCycles = Math.floor((this.options.clock.nowMicros() - this.pacedFromMicros) / period);
    let due = elapsedCycles - this.pacedCycles;
    if (due > CATCH_UP_CYCLES_MAX) {
      this.overruns += due - CATCH_UP_CYCLES_MAX;
      this.pacedCycles += due - CATCH_UP_CYCLES_MAX;
      due = CATCH_UP_CYCLES_MAX;
    }
    assert(due <= CATCH_UP_CYCLES_MAX, 'bounded catch-up');
    this.busy = this.busy.then(async () => {
      for (let k = 0; k < due && !this.paused && !this.flight.done; k++) {
        await this.oneCycle();
        this.pacedCycles++;
      }
    });
    void this.busy.then(() => {
      if (this.paused) return;
      const nextDue = this.pacedFromMicros + (this.pacedCycles + 1) * period;
      const waitMillis = Math.max(0, Math.floor((nextDue - this.options.clock.nowMicros()) / 1000));
      this.pacing = setTimeout(() => { this.tick(); }, waitMillis);
    });
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
