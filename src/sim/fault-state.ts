/**
 * Which channels a fault currently holds down (crashed or hung, or replaced by a real board)
 * and which are known to be faulty (a wrong command, a runaway clock, a Byzantine lie). The
 * fault injector writes it; the flight loop, the p2p wiring, the observer and the oracle read
 * it. It is the simulator's ground truth about faults, never a mechanism's verdict.
 */
export class ChannelFaultState {
  /** Channel c does not run (crash, hang, or a board drives it instead). */
  readonly down: boolean[];
  /** Channel c is faulty by injection (its outputs may be wrong on purpose). */
  readonly faulted: boolean[];

  constructor(channelCount: number) {
    this.down = Array.from({ length: channelCount }, () => false);
    this.faulted = Array.from({ length: channelCount }, () => false);
  }

  isDown(c: number): boolean {
    return this.down[c] ?? false;
  }

  isFaulted(c: number): boolean {
    return this.faulted[c] ?? false;
  }
}
