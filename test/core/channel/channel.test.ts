import { describe, expect, test } from 'vitest';
import { ChannelRuntime, type ChannelConfig } from '../../../src/core/channel/channel.js';
import { defaultGains } from '../../../src/core/control/gains.js';
import { SCHEDULES } from '../../../src/core/control/setpoint.js';
import { createProtectState, e2eConfigOf, protect } from '../../../src/core/frame/e2e/index.js';
import { canIdOf, MEDIUM_LAYOUT, type ImuNumber } from '../../../src/core/frame/ids.js';
import { encodeImuAccel, encodeImuRate } from '../../../src/core/frame/sensor-frame.js';
import { decodeChannelStatus } from '../../../src/core/frame/status-frame.js';
import { aerosondeVehicle } from '../../../src/core/plant/vehicle.js';
import { CONSOLIDATION_ALARM_SINGLE_SOURCE } from '../../../src/core/vote/consolidate.js';
import { sensorThresholds } from '../../../src/sim/config.js';
import { flightClockSyncConfig } from '../../../src/sim/timing.js';

const BODY = MEDIUM_LAYOUT.can.bodyOffsetBytes;
const P = 4000;

function makeChannel(): { ch: ChannelRuntime; sent: { id: number; data: Uint8Array }[] } {
  const sent: { id: number; data: Uint8Array }[] = [];
  const cfg: ChannelConfig = {
    index: 0, channelCount: 3, periodMicros: P, gains: defaultGains(aerosondeVehicle()), schedule: SCHEDULES.standard ?? { name: 'hold', periodS: 0, segments: [] },
    clockOffsetMicros: 0, clockDriftPpm: 0, clockSync: flightClockSyncConfig(3), syncEveryCycles: 25, scrubWordsPerCycle: 4,
    statusEveryCycles: 5, bitRateBps: 1_000_000, sensorThresholds: sensorThresholds(),
  };
  return { ch: new ChannelRuntime(cfg, { send: (id, data) => { sent.push({ id, data: data.slice() }); } }), sent };
}

/** Sends IMU `imu` (1-based) frames into the channel: level flight, 1 g down. */
function feedImu(ch: ChannelRuntime, imu: ImuNumber, states: ReturnType<typeof createProtectState>[], t: number, corrupt = false): void {
  const buf = new Uint8Array(MEDIUM_LAYOUT.can.frameBytes);
  encodeImuRate({ sensorStatus: 0, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 }, buf, BODY);
  protect(e2eConfigOf('imu-rate', imu, 'can'), states[0] ?? createProtectState(), buf);
  if (corrupt) buf[BODY + 2] = (buf[BODY + 2] ?? 0) ^ 0x10;
  ch.receive(canIdOf('imu-rate', imu), buf, t);
  encodeImuAccel({ sensorStatus: 0, accelXCmPerS2: 0, accelYCmPerS2: 0, accelZCmPerS2: -981 }, buf, BODY);
  protect(e2eConfigOf('imu-accel', imu, 'can'), states[1] ?? createProtectState(), buf);
  ch.receive(canIdOf('imu-accel', imu), buf, t);
}

describe('ChannelRuntime', () => {
  test('a corrupted sensor frame is rejected by E2E and counted', () => {
    const { ch } = makeChannel();
    const st = [createProtectState(), createProtectState()];
    feedImu(ch, 1, st, 100, true);
    expect(ch.e2eErrors).toBe(1);
  });

  test('one sensor only: consolidation raises the single-source alarm; the command is still sent', () => {
    const { ch, sent } = makeChannel();
    const st = [createProtectState(), createProtectState()];
    for (let k = 0; k < 3; k++) {
      feedImu(ch, 2, st, k * P + 500);
      ch.step(k * P + P / 4);
    }
    expect(ch.lastConsolidationStatus & CONSOLIDATION_ALARM_SINGLE_SOURCE).not.toBe(0);
    expect(sent.filter((f) => f.id === canIdOf('command', 'A'))).toHaveLength(3);
  });

  test('the scrubber corrects a flipped bit within one pass and counts it', () => {
    const { ch } = makeChannel();
    ch.memory.flipBit(40, 3);
    for (let k = 0; k < 20; k++) ch.step(k * P + P / 4);
    expect(ch.scrubCorrected + ch.memory.statistics().readCorrected).toBeGreaterThanOrEqual(1);
    expect(ch.memory.syndromeOf(40)).toBe(0);
    expect(ch.scrubPasses).toBeGreaterThanOrEqual(1);
  });

  test('an uncorrectable word makes the channel fail silent and report failed in its status frame', () => {
    const { ch, sent } = makeChannel();
    ch.step(P / 4);
    ch.memory.flipBit(20, 0);
    ch.memory.flipBit(20, 1);
    sent.length = 0;
    for (let k = 1; k < 20 && ch.selfFaults === 0; k++) ch.step(k * P + P / 4);
    expect(ch.selfFaults).toBe(1);
    const status = sent.filter((f) => f.id === canIdOf('channel-status', 'A'));
    expect(status.length).toBeGreaterThanOrEqual(1);
    const decoded = decodeChannelStatus(status[0]?.data ?? new Uint8Array(8), BODY, 8 - BODY);
    expect(decoded.ok && decoded.value.health).toBe('failed');
  });

  test('status frames carry the scrub counters and health healthy', () => {
    const { ch, sent } = makeChannel();
    for (let k = 0; k < 40; k++) ch.step(k * P + P / 4);
    const status = sent.filter((f) => f.id === canIdOf('channel-status', 'A'));
    expect(status.length).toBe(8);
    const last = decodeChannelStatus(status[status.length - 1]?.data ?? new Uint8Array(8), BODY, 8 - BODY);
    expect(last.ok).toBe(true);
    if (last.ok) {
      expect(last.value.health).toBe('healthy');
      expect(last.value.scrubPassCount).toBe(1); // 36 steps × 4 words: one full pass of the 76-word image when the last frame was sent
    }
  });

  test('state transfer: snapshot/restore copies the control state and the CRC verifies it', () => {
    const a = makeChannel().ch;
    const b = makeChannel().ch;
    for (let k = 0; k < 10; k++) a.step(k * P + P / 4);
    const snap = a.memory.snapshot();
    const crc = a.memory.dataCrc32();
    if (!snap.ok || !crc.ok) throw new Error('snapshot');
    b.memory.restore(snap.value);
    const copy = b.memory.dataCrc32();
    expect(copy.ok && copy.value).toBe(crc.value);
    b.memory.flipBit(5, 0);
    b.memory.flipBit(5, 1);
    const bad = b.memory.dataCrc32();
    expect(bad.ok && bad.value === crc.value).toBe(false);
  });
});
