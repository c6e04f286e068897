import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { testSeed } from '../support/seed.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const RIG = join(ROOT, 'hil/rigs/emulated-1khz.json');
const dir = mkdtempSync(join(tmpdir(), 'triplex-run-fd-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function triplex(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface RunJson {
  readonly rateHz: number; readonly cycles: number; readonly deadlineMisses: number; readonly rig: string;
  readonly bus: { readonly loadPercent: number; readonly dropped: number };
  readonly faults: { readonly sdc: number; readonly hang: number };
  readonly isolations: readonly unknown[];
  readonly channels: Record<string, { readonly e2eErrors: number; readonly framesLost: number }>;
  readonly voter: { readonly e2eRejected: number; readonly clockFaultMask: number; readonly mode: string };
}

describe('triplex run on the CAN FD 1 kHz rig (hil/rigs/emulated-1khz.json)', () => {
  it('the rig passes its own bus budget', () => {
    const r = triplex('bus-load', '--rig', RIG);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('result: ok');
  });

  it('flies 2 s at 1 kHz in lockstep with no deadline miss, all frames FD with BRS, clean E2E', () => {
    const log = join(dir, 'fd.log');
    const r = triplex('run', '--rig', RIG, '--rate-hz', '1000', '--faults', 'none', '--duration-s', '2', '--json', '--candump', log);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as RunJson;
    expect(j.rig).toBe('emulated-1khz');
    expect(j.rateHz).toBe(1000);
    expect(j.cycles).toBe(2000);
    expect(j.deadlineMisses).toBe(0);
    expect(j.bus.dropped).toBe(0);
    expect(j.bus.loadPercent).toBeGreaterThan(30);
    expect(j.bus.loadPercent).toBeLessThan(70);
    expect(j.isolations).toEqual([]);
    expect(j.voter).toMatchObject({ mode: 'vote', e2eRejected: 0, clockFaultMask: 0 });
    for (const c of Object.values(j.channels)) expect(c).toMatchObject({ e2eErrors: 0, framesLost: 0 });

    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2000 * 9);
    // Every Triplex frame is a 20-byte FD frame with BRS (flags nibble 1): `ID##1` + 40 hex digits.
    for (const line of lines) expect(line).toMatch(/^\(\d{10}\.\d{6}\) can0 [0-9A-F]{3}##1[0-9A-F]{40}$/);

    const stats = triplex('log', 'stats', log, '--json', '--strict');
    expect(stats.status).toBe(0);
    const s = JSON.parse(stats.stdout) as { frames: number; fd: number; brs: number; classic: number; malformedLines: number };
    expect(s).toMatchObject({ frames: lines.length, fd: lines.length, brs: lines.length, classic: 0, malformedLines: 0 });

    const asc = spawnSync('log2asc', ['-I', log, 'can0'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(asc.status).toBe(0);
    const fdRows = asc.stdout.split('\n').filter((l) => l.includes('CANFD'));
    expect(fdRows.length).toBe(lines.length);
  });

  it('is deterministic: the same seed gives byte-identical JSON and candump logs', () => {
    const seed = String(testSeed('run-fd determinism') % 1_000_000);
    const run = (name: string): { json: string; log: string } => {
      const log = join(dir, name);
      const r = triplex('run', '--rig', RIG, '--rate-hz', '1000', '--faults', 'default', '--duration-s', '1', '--seed', seed, '--json', '--candump', log);
      expect(r.stderr).toBe('');
      return { json: r.stdout, log: readFileSync(log, 'utf8') };
    };
    const a = run('a.log');
    const b = run('b.log');
    expect(b.json).toBe(a.json);
    expect(b.log).toBe(a.log);
    expect((JSON.parse(a.json) as RunJson).faults.sdc).toBe(0);
  });

  it('refuses p2p links on an FD rig with one line and exit 2', () => {
    const r = triplex('run', '--rig', RIG, '--links', 'p2p', '--duration-s', '1', '--json');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('CAN FD');
  });
});
