// The shard a campaign takes from `--shard` or from its batch engine's environment (docs/CAMPAIGNS.md, "Batch engines").
import { describe, expect, it } from 'vitest';
import { resolveShard, SHARDS_MAX, type ShardEnv } from '../../src/cli/commands/campaign.js';

function shardOf(flag: string | undefined, env: ShardEnv): unknown {
  const r = resolveShard(flag, env);
  return r.ok ? r.value.shard : r.error;
}

const slurm = (id: number, min: number, max: number, count: number, step?: number): ShardEnv => ({
  SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_MAX: String(max), SLURM_ARRAY_TASK_COUNT: String(count),
  ...(step === undefined ? {} : { SLURM_ARRAY_TASK_STEP: String(step) }),
});

describe('resolveShard', () => {
  it('no flag and no batch engine: the whole campaign, nothing to say', () => {
    expect(resolveShard(undefined, {})).toEqual({ ok: true, value: { shard: { index: 0, count: 1 }, source: undefined } });
    expect(resolveShard(undefined, { SLURM_JOB_ID: '77', HOME: '/root' })).toEqual({ ok: true, value: { shard: { index: 0, count: 1 }, source: undefined } });
  });

  it('--shard I/N as before; it wins over the environment and says what it ignored', () => {
    expect(resolveShard('2/5', {})).toEqual({ ok: true, value: { shard: { index: 2, count: 5 }, source: undefined } });
    const r = resolveShard('2/5', { ...slurm(9, 0, 9, 10), JOB_COMPLETION_INDEX: 'junk' });
    expect(r).toEqual({ ok: true, value: { shard: { index: 2, count: 5 }, source: '--shard 2/5 (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX ignored)' } });
    expect(shardOf('5/5', {})).toBe(`--shard must be I/N with 0 <= I < N <= ${SHARDS_MAX}, got '5/5'`);
  });

  it('a Slurm array from 0, from 1 (--array=1-4), and with a step (--array=10-40:10)', () => {
    for (let id = 0; id < 4; id++) expect(shardOf(undefined, slurm(id, 0, 3, 4))).toEqual({ index: id, count: 4 });
    for (let id = 1; id <= 4; id++) expect(shardOf(undefined, slurm(id, 1, 4, 4))).toEqual({ index: id - 1, count: 4 });
    for (let k = 0; k < 4; k++) expect(shardOf(undefined, slurm(10 + 10 * k, 10, 40, 4, 10))).toEqual({ index: k, count: 4 });
    const r = resolveShard(undefined, slurm(3, 1, 4, 4, 1));
    expect(r.ok && r.value.source).toBe('SLURM_ARRAY_TASK_ID=3 - SLURM_ARRAY_TASK_MIN=1 of SLURM_ARRAY_TASK_COUNT=4');
    // Only ID and COUNT (an older Slurm, or a hand-made environment): MIN defaults to 0.
    expect(shardOf(undefined, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3' })).toEqual({ index: 2, count: 3 });
  });

  it('refuses a Slurm array that is not a plain range, or an ID outside it, naming the variable', () => {
    expect(shardOf(undefined, slurm(5, 1, 7, 3))).toMatch(/^SLURM_ARRAY_TASK_COUNT=3 tasks from SLURM_ARRAY_TASK_MIN=1 by 1 do not end at SLURM_ARRAY_TASK_MAX=7: the array is not a plain range/);
    expect(shardOf(undefined, slurm(0, 1, 4, 4))).toMatch(/^SLURM_ARRAY_TASK_ID=0 is not in the array from SLURM_ARRAY_TASK_MIN=1/);
    expect(shardOf(undefined, slurm(15, 10, 40, 4, 10))).toMatch(/^SLURM_ARRAY_TASK_ID=15 is not in the array/);
    expect(shardOf(undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toBe('SLURM_ARRAY_TASK_ID=4 is task 4 of an array of SLURM_ARRAY_TASK_COUNT=4');
    expect(shardOf(undefined, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '0' })).toBe(`SLURM_ARRAY_TASK_COUNT must be from 1 to ${SHARDS_MAX}, got 0`);
    expect(shardOf(undefined, { SLURM_ARRAY_TASK_ID: '0' })).toMatch(/^SLURM_ARRAY_TASK_ID=0 is set but SLURM_ARRAY_TASK_COUNT is not/);
    expect(shardOf(undefined, { ...slurm(0, 0, 3, 4), SLURM_ARRAY_TASK_STEP: '0' })).toMatch(/^SLURM_ARRAY_TASK_STEP must be at least 1/);
    for (const bad of ['', ' 1', '1.0', '-1', '0x2', '1e3', '1234567890']) {
      expect(shardOf(undefined, { SLURM_ARRAY_TASK_ID: bad, SLURM_ARRAY_TASK_COUNT: '4' })).toBe(`SLURM_ARRAY_TASK_ID must be a non-negative integer, got '${bad}'`);
      expect(shardOf(undefined, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: bad })).toBe(`SLURM_ARRAY_TASK_MIN must be a non-negative integer, got '${bad}'`);
    }
  });

  it('a Kubernetes Indexed Job: JOB_COMPLETION_INDEX of TRIPLEX_SHARD_COUNT, which is required', () => {
    for (let i = 0; i < 8; i++) expect(shardOf(undefined, { JOB_COMPLETION_INDEX: String(i), TRIPLEX_SHARD_COUNT: '8' })).toEqual({ index: i, count: 8 });
    const r = resolveShard(undefined, { JOB_COMPLETION_INDEX: '3', TRIPLEX_SHARD_COUNT: '8' });
    expect(r.ok && r.value.source).toBe('JOB_COMPLETION_INDEX=3 of TRIPLEX_SHARD_COUNT=8');
    expect(shardOf(undefined, { JOB_COMPLETION_INDEX: '3' })).toMatch(/^JOB_COMPLETION_INDEX=3 is set but TRIPLEX_SHARD_COUNT is not/);
    expect(shardOf(undefined, { JOB_COMPLETION_INDEX: '8', TRIPLEX_SHARD_COUNT: '8' })).toBe('JOB_COMPLETION_INDEX=8 is not below TRIPLEX_SHARD_COUNT=8');
    expect(shardOf(undefined, { JOB_COMPLETION_INDEX: 'a', TRIPLEX_SHARD_COUNT: '8' })).toBe("JOB_COMPLETION_INDEX must be a non-negative integer, got 'a'");
    expect(shardOf(undefined, { JOB_COMPLETION_INDEX: '0', TRIPLEX_SHARD_COUNT: String(SHARDS_MAX + 1) })).toBe(`TRIPLEX_SHARD_COUNT must be from 1 to ${SHARDS_MAX}, got ${SHARDS_MAX + 1}`);
    expect(shardOf(undefined, { TRIPLEX_SHARD_COUNT: '8' })).toMatch(/^TRIPLEX_SHARD_COUNT=8 is set but JOB_COMPLETION_INDEX is not/);
  });

  it('refuses both engines at once', () => {
    expect(shardOf(undefined, { ...slurm(0, 0, 3, 4), JOB_COMPLETION_INDEX: '0', TRIPLEX_SHARD_COUNT: '4' })).toBe('both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set: give --shard I/N');
  });
});
