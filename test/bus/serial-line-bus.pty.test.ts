/** Integration: the serial line adapter through a real socat pty pair, fed garbage by a raw port. */
import { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { openPtyPair } from '../../src/bus/pty.js';
import { openSerialLineBus } from '../../src/bus/serial-line-bus.js';
import { classicFrame } from '../../src/core/frame/can.js';
import { encodeFrameLine, SERIAL_LINK_ID_DEFAULT } from '../../src/core/frame/serial-line.js';
import { RealClock } from '../../src/io/real-clock.js';
import { waitFor } from './support.js';

describe('SerialLineBus over a real pty', () => {
  it('resynchronises after garbage and a 100 kB line without newline, and delivers every valid frame in order', async () => {
    const pty = await openPtyPair();
    if (!pty.ok) throw new Error(pty.error.message);
    const raw = await new Promise<SerialPort>((resolve, reject) => {
      const port = new SerialPort({ path: pty.value.pathA, baudRate: 115_200 }, (error) => { if (error) reject(error); else resolve(port); });
    });
    const bus = await openSerialLineBus({ path: pty.value.pathB, clock: new RealClock() });
    try {
      if (!bus.ok) throw new Error(bus.error.message);
      const ids: number[] = [];
      bus.value.subscribe((frame) => ids.push(frame.id));
      const line = (id: number, counter: number): Buffer => {
        const encoded = encodeFrameLine(classicFrame(id, Uint8Array.of(id & 0xff)), counter, SERIAL_LINK_ID_DEFAULT);
        if (!encoded.ok) throw new Error(encoded.error.reason);
        return Buffer.from(encoded.value);
      };
      const stream: Buffer[] = [Buffer.from([0xff, 0x00, 0x0a]), line(1, 0), Buffer.alloc(100_000, 0x46), Buffer.from('\n'), line(2, 1)];
      for (let i = 0; i < 200; i++) stream.push(line(0x100 + i, 2 + i));
      raw.write(Buffer.concat(stream));
      await waitFor(() => ids.length === 202, '202 valid frames', 10_000);
      expect(ids).toEqual([1, 2, ...Array.from({ length: 200 }, (_, i) => 0x100 + i)]);
      const stats = bus.value.statistics();
      expect(stats.badLines.unknown_type).toBe(1);
      expect(stats.badLines.line_too_long).toBe(1);
      expect(stats.countersLost + stats.countersRepeated + stats.wrongSequences).toBe(0);
      expect(bus.value.pendingBytes()).toBe(0);
    } finally {
      await new Promise<void>((resolve) => { raw.close(() => { resolve(); }); });
      if (bus.ok) await bus.value.close();
      await pty.value.close();
    }
  });
});
