import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeResults, makeHeader, readResults, ResultsWriter, type CampaignRow } from '../../src/io/results.js';

const dir = mkdtempSync(join(tmpdir(), 'triplex-results-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const header = makeHeader({ seed: 1, counts: [{ target: 'memory', injections: 3 }] }, { index: 0, count: 1 });
function row(i: number): CampaignRow {
  return {
    type: 'row', row: i, seed: 100 + i, fault: { target: 'memory', location: `A word ${i} bit 1`, timeS: 1.5, spec: { kind: 'memory-flip', channel: 'A', word: i, bit: 1 } },
    outcome: 'recovered', detectionLatencyMs: 12.5, maxAttitudeErrorDeg: 0.3, scrub: { corrected: 1, uncorrectable: 0, scrubbedWords: 100 },
  };
}

describe('results file', () => {
  it('round-trips header, golden and rows through the writer', () => {
    const path = join(dir, 'a.jsonl');
    const writer = ResultsWriter.create(path, header);
    writer.append(row(2));
    writer.append({ type: 'golden', seed: 1, outcome: 'masked', maxAttitudeErrorDeg: 0.1, scrub: { corrected: 0, uncorrectable: 0, scrubbedWords: 10 } });
    writer.append(row(0));
    writer.close();
    const file = readResults(path);
    expect(file.ok && file.value.rows.map((r) => r.row)).toEqual([2, 0]);
    expect(file.ok && file.value.golden?.seed).toBe(1);
    expect(file.ok && file.value.tornLine).toBe(false);
    expect(() => ResultsWriter.create(path, header)).toThrow();
  });

  it('detects a torn last line and reopening truncates it', () => {
    const path = join(dir, 'torn.jsonl');
    const writer = ResultsWriter.create(path, header);
    writer.append(row(0));
    writer.close();
    const whole = readFileSync(path, 'utf8');
    appendFileSync(path, JSON.stringify(row(1)).slice(0, 40));
    const torn = readResults(path);
    expect(torn.ok && torn.value.tornLine).toBe(true);
    expect(torn.ok && torn.value.rows.length).toBe(1);
    expect(torn.ok && torn.value.wholeBytes).toBe(Buffer.byteLength(whole));
    if (!torn.ok) return;
    const again = ResultsWriter.reopen(path, torn.value.wholeBytes);
    again.append(row(1));
    again.close();
    expect(readFileSync(path, 'utf8')).toBe(`${whole}${JSON.stringify(row(1))}\n`);
  });

  it('treats a garbled last whole line as torn, a garbled middle line as an error', () => {
    const lines = [JSON.stringify(header), JSON.stringify(row(0)), '{"type":"row","row":1,'];
    const last = decodeResults(`${lines.join('\n')}\n`);
    expect(last.ok && last.value.tornLine).toBe(true);
    const middle = decodeResults(`${[lines[0], lines[2], lines[1]].join('\n')}\n`);
    expect(middle.ok ? 'ok' : middle.error.code).toBe('bad_line');
  });

  it('refuses an edited header, a foreign file and conflicting duplicate rows', () => {
    const edited = JSON.stringify({ ...header, config: { seed: 2 } });
    const bad = decodeResults(`${edited}\n`);
    expect(bad.ok ? 'ok' : bad.error.code).toBe('bad_header');
    expect(decodeResults('hello\n').ok).toBe(false);
    const conflicting = { ...row(0), outcome: 'sdc' };
    const dup = decodeResults(`${[JSON.stringify(header), JSON.stringify(row(0)), JSON.stringify(conflicting), JSON.stringify(row(1))].join('\n')}\n`);
    expect(dup.ok ? 'ok' : dup.error.code).toBe('duplicate_row');
    const same = decodeResults(`${[JSON.stringify(header), JSON.stringify(row(0)), JSON.stringify(row(0))].join('\n')}\n`);
    expect(same.ok && same.value.rows.length).toBe(1);
  });

  it('reports a missing file as an io error', () => {
    writeFileSync(join(dir, 'x'), '');
    const missing = readResults(join(dir, 'nope.jsonl'));
    expect(missing.ok ? 'ok' : missing.error.code).toBe('io');
  });
});
