/**
 * Fault-free flights on every rig and link mode (issue 13): with no fault injected, a flight
 * drops no frame, raises no alarm, isolates nothing, ends with every channel active, and the
 * oracle judges it 'masked'. Checked cycle by cycle, every channel consolidates every sensor
 * source of its configuration — 3 IMUs, or 4 with channel D's IMU 4 — so a sensor that never
 * reaches the channels (IMU 4 sent under IMU 1's IDs, and dropped) fails here.
 *
 * Four channels run only on p2p links (docs/BYZANTINE.md, "In the flight loop"): the CAN wiring
 * has three, and `--channels 4` on CAN is refused, as the last case checks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { NO_FAULTS } from '../../src/core/fault/profile.js';
import { CONSOLIDATION_USED_MASK } from '../../src/core/vote/consolidate.js';
import { keyringFromSeed } from '../../src/io/ed25519.js';
import { createFlight, Flight, type FlightConfig, type FlightResult } from '../../src/sim/flight.js';
import { SENSOR_ALARMS } from '../../src/sim/observer.js';
import { decodeRig, type Rig } from '../../src/sim/rig.js';

function rigOf(path: string): Rig {
  const decoded = decodeRig(readFileSync(path, 'utf8'));
  if (!decoded.ok) throw new Error(`${path}: ${JSON.stringify(decoded.error)}`);
  return decoded.value;
}

const EMULATED = rigOf('hil/rigs/emulated.json');
const FD_1KHZ = rigOf('hil/rigs/emulated-1khz.json');
const SEED = 1;

interface Case {
  readonly name: string;
  readonly rig: Rig;
  readonly durationS: number;
  readonly channels: 3 | 4;
  readonly wiring?: Pick<FlightConfig, 'links' | 'exchange' | 'channelCount'>;
  /** The agreement algorithm the p2p wiring must run (undefined: CAN, no agreement layer). */
  readonly algorithm?: string;
  /**
   * Cycles at the start in which a channel may consolidate fewer sources (default 0). On the
   * 1 kHz CAN FD rig the six sensor frames of cycle 0 take ~360 µs on the bus and the channels
   * compute at P/4 = 250 µs, so in cycle 0 (a cold start, with no earlier sample) only IMU 1's
   * pair has arrived; from cycle 1 on the previous cycle's samples are fresh.
   */
  readonly coldStartCycles?: number;
}

/** Simulated seconds are kept short (≤ 3 s); the signed exchange costs ~1 ms of Ed25519 per cycle. */
const CASES: readonly Case[] = [
  { name: 'CAN, 3 channels, 250 Hz (hil/rigs/emulated.json)', rig: EMULATED, durationS: 3, channels: 3 },
  { name: 'CAN FD, 3 channels, 1 kHz (hil/rigs/emulated-1khz.json)', rig: FD_1KHZ, durationS: 2, channels: 3, coldStartCycles: 1 },
  { name: 'p2p plain, 3 channels', rig: EMULATED, durationS: 3, channels: 3, wiring: { links: 'p2p', exchange: 'plain', channelCount: 3 }, algorithm: 'plain' },
  { name: 'p2p plain (OM(1)), 4 channels', rig: EMULATED, durationS: 3, channels: 4, wiring: { links: 'p2p', exchange: 'plain', channelCount: 4 }, algorithm: 'om1' },
  { name: 'p2p signed (SM(1)), 3 channels', rig: EMULATED, durationS: 2, channels: 3, wiring: { links: 'p2p', exchange: 'signed', channelCount: 3 }, algorithm: 'sm1' },
  { name: 'p2p signed (SM(1)), 4 channels', rig: EMULATED, durationS: 2, channels: 4, wiring: { links: 'p2p', exchange: 'signed', channelCount: 4 }, algorithm: 'sm1' },
];

interface Watch {
  /** First cycle (and channel) in which a channel did not consolidate every source, or raised a sensor alarm. */
  firstSensorProblem: string | undefined;
  /** First cycle in which the voter was not voting with every channel active. */
  firstVoterProblem: string | undefined;
}

/** Flies `c` cycle by cycle, watching the channels' consolidation and the voter after every cycle. */
function fly(c: Case): { result: FlightResult; watch: Watch; sensorCount: number; sources: number[] } {
  const flight = new Flight({ seed: SEED, durationS: c.durationS, rateHz: c.rig.rateHz, profile: NO_FAULTS, rig: c.rig, keyring: keyringFromSeed, ...c.wiring });
  const watch: Watch = { firstSensorProblem: undefined, firstVoterProblem: undefined };
  while (!flight.done) {
    flight.runCycles(1);
    const k = flight.cyclesRun - 1;
    for (const ch of k < (c.coldStartCycles ?? 0) ? [] : flight.channels) {
      const status = ch.lastConsolidationStatus;
      const all = CONSOLIDATION_USED_MASK & ((1 << ch.sensorCount) - 1);
      if (watch.firstSensorProblem === undefined && ((status & CONSOLIDATION_USED_MASK) !== all || (status & SENSOR_ALARMS) !== 0 || ch.failedSensorMask !== 0)) {
        watch.firstSensorProblem = `cycle ${k}, channel ${ch.name}: consolidation status 0x${status.toString(16)} (${ch.sensorCount} sources), failed sensors 0x${ch.failedSensorMask.toString(16)}`;
      }
    }
    const s = flight.status();
    if (watch.firstVoterProblem === undefined && (s.voterMode !== 'vote' || s.channels.some((h) => h.health !== 'active'))) {
      watch.firstVoterProblem = `cycle ${k}: voter ${s.voterMode}, ${s.channels.map((h) => `${h.name} ${h.health}`).join(', ')}`;
    }
  }
  return { result: flight.run(), watch, sensorCount: flight.sensorCount, sources: flight.channels.map((ch) => ch.sensorCount) };
}

describe('a fault-free flight on every rig and link mode is clean', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const { result: r, watch, sensorCount, sources } = fly(c);
      const names = ['A', 'B', 'C', 'D'].slice(0, c.channels);
      expect(sensorCount, 'one IMU per channel').toBe(c.channels);
      expect(sources, 'sources each channel consolidates').toEqual(names.map(() => c.channels));
      expect(Object.keys(r.channels)).toEqual(names);
      expect(r.faults.injected).toBe(0);
      // Drops no frame: no IMU frame refused (or sent under an ID its node does not own), no channel frame refused.
      expect(r.bus.dropped, 'IMU frames dropped').toBe(0);
      expect(r.bus.errorFrames).toBe(0);
      for (const name of names) {
        expect(r.channels[name], `channel ${name}`).toMatchObject({ health: 'active', framesDropped: 0, framesLost: 0, e2eErrors: 0, e2eRepeated: 0, e2eWrongSequence: 0, selfFaults: 0 });
      }
      // Every IMU's rate and acceleration frame of every cycle, and every channel's command, reached the bus.
      expect(r.bus.frames).toBeGreaterThanOrEqual(r.cycles * (2 * c.channels + c.channels));
      // Every channel consolidated every source in every cycle; no sensor alarm; the voter voted with every channel active.
      expect(watch.firstSensorProblem).toBeUndefined();
      expect(watch.firstVoterProblem).toBeUndefined();
      // No alarm, nothing isolated.
      expect(r.isolations).toEqual([]);
      expect(r.healthyIsolations).toEqual([]);
      expect(r.reintegrations).toEqual([]);
      expect(r.failSafe).toEqual([]);
      expect(r.falseIsolations).toBe(0);
      expect(r.agreementViolations).toBe(0);
      expect(r.unattributed).toEqual({ sdc: 0, failSafe: 0 });
      expect(r.deadlineMisses).toBe(0);
      expect(r.voter).toMatchObject({ mode: 'vote', e2eRejected: 0, clockFaultMask: 0 });
      expect(r.envelope.exceededCycles).toBe(0);
      // The oracle: masked, and the flight never left its golden twin.
      expect(r.outcome).toBe('masked');
      expect(r.failures).toEqual([]);
      expect(r.twin?.deviations).toBe(0);
      expect(r.twin?.episodes).toEqual([]);
      if (c.algorithm === undefined) {
        expect(r.agreement).toBeUndefined();
      } else {
        expect(r.agreement).toMatchObject({ links: 'p2p', algorithm: c.algorithm, channelCount: c.channels, exchanges: r.cycles, firstViolationS: null, byzantine: null });
        expect(Object.values(r.agreement?.rejected ?? { missing: -1 }).every((n) => n === 0), `rejected ${JSON.stringify(r.agreement?.rejected)}`).toBe(true);
      }
    }, 60_000);
  }

  test('CAN, 4 channels: refused (the CAN wiring has three; four channels need p2p links)', () => {
    const created = createFlight({ seed: SEED, durationS: 1, rateHz: EMULATED.rateHz, profile: NO_FAULTS, rig: EMULATED, links: 'can', channelCount: 4 });
    expect(created).toEqual({ ok: false, error: 'four channels need --links p2p (the CAN wiring has three)' });
    const fd = createFlight({ seed: SEED, durationS: 1, rateHz: FD_1KHZ.rateHz, profile: NO_FAULTS, rig: FD_1KHZ, links: 'p2p', channelCount: 4 });
    expect(fd.ok).toBe(false);
  });
});
