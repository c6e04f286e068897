/**
 * CRC engine for the Rocksoft/Williams parameter model (the model the CRC RevEng catalogue
 * uses): width 1–64, poly, init, refin, refout, xorout. See docs/CRC.md.
 *
 * Method. Every model runs on one kind of shift register, kept in the "byte-stream domain":
 * the register's byte that meets the next message byte is always its lowest byte.
 *   - Reflected models (refin = true) are naturally in that domain: the register holds the
 *     reflected remainder in its low `width` bits and shifts right.
 *   - Unreflected models hold the remainder left-aligned in a 32- or 64-bit register that
 *     shifts left; we store that register byte-swapped (and its tables byte-swapped), which
 *     turns "shift left by a byte" into "shift right by a byte". Both kinds then share one
 *     inner loop: s = T[(s ^ byte) & 0xff] ^ (s >>> 8).
 * The bulk of a message runs slicing-by-8: two little-endian 32-bit words per step, read
 * through an Int32Array view (the host is asserted little-endian), eight tables. Widths
 * 33–64 run the same loop on hi/lo 32-bit halves with two table sets; bigint appears only
 * at construction and in the final digest, never per byte.
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';

export interface CrcModel {
  readonly name: string;
  readonly width: number;
  readonly poly: bigint;
  readonly init: bigint;
  readonly refin: boolean;
  readonly refout: boolean;
  readonly xorout: bigint;
  /** CRC of the ASCII bytes "123456789". */
  readonly check: bigint;
  /** RevEng residue: the register after a valid codeword, before xorout (see docs/CRC.md). */
  readonly residue?: bigint;
  readonly aliases?: readonly string[];
}

export interface Crc {
  readonly model: CrcModel;
  /** One-shot CRC for width ≤ 32, as an unsigned number. */
  compute(data: Uint8Array, offset?: number, length?: number): number;
  /** One-shot CRC for any width. */
  computeBig(data: Uint8Array, offset?: number, length?: number): bigint;
  /** Starts an incremental computation. */
  begin(): CrcStream;
}

export interface CrcStream {
  update(data: Uint8Array, offset?: number, length?: number): void;
  /** CRC of everything so far (width ≤ 32); the stream can keep going afterwards. */
  digest(): number;
  digestBig(): bigint;
}

/**
 * A faster implementation of one model supplied from outside core (e.g. node:zlib's crc32 for
 * CRC-32/ISO-HDLC). Contract, as zlib.crc32's: given the CRC of a prefix (as `digest()` returns
 * it) and more data, returns the CRC of the prefix followed by the data.
 */
export type CrcAccelerator = (data: Uint8Array, crc: number) => number;

export interface CrcOptions {
  /** 'sliced' (default) is slicing-by-8; 'bytewise' is the plain one-table loop (for comparison). */
  readonly method?: 'sliced' | 'bytewise';
  /** Only for width ≤ 32. The caller vouches that it computes exactly this model. */
  readonly accelerator?: CrcAccelerator;
}

export type CrcModelError =
  | { readonly code: 'bad_name' }
  | { readonly code: 'bad_width'; readonly width: number }
  | { readonly code: 'bad_poly'; readonly poly: bigint; readonly width: number }
  | { readonly code: 'bad_init'; readonly init: bigint; readonly width: number }
  | { readonly code: 'bad_xorout'; readonly xorout: bigint; readonly width: number }
  | { readonly code: 'bad_residue'; readonly residue: bigint; readonly width: number }
  | { readonly code: 'check_mismatch'; readonly expected: bigint; readonly actual: bigint };

export const CRC_WIDTH_MAX = 64;
/** The message whose CRC is a model's `check` value. */
export const CRC_CHECK_INPUT: Uint8Array = Uint8Array.of(0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39);
/** Below this length a call runs byte-at-a-time: setting up the word view costs more than it saves. */
const SLICE_BYTES_MIN = 32;
const TABLE_COUNT = 8;

function isLittleEndianHost(): boolean {
  return new Uint8Array(Uint32Array.of(0x0102_0304).buffer)[0] === 0x04;
}
assert(isLittleEndianHost(), 'crc: the word-at-a-time path assumes a little-endian host');

/** The parameters that define a CRC (a model without its name and check value). */
export type CrcParams = Pick<CrcModel, 'width' | 'poly' | 'init' | 'refin' | 'refout' | 'xorout'>;

function fitsWidth(value: bigint, width: number): boolean {
  return value >= 0n && value < 1n << BigInt(width);
}

function validateParams(model: CrcParams & { readonly name: string; readonly residue?: bigint }): Result<null, CrcModelError> {
  if (model.name.trim().length === 0) return err({ code: 'bad_name' });
  const { width } = model;
  if (!Number.isInteger(width) || width < 1 || width > CRC_WIDTH_MAX) return err({ code: 'bad_width', width });
  if (!fitsWidth(model.poly, width) || model.poly === 0n) return err({ code: 'bad_poly', poly: model.poly, width });
  if (!fitsWidth(model.init, width)) return err({ code: 'bad_init', init: model.init, width });
  if (!fitsWidth(model.xorout, width)) return err({ code: 'bad_xorout', xorout: model.xorout, width });
  if (model.residue !== undefined && !fitsWidth(model.residue, width)) return err({ code: 'bad_residue', residue: model.residue, width });
  return ok(null);
}

/** Checks a model's parameter ranges and that its `check` value is what the parameters compute. */
export function validateCrcModel(model: CrcModel): Result<CrcModel, CrcModelError> {
  const params = validateParams(model);
  if (!params.ok) return params;
  const actual = buildCrc(model, {}).computeBig(CRC_CHECK_INPUT);
  if (actual !== model.check) return err({ code: 'check_mismatch', expected: model.check, actual });
  return ok(model);
}

/** Builds a model from bare parameters, computing its check value (for custom CRCs). */
export function crcModelFromParams(params: CrcParams, name = 'custom'): Result<CrcModel, CrcModelError> {
  const draft: CrcModel = { ...params, name, check: 0n };
  const valid = validateParams(draft);
  if (!valid.ok) return valid;
  return ok({ ...draft, check: buildCrc(draft, {}).computeBig(CRC_CHECK_INPUT) });
}

/**
 * Creates an engine; the model must be valid (a programmer error otherwise). The check value is
 * verified on the engine itself, so an injected accelerator is checked too.
 */
export function createCrc(model: CrcModel, options: CrcOptions = {}): Crc {
  const valid = validateParams(model);
  assert(valid.ok, `createCrc: invalid model ${model.name}: ${valid.ok ? '' : valid.error.code}`);
  assert(options.accelerator === undefined || model.width <= 32, 'createCrc: an accelerator needs width ≤ 32');
  const engine = buildCrc(model, options);
  const actual = engine.computeBig(CRC_CHECK_INPUT);
  assert(actual === model.check, `createCrc: invalid model ${model.name}: check is 0x${model.check.toString(16)}, computed 0x${actual.toString(16)}`);
  return engine;
}

// ---------------------------------------------------------------------------------------------
// Bit helpers (bigint: construction and digest only).

export function reflectBig(value: bigint, width: number): bigint {
  let out = 0n;
  let v = value;
  for (let i = 0; i < width; i++) {
    out = (out << 1n) | (v & 1n);
    v >>= 1n;
  }
  return out;
}

function byteSwapBig(value: bigint, registerBits: number): bigint {
  let out = 0n;
  let v = value;
  for (let i = 0; i < registerBits; i += 8) {
    out = (out << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function reflect32(value: number, width: number): number {
  let out = 0;
  let v = value;
  for (let i = 0; i < width; i++) {
    out = (out << 1) | (v & 1);
    v >>>= 1;
  }
  return out >>> 0;
}

function byteSwap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Tables.

/**
 * Eight 256-entry tables, concatenated (table k at k·256): one Int32Array for the low 32
 * register bits and, for widths > 32, one for the high bits. One array per half instead of
 * eight keeps the inner loop's base pointers in registers (measured ~30% faster in V8).
 */
interface Tables {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

// The inner loops index table k as literal k·256 (256, 512, ... 1792): V8 folds literals into the
// address computation, whereas module-level constants cost a context load each (measured).

/** Table entries in the natural register domain (before the byte swap of unreflected models). */
function naturalTables(model: CrcParams, registerBits: number): bigint[][] {
  const mask = (1n << BigInt(registerBits)) - 1n;
  const top = BigInt(registerBits - 8);
  const polyReflected = reflectBig(model.poly, model.width);
  const polyAligned = model.poly << BigInt(registerBits - model.width);
  const msb = 1n << BigInt(registerBits - 1);
  const t0: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let c = model.refin ? BigInt(i) : BigInt(i) << top;
    for (let bit = 0; bit < 8; bit++) {
      if (model.refin) c = (c & 1n) === 1n ? (c >> 1n) ^ polyReflected : c >> 1n;
      else c = (c & msb) !== 0n ? ((c << 1n) & mask) ^ polyAligned : (c << 1n) & mask;
    }
    t0.push(c);
  }
  const tables = [t0];
  for (let k = 1; k < TABLE_COUNT; k++) {
    const prev = tables[k - 1] ?? [];
    tables.push(prev.map((c) => (model.refin
      ? (c >> 8n) ^ (t0[Number(c & 0xffn)] ?? 0n)
      : ((c << 8n) & mask) ^ (t0[Number(c >> top)] ?? 0n))));
  }
  return tables;
}

/** The same tables for widths ≤ 32 with int32 arithmetic (about 50× faster to build than bigint). */
function tables32(model: CrcParams): Int32Array {
  const out = new Int32Array(TABLE_COUNT * 256);
  const poly = Number(model.poly);
  const polyReflected = reflect32(poly, model.width) | 0;
  const polyAligned = (poly << (32 - model.width)) | 0;
  for (let i = 0; i < 256; i++) {
    let c = model.refin ? i : i << 24;
    for (let bit = 0; bit < 8; bit++) {
      if (model.refin) c = (c & 1) === 1 ? (c >>> 1) ^ polyReflected : c >>> 1;
      else c = (c & 0x8000_0000) !== 0 ? (c << 1) ^ polyAligned : c << 1;
    }
    out[i] = c;
  }
  for (let i = 256; i < out.length; i++) {
    const prev = out[i - 256] as number;
    out[i] = model.refin ? (prev >>> 8) ^ (out[prev & 0xff] as number) : (prev << 8) ^ (out[prev >>> 24] as number);
  }
  if (!model.refin) for (let i = 0; i < out.length; i++) out[i] = byteSwap32(out[i] as number);
  return out;
}

function buildTables(model: CrcParams, registerBits: number): Tables {
  if (registerBits === 32) return { lo: tables32(model), hi: new Int32Array(0) };
  const entries = naturalTables(model, registerBits).flat();
  assert(entries.length === TABLE_COUNT * 256, 'crc: table size');
  const streamDomain = model.refin ? entries : entries.map((c) => byteSwapBig(c, registerBits));
  return {
    lo: Int32Array.from(streamDomain, (c) => Number(BigInt.asIntN(32, c))),
    hi: Int32Array.from(streamDomain, (c) => Number(BigInt.asIntN(32, c >> 32n))),
  };
}

// ---------------------------------------------------------------------------------------------
// Inner loops. State is the register in the byte-stream domain, as int32 halves.

/** Plain one-table loop for widths ≤ 32 (table 0 is the first 256 entries of `t`). */
function bytes32(state: number, data: Uint8Array, start: number, end: number, t: Int32Array): number {
  let s = state;
  for (let i = start; i < end; i++) s = (t[(s ^ (data[i] as number)) & 0xff] as number) ^ (s >>> 8);
  return s;
}

/** Bytes until `data.byteOffset + pos` is 4-aligned (at most 3). */
function headBytes(data: Uint8Array, pos: number): number {
  return (4 - ((data.byteOffset + pos) & 3)) & 3;
}

/**
 * Slicing-by-8 for widths ≤ 32: a byte-wise head up to 4-byte alignment, then two aligned
 * little-endian words per step through an Int32Array view, then a byte-wise tail.
 */
function sliced32(state: number, data: Uint8Array, offset: number, length: number, t: Int32Array): number {
  const end = offset + length;
  if (length < SLICE_BYTES_MIN) return bytes32(state, data, offset, end, t);
  const head = offset + headBytes(data, offset);
  const words = ((end - head) >>> 3) << 1;
  const view = new Int32Array(data.buffer, data.byteOffset + head, words);
  let s = bytes32(state, data, offset, head, t);
  s = wordsArgument(s, view, t);
  return bytes32(s, data, head + (words << 2), end, t);
}

/**
 * One step per two words. The second word does not depend on the register, so its four
 * lookups are issued first, off the critical path. `t` is an argument here, so V8 checks
 * every table index against t.length.
 */
function wordsArgument(state: number, view: Int32Array, t: Int32Array): number {
  let s = state;
  for (let i = 0; i < view.length; i += 2) {
    const two = view[i + 1] as number;
    const x = (t[768 + (two & 0xff)] as number) ^ (t[512 + ((two >>> 8) & 0xff)] as number)
      ^ (t[256 + ((two >>> 16) & 0xff)] as number) ^ (t[two >>> 24] as number);
    const one = (view[i] as number) ^ s;
    s = x ^ (t[1792 + (one & 0xff)] as number) ^ (t[1536 + ((one >>> 8) & 0xff)] as number)
      ^ (t[1280 + ((one >>> 16) & 0xff)] as number) ^ (t[1024 + (one >>> 24)] as number);
  }
  return s;
}

/** A 64-bit register as two int32 halves; mutated in place by the 64-bit loops. */
interface Register64 { lo: number; hi: number }

function bytes64(r: Register64, data: Uint8Array, start: number, end: number, tables: Tables): void {
  const tl = tables.lo, th = tables.hi;
  let lo = r.lo, hi = r.hi;
  for (let i = start; i < end; i++) {
    const idx = (lo ^ (data[i] as number)) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ (tl[idx] as number);
    hi = (hi >>> 8) ^ (th[idx] as number);
  }
  r.lo = lo;
  r.hi = hi;
}

/** Slicing-by-8 for widths 33–64: the register is exactly 8 bytes, so each step consumes it whole. */
function sliced64(r: Register64, data: Uint8Array, offset: number, length: number, tables: Tables): void {
  const end = offset + length;
  if (length < SLICE_BYTES_MIN) { bytes64(r, data, offset, end, tables); return; }
  const head = offset + headBytes(data, offset);
  bytes64(r, data, offset, head, tables);
  const tl = tables.lo, th = tables.hi;
  const words = ((end - head) >>> 3) << 1;
  const view = new Int32Array(data.buffer, data.byteOffset + head, words);
  let lo = r.lo, hi = r.hi;
  for (let i = 0; i < view.length; i += 2) {
    const one = (view[i] as number) ^ lo;
    const two = (view[i + 1] as number) ^ hi;
    const a = 1792 + (one & 0xff), b = 1536 + ((one >>> 8) & 0xff), c = 1280 + ((one >>> 16) & 0xff), d = 1024 + (one >>> 24);
    const e = 768 + (two & 0xff), f = 512 + ((two >>> 8) & 0xff), g = 256 + ((two >>> 16) & 0xff), h = two >>> 24;
    lo = (tl[a] as number) ^ (tl[b] as number) ^ (tl[c] as number) ^ (tl[d] as number)
      ^ (tl[e] as number) ^ (tl[f] as number) ^ (tl[g] as number) ^ (tl[h] as number);
    hi = (th[a] as number) ^ (th[b] as number) ^ (th[c] as number) ^ (th[d] as number)
      ^ (th[e] as number) ^ (th[f] as number) ^ (th[g] as number) ^ (th[h] as number);
  }
  r.lo = lo;
  r.hi = hi;
  bytes64(r, data, head + (words << 2), end, tables);
}

// ---------------------------------------------------------------------------------------------
// Engine.

function checkRange(data: Uint8Array, offset: number, length: number): void {
  if (!(Number.isInteger(offset) && offset >= 0 && offset <= data.length)) assert(false, `crc: offset ${offset} outside 0..${data.length}`);
  if (!(Number.isInteger(length) && length >= 0 && offset + length <= data.length)) assert(false, `crc: length ${length} past the end`);
}

/** Conversions between a model's output value and its byte-stream-domain register. */
class Domain {
  readonly registerBits: number;
  constructor(private readonly model: CrcParams) {
    this.registerBits = model.width <= 32 ? 32 : 64;
  }

  /** Register (stream domain, bigint over registerBits) → output value. */
  finalizeBig(state: bigint): bigint {
    const { width, refin, refout, xorout } = this.model;
    const reg = refin ? state : byteSwapBig(state, this.registerBits) >> BigInt(this.registerBits - width);
    return (refin === refout ? reg : reflectBig(reg, width)) ^ xorout;
  }

  initialBig(): bigint {
    const { width, refin, init } = this.model;
    return refin ? reflectBig(init, width) : byteSwapBig(init << BigInt(this.registerBits - width), this.registerBits);
  }

  /** Width ≤ 32: int32 register → unsigned output value. */
  finalize32(state: number): number {
    const { width, refin, refout } = this.model;
    const reg = refin ? state >>> 0 : byteSwap32(state) >>> (32 - width);
    return ((refin === refout ? reg : reflect32(reg, width)) ^ Number(this.model.xorout)) >>> 0;
  }

  /** Inverse of finalize32 (for accelerators, which take and return output values). */
  unfinalize32(value: number): number {
    const { width, refin, refout } = this.model;
    const x = (value ^ Number(this.model.xorout)) >>> 0;
    const reg = refin === refout ? x : reflect32(x, width);
    return refin ? reg | 0 : byteSwap32(reg << (32 - width)) | 0;
  }
}

type Updater = (state: Register64, data: Uint8Array, offset: number, length: number) => void;

function makeUpdater(model: CrcParams, domain: Domain, options: CrcOptions): Updater {
  const tables = buildTables(model, domain.registerBits);
  const bytewise = options.method === 'bytewise';
  if (domain.registerBits === 64) {
    return bytewise
      ? (r, data, offset, length) => { bytes64(r, data, offset, offset + length, tables); }
      : (r, data, offset, length) => { sliced64(r, data, offset, length, tables); };
  }
  const accelerate = options.accelerator;
  if (accelerate !== undefined) {
    return (r, data, offset, length) => {
      const before = domain.finalize32(r.lo);
      r.lo = domain.unfinalize32(accelerate(data.subarray(offset, offset + length), before) >>> 0);
    };
  }
  return bytewise
    ? (r, data, offset, length) => { r.lo = bytes32(r.lo, data, offset, offset + length, tables.lo); }
    : (r, data, offset, length) => { r.lo = sliced32(r.lo, data, offset, length, tables.lo); };
}

function buildCrc(model: CrcModel, options: CrcOptions): Crc {
  const domain = new Domain(model);
  const update = makeUpdater(model, domain, options);
  const initial = domain.initialBig();
  const init: Register64 = { lo: Number(BigInt.asIntN(32, initial)), hi: Number(BigInt.asIntN(32, initial >> 32n)) };
  const digestBig = (r: Register64): bigint => domain.finalizeBig((BigInt(r.hi >>> 0) << 32n) | BigInt(r.lo >>> 0));
  const digest = (r: Register64): number => {
    if (!(model.width <= 32)) assert(false, `crc: ${model.name} is ${model.width} bits wide; use the bigint digest`);
    return domain.finalize32(r.lo);
  };
  const run = (data: Uint8Array, offset: number, length: number): Register64 => {
    checkRange(data, offset, length);
    const r = { ...init };
    update(r, data, offset, length);
    return r;
  };
  return {
    model,
    compute: (data, offset = 0, length = data.length - offset) => digest(run(data, offset, length)),
    computeBig: (data, offset = 0, length = data.length - offset) => digestBig(run(data, offset, length)),
    begin: () => {
      const r = { ...init };
      return {
        update: (data, offset = 0, length = data.length - offset) => {
          checkRange(data, offset, length);
          update(r, data, offset, length);
        },
        digest: () => digest(r),
        digestBig: () => digestBig(r),
      };
    },
  };
}
