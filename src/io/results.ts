/**
 * Campaign results files: JSON Lines, crash-safe, resumable (docs/CAMPAIGNS.md).
 *
 * Line 1 is a header: `{"type":"header","format":"triplex-campaign","version":1,
 * "configHash":…,"config":{…},"shard":{"index":I,"count":N},"oracle":V}` (V: the oracle version that
 * judged the rows, src/core/fault/outcome.ts; absent in first-wave files, which read as 1). The hash covers the config
 * (seed, flight, profile, per-target counts) but not the shard, so shards of one campaign
 * share it and `merge` can check them. A `{"type":"golden",…}` line holds the fault-free
 * run; every other line is one injection row `{"type":"row","row":i,…}`.
 *
 * Rows are appended in completion order and fsync'ed per batch. A crash can leave a torn last
 * line (no newline, or not JSON): reopening detects it and truncates the file back to the last
 * whole line, so the row is simply run again. Reopening with a different config is refused.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { err, ok, type Result } from '../core/result.js';
import type { Outcome } from '../core/campaign/stats.js';
import { ORACLE_VERSION, outcomeFromText } from '../core/fault/outcome.js';
import { isTarget, type Target } from '../core/campaign/plan.js';

export const RESULTS_FORMAT = 'triplex-campaign';
export const RESULTS_VERSION = 1;
/** Largest results file read (a 10 M-row campaign is about 4 GB; shard it). */
export const RESULTS_FILE_BYTES_MAX = 1 << 30;
/** Longest line accepted; rows are a few hundred bytes. */
export const RESULTS_LINE_CHARS_MAX = 64 * 1024;

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
  readonly version: typeof RESULTS_VERSION;
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
  | { readonly code: 'bad_header'; readonly message: string }
  | { readonly code: 'duplicate_row'; readonly line: number; readonly row: number }
  | { readonly code: 'too_large'; readonly bytes: number }
  | { readonly code: 'io'; readonly message: string };

export function describeResultsError(path: string, error: ResultsError): string {
  switch (error.code) {
    case 'bad_line': return `${path}:${error.line}: ${error.message}`;
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

/** Decodes the header line. Never throws. */
export function decodeHeader(text: string): Result<ResultsHeader, ResultsError> {
  const value = parseJson(text);
  if (!isObj(value) || value.type !== 'header' || value.format !== RESULTS_FORMAT) return err({ code: 'bad_header', message: 'not a Triplex campaign results file (no header line)' });
  if (value.version !== RESULTS_VERSION) return err({ code: 'bad_header', message: `unsupported results version ${String(value.version)} (this Triplex reads ${RESULTS_VERSION})` });
  const { configHash: hash, config, shard } = value;
  if (typeof hash !== 'string' || !/^[0-9a-f]{32}$/.test(hash) || !isObj(config)) return err({ code: 'bad_header', message: 'header: bad configHash or config' });
  if (!isObj(shard) || !isCount(shard.index) || !isCount(shard.count) || shard.count < 1 || shard.index >= shard.count) return err({ code: 'bad_header', message: 'header: bad shard' });
  if (configHash(config) !== hash) return err({ code: 'bad_header', message: 'header: configHash does not match config (file edited?)' });
  const oracle = value.oracle ?? 1;
  if (!isCount(oracle) || oracle < 1) return err({ code: 'bad_header', message: 'header: bad oracle version' });
  return ok({ type: 'header', format: RESULTS_FORMAT, version: RESULTS_VERSION, configHash: hash, config, shard: { index: shard.index, count: shard.count }, oracle });
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

/** Decodes one body line (row or golden). Never throws. */
export function decodeResultsLine(text: string): Result<ResultsLine, string> {
  const value = parseJson(text);
  if (value === undefined) return err(text.length > RESULTS_LINE_CHARS_MAX ? `line longer than ${RESULTS_LINE_CHARS_MAX} characters` : 'not valid JSON');
  if (!isObj(value)) return err('expected a JSON object');
  const decoded = value.type === 'row' ? decodeRow(value) : value.type === 'golden' ? decodeGolden(value) : "type: expected 'row' or 'golden'";
  return typeof decoded === 'string' ? err(decoded) : ok(decoded);
}

function sameRow(a: CampaignRow, b: CampaignRow): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Decodes a whole results file's text. A last line that has no newline or does not decode is
 * a torn line (reported, not an error); a bad line anywhere else is an error. Never throws.
 */
export function decodeResults(text: string): Result<ResultsFile, ResultsError> {
  const lastNewline = text.lastIndexOf('\n');
  const whole = lastNewline < 0 ? '' : text.slice(0, lastNewline);
  let tornLine = lastNewline < text.length - 1;
  const lines = whole === '' ? [] : whole.split('\n');
  const first = lines[0];
  if (first === undefined) return err({ code: 'bad_header', message: 'empty results file (no header line)' });
  const header = decodeHeader(first);
  if (!header.ok) return header;
  let golden: GoldenRecord | undefined;
  const byRow = new Map<number, CampaignRow>();
  const rows: CampaignRow[] = [];
  let wholeBytes = Buffer.byteLength(first, 'utf8') + 1;
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const decoded = decodeResultsLine(text);
    if (!decoded.ok) {
      if (i === lines.length - 1 && !tornLine) { tornLine = true; break; }
      return err({ code: 'bad_line', line: i + 1, message: decoded.error });
    }
    const line = decoded.value;
    if (line.type === 'golden') golden = line;
    else {
      const seen = byRow.get(line.row);
      if (seen !== undefined && !sameRow(seen, line)) return err({ code: 'duplicate_row', line: i + 1, row: line.row });
      if (seen === undefined) { byRow.set(line.row, line); rows.push(line); }
    }
    wholeBytes += Buffer.byteLength(text, 'utf8') + 1;
  }
  return ok({ header: header.value, golden, rows, wholeBytes, tornLine });
}

/** Reads and decodes a results file. */
export function readResults(path: string): Result<ResultsFile, ResultsError> {
  try {
    const bytes = statSync(path).size;
    if (bytes > RESULTS_FILE_BYTES_MAX) return err({ code: 'too_large', bytes });
    return decodeResults(readFileSync(path, 'utf8'));
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
    const fd = openSync(path, 'wx', 0o644);
    const writer = new ResultsWriter(fd);
    writer.pending.push(JSON.stringify(header));
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
    this.pending.push(JSON.stringify(line));
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
