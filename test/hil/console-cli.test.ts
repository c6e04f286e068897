/**
 * The newcomer's path as a CI test (issue 5, "done when"): build the host firmware, start the
 * board on a pty, start a mixed rig with the console, flip a bit in the board's memory, watch
 * the board's scrubber correct it in `status` — here through the CI smoke script.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHostFirmware, mixedRigText, PtyBoard, ROOT } from './board-support.js';

const board = new PtyBoard('A');
let rigPath = '';

beforeAll(async () => {
  buildHostFirmware();
  await board.start();
  rigPath = join(board.dir, 'rig.json');
  writeFileSync(rigPath, mixedRigText(board.hostPath));
}, 60_000);

afterAll(async () => {
  await board.close();
});

describe('triplex console on a mixed rig', () => {
  it('runs the smoke script with channel A on the board: the flip goes over the wire and the board corrects it', () => {
    const r = spawnSync('node', [join(ROOT, 'dist/cli/main.js'), 'console', '--rig', rigPath, '--script', 'hil/scenarios/console-smoke.txt'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('> flip A mem 0x10 3\nflipped board memory 0x10 bit 3 (word 4, code bit 3) over the wire');
    expect(r.stdout).toMatch(/expect A corrected >= 1: ok \(corrected is 1, cycle 350\)/);
    expect(r.stdout).toMatch(new RegExp(`\\nA {3}serial ${board.hostPath.replaceAll('/', '\\/')} +active +1 +0 +flip mem 0x10 bit 3 @250`));
  }, 120_000);

  it('exits 2 naming the port when the board path does not exist', () => {
    const missing = join(board.dir, 'rig-missing.json');
    writeFileSync(missing, mixedRigText(join(board.dir, 'nothing-here')));
    const r = spawnSync('node', [join(ROOT, 'dist/cli/main.js'), 'console', '--rig', missing, '--script', 'hil/scenarios/console-smoke.txt'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^triplex console: channel A: cannot open serial port .*nothing-here: .*\n$/);
  }, 60_000);
});
