// Spawns the built CLI: bad flags, resume after SIGKILL, config refusal, shards and merge (docs/CAMPAIGNS.md).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ORACLE_VERSION } from '../../src/core/fault/outcome.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'triplex-campaign-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BASE = ['campaign', '--model', 'synthetic', '--duration-s', '2', '--rate-hz', '250', '--seed', '7', '--workers', '2'];

/** Rows of a results file as sorted JSON texts (golden included, header excluded). */
function rowsOf(path: string): string[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).sort();
}

describe('triplex campaign: bad usage', () => {
  it.each([
    [['--injections', '10'], 'missing --out'],
    [['--out', 'X', '--injections', '0'], '--injections must be'],
    [['--out', 'X', '--injections', '10', '--margin', '0.01'], 'either --injections'],
    [['--out', 'X', '--margin', '0.01'], 'missing --injections'],
    [['--out', 'X', '--injections', '10', '--target', 'cpu'], "unknown target 'cpu'"],
    [['--out', 'X', '--injections', '10', '--shard', '3/3'], '--shard must be'],
    [['--out', 'X', '--margin', '2', '--confidence', '95%'], '--margin must be'],
    [['--out', 'X', '--injections', '10', '--bogus'], 'bogus'],
  ])('%j exits 2 with one line and leaves no file', (args, message) => {
    const out = join(dir, 'bad.jsonl');
    const r = cli(...BASE, ...args.map((a) => (a === 'X' ? out : a)));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses another configuration against an existing file (exit 2)', () => {
    const out = join(dir, 'cfg.jsonl');
    expect(cli(...BASE, '--injections', '30', '--out', out).status).toBe(0);
    const before = readFileSync(out, 'utf8');
    const r = cli(...BASE, '--injections', '31', '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('holds another campaign');
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('refuses to resume a file judged by another oracle version (exit 2, one line, file untouched)', () => {
    const out = join(dir, 'oracle.jsonl');
    const done = cli(...BASE, '--injections', '30', '--out', out);
    expect(done.status).toBe(0);
    const [head = '', ...rest] = readFileSync(out, 'utf8').split('\n');
    const header = JSON.parse(head) as Record<string, unknown>;
    expect(header.oracle).toBe(ORACLE_VERSION);
    // A first-wave file: no `oracle` field (reads as version 1), one row missing so a resume would run.
    const old = { ...header };
    delete old.oracle;
    const oldText = [JSON.stringify(old), ...rest.slice(0, -2), ''].join('\n');
    writeFileSync(out, oldText);
    const r = cli(...BASE, '--injections', '30', '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`judged by oracle version 1; this Triplex's oracle is version ${ORACLE_VERSION}`));
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).toBe(oldText);
  });
});

describe('triplex campaign: resume', () => {
  it('continues after SIGKILL and ends with the same rows as an uninterrupted run', async () => {
    const args = [...BASE, '--injections', '20000', '--duration-s', '4'];
    const reference = join(dir, 'reference.jsonl');
    const ref = cli(...args, '--out', reference);
    expect(ref.stderr).not.toContain('internal error');
    expect(ref.status).toBe(0);
    const killed = join(dir, 'killed.jsonl');
    const child = spawn(process.execPath, [MAIN, ...args, '--out', killed], { stdio: 'ignore' });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(killed) && statSync(killed).size > 200_000) { clearInterval(poll); child.kill('SIGKILL'); resolve(); }
      }, 5);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const partial = readFileSync(killed, 'utf8').split('\n').length;
    expect(partial).toBeLessThan(20_000);
    const resumed = cli(...args, '--out', killed, '--json');
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain('resuming');
    expect((JSON.parse(resumed.stdout) as { complete: boolean }).complete).toBe(true);
    expect(rowsOf(killed)).toEqual(rowsOf(reference));
  });
});

describe('triplex campaign: shards and merge', () => {
  const args = [...BASE, '--injections', '300'];
  const whole = join(dir, 'whole.jsonl');
  const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}.jsonl`));

  it('merges shards into the rows of the unsharded run, sorted by row', () => {
    expect(cli(...args, '--out', whole).status).toBe(0);
    shards.forEach((s, i) => { expect(cli(...args, '--shard', `${i}/3`, '--out', s).status).toBe(0); });
    const merged = join(dir, 'merged.jsonl');
    const r = cli('campaign', 'merge', ...shards, '--out', merged);
    expect(r.status).toBe(0);
    expect(rowsOf(merged)).toEqual(rowsOf(whole));
    const order = readFileSync(merged, 'utf8').trimEnd().split('\n').flatMap((l) => { const v = JSON.parse(l) as { type: string; row?: number }; return v.type === 'row' ? [v.row ?? -1] : []; });
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('reports a missing shard (exit 1) and a duplicated one (exit 2), writing nothing', () => {
    const out = join(dir, 'partial.jsonl');
    const missing = cli('campaign', 'merge', shards[0] ?? '', shards[2] ?? '', '--out', out);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('shard 1/3 missing');
    const twice = cli('campaign', 'merge', shards[0] ?? '', shards[0] ?? '', shards[1] ?? '', '--out', out);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('given twice');
    expect(existsSync(out)).toBe(false);
  });
});

describe('triplex run --replay', () => {
  it('reruns one campaign row exactly, and refuses a bad FILE:ROW with exit 2', () => {
    const out = join(dir, 'replay.jsonl');
    expect(cli(...BASE, '--injections', '40', '--out', out).status).toBe(0);
    const r = cli('run', '--replay', `${out}:17`, '--json');
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout) as { identical: boolean; recorded: unknown; replayed: unknown; trace: { timeS: number[] } };
    expect(parsed.identical).toBe(true);
    expect(parsed.replayed).toEqual(parsed.recorded);
    expect(parsed.trace.timeS.length).toBeGreaterThan(10);
    expect(cli('run', '--replay', `${out}:99`).status).toBe(2);
    expect(cli('run', '--replay', 'nofile').status).toBe(2);
  });
});
