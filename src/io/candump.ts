/**
 * candump `-L` log files (can-utils; python-can reads and writes them too): one frame a line,
 *
 *   (1436509052.249713) vcan0 044#2A366C2BBA
 *
 * a timestamp in seconds with a 6-digit (microsecond) or 9-digit (nanosecond) fraction, the
 * interface name, and the frame in the compact syntax (src/core/frame/can-text.ts). An
 * optional direction field `R` or `T` may follow (can-utils asc2log and `candump -x` write it).
 *
 * The writer prints canonical lines exactly as can-utils candump does
 * (`"(%010lu.%06lu) %s %s\n"`): seconds zero-padded to 10 digits, 6-digit fraction unless the
 * record asks for 9, upper-case hex, no data separators.
 *
 * The reader is a bounded line splitter: a line longer than CANDUMP_LINE_BYTES_MAX is
 * reported (and skipped) without ever being buffered whole; a malformed line is reported with
 * its line number and reading continues. Blank lines and lines starting with '#' are skipped.
 *
 * Simulated runs stamp their logs from a fixed epoch (SIM_LOG_EPOCH_SECONDS) plus simulated
 * microseconds, so a seeded run writes the same log bytes every time.
 */
import { open } from 'node:fs/promises';
import { assert } from '../core/assert.js';
import type { CanFrame } from '../core/frame/can.js';
import { describeCanTextError, formatCanFrame, parseCanFrame, type CanTextError } from '../core/frame/can-text.js';
import { err, ok, type Result } from '../core/result.js';
import { AtomicFile, writeFileAtomic } from './atomic.js';

/** Longest line read; can-utils' longest FD line with a 15-character interface is under 200. */
export const CANDUMP_LINE_BYTES_MAX = 512;
/** Linux IFNAMSIZ is 16 including the terminating NUL. */
export const CANDUMP_INTERFACE_CHARS_MAX = 15;
/** Seconds field: at most 12 digits (year 33658), so seconds × 10^9 + nanos stays exact in a bigint. */
export const CANDUMP_SECONDS_DIGITS_MAX = 12;
/** Fixed epoch of simulated logs: 2000-01-01T00:00:00Z in Unix seconds. */
export const SIM_LOG_EPOCH_SECONDS = 946_684_800;
/** Bytes read from a file at a time. */
export const CANDUMP_READ_CHUNK_BYTES = 1 << 16;

export type CandumpDirection = 'R' | 'T';

export interface CandumpRecord {
  /** Whole seconds of the timestamp (Unix time in real captures). */
  readonly seconds: number;
  /** Fraction of the second in nanoseconds, 0..999,999,999. */
  readonly nanos: number;
  /** Digits of the fraction as read (6 or 9); the writer prints this many. */
  readonly fractionDigits: 6 | 9;
  readonly iface: string;
  readonly frame: CanFrame;
  readonly direction?: CandumpDirection;
}

export type CandumpError =
  | { readonly code: 'line_too_long'; readonly lengthBytes: number; readonly lengthBytesMax: number }
  | { readonly code: 'bad_timestamp'; readonly column: number; readonly reason: string }
  | { readonly code: 'bad_interface'; readonly column: number; readonly reason: string }
  | { readonly code: 'bad_frame'; readonly column: number; readonly frameError: CanTextError }
  | { readonly code: 'trailing_text'; readonly column: number };

/** One line of English for a CandumpError (columns 1-based). */
export function describeCandumpError(error: CandumpError): string {
  switch (error.code) {
    case 'line_too_long': return `line is ${error.lengthBytes} bytes or more, at most ${error.lengthBytesMax}`;
    case 'bad_timestamp': return `bad timestamp at column ${error.column + 1}: ${error.reason}`;
    case 'bad_interface': return `bad interface name at column ${error.column + 1}: ${error.reason}`;
    case 'bad_frame': return `bad frame at column ${error.column + 1}: ${describeCanTextError(error.frameError)}`;
    case 'trailing_text': return `unexpected text at column ${error.column + 1} (only a direction R or T may follow the frame)`;
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB || code === CR;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function skipBlanks(line: string, at: number, end: number): number {
  let i = at;
  while (i < end && isBlank(line.charCodeAt(i))) i++;
  return i;
}

function skipField(line: string, at: number, end: number): number {
  let i = at;
  while (i < end && !isBlank(line.charCodeAt(i))) i++;
  return i;
}

/** Reads `count` decimal digits at `at` (already checked to be digits). */
function readDigits(line: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) value = value * 10 + (line.charCodeAt(i) - 0x30);
  return value;
}

interface Timestamp { readonly seconds: number; readonly nanos: number; readonly fractionDigits: 6 | 9; readonly end: number }

function timestampError(column: number, reason: string): Result<never, CandumpError> {
  return err({ code: 'bad_timestamp', column, reason });
}

function parseTimestamp(line: string, start: number, end: number): Result<Timestamp, CandumpError> {
  if (start >= end || line.charCodeAt(start) !== 0x28) return timestampError(0, "line must start with '('");
  let dot = start + 1;
  while (dot < end && isDigit(line.charCodeAt(dot))) dot++;
  const secondsDigits = dot - start - 1;
  if (secondsDigits < 1 || secondsDigits > CANDUMP_SECONDS_DIGITS_MAX) return timestampError(1, `seconds need 1 to ${CANDUMP_SECONDS_DIGITS_MAX} digits`);
  if (dot >= end || line.charCodeAt(dot) !== 0x2e) return timestampError(dot - start, "expected '.'");
  let close = dot + 1;
  while (close < end && isDigit(line.charCodeAt(close))) close++;
  const fractionDigits = close - dot - 1;
  if (fractionDigits !== 6 && fractionDigits !== 9) return timestampError(dot + 1 - start, `fraction needs 6 or 9 digits, has ${fractionDigits}`);
  if (close >= end || line.charCodeAt(close) !== 0x29) return timestampError(close - start, "expected ')'");
  const seconds = readDigits(line, start + 1, secondsDigits);
  const fraction = readDigits(line, dot + 1, fractionDigits);
  return ok({ seconds, nanos: fractionDigits === 6 ? fraction * 1000 : fraction, fractionDigits, end: close + 1 });
}

function parseInterface(line: string, start: number, end: number, lineStart: number): Result<string, CandumpError> {
  if (end === start) return err({ code: 'bad_interface', column: start - lineStart, reason: 'missing' });
  if (end - start > CANDUMP_INTERFACE_CHARS_MAX) return err({ code: 'bad_interface', column: start - lineStart, reason: `longer than ${CANDUMP_INTERFACE_CHARS_MAX} characters` });
  for (let i = start; i < end; i++) {
    const code = line.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return err({ code: 'bad_interface', column: i - lineStart, reason: 'not a printable ASCII character' });
  }
  return ok(line.slice(start, end));
}

function isInterfaceName(name: string): boolean {
  if (name.length === 0 || name.length > CANDUMP_INTERFACE_CHARS_MAX) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/**
 * Parses one candump -L line: `text[start, end)`, without its newline (trailing blanks and a
 * CR are ignored). Error columns count from `start`. Never throws.
 */
export function parseCandumpLine(text: string, start = 0, end = text.length): Result<CandumpRecord, CandumpError> {
  if (!(start >= 0 && start <= end && end <= text.length)) assert(false, 'parseCandumpLine range out of bounds');
  if (end - start > CANDUMP_LINE_BYTES_MAX) return err({ code: 'line_too_long', lengthBytes: end - start, lengthBytesMax: CANDUMP_LINE_BYTES_MAX });
  const stamp = parseTimestamp(text, start, end);
  if (!stamp.ok) return stamp;
  const ifaceStart = skipBlanks(text, stamp.value.end, end);
  if (ifaceStart === stamp.value.end) return timestampError(ifaceStart - start, "expected a space after ')'");
  const ifaceEnd = skipField(text, ifaceStart, end);
  const iface = parseInterface(text, ifaceStart, ifaceEnd, start);
  if (!iface.ok) return iface;
  const frameStart = skipBlanks(text, ifaceEnd, end);
  const frameEnd = skipField(text, frameStart, end);
  const frame = parseCanFrame(text, frameStart, frameEnd);
  if (!frame.ok) return err({ code: 'bad_frame', column: frameStart - start, frameError: frame.error });
  const { seconds, nanos, fractionDigits } = stamp.value;
  const extra = skipBlanks(text, frameEnd, end);
  if (extra === end) return ok({ seconds, nanos, fractionDigits, iface: iface.value, frame: frame.value });
  const code = text.charCodeAt(extra);
  if ((code === 0x52 || code === 0x54) && skipBlanks(text, extra + 1, end) === end) {
    return ok({ seconds, nanos, fractionDigits, iface: iface.value, frame: frame.value, direction: code === 0x52 ? 'R' : 'T' });
  }
  return err({ code: 'trailing_text', column: extra - start });
}

/** The timestamp as candump prints it, without parentheses: `%010lu.%06lu` (or 9 fraction digits). */
export function formatCandumpTimestamp(record: Pick<CandumpRecord, 'seconds' | 'nanos' | 'fractionDigits'>): string {
  const valid = Number.isSafeInteger(record.seconds) && record.seconds >= 0 && Number.isInteger(record.nanos) && record.nanos >= 0 && record.nanos < 1e9;
  if (!valid) assert(false, `candump timestamp out of range: ${record.seconds} s + ${record.nanos} ns`);
  const fraction = record.fractionDigits === 9 ? String(record.nanos).padStart(9, '0') : String(Math.floor(record.nanos / 1000)).padStart(6, '0');
  return `${String(record.seconds).padStart(10, '0')}.${fraction}`;
}

/** The canonical candump -L line for a record, without the newline. */
export function formatCandumpLine(record: CandumpRecord): string {
  if (!isInterfaceName(record.iface)) assert(false, `bad interface name '${record.iface}'`);
  const line = `(${formatCandumpTimestamp(record)}) ${record.iface} ${formatCanFrame(record.frame)}`;
  return record.direction === undefined ? line : `${line} ${record.direction}`;
}

/** The log timestamp of simulated time `simMicros`: the fixed epoch plus the simulated micros. */
export function simLogTimestamp(simMicros: number): { readonly seconds: number; readonly nanos: number } {
  if (!(Number.isSafeInteger(simMicros) && simMicros >= 0)) assert(false, `simulated micros must be a non-negative integer, got ${simMicros}`);
  const micros = simMicros % 1_000_000;
  return { seconds: SIM_LOG_EPOCH_SECONDS + (simMicros - micros) / 1_000_000, nanos: micros * 1000 };
}

/** A record stamped at simulated time `simMicros` (6-digit fraction). */
export function simLogRecord(simMicros: number, iface: string, frame: CanFrame): CandumpRecord {
  const { seconds, nanos } = simLogTimestamp(simMicros);
  return { seconds, nanos, fractionDigits: 6, iface, frame };
}

export type CandumpLine =
  | { readonly kind: 'record'; readonly lineNumber: number; readonly record: CandumpRecord }
  | { readonly kind: 'malformed'; readonly lineNumber: number; readonly error: CandumpError };

/**
 * Splits a byte stream into lines and parses each. Each chunk is decoded to one latin-1 string
 * and lines are parsed as ranges of it (no string per line). Memory is bounded: at most
 * `lineBytesMax` characters of an unfinished line are kept between chunks.
 */
export class CandumpReader {
  private readonly onLine: (line: CandumpLine) => void;
  private readonly lineBytesMax: number;
  private partial = '';
  /** The current line passed lineBytesMax: its bytes are counted and dropped up to the next newline. */
  private overflowBytes = 0;
  private lineNumber = 0;

  constructor(onLine: (line: CandumpLine) => void, lineBytesMax = CANDUMP_LINE_BYTES_MAX) {
    if (!(Number.isInteger(lineBytesMax) && lineBytesMax >= 1 && lineBytesMax <= CANDUMP_LINE_BYTES_MAX)) assert(false, `lineBytesMax must be 1..${CANDUMP_LINE_BYTES_MAX}`);
    this.onLine = onLine;
    this.lineBytesMax = lineBytesMax;
  }

  /** Lines seen so far (including blank, comment and malformed ones). */
  get linesRead(): number {
    return this.lineNumber;
  }

  push(chunk: Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const text = bytes.toString('latin1');
    let start = 0;
    while (start < text.length) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) {
        this.keepPartial(text, start);
        return;
      }
      this.finishLine(text, start, newline);
      start = newline + 1;
    }
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    if (this.partial.length > 0 || this.overflowBytes > 0) this.finishLine('', 0, 0);
  }

  private keepPartial(text: string, start: number): void {
    const length = text.length - start;
    if (this.overflowBytes > 0 || this.partial.length + length > this.lineBytesMax) {
      this.overflowBytes += this.partial.length + length;
      this.partial = '';
      return;
    }
    this.partial += text.slice(start);
  }

  private finishLine(text: string, start: number, end: number): void {
    this.lineNumber++;
    const length = this.partial.length + this.overflowBytes + (end - start);
    if (this.overflowBytes > 0 || length > this.lineBytesMax) {
      this.overflowBytes = 0;
      this.partial = '';
      this.onLine({ kind: 'malformed', lineNumber: this.lineNumber, error: { code: 'line_too_long', lengthBytes: length, lengthBytesMax: this.lineBytesMax } });
      return;
    }
    if (this.partial.length > 0) {
      const line = this.partial + text.slice(start, end);
      this.partial = '';
      this.parse(line, 0, line.length);
    } else {
      this.parse(text, start, end);
    }
  }

  private parse(text: string, start: number, end: number): void {
    const last = end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    if (last === start || text.charCodeAt(start) === 0x23 || skipBlanks(text, start, last) === last) return;
    const result = parseCandumpLine(text, start, last);
    this.onLine(result.ok
      ? { kind: 'record', lineNumber: this.lineNumber, record: result.value }
      : { kind: 'malformed', lineNumber: this.lineNumber, error: result.error });
  }
}

/**
 * Streams a candump log file through a CandumpReader in CANDUMP_READ_CHUNK_BYTES reads (one
 * buffer, reused). File system errors (missing file, a directory) reject with the fs error.
 */
export async function readCandumpFile(path: string, onLine: (line: CandumpLine) => void): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const reader = new CandumpReader(onLine);
    const buffer = Buffer.allocUnsafe(CANDUMP_READ_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      reader.push(buffer.subarray(0, bytesRead));
    }
    reader.end();
  } finally {
    await handle.close();
  }
}

/**
 * Buffers canonical lines and hands them to `sink` in pieces of about `flushChars`
 * characters, so writing a large log costs few write calls and bounded memory.
 */
export class CandumpWriter {
  private readonly sink: (text: string) => void;
  private readonly flushChars: number;
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(sink: (text: string) => void, flushChars = 1 << 16) {
    assert(Number.isInteger(flushChars) && flushChars >= 1, 'flushChars must be a positive integer');
    this.sink = sink;
    this.flushChars = flushChars;
  }

  write(record: CandumpRecord): void {
    this.writeLine(formatCandumpLine(record));
  }

  /** Appends an already formatted line (no newline). */
  writeLine(line: string): void {
    this.pending.push(line, '\n');
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= this.flushChars) this.flush();
  }

  flush(): void {
    if (this.pendingChars === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.sink(text);
  }
}

/**
 * A flight's frame log streamed to a candump -L file (`triplex run --candump`): memory is
 * bounded by the writer's flush size whatever the flight's length, the file is created before
 * the flight starts (a bad path fails at once, not after the flight), and it appears whole on
 * `commit` or not at all.
 */
export class CandumpFileLog {
  private readonly file: AtomicFile;
  private readonly writer: CandumpWriter;

  /** Throws the open error when the file cannot be created. */
  constructor(path: string, private readonly iface = 'can0') {
    this.file = new AtomicFile(path);
    this.writer = new CandumpWriter((text) => { this.file.write(text); });
  }

  /** The flight's FrameLog port: one line per delivered frame, stamped with simulated time. */
  readonly log = (frame: CanFrame, tsMicros: number): void => {
    this.writer.write(simLogRecord(Math.floor(tsMicros), this.iface, frame));
  };

  commit(): void {
    this.writer.flush();
    this.file.commit();
  }

  abort(): void {
    this.file.abort();
  }
}

/** Writes records as a candump -L file atomically (no partial file on failure). */
export function writeCandumpFile(path: string, records: Iterable<CandumpRecord>): void {
  const pieces: string[] = [];
  const writer = new CandumpWriter((text) => pieces.push(text));
  for (const record of records) writer.write(record);
  writer.flush();
  writeFileAtomic(path, pieces.join(''));
}
