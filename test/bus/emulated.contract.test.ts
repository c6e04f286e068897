import { EmulatedCanBus } from '../../src/sim/emulated-can.js';
import { defaultRegistry } from '../../src/bus/registry.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { runFrameBusContract, type ContractPair } from './contract.js';

async function makePair(): Promise<ContractPair> {
  const clock = new SimClock();
  const bus = new EmulatedCanBus({ clock, bitRateBps: 500_000, dataBitRateBps: 2_000_000, stuffing: 'exact', txQueueFramesMax: 32 });
  const registry = defaultRegistry();
  const a = await registry.openAdapter('emulated', { channel: 'A', bus });
  const b = await registry.openAdapter('emulated', { channel: 'B', bus });
  if (!a.ok || !b.ok) throw new Error('emulated adapter failed to open');
  return {
    a: a.value,
    b: b.value,
    settle: () => { bus.runUntil(clock.nowMicros() + 20_000); return Promise.resolve(); },
    close: async () => { await a.value.close(); await b.value.close(); },
  };
}

runFrameBusContract('emulated CAN', makePair);
