/** The emulated SLCAN adapter, driven through a real pty by raw SLCAN bytes, as a host program would. */
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../../src/bus/pty.js';
import { startSlcanDevice, type SlcanAckStyle, type SlcanDevice } from '../../src/bus/slcan-device.js';
import { classicFrame, type CanFrame } from '../../src/core/frame/can.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { directPair, waitFor } from './support.js';

interface Rig { host: SerialPort; device: SlcanDevice; received: () => string; busFrames: CanFrame[]; send: (frame: CanFrame) => void; clock: SimClock; pty: PtyPair }

let rig: Rig | undefined;

async function makeRig(ackStyle: SlcanAckStyle = 'lawicel'): Promise<Rig> {
  const pty = await openPtyPair();
  if (!pty.ok) throw new Error(pty.error.message);
  const [adapterSide, busSide] = directPair();
  const busFrames: CanFrame[] = [];
  busSide.subscribe((frame) => busFrames.push(frame));
  const clock = new SimClock(61_000_000);
  const device = await startSlcanDevice(pty.value.pathB, { node: adapterSide, clock, busBitRateBps: 500_000, ackStyle });
  if (!device.ok) throw new Error(device.error.message);
  const host = await new Promise<SerialPort>((resolve, reject) => {
    const port = new SerialPort({ path: pty.value.pathA, baudRate: 115_200 }, (error) => { if (error) reject(error); else resolve(port); });
  });
  let text = '';
  host.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
  return { host, device: device.value, received: () => text, busFrames, send: (frame) => { busSide.send(frame); }, clock, pty: pty.value };
}

afterEach(async () => {
  if (rig === undefined) return;
  await new Promise<void>((resolve) => { rig?.host.close(() => { resolve(); }); });
  await rig.device.close();
  await rig.pty.close();
  rig = undefined;
});

describe('emulated SLCAN device over a pty', () => {
  it('answers the Lawicel way: BEL for C while closed, CR for S6/O, z after t, F/V/N', async () => {
    rig = await makeRig();
    const r = rig;
    r.host.write('C\rS6\rO\rt1232AABB\rT000001230\rF\rV\rN\r');
    await waitFor(() => r.received().endsWith('NTPX1\r'), 'all answers');
    expect(r.received()).toBe('\x07\r\rz\rZ\rF00\rV1013\rNTPX1\r');
    expect(r.busFrames.map((f) => [f.id, f.extended, [...f.data]])).toEqual([[0x123, false, [0xaa, 0xbb]], [0x123, true, []]]);
  });

  it('forwards bus frames to the host while open, with Z1 timestamps when asked', async () => {
    rig = await makeRig();
    const r = rig;
    r.host.write('S6\rZ1\rO\r');
    await waitFor(() => r.device.isOpen(), 'open');
    r.send(classicFrame(0x42, Uint8Array.of(1, 2)));
    await waitFor(() => r.received().endsWith('\r') && r.received().includes('t042'), 'forwarded frame');
    expect(r.received()).toBe('\r\r\rt04220102EA60'.replace('EA60', (1_000).toString(16).toUpperCase().padStart(4, '0')) + '\r');
  });

  it('refuses configuration while open, transmit while closed or listen-only, and a bit rate the bus does not run', async () => {
    rig = await makeRig();
    const r = rig;
    r.host.write('t1230\rS4\rO\r'); // closed: BEL; 125k: CR; O at 125k on a 500k bus: BEL
    await waitFor(() => r.received().length === 3, 'three answers');
    r.host.write('S6\rL\rt1230\rS5\rC\rC\rxyz\r');
    await waitFor(() => r.received().length === 10, 'seven more answers');
    expect(r.received()).toBe('\x07\r\x07' + '\r\r\x07\x07\r\x07\x07');
    expect(r.busFrames).toHaveLength(0);
    expect(r.device.statistics()).toMatchObject({ refused: 6, badLines: 1 });
  });

  it("sends no acknowledgement after a transmit with ackStyle 'none'", async () => {
    rig = await makeRig('none');
    const r = rig;
    r.host.write('S6\rO\rt1001FF\rt1001FE\rV\r');
    await waitFor(() => r.received().endsWith('V1013\r'), 'version answer');
    expect(r.received()).toBe('\r\rV1013\r');
    expect(r.busFrames).toHaveLength(2);
  });
});
