/**
 * GDB Remote Serial Protocol replies (docs/GDB.md): stop replies, 'E' errors, the qSupported
 * feature list, qXfer chunks and the target description (target.xml and the features it
 * includes) that gives the register numbering. Pure; every parser returns Result and never
 * throws; every loop is bounded by its input, itself bounded by the packet codec (./gdb-rsp.ts).
 */
import { assert } from '../assert.js';
import { err, ok, type Result } from '../result.js';
import { RSP_REGISTER_BYTES_MAX } from './gdb-rsp.js';

/** Most registers a target description may define. */
export const GDB_REGISTERS_MAX = 512;
/** Most features one description file may include (xi:include). */
export const GDB_INCLUDES_MAX = 16;
/** Most register values one 'T' stop reply may carry. */
export const GDB_STOP_PAIRS_MAX = 128;

export type GdbReplyError = { readonly code: 'bad_reply'; readonly reason: string };

const bad = (reason: string): { readonly ok: false; readonly error: GdbReplyError } => err({ code: 'bad_reply', reason });

export type StopReply =
  /** 'S xx' / 'T xx n:v;…': the target stopped with a signal (5 = SIGTRAP after a step, 2 = SIGINT after 0x03). */
  | { readonly kind: 'signal'; readonly signal: number; readonly registers: ReadonlyMap<number, string>; readonly thread?: string }
  /** 'W xx': the process exited. */
  | { readonly kind: 'exited'; readonly status: number }
  /** 'X xx': the process was killed by a signal. */
  | { readonly kind: 'killed'; readonly signal: number }
  /** 'O hex': console output while running (not a stop). */
  | { readonly kind: 'output'; readonly text: string };

const HEX_BYTE = /^[0-9a-fA-F]{2}/;

function hexByteAt(text: string, at: number): number | undefined {
  const digits = HEX_BYTE.exec(text.slice(at, at + 2))?.[0];
  return digits === undefined ? undefined : parseInt(digits, 16);
}

/** 'E xx' (and 'E.text') error replies: the errno, or undefined when `reply` is not one. */
export function parseErrorReply(reply: string): number | undefined {
  if (!reply.startsWith('E')) return undefined;
  if (reply.startsWith('E.')) return 0;
  return reply.length === 3 ? hexByteAt(reply, 1) : undefined;
}

export function parseStopReply(reply: string): Result<StopReply, GdbReplyError> {
  const kind = reply.charAt(0);
  if (kind === 'O') return outputReply(reply);
  const code = hexByteAt(reply, 1);
  if (code === undefined) return bad(`not a stop reply: ${JSON.stringify(reply.slice(0, 40))}`);
  switch (kind) {
    case 'S': return reply.length === 3 ? ok({ kind: 'signal', signal: code, registers: new Map() }) : bad('S reply has extra bytes');
    case 'W': return ok({ kind: 'exited', status: code });
    case 'X': return ok({ kind: 'killed', signal: code });
    case 'T': return tReply(code, reply.slice(3));
    default: return bad(`not a stop reply: ${JSON.stringify(reply.slice(0, 40))}`);
  }
}

function outputReply(reply: string): Result<StopReply, GdbReplyError> {
  const digits = reply.slice(1);
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return bad('O reply is not hex');
  let text = '';
  for (let i = 0; i < digits.length; i += 2) text += String.fromCharCode(parseInt(digits.slice(i, i + 2), 16));
  return ok({ kind: 'output', text });
}

/** 'T' pairs: `n:r;` (n a hex register number) or `name:value;` (thread, watch, swbreak…). */
function tReply(signal: number, rest: string): Result<StopReply, GdbReplyError> {
  const registers = new Map<number, string>();
  let thread: string | undefined;
  const pairs = rest.split(';').filter((p) => p.length > 0);
  if (pairs.length > GDB_STOP_PAIRS_MAX) return bad(`T reply with more than ${GDB_STOP_PAIRS_MAX} pairs`);
  for (const pair of pairs) {
    const colon = pair.indexOf(':');
    if (colon <= 0) return bad(`T reply pair ${JSON.stringify(pair.slice(0, 40))} has no name`);
    const name = pair.slice(0, colon);
    const value = pair.slice(colon + 1);
    if (/^[0-9a-fA-F]+$/.test(name)) registers.set(parseInt(name, 16), value);
    else if (name === 'thread') thread = value;
  }
  return ok(thread === undefined ? { kind: 'signal', signal, registers } : { kind: 'signal', signal, registers, thread });
}

/** The stub's features from a qSupported reply: `name+`, `name-`, `name?` or `name=value`. */
export interface SupportedFeatures {
  /** Largest packet the stub accepts (PacketSize, bytes). */
  readonly packetBytes: number | undefined;
  readonly features: ReadonlyMap<string, string | boolean>;
}

export function parseSupported(reply: string): Result<SupportedFeatures, GdbReplyError> {
  const features = new Map<string, string | boolean>();
  const items = reply.split(';').filter((i) => i.length > 0);
  if (items.length > GDB_REGISTERS_MAX) return bad('qSupported reply has too many features');
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq > 0) features.set(item.slice(0, eq), item.slice(eq + 1));
    else if (item.endsWith('+') || item.endsWith('-') || item.endsWith('?')) features.set(item.slice(0, -1), item.endsWith('+'));
    else return bad(`qSupported item ${JSON.stringify(item.slice(0, 40))} is not name+, name- or name=value`);
  }
  const size = features.get('PacketSize');
  if (size === undefined) return ok({ packetBytes: undefined, features });
  if (typeof size !== 'string' || !/^[0-9a-fA-F]{1,8}$/.test(size)) return bad('PacketSize is not hex');
  return ok({ packetBytes: parseInt(size, 16), features });
}

/** A qXfer reply: 'm' data (more follows) or 'l' data (last). */
export function parseXferChunk(reply: Uint8Array): Result<{ readonly last: boolean; readonly data: Uint8Array }, GdbReplyError> {
  const first = reply[0];
  if (first === 0x6d) return ok({ last: false, data: reply.subarray(1) });
  if (first === 0x6c) return ok({ last: true, data: reply.subarray(1) });
  return bad('qXfer reply starts with neither m nor l');
}

// ---------------------------------------------------------------------------------------
// Target description

export interface RegisterDescription {
  readonly name: string;
  readonly bitsize: number;
  /** Set when the description gives one; otherwise the register follows the one before. */
  readonly regnum?: number;
}

export interface TargetFile {
  readonly includes: readonly string[];
  readonly registers: readonly RegisterDescription[];
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`).exec(tag);
  return match?.[1];
}

/** The `<xi:include href>` and `<reg>` elements of one description file, in order. */
export function parseTargetXml(xml: string): Result<TargetFile, GdbReplyError> {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  const includes: string[] = [];
  const registers: RegisterDescription[] = [];
  for (const match of text.matchAll(/<(xi:include|reg)\b[^>]*>/g)) {
    const tag = match[0];
    if (match[1] === 'xi:include') {
      const href = attribute(tag, 'href');
      if (href === undefined || !/^[\w.-]+$/.test(href)) return bad(`xi:include without a plain href: ${tag.slice(0, 60)}`);
      if (includes.length >= GDB_INCLUDES_MAX) return bad(`more than ${GDB_INCLUDES_MAX} includes`);
      includes.push(href);
      continue;
    }
    const reg = registerOf(tag);
    if (!reg.ok) return reg;
    if (registers.length >= GDB_REGISTERS_MAX) return bad(`more than ${GDB_REGISTERS_MAX} registers`);
    registers.push(reg.value);
  }
  return ok({ includes, registers });
}

function registerOf(tag: string): Result<RegisterDescription, GdbReplyError> {
  const name = attribute(tag, 'name');
  const bitsize = Number(attribute(tag, 'bitsize'));
  const regnumText = attribute(tag, 'regnum');
  if (name === undefined || name.length === 0 || name.length > 32) return bad(`reg without a name: ${tag.slice(0, 60)}`);
  if (!Number.isInteger(bitsize) || bitsize <= 0 || bitsize % 8 !== 0 || bitsize > 8 * RSP_REGISTER_BYTES_MAX) return bad(`reg ${name}: bitsize must be 8..128 in whole bytes`);
  if (regnumText === undefined) return ok({ name, bitsize });
  const regnum = Number(regnumText);
  if (!/^\d{1,4}$/.test(regnumText) || regnum >= GDB_REGISTERS_MAX * 4) return bad(`reg ${name}: bad regnum ${JSON.stringify(regnumText)}`);
  return ok({ name, bitsize, regnum });
}

/**
 * One register by name: its number for 'p'/'P', and where its bytes sit in that register's
 * value (a Cortex-M s register is one half of a d register: offsetBytes 0 or 4 of 8).
 */
export interface RegisterEntry {
  readonly name: string;
  readonly regnum: number;
  readonly bytes: number;
  readonly offsetBytes: number;
  readonly containerBytes: number;
}

/**
 * Numbers the registers as GDB does (in order from 0; a `regnum` restarts the count there) and
 * adds s0–s31 as the halves of d0–d15 when the target has d registers but no s registers.
 */
export function registerTable(descriptions: readonly RegisterDescription[]): Result<ReadonlyMap<string, RegisterEntry>, GdbReplyError> {
  const table = new Map<string, RegisterEntry>();
  let next = 0;
  for (const d of descriptions) {
    const regnum = d.regnum ?? next;
    const bytes = d.bitsize / 8;
    if (table.has(d.name)) return bad(`register ${d.name} is described twice`);
    table.set(d.name, { name: d.name, regnum, bytes, offsetBytes: 0, containerBytes: bytes });
    next = regnum + 1;
  }
  addSingleViews(table);
  assert(table.size <= 2 * GDB_REGISTERS_MAX, 'register table grew past its bound');
  return ok(table);
}

function addSingleViews(table: Map<string, RegisterEntry>): void {
  if (table.has('s0')) return;
  for (let k = 0; k < 16; k++) {
    const d = table.get(`d${k}`);
    if (d?.bytes !== 8) continue;
    for (const half of [0, 1]) table.set(`s${2 * k + half}`, { name: `s${2 * k + half}`, regnum: d.regnum, bytes: 4, offsetBytes: 4 * half, containerBytes: 8 });
  }
}

/** What a stub without a target description is assumed to number: r0–r12, sp, lr, pc as 0–15. */
export const FALLBACK_REGISTERS: readonly RegisterDescription[] = [
  ...Array.from({ length: 13 }, (_, i) => ({ name: `r${i}`, bitsize: 32 })),
  { name: 'sp', bitsize: 32 }, { name: 'lr', bitsize: 32 }, { name: 'pc', bitsize: 32 },
];
