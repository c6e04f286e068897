/**
 * Issue 5 item 6: a mixed rig — channel A a board (host-built firmware over a pty), B and C
 * emulated — flies 5 s; the console flips a bit in the board's memory and the board's
 * scrubber corrects it; killing the board process isolates A within the voter's timeout;
 * restarting it reintegrates A. Everything advances by `step`, so flight time is deterministic
 * whatever the machine's load; only the board's answers travel in real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRig } from '../../src/console/local-rig.js';
import { ConsoleSession } from '../../src/console/session.js';
import { parseFaultProfile } from '../../src/core/fault/profile.js';
import { defaultVoterConfig } from '../../src/core/vote/voter.js';
import { startRig, type RunningRig } from '../../src/hil/bridge.js';
import { decodeRig } from '../../src/sim/rig.js';
import { buildHostFirmware, mixedRigText, PtyBoard, runConsoleLine } from './board-support.js';

const board = new PtyBoard('A');
let running: RunningRig;
let session: ConsoleSession;
let control: LocalRig;

const run = (line: string): Promise<string> => runConsoleLine(session, line);

function health(): string {
  return running.flight.channelHealth(0);
}

beforeAll(async () => {
  buildHostFirmware();
  await board.start();
  const rig = decodeRig(mixedRigText(board.hostPath));
  const profile = parseFaultProfile('{"version":1,"name":"none"}');
  if (!rig.ok || !profile.ok) throw new Error('fixture rig or profile does not decode');
  // A generous board timeout: the test machine may be loaded; flight time does not depend on it.
  const started = await startRig({ rig: rig.value, seed: 7, rateHz: 250, durationS: 120, profile: profile.value, boardTimeoutMicros: 200_000 });
  if (!started.ok) throw new Error(started.error);
  running = started.value;
  control = new LocalRig(running);
  session = new ConsoleSession(control);
}, 60_000);

afterAll(async () => {
  await running.close();
  await board.close();
});

describe('mixed rig: one board over a pty, two emulated channels', () => {
  it('flies 5 s with the board voting', async () => {
    await run('step 1250');
    expect(running.flight.cyclesRun).toBe(1250);
    await run('expect A state == active');
    expect(running.flight.result().isolations).toEqual([]);
    expect(await run('status')).toMatch(new RegExp(`\\nA {3}serial ${board.hostPath.replaceAll('/', '\\/')} *active`));
  }, 120_000);

  it('corrects a bit flipped in the board\'s memory by the board\'s scrubber', async () => {
    const before = control.status().channels[0]?.corrected ?? -1;
    expect(await run('flip A mem 0x10 3')).toContain('over the wire');
    await run('step 100');
    const after = control.status().channels[0]?.corrected ?? -1;
    expect(after).toBe(before + 1);
    expect(await run('status')).toMatch(/\nA .* active +1 +0 +flip mem 0x10 bit 3/);
    expect(await run('peek A 0x10 4')).toBe('0x00000010  00 00 c0 40');
    await run('expect A state == active');
  }, 60_000);

  it('isolates the board within the voter timeout when its process dies, and reintegrates it when it restarts', async () => {
    const killedAtMicros = running.flight.cyclesRun * running.flight.periodMicros;
    await board.killBoard();
    await run('step 10');
    await run('expect A state == isolated');
    const isolation = running.flight.result().isolations.find((i) => i.channel === 'A');
    expect(isolation).toBeDefined();
    const boundMicros = defaultVoterConfig(3, 4).timeoutIsolateMicros + running.flight.periodMicros;
    expect((isolation?.atS ?? 0) * 1e6 - killedAtMicros).toBeLessThanOrEqual(boundMicros);

    board.startBoard();
    // Healthy period (1 s = 250 cycles), state transfer over the wire, probation (25 cycles).
    for (let k = 0; k < 12 && health() !== 'active'; k++) await run('step 50');
    await run('expect A state == active');
    expect(running.flight.result().reintegrations.map((r) => r.channel)).toContain('A');
    // The voted state went over by POKE and the board accepted it on its own CRC (VERIFY): a
    // rejection would have been a transfer_failed event.
    const transfers = running.flight.voterEvents().filter((e) => e.channel === 0 && (e.kind === 'reintegrating' || e.kind === 'transfer_failed'));
    expect(transfers.map((e) => `${e.kind}:${e.reason}`)).toEqual(['reintegrating:healthy_period']);
  }, 120_000);
});
