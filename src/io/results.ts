/**
 * Campaign results files: JSON Lines, crash-safe, resumable, every line checksummed
 * (docs/CAMPAIGNS.md, "Results file").
 *
 * Line 1 is a header: `{"type":"header","format":"triplex-campaign","version":2,
 * "configHash":…,"config":{…},"shard":{"index":I,"count":N},"oracle":V,"crc":"…"}` (V: the oracle version that
 * judged the rows, src/core/fault/outcome.ts; absent in first-wave files, which read as 1). The hash covers the config
 * (seed, flight, profile, per-target counts) but not the shard, so shards of one campaign
 * share it and `merge` can check them. A `{"type":"golden",…}` line holds the fault-free
 * run; every other line is one injection row `{"type":"row","row":i,…}`.
 *
 * Line CRC (version 2). Each line is `JSON.stringify(value)` with its closing `}` replaced by
 * `,"crc":"hhhhhhhh"}`, where hhhhhhhh is the CRC-32C (CRC-32/ISCSI) of the UTF-8 bytes of
 * `JSON.stringify(value)` — the line as it would be without the crc member — in 8 lowercase hex
 * digits. So the CRC covers every byte of the line except its own 18-byte tail, and any change
 * to the tail changes the stored value or breaks the tail's fixed form; a reader checks the
 * bytes as they are on disk, before JSON.parse. Version-1 files (no CRCs) are still read; a CRC
 * tail on a line is checked whenever present, and required in a version-2 file.
 *
 * Rows are appended in completion order, in batches written with one write and fsync'ed. A
 * crash can only leave a prefix of a batch: the last line without its newline (a torn line).
 * Reopening cuts a torn line off, so its row simply runs again. A line that does end in a
 * newline but fails its CRC is corruption, not a crash, and is refused wherever it is (in a
 * version-1 file, which cannot tell, a garbled last whole line is still taken as torn).
 * Reopening with a different config is refused.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { assert } from '../core/assert.js';
import { getCrc } from '../core/integrity/crc-catalogue.js';
import { err, ok, type Result } from '../core/result.js';
import type { Outcome } from '../core/campaign/stats.js';
import { ORACLE_VERSION, outcomeFromText } from '../core/fault/outcome.js';
import { isTarget, type Target } from '../core/campaign/plan.js';

export const RESULTS_FORMAT = 'triplex-campaign';
/** Version written: 2, every line carries its CRC-32C. */
export const RESULTS_VERSION = 2;
/** Versions read: 1 (no line CRCs; read-only: `report`, `merge`, `--replay`) and 2. */
export type ResultsVersion = 1 | typeof RESULTS_VERSION;
/** Largest results file read (a 10 M-row campaign is about 4 GB; shard it). */
export const RESULTS_FILE_BYTES_MAX = 1 << 30;
/** Longest line accepted, in bytes; rows are a few hundred. */
export const RESULTS_LINE_CHARS_MAX = 64 * 1024;
/** The line checksum: CRC-32C (Castagnoli), the iSCSI CRC. */
export const RESULTS_LINE_CRC = 'CRC-32/ISCSI';

export interface ScrubSummary {
  /** Single-bit errors corrected (scrubber, reads and register votes). */
  readonly corrected: number;
  /** Uncorrectable (double-bit) errors detected. */
  readonly uncorrectable: number;
  /** Words the scrubber checked. */
  readonly scrubbedWords: number;
}

export interface RowFault {
  readonly target: Target;
  readonly location: string;
  readonly timeS: number;
  /** The injected FaultSpec (informational: replay re-plans the row from the header). */
  readonly spec: Readonly<Record<string, unknown>>;
}

export interface CampaignRow {
  readonly type: 'row';
  readonly row: number;
  readonly seed: number;
  readonly fault: RowFault;
  /** The oracle's outcome (a version-1 file's fate names are read mapped, src/core/fault/outcome.ts). */
  readonly outcome: Outcome;
  /** The mechanisms' own account of the fault (version-1 fate name), when recorded. */
  readonly fate?: string;
  /** The row's flight fails the shared exit rule. */
  readonly fails?: boolean;
  /** Largest deviation of the row's flight from its golden twin. */
  readonly twin?: { readonly maxCommandDeviationDeg: number; readonly maxAttitudeDeviationDeg: number } | null;
  /** From injection to the first detection, or null when nothing detected it. */
  readonly detectionLatencyMs: number | null;
  readonly maxAttitudeErrorDeg: number;
  readonly scrub: ScrubSummary;
}

export interface GoldenRecord {
  readonly type: 'golden';
  readonly seed: number;
  readonly outcome: Outcome;
  readonly maxAttitudeErrorDeg: number;
  readonly scrub: ScrubSummary;
}

export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

export interface ResultsHeader {
  readonly type: 'header';
  readonly format: typeof RESULTS_FORMAT;
  readonly version: ResultsVersion;
  readonly configHash: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly shard: ShardSpec;
  /** The oracle version that judged the rows (absent in first-wave files: version 1). */
  readonly oracle: number;
}

export interface ResultsFile {
  readonly header: ResultsHeader;
  readonly golden: GoldenRecord | undefined;
  /** Rows in file order (completion order); row indices are unique. */
  readonly rows: readonly CampaignRow[];
  /** Byte length of the whole lines; anything after it is a torn line. */
  readonly wholeBytes: number;
  readonly tornLine: boolean;
}

export type ResultsError =
  | { readonly code: 'bad_line'; readonly line: number; readonly message: string }
  | { readonly code: 'crc_mismatch'; readonly line: number; readonly stored: string; readonly computed: string }
  | { readonly code: 'crc_missing'; readonly line: number }
  | { readonly code: 'bad_header'; readonly message: string }
  | { readonly code: 'duplicate_row'; readonly line: number; readonly row: number }
  | { readonly code: 'too_large'; readonly bytes: number }
  | { readonly code: 'io'; readonly message: string };

export function describeResultsError(path: string, error: ResultsError): string {
  switch (error.code) {
    case 'bad_line':
    case 'crc_mismatch':
    case 'crc_missing': return `${path}:${error.line}: ${lineErrorMessage(error)}`;
    case 'bad_header': return `${path}:1: ${error.message}`;
    case 'duplicate_row': return `${path}:${error.line}: row ${error.row} appears twice with different results`;
    case 'too_large': return `${path}: ${error.bytes} bytes is more than ${RESULTS_FILE_BYTES_MAX} (shard the campaign)`;
    case 'io': return `${path}: ${error.message}`;
  }
}

/** Canonical JSON (sorted keys) so equal configs hash equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 32);
}

export function makeHeader(config: Readonly<Record<string, unknown>>, shard: ShardSpec): ResultsHeader {
  return { type: 'header', format: RESULTS_FORMAT, version: RESULTS_VERSION, configHash: configHash(config), config, shard, oracle: ORACLE_VERSION };
}

type Obj = Readonly<Record<string, unknown>>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function decodeScrub(value: unknown): ScrubSummary | undefined {
  if (!isObj(value) || !isCount(value.corrected) || !isCount(value.uncorrectable) || !isCount(value.scrubbedWords)) return undefined;
  return { corrected: value.corrected, uncorrectable: value.uncorrectable, scrubbedWords: value.scrubbedWords };
}

function decodeFault(value: unknown): RowFault | string {
  if (!isObj(value)) return 'fault: expected an object';
  const { target, location, timeS, spec } = value;
  if (typeof target !== 'string' || !isTarget(target)) return 'fault.target: unknown target';
  if (typeof location !== 'string' || location.length > 200) return 'fault.location: expected a string';
  if (!isFiniteNumber(timeS) || timeS < 0) return 'fault.timeS: expected a time in seconds';
  if (!isObj(spec) || typeof spec.kind !== 'string') return 'fault.spec: expected a fault with a kind';
  return { target, location, timeS, spec };
}

function decodeTwin(value: unknown): CampaignRow['twin'] | string {
  if (value === undefined || value === null) return value === null ? null : undefined;
  if (!isObj(value) || !isFiniteNumber(value.maxCommandDeviationDeg) || !isFiniteNumber(value.maxAttitudeDeviationDeg)) return 'twin: expected {maxCommandDeviationDeg, maxAttitudeDeviationDeg}';
  return { maxCommandDeviationDeg: value.maxCommandDeviationDeg, maxAttitudeDeviationDeg: value.maxAttitudeDeviationDeg };
}

function decodeRow(v: Obj): CampaignRow | string {
  if (!isCount(v.row)) return 'row: expected a row index';
  if (!isCount(v.seed)) return 'seed: expected a non-negative integer';
  const outcome = outcomeFromText(v.outcome);
  if (outcome === undefined) return 'outcome: unknown outcome';
  if (v.fate !== undefined && (typeof v.fate !== 'string' || v.fate.length > 40)) return 'fate: expected a fate name';
  if (v.fails !== undefined && typeof v.fails !== 'boolean') return 'fails: expected true or false';
  const twin = decodeTwin(v.twin);
  if (typeof twin === 'string') return twin;
  const latency = v.detectionLatencyMs;
  if (latency !== null && !(isFiniteNumber(latency) && latency >= 0)) return 'detectionLatencyMs: expected a non-negative number or null';
  if (!isFiniteNumber(v.maxAttitudeErrorDeg) || v.maxAttitudeErrorDeg < 0) return 'maxAttitudeErrorDeg: expected a non-negative number';
  const scrub = decodeScrub(v.scrub);
  if (scrub === undefined) return 'scrub: expected {corrected, uncorrectable, scrubbedWords}';
  const fault = decodeFault(v.fault);
  if (typeof fault === 'string') return fault;
  return {
    type: 'row', row: v.row, seed: v.seed, fault, outcome, detectionLatencyMs: latency, maxAttitudeErrorDeg: v.maxAttitudeErrorDeg, scrub,
    ...(typeof v.fate === 'string' ? { fate: v.fate } : {}), ...(typeof v.fails === 'boolean' ? { fails: v.fails } : {}), ...(twin === undefined ? {} : { twin }),
  };
}

function decodeGolden(v: Obj): GoldenRecord | string {
  if (!isCount(v.seed)) return 'seed: expected a non-negative integer';
  const outcome = outcomeFromText(v.outcome);
  if (outcome === undefined) return 'outcome: unknown outcome';
  if (!isFiniteNumber(v.maxAttitudeErrorDeg)) return 'maxAttitudeErrorDeg: expected a number';
  const scrub = decodeScrub(v.scrub);
  if (scrub === undefined) return 'scrub: expected {corrected, uncorrectable, scrubbedWords}';
  return { type: 'golden', seed: v.seed, outcome, maxAttitudeErrorDeg: v.maxAttitudeErrorDeg, scrub };
}

// ---- line CRC (version 2) ------------------------------------------------------------------

const LINE_CRC = getCrc(RESULTS_LINE_CRC);
/** The crc member's opening; then CRC_HEX_DIGITS lowercase hex digits and `"}` end the line. */
const CRC_OPEN = Buffer.from(',"crc":"', 'latin1');
const CRC_HEX_DIGITS = 8;
/** Bytes of the tail `,"crc":"hhhhhhhh"}` that stands in for the JSON's closing brace. */
const CRC_TAIL_BYTES = CRC_OPEN.length + CRC_HEX_DIGITS + 2;
const CLOSE_BRACE = Uint8Array.of(0x7d);
const QUOTE = 0x22;
const NEWLINE = 0x0a;

function hex8(value: number): string {
  return value.toString(16).padStart(CRC_HEX_DIGITS, '0');
}

function isLowerHex(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66));
}

/** bytes[start, end) ends with a well-formed crc tail (and has at least one byte before it). */
function hasCrcTail(bytes: Buffer, start: number, end: number): boolean {
  if (end - start <= CRC_TAIL_BYTES) return false;
  const at = end - CRC_TAIL_BYTES;
  if (bytes.compare(CRC_OPEN, 0, CRC_OPEN.length, at, at + CRC_OPEN.length) !== 0) return false;
  for (let i = end - 2 - CRC_HEX_DIGITS; i < end - 2; i++) if (!isLowerHex(bytes[i])) return false;
  return bytes[end - 2] === QUOTE && bytes[end - 1] === (CLOSE_BRACE[0] as number);
}

type CheckedLine =
  | { readonly ok: true; readonly text: string; readonly crc: boolean }
  | { readonly ok: false; readonly stored: string; readonly computed: string };

/**
 * The JSON text of the line bytes[start, end): with a crc tail, the tail is checked against the
 * CRC of the bytes before it plus `}` and the text is the line without its crc member; without
 * one, the text is the line as it is (`crc: false`). Works on the bytes on disk, so a flip that
 * makes invalid UTF-8 is still a mismatch.
 */
function checkLine(bytes: Buffer, start: number, end: number): CheckedLine {
  if (!hasCrcTail(bytes, start, end)) return { ok: true, text: bytes.toString('utf8', start, end), crc: false };
  const bodyEnd = end - CRC_TAIL_BYTES;
  const stream = LINE_CRC.begin();
  stream.update(bytes, start, bodyEnd - start);
  stream.update(CLOSE_BRACE);
  const computed = hex8(stream.digest());
  const stored = bytes.toString('latin1', end - 2 - CRC_HEX_DIGITS, end - 2);
  if (stored !== computed) return { ok: false, stored, computed };
  return { ok: true, text: `${bytes.toString('utf8', start, bodyEnd)}}`, crc: true };
}

/**
 * One results line without its newline: version 2 (the default) is `value`'s JSON with the
 * closing `}` replaced by `,"crc":"hhhhhhhh"}` (CRC-32C of the JSON's UTF-8 bytes); version 1
 * is the plain JSON (only `merge` of version-1 inputs writes it).
 */
export function encodeResultsLine(value: ResultsHeader | ResultsLine, version: ResultsVersion = RESULTS_VERSION): string {
  const json = JSON.stringify(value);
  if (version === 1) return json;
  assert(json.length > 2 && json.startsWith('{') && json.endsWith('}') && !Object.hasOwn(value, 'crc'), 'results line: expected a JSON object without a crc member');
  const line = `${json.slice(0, -1)}${CRC_OPEN.toString('latin1')}${hex8(LINE_CRC.compute(Buffer.from(json, 'utf8')))}"}`;
  const bytes = Buffer.from(line, 'utf8');
  const check = checkLine(bytes, 0, bytes.length);
  assert(check.ok && check.crc && check.text === json, 'results line: the encoded line does not check');
  return line;
}

// ---- decoding -------------------------------------------------------------------------------

/** A body line's problem, before it is given its line number. */
type LineError =
  | { readonly code: 'bad_line'; readonly message: string }
  | { readonly code: 'crc_mismatch'; readonly stored: string; readonly computed: string }
  | { readonly code: 'crc_missing' };

function lineErrorMessage(error: LineError): string {
  switch (error.code) {
    case 'bad_line': return error.message;
    case 'crc_mismatch': return `crc mismatch (stored ${error.stored}, computed ${error.computed}): the line changed after it was written`;
    case 'crc_missing': return `no well-formed line CRC at its end (a version-${RESULTS_VERSION} line ends with ,"crc":"xxxxxxxx"}, 8 lowercase hex digits): corrupted, or not written by Triplex`;
  }
}

function isVersion(value: unknown): value is ResultsVersion {
  return value === 1 || value === RESULTS_VERSION;
}

/** Decodes the header line (its CRC checked when present, required from version 2). Never throws. */
export function decodeHeader(text: string): Result<ResultsHeader, ResultsError> {
  const bytes = Buffer.from(text, 'utf8');
  return decodeHeaderBytes(bytes, 0, bytes.length);
}

function decodeHeaderBytes(bytes: Buffer, start: number, end: number): Result<ResultsHeader, ResultsError> {
  if (end - start > RESULTS_LINE_CHARS_MAX) return err({ code: 'bad_header', message: `header line longer than ${RESULTS_LINE_CHARS_MAX} bytes` });
  const checked = checkLine(bytes, start, end);
  if (!checked.ok) return err({ code: 'crc_mismatch', line: 1, stored: checked.stored, computed: checked.computed });
  const value = parseJson(checked.text);
  if (!isObj(value) || value.type !== 'header' || value.format !== RESULTS_FORMAT) return err({ code: 'bad_header', message: 'not a Triplex campaign results file (no header line)' });
  const version = value.version;
  if (!isVersion(version)) return err({ code: 'bad_header', message: `unsupported results version ${String(version)} (this Triplex reads 1 and ${RESULTS_VERSION})` });
  if (version >= 2 && !checked.crc) return err({ code: 'crc_missing', line: 1 });
  const { configHash: hash, config, shard } = value;
  if (typeof hash !== 'string' || !/^[0-9a-f]{32}$/.test(hash) || !isObj(config)) return err({ code: 'bad_header', message: 'header: bad configHash or config' });
  if (!isObj(shard) || !isCount(shard.index) || !isCount(shard.count) || shard.count < 1 || shard.index >= shard.count) return err({ code: 'bad_header', message: 'header: bad shard' });
  if (configHash(config) !== hash) return err({ code: 'bad_header', message: 'header: configHash does not match config (file edited?)' });
  const oracle = value.oracle ?? 1;
  if (!isCount(oracle) || oracle < 1) return err({ code: 'bad_header', message: 'header: bad oracle version' });
  return ok({ type: 'header', format: RESULTS_FORMAT, version, configHash: hash, config, shard: { index: shard.index, count: shard.count }, oracle });
}

function parseJson(text: string): unknown {
  if (text.length > RESULTS_LINE_CHARS_MAX) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type ResultsLine = CampaignRow | GoldenRecord;

/** Decodes one body line (row or golden) of a file of `version`, checking its CRC. Never throws. */
export function decodeResultsLine(text: string, version: ResultsVersion = RESULTS_VERSION): Result<ResultsLine, string> {
  const bytes = Buffer.from(text, 'utf8');
  const decoded = decodeBodyLine(bytes, 0, bytes.length, version);
  return decoded.ok ? decoded : err(lineErrorMessage(decoded.error));
}

function decodeBodyLine(bytes: Buffer, start: number, end: number, version: ResultsVersion): Result<ResultsLine, LineError> {
  if (end - start > RESULTS_LINE_CHARS_MAX) return err({ code: 'bad_line', message: `line longer than ${RESULTS_LINE_CHARS_MAX} bytes` });
  const checked = checkLine(bytes, start, end);
  if (!checked.ok) return err({ code: 'crc_mismatch', stored: checked.stored, computed: checked.computed });
  if (version >= 2 && !checked.crc) return err({ code: 'crc_missing' });
  const value = parseJson(checked.text);
  if (value === undefined) return err({ code: 'bad_line', message: 'not valid JSON' });
  if (!isObj(value)) return err({ code: 'bad_line', message: 'expected a JSON object' });
  const decoded = value.type === 'row' ? decodeRow(value) : value.type === 'golden' ? decodeGolden(value) : "type: expected 'row' or 'golden'";
  return typeof decoded === 'string' ? err({ code: 'bad_line', message: decoded }) : ok(decoded);
}

function sameRow(a: CampaignRow, b: CampaignRow): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Decodes a whole results file (its bytes, or text). Whatever follows the last newline is a
 * torn line (reported, not an error). Every whole line must decode and, from version 2, pass its
 * CRC; in a version-1 file a last whole line that does not decode is also taken as torn. Never
 * throws.
 */
export function decodeResults(input: string | Uint8Array): Result<ResultsFile, ResultsError> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const headerEnd = bytes.indexOf(NEWLINE);
  if (headerEnd < 0) return err({ code: 'bad_header', message: 'empty results file (no header line)' });
  const header = decodeHeaderBytes(bytes, 0, headerEnd);
  if (!header.ok) return header;
  return decodeBody(bytes, headerEnd + 1, header.value);
}

function decodeBody(bytes: Buffer, from: number, header: ResultsHeader): Result<ResultsFile, ResultsError> {
  let golden: GoldenRecord | undefined;
  const byRow = new Map<number, CampaignRow>();
  const rows: CampaignRow[] = [];
  let start = from;
  let tornLine = false;
  // Every pass consumes at least one byte, so the loop ends within bytes.length passes.
  for (let line = 2; start < bytes.length; line++) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end < 0) { tornLine = true; break; }
    const decoded = decodeBodyLine(bytes, start, end, header.version);
    if (!decoded.ok) {
      if (header.version === 1 && end === bytes.length - 1) { tornLine = true; break; }
      return err({ ...decoded.error, line });
    }
    const value = decoded.value;
    if (value.type === 'golden') golden = value;
    else {
      const seen = byRow.get(value.row);
      if (seen !== undefined && !sameRow(seen, value)) return err({ code: 'duplicate_row', line, row: value.row });
      if (seen === undefined) { byRow.set(value.row, value); rows.push(value); }
    }
    start = end + 1;
  }
  return ok({ header, golden, rows, wholeBytes: start, tornLine });
}

/** Reads and decodes a results file (as bytes: the CRCs are checked on what is on disk). */
export function readResults(path: string): Result<ResultsFile, ResultsError> {
  try {
    const bytes = statSync(path).size;
    if (bytes > RESULTS_FILE_BYTES_MAX) return err({ code: 'too_large', bytes });
    return decodeResults(readFileSync(path));
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    return err({ code: 'io', message: code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error) });
  }
}

/** Appends lines and makes them durable with fsync per `flush()`. */
export class ResultsWriter {
  private pending: string[] = [];
  private closed = false;

  private constructor(private readonly fd: number) {}

  /** Creates a new results file holding only the header (fails if the file exists). */
  static create(path: string, header: ResultsHeader): ResultsWriter {
    assert(header.version === RESULTS_VERSION, `ResultsWriter writes version ${RESULTS_VERSION} only`);
    const fd = openSync(path, 'wx', 0o644);
    const writer = new ResultsWriter(fd);
    writer.pending.push(encodeResultsLine(header));
    writer.flush();
    return writer;
  }

  /** Opens an existing file for appending, first cutting it back to `wholeBytes` (drops a torn line). */
  static reopen(path: string, wholeBytes: number): ResultsWriter {
    const fd = openSync(path, 'r+');
    if (fstatSync(fd).size !== wholeBytes) {
      ftruncateSync(fd, wholeBytes);
      fsyncSync(fd);
    }
    return new ResultsWriter(openAppend(path, fd));
  }

  append(line: ResultsLine): void {
    if (this.closed) throw new Error('ResultsWriter is closed');
    this.pending.push(encodeResultsLine(line));
  }

  get pendingLines(): number {
    return this.pending.length;
  }

  /** Writes the pending lines in one write and fsyncs. */
  flush(): void {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(`${this.pending.join('\n')}\n`, 'utf8');
    this.pending = [];
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
  }
}

function openAppend(path: string, fdToClose: number): number {
  closeSync(fdToClose);
  return openSync(path, 'a');
}

export function resultsExists(path: string): boolean {
  return existsSync(path);
}
