/**
 * Runs a rig's cycles: stepped on demand (`step`, scripts and `triplex hil --lockstep`) or
 * paced in real time on the monotonic clock (`resumePacing`: cycle k is due at start + k·P;
 * an overdue backlog beyond CATCH_UP_CYCLES_MAX is dropped and counted as overruns). One cycle
 * at a time, never two at once; hooks registered with `onCycle` run after every cycle (the
 * console's SEU process, live status).
 */
import type { CycleRunner } from './board-port.js';
import { assert } from '../core/assert.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';

/** Cycles run between two yields to the event loop (consoles and boards stay responsive). */
export const CYCLES_PER_YIELD = 250;
/** Real-time pacing never runs more than this many overdue cycles at once (then it drops the backlog). */
export const CATCH_UP_CYCLES_MAX = 25;
/** At most this many per-cycle hooks. */
const CYCLE_HOOKS_MAX = 8;

/** What the runner drives: a flight's cycle counter and period. */
export interface RunnableFlight {
  readonly cyclesRun: number;
  readonly periodMicros: number;
  readonly done: boolean;
}

export class RigRunner {
  private paused = true;
  private pacing: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private pacedFromMicros = 0;
  private pacedCycles = 0;
  private readonly hooks: (() => void)[] = [];
  /** Cycles the pacer dropped because the host could not keep up. */
  overruns = 0;

  constructor(private readonly flight: RunnableFlight, private readonly runCycle: CycleRunner, private readonly clock: MonotonicClock) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** Calls `hook` after every cycle from now on. */
  onCycle(hook: () => void): void {
    assert(this.hooks.length < CYCLE_HOOKS_MAX, 'too many cycle hooks');
    this.hooks.push(hook);
  }

  /** Starts real-time pacing (the interactive console and `triplex hil`); scripts never call it. */
  resumePacing(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pacedFromMicros = this.clock.nowMicros();
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

  /** Runs `cycles` cycles now (only while paused); the error says how many ran when the flight ended first. */
  async step(cycles: number): Promise<Result<string, string>> {
    if (!this.paused) return err('step: the rig is running (pause first)');
    await this.busy;
    const from = this.flight.cyclesRun;
    for (let k = 0; k < cycles && !this.flight.done; k++) {
      await this.oneCycle();
      if (k % CYCLES_PER_YIELD === CYCLES_PER_YIELD - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    const ran = this.flight.cyclesRun - from;
    return ran === cycles ? ok(`cycle ${this.flight.cyclesRun}`) : err(`the flight ended at cycle ${this.flight.cyclesRun} after ${ran} of ${cycles} cycles`);
  }

  private async oneCycle(): Promise<void> {
    await this.runCycle();
    for (const hook of this.hooks) hook();
  }

  /** Real-time pacing: cycle k is due at start + k·P on the monotonic clock. */
  private tick(): void {
    if (this.paused || this.flight.done) return;
    const period = this.flight.periodMicros;
    const elapsedCycles = Math.floor((this.clock.nowMicros() - this.pacedFromMicros) / period);
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
      const waitMillis = Math.max(0, Math.floor((nextDue - this.clock.nowMicros()) / 1000));
      this.pacing = setTimeout(() => { this.tick(); }, waitMillis);
    });
  }
}
