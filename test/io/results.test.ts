import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalJson, decodeResults, describeResultsError, encodeResultsLine, makeHeader, readResults, RESULTS_VERSION, ResultsWriter,
  type CampaignRow, type GoldenRecord, type ResultsFile,
} from '../../src/io/results.js';

const dir = mkdtempSync(join(tmpdir(), 'triplex-results-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const header = makeHeader({ seed: 1, counts: [{ target: 'memory', injections: 3 }] }, { index: 0, count: 1 });
const golden: GoldenRecord = { type: 'golden', seed: 1, outcome: 'masked', maxAttitudeErrorDeg: 0.1, scrub: { corrected: 0, uncorrectable: 0, scrubbedWords: 10 } };
function row(i: number): CampaignRow {
  return {
    type: 'row', row: i, seed: 100 + i, fault: { target: 'memory', location: `A word ${i} bit 1`, timeS: 1.5, spec: { kind: 'memory-flip', channel: 'A', word: i, bit: 1 } },
    outcome: 'recovered', detectionLatencyMs: 12.5, maxAttitudeErrorDeg: 0.3, scrub: { corrected: 1, uncorrectable: 0, scrubbedWords: 100 },
  };
}
const line = (value: Parameters<typeof encodeResultsLine>[0]): string => encodeResultsLine(value);
/** A version-2 file: header, golden, rows 0..2. */
const validText = `${[line(header), line(golden), line(row(0)), line(row(1)), line(row(2))].join('\n')}\n`;
/** A version-1 file (no CRCs) of the same content. */
const v1Text = `${[JSON.stringify({ ...header, version: 1 }), JSON.stringify(golden), JSON.stringify(row(0)), JSON.stringify(row(1)), JSON.stringify(row(2))].join('\n')}\n`;

/** What a decoded file says, for comparing files (the version aside). */
function contentOf(file: ResultsFile): string {
  return canonicalJson({ config: file.header.config, shard: file.header.shard, oracle: file.header.oracle, golden: file.golden, rows: file.rows });
}

describe('results file', () => {
  it('round-trips header, golden and rows through the writer', () => {
    const path = join(dir, 'a.jsonl');
    const writer = ResultsWriter.create(path, header);
    writer.append(row(2));
    writer.append(golden);
    writer.append(row(0));
    writer.close();
    const file = readResults(path);
    expect(file.ok && file.value.rows.map((r) => r.row)).toEqual([2, 0]);
    expect(file.ok && file.value.golden?.seed).toBe(1);
    expect(file.ok && file.value.tornLine).toBe(false);
    expect(file.ok && file.value.header.version).toBe(RESULTS_VERSION);
    expect(() => ResultsWriter.create(path, header)).toThrow();
  });

  it('detects a torn last line and reopening truncates it', () => {
    const path = join(dir, 'torn.jsonl');
    const writer = ResultsWriter.create(path, header);
    writer.append(row(0));
    writer.close();
    const whole = readFileSync(path, 'utf8');
    appendFileSync(path, line(row(1)).slice(0, 40));
    const torn = readResults(path);
    expect(torn.ok && torn.value.tornLine).toBe(true);
    expect(torn.ok && torn.value.rows.length).toBe(1);
    expect(torn.ok && torn.value.wholeBytes).toBe(Buffer.byteLength(whole));
    if (!torn.ok) return;
    const again = ResultsWriter.reopen(path, torn.value.wholeBytes);
    again.append(row(1));
    again.close();
    expect(readFileSync(path, 'utf8')).toBe(`${whole}${line(row(1))}\n`);
  });

  it('refuses an edited header, a foreign file and conflicting duplicate rows', () => {
    const edited = line({ ...header, config: { seed: 2 } });
    const bad = decodeResults(`${edited}\n`);
    expect(bad.ok ? 'ok' : bad.error.code).toBe('bad_header');
    expect(decodeResults('hello\n').ok).toBe(false);
    const conflicting: CampaignRow = { ...row(0), outcome: 'sdc' };
    const dup = decodeResults(`${[line(header), line(row(0)), line(conflicting), line(row(1))].join('\n')}\n`);
    expect(dup.ok ? 'ok' : dup.error.code).toBe('duplicate_row');
    const same = decodeResults(`${[line(header), line(row(0)), line(row(0))].join('\n')}\n`);
    expect(same.ok && same.value.rows.length).toBe(1);
  });

  it('reports a missing file as an io error', () => {
    writeFileSync(join(dir, 'x'), '');
    const missing = readResults(join(dir, 'nope.jsonl'));
    expect(missing.ok ? 'ok' : missing.error.code).toBe('io');
  });
});

describe('results file: line CRCs (version 2)', () => {
  it('a line is its JSON without the crc member, then ,"crc":"<CRC-32C of that JSON>"} (checked against the crc-32 package)', async () => {
    const { default: crc32c } = (await import('crc-32/crc32c.js')) as { default: { buf: (data: Uint8Array) => number } };
    for (const value of [header, golden, row(0), { ...row(1), fault: { ...row(1).fault, location: 'non-ASCII: µs, °' } }]) {
      const json = JSON.stringify(value);
      const text = encodeResultsLine(value);
      const expected = (crc32c.buf(Buffer.from(json, 'utf8')) >>> 0).toString(16).padStart(8, '0');
      expect(text).toBe(`${json.slice(0, -1)},"crc":"${expected}"}`);
    }
    const decoded = decodeResults(validText);
    expect(decoded.ok && decoded.value.rows.length).toBe(3);
    expect(decoded.ok && decoded.value.tornLine).toBe(false);
  });

  it('every single-bit flip anywhere in a file is refused, naming its line, except in the final newline (a torn line)', () => {
    const bytes = Buffer.from(validText, 'utf8');
    const lineOf = (at: number): number => bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    const reference = decodeResults(validText);
    const lastLineStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
    const withoutLast = decodeResults(bytes.subarray(0, lastLineStart));
    if (!reference.ok || !withoutLast.ok) throw new Error('the valid file must decode');
    let refused = 0;
    for (let at = 0; at < bytes.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = Buffer.from(bytes);
        flipped[at] = (flipped[at] ?? 0) ^ (1 << bit);
        const decoded = decodeResults(flipped);
        if (at === bytes.length - 1) {
          // The final newline: the file now ends in a line without one, which is what a crash leaves.
          expect(decoded.ok && decoded.value.tornLine && contentOf(decoded.value) === contentOf(withoutLast.value), `flip at ${at} bit ${bit}`).toBe(true);
          continue;
        }
        expect(decoded.ok, `flip at byte ${at} bit ${bit} was not detected`).toBe(false);
        if (decoded.ok) continue;
        // The error names the flipped line (a newline flipped away joins two lines: the first is named).
        expect(describeResultsError('f.jsonl', decoded.error), `flip at byte ${at} bit ${bit}`).toMatch(new RegExp(`^f\\.jsonl:${lineOf(at)}: `));
        refused++;
      }
    }
    expect(refused).toBe((bytes.length - 1) * 8);
  });

  it('a complete last line that fails its CRC is corruption (refused); one without its newline is a torn write', () => {
    const lines = validText.trimEnd().split('\n');
    const last = lines.at(-1) ?? '';
    const garbled = `${last.slice(0, 30)}X${last.slice(31)}`;
    const complete = decodeResults(`${[...lines.slice(0, -1), garbled].join('\n')}\n`);
    expect(complete.ok ? 'ok' : describeResultsError('f.jsonl', complete.error)).toMatch(/^f\.jsonl:5: crc mismatch \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\)/);
    const torn = decodeResults([...lines.slice(0, -1), garbled].join('\n'));
    expect(torn.ok && torn.value.tornLine && torn.value.rows.length).toBe(2);
    const unsigned = decodeResults(`${[...lines.slice(0, -1), JSON.stringify(row(2))].join('\n')}\n`);
    expect(unsigned.ok ? 'ok' : describeResultsError('f.jsonl', unsigned.error)).toMatch(/^f\.jsonl:5: no well-formed line CRC/);
    const middle = decodeResults(`${[lines[0], '{"type":"row","row":1,', ...lines.slice(1)].join('\n')}\n`);
    expect(middle.ok ? 'ok' : middle.error.code).toBe('crc_missing');
  });

  it('reads version-1 files (no CRCs) as before: same content, a garbled last whole line still taken as torn', () => {
    const v1 = decodeResults(v1Text);
    const v2 = decodeResults(validText);
    if (!v1.ok || !v2.ok) throw new Error('both versions must decode');
    expect(v1.value.header.version).toBe(1);
    expect(contentOf(v1.value)).toBe(contentOf(v2.value));
    const garbledLast = decodeResults(`${v1Text}{"type":"row","row":1,\n`);
    expect(garbledLast.ok && garbledLast.value.tornLine).toBe(true);
    const garbledMiddle = decodeResults(v1Text.replace('\n', '\n{"type":"row","row":1,\n'));
    expect(garbledMiddle.ok ? 'ok' : garbledMiddle.error.code).toBe('bad_line');
    // A version-1 header that carries a CRC has it checked too (so a flip of "version":2 to 1 is caught).
    const downgraded = validText.replace('"version":2', '"version":1');
    const result = decodeResults(downgraded);
    expect(result.ok ? 'ok' : result.error.code).toBe('crc_mismatch');
  });
});
