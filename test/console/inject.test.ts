/**
 * `inject KIND [key=value ...]`: every fault of the profile schema from the console. The parser
 * builds a profile event and hands it to the profile decoder; the local rig injects it through
 * the flight's injector, so it lands in the fault ledger; a board's channel refuses it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { completeLine } from '../../src/console/complete.js';
import { helpText } from '../../src/console/help.js';
import { INJECT_KEYS, INJECT_KINDS, injectKeysOf } from '../../src/console/inject.js';
import { LocalRig } from '../../src/console/local-rig.js';
import { formatParseError, parseCommand, type ConsoleCommand } from '../../src/console/parse.js';
import { ConsoleServer, RemoteClient } from '../../src/console/remote.js';
import { ConsoleSession } from '../../src/console/session.js';
import { decodeFaultProfile, FAULT_KINDS, NO_FAULTS, type FaultKind } from '../../src/core/fault/profile.js';
import { aerosondeVehicle } from '../../src/core/plant/vehicle.js';
import { ok } from '../../src/core/result.js';
import type { BoardChannel } from '../../src/hil/board-port.js';
import { startRig, type RunningRig } from '../../src/hil/bridge.js';
import { loadFlightRig } from '../../src/io/loaders.js';

function parsed(line: string): ConsoleCommand {
  const r = parseCommand(line);
  if (!r.ok) throw new Error(formatParseError(r.error));
  return r.value;
}

function error(line: string): string {
  const r = parseCommand(line);
  if (r.ok) throw new Error(`parsed: ${line}`);
  return formatParseError(r.error);
}

describe('inject: parsing', () => {
  it('turns key=value pairs into the fault a profile event would hold', () => {
    expect(parsed('inject compute-flip channel=A value=ACT_OUT_0 bit=30 stage=3')).toEqual({ kind: 'inject', fault: { kind: 'compute-flip', channel: 'A', value: 'ACT_OUT_0', bit: 30, stage: 3 } });
    expect(parsed('inject control-flow channel=B mode=skip stage=1')).toEqual({ kind: 'inject', fault: { kind: 'control-flow', channel: 'B', mode: 'skip', stage: 1 } });
    expect(parsed('inject actuator actuator=2 mode=jam durationS=0.5')).toEqual({ kind: 'inject', fault: { kind: 'actuator', actuator: 2, mode: 'jam', durationMicros: 500_000 } });
    expect(parsed('inject voter-upset lane=1 field=health index=0 bit=1')).toEqual({ kind: 'inject', fault: { kind: 'voter-upset', lane: 1, field: 'health', index: 0, bit: 1 } });
    expect(parsed('inject can-masquerade channel=A victim=B value=5 durationS=1')).toEqual({ kind: 'inject', fault: { kind: 'can-masquerade', channel: 'A', value: 5, victim: 'B', durationMicros: 1_000_000 } });
    expect(parsed('inject word-mbu channel=C bits=3')).toEqual({ kind: 'inject', fault: { kind: 'word-mbu', channel: 'C', bits: 3 } });
    expect(parsed('INJECT Sensor sensor=2 mode=drift value=-0.5')).toEqual({ kind: 'inject', fault: { kind: 'sensor', sensor: 2, mode: 'drift', value: -0.5 } });
    expect(parsed('inject sensor sensor=1 mode=scale value=2 durationS=3')).toEqual({ kind: 'inject', fault: { kind: 'sensor', sensor: 1, mode: 'scale', value: 2, durationMicros: 3_000_000 } });
    expect(parsed('inject payload-corrupt id=0x101 bits=2  # a comment')).toEqual({ kind: 'inject', fault: { kind: 'payload-corrupt', id: 0x101, bits: 2 } });
    expect(parsed('inject voter-drop')).toEqual({ kind: 'inject', fault: { kind: 'voter-drop' } });
  });

  it('parses every kind it lists, with its required fields', () => {
    const samples: Readonly<Record<string, string>> = {
      channel: 'A', receiver: 'B', victim: 'C', bits: '3', delayMs: '2', durationS: '1', sensor: '1', mode: '', offsetDeg: '3', ppm: '50', ms: '1', lane: '0', actuator: '1', value: '2',
    };
    for (const kind of INJECT_KINDS) {
      const pairs = INJECT_KEYS[kind].filter((k) => k.required).map((k) => `${k.key}=${k.choices?.[0] ?? samples[k.key] ?? '1'}`);
      const r = parseCommand(`inject ${kind} ${pairs.join(' ')}`);
      expect(r.ok ? r.value : formatParseError(r.error), kind).toMatchObject({ kind: 'inject', fault: { kind } });
    }
  });

  it('names the field the profile decoder refused, with its message', () => {
    expect(error('inject compute-flip channel=Q')).toBe('inject: channel: expected a channel name (A, B, C, D)');
    expect(error('inject compute-flip channel=b')).toBe("inject: channel: expected a channel name (A, B, C, D) (did you mean 'B'?)");
    expect(error('inject compute-flip channel=A value=ACT_OUT_9')).toMatch(/^inject: value: expected one of: RATE_MEAS_X, .* \(did you mean 'ACT_OUT_0'\?\)$/);
    expect(error('inject compute-flip channel=A bit=40')).toBe('inject: bit: expected a value from 0 to 31, got 40');
    expect(error('inject control-flow channel=B mode=skp')).toBe("inject: mode: expected one of: skip, repeat, jump, stale, wrong-branch (did you mean 'skip'?)");
    expect(error('inject control-flow channel=B')).toBe('inject: mode: expected a string');
    expect(error('inject word-mbu channel=C bits=two')).toBe('inject: bits: expected a number');
    expect(error('inject sensor sensor=1 mode=drift')).toMatch(/^inject: value: a 'drift' sensor fault needs a value/);
    expect(error('inject can-masquerade channel=A victim=A value=1')).toBe('inject: victim: a channel cannot masquerade as itself');
  });

  it('refuses unknown kinds and fields with a suggestion, timing fields, duplicates and pairs without =', () => {
    expect(error('inject compute-flp channel=A')).toBe("inject: KIND must be a fault kind (help inject lists them), got 'compute-flp' (did you mean 'compute-flip'?)");
    expect(error('inject')).toBe('inject: missing KIND (usage: inject KIND [key=value ...])');
    expect(error('inject actuator actuator=1 mode=jam duration=1')).toBe("inject: duration: unknown field (actuator has: actuator, mode, value, durationS) (did you mean 'durationS'?)");
    expect(error('inject voter-drop lane=1')).toBe('inject: lane: unknown field (voter-drop has: id)');
    expect(error('inject actuator actuator=1 mode=jam atS=3')).toBe('inject: atS: the console injects now (timing fields belong in a fault profile)');
    expect(error('inject actuator actuator=1 mode=jam kind=sensor')).toBe('inject: kind: the kind is the word after inject');
    expect(error('inject word-mbu channel=C bits=3 channel=A')).toBe('inject: channel: given twice');
    expect(error('inject word-mbu channelC bits=3')).toBe("inject: key=value must be a field and its value (e.g. channel=A), got 'channelC'");
    expect(error('inject word-mbu channel= bits=3')).toBe("inject: key=value must be a field and its value (e.g. channel=A), got 'channel='");
    expect(error('inject word-mbu =A')).toBe("inject: key=value must be a field and its value (e.g. channel=A), got '=A'");
    expect(error('inject word-mbu channel=A bits=3 __proto__=1')).toMatch(/^inject: __proto__: unknown field/);
  });

  it('refuses the Byzantine kinds: profile events before flight start only', () => {
    for (const kind of ['two-faced', 'masquerade', 'replay']) {
      expect(error(`inject ${kind} channel=A value=1`)).toBe(`inject: KIND must be a fault kind the console can inject (two-faced, masquerade and replay are profile events before flight start only), got '${kind}'`);
    }
    expect(INJECT_KINDS).not.toContain('two-faced');
  });

  it('lists exactly the fields the profile decoder accepts, for every kind but the Byzantine ones', () => {
    const timing = ['kind', 'atS', 'ratePerS', 'fromS', 'untilS'];
    const byzantine: readonly FaultKind[] = ['two-faced', 'masquerade', 'replay'];
    expect(INJECT_KINDS).toEqual(FAULT_KINDS.filter((k) => !byzantine.includes(k)));
    for (const kind of INJECT_KINDS) {
      // A field no kind has: the decoder's unknown-field message lists what the kind takes.
      const probe = decodeFaultProfile({ version: 1, name: 'p', events: [{ kind, atS: 0, channel: 'A', probe: 1 }] });
      expect(probe.ok, kind).toBe(false);
      const listed = !probe.ok && /expected one of: ([^)]*)\)/.exec(probe.error.message)?.[1];
      expect(typeof listed, `${kind}: ${probe.ok ? '' : probe.error.message}`).toBe('string');
      const accepted = String(listed).split(', ').filter((k) => !timing.includes(k));
      expect([...injectKeysOf(kind)].sort(), kind).toEqual(accepted.sort());
    }
  });

  it('has help listing every kind with its fields, and completes kinds, fields and names', () => {
    const help = helpText('inject');
    expect(help).toMatch(/^usage: inject KIND \[key=value \.\.\.\]/);
    for (const kind of INJECT_KINDS) expect(help).toMatch(new RegExp(`\\n {2}${kind} +\\S`));
    expect(help).toMatch(/\n {2}compute-flip +channel=CH \[value=NAME\] \[bit=0\.\.31\] \[stage=0\.\.3\]\n/);
    expect(help).toContain('sensor=N mode=stuck|bias|noise|dead|ok|drift|scale');
    expect(helpText(undefined)).toContain('inject KIND [key=value ...]');
    expect(completeLine('inj')).toEqual([['inject '], 'inj']);
    expect(completeLine('inject comp')).toEqual([['compute-flip '], 'comp']);
    expect(completeLine('inject voter-')[0]).toEqual(['voter-upset', 'voter-drop']);
    expect(completeLine('inject ')[0]).toEqual(INJECT_KINDS);
    expect(completeLine('inject control-flow ')[0]).toEqual(['channel=', 'mode=', 'stage=']);
    expect(completeLine('inject control-flow channel=B m')).toEqual([['mode='], 'm']);
    expect(completeLine('inject control-flow channel=B mode=s')[0]).toEqual(['mode=skip', 'mode=stale']);
    expect(completeLine('inject control-flow channel=B mode=w')).toEqual([['mode=wrong-branch '], 'mode=w']);
    expect(completeLine('inject actuator actuator=1 mode=hard')).toEqual([['mode=hard-over '], 'mode=hard']);
    expect(completeLine('inject nosuch ')[0]).toEqual([]);
  });
});

// ---- against the emulated rig -----------------------------------------------------------------

const loaded = loadFlightRig(undefined);
if (!loaded.ok) throw new Error(loaded.error);
const rig = loaded.value;
const rigs: RunningRig[] = [];
const servers: ConsoleServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const r of rigs.splice(0)) await r.close();
});

/** The emulated rig, paused (it moves only on `step`, as in a script), seed 1. */
async function emulated(): Promise<RunningRig> {
  const started = await startRig({ rig, seed: 1, rateHz: 250, durationS: 60, profile: NO_FAULTS });
  if (!started.ok) throw new Error(started.error);
  rigs.push(started.value);
  return started.value;
}

async function run(session: ConsoleSession, line: string): Promise<string> {
  const reply = await session.execute(line);
  expect(reply.ok, `${line}: ${reply.text}`).toBe(true);
  return reply.text;
}

/** A board on channel A that answers nothing: the console must not reach it through inject. */
const STUB_BOARD: BoardChannel = {
  link: 'serial /dev/ttyFAKE',
  flipMemory: () => Promise.resolve(ok('flipped')), flipRegister: () => Promise.resolve(ok('flipped')),
  peek: () => Promise.resolve(ok(new Uint8Array(0))), poke: () => Promise.resolve(ok('poked')), scrub: () => Promise.resolve(ok('scrubbed')),
  kill: () => Promise.resolve(ok('killed')), hang: () => Promise.resolve(ok('hung')), revive: () => Promise.resolve(ok('revived')),
  counters: () => ({ corrected: 0, uncorrectable: 0 }),
  statistics: () => ({ channel: 'A', link: 'serial /dev/ttyFAKE', connected: true, cycles: 0, timeouts: 0, reconnects: 0, latencyP50Micros: 0, latencyP99Micros: 0, latencyMaxMicros: 0, jitterMicros: 0 }),
  close: () => Promise.resolve(),
};

describe('inject: on the emulated rig', () => {
  it('a control-flow error on B lands in the fault ledger and B catches it itself', async () => {
    const running = await emulated();
    const session = new ConsoleSession(new LocalRig(running));
    await run(session, 'step 250');
    expect(await run(session, 'inject control-flow channel=B mode=skip stage=1')).toBe('injected control-flow on B (skip stage 1)');
    await run(session, 'step 250');
    const f = running.flight;
    expect(f.ledger.records.map((r) => [r.kind, r.channel])).toEqual([['control-flow', 1]]);
    expect(f.ledger.records[0]?.detectedBy).toBe('self-check');
    expect(f.channels[1]?.selfFaults).toBe(1);
    expect(f.channels[1]?.controlFlowErrorsDetected).toBe(1);
    expect(f.channels[0]?.selfFaults).toBe(0);
    expect(f.result().faultList[0]?.kind).toBe('control-flow');
    expect(await run(session, 'status')).toMatch(/\nB +emulated +\S+ +\d+ +\d+ +control-flow @250/);
  });

  it('an actuator hard-over holds the surface at its stop', async () => {
    const running = await emulated();
    const session = new ConsoleSession(new LocalRig(running));
    await run(session, 'step 10');
    expect(await run(session, 'inject actuator actuator=0 mode=hard-over')).toBe('injected actuator (actuator 0 hard-over)');
    await run(session, 'step 20');
    const limit = aerosondeVehicle().actuator.positionLimitDeg[0] ?? 0;
    expect(limit).toBeGreaterThan(0);
    expect(running.flight.actuatorPath.positionDeg[0]).toBe(limit);
    expect(running.flight.ledger.records.map((r) => r.kind)).toEqual(['actuator']);
  });

  it('draws open fields from a seeded stream and prints what it drew; checks targets against the rig', async () => {
    const lines = ['inject compute-flip channel=A', 'inject memory-flip channel=C', 'inject voter-upset lane=2'];
    const texts: string[][] = [];
    for (let pass = 0; pass < 2; pass++) {
      const session = new ConsoleSession(new LocalRig(await emulated()));
      const out: string[] = [];
      for (const line of lines) out.push(await run(session, line));
      texts.push(out);
    }
    expect(texts[0]).toEqual(texts[1]);
    expect(texts[0]?.[0]).toMatch(/^injected compute-flip on A \(compute [A-Z_0-9]+ bit \d+ after stage \d\)$/);
    expect(texts[0]?.[1]).toMatch(/^injected memory-flip on C \(word \d+ bit \d+\)$/);
    expect(texts[0]?.[2]).toMatch(/^injected voter-upset \(lane 2 \w+\[\d+\] bit \d+\)$/);

    const running = await emulated();
    const session = new ConsoleSession(new LocalRig(running));
    const refused = async (line: string): Promise<string> => {
      const reply = await session.execute(line);
      expect(reply.ok, line).toBe(false);
      return reply.text;
    };
    expect(await refused('inject compute-flip channel=D')).toBe('inject: channel: channel D is not on this rig (3 channels)');
    expect(await refused('inject sensor sensor=4 mode=dead')).toBe('inject: sensor: sensor 4 is not on this rig (3 sensors)');
    expect(await refused('inject memory-flip channel=A word=9999999')).toMatch(/^inject: word: word 9999999 outside the image/);
    expect(await refused('inject voter-upset lane=0 field=health index=7')).toBe('inject: index: health has 3 elements');
    expect(await refused('inject voter-upset lane=0 field=health bit=9')).toBe('inject: bit: health elements have 8 bits');
    // The decoder (or, failing that, the rig) refuses an index or bit without the field that sizes them.
    expect(await refused('inject voter-upset lane=0 index=1')).toMatch(/^inject( voter-upset)?: .*field/);
    expect(await refused('inject register-flip channel=A register=NOPE')).toBe("inject: register: unknown register 'NOPE'");
    expect(running.flight.ledger.records).toHaveLength(0);
    expect(await run(session, 'inject channel-crash channel=B')).toBe('injected channel-crash on B (crash)');
    expect(await refused('inject channel-hang channel=B durationS=1')).toBe('inject channel-hang: channel B is already down (revive it first)');
    expect(await run(session, 'revive B')).toMatch(/^revived B \(cold restart;/);
  });

  it('refuses a fault on a channel a board drives, and injects elsewhere on the same rig', async () => {
    const running = await emulated();
    const session = new ConsoleSession(new LocalRig({ ...running, boards: new Map([[0, STUB_BOARD]]) }));
    const reply = await session.execute('inject compute-flip channel=A value=ACT_OUT_0 bit=30 stage=3');
    expect(reply).toEqual({ ok: false, text: 'inject compute-flip: channel A is a board (serial /dev/ttyFAKE): inject reaches emulated channels only (a board takes flip, peek, poke, scrub, kill, hang, revive)', quit: false });
    expect((await session.execute('inject bus-drop receiver=A')).text).toMatch(/^inject bus-drop: channel A is a board/);
    expect(await run(session, 'inject compute-flip channel=B value=ACT_OUT_0 bit=30 stage=3')).toBe('injected compute-flip on B (compute ACT_OUT_0 bit 30 after stage 3)');
    expect(running.flight.ledger.records.map((r) => [r.kind, r.channel])).toEqual([['compute-flip', 1]]);
  });

  it('works the same over a remote console (lines are forwarded as text)', async () => {
    const running = await emulated();
    const control = new LocalRig(running);
    const listened = await ConsoleServer.listen({ host: '127.0.0.1', port: 0, token: undefined, rigName: 'emulated', session: () => new ConsoleSession(control) });
    if (!listened.ok) throw new Error(listened.error.message);
    servers.push(listened.value);
    const connected = await RemoteClient.connect('127.0.0.1', listened.value.port(), undefined);
    if (!connected.ok) throw new Error(connected.error);
    const client = connected.value;
    expect(await client.execute('inject word-mbu channel=C bits=3 word=12 bit=4')).toEqual({ ok: true, text: 'injected word-mbu on C (word 12 3 bits from 4)', quit: false });
    expect(await client.execute('inject word-mbu channel=C bits=9')).toEqual({ ok: false, text: 'inject: bits: expected a value from 3 to 8, got 9', quit: false });
    client.close();
    expect(running.flight.ledger.records.map((r) => [r.kind, r.channel])).toEqual([['word-mbu', 2]]);
  });
});
