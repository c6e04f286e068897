/**
 * Issue 16 part 2: a rig channel of kind `qemu` — channel A the Cortex-M image in
 * qemu-system-arm -M netduinoplus2 (started and stopped by the bridge, src/hil/qemu-board.ts),
 * B and C emulated (hil/rigs/mixed-qemu.json) — flies in lockstep with no board timeouts and the
 * board's commands voted; the console stops the board (`kill A`), the voter isolates it, `revive
 * A` brings it back and the voted state goes over the wire into the QEMU board (POKE + VERIFY)
 * before it is reintegrated. Everything advances by `step`, so flight time is deterministic;
 * only the board's answers travel in real time. No assertion is about timing.
 *
 * The image is built with CHANNEL=A into its own build directory, so this file never races
 * test/firmware/qemu-board.test.ts (CHANNEL=B into build/qemu/) for the same ELF.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRig } from '../../src/console/local-rig.js';
import { ConsoleSession } from '../../src/console/session.js';
import { parseFaultProfile, type FaultProfile } from '../../src/core/fault/profile.js';
import { startRig, type RunningRig } from '../../src/hil/bridge.js';
import { resolveKernel } from '../../src/hil/qemu-board.js';
import { decodeRig, formatRigError, type Rig } from '../../src/sim/rig.js';
import { ROOT, runConsoleLine } from './board-support.js';

// 10 s at 250 Hz. Not the 60 s: under QEMU (TCG) a lockstep cycle takes about 20 ms of
// wall time on the development VM, so 10 s of flight is about 50 s and 60 s would be about 5 min.
const FLIGHT_CYCLES = 2500;
const BUILD_DIR = 'build/qemu-rig-test'; // relative to firmware-bridge/
const KERNEL = join(ROOT, 'firmware-bridge', BUILD_DIR, 'qemu/triplex-board.elf');
const RIG_FILE = join(ROOT, 'hil/rigs/mixed-qemu.json');

const qemuMissing = spawnSync('qemu-system-arm', ['--version'], { encoding: 'utf8' }).status !== 0;
if (qemuMissing) process.stdout.write('[skip] qemu rig tests: qemu-system-arm is not installed (Debian package qemu-system-arm)\n');
// Skipped only outside `npm run verify` (a developer's `npm test` without test/setup.sh); under verify,
// which installs qemu-system-arm first, a missing QEMU is a failure, not a skip.
if (qemuMissing && process.env.TRIPLEX_TOOLS_REQUIRED === '1') throw new Error('qemu-system-arm is missing under npm run verify (bash test/setup.sh installs it)');

function rigText(change: (channel: Record<string, unknown>) => void): string {
  const rig = JSON.parse(readFileSync(RIG_FILE, 'utf8')) as { channels: Record<string, unknown>[] };
  const a = rig.channels[0];
  if (a === undefined) throw new Error('mixed-qemu.json has no channel A');
  change(a);
  return JSON.stringify(rig);
}

function rigWith(change: (channel: Record<string, unknown>) => void): Rig {
  const decoded = decodeRig(rigText(change));
  if (!decoded.ok) throw new Error(formatRigError(decoded.error));
  return decoded.value;
}

function noFaults(): FaultProfile {
  const profile = parseFaultProfile('{"version":1,"name":"none"}');
  if (!profile.ok) throw new Error('fixture profile does not decode');
  return profile.value;
}

describe('rig channel kind "qemu": validation', () => {
  it('hil/rigs/mixed-qemu.json decodes: A is the QEMU image (relative to the repository root), B and C emulated', () => {
    const rig = decodeRig(readFileSync(RIG_FILE, 'utf8'));
    if (!rig.ok) throw new Error(formatRigError(rig.error));
    expect(rig.value.channels).toEqual([
      { name: 'A', kind: 'qemu', kernel: 'firmware-bridge/build/qemu/triplex-board.elf' },
      { name: 'B', kind: 'emulated' }, { name: 'C', kind: 'emulated' },
    ]);
    expect(resolveKernel('firmware-bridge/build/qemu/triplex-board.elf')).toBe(join(ROOT, 'firmware-bridge/build/qemu/triplex-board.elf'));
    expect(resolveKernel('/opt/board.elf')).toBe('/opt/board.elf');
  });

  it('must fail with one line naming the field: no kernel, an empty or option-like kernel, a serial field', () => {
    const error = (change: (channel: Record<string, unknown>) => void): string => {
      const decoded = decodeRig(rigText(change));
      return decoded.ok ? 'decoded' : formatRigError(decoded.error);
    };
    expect(error((a) => { delete a.kernel; })).toBe('$.channels[0].kernel: expected the path of a Cortex-M ELF image such as "firmware-bridge/build/qemu/triplex-board.elf", got nothing');
    expect(error((a) => { a.kernel = ''; })).toMatch(/^\$\.channels\[0\]\.kernel: expected the path of a Cortex-M ELF image/);
    expect(error((a) => { a.kernel = '-S'; })).toMatch(/^\$\.channels\[0\]\.kernel: expected the path of a Cortex-M ELF image .*, got "-S"$/);
    expect(error((a) => { a.kernel = 'a b.elf'; })).toMatch(/^\$\.channels\[0\]\.kernel: expected/);
    expect(error((a) => { a.kernel = 7; })).toMatch(/^\$\.channels\[0\]\.kernel: expected .*, got 7$/);
    expect(error((a) => { a.path = '/dev/ttyUSB0'; })).toBe('$.channels[0].path: expected no path for a qemu channel, got "/dev/ttyUSB0"');
    expect(error((a) => { a.kind = 'serial'; })).toMatch(/^\$\.channels\[0\]\.kernel: expected no kernel for a serial channel, got "firmware-bridge\/build\/qemu\//);
    expect(error((a) => { a.kind = 'qemux'; })).toBe('$.channels[0].kind: expected "emulated", "serial", "slcan", "socketcan" or "qemu", got "qemux"');
    for (const e of [error((a) => { delete a.kernel; }), error((a) => { a.kind = 'qemux'; })]) expect(e).not.toContain('\n');
  });

  it('must fail: a kernel that does not exist is refused at start-up, naming the path and the make target', async () => {
    const started = await startRig({ rig: rigWith((a) => { a.kernel = 'firmware-bridge/build/no-such-dir/triplex-board.elf'; }), seed: 7, rateHz: 250, durationS: 1, profile: noFaults() });
    expect(started.ok).toBe(false);
    if (!started.ok) expect(started.error).toBe(`channel A: no QEMU kernel at ${join(ROOT, 'firmware-bridge/build/no-such-dir/triplex-board.elf')} (build it: make -C firmware-bridge qemu)`);
  });
});

describe.skipIf(qemuMissing)('mixed rig: the Cortex-M image in QEMU as channel A, two emulated channels', () => {
  let running: RunningRig | undefined;
  let session: ConsoleSession;
  let control: LocalRig;

  const run = (line: string): Promise<string> => runConsoleLine(session, line);

  const health = (): string => running?.flight.channelHealth(0) ?? 'none';
  const board = (): ReturnType<NonNullable<ReturnType<RunningRig['boards']['get']>>['statistics']> => {
    const b = running?.boards.get(0);
    if (b === undefined) throw new Error('no board on channel A');
    return b.statistics();
  };

  beforeAll(async () => {
    const built = spawnSync('make', ['-C', join(ROOT, 'firmware-bridge'), 'qemu', 'CHANNEL=A', `BUILD=${BUILD_DIR}`], { encoding: 'utf8', timeout: 240_000 });
    if (built.status !== 0) throw new Error(`make qemu failed: ${built.stdout}${built.stderr}`);
    // A generous board timeout: the test machine may be loaded; flight time does not depend on it.
    const started = await startRig({ rig: rigWith((a) => { a.kernel = KERNEL; }), seed: 7, rateHz: 250, durationS: 120, profile: noFaults(), boardTimeoutMicros: 200_000 });
    if (!started.ok) throw new Error(started.error);
    running = started.value;
    control = new LocalRig(running);
    session = new ConsoleSession(control);
  }, 300_000);

  afterAll(async () => {
    await running?.close();
  }, 30_000);

  it(`flies ${FLIGHT_CYCLES / 250} s in lockstep with the QEMU board voting and no board timeouts`, async () => {
    await run(`step ${FLIGHT_CYCLES}`);
    expect(running?.flight.cyclesRun).toBe(FLIGHT_CYCLES);
    await run('expect A state == active');
    expect(running?.flight.result().isolations).toEqual([]);
    const s = board();
    expect(s.link).toMatch(new RegExp(`^qemu ${KERNEL.replaceAll('/', '\\/')} \\/dev\\/pts\\/\\d+$`));
    expect(s).toMatchObject({ connected: true, cycles: FLIGHT_CYCLES, timeouts: 0, reconnects: 0 });
    expect(s.lastError).toBeUndefined();
    expect(await run('status')).toMatch(/\nA {3}qemu \S+triplex-board\.elf \/dev\/pts\/\d+ +active/);
  }, 300_000);

  it('corrects a bit flipped in the QEMU board\'s memory by the board\'s scrubber', async () => {
    const before = control.status().channels[0]?.corrected ?? -1;
    expect(await run('flip A mem 0x10 3')).toContain('over the wire');
    await run('step 100');
    expect(control.status().channels[0]?.corrected ?? -1).toBe(before + 1);
    await run('expect A state == active');
  }, 60_000);

  it('isolates the QEMU board when it stops answering, then installs the voted state in it (POKE + VERIFY) and reintegrates it', async () => {
    expect(await run('kill A')).toContain('the voter will isolate it');
    await run('step 10');
    await run('expect A state == isolated');
    expect(running?.flight.result().isolations.map((i) => i.channel)).toEqual(['A']);
    expect(await run('revive A')).toContain('board reset and back in the loop');
    // Healthy period (1 s = 250 cycles), state transfer over the wire, probation (25 cycles).
    for (let k = 0; k < 12 && health() !== 'active'; k++) await run('step 50');
    await run('expect A state == active');
    expect(running?.flight.result().reintegrations.map((r) => r.channel)).toContain('A');
    // The voted state went over by POKE and the QEMU board accepted it on its own CRC (VERIFY):
    // a rejection would have been a transfer_failed event.
    const transfers = running?.flight.voterEvents().filter((e) => e.channel === 0 && (e.kind === 'reintegrating' || e.kind === 'transfer_failed'));
    expect(transfers?.map((e) => `${e.kind}:${e.reason}`)).toEqual(['reintegrating:healthy_period']);
    await run('step 250');
    await run('expect A state == active');
    expect(board()).toMatchObject({ connected: true, timeouts: 0 });
  }, 120_000);
});
