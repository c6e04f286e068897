/**
 * Issue 7: `triplex run` with the Byzantine agreement layer wired in (docs/BYZANTINE.md,
 * "In the flight loop"). Each case spawns the CLI on a short seeded flight with the built-in
 * `byzantine` profile (channel A two-faced from 5 s). Replay: the seed is in the arguments.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

const CLI = 'dist/cli/main.js';
const SEED = '11';

interface Result {
  status: number | null;
  stderr: string;
  json: {
    faults: Record<string, number>; agreementViolations: number; falseIsolations: number; healthyIsolations: unknown[];
    agreement?: { algorithm: string; channelCount: number; firstViolationS: number | null; byzantine: { channel: string } | null };
    channels: Record<string, unknown>;
  };
}

function run(...args: string[]): Result {
  const r = spawnSync('node', [CLI, 'run', '--json', '--seed', SEED, ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, json: JSON.parse(r.stdout || '{}') as Result['json'] };
}

describe('triplex run --links p2p (issue 7)', () => {
  test('signed (SM(1)) masks the two-faced channel: no SDC, no agreement violation, no false isolation, exit 0', () => {
    const r = run('--links', 'p2p', '--exchange', 'signed', '--faults', 'byzantine', '--duration-s', '6');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.agreement?.algorithm).toBe('sm1');
    expect(r.json.agreement?.byzantine?.channel).toBe('A');
    expect(r.json.faults.sdc).toBe(0);
    expect(r.json.agreementViolations).toBe(0);
    expect(r.json.falseIsolations).toBe(0);
  }, 120_000);

  test('plain over p2p: healthy channels no longer agree on their inputs, reported with exit 1', () => {
    const r = run('--links', 'p2p', '--exchange', 'plain', '--faults', 'byzantine', '--duration-s', '6');
    expect(r.status, r.stderr).toBe(1);
    expect(r.json.agreement?.algorithm).toBe('plain');
    expect(r.json.agreementViolations).toBeGreaterThan(0);
    expect(r.json.agreement?.firstViolationS ?? 0).toBeGreaterThanOrEqual(5);
  }, 60_000);

  test('four channels (OM(1), no signatures) mask it: exit 0', () => {
    const r = run('--links', 'p2p', '--channels', '4', '--faults', 'byzantine', '--duration-s', '6');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.agreement?.algorithm).toBe('om1');
    expect(Object.keys(r.json.channels)).toEqual(['A', 'B', 'C', 'D']);
    expect([r.json.faults.sdc, r.json.agreementViolations, r.json.falseIsolations]).toEqual([0, 0, 0]);
  }, 60_000);

  test('fault-free p2p plain flight agrees every cycle', () => {
    const r = run('--links', 'p2p', '--faults', 'none', '--duration-s', '3');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.agreementViolations + r.json.falseIsolations).toBe(0);
  }, 60_000);

  test('CAN default unchanged: no agreement block, the new fields are zero, exit 0', () => {
    const r = run('--duration-s', '3');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.agreement).toBeUndefined();
    expect(r.json.agreementViolations).toBe(0);
    expect(r.json.falseIsolations).toBe(r.json.healthyIsolations.length);
  }, 60_000);

  test.each([
    [['--exchange', 'signed'], '--exchange signed needs --links p2p'],
    [['--channels', '4'], 'four channels need --links p2p'],
    [['--links', 'serial'], '--links must be can or p2p'],
    [['--links', 'p2p', '--exchange', 'rsa'], '--exchange must be plain or signed'],
    [['--links', 'p2p', '--channels', '5'], 'channels'],
  ])('bad options %j exit 2 with one line', (args, message) => {
    const r = spawnSync('node', [CLI, 'run', ...args], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
