/** Helpers for the bus tests: bounded waiting (no wall-clock deadlines) and a direct-wired FrameBus pair. */
import type { CanFrame } from '../../src/core/frame/can.js';
import { ok, type Result } from '../../src/core/result.js';
import type { BusState, BusStatistics, FrameBus, FrameFilter, FrameHandler, SendError, Subscription } from '../../src/bus/frame-bus.js';
import { SubscriberList } from '../../src/bus/subscribers.js';

const STEP_MILLIS = 5;

const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

/** Polls `predicate` every 5 ms, at most `timeoutMillis / 5` times (Node timers run on the monotonic clock). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMillis = 5_000): Promise<void> {
  for (let step = 0; step < timeoutMillis / STEP_MILLIS; step++) {
    if (predicate()) return;
    await sleep(STEP_MILLIS);
  }
  throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
}

/** Waits until `signature()` stops changing for `quietSteps` polls in a row (I/O in flight has landed). */
export async function waitQuiet(signature: () => string, quietSteps = 6, timeoutMillis = 5_000): Promise<void> {
  let last = signature();
  let quiet = 0;
  for (let step = 0; step < timeoutMillis / STEP_MILLIS && quiet < quietSteps; step++) {
    await sleep(STEP_MILLIS);
    const now = signature();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

/** Two FrameBus ends wired directly: a frame sent on one is delivered, synchronously, to the other. */
export function directPair(): [FrameBus, FrameBus] {
  const a = new DirectEnd('direct:a');
  const b = new DirectEnd('direct:b');
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class DirectEnd implements FrameBus {
  peer: DirectEnd | undefined;
  private readonly subscribers = new SubscriberList();
  private sent = 0;
  private received = 0;
  private closed = false;

  constructor(readonly name: string) {}

  send(frame: CanFrame): Result<void, SendError> {
    if (this.closed) return { ok: false, error: { code: 'closed' } };
    this.sent++;
    this.peer?.deliver(frame);
    return ok(undefined);
  }

  deliver(frame: CanFrame): void {
    this.received++;
    this.subscribers.dispatch(frame, 0);
  }

  subscribe(handler: FrameHandler, filters?: readonly FrameFilter[]): Subscription {
    return this.subscribers.add(handler, filters);
  }

  state(): BusState {
    return this.closed ? 'closed' : 'error-active';
  }

  statistics(): BusStatistics {
    return { framesSent: this.sent, framesReceived: this.received, errorFrames: 0, framesDropped: 0, txErrorCount: 0, rxErrorCount: 0 };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
