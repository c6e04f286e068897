import { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { openPtyPair, SOCAT_MISSING_MESSAGE } from '../../src/bus/pty.js';
import { waitFor } from './support.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const openPort = (path: string): Promise<SerialPort> => new Promise((resolve, reject) => {
  const port = new SerialPort({ path, baudRate: 115_200 }, (error) => { if (error) reject(error); else resolve(port); });
});
const closePort = (port: SerialPort): Promise<void> => new Promise((resolve) => { port.close(() => { resolve(); }); });

describe('openPtyPair (socat)', () => {
  it('connects two pty paths both ways and ends socat on close', async () => {
    const pair = await openPtyPair();
    if (!pair.ok) throw new Error(pair.error.message);
    const { pathA, pathB, pid } = pair.value;
    expect(pathA).toMatch(/^\/dev\/pts\/\d+$/);
    expect(pathB).not.toBe(pathA);
    const [a, b] = [await openPort(pathA), await openPort(pathB)];
    try {
      let atB = '';
      let atA = '';
      b.on('data', (chunk: Buffer) => { atB += chunk.toString('latin1'); });
      a.on('data', (chunk: Buffer) => { atA += chunk.toString('latin1'); });
      a.write('ping\n');
      b.write(Buffer.from('\x00\xffpong\r\n', 'latin1'));
      await waitFor(() => atB === 'ping\n' && atA === '\x00\xffpong\r\n', 'bytes through the pty pair unchanged (raw mode)');
    } finally {
      await closePort(a);
      await closePort(b);
      await pair.value.close();
    }
    expect(alive(pid)).toBe(false);
    await pair.value.close(); // idempotent
  });

  it('reports a missing socat with one line saying what to install', async () => {
    const pair = await openPtyPair({ socatPath: '/nonexistent/socat' });
    expect(pair).toEqual({ ok: false, error: { code: 'socat_missing', message: SOCAT_MISSING_MESSAGE } });
    expect(SOCAT_MISSING_MESSAGE).not.toContain('\n');
  });
});
