/**
 * GDB Remote Serial Protocol framing (docs/GDB.md), written from the protocol's public
 * description. Pure codec: no I/O, no clock; decoders return Result and never throw.
 *
 *   packet    = '$' body '#' HEXDIG HEXDIG       checksum: sum of the body's wire bytes mod 256
 *   ack       = '+' | '-'                         '-' asks the sender to send its last packet again
 *   interrupt = 0x03                              outside a packet (client to stub: stop the target)
 *   escape    = '}' (byte XOR 0x20)               for '$', '#', '}' and '*' inside a body
 *   run       = byte '*' count                    count - 29 more copies of the byte before it
 *
 * `RspDecoder` is a bounded state machine over a byte stream: every wire byte ends in a
 * fixed-size buffer or is counted as dropped, and a run-length expansion stops at
 * RSP_PAYLOAD_BYTES_MAX. Register values travel as hex, target byte order (little-endian
 * on Cortex-M).
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';

/** Most wire bytes between '$' and '#' the decoder keeps (a longer packet is dropped and reported). */
export const RSP_WIRE_BYTES_MAX = 0x4000;
/** Longest payload after unescaping and run-length expansion. */
export const RSP_PAYLOAD_BYTES_MAX = 0x10000;
/** Extra copies one run-length count may ask for: count byte 126 ('~') - 29. */
export const RSP_RUN_EXTRA_MAX = 126 - 29;
/** Bytes a register value may have (Arm Q registers are 16). */
export const RSP_REGISTER_BYTES_MAX = 16;

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;
const STAR = 0x2a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const INTERRUPT = 0x03;
const RUN_BIAS = 29;

export type RspPacketError =
  | { readonly code: 'checksum_mismatch'; readonly expected: number; readonly actual: number }
  | { readonly code: 'bad_checksum_digits'; readonly digits: string }
  | { readonly code: 'frame_too_long'; readonly lengthBytesMax: number }
  | { readonly code: 'payload_too_long'; readonly lengthBytesMax: number }
  | { readonly code: 'bad_run_length'; readonly offset: number }
  | { readonly code: 'bad_escape'; readonly offset: number };

export type RspEvent =
  | { readonly kind: 'ack' }
  | { readonly kind: 'nack' }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'packet'; readonly payload: Uint8Array }
  | { readonly kind: 'bad_packet'; readonly error: RspPacketError };

export type HexError =
  | { readonly code: 'odd_hex_length'; readonly digits: number }
  | { readonly code: 'bad_hex'; readonly offset: number }
  | { readonly code: 'unavailable' }
  | { readonly code: 'wrong_size'; readonly expectedBytes: number; readonly actualBytes: number };

export function formatRspPacketError(e: RspPacketError): string {
  switch (e.code) {
    case 'checksum_mismatch': return `checksum mismatch: the packet says ${hex2(e.expected)}, its bytes sum to ${hex2(e.actual)}`;
    case 'bad_checksum_digits': return `checksum digits ${JSON.stringify(e.digits)} are not hex`;
    case 'frame_too_long': return `packet longer than ${e.lengthBytesMax} bytes`;
    case 'payload_too_long': return `packet expands to more than ${e.lengthBytesMax} bytes`;
    case 'bad_run_length': return `bad run-length count at byte ${e.offset}`;
    case 'bad_escape': return `'}' escape without a byte at byte ${e.offset}`;
  }
}

const hex2 = (v: number): string => v.toString(16).padStart(2, '0');

/** Sum of the bytes mod 256: the checksum of a packet body as sent. */
export function rspChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum = (sum + byte) & 0xff;
  return sum;
}

const needsEscape = (byte: number): boolean => byte === DOLLAR || byte === HASH || byte === ESCAPE || byte === STAR;

/** Extra copies one count may ask for: at most 97, and never a count byte of '#' or '$'. */
function runExtra(run: number): number {
  const extra = Math.min(run - 1, RSP_RUN_EXTRA_MAX);
  return extra + RUN_BIAS === HASH || extra + RUN_BIAS === DOLLAR ? 5 : extra;
}

/**
 * The body of a packet: escaped, optionally run-length encoded (runs of four or more). Runs
 * of a byte that needs escaping are left unencoded, so readers that expand runs before or
 * after unescaping read the same bytes.
 */
export function encodeRspBody(payload: Uint8Array, runLength = false): Uint8Array {
  assert(payload.length <= RSP_PAYLOAD_BYTES_MAX, `RSP payload of ${payload.length} bytes exceeds ${RSP_PAYLOAD_BYTES_MAX}`);
  const out = new Uint8Array(2 * payload.length);
  let at = 0;
  for (let i = 0; i < payload.length;) {
    const byte = payload[i] ?? 0;
    if (needsEscape(byte)) { out[at++] = ESCAPE; out[at++] = byte ^ 0x20; i++; continue; }
    out[at++] = byte;
    let run = 1;
    while (runLength && i + run < payload.length && payload[i + run] === byte && run <= RSP_RUN_EXTRA_MAX) run++;
    const extra = run >= 4 ? runExtra(run) : 0;
    if (extra >= 3) { out[at++] = STAR; out[at++] = extra + RUN_BIAS; }
    i += 1 + (extra >= 3 ? extra : 0);
  }
  assert(at <= out.length, 'RSP body overran its buffer');
  return out.slice(0, at);
}

/** A whole packet, '$' body '#' checksum, ready for the wire. */
export function encodeRspPacket(payload: Uint8Array, runLength = false): Uint8Array {
  const body = encodeRspBody(payload, runLength);
  assert(body.length <= RSP_WIRE_BYTES_MAX * 8, 'RSP body unexpectedly long');
  const packet = new Uint8Array(body.length + 4);
  packet[0] = DOLLAR;
  packet.set(body, 1);
  packet[body.length + 1] = HASH;
  const sum = hex2(rspChecksum(body));
  packet[body.length + 2] = sum.charCodeAt(0);
  packet[body.length + 3] = sum.charCodeAt(1);
  return packet;
}

/**
 * Expands runs (on the wire bytes, as GDB does), then unescapes. Bounded by RSP_PAYLOAD_BYTES_MAX;
 * the checksum was checked already.
 */
export function decodeRspBody(body: Uint8Array): Result<Uint8Array, RspPacketError> {
  const expanded = expandRuns(body);
  if (!expanded.ok) return expanded;
  const wire = expanded.value;
  let at = 0;
  for (let i = 0; i < wire.length; i++) {
    const byte = wire[i] ?? 0;
    if (byte !== ESCAPE) { wire[at++] = byte; continue; }
    const next = wire[i + 1];
    if (next === undefined) return err({ code: 'bad_escape', offset: i });
    wire[at++] = next ^ 0x20;
    i++;
  }
  assert(at <= wire.length, 'unescaping grew the payload');
  return ok(wire.slice(0, at));
}

/** Length of `body` with its runs expanded, or why it is refused (measured first, so nothing is allocated for a refused packet). */
function expandedLength(body: Uint8Array): Result<number, RspPacketError> {
  let length = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== STAR) { length++; continue; }
    const count = body[i + 1];
    if (length === 0 || count === undefined || count < 0x20 || count > 0x7e) return err({ code: 'bad_run_length', offset: i });
    length += count - RUN_BIAS;
    i++;
  }
  return length > RSP_PAYLOAD_BYTES_MAX ? err({ code: 'payload_too_long', lengthBytesMax: RSP_PAYLOAD_BYTES_MAX }) : ok(length);
}

function expandRuns(body: Uint8Array): Result<Uint8Array, RspPacketError> {
  const length = expandedLength(body);
  if (!length.ok) return length;
  const out = new Uint8Array(length.value);
  let at = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i] ?? 0;
    if (byte !== STAR) { out[at++] = byte; continue; }
    const extra = (body[i + 1] ?? 0) - RUN_BIAS;
    out.fill(out[at - 1] ?? 0, at, at + extra);
    at += extra;
    i++;
  }
  assert(at === out.length, 'run expansion disagrees with its measured length');
  return ok(out);
}

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/** Checks a body against its two checksum digits, then decodes it. */
export function decodeRspFrame(body: Uint8Array, digits: readonly [number, number]): Result<Uint8Array, RspPacketError> {
  const hi = hexDigit(digits[0]);
  const lo = hexDigit(digits[1]);
  if (hi < 0 || lo < 0) return err({ code: 'bad_checksum_digits', digits: String.fromCharCode(digits[0], digits[1]) });
  const expected = (hi << 4) | lo;
  const actual = rspChecksum(body);
  if (expected !== actual) return err({ code: 'checksum_mismatch', expected, actual });
  return decodeRspBody(body);
}

type DecoderState = 'idle' | 'body' | 'overflow' | 'sum1' | 'sum2';

/**
 * Stream decoder: bytes in, events out. Bytes outside a packet other than '+', '-' and 0x03
 * are dropped and counted; an unescaped '$' inside a body starts a new packet (the cut one is
 * counted as dropped); a '$' in the overflow state is data of the dropped packet until '#'. The wire buffer is allocated once.
 */
export class RspDecoder {
  private state: DecoderState = 'idle';
  private readonly wire = new Uint8Array(RSP_WIRE_BYTES_MAX);
  private length = 0;
  private sum1 = 0;
  private droppedBytes = 0;
  private cutPackets = 0;

  /** Feeds a chunk; returns the events it completes, in order (at most one per byte). */
  push(chunk: Uint8Array): RspEvent[] {
    const events: RspEvent[] = [];
    for (const byte of chunk) {
      const event = this.step(byte);
      if (event !== undefined) events.push(event);
    }
    assert(events.length <= chunk.length, 'RSP decoder made more events than bytes');
    return events;
  }

  statistics(): { readonly droppedBytes: number; readonly cutPackets: number } {
    return { droppedBytes: this.droppedBytes, cutPackets: this.cutPackets };
  }

  private step(byte: number): RspEvent | undefined {
    switch (this.state) {
      case 'idle': return this.idle(byte);
      case 'body': return this.body(byte);
      case 'overflow': if (byte === HASH) this.state = 'sum1'; return undefined;
      case 'sum1': this.sum1 = byte; this.state = 'sum2'; return undefined;
      case 'sum2': return this.finish(byte);
    }
  }

  private idle(byte: number): RspEvent | undefined {
    if (byte === PLUS) return { kind: 'ack' };
    if (byte === MINUS) return { kind: 'nack' };
    if (byte === INTERRUPT) return { kind: 'interrupt' };
    if (byte === DOLLAR) this.start();
    else this.droppedBytes++;
    return undefined;
  }

  private start(): void {
    this.state = 'body';
    this.length = 0;
  }

  private body(byte: number): RspEvent | undefined {
    // '#' and '$' never appear raw inside a body (they are escaped), so they always frame.
    if (byte === HASH) { this.state = 'sum1'; return undefined; }
    if (byte === DOLLAR) { this.cutPackets++; this.droppedBytes += this.length + 1; this.start(); return undefined; }
    if (this.length >= RSP_WIRE_BYTES_MAX) { this.state = 'overflow'; this.length = RSP_WIRE_BYTES_MAX + 1; return undefined; }
    this.wire[this.length++] = byte;
    return undefined;
  }

  private finish(byte: number): RspEvent {
    this.state = 'idle';
    if (this.length > RSP_WIRE_BYTES_MAX) return { kind: 'bad_packet', error: { code: 'frame_too_long', lengthBytesMax: RSP_WIRE_BYTES_MAX } };
    const decoded = decodeRspFrame(this.wire.subarray(0, this.length), [this.sum1, byte]);
    return decoded.ok ? { kind: 'packet', payload: decoded.value } : { kind: 'bad_packet', error: decoded.error };
  }
}

// ---------------------------------------------------------------------------------------
// Text, hex and register values

/** ASCII command text to payload bytes (characters above 0xff are a programmer error). */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    assert(code <= 0xff, `RSP command text must be 8-bit, got U+${code.toString(16)}`);
    out[i] = code;
  }
  return out;
}

/** Payload bytes as text, one character per byte (latin1). */
export function bytesText(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

export function hexEncode(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += hex2(byte);
  return text;
}

/** Hex digits (either case) to bytes. */
export function hexDecode(text: string): Result<Uint8Array, HexError> {
  if (text.length % 2 !== 0) return err({ code: 'odd_hex_length', digits: text.length });
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(text.charCodeAt(2 * i));
    const lo = hexDigit(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return err({ code: 'bad_hex', offset: hi < 0 ? 2 * i : 2 * i + 1 });
    out[i] = (hi << 4) | lo;
  }
  return ok(out);
}

/** A register value as the stub sends it: `bytes` bytes of hex in target (little-endian) order; 'xx' means unavailable. */
export function decodeRegisterHex(text: string, bytes: number): Result<bigint, HexError> {
  assert(Number.isInteger(bytes) && bytes > 0 && bytes <= RSP_REGISTER_BYTES_MAX, `register size ${bytes} out of range`);
  if (text.startsWith('xx')) return err({ code: 'unavailable' });
  const decoded = hexDecode(text);
  if (!decoded.ok) return decoded;
  if (decoded.value.length !== bytes) return err({ code: 'wrong_size', expectedBytes: bytes, actualBytes: decoded.value.length });
  let value = 0n;
  for (let i = bytes - 1; i >= 0; i--) value = (value << 8n) | BigInt(decoded.value[i] ?? 0);
  return ok(value);
}

/** A register value as hex in little-endian order (the value must fit in `bytes`). */
export function encodeRegisterHex(value: bigint, bytes: number): string {
  assert(Number.isInteger(bytes) && bytes > 0 && bytes <= RSP_REGISTER_BYTES_MAX, `register size ${bytes} out of range`);
  assert(value >= 0n && value < 1n << BigInt(8 * bytes), `register value does not fit in ${bytes} bytes`);
  let text = '';
  let rest = value;
  for (let i = 0; i < bytes; i++) { text += hex2(Number(rest & 0xffn)); rest >>= 8n; }
  return text;
}
