import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkScript, runScript } from '../../src/console/script.js';
import { ConsoleSession } from '../../src/console/session.js';
import { FakeRig } from './support.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function capture(): { out: string[]; err: string[]; io: { out(t: string): void; err(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t) => { out.push(t); }, err: (t) => { err.push(t); } } };
}

describe('console session', () => {
  it('hands rig actions to the rig and answers status, help and expect itself', async () => {
    const rig = new FakeRig();
    const session = new ConsoleSession(rig);
    expect(await session.execute('flip A mem 0x10 3')).toEqual({ ok: true, text: 'did flip-mem', quit: false });
    expect(rig.actions).toEqual([{ kind: 'flip-mem', channel: 'A', address: 16, bit: 3 }]);
    const status = await session.execute('status');
    expect(status.text).toMatch(/^rig fake {2}cycle 0/);
    expect(status.text).toMatch(/\nA {3}emulated +active +1 +0 +memory flip/);
    expect((await session.execute('expect A corrected >= 1')).ok).toBe(true);
    const failed = await session.execute('expect B corrected >= 1');
    expect(failed).toEqual({ ok: false, text: 'expect B corrected >= 1: FAILED (corrected is 0, cycle 0)', quit: false });
    expect((await session.execute('help')).text).toContain('flip CH mem ADDR BIT');
    expect(await session.execute('quit')).toEqual({ ok: true, text: 'bye', quit: true });
    expect(rig.actions).toHaveLength(1);
  });

  it('turns a mistyped line into a failed reply, and a rig error into one', async () => {
    const rig = new FakeRig();
    const session = new ConsoleSession(rig);
    expect(await session.execute('revive Q')).toEqual({ ok: false, text: "revive: CH must be a channel A, B or C, got 'Q'", quit: false });
    rig.failNext = 'channel A is a board that does not answer';
    expect(await session.execute('scrub A')).toEqual({ ok: false, text: 'channel A is a board that does not answer', quit: false });
    expect(await session.execute('   ')).toEqual({ ok: true, text: '', quit: false });
  });

  it('records commands and replies with log start/stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triplex-console-'));
    dirs.push(dir);
    const path = join(dir, 'session.log');
    const session = new ConsoleSession(new FakeRig());
    expect((await session.execute(`log start ${path}`)).ok).toBe(true);
    await session.execute('step 3');
    await session.execute('kill Z');
    expect((await session.execute('log stop')).text).toBe(`log stopped: ${path}`);
    await session.execute('step 1');
    const log = readFileSync(path, 'utf8');
    expect(log).toMatch(/cycle 0 > step 3\n {2}did step\n/);
    expect(log).toMatch(/cycle 3 > kill Z\n! kill: CH must be/);
    expect(log).not.toContain('step 1');
    expect((await session.execute('log stop')).ok).toBe(false);
  });
});

describe('console scripts', () => {
  it('checks the whole script before running any line', () => {
    expect(checkScript('step 1\n\n# comment\nstatus\nstpe 2\n', 's.txt')).toEqual({ ok: false, error: "s.txt:5: unknown command 'stpe' (did you mean 'step'?)" });
    const ok = checkScript('step 1\r\n\n# c\nstatus # note\n', 's.txt');
    expect(ok).toEqual({ ok: true, value: [{ number: 1, text: 'step 1' }, { number: 4, text: 'status # note' }] });
  });

  it('echoes each command, stops at the first failure with exit 1', async () => {
    const rig = new FakeRig();
    const lines = checkScript('step 2\nflip A mem 0 0\nexpect A corrected >= 1\nexpect B corrected >= 1\nstep 5\n', 't');
    if (!lines.ok) throw new Error(lines.error);
    const c = capture();
    expect(await runScript(lines.value, new ConsoleSession(rig), c.io, 't')).toBe('failed');
    expect(c.out.join('')).toContain('> step 2\ndid step\n> flip A mem 0 0\n');
    expect(c.err.join('')).toContain('t:4: command failed: expect B corrected >= 1');
    expect(rig.cycle).toBe(2);
  });

  it('exits 0 when every command succeeds, and stops at quit', async () => {
    const rig = new FakeRig();
    const lines = checkScript('step 2\nexpect A state == active\nquit\nstep 9\n', 't');
    if (!lines.ok) throw new Error(lines.error);
    const c = capture();
    expect(await runScript(lines.value, new ConsoleSession(rig), c.io, 't')).toBe('passed');
    expect(rig.cycle).toBe(2);
  });
});
