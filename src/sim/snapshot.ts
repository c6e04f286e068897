/**
 * Snapshots of a running simulation's object graph, for campaign fast-forward (docs/CAMPAIGNS.md,
 * "Fast-forward"; after FAIL*'s golden-run checkpoints).
 *
 * A snapshot is a deep copy of every value reachable from a root through own enumerable
 * properties: objects keep their prototypes, arrays, typed arrays (with shared buffers kept
 * shared), Maps and Sets are copied, functions are kept by reference, frozen objects and the
 * objects named `shared` are kept by reference (they are immutable or outside the simulation).
 *
 * `restoreInto` copies a snapshot into a freshly built graph of the same configuration *in
 * place*: every object the fresh graph already has at the same path with the same prototype
 * is overwritten field by field, not replaced, so the closures the fresh graph was built with
 * (bus subscribers, outbox sinks) keep pointing at live objects. A function in the snapshot
 * pairs with the fresh graph's function at the same path; that pairing is returned so a
 * caller can translate the scheduler's pending handlers. Anything that does not line up
 * (a function where the fresh graph has none, a prototype mismatch under a function) throws
 * SnapshotMismatch: the caller then flies the row from t = 0.
 *
 * `fingerprint` hashes the same walk (every primitive and typed-array byte, in key order),
 * so two graphs with equal fingerprints hold equal state (up to a 64-bit hash collision).
 *
 * What a walk cannot see is state captured by a closure (a `let` inside a factory): the
 * flight keeps its mutable state in fields, and the campaign's equivalence tests (fast-forward
 * and early convergence against the full flight, ≥ 500 rows each) are what would catch a
 * closure that holds some.
 */

export class SnapshotMismatch extends Error {}

type Obj = Record<string | number, unknown>;

export interface WalkOptions {
  /** Objects kept by reference, not walked (outside the simulation, immutable, or restored by the caller). */
  readonly shared: ReadonlySet<object>;
}

export interface RestoreOptions extends WalkOptions {
  /** Snapshot-side objects that stand for a given target-side object (the caller restores those itself). */
  readonly pairs: ReadonlyMap<object, object>;
}

function isTyped(value: object): value is ArrayBufferView {
  return ArrayBuffer.isView(value);
}

/**
 * A deep copier (see the module comment) sharing its memo across calls: objects in `pairs` and
 * `shared` (and frozen ones) stay as they are, functions go through `onFunction`.
 */
function deepCopier(options: WalkOptions, pairs: ReadonlyMap<object, object>, onFunction: (f: unknown) => unknown): { copy: (value: unknown) => unknown; memo: Map<object, unknown>; buffers: Map<ArrayBufferLike, ArrayBuffer> } {
  const memo = new Map<object, unknown>();
  const buffers = new Map<ArrayBufferLike, ArrayBuffer>();
  const copy = (value: unknown): unknown => {
    if (typeof value === 'function') return onFunction(value);
    if (typeof value !== 'object' || value === null) return value;
    const paired = pairs.get(value);
    if (paired !== undefined) return paired;
    if (options.shared.has(value) || Object.isFrozen(value)) return value;
    const seen = memo.get(value);
    if (seen !== undefined) return seen;
    if (isTyped(value)) {
      let buffer = buffers.get(value.buffer);
      if (buffer === undefined) { buffer = (value.buffer as ArrayBuffer).slice(0); buffers.set(value.buffer, buffer); }
      const Ctor = value.constructor as new (b: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
      const length = value instanceof DataView ? value.byteLength : (value as unknown as { length: number }).length;
      const c = new Ctor(buffer, value.byteOffset, length);
      memo.set(value, c);
      return c;
    }
    if (value instanceof ArrayBuffer) {
      let buffer = buffers.get(value);
      if (buffer === undefined) { buffer = value.slice(0); buffers.set(value, buffer); }
      return buffer;
    }
    if (value instanceof Map) {
      const c = new Map();
      memo.set(value, c);
      for (const [k, v] of value) c.set(copy(k), copy(v));
      return c;
    }
    if (value instanceof Set) {
      const c = new Set();
      memo.set(value, c);
      for (const v of value) c.add(copy(v));
      return c;
    }
    const c: Obj = Array.isArray(value) ? new Array<unknown>(value.length) as unknown as Obj : Object.create(Object.getPrototypeOf(value) as object | null) as Obj;
    memo.set(value, c);
    for (const key of Object.keys(value)) c[key] = copy((value as Obj)[key]);
    return c;
  };
  return { copy, memo, buffers };
}

/** A deep copy of the graph under `root` (see the module comment); functions are kept by reference. */
export function capture<T extends object>(root: T, options: WalkOptions): T {
  return deepCopier(options, new Map(), (f) => f).copy(root) as T;
}

/**
 * Copies snapshot `snap` into `target` in place (see the module comment). Returns the pairing
 * of the snapshot's functions with the target's. Throws SnapshotMismatch when the graphs do not
 * line up; the target is then half restored and must be thrown away.
 */
export function restoreInto<T extends object>(target: T, snap: T, options: RestoreOptions): Map<unknown, unknown> {
  const functions = new Map<unknown, unknown>();
  // Objects the target lacks are copied from the snapshot; their functions must be ones already paired.
  const { copy: materialize, memo, buffers } = deepCopier(options, options.pairs, (value) => {
    const f = functions.get(value);
    if (f === undefined) throw new SnapshotMismatch(`a function with no counterpart (${(value as { name?: string }).name ?? 'anonymous'})`);
    return f;
  });
  /** The value the target should hold where the snapshot holds `sv` and the target `tv`. */
  const restoreValue = (sv: unknown, tv: unknown): unknown => {
    if (typeof sv === 'function') {
      if (typeof tv !== 'function') throw new SnapshotMismatch(`a function (${(sv as { name?: string }).name ?? 'anonymous'}) where the fresh graph has none`);
      functions.set(sv, tv);
      return tv;
    }
    if (typeof sv !== 'object' || sv === null) return sv;
    const paired = options.pairs.get(sv);
    if (paired !== undefined) return paired;
    if (options.shared.has(sv) || Object.isFrozen(sv)) return sv;
    const seen = memo.get(sv);
    if (seen !== undefined) return seen;
    if (typeof tv !== 'object' || tv === null || Object.getPrototypeOf(tv) !== Object.getPrototypeOf(sv) || options.shared.has(tv) || Object.isFrozen(tv)) return materialize(sv);
    if (isTyped(sv)) {
      const t = tv as ArrayBufferView;
      // Same kind and size, and not a view that shares its buffer (a fresh copy keeps sharing right).
      if (sv.byteLength !== t.byteLength || sv.buffer.byteLength !== sv.byteLength || t.buffer.byteLength !== t.byteLength) return materialize(sv);
      new Uint8Array(t.buffer, t.byteOffset, t.byteLength).set(new Uint8Array(sv.buffer, sv.byteOffset, sv.byteLength));
      memo.set(sv, t);
      buffers.set(sv.buffer, t.buffer as ArrayBuffer);
      return t;
    }
    if (sv instanceof Map || sv instanceof Set) return materialize(sv);
    memo.set(sv, tv);
    restoreObject(tv as Obj, sv as Obj);
    return tv;
  };
  const restoreObject = (t: Obj, s: Obj): void => {
    if (Array.isArray(s)) (t as unknown as unknown[]).length = s.length;
    for (const key of Object.keys(s)) {
      const next = restoreValue(s[key], t[key]);
      if (t[key] !== next) t[key] = next;
    }
    if (!Array.isArray(s)) {
      for (const key of Object.keys(t)) if (!(key in s)) Reflect.deleteProperty(t, key);
    }
  };
  memo.set(snap, target);
  restoreObject(target as unknown as Obj, snap as unknown as Obj);
  return functions;
}

export interface FingerprintOptions extends WalkOptions {
  /** Property names left out wherever they occur (statistics and scratch that do not steer the future). */
  readonly ignoredKeys?: ReadonlySet<string>;
}

/** A 64-bit FNV-1a style hash of the state under `root` (see the module comment), as 16 hex digits. */
export function fingerprint(root: object, options: FingerprintOptions): string {
  const ignored = options.ignoredKeys ?? new Set<string>();
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x01000193 | 0;
  const mixByte = (b: number): void => {
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995) ^ (h2 >>> 15);
  };
  const f64 = new Float64Array(1);
  const f64Bytes = new Uint8Array(f64.buffer);
  const mixNumber = (n: number): void => {
    f64[0] = n;
    for (let i = 0; i < 8; i++) mixByte(f64Bytes[i] ?? 0);
  };
  const mixString = (s: string): void => {
    mixNumber(s.length);
    for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); mixByte(c & 0xff); mixByte(c >>> 8); }
  };
  const ids = new Map<object, number>();
  const buffersSeen = new Map<ArrayBufferLike, number>();
  const walk = (value: unknown): void => {
    switch (typeof value) {
      case 'number': mixByte(1); mixNumber(value); return;
      case 'string': mixByte(2); mixString(value); return;
      case 'boolean': mixByte(value ? 3 : 4); return;
      case 'undefined': mixByte(5); return;
      case 'bigint': mixByte(6); mixString(value.toString(16)); return;
      case 'function': mixByte(7); return;
      case 'symbol': mixByte(8); return;
      case 'object': break;
    }
    if (value === null) { mixByte(9); return; }
    if (options.shared.has(value)) { mixByte(10); return; }
    const id = ids.get(value);
    if (id !== undefined) { mixByte(11); mixNumber(id); return; }
    ids.set(value, ids.size);
    if (isTyped(value)) {
      // A buffer is hashed once, whole; its views add only where they look.
      mixByte(12);
      mixNumber(value.byteOffset);
      mixNumber(value.byteLength);
      const buffer = buffersSeen.get(value.buffer);
      if (buffer !== undefined) { mixNumber(buffer); return; }
      buffersSeen.set(value.buffer, buffersSeen.size);
      const bytes = new Uint8Array(value.buffer);
      mixNumber(bytes.length);
      const words = bytes.length >> 2;
      const u32 = words > 0 && bytes.byteOffset % 4 === 0 ? new Uint32Array(value.buffer, 0, words) : undefined;
      if (u32 !== undefined) {
        for (let i = 0; i < words; i++) {
          const w = u32[i] ?? 0;
          h1 = Math.imul(h1 ^ w, 0x01000193);
          h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 15);
        }
      }
      for (let i = u32 === undefined ? 0 : words * 4; i < bytes.length; i++) mixByte(bytes[i] ?? 0);
      return;
    }
    if (value instanceof Map) {
      mixByte(13); mixNumber(value.size);
      for (const [k, v] of value) { walk(k); walk(v); }
      return;
    }
    if (value instanceof Set) {
      mixByte(14); mixNumber(value.size);
      for (const v of value) walk(v);
      return;
    }
    mixByte(Array.isArray(value) ? 15 : 16);
    for (const key of Object.keys(value)) {
      if (ignored.has(key)) continue;
      mixString(key);
      walk((value as Obj)[key]);
    }
  };
  walk(root);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/**
 * The numeric leaves under properties named in `keys` (statistics counters), by path: a number
 * held directly, or anywhere below (an array of counts). Objects reached twice count at the
 * first path they are reached by; the walk's order is the key order, so two graphs built alike
 * give the same paths.
 */
export function countersOf(root: object, options: WalkOptions, keys: ReadonlySet<string>): Map<string, number> {
  const found = new Map<string, number>();
  const seen = new Set<object>();
  const collect = (value: unknown, path: string): void => {
    if (typeof value === 'number') { found.set(path, value); return; }
    if (typeof value !== 'object' || value === null || options.shared.has(value) || seen.has(value)) return;
    seen.add(value);
    if (isTyped(value)) {
      if (value instanceof DataView) return;
      const list = value as unknown as ArrayLike<number | bigint>;
      for (let i = 0; i < list.length; i++) { const v = list[i]; if (typeof v === 'number') found.set(`${path}/${i}`, v); }
      return;
    }
    if (value instanceof Map || value instanceof Set) return;
    for (const key of Object.keys(value)) collect((value as Obj)[key], `${path}/${key}`);
  };
  const walk = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null || options.shared.has(value) || seen.has(value)) return;
    if (isTyped(value) || value instanceof Map || value instanceof Set) return;
    seen.add(value);
    for (const key of Object.keys(value)) {
      const child = (value as Obj)[key];
      if (keys.has(key)) collect(child, `${path}/${key}`);
      else walk(child, `${path}/${key}`);
    }
  };
  walk(root, '');
  return found;
}

/** Adds `deltas[path]` to the numeric leaf at each path (as `countersOf` names them). Throws SnapshotMismatch for a path that is not a number. */
export function addToCounters(root: object, deltas: ReadonlyMap<string, number>): void {
  for (const [path, delta] of deltas) {
    if (delta === 0) continue;
    const keys = path.split('/').slice(1);
    const last = keys.pop();
    let node: unknown = root;
    for (const key of keys) node = typeof node === 'object' && node !== null ? (node as Obj)[key] : undefined;
    if (last === undefined || typeof node !== 'object' || node === null) throw new SnapshotMismatch(`no counter at ${path}`);
    const holder = node as Obj;
    const value = holder[last];
    if (typeof value !== 'number') throw new SnapshotMismatch(`no counter at ${path}`);
    holder[last] = value + delta;
  }
}
