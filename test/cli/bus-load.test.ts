import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function busLoad(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'bus-load', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('triplex bus-load', () => {
  it('prints per id the period, worst-case bits, response time and deadline, and the total load (exit 0)', () => {
    const result = busLoad('--rig', join(ROOT, 'hil/rigs/emulated.json'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^0x121\s+imu1-rate\s+4000\s+135\s+135\.0\s+\d+\.\d\s+2000\s+ok$/m);
    expect(result.stdout).toMatch(/^total load \d+\.\d\d% \(limit 50%\)$/m);
  });

  it('defaults to the packaged emulated rig; --json gives one object', () => {
    const result = busLoad('--json');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as { rig: string; ok: boolean; frames: { id: number; responseMicros: number; nominalBits: number }[] };
    expect(json.rig).toBe('emulated');
    expect(json.ok).toBe(true);
    expect(json.frames.every((f) => f.nominalBits === 135 && f.responseMicros > 0)).toBe(true);
  });

  it('exits 1 for the overloaded rig', () => {
    const result = busLoad('--rig', join(ROOT, 'test/hil/fixtures/overloaded-rig.json'));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/OVER LIMIT/);
    expect(result.stdout).toMatch(/MISS/);
  });

  it('exits 2 with one line naming the file, JSON path and expectation for a bad rig', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bus-load-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ version: 1, name: 'x', bus: { kind: 'can', bitRateBps: 1_000_000, loadLimitPercent: 50 }, rateHz: 250, channels: [{ name: 'A', kind: 'emulated' }], sensors: 3, frames: [{ name: 'f', id: 0x10, periodMicros: 0, payloadBytes: 8 }] }));
    const result = busLoad('--rig', file);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`triplex bus-load: ${file}: $.frames[0].periodMicros: expected an integer 1..60000000, got 0\n`);
    expect(result.stdout).toBe('');
    const missing = busLoad('--rig', join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(busLoad('--bogus').status).toBe(2);
  });
});
