/**
 * Discrete-event scheduler on simulated time. The whole control cycle of a simulated run
 * (sensor sampling, frames on the bus, channel steps, voting, scrubbing) is a set of events on
 * one SimClock; `runUntil` jumps the clock from event to event, so a simulated hour costs only
 * the CPU its events need.
 *
 * Ordering is total and deterministic: by time, then priority (lower runs first), then
 * insertion sequence (earlier `schedule` runs first). Storage is allocated once at start-up:
 * `capacity` event slots in typed arrays, a binary min-heap of slot indices with each slot's
 * heap position (so `cancel` is O(log n)), and a free-slot stack. Scheduling, running and
 * re-arming periodic events allocate nothing.
 */
import { assert } from '../assert.js';
import type { SimClock } from './clock.js';

/** Called when the event fires, with the clock already at the event's time. */
export type EventHandler = (nowMicros: number) => void;

/** One pending event as `pendingEvents` lists it. */
export interface PendingEvent {
  readonly atMicros: number;
  readonly periodMicros: number;
  readonly priority: number;
  readonly sequence: number;
  readonly handler: EventHandler;
}

/** Opaque, never reused while the event is pending: slot + capacity × generation. */
export type EventHandle = number;

export interface SchedulerOptions {
  /** Most events pending at once (one-shot plus periodic). Exceeding it is a programmer error. */
  readonly capacity: number;
  /** Most events one `runUntil` call may run; guards against an event re-scheduling itself at the same instant forever. */
  readonly eventsPerRunMax?: number;
}

export const SCHEDULER_CAPACITY_MAX = 1 << 20;
export const SCHEDULER_EVENTS_PER_RUN_MAX_DEFAULT = 100_000_000;
const PRIORITY_MIN = -0x80000000;
const PRIORITY_MAX = 0x7fffffff;
const NOT_IN_HEAP = -1;
const IDLE: EventHandler = () => undefined;

export class Scheduler {
  readonly capacity: number;
  readonly eventsPerRunMax: number;
  private readonly clock: SimClock;
  private readonly atMicros: Float64Array;
  private readonly periodMicros: Float64Array;
  private readonly sequence: Float64Array;
  private readonly priority: Int32Array;
  private readonly generation: Float64Array;
  private readonly heapIndex: Int32Array;
  private readonly heap: Int32Array;
  private readonly freeSlots: Int32Array;
  private readonly handlers: EventHandler[];
  private heapSize = 0;
  private freeCount: number;
  private nextSequence = 0;
  private running = false;

  constructor(clock: SimClock, options: SchedulerOptions) {
    const { capacity, eventsPerRunMax = SCHEDULER_EVENTS_PER_RUN_MAX_DEFAULT } = options;
    if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= SCHEDULER_CAPACITY_MAX)) assert(false, `scheduler capacity must be 1..${SCHEDULER_CAPACITY_MAX}, got ${capacity}`);
    if (!(Number.isSafeInteger(eventsPerRunMax) && eventsPerRunMax >= 1)) assert(false, `eventsPerRunMax must be a positive integer, got ${eventsPerRunMax}`);
    this.clock = clock;
    this.capacity = capacity;
    this.eventsPerRunMax = eventsPerRunMax;
    this.atMicros = new Float64Array(capacity);
    this.periodMicros = new Float64Array(capacity);
    this.sequence = new Float64Array(capacity);
    this.priority = new Int32Array(capacity);
    this.generation = new Float64Array(capacity);
    this.heapIndex = new Int32Array(capacity).fill(NOT_IN_HEAP);
    this.heap = new Int32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    this.handlers = new Array<EventHandler>(capacity).fill(IDLE);
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i; // slot 0 is handed out first
    this.freeCount = capacity;
  }

  /** Events pending now. */
  get size(): number {
    return this.heapSize;
  }

  /** Time of the next pending event, or undefined when none is pending. */
  nextEventMicros(): number | undefined {
    const top = this.heap[0];
    return this.heapSize > 0 && top !== undefined ? this.atMicros[top] : undefined;
  }

  /**
   * Runs `handler` once at `atMicros` (not before now). `priority` is an int32; lower runs first
   * among events at the same time. Throws AssertionError when `capacity` events are pending.
   */
  schedule(atMicros: number, priority: number, handler: EventHandler): EventHandle {
    return this.insert(atMicros, 0, priority, handler);
  }

  /**
   * Runs `handler` every `periodMicros`, first at `firstAtMicros` (default: one period from now),
   * until cancelled. Occurrences are at first + k × period exactly: no drift from handler work.
   */
  scheduleEvery(periodMicros: number, priority: number, handler: EventHandler, firstAtMicros = this.clock.nowMicros() + periodMicros): EventHandle {
    if (!(Number.isSafeInteger(periodMicros) && periodMicros >= 1)) assert(false, `period must be a positive integer of micros, got ${periodMicros}`);
    return this.insert(firstAtMicros, periodMicros, priority, handler);
  }

  /** Removes a pending event (a periodic one stops for good). False if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = this.liveSlot(handle);
    if (slot === undefined) return false;
    this.heapRemove(slot);
    this.releaseSlot(slot);
    return true;
  }

  /** True while `handle` is pending. */
  isPending(handle: EventHandle): boolean {
    return this.liveSlot(handle) !== undefined;
  }

  /**
   * Runs every event due at or before `untilMicros` in order, advancing the clock to each
   * event's time, then leaves the clock at `untilMicros`. Returns the number of events run.
   * Events scheduled by handlers run in the same call when they fall due in time.
   */
  runUntil(untilMicros: number): number {
    if (!(Number.isSafeInteger(untilMicros) && untilMicros >= this.clock.nowMicros())) assert(false, `runUntil(${untilMicros}) is before now (${this.clock.nowMicros()})`);
    if (this.running) assert(false, 'runUntil called from inside an event handler');
    this.running = true;
    try {
      return this.runEvents(untilMicros);
    } finally {
      this.running = false;
    }
  }

  private runEvents(untilMicros: number): number {
    let ran = 0;
    while (this.heapSize > 0) {
      const slot = this.heap[0] ?? NOT_IN_HEAP;
      const at = this.atMicros[slot] ?? Number.POSITIVE_INFINITY;
      if (at > untilMicros) break;
      if (ran >= this.eventsPerRunMax) assert(false, `runUntil ran ${this.eventsPerRunMax} events without reaching ${untilMicros} (eventsPerRunMax)`);
      this.fire(slot, at);
      ran++;
    }
    this.clock.advanceTo(untilMicros);
    return ran;
  }

  private fire(slot: number, at: number): void {
    const handler = this.handlers[slot] ?? IDLE;
    const period = this.periodMicros[slot] ?? 0;
    this.clock.advanceTo(at);
    if (period > 0) {
      // Re-arm before the handler runs, so the handler may cancel its own periodic event.
      this.atMicros[slot] = at + period;
      this.sequence[slot] = this.nextSequence++;
      this.siftDown(0);
    } else {
      this.heapRemove(slot);
      this.releaseSlot(slot);
    }
    handler(at);
  }

  private insert(atMicros: number, periodMicros: number, priority: number, handler: EventHandler, sequence = this.nextSequence++): EventHandle {
    const now = this.clock.nowMicros();
    if (!(Number.isSafeInteger(atMicros) && atMicros >= now)) assert(false, `event time ${atMicros} must be an integer not before now (${now})`);
    if (!(Number.isInteger(priority) && priority >= PRIORITY_MIN && priority <= PRIORITY_MAX)) assert(false, `priority must be an int32, got ${priority}`);
    if (this.freeCount === 0) assert(false, `scheduler full: ${this.capacity} events pending (capacity)`);
    const slot = this.freeSlots[--this.freeCount] ?? NOT_IN_HEAP;
    this.atMicros[slot] = atMicros;
    this.periodMicros[slot] = periodMicros;
    this.priority[slot] = priority;
    this.sequence[slot] = sequence;
    this.handlers[slot] = handler;
    this.heap[this.heapSize] = slot;
    this.heapIndex[slot] = this.heapSize;
    this.heapSize++;
    this.siftUp(this.heapSize - 1);
    return slot + this.capacity * (this.generation[slot] ?? 0);
  }

  /**
   * The pending events, in no particular order, for a snapshot of the whole simulation
   * (src/sim/snapshot.ts). Not for the hot path: it allocates.
   */
  pendingEvents(): PendingEvent[] {
    const events: PendingEvent[] = [];
    for (let i = 0; i < this.heapSize; i++) {
      const slot = this.heap[i] ?? 0;
      events.push({ atMicros: this.atMicros[slot] ?? 0, periodMicros: this.periodMicros[slot] ?? 0, priority: this.priority[slot] ?? 0, sequence: this.sequence[slot] ?? 0, handler: this.handlers[slot] ?? IDLE });
    }
    return events;
  }

  /** The sequence number the next `schedule` takes (ties between equal times and priorities follow it). */
  get sequenceNext(): number {
    return this.nextSequence;
  }

  /**
   * Replaces every pending event by `events` (each keeps its sequence number, so ties fire in
   * the order they had) and continues numbering at `sequenceNext`: restores a snapshot. Old
   * handles go stale. Not from inside an event handler.
   */
  replacePending(events: readonly PendingEvent[], sequenceNext: number): void {
    if (this.running) assert(false, 'replacePending called from inside an event handler');
    if (events.length > this.capacity) assert(false, `scheduler full: ${events.length} events for ${this.capacity} slots`);
    while (this.heapSize > 0) {
      const slot = this.heap[this.heapSize - 1] ?? 0;
      this.heapRemove(slot);
      this.releaseSlot(slot);
    }
    let next = sequenceNext;
    for (const e of events) {
      this.insert(e.atMicros, e.periodMicros, e.priority, e.handler, e.sequence);
      next = Math.max(next, e.sequence + 1);
    }
    this.nextSequence = next;
  }

  private liveSlot(handle: EventHandle): number | undefined {
    if (!Number.isSafeInteger(handle) || handle < 0) return undefined;
    const slot = handle % this.capacity;
    const generation = (handle - slot) / this.capacity;
    if (this.generation[slot] !== generation || this.heapIndex[slot] === NOT_IN_HEAP) return undefined;
    return slot;
  }

  private releaseSlot(slot: number): void {
    this.handlers[slot] = IDLE;
    this.generation[slot] = (this.generation[slot] ?? 0) + 1;
    this.freeSlots[this.freeCount++] = slot;
  }

  private heapRemove(slot: number): void {
    const index = this.heapIndex[slot] ?? NOT_IN_HEAP;
    if (index === NOT_IN_HEAP) assert(false, 'removing an event that is not pending');
    const last = this.heap[--this.heapSize] ?? NOT_IN_HEAP;
    this.heapIndex[slot] = NOT_IN_HEAP;
    if (last === slot) return;
    this.heap[index] = last;
    this.heapIndex[last] = index;
    this.siftUp(index);
    this.siftDown(this.heapIndex[last] ?? index);
  }

  /** Strict total order: time, then priority, then insertion sequence. */
  private before(a: number, b: number): boolean {
    const ta = this.atMicros[a] ?? 0;
    const tb = this.atMicros[b] ?? 0;
    if (ta !== tb) return ta < tb;
    const pa = this.priority[a] ?? 0;
    const pb = this.priority[b] ?? 0;
    if (pa !== pb) return pa < pb;
    return (this.sequence[a] ?? 0) < (this.sequence[b] ?? 0);
  }

  private siftUp(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(this.heap[index] ?? 0, this.heap[parent] ?? 0)) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(start: number): void {
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= this.heapSize) return;
      const right = left + 1;
      let child = left;
      if (right < this.heapSize && this.before(this.heap[right] ?? 0, this.heap[left] ?? 0)) child = right;
      if (!this.before(this.heap[child] ?? 0, this.heap[index] ?? 0)) return;
      this.swap(index, child);
      index = child;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i] ?? 0;
    const b = this.heap[j] ?? 0;
    this.heap[i] = b;
    this.heap[j] = a;
    this.heapIndex[b] = i;
    this.heapIndex[a] = j;
  }
}
