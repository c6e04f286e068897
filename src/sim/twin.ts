/**
 * The golden twin of a flight (docs/FLIGHT.md, "The oracle"): the same seed, rig and
 * configuration flown with no faults at all, so the same gusts, the same sensor noise and the
 * same schedule. What the twin did at each vote — the command that reached its plant, its
 * vehicle's attitude and body rates, and the range of its fault-free channels' commands — is
 * the reference the oracle (./oracle.ts) judges the real flight against.
 *
 * Two sources behind one interface:
 *   LiveTwin      a second flight run beside the judged one, pulled forward vote by vote as the
 *                 judged flight asks (no up-front cost, a bounded ring of votes; for `run`,
 *                 `soak`, `hil` and the console, whatever the flight's length)
 *   RecordedTwin  every vote of a twin flown once and kept (campaigns: one twin serves every row
 *                 that flies its seed, so the twin costs almost nothing per row)
 *
 * A twin is itself a Flight (./flight.ts) with `twin: 'none'`; this module reaches it only
 * through the `TwinFlight` shape below, so there is no import cycle.
 */
import { assert } from '../core/assert.js';

/** Numbers kept per vote: command (4), attitude quaternion (4), body rates (3), channel command low (4) and high (4). */
export const TWIN_VOTE_STRIDE = 19;
const COMMAND = 0;
const ATTITUDE = 4;
const RATES = 8;
const LOW = 11;
const HIGH = 15;
/** Votes a live twin keeps behind the one asked for (the judged flight asks in order, at most a few votes apart). */
const LIVE_RING_VOTES = 64;

/** One vote of the twin, read through `TwinSource.vote` (valid until the next call). */
export interface TwinVote {
  readonly data: Float64Array;
  readonly offset: number;
}

/** Offsets inside a vote's `TWIN_VOTE_STRIDE` numbers. */
export const TWIN_OFFSETS = { command: COMMAND, attitude: ATTITUDE, rates: RATES, low: LOW, high: HIGH } as const;

export interface TwinSource {
  readonly seed: number;
  /** The twin's vote `k` (0-based), or undefined when the twin has no such vote. */
  vote(k: number): TwinVote | undefined;
}

/** What a flight hands its recorder at each vote. */
export interface VoteRecord {
  readonly commandDeg: Float64Array;
  /** The plant state (quaternion at 0..3, body rates at 4..6). */
  readonly plantState: Float64Array;
  /** Per channel, its command this vote (deg), and whether the injector holds it down. */
  readonly channelCommandsDeg: readonly Float64Array[];
}

/** The shape of a flight a twin is: it votes, and reports each vote to `onVote`. */
export interface TwinFlight {
  readonly done: boolean;
  runCycles(cycles: number): void;
}

/** Writes one vote into `data` at `offset`. */
export function writeVote(data: Float64Array, offset: number, v: VoteRecord): void {
  for (let a = 0; a < 4; a++) data[offset + COMMAND + a] = v.commandDeg[a] ?? 0;
  for (let i = 0; i < 4; i++) data[offset + ATTITUDE + i] = v.plantState[i] ?? 0;
  for (let i = 0; i < 3; i++) data[offset + RATES + i] = v.plantState[4 + i] ?? 0;
  for (let a = 0; a < 4; a++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const c of v.channelCommandsDeg) {
      const x = c[a] ?? 0;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (lo > hi) lo = hi = v.commandDeg[a] ?? 0;
    data[offset + LOW + a] = lo;
    data[offset + HIGH + a] = hi;
  }
}

/** Every vote of a twin flight, kept. */
export class RecordedTwin implements TwinSource {
  private data: Float64Array;
  private count = 0;

  constructor(readonly seed: number, expectedVotes: number) {
    this.data = new Float64Array(Math.max(1, expectedVotes + 8) * TWIN_VOTE_STRIDE);
  }

  get votes(): number {
    return this.count;
  }

  /** The recorder a twin flight calls at each of its votes (in order). */
  record(k: number, v: VoteRecord): void {
    assert(k === this.count, 'twin votes are recorded in order');
    if ((k + 1) * TWIN_VOTE_STRIDE > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    writeVote(this.data, k * TWIN_VOTE_STRIDE, v);
    this.count++;
  }

  vote(k: number): TwinVote | undefined {
    return k >= 0 && k < this.count ? { data: this.data, offset: k * TWIN_VOTE_STRIDE } : undefined;
  }
}

/** A twin flown beside the judged flight, a vote or two ahead of it. */
export class LiveTwin implements TwinSource {
  private readonly ring = new Float64Array(LIVE_RING_VOTES * TWIN_VOTE_STRIDE);
  private recorded = 0;
  private flight: TwinFlight | undefined;

  constructor(readonly seed: number) {}

  /** Binds the twin's flight (built with this twin's `record` as its vote recorder). */
  bind(flight: TwinFlight): void {
    this.flight = flight;
  }

  record(k: number, v: VoteRecord): void {
    assert(k === this.recorded, 'twin votes are recorded in order');
    writeVote(this.ring, (k % LIVE_RING_VOTES) * TWIN_VOTE_STRIDE, v);
    this.recorded++;
  }

  vote(k: number): TwinVote | undefined {
    const f = this.flight;
    assert(f !== undefined, 'live twin without a flight');
    while (this.recorded <= k && !f.done) f.runCycles(1);
    if (k < 0 || k >= this.recorded || k < this.recorded - LIVE_RING_VOTES) return undefined;
    return { data: this.ring, offset: (k % LIVE_RING_VOTES) * TWIN_VOTE_STRIDE };
  }
}
