import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { openSlcanAdapter, SlcanBus, slcanOpenSequence } from '../../src/bus/slcan-bus.js';
import { classicFrame } from '../../src/core/frame/can.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { waitFor } from './support.js';

const PATH = '/dev/TRIPLEX-SLCAN';

async function openMock(options: Partial<ConstructorParameters<typeof SlcanBus>[1]> = {}): Promise<{ bus: SlcanBus; port: { emitData(data: Buffer | string): void; recording: Buffer }; clock: SimClock }> {
  SerialPortMock.binding.createPort(PATH, { record: true });
  const port = new SerialPortMock({ path: PATH, baudRate: 115_200 });
  await new Promise<void>((resolve) => port.on('open', () => { resolve(); }));
  const clock = new SimClock(1_000);
  const bus = new SlcanBus(port, { clock, ...options });
  if (port.port === undefined) throw new Error('mock port not open');
  return { bus, port: port.port, clock };
}

afterEach(() => { SerialPortMock.binding.reset(); });

describe('SlcanBus on @serialport/binding-mock', () => {
  it('writes the open sequence: C, S<n>, optional Y/Z, then O or L', async () => {
    const { bus, port } = await openMock({ bitRateBps: 250_000, timestamps: true });
    expect(bus.start()).toEqual({ ok: true, value: undefined });
    await waitFor(() => port.recording.toString().endsWith('O\r'), 'open sequence');
    expect(port.recording.toString()).toBe('C\rS5\rZ1\rO\r');
    expect(slcanOpenSequence({ listenOnly: true, dataBitRateBps: 2_000_000 })).toEqual({ ok: true, value: [{ kind: 'close' }, { kind: 'bitrate', code: 6 }, { kind: 'data_bitrate', code: 2 }, { kind: 'listen' }] });
    expect(slcanOpenSequence({ bitRateBps: 33_333 })).toEqual({ ok: false, error: { code: 'unsupported_bitrate', bitRateBps: 33_333 } });
    await bus.close();
  });

  it('sends frames without waiting for any acknowledgement', async () => {
    const { bus, port } = await openMock();
    for (let i = 0; i < 3; i++) expect(bus.send(classicFrame(0x100 + i, Uint8Array.of(i)))).toEqual({ ok: true, value: undefined });
    expect(bus.send(classicFrame(0x1234567, new Uint8Array(0), true))).toEqual({ ok: true, value: undefined });
    await waitFor(() => port.recording.toString().endsWith('T012345670\r'), 'four frames written');
    expect(port.recording.toString()).toBe('t100100\rt101101\rt102102\rT012345670\r');
    expect(bus.statistics()).toMatchObject({ framesSent: 4, txAcks: 0 });
    await bus.close();
  });

  it('counts BEL errors, acks and bad lines, delivers frames and follows F status', async () => {
    const { bus, port, clock } = await openMock();
    const got: [number, number][] = [];
    bus.subscribe((frame, micros) => got.push([frame.id, micros]));
    clock.advanceTo(7_000);
    port.emitData('\x07\rz\rZ\rt1232AABB\rt12\rF20\rV1013\r\x07');
    await waitFor(() => bus.statistics().adapterErrors === 2, 'second BEL');
    expect(got).toEqual([[0x123, 7_000]]);
    expect(bus.statistics()).toMatchObject({ adapterErrors: 2, okAnswers: 1, txAcks: 2, framesReceived: 1, framesDropped: 1, statusFlags: 0x20, version: '1013' });
    expect(bus.statistics().badLines.bad_hex + bus.statistics().badLines.bad_length).toBe(1);
    expect(bus.state()).toBe('error-passive');
    bus.requestStatus();
    await bus.close();
  });

  it('uses Z1 timestamps, unwrapped onto the monotonic time base, when asked', async () => {
    const { bus, port, clock } = await openMock({ timestamps: true });
    const stamps: number[] = [];
    bus.subscribe((_frame, micros) => stamps.push(micros));
    clock.advanceTo(10_000_000);
    port.emitData('t1000EA5B\r'); // 59_995 ms
    await waitFor(() => stamps.length === 1, 'first frame');
    clock.advanceTo(10_020_000);
    port.emitData('t1000000F\r'); // 15 ms after the wrap: 20 ms later
    await waitFor(() => stamps.length === 2, 'second frame');
    expect(stamps).toEqual([10_000_000, 10_020_000]);
    await bus.close();
  });

  it('rejects frames it cannot send and reports closed after close', async () => {
    const { bus } = await openMock({ listenOnly: true });
    expect(bus.send({ ...classicFrame(1, new Uint8Array(8)), fd: true })).toMatchObject({ ok: false, error: { code: 'invalid_frame' } });
    expect(bus.send(classicFrame(1, new Uint8Array(1)))).toMatchObject({ ok: false, error: { code: 'invalid_frame', reason: 'the adapter was opened listen-only' } });
    await bus.close();
    expect(bus.send(classicFrame(1, new Uint8Array(1)))).toEqual({ ok: false, error: { code: 'closed' } });
  });

  it('registry factory: bad options exit with one named problem', async () => {
    expect(await openSlcanAdapter({ channel: PATH, bitRateBps: 33_333 })).toMatchObject({ ok: false, error: { code: 'bad_options', adapter: 'slcan' } });
    expect(await openSlcanAdapter({ channel: PATH, timestamps: 'yes' })).toMatchObject({ ok: false, error: { code: 'bad_options', reason: 'option `timestamps` must be true or false' } });
    expect(await openSlcanAdapter({ channel: '/dev/does-not-exist-triplex' })).toMatchObject({ ok: false, error: { code: 'open_failed', adapter: 'slcan' } });
  });
});
