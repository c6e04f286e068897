/** `triplex hil` as a user runs it: the summary and JSON of an emulated rig, and bad input. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'triplex-hil-cli-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function hil(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [join(ROOT, 'dist/cli/main.js'), 'hil', ...args], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('triplex hil', () => {
  it('flies the emulated rig in lockstep and prints the run summary plus the pacing line', () => {
    const r = hil(['--rig', 'hil/rigs/emulated.json', '--duration-s', '1', '--lockstep']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^flight: 1 s at 250 Hz \(250 cycles\), seed 1, profile 'none', rig 'emulated'/);
    expect(r.stdout).toContain('\npacing: lockstep\n');
  });

  it('prints one JSON object with the bridge figures', () => {
    const r = hil(['--rig', 'hil/rigs/emulated.json', '--duration-s', '0.5', '--json']);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { cycles: number; hil: { boards: unknown[]; sensorToVotedCommand: unknown; pacing: { lockstep: boolean } } };
    expect(result.cycles).toBe(125);
    expect(result.hil).toMatchObject({ boards: [], sensorToVotedCommand: null, pacing: { lockstep: false } });
  });

  it('exits 2 with one line for bad input', () => {
    expect(hil([]).stderr).toBe('triplex hil: missing --rig FILE (e.g. hil/rigs/emulated.json)\n');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, name: 'x', bus: { kind: 'can', bitRateBps: 1_000_000, loadLimitPercent: 50 }, rateHz: 250, channels: [{ name: 'A', kind: 'serial', path: 'ttyUSB0' }], sensors: 3, frames: [] }));
    const r = hil(['--rig', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`triplex hil: ${bad}: $.channels[0].path: expected an absolute device path such as "/dev/ttyUSB0", got "ttyUSB0"\n`);
    expect(hil(['--rig', 'hil/rigs/emulated.json', '--duration-s', '0']).stderr).toBe("triplex hil: --duration-s must be a number of seconds above 0 and at most 86400, got '0'\n");
  });
});
