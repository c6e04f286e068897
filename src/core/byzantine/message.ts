/**
 * The exchange message of the agreement layer (docs/BYZANTINE.md, "Wire format"): one channel's
 * reading (a vector of float64 values) for one cycle, sent directly by its origin (round 1) or
 * relayed by another channel (round 2), optionally carrying the origin's signature and, on a
 * relay, the relayer's countersignature (SM(1)).
 *
 * Layout (little-endian):
 *   [0]      type: 1 direct, 2 relay
 *   [1]      relayer node (0xff on a direct message)
 *   [2]      origin node
 *   [3..6]   cycle (uint32): the freshness counter; the signed body includes it, so a replayed
 *            message is rejected by every receiver
 *   [7]      axis count n (1..EXCHANGE_AXES_MAX)
 *   [8..8+8n) values (float64)
 *   then     signature count s (0..2), then s × { signer (1), length L (1..SIGNATURE_BYTES_MAX), L bytes }
 * Bytes [2..8+8n) are the *body*; signatures cover domain-separated copies of it
 * (`originSignedBytes`, `relaySignedBytes`), so relaying never invalidates the origin signature.
 *
 * `decodeExchangeMessage` decodes outside bytes: it returns a Result and never throws.
 */
import { err, ok, type Result } from '../result.js';
import { assert } from '../assert.js';

export const EXCHANGE_AXES_MAX = 16;
/** Most nodes on the fabric: four channels and the actuator voter. */
export const FABRIC_NODES_MAX = 5;
export const SIGNATURE_BYTES_MAX = 64;
export const SIGNATURES_MAX = 2;
export const NO_RELAYER = 0xff;
export const BODY_OFFSET = 2;
export const VALUES_OFFSET = 8;
export const EXCHANGE_MESSAGE_BYTES_MAX = VALUES_OFFSET + 8 * EXCHANGE_AXES_MAX + 1 + SIGNATURES_MAX * (2 + SIGNATURE_BYTES_MAX);

const TYPE_DIRECT = 1;
const TYPE_RELAY = 2;
const DOMAIN_ORIGIN = 0x4f; // 'O'
const DOMAIN_RELAY = 0x52; // 'R'

export interface Signature {
  readonly signer: number;
  readonly bytes: Uint8Array;
}

export interface ExchangeMessage {
  readonly type: 'direct' | 'relay';
  readonly origin: number;
  /** The relaying node, or NO_RELAYER on a direct message. */
  readonly relayer: number;
  readonly cycle: number;
  readonly values: Float64Array;
  readonly signatures: readonly Signature[];
}

export type ExchangeDecodeError =
  | { readonly code: 'truncated'; readonly lengthBytes: number; readonly neededBytes: number }
  | { readonly code: 'bad_type'; readonly type: number }
  | { readonly code: 'bad_node'; readonly field: 'origin' | 'relayer' | 'signer'; readonly node: number }
  | { readonly code: 'bad_axis_count'; readonly axisCount: number }
  | { readonly code: 'bad_signature_count'; readonly count: number }
  | { readonly code: 'bad_signature_length'; readonly lengthBytes: number }
  | { readonly code: 'trailing_bytes'; readonly extraBytes: number };

function encodedLength(message: ExchangeMessage): number {
  let length = VALUES_OFFSET + 8 * message.values.length + 1;
  for (const s of message.signatures) length += 2 + s.bytes.length;
  return length;
}

function checkMessage(m: ExchangeMessage): void {
  assert(m.origin >= 0 && m.origin < FABRIC_NODES_MAX, `exchange message: bad origin ${m.origin}`);
  const relayerOk = m.type === 'direct' ? m.relayer === NO_RELAYER : m.relayer >= 0 && m.relayer < FABRIC_NODES_MAX;
  assert(relayerOk, `exchange message: bad relayer ${m.relayer} for ${m.type}`);
  assert(Number.isInteger(m.cycle) && m.cycle >= 0 && m.cycle <= 0xffffffff, 'exchange message: bad cycle');
  assert(m.values.length >= 1 && m.values.length <= EXCHANGE_AXES_MAX, 'exchange message: bad axis count');
  assert(m.signatures.length <= SIGNATURES_MAX, 'exchange message: too many signatures');
  for (const s of m.signatures) assert(s.bytes.length >= 1 && s.bytes.length <= SIGNATURE_BYTES_MAX, 'exchange message: bad signature length');
}

/** Encodes a message (fresh buffer). Programmer errors (out-of-range fields) assert. */
export function encodeExchangeMessage(message: ExchangeMessage): Uint8Array {
  checkMessage(message);
  const out = new Uint8Array(encodedLength(message));
  const view = new DataView(out.buffer);
  out[0] = message.type === 'direct' ? TYPE_DIRECT : TYPE_RELAY;
  out[1] = message.relayer;
  out[2] = message.origin;
  view.setUint32(3, message.cycle, true);
  out[7] = message.values.length;
  let at = VALUES_OFFSET;
  for (const v of message.values) {
    view.setFloat64(at, v, true);
    at += 8;
  }
  out[at++] = message.signatures.length;
  for (const s of message.signatures) {
    out[at++] = s.signer;
    out[at++] = s.bytes.length;
    out.set(s.bytes, at);
    at += s.bytes.length;
  }
  assert(at === out.length, 'encodeExchangeMessage: length mismatch');
  return out;
}

function decodeHeader(bytes: Uint8Array): Result<{ type: 'direct' | 'relay'; axisCount: number }, ExchangeDecodeError> {
  if (bytes.length < VALUES_OFFSET) return err({ code: 'truncated', lengthBytes: bytes.length, neededBytes: VALUES_OFFSET });
  const typeByte = bytes[0] ?? 0;
  if (typeByte !== TYPE_DIRECT && typeByte !== TYPE_RELAY) return err({ code: 'bad_type', type: typeByte });
  const type = typeByte === TYPE_DIRECT ? 'direct' : 'relay';
  const relayer = bytes[1] ?? 0;
  const relayerOk = type === 'direct' ? relayer === NO_RELAYER : relayer < FABRIC_NODES_MAX;
  if (!relayerOk) return err({ code: 'bad_node', field: 'relayer', node: relayer });
  const origin = bytes[2] ?? 0;
  if (origin >= FABRIC_NODES_MAX) return err({ code: 'bad_node', field: 'origin', node: origin });
  const axisCount = bytes[7] ?? 0;
  if (axisCount < 1 || axisCount > EXCHANGE_AXES_MAX) return err({ code: 'bad_axis_count', axisCount });
  return ok({ type, axisCount });
}

function decodeSignatures(bytes: Uint8Array, start: number): Result<Signature[], ExchangeDecodeError> {
  if (bytes.length < start + 1) return err({ code: 'truncated', lengthBytes: bytes.length, neededBytes: start + 1 });
  const count = bytes[start] ?? 0;
  if (count > SIGNATURES_MAX) return err({ code: 'bad_signature_count', count });
  const signatures: Signature[] = [];
  let at = start + 1;
  for (let i = 0; i < count; i++) {
    if (bytes.length < at + 2) return err({ code: 'truncated', lengthBytes: bytes.length, neededBytes: at + 2 });
    const signer = bytes[at] ?? 0;
    const lengthBytes = bytes[at + 1] ?? 0;
    if (signer >= FABRIC_NODES_MAX) return err({ code: 'bad_node', field: 'signer', node: signer });
    if (lengthBytes < 1 || lengthBytes > SIGNATURE_BYTES_MAX) return err({ code: 'bad_signature_length', lengthBytes });
    at += 2;
    if (bytes.length < at + lengthBytes) return err({ code: 'truncated', lengthBytes: bytes.length, neededBytes: at + lengthBytes });
    signatures.push({ signer, bytes: bytes.slice(at, at + lengthBytes) });
    at += lengthBytes;
  }
  if (at !== bytes.length) return err({ code: 'trailing_bytes', extraBytes: bytes.length - at });
  return ok(signatures);
}

/** Decodes outside bytes. Never throws; bounded by EXCHANGE_MESSAGE_BYTES_MAX of work. */
export function decodeExchangeMessage(bytes: Uint8Array): Result<ExchangeMessage, ExchangeDecodeError> {
  const header = decodeHeader(bytes);
  if (!header.ok) return header;
  const { type, axisCount } = header.value;
  const valuesEnd = VALUES_OFFSET + 8 * axisCount;
  if (bytes.length < valuesEnd) return err({ code: 'truncated', lengthBytes: bytes.length, neededBytes: valuesEnd });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float64Array(axisCount);
  for (let a = 0; a < axisCount; a++) values[a] = view.getFloat64(VALUES_OFFSET + 8 * a, true);
  const signatures = decodeSignatures(bytes, valuesEnd);
  if (!signatures.ok) return signatures;
  return ok({ type, relayer: bytes[1] ?? 0, origin: bytes[2] ?? 0, cycle: view.getUint32(3, true), values, signatures: signatures.value });
}

/** The body bytes [origin, cycle, axis count, values] of a message, as encoded. */
export function messageBody(origin: number, cycle: number, values: Float64Array): Uint8Array {
  const message: ExchangeMessage = { type: 'direct', origin, relayer: NO_RELAYER, cycle, values, signatures: [] };
  const encoded = encodeExchangeMessage(message);
  return encoded.subarray(BODY_OFFSET, VALUES_OFFSET + 8 * values.length);
}

/** What the origin signs: 'O' ‖ body. */
export function originSignedBytes(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = DOMAIN_ORIGIN;
  out.set(body, 1);
  return out;
}

/** What a relayer signs: 'R' ‖ relayer ‖ body ‖ origin signature. */
export function relaySignedBytes(relayer: number, body: Uint8Array, originSignature: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + body.length + originSignature.length);
  out[0] = DOMAIN_RELAY;
  out[1] = relayer;
  out.set(body, 2);
  out.set(originSignature, 2 + body.length);
  return out;
}

/** Exact equality of two value vectors (bit patterns of finite values; NaN never equal). */
export function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether two signed value vectors are the same statement of their origin (SM(1), node.ts):
 * SameValue per entry, so NaN ("no value": the origin's reading was stale or absent) equals NaN,
 * and +0 and −0 differ. An honest origin signs one vector per cycle; with `sameValues` a NaN in it
 * would make its own relays look like a second, distinct value — a false proof against it.
 */
export function sameStatement(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
