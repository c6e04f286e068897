/**
 * Point-to-point serial links for the agreement layer (docs/BYZANTINE.md, "Over real serial
 * links"): one full-duplex serial link per pair of fabric nodes — each channel pair and each
 * channel and the actuator voter (3 channels + voter: 6 links; 4 + voter: 10) — each a socat
 * pty pair (src/bus/pty.ts) with a SerialLineBus (src/bus/serial-line-bus.ts) at either end.
 *
 * A `LinkTransport` for AgreementExchange (`exchangeInputsOver`, `sendCommandsOver`): every
 * queued exchange message (src/core/byzantine/message.ts bytes, 189 at most for a signed 6-axis
 * relay) travels as one 'E' record of the serial line format — E2E-protected (CRC-32, 16-bit
 * counter, data ID) — on the link from its sender to its receiver, and is delivered with
 * `link` = the node at the far end of the port it came in on: the physical source, whatever
 * the message claims. Each link has its own 24-bit link ID (`p2pLinkId`), so a cable plugged
 * into the wrong pair of ports fails every record (`data_id_mismatch`) instead of passing as
 * the other link.
 *
 * A round ends when every record sent in it has arrived, or at the round deadline
 * (`roundTimeoutMillis`, on Node's timers, i.e. the monotonic clock); what has not arrived by
 * then is lost (counted). Ending early once all arrived is the emulation's shortcut; on
 * hardware a round ends at its slot deadline. Deliveries are returned in the round's send order
 * (per link first in, first out), the order of the emulated fabric, so a run over the links and
 * one on the emulated fabric with the same seed give identical results when nothing is lost.
 *
 * Bounds: at most LINK_MESSAGES_MAX records per directed link per round are kept (the excess is
 * dropped and counted); records arriving outside a round are dropped and counted as late.
 */
import { assert } from '../core/assert.js';
import { BROADCAST, LINK_MESSAGES_MAX, type Arrival, type LinkTransport, type Queued } from '../core/byzantine/fabric.js';
import { FABRIC_NODES_MAX } from '../core/byzantine/message.js';
import { SerialType } from '../core/frame/serial-line.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';
import { openPtyPair, type PtyPair } from '../bus/pty.js';
import { openSerialLineBus, type SerialLineBus } from '../bus/serial-line-bus.js';
import { RealClock } from '../io/real-clock.js';

/** Link IDs of the p2p links: 'P2' then the two node numbers (lower first), one nibble each. */
export const P2P_LINK_ID_BASE = 0x503200;
export const ROUND_TIMEOUT_MILLIS_DEFAULT = 2_000;

/** The 24-bit serial link ID of the link between nodes `a` and `b` (either order). */
export function p2pLinkId(a: number, b: number): number {
  assert(a !== b && Math.min(a, b) >= 0 && Math.max(a, b) < FABRIC_NODES_MAX, `p2pLinkId: bad pair ${a}-${b}`);
  return P2P_LINK_ID_BASE | (Math.min(a, b) << 4) | Math.max(a, b);
}

export interface P2pSerialLinksOptions {
  /** Fabric nodes: the channels plus the voter (AgreementExchange: channelCount + 1). */
  readonly nodeCount: number;
  /** Timestamps of the serial buses; default the real monotonic clock. */
  readonly clock?: MonotonicClock;
  readonly roundTimeoutMillis?: number;
  /** How long to wait for each socat to report its ptys; default 5 s. */
  readonly openTimeoutMillis?: number;
  /** Sees every record kept, as it arrives (tests: what each link really carried). */
  readonly observe?: (arrival: Arrival) => void;
}

export type P2pLinksError = { readonly code: 'pty_failed' | 'io_error'; readonly message: string };

/** What one direction of one link carried, since open. */
export interface DirectedLinkStatistics {
  readonly from: number;
  readonly to: number;
  readonly recordsSent: number;
  readonly recordsReceived: number;
  /** Records the serial bus refused to send (closed, queue full, body over SERIAL_BODY_BYTES_MAX). */
  readonly sendFailures: number;
  /** Records sent but not arrived by the round's deadline. */
  readonly lost: number;
  /** Records arrived outside a round (after their round's deadline), dropped. */
  readonly late: number;
  /** Records over LINK_MESSAGES_MAX in one round, dropped. */
  readonly overflowDrops: number;
}

/** Both ends of one link: node `a` < node `b`; the pty pair and a bus at each end. */
interface Link {
  readonly a: number;
  readonly b: number;
  readonly pty: PtyPair;
  readonly busA: SerialLineBus;
  readonly busB: SerialLineBus;
}

interface Waiter {
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

type Counter = 'sent' | 'received' | 'sendFailures' | 'lost' | 'late' | 'overflowDrops';
const COUNTERS: readonly Counter[] = ['sent', 'received', 'sendFailures', 'lost', 'late', 'overflowDrops'];

export class P2pSerialLinks implements LinkTransport {
  private readonly n: number;
  /** Per directed link (from * n + to): records kept in the current round. */
  private readonly inboxes: Uint8Array[][];
  private readonly expected: Int32Array;
  private readonly counters: Record<Counter, Int32Array>;
  private waiter: Waiter | undefined;
  private inRound = false;
  private closing: Promise<void> | undefined;

  private constructor(private readonly links: readonly Link[], private readonly options: P2pSerialLinksOptions) {
    this.n = options.nodeCount;
    this.inboxes = Array.from({ length: this.n * this.n }, () => []);
    this.expected = new Int32Array(this.n * this.n);
    this.counters = Object.fromEntries(COUNTERS.map((c) => [c, new Int32Array(this.n * this.n)])) as Record<Counter, Int32Array>;
    for (const link of links) {
      link.busA.onMessage((m) => { this.onRecord(link.b, link.a, m.kind === 'event' ? m.payload : undefined); });
      link.busB.onMessage((m) => { this.onRecord(link.a, link.b, m.kind === 'event' ? m.payload : undefined); });
    }
  }

  /** Opens one pty pair and two serial buses per pair of nodes; on failure closes what it opened. */
  static async open(options: P2pSerialLinksOptions): Promise<Result<P2pSerialLinks, P2pLinksError>> {
    const n = options.nodeCount;
    assert(Number.isInteger(n) && n >= 2 && n <= FABRIC_NODES_MAX, `P2pSerialLinks: bad nodeCount ${n}`);
    const timeout = options.roundTimeoutMillis ?? ROUND_TIMEOUT_MILLIS_DEFAULT;
    assert(Number.isInteger(timeout) && timeout > 0, `P2pSerialLinks: bad roundTimeoutMillis ${timeout}`);
    const clock = options.clock ?? new RealClock();
    const links: Link[] = [];
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const link = await openLink(a, b, clock, options.openTimeoutMillis);
        if (!link.ok) {
          await closeLinks(links);
          return link;
        }
        links.push(link.value);
      }
    }
    return ok(new P2pSerialLinks(links, options));
  }

  /** The pty paths of each link (node a's end, node b's end), for diagnostics. */
  paths(): readonly { readonly a: number; readonly b: number; readonly pathA: string; readonly pathB: string }[] {
    return this.links.map((l) => ({ a: l.a, b: l.b, pathA: l.pty.pathA, pathB: l.pty.pathB }));
  }

  async carry(round: readonly Queued[]): Promise<readonly Arrival[]> {
    assert(!this.inRound, 'P2pSerialLinks.carry: one round at a time');
    assert(round.length <= this.n * this.n * LINK_MESSAGES_MAX, 'P2pSerialLinks.carry: round exceeds the fabric bound');
    this.inRound = true;
    try {
      for (const inbox of this.inboxes) inbox.length = 0;
      this.expected.fill(0);
      for (const q of round) this.transmit(q);
      await this.roundEnd();
      return this.collect(round);
    } finally {
      this.inRound = false;
    }
  }

  statistics(): readonly DirectedLinkStatistics[] {
    const out: DirectedLinkStatistics[] = [];
    for (const link of this.links) {
      for (const [from, to] of [[link.a, link.b], [link.b, link.a]] as const) {
        const d = from * this.n + to;
        const c = (name: Counter): number => this.counters[name][d] ?? 0;
        out.push({ from, to, recordsSent: c('sent'), recordsReceived: c('received'), sendFailures: c('sendFailures'), lost: c('lost'), late: c('late'), overflowDrops: c('overflowDrops') });
      }
    }
    return out;
  }

  /** Bad lines and counter faults seen by every bus (E2E check failures), summed. */
  lineFaults(): number {
    let faults = 0;
    for (const link of this.links) {
      for (const bus of [link.busA, link.busB]) {
        const s = bus.statistics();
        faults += Object.values(s.badLines).reduce((sum, v) => sum + v, 0) + s.countersLost + s.countersRepeated + s.wrongSequences;
      }
    }
    return faults;
  }

  /** Ends a pending round, closes every port and ends every socat. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.finishRound();
      await closeLinks(this.links);
    })();
    return this.closing;
  }

  private transmit(q: Queued): void {
    assert(q.to !== BROADCAST && q.to >= 0 && q.to < this.n && q.from >= 0 && q.from < this.n && q.from !== q.to, `P2pSerialLinks: bad link ${q.from}->${q.to}`);
    const link = this.linkOf(q.from, q.to);
    const d = q.from * this.n + q.to;
    const bus = q.from === link.a ? link.busA : link.busB;
    const sent = bus.sendMessage(SerialType.event, q.bytes); // refuses a body over SERIAL_BODY_BYTES_MAX
    if (!sent.ok) {
      this.bump('sendFailures', d);
      return;
    }
    this.bump('sent', d);
    this.expected[d] = (this.expected[d] ?? 0) + 1;
  }

  /** A record from `from` arrived at `to` (undefined: a record that is not an exchange message). */
  private onRecord(from: number, to: number, payload: Uint8Array | undefined): void {
    if (payload === undefined) return;
    const d = from * this.n + to;
    const inbox = this.inboxes[d];
    assert(inbox !== undefined, 'one inbox per directed link');
    if (!this.inRound || this.waiter === undefined) {
      this.bump('late', d);
      return;
    }
    if (inbox.length >= LINK_MESSAGES_MAX) {
      this.bump('overflowDrops', d);
      return;
    }
    const bytes = Uint8Array.from(payload);
    inbox.push(bytes);
    this.bump('received', d);
    this.options.observe?.({ from, link: from, to, bytes });
    if (this.roundComplete()) this.finishRound();
  }

  /** Resolves when every record sent in the round has arrived, or at the deadline. */
  private roundEnd(): Promise<void> {
    if (this.roundComplete()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.finishRound(); }, this.options.roundTimeoutMillis ?? ROUND_TIMEOUT_MILLIS_DEFAULT);
      this.waiter = { resolve, timer };
    });
  }

  private finishRound(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.resolve();
  }

  private roundComplete(): boolean {
    for (let d = 0; d < this.expected.length; d++) if ((this.inboxes[d]?.length ?? 0) < (this.expected[d] ?? 0)) return false;
    return true;
  }

  /** The round's arrivals in send order (per link FIFO), then any records beyond what was sent. */
  private collect(round: readonly Queued[]): Arrival[] {
    const cursor = new Int32Array(this.n * this.n);
    const out: Arrival[] = [];
    for (const q of round) {
      const d = q.from * this.n + q.to;
      const at = cursor[d] ?? 0;
      const bytes = this.inboxes[d]?.[at];
      if (bytes === undefined) continue;
      cursor[d] = at + 1;
      out.push({ from: q.from, link: q.from, to: q.to, bytes });
    }
    for (let d = 0; d < cursor.length; d++) {
      const inbox = this.inboxes[d] ?? [];
      const from = Math.floor(d / this.n);
      for (let i = cursor[d] ?? 0; i < inbox.length; i++) out.push({ from, link: from, to: d % this.n, bytes: inbox[i] ?? new Uint8Array(0) });
      const missing = (this.expected[d] ?? 0) - inbox.length;
      if (missing > 0) this.counters.lost[d] = (this.counters.lost[d] ?? 0) + missing;
    }
    return out;
  }

  private linkOf(x: number, y: number): Link {
    const a = Math.min(x, y);
    const b = Math.max(x, y);
    const link = this.links.find((l) => l.a === a && l.b === b);
    assert(link !== undefined, `P2pSerialLinks: no link ${a}-${b}`);
    return link;
  }

  private bump(name: Counter, d: number): void {
    const c = this.counters[name];
    c[d] = (c[d] ?? 0) + 1;
  }
}

async function openLink(a: number, b: number, clock: MonotonicClock, openTimeoutMillis: number | undefined): Promise<Result<Link, P2pLinksError>> {
  const pty = await openPtyPair(openTimeoutMillis === undefined ? {} : { timeoutMillis: openTimeoutMillis });
  if (!pty.ok) return err({ code: 'pty_failed', message: `link ${a}-${b}: ${pty.error.message}` });
  const linkId = p2pLinkId(a, b);
  const busA = await openSerialLineBus({ path: pty.value.pathA, clock, linkId });
  const busB = busA.ok ? await openSerialLineBus({ path: pty.value.pathB, clock, linkId }) : busA;
  if (busA.ok && busB.ok) return ok({ a, b, pty: pty.value, busA: busA.value, busB: busB.value });
  if (busA.ok) await busA.value.close();
  await pty.value.close();
  return err({ code: 'io_error', message: `link ${a}-${b}: ${busB.ok ? 'unreachable' : busB.error.message}` });
}

async function closeLinks(links: readonly Link[]): Promise<void> {
  await Promise.all(links.map(async (link) => {
    await Promise.all([link.busA.close(), link.busB.close()]);
    await link.pty.close();
  }));
}
