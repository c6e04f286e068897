// Spawns the built CLI: an emulated campaign with fast-forward (the default) writes the same rows
// as with --full-flights, and its progress line says how much flight time fast-forward spared.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'triplex-ff-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const BASE = ['campaign', '--duration-s', '2', '--seed', '5', '--workers', '2', '--injections', '48', '--twin-seeds', '4', '--target', 'memory,registers,compute,voter,bus-e2e,sensor-shape'];

/** Body lines (golden and rows) sorted by row, without the per-line CRC (identical anyway: same bytes). */
function bodyOf(path: string): string[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).sort();
}

describe('triplex campaign: fast-forward', () => {
  it('writes the same rows as --full-flights', () => {
    const fast = join(dir, 'fast.jsonl');
    const full = join(dir, 'full.jsonl');
    const a = spawnSync(process.execPath, [MAIN, ...BASE, '--out', fast], { encoding: 'utf8' });
    const b = spawnSync(process.execPath, [MAIN, ...BASE, '--full-flights', '--out', full], { encoding: 'utf8' });
    expect([a.status, b.status], a.stderr + b.stderr).toEqual([b.status, a.status]);
    expect(a.status === 0 || a.status === 1).toBe(true);
    expect(bodyOf(fast)).toEqual(bodyOf(full));
    expect(bodyOf(fast).length).toBe(49);
    // The progress line (stderr, not a terminal: one plain line at the end) reports the share.
    expect(a.stderr).toMatch(/flight time spared [1-9]\d*%/);
    expect(b.stderr).toMatch(/flight time spared 0%, early-ended 0% of rows/);
    expect(a.stderr).toMatch(/early-ended \d+% of rows/);
  }, 300_000);
});
