import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const CLI = 'dist/cli/main.js';
const run = (...args: string[]) => spawnSync('node', [CLI, 'run', ...args], { encoding: 'utf8' });

describe('triplex run', () => {
  test('--json prints the contract fields and exits 0 on the default profile', () => {
    const r = run('--json', '--duration-s', '20', '--seed', '3');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown> & { faults: Record<string, number> };
    for (const key of ['seed', 'cycles', 'simSeconds', 'faults', 'maxAttitudeErrorDeg', 'isolations', 'reintegrations', 'deadlineMisses']) expect(j).toHaveProperty(key);
    for (const key of ['injected', 'masked', 'corrected', 'isolated', 'failSafe', 'sdc', 'hang']) expect(typeof j.faults[key]).toBe('number');
    expect(j.seed).toBe(3);
    expect(j.cycles).toBe(5000);
    expect(j.faults.injected).toBeGreaterThan(5);
    expect((j.faults.sdc ?? 1) + (j.faults.hang ?? 1)).toBe(0);
  });

  test('same seed: byte-identical JSON and candump log; different seed differs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'triplex-run-'));
    const a = run('--json', '--duration-s', '4', '--seed', '7', '--candump', join(dir, 'a.log'));
    const b = run('--json', '--duration-s', '4', '--seed', '7', '--candump', join(dir, 'b.log'));
    const c = run('--json', '--duration-s', '4', '--seed', '8', '--candump', join(dir, 'c.log'));
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(readFileSync(join(dir, 'a.log'), 'utf8')).toBe(readFileSync(join(dir, 'b.log'), 'utf8'));
    expect(c.stdout).not.toBe(a.stdout);
    expect(readFileSync(join(dir, 'c.log'), 'utf8')).not.toBe(readFileSync(join(dir, 'a.log'), 'utf8'));
    const asc = execFileSync('log2asc', ['-I', join(dir, 'a.log'), 'can0'], { encoding: 'utf8' });
    expect(asc.split('\n').length).toBeGreaterThan(1000);
  });

  test('the human summary names the outcome', () => {
    const r = run('--duration-s', '2', '--faults', 'none');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no silent data corruption');
    expect(r.stdout).toContain('within the envelope');
    expect(r.stdout).toMatch(/masked \(no mechanism had to act\)/);
  });

  test.each([
    [['--seed', 'x'], /--seed/],
    [['--rate-hz', '0'], /--rate-hz/],
    [['--duration-s', '-1'], /--duration-s/],
    [['--faults', 'nope'], /unknown fault profile 'nope'/],
    [['--bogus'], /bogus/],
  ])('bad usage %j exits 2 with one line', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test('a bad profile file exits 2 naming the JSON path, and leaves no candump file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'triplex-run-'));
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ version: 1, name: 'x', events: [{ atS: 1, kind: 'channel-crash', channel: 'D' }] }));
    const r = run('--faults', file, '--candump', join(dir, 'out.log'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/events\[0\]\.channel/);
    expect(existsSync(join(dir, 'out.log'))).toBe(false);
  });
});
