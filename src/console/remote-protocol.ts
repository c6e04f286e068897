/**
 * The remote console's wire format (docs/CONSOLE.md, "Remote consoles"): each message is a
 * 4-byte big-endian length followed by that many bytes of standard CBOR (RFC 8949; cbor-x with
 * `useRecords: false`, byte strings untagged) encoding a map with a text key `t`:
 *
 *   server → client  { t: 'hello', v: 1, rig, auth, challenge }   on connect
 *   client → server  { t: 'auth', mac }                            mac = HMAC-SHA256(token, AUTH_CONTEXT ‖ challenge)
 *   server → client  { t: 'ready' }                                authenticated (or no auth needed)
 *   client → server  { t: 'cmd', id, line }
 *   server → client  { t: 'reply', id, ok, text, quit }
 *   server → client  { t: 'error', code, message }                 then the server closes the connection
 *
 * Everything here is pure: decoding outside bytes returns a Result and never throws; the frame
 * reader holds at most one frame's bytes, so a lying length prefix cannot grow memory.
 */
import { Decoder, Encoder } from 'cbor-x';
import { assert } from '../core/assert.js';
import { err, ok, type Result } from '../core/result.js';
import { CONSOLE_LINE_CHARS_MAX } from './parse.js';

export const PROTOCOL_VERSION = 1;
export const LENGTH_PREFIX_BYTES = 4;
/** Largest message a client may send (a command line is at most 1 KiB). */
export const CLIENT_MESSAGE_BYTES_MAX = 4096;
/** Largest message a server may send (status tables, hex dumps). */
export const SERVER_MESSAGE_BYTES_MAX = 65_536;
export const CHALLENGE_BYTES = 32;
export const MAC_BYTES = 32;
export const REPLY_TEXT_CHARS_MAX = 60_000;
export const RIG_NAME_CHARS_MAX = 64;
export const ERROR_CODES = ['bad_message', 'oversized', 'unauthenticated', 'auth_failed', 'busy', 'timeout', 'flooded'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
/** Domain separation for the MAC: a MAC for this protocol is useless anywhere else. */
export const AUTH_CONTEXT = 'triplex-console-auth-v1\0';

export type ClientMessage =
  | { readonly t: 'auth'; readonly mac: Uint8Array }
  | { readonly t: 'cmd'; readonly id: number; readonly line: string };

export type ServerMessage =
  | { readonly t: 'hello'; readonly v: number; readonly rig: string; readonly auth: boolean; readonly challenge: Uint8Array }
  | { readonly t: 'ready' }
  | { readonly t: 'reply'; readonly id: number; readonly ok: boolean; readonly text: string; readonly quit: boolean }
  | { readonly t: 'error'; readonly code: ErrorCode; readonly message: string };

export type DecodeError =
  | { readonly code: 'not_cbor'; readonly message: string }
  | { readonly code: 'bad_shape'; readonly message: string };

const encoder = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: true });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

/** Length prefix + CBOR of a message. */
export function encodeMessage(message: ClientMessage | ServerMessage): Uint8Array {
  const body = encoder.encode(message);
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, LENGTH_PREFIX_BYTES);
  return out;
}

type Obj = Readonly<Record<string, unknown>>;

function shape(message: string): Result<never, DecodeError> {
  return err({ code: 'bad_shape', message });
}

function decodeCbor(body: Uint8Array): Result<Obj, DecodeError> {
  let value: unknown;
  try {
    value = decoder.decode(body);
  } catch (error: unknown) {
    return err({ code: 'not_cbor', message: (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 120) ?? 'decode error' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return shape('not a map');
  return ok(value as Obj);
}

function keysExactly(o: Obj, keys: readonly string[]): boolean {
  const own = Object.keys(o);
  return own.length === keys.length && own.every((k) => keys.includes(k));
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isText(value: unknown, charsMax: number): value is string {
  return typeof value === 'string' && value.length <= charsMax;
}

export function decodeClientMessage(body: Uint8Array): Result<ClientMessage, DecodeError> {
  const decoded = decodeCbor(body);
  if (!decoded.ok) return decoded;
  const o = decoded.value;
  if (o.t === 'auth' && keysExactly(o, ['t', 'mac']) && isBytes(o.mac, MAC_BYTES)) return ok({ t: 'auth', mac: o.mac });
  if (o.t === 'cmd' && keysExactly(o, ['t', 'id', 'line']) && isId(o.id) && isText(o.line, CONSOLE_LINE_CHARS_MAX)) return ok({ t: 'cmd', id: o.id, line: o.line });
  return shape(typeof o.t === 'string' ? `bad '${o.t.slice(0, 16)}' message` : 'no message type');
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function decodeServerMessage(body: Uint8Array): Result<ServerMessage, DecodeError> {
  const decoded = decodeCbor(body);
  if (!decoded.ok) return decoded;
  const o = decoded.value;
  switch (o.t) {
    case 'hello':
      if (keysExactly(o, ['t', 'v', 'rig', 'auth', 'challenge']) && isId(o.v) && isText(o.rig, RIG_NAME_CHARS_MAX) && typeof o.auth === 'boolean' && isBytes(o.challenge, CHALLENGE_BYTES)) {
        return ok({ t: 'hello', v: o.v, rig: o.rig, auth: o.auth, challenge: o.challenge });
      }
      break;
    case 'ready':
      if (keysExactly(o, ['t'])) return ok({ t: 'ready' });
      break;
    case 'reply':
      if (keysExactly(o, ['t', 'id', 'ok', 'text', 'quit']) && isId(o.id) && typeof o.ok === 'boolean' && isText(o.text, REPLY_TEXT_CHARS_MAX) && typeof o.quit === 'boolean') {
        return ok({ t: 'reply', id: o.id, ok: o.ok, text: o.text, quit: o.quit });
      }
      break;
    case 'error':
      if (keysExactly(o, ['t', 'code', 'message']) && isErrorCode(o.code) && isText(o.message, REPLY_TEXT_CHARS_MAX)) return ok({ t: 'error', code: o.code, message: o.message });
      break;
    default:
      break;
  }
  return shape(typeof o.t === 'string' ? `bad '${o.t.slice(0, 16)}' message` : 'no message type');
}

export type FrameError = { readonly code: 'oversized'; readonly bytes: number; readonly bytesMax: number };

/**
 * Splits a byte stream into length-prefixed messages. Holds at most one message (plus its
 * prefix) in a buffer allocated once; a prefix above `bytesMax` is an error and the reader
 * stops (the connection is to be closed — there is no way to resynchronise).
 */
export class FrameReader {
  private readonly buffer: Uint8Array;
  private filled = 0;
  private failed: FrameError | undefined;

  constructor(readonly bytesMax: number) {
    assert(Number.isInteger(bytesMax) && bytesMax > 0 && bytesMax <= 1 << 24, `bad bytesMax ${bytesMax}`);
    this.buffer = new Uint8Array(LENGTH_PREFIX_BYTES + bytesMax);
  }

  /** Feeds a chunk; returns the messages it completed (copies), or the error. */
  push(chunk: Uint8Array): Result<Uint8Array[], FrameError> {
    if (this.failed !== undefined) return err(this.failed);
    const frames: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) { // each pass consumes at least one byte of the chunk
      const need = this.needed();
      assert(need !== undefined, 'an oversized prefix is caught when it completes');
      const take = Math.min(need - this.filled, chunk.length - at);
      this.buffer.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      const length = this.filled >= LENGTH_PREFIX_BYTES ? this.length() : -1;
      if (length >= 0 && length > this.bytesMax) {
        this.failed = { code: 'oversized', bytes: length, bytesMax: this.bytesMax };
        return err(this.failed);
      }
      if (length >= 0 && this.filled === LENGTH_PREFIX_BYTES + length) {
        frames.push(this.buffer.slice(LENGTH_PREFIX_BYTES, this.filled));
        this.filled = 0;
      }
    }
    return ok(frames);
  }

  /** Bytes held for an unfinished message. */
  pendingBytes(): number {
    return this.filled;
  }

  private length(): number {
    return new DataView(this.buffer.buffer, 0, LENGTH_PREFIX_BYTES).getUint32(0);
  }

  /** Total bytes (prefix + body) the current message needs, once its prefix is known. */
  private needed(): number | undefined {
    if (this.filled < LENGTH_PREFIX_BYTES) return LENGTH_PREFIX_BYTES;
    const length = this.length();
    return length > this.bytesMax ? undefined : LENGTH_PREFIX_BYTES + length;
  }
}
