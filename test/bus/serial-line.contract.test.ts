/** The FrameBus contract for the serial line adapter: two SerialLineBus ends over a real socat pty pair. */
import { afterAll } from 'vitest';
import { openPtyPair, type PtyPair } from '../../src/bus/pty.js';
import { defaultRegistry } from '../../src/bus/registry.js';
import { RealClock } from '../../src/io/real-clock.js';
import { runFrameBusContract, type ContractPair } from './contract.js';
import { waitFor } from './support.js';

const open: PtyPair[] = [];
afterAll(async () => { await Promise.all(open.map((pty) => pty.close())); });

async function makePair(): Promise<ContractPair> {
  const pty = await openPtyPair();
  if (!pty.ok) throw new Error(pty.error.message);
  open.push(pty.value);
  const registry = defaultRegistry();
  const clock = new RealClock();
  const a = await registry.openAdapter('serial', { channel: pty.value.pathA, clock });
  const b = await registry.openAdapter('serial', { channel: pty.value.pathB, clock });
  if (!a.ok || !b.ok) throw new Error('serial adapter failed to open on the pty pair');
  const [busA, busB] = [a.value, b.value];
  return {
    a: busA,
    b: busB,
    settle: () => waitFor(() => busB.statistics().framesReceived >= busA.statistics().framesSent && busA.statistics().framesReceived >= busB.statistics().framesSent, 'frames across the pty'),
    close: async () => {
      await busA.close();
      await busB.close();
      await pty.value.close();
    },
  };
}

runFrameBusContract('serial line over a socat pty pair', makePair);
