import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedReadlineParser, SerialLineBus } from '../../src/bus/serial-line-bus.js';
import { classicFrame, type CanFrame } from '../../src/core/frame/can.js';
import { encodeFrameLine, encodeRecordLine, SERIAL_LINE_BYTES_MAX, SERIAL_LINK_ID_DEFAULT, SerialType } from '../../src/core/frame/serial-line.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { waitFor } from './support.js';

const PATH = '/dev/TRIPLEX-SERIAL';

async function openMock(options: { queueFramesMax?: number } = {}): Promise<{ bus: SerialLineBus; port: SerialPortMock; clock: SimClock }> {
  SerialPortMock.binding.createPort(PATH, { record: true });
  const port = new SerialPortMock({ path: PATH, baudRate: 115_200 });
  await new Promise<void>((resolve) => port.on('open', () => { resolve(); }));
  const clock = new SimClock(1_000);
  return { bus: new SerialLineBus(port, { clock, channel: PATH, ...options }), port, clock };
}

function line(frame: CanFrame, counter: number): Buffer {
  const encoded = encodeFrameLine(frame, counter, SERIAL_LINK_ID_DEFAULT);
  if (!encoded.ok) throw new Error(encoded.error.reason);
  return Buffer.from(encoded.value);
}

const mockPort = (port: SerialPortMock): { emitData(data: Buffer | string): void; recording: Buffer } => {
  if (port.port === undefined) throw new Error('mock port not open');
  return port.port;
};

afterEach(() => { SerialPortMock.binding.reset(); });

describe('SerialLineBus on @serialport/binding-mock', () => {
  it('writes one E2E-protected line per frame, numbering counters from 0', async () => {
    const { bus, port } = await openMock();
    expect(bus.send(classicFrame(0x123, Uint8Array.of(0xde, 0xad)))).toEqual({ ok: true, value: undefined });
    expect(bus.send(classicFrame(0x124, Uint8Array.of(1)))).toEqual({ ok: true, value: undefined });
    await waitFor(() => mockPort(port).recording.length > 0 && mockPort(port).recording.includes(0x0a, 45), 'two lines written');
    const expected = Buffer.concat([line(classicFrame(0x123, Uint8Array.of(0xde, 0xad)), 0), line(classicFrame(0x124, Uint8Array.of(1)), 1)]);
    expect(mockPort(port).recording.toString('latin1')).toBe(expected.toString('latin1'));
    expect(bus.statistics().framesSent).toBe(2);
    await bus.close();
  });

  it('delivers received frames to matching subscribers with the clock time', async () => {
    const { bus, port, clock } = await openMock();
    const got: [number, number][] = [];
    bus.subscribe((frame, micros) => got.push([frame.id, micros]), [{ id: 0x100, mask: 0x700 }]);
    clock.advanceTo(5_000);
    mockPort(port).emitData(Buffer.concat([line(classicFrame(0x101, Uint8Array.of(1)), 0), line(classicFrame(0x201, Uint8Array.of(2)), 1)]));
    await waitFor(() => bus.statistics().framesReceived === 2, 'two frames');
    expect(got).toEqual([[0x101, 5_000]]);
    await bus.close();
  });

  it('counts and drops garbage, overlong lines, bad CRCs and repeats, and resynchronises', async () => {
    const { bus, port } = await openMock();
    const ids: number[] = [];
    bus.subscribe((frame) => ids.push(frame.id));
    const good = line(classicFrame(0x10, Uint8Array.of(1)), 0).toString('latin1');
    const corrupt = good.replace(/^F0/, 'F1');
    mockPort(port).emitData(`\x00\xff garbage\n${corrupt}${good}${'Z'.repeat(3 * SERIAL_LINE_BYTES_MAX)}`);
    mockPort(port).emitData(Buffer.concat([Buffer.from('more\n'), line(classicFrame(0x11, Uint8Array.of(2)), 1), line(classicFrame(0x11, Uint8Array.of(2)), 1), line(classicFrame(0x12, new Uint8Array(0)), 5)]));
    mockPort(port).emitData('# firmware says hello\n');
    await waitFor(() => bus.statistics().comments === 1, 'the comment line');
    expect(ids).toEqual([0x10, 0x11, 0x12]);
    const stats = bus.statistics();
    expect(stats.badLines.unknown_type).toBe(1); // "\0\xff garbage"
    expect(stats.badLines.length_mismatch + stats.badLines.crc_mismatch).toBe(1); // corrupt length field
    expect(stats.badLines.line_too_long).toBe(1); // Z... up to "more\n"
    expect(stats.countersRepeated).toBe(1);
    expect(stats.countersLost).toBe(3);
    expect(stats.framesDropped).toBe(4);
    await bus.close();
  });

  it('keeps memory bounded over a 1 MB stream without newlines', async () => {
    const { bus, port } = await openMock();
    const chunk = Buffer.alloc(16_384, 0x41);
    let pendingMax = 0;
    for (let i = 0; i < 64; i++) {
      mockPort(port).emitData(chunk);
      await waitFor(() => bus.statistics().badLines.line_too_long === 1 || i === 0, 'overflow reported');
      pendingMax = Math.max(pendingMax, bus.pendingBytes());
    }
    await waitFor(() => bus.pendingBytes() === 0, 'parser drained');
    expect(pendingMax).toBeLessThanOrEqual(SERIAL_LINE_BYTES_MAX);
    expect(bus.statistics().badLines.line_too_long).toBe(1);
    mockPort(port).emitData(Buffer.concat([Buffer.from('\n'), line(classicFrame(0x7, new Uint8Array(0)), 0)]));
    await waitFor(() => bus.statistics().framesReceived === 1, 'frame after the flood');
    await bus.close();
  });

  it('carries Q/A/E rig messages to onMessage, not to frame subscribers', async () => {
    const { bus, port } = await openMock();
    const kinds: string[] = [];
    bus.onMessage((message) => kinds.push(message.kind));
    bus.subscribe(() => kinds.push('frame-subscriber'));
    mockPort(port).emitData(Buffer.from(encodeRecordLine(SerialType.answer, Uint8Array.of(1, 0, 0), 0, SERIAL_LINK_ID_DEFAULT)));
    await waitFor(() => kinds.length === 1, 'answer');
    expect(kinds).toEqual(['answer']);
    expect(bus.sendMessage(SerialType.request, Uint8Array.of(1, 0))).toEqual({ ok: true, value: undefined });
    expect(bus.sendMessage(SerialType.frame, Uint8Array.of(1, 0))).toMatchObject({ ok: false, error: { code: 'invalid_frame' } });
    await bus.close();
  });

  it('answers invalid_frame, queue_full and closed without throwing', async () => {
    const { bus } = await openMock({ queueFramesMax: 1 });
    expect(bus.send(classicFrame(0x800, new Uint8Array(0), false))).toMatchObject({ ok: false, error: { code: 'invalid_frame' } });
    expect(bus.send(classicFrame(1, new Uint8Array(0)))).toEqual({ ok: true, value: undefined });
    expect(bus.send(classicFrame(2, new Uint8Array(0)))).toEqual({ ok: false, error: { code: 'queue_full', queueFramesMax: 1 } });
    await bus.close();
    expect(bus.state()).toBe('closed');
    expect(bus.send(classicFrame(3, new Uint8Array(0)))).toEqual({ ok: false, error: { code: 'closed' } });
  });
});

describe('BoundedReadlineParser', () => {
  it('splits like parser-readline below the bound', async () => {
    const parser = new BoundedReadlineParser(16, () => undefined);
    const lines: string[] = [];
    parser.on('data', (text: string) => lines.push(text));
    parser.write(Buffer.from('ab\ncd'));
    parser.write(Buffer.from('ef\n\xff\n', 'latin1'));
    await waitFor(() => lines.length === 3, 'three lines');
    expect(lines).toEqual(['ab', 'cdef', '\xff']);
  });
});
