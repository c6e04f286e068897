// The generic snapshot walker (src/sim/snapshot.ts): copies keep prototypes, sharing and typed
// arrays; restore works in place so closures built with the target keep seeing live state.
import { describe, expect, it } from 'vitest';
import { capture, fingerprint, restoreInto, SnapshotMismatch } from '../../src/sim/snapshot.js';

class Counter {
  n = 0;
  readonly data = new Float64Array(4);
  bump(): void { this.n++; this.data[0] = (this.data[0] ?? 0) + 0.5; }
}

class World {
  readonly a = new Counter();
  readonly shared: Counter;
  readonly list: Counter[] = [];
  readonly map = new Map<number, { v: number }>();
  readonly bytes = new Uint8Array(new ArrayBuffer(8));
  readonly view = new DataView(this.bytes.buffer);
  readonly tick: () => void;
  constructor() {
    this.shared = this.a;
    const a = this.a;
    this.tick = () => { a.bump(); };
  }
}

const none = { shared: new Set<object>() };

describe('snapshot walker', () => {
  it('a captured copy is deep, keeps prototypes, sharing and buffer views', () => {
    const w = new World();
    w.tick();
    w.list.push(new Counter());
    w.map.set(1, { v: 2 });
    w.view.setUint16(0, 0xbeef);
    const c = capture(w, none);
    expect(Object.getPrototypeOf(c)).toBe(World.prototype);
    expect(c.a).not.toBe(w.a);
    expect(c.shared).toBe(c.a);
    expect(c.a.n).toBe(1);
    expect(c.map.get(1)).toEqual({ v: 2 });
    expect(c.view.buffer).toBe(c.bytes.buffer);
    w.tick();
    expect(c.a.n).toBe(1);
  });

  it('restore is in place: the target\'s own closure sees the restored state', () => {
    const source = new World();
    for (let i = 0; i < 5; i++) source.tick();
    source.list.push(new Counter(), new Counter());
    source.bytes[3] = 7;
    const snap = capture(source, none);
    const target = new World();
    const a = target.a;
    const functions = restoreInto(target, snap, { ...none, pairs: new Map() });
    expect(target.a).toBe(a);
    expect(a.n).toBe(5);
    expect(target.list).toHaveLength(2);
    expect(target.bytes[3]).toBe(7);
    expect(target.view.getUint8(3)).toBe(7);
    expect(functions.get(snap.tick)).toBe(target.tick);
    target.tick();
    expect(a.n).toBe(6);
    expect(fingerprint(target, none)).not.toBe(fingerprint(source, none));
    source.tick();
    expect(fingerprint(target, none)).toBe(fingerprint(source, none));
  });

  it('must-fail: a fingerprint changes with one flipped bit anywhere', () => {
    const w = new World();
    w.tick();
    const before = fingerprint(w, none);
    w.bytes[5] = 1;
    expect(fingerprint(w, none)).not.toBe(before);
    w.bytes[5] = 0;
    expect(fingerprint(w, none)).toBe(before);
    w.a.data[3] = Number.MIN_VALUE;
    expect(fingerprint(w, none)).not.toBe(before);
  });

  it('a function with no counterpart in the target is a mismatch', () => {
    const source = { f: (): number => 1 };
    const snap = capture(source, none);
    expect(() => restoreInto({ f: 3 }, snap as unknown as { f: number }, { ...none, pairs: new Map() })).toThrow(SnapshotMismatch);
  });
});
