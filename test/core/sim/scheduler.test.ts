import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimClock } from '../../../src/core/sim/clock.js';
import { Scheduler } from '../../../src/core/sim/scheduler.js';
import { AssertionError } from '../../../src/core/assert.js';
import { fcParams } from '../../support/seed.js';

function setup(capacity = 16): { clock: SimClock; scheduler: Scheduler; log: string[] } {
  const clock = new SimClock();
  return { clock, scheduler: new Scheduler(clock, { capacity }), log: [] };
}

describe('Scheduler ordering', () => {
  it('runs by time, then priority, then insertion order, with the clock at each event', () => {
    const { clock, scheduler, log } = setup();
    const note = (name: string) => (now: number): void => { log.push(`${name}@${now}/${clock.nowMicros()}`); };
    scheduler.schedule(30, 0, note('c'));
    scheduler.schedule(10, 5, note('b-low'));
    scheduler.schedule(10, -1, note('b-high'));
    scheduler.schedule(10, 5, note('b-low-2'));
    scheduler.schedule(0, 0, note('a'));
    expect(scheduler.runUntil(100)).toBe(5);
    expect(log).toEqual(['a@0/0', 'b-high@10/10', 'b-low@10/10', 'b-low-2@10/10', 'c@30/30']);
    expect(clock.nowMicros()).toBe(100);
  });

  it('stops at the horizon, leaving later events pending', () => {
    const { clock, scheduler, log } = setup();
    scheduler.schedule(50, 0, () => log.push('early'));
    scheduler.schedule(51, 0, () => log.push('late'));
    expect(scheduler.runUntil(50)).toBe(1);
    expect(clock.nowMicros()).toBe(50);
    expect(scheduler.nextEventMicros()).toBe(51);
    expect(scheduler.size).toBe(1);
  });

  it('matches a sorted reference for any set of events (property)', () => {
    fc.assert(fc.property(fc.array(fc.record({ at: fc.nat(1000), priority: fc.integer({ min: -3, max: 3 }) }), { maxLength: 200 }), (events) => {
      const { scheduler } = setup(256);
      const order: number[] = [];
      events.forEach((e, i) => scheduler.schedule(e.at, e.priority, () => order.push(i)));
      scheduler.runUntil(1000);
      const expected = events.map((e, i) => ({ ...e, i })).sort((x, y) => x.at - y.at || x.priority - y.priority || x.i - y.i).map((e) => e.i);
      expect(order).toEqual(expected);
    }), fcParams('scheduler ordering', 300));
  });

  it('runs events that handlers schedule within the same call when they fall due', () => {
    const { scheduler, log } = setup();
    scheduler.schedule(10, 0, (now) => {
      log.push(`first@${now}`);
      scheduler.schedule(now, 0, (t) => log.push(`same-instant@${t}`));
      scheduler.schedule(now + 5, 0, (t) => log.push(`later@${t}`));
      scheduler.schedule(now + 500, 0, (t) => log.push(`beyond@${t}`));
    });
    expect(scheduler.runUntil(20)).toBe(3);
    expect(log).toEqual(['first@10', 'same-instant@10', 'later@15']);
  });
});

describe('Scheduler periodic events', () => {
  it('fires at first + k × period without drift, until cancelled', () => {
    const { scheduler } = setup();
    const times: number[] = [];
    const handle = scheduler.scheduleEvery(1000, 0, (now) => times.push(now), 250);
    scheduler.runUntil(3300);
    expect(times).toEqual([250, 1250, 2250, 3250]);
    expect(scheduler.cancel(handle)).toBe(true);
    scheduler.runUntil(10_000);
    expect(times).toHaveLength(4);
    expect(scheduler.size).toBe(0);
  });

  it('defaults the first occurrence to one period from now and may cancel itself', () => {
    const { clock, scheduler } = setup();
    clock.advanceTo(100);
    const times: number[] = [];
    const handle: number = scheduler.scheduleEvery(10, 0, (now) => {
      times.push(now);
      if (times.length === 3) expect(scheduler.cancel(handle)).toBe(true);
    });
    scheduler.runUntil(1000);
    expect(times).toEqual([110, 120, 130]);
    expect(scheduler.isPending(handle)).toBe(false);
  });

  it('orders a periodic event after one-shots inserted before its re-arm at the same time and priority', () => {
    const { scheduler, log } = setup();
    scheduler.scheduleEvery(10, 0, (now) => log.push(`tick@${now}`), 0);
    scheduler.schedule(10, 0, () => log.push('one-shot@10'));
    scheduler.runUntil(10);
    // The one-shot was inserted before the tick re-armed for 10 (at time 0), so it runs first.
    expect(log).toEqual(['tick@0', 'one-shot@10', 'tick@10']);
  });
});

describe('Scheduler bounds and cancellation', () => {
  it('refuses more than capacity pending events, and frees slots as events run', () => {
    const { scheduler } = setup(3);
    for (let i = 0; i < 3; i++) scheduler.schedule(i, 0, () => undefined);
    expect(() => scheduler.schedule(5, 0, () => undefined)).toThrow(/capacity/);
    scheduler.runUntil(0);
    expect(scheduler.size).toBe(2);
    expect(() => scheduler.schedule(5, 0, () => undefined)).not.toThrow();
  });

  it('cancels pending events and refuses stale handles after slot reuse', () => {
    const { scheduler, log } = setup(2);
    const a = scheduler.schedule(10, 0, () => log.push('a'));
    const b = scheduler.schedule(20, 0, () => log.push('b'));
    expect(scheduler.cancel(a)).toBe(true);
    expect(scheduler.cancel(a)).toBe(false);
    const c = scheduler.schedule(15, 0, () => log.push('c')); // reuses a's slot
    expect(c).not.toBe(a);
    expect(scheduler.cancel(a)).toBe(false);
    expect(scheduler.isPending(c)).toBe(true);
    scheduler.runUntil(100);
    expect(log).toEqual(['c', 'b']);
    expect(scheduler.cancel(b)).toBe(false);
    expect(scheduler.cancel(-1)).toBe(false);
    expect(scheduler.cancel(1.5)).toBe(false);
  });

  it('keeps heap order under random schedule/cancel mixes (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(500), fc.boolean(), fc.nat(64)), { maxLength: 300 }), (ops) => {
      const { scheduler } = setup(64);
      const live = new Map<number, { at: number; seq: number }>();
      const handles: number[] = [];
      const ran: number[] = [];
      ops.forEach(([at, cancel, pick], seq) => {
        if (cancel && handles.length > 0) {
          const h = handles[pick % handles.length]!;
          expect(scheduler.cancel(h)).toBe(live.delete(h));
        } else if (scheduler.size < 64) {
          const h = scheduler.schedule(at, 0, () => ran.push(seq));
          live.set(h, { at, seq });
          handles.push(h);
        }
      });
      scheduler.runUntil(500);
      expect(ran).toEqual([...live.values()].sort((x, y) => x.at - y.at || x.seq - y.seq).map((e) => e.seq));
    }), fcParams('scheduler cancel mix', 300));
  });

  it('rejects events in the past, bad priorities and bad periods', () => {
    const { clock, scheduler } = setup();
    clock.advanceTo(100);
    expect(() => scheduler.schedule(99, 0, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.schedule(100.5, 0, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.schedule(200, 2 ** 31, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.scheduleEvery(0, 0, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.runUntil(50)).toThrow(AssertionError);
    expect(() => new Scheduler(clock, { capacity: 0 })).toThrow(AssertionError);
  });

  it('stops a same-instant event storm at eventsPerRunMax', () => {
    const clock = new SimClock();
    const scheduler = new Scheduler(clock, { capacity: 4, eventsPerRunMax: 1000 });
    const storm = (now: number): void => { scheduler.schedule(now, 0, storm); };
    scheduler.schedule(0, 0, storm);
    expect(() => scheduler.runUntil(10)).toThrow(/eventsPerRunMax/);
  });

  it('refuses re-entrant runUntil from a handler', () => {
    const { scheduler } = setup();
    scheduler.schedule(1, 0, () => { scheduler.runUntil(5); });
    expect(() => scheduler.runUntil(5)).toThrow(/inside an event handler/);
    expect(scheduler.runUntil(6)).toBe(0);
  });

  it('recovers cleanly when a handler throws', () => {
    const { scheduler, log } = setup();
    scheduler.schedule(1, 0, () => { throw new Error('boom'); });
    scheduler.schedule(2, 0, () => log.push('after'));
    expect(() => scheduler.runUntil(5)).toThrow('boom');
    expect(scheduler.runUntil(5)).toBe(1);
    expect(log).toEqual(['after']);
  });
});
