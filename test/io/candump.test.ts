import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CANDUMP_LINE_BYTES_MAX, CandumpReader, CandumpWriter, SIM_LOG_EPOCH_SECONDS, formatCandumpLine, parseCandumpLine,
  readCandumpFile, simLogRecord, simLogTimestamp, writeCandumpFile, type CandumpLine, type CandumpRecord,
} from '../../src/io/candump.js';
import { parseCanFrame } from '../../src/core/frame/can-text.js';
import type { CanFrame } from '../../src/core/frame/can.js';
import { canFrameArb } from '../support/can-frames.js';
import { fcParams } from '../support/seed.js';

function record(line: string): CandumpRecord {
  const result = parseCandumpLine(line);
  if (!result.ok) throw new Error(`${line}: ${JSON.stringify(result.error)}`);
  return result.value;
}

function frame(text: string): CanFrame {
  const result = parseCanFrame(text);
  if (!result.ok) throw new Error(text);
  return result.value;
}

function readAll(chunks: readonly Uint8Array[]): CandumpLine[] {
  const lines: CandumpLine[] = [];
  const reader = new CandumpReader((line) => lines.push(line));
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  return lines;
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'triplex-candump-'));

/** One frame of every kind the format carries. */
const EVERY_KIND: readonly string[] = [
  '044#2A366C2BBA', '7FF#', '12345678#DEADBEEF', '00000001#0102030405060708', '123#R', '123#R5', '1ABCDEF0#R8',
  '123##0', '123##1DEADBEEF', '123##2112233445566778899AABBCCDDEEFF00', '123##3' + 'A5'.repeat(64), '1F000000##1' + '00'.repeat(24),
  '20000080#0000000000000000', '20000004#0004000000000000',
];

describe('parseCandumpLine', () => {
  it('reads lines exactly as candump -L writes them', () => {
    // The python-can / can-utils documentation example, and lines from can-utils 2020.11 asc2log output.
    expect(record('(1436509052.249713) vcan0 044#2A366C2BBA')).toEqual({
      seconds: 1436509052, nanos: 249_713_000, fractionDigits: 6, iface: 'vcan0', frame: frame('044#2A366C2BBA'),
    });
    expect(record('(1795780982.023054) can0 12345678#R R')).toMatchObject({ direction: 'R', frame: { id: 0x12345678, rtr: true } });
    expect(record('(1795780982.023054) can0 123##1DEADBEEF T')).toMatchObject({ direction: 'T', frame: { fd: true, brs: true } });
    expect(record('(1795780982.023054) can0 20000080#0000000000000000')).toMatchObject({ frame: { error: true, id: 0x80 } });
    // candump pads the interface column to the longest name when several are dumped.
    expect(record('(0000000001.000000)  can0 123#11')).toMatchObject({ seconds: 1, iface: 'can0' });
    // 9-digit (nanosecond) fractions and CRLF files.
    expect(record('(1436509052.249713123) vcan0 123#\r')).toMatchObject({ nanos: 249_713_123, fractionDigits: 9 });
  });

  it('parses a range of a longer string and reports columns from its start', () => {
    const text = 'junk(0000000001.000000) can0 123#11\njunk';
    const result = parseCandumpLine(text, 4, text.indexOf('\n'));
    expect(result.ok && result.value.frame.id).toBe(0x123);
    const bad = parseCandumpLine('xx(0000000001.000000) can0 123#1G', 2);
    expect(bad).toEqual({ ok: false, error: { code: 'bad_frame', column: 25, frameError: { code: 'bad_hex', column: 5 } } });
  });

  it.each([
    ['1436509052.249713) vcan0 044#2A', 'bad_timestamp'],
    ['(1436509052,249713) vcan0 044#2A', 'bad_timestamp'],
    ['(1436509052.24971) vcan0 044#2A', 'bad_timestamp'],
    ['(1436509052.2497131) vcan0 044#2A', 'bad_timestamp'],
    ['(.249713) vcan0 044#2A', 'bad_timestamp'],
    ['(1234567890123.249713) vcan0 044#2A', 'bad_timestamp'],
    ['(1436509052.249713 vcan0 044#2A', 'bad_timestamp'],
    ['(1436509052.249713)vcan0 044#2A', 'bad_timestamp'],
    ['(1436509052.249713) ', 'bad_interface'],
    ['(1436509052.249713) averyveryverylongname 044#2A', 'bad_interface'],
    ['(1436509052.249713) vcan\u00e90 044#2A', 'bad_interface'],
    ['(1436509052.249713) vcan0', 'bad_frame'],
    ['(1436509052.249713) vcan0 044#2', 'bad_frame'],
    ['(1436509052.249713) vcan0 044#2A X', 'trailing_text'],
    ['(1436509052.249713) vcan0 044#2A R R', 'trailing_text'],
    ['(1436509052.249713) vcan0 044#2A RT', 'trailing_text'],
    [`(1436509052.249713) vcan0 044#${'0'.repeat(600)}`, 'line_too_long'],
  ])('%s → %s', (line, code) => {
    const result = parseCandumpLine(line);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });
});

describe('formatCandumpLine', () => {
  it('prints canonical lines like candump (%010lu.%06lu, upper-case hex)', () => {
    const base = { seconds: 12, nanos: 5_000, fractionDigits: 6 as const, iface: 'can0' };
    expect(formatCandumpLine({ ...base, frame: frame('044#2a366c2bba') })).toBe('(0000000012.000005) can0 044#2A366C2BBA');
    expect(formatCandumpLine({ ...base, frame: frame('0000abcd#R2') })).toBe('(0000000012.000005) can0 0000ABCD#R2');
    expect(formatCandumpLine({ ...base, nanos: 999_999_999, frame: frame('123##3.01') })).toBe('(0000000012.999999) can0 123##301');
    expect(formatCandumpLine({ ...base, fractionDigits: 9, nanos: 7, frame: frame('20000080#') })).toBe('(0000000012.000000007) can0 20000080#');
    expect(formatCandumpLine({ ...base, direction: 'T', frame: frame('123#') })).toBe('(0000000012.000005) can0 123# T');
  });

  it('round-trips records (property)', () => {
    const recordArb = fc.record({
      seconds: fc.integer({ min: 0, max: 999_999_999_999 }),
      micros: fc.integer({ min: 0, max: 999_999 }),
      extraNanos: fc.integer({ min: 0, max: 999 }),
      nine: fc.boolean(),
      iface: fc.stringMatching(/^[!-~]{1,15}$/),
      frame: canFrameArb,
      direction: fc.constantFrom(undefined, 'R' as const, 'T' as const),
    });
    fc.assert(fc.property(recordArb, ({ seconds, micros, extraNanos, nine, iface, frame: f, direction }) => {
      const rec: CandumpRecord = {
        seconds, nanos: micros * 1000 + (nine ? extraNanos : 0), fractionDigits: nine ? 9 : 6, iface, frame: f,
        ...(direction === undefined ? {} : { direction }),
      };
      const line = formatCandumpLine(rec);
      expect(parseCandumpLine(line)).toEqual({ ok: true, value: rec });
    }), fcParams('candump round trip', 3000));
  });
});

describe('simulated-time stamps', () => {
  it('start at 2000-01-01T00:00:00Z and add simulated micros exactly', () => {
    expect(SIM_LOG_EPOCH_SECONDS).toBe(Date.UTC(2000, 0, 1) / 1000);
    expect(simLogTimestamp(0)).toEqual({ seconds: 946_684_800, nanos: 0 });
    expect(simLogTimestamp(3_000_001)).toEqual({ seconds: 946_684_803, nanos: 1000 });
    expect(formatCandumpLine(simLogRecord(1_234_567, 'can0', frame('123#01')))).toBe('(0946684801.234567) can0 123#01');
    expect(() => simLogTimestamp(-1)).toThrow();
  });
});

describe('CandumpReader', () => {
  const text = [
    '(0000000001.000000) can0 123#11',
    '',
    '# a comment',
    '(0000000001.000001) can0 garbage',
    '(0000000001.000002) can0 12345678##1' + '00'.repeat(12),
    '(0000000001.000003) can0 123#R',
  ].join('\n');

  it('reports records and malformed lines with line numbers, skipping blanks and comments', () => {
    const lines = readAll([Buffer.from(text)]);
    expect(lines.map((l) => `${l.lineNumber}:${l.kind}`)).toEqual(['1:record', '4:malformed', '5:record', '6:record']);
    const bad = lines[1]!;
    expect(bad.kind === 'malformed' && bad.error.code).toBe('bad_frame');
  });

  it('gives the same lines for any chunking of the input (property)', () => {
    const whole = readAll([Buffer.from(text)]);
    fc.assert(fc.property(fc.array(fc.nat(text.length), { maxLength: 12 }), (cuts) => {
      const points = [0, ...[...cuts].sort((a, b) => a - b), text.length];
      const bytes = Buffer.from(text);
      const chunks = points.slice(1).map((end, i) => new Uint8Array(bytes.subarray(points[i], end)));
      expect(readAll(chunks)).toEqual(whole);
    }), fcParams('candump chunking', 1000));
  });

  it('skips an over-long line without buffering it, then carries on', () => {
    const long = `(0000000001.000000) can0 123#${'00'.repeat(2000)}`;
    const input = `${long}\n(0000000002.000000) can0 7FF#01\n`;
    const chunks = Array.from({ length: Math.ceil(input.length / 100) }, (_, i) => Buffer.from(input.slice(i * 100, i * 100 + 100)));
    const lines = readAll(chunks);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ kind: 'malformed', lineNumber: 1, error: { code: 'line_too_long', lengthBytesMax: CANDUMP_LINE_BYTES_MAX } });
    expect(lines[1]).toMatchObject({ kind: 'record', lineNumber: 2, record: { frame: { id: 0x7ff } } });
  });

  it('flushes a last line without a newline', () => {
    const lines = readAll([Buffer.from('(0000000001.000000) can0 123#11')]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.kind).toBe('record');
  });
});

describe('files and can-utils compatibility', () => {
  const records: CandumpRecord[] = EVERY_KIND.map((t, i) => simLogRecord(i * 1500, 'can0', frame(t)));

  it('writes atomically and reads back every kind of frame', async () => {
    const path = join(tempDir(), 'every.log');
    writeCandumpFile(path, records);
    const read: CandumpRecord[] = [];
    await readCandumpFile(path, (line) => {
      expect(line.kind).toBe('record');
      if (line.kind === 'record') read.push(line.record);
    });
    expect(read).toEqual(records);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('(0946684800.000000) can0 044#2A366C2BBA');
  });

  it('CandumpWriter flushes in pieces and loses nothing', () => {
    const pieces: string[] = [];
    const writer = new CandumpWriter((t) => pieces.push(t), 100);
    for (const r of records) writer.write(r);
    writer.flush();
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(records.map((r) => `${formatCandumpLine(r)}\n`).join(''));
  });

  it('can-utils log2asc converts every line we write (classic, extended, RTR, FD with BRS/ESI, error frames)', () => {
    const dir = tempDir();
    const path = join(dir, 'every.log');
    writeCandumpFile(path, records);
    const result = spawnSync('log2asc', ['-I', path, 'can0'], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    const body = result.stdout.split('\n').filter((l) => /^\s+\d+\.\d{6} /.test(l));
    expect(body).toHaveLength(records.length);
    // Spot-check the conversion: classic data, extended remote, FD with BRS, error frame.
    expect(body[0]).toMatch(/^\s+0\.000000 1\s+44\s+Rx\s+d 5 2A 36 6C 2B BA/);
    expect(body[6]).toMatch(/1ABCDEF0x\s+Rx\s+r 8/);
    expect(body[8]).toMatch(/CANFD\s+1 Rx\s+123\s+1 0 4\s+4 DE AD BE EF/);
    expect(body[12]).toMatch(/ErrorFrame/);
  });

  it('reads back what can-utils asc2log writes (a real candump -L writer)', () => {
    const dir = tempDir();
    const path = join(dir, 'every.log');
    writeCandumpFile(path, records);
    const asc = spawnSync('log2asc', ['-I', path, '-O', join(dir, 'every.asc'), 'can0'], { encoding: 'utf8' });
    expect(asc.status).toBe(0);
    expect(existsSync(join(dir, 'every.asc'))).toBe(true);
    const back = spawnSync('asc2log', ['-I', join(dir, 'every.asc')], { encoding: 'utf8' });
    expect(back.status).toBe(0);
    const lines = readAll([Buffer.from(back.stdout)]);
    expect(lines.every((l) => l.kind === 'record')).toBe(true);
    const frames = lines.map((l) => (l.kind === 'record' ? l.record.frame : undefined));
    // ASC keeps only "ErrorFrame" (no class bits): asc2log writes every error frame as 20000080#.
    const expected = records.map((r) => (r.frame.error ? frame('20000080#0000000000000000') : r.frame));
    expect(frames).toEqual(expected);
  });

  it('reports a missing file as an fs error', async () => {
    await expect(readCandumpFile(join(tempDir(), 'nope.log'), () => undefined)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
