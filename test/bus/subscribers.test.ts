import { describe, expect, it } from 'vitest';
import type { Subscription } from '../../src/bus/frame-bus.js';
import { SubscriberList, SUBSCRIBERS_MAX } from '../../src/bus/subscribers.js';
import { classicFrame, type CanFrame } from '../../src/core/frame/can.js';

const frame = (id: number): CanFrame => classicFrame(id, new Uint8Array([id & 0xff]));

describe('SubscriberList', () => {
  it('hands a frame, with its timestamp, to every subscriber whose filters match', () => {
    const list = new SubscriberList();
    const all: number[] = [];
    const only0x120: [number, number][] = [];
    list.add((f) => { all.push(f.id); }, undefined);
    list.add((f, micros) => { only0x120.push([f.id, micros]); }, [{ id: 0x120, mask: 0x7f0 }]);
    list.dispatch(frame(0x121), 7);
    list.dispatch(frame(0x200), 8);
    expect(all).toEqual([0x121, 0x200]);
    expect(only0x120).toEqual([[0x121, 7]]);
  });

  it('unsubscribes once; a second unsubscribe leaves the others alone', () => {
    const list = new SubscriberList();
    const seen: string[] = [];
    const a = list.add(() => { seen.push('a'); }, undefined);
    list.add(() => { seen.push('b'); }, undefined);
    a.unsubscribe();
    a.unsubscribe();
    expect(list.size).toBe(1);
    list.dispatch(frame(1), 0);
    expect(seen).toEqual(['b']);
  });

  it('dispatches to the subscribers present when the frame arrived', () => {
    const list = new SubscriberList();
    const seen: string[] = [];
    const second: Subscription[] = [];
    list.add(() => {
      seen.push('first');
      second[0]?.unsubscribe();
      list.add(() => { seen.push('late'); }, undefined);
    }, undefined);
    second.push(list.add(() => { seen.push('second'); }, undefined));
    list.dispatch(frame(1), 0);
    expect(seen).toEqual(['first', 'second']);
    seen.length = 0;
    list.dispatch(frame(2), 0);
    expect(seen).toEqual(['first', 'late']);
  });

  it('asserts beyond its bound and accepts again after an unsubscribe', () => {
    const list = new SubscriberList(2);
    const first = list.add(() => undefined, undefined);
    list.add(() => undefined, undefined);
    expect(() => list.add(() => undefined, undefined)).toThrow('more than 2 subscribers');
    first.unsubscribe();
    expect(() => list.add(() => undefined, undefined)).not.toThrow();
    expect(SUBSCRIBERS_MAX).toBe(1024);
  });
});
