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

/** The test's environment without the variables a shard is taken from (this may run inside a batch job). */
const QUIET_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(SLURM_ARRAY_|JOB_COMPLETION_INDEX$|TRIPLEX_SHARD_COUNT$)/.test(name)));

function cliEnv(env: Readonly<Record<string, string>>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...QUIET_ENV, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return cliEnv({}, ...args);
}

/** A results line as a version-1 writer wrote it: no crc member. */
function withoutCrc(line: string): string {
  if (line === '') return line;
  const value = JSON.parse(line) as Record<string, unknown>;
  delete value.crc;
  if (value.type === 'header') value.version = 1;
  return JSON.stringify(value);
}

/** The file with byte `at` of its line `lineNumber` (1-based) flipped by `mask`. */
function flipByte(path: string, lineNumber: number, at: number, mask: number): void {
  const bytes = readFileSync(path);
  let offset = 0;
  for (let line = 1; line < lineNumber; line++) offset = bytes.indexOf(0x0a, offset) + 1;
  bytes[offset + at] = (bytes[offset + at] ?? 0) ^ mask;
  writeFileSync(path, bytes);
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
    // A first-wave file: results version 1 (no CRCs), no `oracle` field (reads as version 1), one row missing so a resume would run.
    const old = JSON.parse(withoutCrc(head)) as Record<string, unknown>;
    delete old.oracle;
    const oldText = [JSON.stringify(old), ...rest.slice(0, -2).map(withoutCrc), ''].join('\n');
    writeFileSync(out, oldText);
    const r = cli(...BASE, '--injections', '30', '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`judged by oracle version 1; this Triplex's oracle is version ${ORACLE_VERSION}`));
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).toBe(oldText);
  });
});

describe('triplex campaign: results integrity (line CRCs)', () => {
  const args = [...BASE, '--injections', '30'];

  it('refuses to resume a version-1 file (no line CRCs) of this oracle (exit 2, one line, file untouched)', () => {
    const out = join(dir, 'v1.jsonl');
    expect(cli(...args, '--out', out).status).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    const v1 = [...lines.slice(0, -2).map(withoutCrc), ''].join('\n');
    writeFileSync(out, v1);
    const r = cli(...args, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is results version 1 (no line CRCs)');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).toBe(v1);
  });

  // Must-fail pair: the same finished file resumes and merges; with one byte of row line 12 flipped, both refuse it naming the line.
  it('a flipped byte in a row of a finished file: resume and merge exit 2 naming the line; unflipped, both succeed', () => {
    const good = join(dir, 'intact.jsonl');
    expect(cli(...args, '--out', good).status).toBe(0);
    const text = readFileSync(good, 'utf8');
    const resumed = cli(...args, '--out', good);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain('resuming');
    expect(cli('campaign', 'merge', good, '--out', join(dir, 'intact-merged.jsonl')).status).toBe(0);
    expect(rowsOf(join(dir, 'intact-merged.jsonl'))).toEqual(rowsOf(good));

    const bad = join(dir, 'flipped.jsonl');
    // The 11th line or later that is a row (lines come in completion order, the golden one anywhere).
    const lineNo = text.split('\n').findIndex((l, i) => i >= 11 && /^\{"type":"row"/.test(l)) + 1;
    expect(lineNo).toBeGreaterThanOrEqual(12);
    writeFileSync(bad, text);
    flipByte(bad, lineNo, 40, 0x04);
    const flipped = readFileSync(bad);
    const resume = cli(...args, '--out', bad);
    expect(resume.status).toBe(2);
    expect(resume.stderr.startsWith(`triplex campaign: ${bad}:${lineNo}: crc mismatch (stored `), resume.stderr).toBe(true);
    expect(resume.stderr).toMatch(/computed [0-9a-f]{8}\): the line changed after it was written\n$/);
    expect(resume.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(resume.stderr).not.toContain('internal error');
    expect(readFileSync(bad).equals(flipped)).toBe(true);
    const merged = join(dir, 'flipped-merged.jsonl');
    const merge = cli('campaign', 'merge', bad, '--out', merged);
    expect(merge.status).toBe(2);
    expect(merge.stderr).toContain(`${bad}:${lineNo}: crc mismatch`);
    expect(merge.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(merged)).toBe(false);
  });

  it('a complete last line that fails its CRC is refused; a last line without its newline is torn and rerun', () => {
    const out = join(dir, 'last.jsonl');
    expect(cli(...args, '--out', out).status).toBe(0);
    const text = readFileSync(out, 'utf8');
    const lineCount = text.trimEnd().split('\n').length;
    flipByte(out, lineCount, 20, 0x01);
    const corrupted = cli(...args, '--out', out);
    expect(corrupted.status).toBe(2);
    expect(corrupted.stderr).toContain(`${out}:${lineCount}: crc mismatch`);
    writeFileSync(out, text.slice(0, text.length - 25));
    const torn = cli(...args, '--out', out);
    expect(torn.status).toBe(0);
    expect(torn.stderr).toContain('dropped a torn last line');
    expect(readFileSync(out, 'utf8').trimEnd().split('\n').sort()).toEqual(text.trimEnd().split('\n').sort());
  });

  it('merges version-1 shards into a version-1 file (it cannot vouch for rows nobody checked)', () => {
    const out = join(dir, 'v1-shard.jsonl');
    expect(cli(...args, '--out', out).status).toBe(0);
    writeFileSync(out, readFileSync(out, 'utf8').split('\n').map(withoutCrc).join('\n'));
    const merged = join(dir, 'v1-merged.jsonl');
    const r = cli('campaign', 'merge', out, '--out', merged);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('is results version 1 (no line CRCs)');
    const [head = ''] = readFileSync(merged, 'utf8').split('\n');
    expect((JSON.parse(head) as { version: number; crc?: string }).version).toBe(1);
    expect(rowsOf(merged)).toEqual(rowsOf(out));
  });
});

describe('triplex campaign: the shard from the batch engine', () => {
  const args = [...BASE, '--injections', '120'];
  const whole = join(dir, 'engine-whole.jsonl');
  const shardOf = (path: string): unknown => (JSON.parse(readFileSync(path, 'utf8').split('\n')[0] ?? '') as { shard: unknown }).shard;

  it('Slurm job array tasks 1..4 (SLURM_ARRAY_TASK_MIN=1) run shards 0..3 of 4, which merge into the unsharded run', () => {
    expect(cli(...args, '--out', whole).status).toBe(0);
    const outs = [1, 2, 3, 4].map((id) => {
      const out = join(dir, `slurm-${id}.jsonl`);
      const env = { SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_STEP: '1' };
      const r = cliEnv(env, ...args, '--out', out);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain(`shard ${id - 1}/4 from SLURM_ARRAY_TASK_ID=${id} - SLURM_ARRAY_TASK_MIN=1 of SLURM_ARRAY_TASK_COUNT=4`);
      expect(shardOf(out)).toEqual({ index: id - 1, count: 4 });
      return out;
    });
    const merged = join(dir, 'slurm-merged.jsonl');
    expect(cli('campaign', 'merge', ...outs, '--out', merged).status).toBe(0);
    expect(rowsOf(merged)).toEqual(rowsOf(whole));
  });

  it('a Kubernetes Indexed Job: JOB_COMPLETION_INDEX of TRIPLEX_SHARD_COUNT; --shard given explicitly wins', () => {
    const out = join(dir, 'k8s-2.jsonl');
    const r = cliEnv({ JOB_COMPLETION_INDEX: '2', TRIPLEX_SHARD_COUNT: '3' }, ...args, '--out', out);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('shard 2/3 from JOB_COMPLETION_INDEX=2 of TRIPLEX_SHARD_COUNT=3');
    expect(shardOf(out)).toEqual({ index: 2, count: 3 });
    const flagged = join(dir, 'k8s-flag.jsonl');
    const f = cliEnv({ JOB_COMPLETION_INDEX: '2', TRIPLEX_SHARD_COUNT: '3' }, ...args, '--shard', '1/5', '--out', flagged);
    expect(f.status).toBe(0);
    expect(f.stderr).toContain('shard 1/5 from --shard 1/5 (JOB_COMPLETION_INDEX, TRIPLEX_SHARD_COUNT ignored)');
    expect(shardOf(flagged)).toEqual({ index: 1, count: 5 });
  });

  it.each([
    [{ SLURM_ARRAY_TASK_ID: 'three', SLURM_ARRAY_TASK_COUNT: '4' }, "SLURM_ARRAY_TASK_ID must be a non-negative integer, got 'three'"],
    [{ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' }, 'SLURM_ARRAY_TASK_ID=4 is task 4 of an array of SLURM_ARRAY_TASK_COUNT=4'],
    [{ SLURM_ARRAY_TASK_ID: '1' }, 'SLURM_ARRAY_TASK_COUNT is not'],
    [{ JOB_COMPLETION_INDEX: '0' }, 'TRIPLEX_SHARD_COUNT is not'],
    [{ JOB_COMPLETION_INDEX: '0', TRIPLEX_SHARD_COUNT: '-2' }, "TRIPLEX_SHARD_COUNT must be a non-negative integer, got '-2'"],
    [{ JOB_COMPLETION_INDEX: '3', TRIPLEX_SHARD_COUNT: '3' }, 'JOB_COMPLETION_INDEX=3 is not below TRIPLEX_SHARD_COUNT=3'],
  ])('%j exits 2 with one line naming the variable and leaves no file', (env, message) => {
    const out = join(dir, 'bad-env.jsonl');
    const r = cliEnv(env, ...args, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
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
