// Campaign shards run as a real Slurm array job (a one-node cluster started here, as root, by
// test/slurm/start-cluster.sh) merge to the rows of the same campaign run in one process
// (docs/CAMPAIGNS.md, "Shards"). Needs root and slurm-wlm + munge, which test/setup.sh installs;
// skipped, with the reason printed, only when one of those is missing.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const START = join(ROOT, 'test/slurm/start-cluster.sh');
const STOP = join(ROOT, 'test/slurm/stop-cluster.sh');
const SHARDS = 4;
const CAMPAIGN = ['campaign', '--model', 'synthetic', '--injections', '400', '--duration-s', '1', '--workers', '1'];
// The daemons live in sbin, which not every environment's PATH holds.
const PATH = `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`;
const BINARIES = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scontrol', 'scancel'];

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root (the one-node cluster runs slurmctld and slurmd as root)';
  const missing = BINARIES.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`], { stdio: 'ignore', env: { ...process.env, PATH } }).status !== 0);
  if (missing.length > 0) return `${missing.join(', ')} not on the PATH (bash test/setup.sh installs slurm-wlm and munge)`;
  return undefined;
}
const SKIP = skipReason();
// Skipped only outside `npm run verify` (a developer's `npm test` without test/setup.sh); under verify,
// which installs Slurm first, a missing tool is a failure, not a skip.
if (SKIP !== undefined && process.env.TRIPLEX_TOOLS_REQUIRED === '1') throw new Error(`test/campaign/slurm.test.ts cannot run: ${SKIP}`);
if (SKIP !== undefined) process.stderr.write(`test/campaign/slurm.test.ts: SKIPPED: ${SKIP}\n`);

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs a command without blocking the test's event loop; kills it after `timeoutMs`. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: err !== null && code === null ? `${stderr}\n(${err.message})` : stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => { resolve(port); });
    });
  });
}

/** A results file's lines as parsed objects, less any `crc` (line checksums are another file's concern). */
function linesOf(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => {
    const value = JSON.parse(line) as Record<string, unknown>;
    delete value.crc;
    return value;
  });
}

/** The golden line and the rows, sorted by row, as JSON texts: what a campaign's statistics are made of. */
function resultsOf(path: string): string[] {
  const lines = linesOf(path).filter((l) => l.type !== 'header');
  const key = (l: Record<string, unknown>): number => (l.type === 'row' ? Number(l.row) : -1);
  return lines.sort((a, b) => key(a) - key(b)).map((l) => JSON.stringify(l));
}

function headerOf(path: string): Record<string, unknown> {
  const [header] = linesOf(path);
  expect(header?.type).toBe('header');
  return header ?? {};
}

/** Everything Slurm said about a job, for a failure message. */
function jobLogs(dir: string): string {
  return readdirSync(dir).filter((f) => f.startsWith('slurm-') && f.endsWith('.out'))
    .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8')}`).join('\n');
}

describe.skipIf(SKIP !== undefined)('triplex campaign shards as a Slurm array job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'triplex-slurm-'));
  const cluster = join(dir, 'cluster');
  // Whatever Slurm variables the test runner itself was started with must not leak into the jobs.
  const env: NodeJS.ProcessEnv = Object.fromEntries([
    ...Object.entries(process.env).filter(([k]) => !k.startsWith('SLURM_')),
    ['SLURM_CONF', join(cluster, 'slurm.conf')],
    ['PATH', PATH],
  ]);
  const single = join(dir, 'single.jsonl');
  let singleJson: Record<string, unknown> = {};

  beforeAll(async () => {
    const started = await run('bash', [START, cluster, String(await freePort()), String(await freePort())], env, 60_000);
    if (started.code !== 0) throw new Error(`start-cluster.sh exited ${String(started.code)}:\n${started.stdout}${started.stderr}`);
    const one = await run(process.execPath, [MAIN, ...CAMPAIGN, '--out', single, '--json'], env, 60_000);
    if (one.code !== 0) throw new Error(`single-process campaign exited ${String(one.code)}:\n${one.stderr}`);
    singleJson = JSON.parse(one.stdout) as Record<string, unknown>;
  }, 120_000);

  afterAll(async () => {
    const stopped = await run('bash', [STOP, cluster], env, 60_000);
    if (stopped.code !== 0) process.stderr.write(`stop-cluster.sh exited ${String(stopped.code)}: ${stopped.stderr}\n`);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Submits one array job of SHARDS tasks, each a `triplex campaign` writing `<name>/shard-<task>.jsonl`; waits for it. */
  async function arrayJob(name: string, shardArgs: string): Promise<string[]> {
    const out = join(dir, name);
    rmSync(out, { recursive: true, force: true });
    const script = join(dir, `${name}.sh`);
    const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
    writeFileSync(script, [
      '#!/bin/bash',
      'set -eu',
      `mkdir -p ${quote(out)}`,
      `exec ${[process.execPath, MAIN, ...CAMPAIGN].map(quote).join(' ')} ${shardArgs} --out ${quote(out)}/shard-"$SLURM_ARRAY_TASK_ID".jsonl`,
      '',
    ].join('\n'));
    const r = await run('sbatch', ['--wait', `--array=0-${String(SHARDS - 1)}`, '--ntasks=1', '--cpus-per-task=1',
      `--job-name=triplex-${name}`, `--chdir=${dir}`, `--output=${join(dir, `slurm-${name}-%A_%a.out`)}`, script], env, 100_000);
    expect(r.code, `sbatch --wait exited ${String(r.code)}: ${r.stdout}${r.stderr}\n${jobLogs(dir)}`).toBe(0);
    expect(r.stdout).toMatch(/Submitted batch job \d+/);
    const shards = Array.from({ length: SHARDS }, (_, i) => join(out, `shard-${String(i)}.jsonl`));
    for (const s of shards) expect(existsSync(s), `${s} missing after the array job\n${jobLogs(dir)}`).toBe(true);
    return shards;
  }

  /** Merges the shards and checks the merged file holds exactly the single-process campaign's results. */
  async function expectMergedEqualsSingle(shards: string[], merged: string): Promise<void> {
    shards.forEach((s, i) => { expect(headerOf(s).shard).toEqual({ index: i, count: SHARDS }); });
    const r = await run(process.execPath, [MAIN, 'campaign', 'merge', ...shards, '--out', merged, '--json'], env, 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { shards: number; rows: number })).toMatchObject({ shards: SHARDS, rows: 400 });
    const h = headerOf(merged);
    const s = headerOf(single);
    expect(h.configHash).toBe(s.configHash);
    expect(h.config).toEqual(s.config);
    const results = resultsOf(merged);
    expect(results.filter((l) => l.startsWith('{"type":"row"'))).toHaveLength(400);
    expect(results).toEqual(resultsOf(single));
    // The merged file itself is in row order.
    const order = linesOf(merged).flatMap((l) => (l.type === 'row' ? [Number(l.row)] : []));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Rerunning the campaign on the merged file finds nothing to do and reports the very statistics
    // (per target, latency, failing rows) of the single-process run.
    const before = readFileSync(merged, 'utf8');
    const resumed = await run(process.execPath, [MAIN, ...CAMPAIGN, '--out', merged, '--json'], env, 60_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(before);
    const stats = JSON.parse(resumed.stdout) as Record<string, unknown>;
    expect(stats.file).toBe(merged);
    expect({ ...stats, file: single }).toEqual(singleJson);
    expect(stats.complete).toBe(true);
  }

  it('--shard $SLURM_ARRAY_TASK_ID/4: the merged shards hold the single-process rows', async () => {
    const shards = await arrayJob('explicit', `--shard "$SLURM_ARRAY_TASK_ID/${String(SHARDS)}"`);
    await expectMergedEqualsSingle(shards, join(dir, 'explicit-merged.jsonl'));
    // And the comparison can fail: leave a shard out and the merge refuses (exit 1, nothing written).
    const partial = join(dir, 'explicit-partial.jsonl');
    const r = await run(process.execPath, [MAIN, 'campaign', 'merge', ...shards.slice(0, -1), '--out', partial], env, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`shard ${String(SHARDS - 1)}/${String(SHARDS)} missing`);
    expect(existsSync(partial)).toBe(false);
  }, 120_000);

  // The shard from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when --shard is absent (issue 15);
  // each file's header must say shard i of 4, so a CLI that ignored the variables fails here.
  it('no --shard: each task takes its shard from SLURM_ARRAY_TASK_ID/COUNT, and they merge the same', async () => {
    const shards = await arrayJob('from-env', '');
    await expectMergedEqualsSingle(shards, join(dir, 'from-env-merged.jsonl'));
  }, 120_000);
});
