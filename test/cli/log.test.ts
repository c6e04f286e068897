// Spawns the built CLI (test/global-setup.ts builds dist/) and checks the `triplex log` contract (docs/LOGS.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'triplex-log-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function log(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'log', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SAMPLE = [
  '(1436509052.249713) vcan0 044#2a366c2bba',
  '(1436509052.249800) vcan0 044#2A.36',
  '(1436509052.250000) vcan0 12345678#R R',
  'this line is not a frame',
  '(1436509052.260000) vcan0 123##1deadbeef',
  '(1436509052.270000) vcan0 123##3',
  '(1436509052.280000) vcan1 20000080#0000000000000000',
  '(1436509052.290000) vcan0 7E8#0102',
  '(1436509052.300000) vcan0 18DAF110#01',
  '',
].join('\n');
const samplePath = join(dir, 'sample.log');
writeFileSync(samplePath, SAMPLE);

describe('triplex log cat', () => {
  it('prints canonical candump -L lines and warns about the malformed one', () => {
    const result = log('cat', samplePath);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe([
      '(1436509052.249713) vcan0 044#2A366C2BBA',
      '(1436509052.249800) vcan0 044#2A36',
      '(1436509052.250000) vcan0 12345678#R R',
      '(1436509052.260000) vcan0 123##1DEADBEEF',
      '(1436509052.270000) vcan0 123##3',
      '(1436509052.280000) vcan1 20000080#0000000000000000',
      '(1436509052.290000) vcan0 7E8#0102',
      '(1436509052.300000) vcan0 18DAF110#01',
      '',
    ].join('\n'));
    expect(result.stderr).toBe(`${samplePath}:4: bad timestamp at column 1: line must start with '('\n${samplePath}: 1 malformed line skipped\n`);
  });

  it('exits 1 with --strict when a line is malformed, 0 when none is', () => {
    expect(log('cat', samplePath, '--strict').status).toBe(1);
    const clean = join(dir, 'clean.log');
    writeFileSync(clean, '(0000000001.000000) can0 123#11\n');
    expect(log('cat', clean, '--strict')).toEqual({ status: 0, stdout: '(0000000001.000000) can0 123#11\n', stderr: '' });
  });

  it('bounds the warnings and then summarises', () => {
    const noisy = join(dir, 'noisy.log');
    writeFileSync(noisy, 'junk\n'.repeat(50));
    const result = log('cat', noisy);
    expect(result.status).toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe(`${noisy}: 50 malformed lines skipped (first 20 shown)`);
  });
});

describe('triplex log stats', () => {
  it('--json counts frames by kind and by canonical ID', () => {
    const result = log('stats', samplePath, '--json');
    expect(result.status).toBe(0);
    const stats = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(stats).toMatchObject({
      frames: 8, classic: 6, fd: 2, brs: 2, esi: 1, rtr: 1, extended: 2, errorFrames: 1, malformedLines: 1,
      firstTimestamp: '1436509052.249713', lastTimestamp: '1436509052.300000',
      interfaces: { vcan0: 7, vcan1: 1 },
      ids: { '044': 2, '123': 2, '7E8': 1, '12345678': 1, '18DAF110': 1, '20000080': 1 },
    });
  });

  it('prints readable text without --json', () => {
    const result = log('stats', samplePath);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^frames: +8 \(classic 6, FD 2 with BRS 2 \/ ESI 1\)$/m);
    expect(result.stdout).toMatch(/^error frames: +1$/m);
    expect(result.stdout).toMatch(/^ +044 +2$/m);
  });
});

describe('triplex log filter', () => {
  it('keeps frames whose ID matches ID/MASK, standard and extended apart', () => {
    expect(log('filter', '--id', '044', samplePath).stdout).toBe('(1436509052.249713) vcan0 044#2A366C2BBA\n(1436509052.249800) vcan0 044#2A36\n');
    expect(log('filter', '--id', '7E0/7F0', samplePath).stdout).toBe('(1436509052.290000) vcan0 7E8#0102\n');
    expect(log('filter', '--id', '18DA0000/1FFF0000', samplePath).stdout).toBe('(1436509052.300000) vcan0 18DAF110#01\n');
    expect(log('filter', '--id', '0x123', '--id', '12345678', samplePath).stdout.split('\n')).toHaveLength(4);
  });

  it('writes --out atomically and leaves nothing behind on failure', () => {
    const out = join(dir, 'filtered.log');
    const result = log('filter', '--id', '123', samplePath, '--out', out);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('(1436509052.260000) vcan0 123##1DEADBEEF\n(1436509052.270000) vcan0 123##3\n');
    const missingDir = join(dir, 'no-such-dir', 'x.log');
    const failed = log('filter', '--id', '123', samplePath, '--out', missingDir);
    expect(failed.status).toBe(2);
    expect(failed.stderr.trimEnd().split('\n').at(-1)).toMatch(/^triplex log: cannot write .*ENOENT$/);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('triplex log: bad usage exits 2 with one line', () => {
  it.each([
    [['cat', join(dir, 'missing.log')], /^triplex log: cannot read .*missing\.log: no such file$/],
    [['cat', dir], /^triplex log: cannot read .*: is a directory$/],
    [['cat'], /^triplex log: log cat: missing FILE$/],
    [[], /^triplex log: missing action/],
    [['dump', samplePath], /^triplex log: unknown action 'dump'/],
    [['filter', samplePath], /^triplex log: log filter needs --id/],
    [['filter', '--id', 'xyz', samplePath], /^triplex log: --id must be hex ID\[\/MASK\]/],
    [['filter', '--id', '800', samplePath], /^triplex log: --id 800: ID exceeds 0x7FF$/],
    [['cat', samplePath, '--json'], /^triplex log: --json does not apply to 'log cat'$/],
    [['stats', samplePath, '--bogus'], /^triplex log: Unknown option '--bogus'/],
    [['cat', samplePath, 'extra'], /^triplex log: unexpected argument 'extra'$/],
  ])('%j', (args, message) => {
    const result = log(...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr.trimEnd()).toMatch(message);
  });

  it('writes no --out file when the input is missing', () => {
    const out = join(dir, 'never.log');
    expect(log('filter', '--id', '123', join(dir, 'missing.log'), '--out', out).status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
