/**
 * The emulated link fabric of the agreement layer: either a CAN-like broadcast medium or
 * point-to-point links, one per ordered pair of nodes (channels and the actuator voter).
 * Deterministic: messages are delivered in the order they were sent, one round at a time.
 *
 * What each medium tells the receiver about the sender is the crux (docs/BYZANTINE.md):
 * - 'p2p': each link has one physical source, so a delivery carries `link` = the sender's
 *   node number; a receiver can reject a direct message whose claimed origin is not the link.
 * - 'can': a frame carries only its identifier; the receiver cannot know the physical sender
 *   (`link` = UNKNOWN_LINK), and every receiver gets the same frame — except where an
 *   omission filter drops it at some receivers only (CAN's residual inconsistent omission).
 *
 * Bounds: at most LINK_MESSAGES_MAX messages per link (or per sender on CAN) per round; the
 * excess is dropped and counted (a babbling node cannot grow memory).
 *
 * Transport seam: `deliver()` is the emulated medium. A `LinkTransport` (real links, e.g.
 * src/hil/p2p-serial-links.ts) instead takes the round's queue with `takeRound()`, carries it,
 * and hands what arrived to `arrive()`, which applies the omission filter like `deliver()`.
 */
import { assert } from '../assert.js';
import { FABRIC_NODES_MAX } from './message.js';

export type Medium = 'can' | 'p2p';
export const BROADCAST = -1;
export const UNKNOWN_LINK = -1;
export const LINK_MESSAGES_MAX = 16;

export interface Delivery {
  /** Physical source on p2p; UNKNOWN_LINK on CAN. */
  readonly link: number;
  readonly to: number;
  readonly bytes: Uint8Array;
}

/** Decides whether a transmission from `from` is lost at receiver `to` (link or bus fault). */
export type OmissionFilter = (from: number, to: number, bytes: Uint8Array) => boolean;

/** A message queued in a round: `to` is a node (p2p) or BROADCAST (CAN). */
export interface Queued {
  readonly from: number;
  readonly to: number;
  readonly bytes: Uint8Array;
}

/** A message a real link delivered: `link` is the node at the far end of the port it came in on. */
export interface Arrival {
  readonly from: number;
  readonly link: number;
  readonly to: number;
  readonly bytes: Uint8Array;
}

/**
 * Carries one round's queued messages over real links; resolves with what arrived, in the
 * round's send order (per link: first in, first out). Must never reject: a lost message is
 * simply absent.
 */
export interface LinkTransport {
  carry(round: readonly Queued[]): Promise<readonly Arrival[]>;
}

export class LinkFabric {
  /** Messages dropped because a link exceeded LINK_MESSAGES_MAX in a round. */
  overflowDrops = 0;
  /** Messages lost by the omission filter. */
  omissions = 0;
  private pending: Queued[] = [];
  private readonly sentThisRound: Int32Array;
  private omission: OmissionFilter | undefined;

  constructor(readonly medium: Medium, readonly nodeCount: number) {
    assert(Number.isInteger(nodeCount) && nodeCount >= 2 && nodeCount <= FABRIC_NODES_MAX, `LinkFabric: bad nodeCount ${nodeCount}`);
    this.sentThisRound = new Int32Array(nodeCount * nodeCount);
  }

  setOmission(filter: OmissionFilter | undefined): void {
    this.omission = filter;
  }

  /**
   * Queues `bytes` from `from` to `to` for this round. On CAN `to` must be BROADCAST (the bus
   * has no addressing); on p2p BROADCAST sends one copy on each outgoing link.
   */
  send(from: number, to: number, bytes: Uint8Array): void {
    assert(from >= 0 && from < this.nodeCount, `LinkFabric.send: bad sender ${from}`);
    if (this.medium === 'can') {
      assert(to === BROADCAST, 'LinkFabric.send: CAN frames are broadcast');
      this.queue(from, BROADCAST, bytes);
      return;
    }
    if (to !== BROADCAST) {
      assert(to >= 0 && to < this.nodeCount && to !== from, `LinkFabric.send: bad receiver ${to}`);
      this.queue(from, to, bytes);
      return;
    }
    for (let r = 0; r < this.nodeCount; r++) if (r !== from) this.queue(from, r, bytes);
  }

  /** Ends the round: returns every delivery in send order and clears the queues. */
  deliver(): readonly Delivery[] {
    const out: Delivery[] = [];
    for (const p of this.takeRound()) {
      if (p.to !== BROADCAST) {
        this.deliverOne(out, p.from, p.from, p.to, p.bytes);
        continue;
      }
      for (let r = 0; r < this.nodeCount; r++) if (r !== p.from) this.deliverOne(out, p.from, UNKNOWN_LINK, r, p.bytes);
    }
    return out;
  }

  /** Ends the round without delivering: returns the queued messages in send order and clears the queues. */
  takeRound(): readonly Queued[] {
    const round = this.pending;
    this.pending = [];
    this.sentThisRound.fill(0);
    return round;
  }

  /** Deliveries of what a transport carried (the omission filter applies as in `deliver()`). */
  arrive(arrivals: readonly Arrival[]): readonly Delivery[] {
    const n = this.nodeCount;
    assert(arrivals.length <= n * n * LINK_MESSAGES_MAX, `LinkFabric.arrive: ${arrivals.length} arrivals exceed the round bound`);
    const out: Delivery[] = [];
    for (const a of arrivals) {
      assert(a.to >= 0 && a.to < n && a.from >= 0 && a.from < n && a.from !== a.to, `LinkFabric.arrive: bad link ${a.from}->${a.to}`);
      this.deliverOne(out, a.from, a.link, a.to, a.bytes);
    }
    return out;
  }

  private deliverOne(out: Delivery[], from: number, link: number, to: number, bytes: Uint8Array): void {
    if (this.omission?.(from, to, bytes) === true) {
      this.omissions++;
      return;
    }
    out.push({ link, to, bytes });
  }

  private queue(from: number, to: number, bytes: Uint8Array): void {
    const slot = from * this.nodeCount + (to === BROADCAST ? from : to);
    const sent = this.sentThisRound[slot] ?? 0;
    if (sent >= LINK_MESSAGES_MAX) {
      this.overflowDrops++;
      return;
    }
    this.sentThisRound[slot] = sent + 1;
    this.pending.push({ from, to, bytes });
  }
}
