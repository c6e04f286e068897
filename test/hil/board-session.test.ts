/**
 * BoardSession against a scripted board on a fake port: lockstep exchange, timeouts on the
 * reply deadline, stale answers, refused commands, and unplug/replug (the session reopens the
 * same path and carries on).
 */
import { describe, expect, it } from 'vitest';
import { SerialLineBus } from '../../src/bus/serial-line-bus.js';
import { classicFrame } from '../../src/core/frame/can.js';
import { RIG_STATUS_BYTES, RIG_TICK_BYTES } from '../../src/core/frame/rig-command.js';
import { decodeLine, encodeFrameLine, encodeRecordLine, SERIAL_LINK_ID_DEFAULT, SerialType } from '../../src/core/frame/serial-line.js';
import { ok } from '../../src/core/result.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { BoardSession, type OpenPort } from '../../src/hil/board-session.js';
import { ScriptedBoardPort } from './board-support.js';

const LINK = SERIAL_LINK_ID_DEFAULT;

/** A port whose far end is a scripted board: it answers 'Q' lines as `answer` decides. */
class FakeBoardPort extends ScriptedBoardPort {
  private counters = new Map<number, number>();
  silent = false;
  readonly requests: number[] = [];

  /** Sends a raw answer line (for stale-tag tests). */
  answer(opcode: number, tag: number, status: number, payload: Uint8Array): void {
    this.send(SerialType.answer, Uint8Array.from([opcode, tag, status, ...payload]));
  }

  private send(type: number, body: Uint8Array): void {
    const counter = this.counters.get(type) ?? 0;
    this.counters.set(type, (counter + 1) & 0xffff);
    this.stream.write(Buffer.from(encodeRecordLine(type, body, counter, LINK)));
  }

  protected onLine(text: string): void {
    const decoded = decodeLine(Buffer.from(text, 'latin1'), LINK);
    if (!decoded.ok || decoded.value.kind !== 'request' || this.silent) return;
    const { opcode, tag } = decoded.value;
    this.requests.push(opcode);
    if (opcode === 0x08) {
      const counter = this.counters.get(SerialType.frame) ?? 0;
      this.counters.set(SerialType.frame, counter + 1);
      const line = encodeFrameLine(classicFrame(0x101, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), counter, LINK);
      if (line.ok) this.stream.write(Buffer.from(line.value));
      this.answer(opcode, tag, 0, new Uint8Array(RIG_TICK_BYTES));
    } else if (opcode === 0x01) {
      this.answer(opcode, tag, 0, new Uint8Array(RIG_STATUS_BYTES));
    } else if (opcode === 0x04) {
      this.answer(opcode, tag, 3, new Uint8Array(0)); // bad_argument
    } else {
      this.answer(opcode, tag, 0, new Uint8Array(0));
    }
  }
}

function rig(clock: SimClock): { ports: FakeBoardPort[]; open: OpenPort } {
  const ports: FakeBoardPort[] = [];
  const open: OpenPort = () => {
    const port = new FakeBoardPort();
    ports.push(port);
    return Promise.resolve(ok(new SerialLineBus(port, { clock })));
  };
  return { ports, open };
}

async function connect(clock: SimClock, open: OpenPort, replyTimeoutMicros = 50_000): Promise<BoardSession> {
  const session = await BoardSession.connect({ path: '/dev/fake', baud: 115_200, clock, replyTimeoutMicros, commandTimeoutMicros: 50_000, reconnectEveryMicros: 500_000, open });
  if (!session.ok) throw new Error(session.error);
  return session.value;
}

const SENSOR = classicFrame(0x121, new Uint8Array(8));

describe('BoardSession', () => {
  it('exchanges sensor frames for the board\'s frames and tick report', async () => {
    const clock = new SimClock();
    const { ports, open } = rig(clock);
    const session = await connect(clock, open);
    const result = await session.exchange([SENSOR, SENSOR]);
    if (!result.ok) throw new Error(result.error.code);
    expect(result.value.frames.map((f) => f.id)).toEqual([0x101]);
    expect(result.value.tick.cycle).toBe(0);
    expect(ports[0]?.requests).toEqual([0x08]);
    expect(session.statistics()).toMatchObject({ connected: true, exchanges: 1, timeouts: 0 });
    await session.close();
  });

  it('times out on a silent board and drops its late answer as stale', async () => {
    const clock = new SimClock();
    const { ports, open } = rig(clock);
    const session = await connect(clock, open, 20_000);
    const port = ports[0]!;
    port.silent = true;
    expect(await session.exchange([SENSOR])).toEqual({ ok: false, error: { code: 'timeout', waitedMicros: 20_000 } });
    port.answer(0x08, 0, 0, new Uint8Array(RIG_TICK_BYTES));
    await new Promise((resolve) => setImmediate(resolve));
    expect(session.statistics()).toMatchObject({ timeouts: 1, staleAnswers: 1, exchanges: 0 });
    port.silent = false;
    expect((await session.exchange([SENSOR])).ok).toBe(true);
    await session.close();
  });

  it('reports a refused command', async () => {
    const clock = new SimClock();
    const { open } = rig(clock);
    const session = await connect(clock, open);
    expect(await session.request({ op: 'flip', target: 'mem', word: 9999, bit: 0 })).toEqual({ ok: false, error: { code: 'refused', status: 'bad_argument' } });
    expect((await session.request({ op: 'status' })).ok).toBe(true);
    await session.close();
  });

  it('survives unplug and replug: disconnected, then the same path is reopened after the retry interval', async () => {
    const clock = new SimClock();
    const { ports, open } = rig(clock);
    const session = await connect(clock, open);
    ports[0]!.close();
    expect(session.connected).toBe(false);
    expect(await session.exchange([SENSOR])).toEqual({ ok: false, error: { code: 'disconnected' } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(ports).toHaveLength(2); // the first failed exchange started a reopen at once
    expect((await session.exchange([SENSOR])).ok).toBe(true);
    expect(session.statistics()).toMatchObject({ connected: true, reconnects: 1 });

    ports[1]!.close();
    await session.exchange([SENSOR]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ports).toHaveLength(2); // within 0.5 s of the last attempt: no new open
    clock.advanceBy(500_000);
    await session.exchange([SENSOR]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ports).toHaveLength(3);
    expect((await session.exchange([SENSOR])).ok).toBe(true);
    await session.close();
  });
});
