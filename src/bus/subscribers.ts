/**
 * The bounded subscriber list behind the I/O FrameBus adapters (serial line, SLCAN,
 * SocketCAN): subscribe with optional id/mask filters, unsubscribe at most once, and hand a
 * received frame to every matching handler. The emulated bus keeps its own preallocated table.
 */
import { assert } from '../core/assert.js';
import type { CanFrame } from '../core/frame/can.js';
import { matchesFilters, type FrameFilter, type FrameHandler, type Subscription } from './frame-bus.js';

/** Default bound on live subscriptions per bus: more is a leak (subscribe without unsubscribe). */
export const SUBSCRIBERS_MAX = 1024;

interface Subscriber { readonly handler: FrameHandler; readonly filters: readonly FrameFilter[] | undefined }

export class SubscriberList {
  private readonly subscribers: Subscriber[] = [];

  constructor(private readonly subscribersMax: number = SUBSCRIBERS_MAX) {
    assert(Number.isInteger(subscribersMax) && subscribersMax > 0, 'subscribersMax must be a positive integer');
  }

  /** Live subscriptions. */
  get size(): number {
    return this.subscribers.length;
  }

  /** Adds a subscription; asserts (programmer error) beyond `subscribersMax` live ones. */
  add(handler: FrameHandler, filters: readonly FrameFilter[] | undefined): Subscription {
    assert(this.subscribers.length < this.subscribersMax, `more than ${this.subscribersMax} subscribers`);
    const subscriber: Subscriber = { handler, filters };
    this.subscribers.push(subscriber);
    return {
      unsubscribe: () => {
        const at = this.subscribers.indexOf(subscriber);
        if (at >= 0) this.subscribers.splice(at, 1);
      },
    };
  }

  /**
   * Calls every subscriber whose filters match. The list is copied first, so a handler that
   * subscribes or unsubscribes changes the next dispatch, not this one.
   */
  dispatch(frame: CanFrame, timestampMicros: number): void {
    for (const subscriber of [...this.subscribers]) {
      if (matchesFilters(frame, subscriber.filters)) subscriber.handler(frame, timestampMicros);
    }
  }
}
