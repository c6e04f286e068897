/**
 * The FrameBus contract for the SLCAN adapter, end to end through a real pty: SlcanBus (a) on
 * one end, the emulated SLCAN device on the other end, plugged into an emulated CAN bus whose
 * second node is (b).
 */
import { afterAll } from 'vitest';
import { EmulatedCanBus } from '../../src/sim/emulated-can.js';
import { openPtyPair, type PtyPair } from '../../src/bus/pty.js';
import { defaultRegistry } from '../../src/bus/registry.js';
import { startSlcanDevice } from '../../src/bus/slcan-device.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { RealClock } from '../../src/io/real-clock.js';
import { runFrameBusContract, type ContractPair } from './contract.js';
import { waitFor } from './support.js';

const open: PtyPair[] = [];
afterAll(async () => { await Promise.all(open.map((pty) => pty.close())); });

const SIM_STEP_MICROS = 20_000;

async function makePair(): Promise<ContractPair> {
  const clock = new SimClock();
  const bus = new EmulatedCanBus({ clock, bitRateBps: 500_000, dataBitRateBps: 2_000_000, stuffing: 'exact', txQueueFramesMax: 32 });
  const adapterNode = bus.attach('adapter');
  const b = bus.attach('B');
  const pty = await openPtyPair();
  if (!pty.ok) throw new Error(pty.error.message);
  open.push(pty.value);
  const device = await startSlcanDevice(pty.value.pathB, { node: adapterNode, clock, busBitRateBps: 500_000 });
  if (!device.ok) throw new Error(device.error.message);
  const a = await defaultRegistry().openAdapter('slcan', { channel: pty.value.pathA, clock: new RealClock(), bitRateBps: 500_000, dataBitRateBps: 2_000_000 });
  if (!a.ok) throw new Error('slcan adapter failed to open');
  const busA = a.value;
  const dev = device.value;
  await waitFor(() => dev.isOpen(), 'the emulated adapter to be opened by the SLCAN open sequence');
  return {
    a: busA,
    b,
    settle: async () => {
      await waitFor(() => dev.statistics().framesToBus >= busA.statistics().framesSent, 'host frames to reach the emulated adapter');
      bus.runUntil(clock.nowMicros() + SIM_STEP_MICROS);
      await waitFor(() => busA.statistics().framesReceived >= dev.statistics().framesToHost, 'bus frames to reach the host');
    },
    close: async () => {
      await busA.close();
      await dev.close();
      await b.close();
      await pty.value.close();
    },
  };
}

runFrameBusContract('SLCAN adapter ↔ emulated SLCAN device over a socat pty, emulated CAN behind it', makePair);
