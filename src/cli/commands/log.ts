/**
 * `triplex log`: inspect, filter and convert candump -L logs (docs/LOGS.md).
 *
 *   triplex log cat FILE                          canonical candump -L lines on stdout
 *   triplex log stats FILE [--json]               counts by kind and by ID
 *   triplex log filter --id ID[/MASK]... FILE [--out OUT]
 *
 * Malformed lines are warned about on stderr as `FILE:LINE: problem` (the first
 * WARNINGS_SHOWN_MAX, then one summary line) and skipped; the exit code stays 0 unless
 * `--strict` is given, which makes any malformed line exit 1. A missing file or bad flags exit 2.
 */
import { parse } from '../args.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { formatCanId } from '../../core/frame/can-text.js';
import { CAN_EFF_MASK, CAN_SFF_MASK, type CanFrame } from '../../core/frame/can.js';
import { CandumpWriter, describeCandumpError, formatCandumpTimestamp, readCandumpFile, type CandumpLine, type CandumpRecord } from '../../io/candump.js';
import { writeFileAtomic } from '../../io/atomic.js';

const OPTIONS = {
  json: { type: 'boolean' },
  id: { type: 'string', multiple: true },
  out: { type: 'string' },
  strict: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Malformed-line warnings printed before the summary line. */
export const WARNINGS_SHOWN_MAX = 20;
/** Distinct IDs counted one by one in `stats`; further new IDs count in `idsNotTracked`. */
export const STATS_IDS_MAX = 100_000;
/** Distinct interface names counted in `stats`; frames on further names are not listed. */
export const STATS_INTERFACES_MAX = 1_000;
/** Most output `filter --out` collects before its atomic write. */
export const FILTER_OUTPUT_CHARS_MAX = 256 * 1024 * 1024;

const USAGE = [
  'usage: triplex log cat FILE [--strict]',
  '       triplex log stats FILE [--json] [--strict]',
  '       triplex log filter --id ID[/MASK] [--id ...] FILE [--out OUT] [--strict]',
  '',
  'cat     prints every frame as a canonical candump -L line',
  'stats   counts frames, FD, remote and error frames, and frames per ID',
  'filter  keeps frames whose ID matches: (id & MASK) == (ID & MASK); an ID of 1-3 hex',
  '        digits matches standard frames, 4-8 digits extended frames; MASK defaults to all ones',
  '',
  'Malformed lines are reported on stderr as FILE:LINE: problem and skipped (exit 0);',
  'with --strict any malformed line makes the exit code 1.',
].join('\n');

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, true);
  if (values.help === true) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const [action, file, ...extra] = positionals;
  if (action === undefined) throw new UsageError('missing action: cat, stats or filter');
  if (file === undefined) throw new UsageError(`log ${action}: missing FILE`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ''}'`);
  switch (action) {
    case 'cat': return cat(file, values, io);
    case 'stats': return stats(file, values, io);
    case 'filter': return filter(file, values, io);
    default: throw new UsageError(`unknown action '${action}' (try: cat, stats, filter)`);
  }
}

function refuse(values: Values, action: string, flags: readonly (keyof Values)[]): void {
  for (const flag of flags) if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to 'log ${action}'`);
}

/** Counts malformed lines and prints the first WARNINGS_SHOWN_MAX of them. */
class Warnings {
  count = 0;

  constructor(private readonly file: string, private readonly io: CliIo) {}

  report(line: Extract<CandumpLine, { kind: 'malformed' }>): void {
    this.count++;
    if (this.count <= WARNINGS_SHOWN_MAX) this.io.err(`${this.file}:${line.lineNumber}: ${describeCandumpError(line.error)}\n`);
  }

  finish(strict: boolean): number {
    if (this.count > WARNINGS_SHOWN_MAX) this.io.err(`${this.file}: ${this.count} malformed lines skipped (first ${WARNINGS_SHOWN_MAX} shown)\n`);
    else if (this.count > 0) this.io.err(`${this.file}: ${this.count} malformed line${this.count === 1 ? '' : 's'} skipped\n`);
    return strict && this.count > 0 ? 1 : 0;
  }
}

async function eachRecord(file: string, warnings: Warnings, onRecord: (record: CandumpRecord) => void): Promise<void> {
  try {
    await readCandumpFile(file, (line) => {
      if (line.kind === 'record') onRecord(line.record);
      else warnings.report(line);
    });
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code}`);
    throw error;
  }
}

async function cat(file: string, values: Values, io: CliIo): Promise<number> {
  refuse(values, 'cat', ['json', 'id', 'out']);
  const warnings = new Warnings(file, io);
  const writer = new CandumpWriter((text) => { io.out(text); });
  await eachRecord(file, warnings, (record) => { writer.write(record); });
  writer.flush();
  return warnings.finish(values.strict === true);
}

export interface LogStats {
  frames: number;
  classic: number;
  fd: number;
  brs: number;
  esi: number;
  rtr: number;
  extended: number;
  errorFrames: number;
  dataBytes: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  interfaces: Record<string, number>;
  ids: Record<string, number>;
  idsNotTracked: number;
  malformedLines: number;
}

class StatsCollector {
  private readonly idCounts = new Map<string, number>();
  private readonly ifaceCounts = new Map<string, number>();
  readonly totals = { frames: 0, classic: 0, fd: 0, brs: 0, esi: 0, rtr: 0, extended: 0, errorFrames: 0, dataBytes: 0, idsNotTracked: 0 };
  private first: CandumpRecord | undefined;
  private last: CandumpRecord | undefined;

  add(record: CandumpRecord): void {
    const frame = record.frame;
    const t = this.totals;
    t.frames++;
    if (frame.fd) t.fd++; else t.classic++;
    if (frame.brs) t.brs++;
    if (frame.esi) t.esi++;
    if (frame.rtr) t.rtr++;
    if (frame.extended) t.extended++;
    if (frame.error) t.errorFrames++;
    t.dataBytes += frame.data.length;
    this.first ??= record;
    this.last = record;
    this.countId(formatCanId(frame));
    if (this.ifaceCounts.size < STATS_INTERFACES_MAX || this.ifaceCounts.has(record.iface)) this.ifaceCounts.set(record.iface, (this.ifaceCounts.get(record.iface) ?? 0) + 1);
  }

  private countId(key: string): void {
    const count = this.idCounts.get(key);
    if (count !== undefined) this.idCounts.set(key, count + 1);
    else if (this.idCounts.size < STATS_IDS_MAX) this.idCounts.set(key, 1);
    else this.totals.idsNotTracked++;
  }

  result(malformedLines: number): LogStats {
    // Sorted: standard IDs (3 digits) before extended and error IDs (8 digits), then by value.
    const ids = [...this.idCounts.entries()].sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    const interfaces = [...this.ifaceCounts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      ...this.totals,
      firstTimestamp: this.first === undefined ? null : formatCandumpTimestamp(this.first),
      lastTimestamp: this.last === undefined ? null : formatCandumpTimestamp(this.last),
      interfaces: Object.fromEntries(interfaces),
      ids: Object.fromEntries(ids),
      malformedLines,
    };
  }
}

function formatStatsText(file: string, s: LogStats): string {
  const idRows = Object.entries(s.ids).map(([id, n]) => `  ${id.padStart(8)}  ${n}`);
  return [
    `file:            ${file}`,
    `frames:          ${s.frames} (classic ${s.classic}, FD ${s.fd} with BRS ${s.brs} / ESI ${s.esi})`,
    `remote frames:   ${s.rtr}`,
    `extended IDs:    ${s.extended}`,
    `error frames:    ${s.errorFrames}`,
    `data bytes:      ${s.dataBytes}`,
    `time span:       ${s.firstTimestamp ?? '-'} .. ${s.lastTimestamp ?? '-'}`,
    `interfaces:      ${Object.entries(s.interfaces).map(([name, n]) => `${name} ${n}`).join(', ') || '-'}`,
    `malformed lines: ${s.malformedLines}`,
    `frames per ID (${Object.keys(s.ids).length} IDs${s.idsNotTracked > 0 ? `, ${s.idsNotTracked} frames of untracked IDs` : ''}):`,
    ...idRows,
    '',
  ].join('\n');
}

async function stats(file: string, values: Values, io: CliIo): Promise<number> {
  refuse(values, 'stats', ['id', 'out']);
  const warnings = new Warnings(file, io);
  const collector = new StatsCollector();
  await eachRecord(file, warnings, (record) => { collector.add(record); });
  const result = collector.result(warnings.count);
  io.out(values.json === true ? `${JSON.stringify(result)}\n` : formatStatsText(file, result));
  return warnings.finish(values.strict === true);
}

export interface IdFilter {
  readonly id: number;
  readonly mask: number;
  readonly extended: boolean;
}

/** Parses `ID[/MASK]` in hex (optional 0x); 1-3 digits standard, 4-8 extended. */
export function parseIdFilter(text: string): IdFilter {
  const match = /^(?:0x)?([0-9a-f]{1,8})(?:\/(?:0x)?([0-9a-f]{1,8}))?$/i.exec(text);
  const idText = match?.[1];
  if (match === null || idText === undefined) throw new UsageError(`--id must be hex ID[/MASK], got '${text}'`);
  const extended = idText.length > 3;
  const idMax = extended ? CAN_EFF_MASK : CAN_SFF_MASK;
  const id = Number.parseInt(idText, 16);
  const mask = match[2] === undefined ? idMax : Number.parseInt(match[2], 16);
  if (id > idMax) throw new UsageError(`--id ${text}: ID exceeds 0x${idMax.toString(16).toUpperCase()}`);
  if (mask > idMax) throw new UsageError(`--id ${text}: mask exceeds 0x${idMax.toString(16).toUpperCase()}`);
  return { id, mask, extended };
}

export function matchesIdFilter(frame: CanFrame, filter: IdFilter): boolean {
  return !frame.error && frame.extended === filter.extended && ((frame.id & filter.mask) >>> 0) === ((filter.id & filter.mask) >>> 0);
}

async function filter(file: string, values: Values, io: CliIo): Promise<number> {
  refuse(values, 'filter', ['json']);
  if (values.id === undefined || values.id.length === 0) throw new UsageError('log filter needs --id ID[/MASK]');
  const filters = values.id.map(parseIdFilter);
  const out = values.out;
  if (out === '') throw new UsageError('--out needs a file name');
  const pieces: string[] = [];
  let collected = 0;
  const sink = out === undefined ? (text: string): void => { io.out(text); } : (text: string): void => {
    collected += text.length;
    if (collected > FILTER_OUTPUT_CHARS_MAX) throw new UsageError(`output exceeds ${FILTER_OUTPUT_CHARS_MAX} bytes; write to stdout instead of --out`);
    pieces.push(text);
  };
  const writer = new CandumpWriter(sink);
  const warnings = new Warnings(file, io);
  await eachRecord(file, warnings, (record) => {
    if (filters.some((f) => matchesIdFilter(record.frame, f))) writer.write(record);
  });
  writer.flush();
  if (out !== undefined) writeOut(out, pieces.join(''));
  return warnings.finish(values.strict === true);
}

function writeOut(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') throw new UsageError(`cannot write ${path}: ${code}`);
    throw error;
  }
}
