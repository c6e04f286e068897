/**
 * E2E protection and frame codec figures: protect + check of one frame per profile as Triplex
 * configures it (target for Profile 11 on classic CAN: ≤ 200 ns per frame), and body
 * encode + decode per frame type. Each timed call handles a batch of frames, so the closure
 * call is amortised; figures are ns per frame.
 */
import { createActuatorCommand, decodeCommandInto, encodeCommand } from '../core/frame/command-frame.js';
import { check, createCheckStateFor, createProtectState, e2eConfigOf, protect, type E2eConfig } from '../core/frame/e2e/index.js';
import { MEDIUM_LAYOUT, type FrameKind, type Medium } from '../core/frame/ids.js';
import { decodeImuRateInto, encodeImuRate, type ImuRate } from '../core/frame/sensor-frame.js';
import { createChannelStatus, decodeChannelStatusInto, encodeChannelStatus } from '../core/frame/status-frame.js';
import { timeIt, type BenchResult, type BenchSuite } from './harness.js';

const BATCH_FRAMES = 1000;

function protectCheck(label: string, config: E2eConfig, medium: Medium, minMillis: number): BenchResult {
  const frame = new Uint8Array(MEDIUM_LAYOUT[medium].frameBytes);
  const sender = createProtectState();
  const receiver = createCheckStateFor(config);
  let notOk = 0;
  const nsPerBatch = timeIt(() => {
    for (let n = 0; n < BATCH_FRAMES; n++) {
      protect(config, sender, frame);
      if (check(config, receiver, frame) !== 'OK') notOk++;
    }
  }, minMillis);
  if (notOk !== 0) throw new Error(`bench ${label}: ${notOk} frames did not check OK`);
  return { name: `e2e protect+check ${label}`, impl: config.profile, nsPerFrame: Math.round((nsPerBatch / BATCH_FRAMES) * 10) / 10, frameBytes: frame.length };
}

function codecFigure(name: string, body: () => void, minMillis: number): BenchResult {
  const nsPerBatch = timeIt(() => {
    for (let n = 0; n < BATCH_FRAMES; n++) body();
  }, minMillis);
  return { name: `frame encode+decode ${name}`, impl: 'byte codec', nsPerFrame: Math.round((nsPerBatch / BATCH_FRAMES) * 10) / 10 };
}

function codecFigures(minMillis: number): BenchResult[] {
  const bytes = new Uint8Array(8);
  const rate: ImuRate = { sensorStatus: 0, rateXMradPerS: 123, rateYMradPerS: -456, rateZMradPerS: 7890 };
  const rateOut: ImuRate = { sensorStatus: 0, rateXMradPerS: 0, rateYMradPerS: 0, rateZMradPerS: 0 };
  const command = createActuatorCommand();
  command.deflectionMrad.set([100, -200, 300, -400]);
  const commandOut = createActuatorCommand();
  const status = createChannelStatus();
  const statusOut = createChannelStatus();
  const fail = (): never => {
    throw new Error('bench decode failed');
  };
  return [
    codecFigure('imu-rate', () => {
      encodeImuRate(rate, bytes, 1);
      if (decodeImuRateInto(bytes, 1, 7, rateOut) !== null) fail();
    }, minMillis),
    codecFigure('command', () => {
      encodeCommand(command, bytes, 1);
      if (decodeCommandInto(bytes, 1, 7, commandOut) !== null) fail();
    }, minMillis),
    codecFigure('channel-status', () => {
      encodeChannelStatus(status, bytes, 1);
      if (decodeChannelStatusInto(bytes, 1, 7, statusOut) !== null) fail();
    }, minMillis),
  ];
}

const PROFILE_CASES: readonly { label: string; kind: FrameKind; sender: 'A' | 1; medium: Medium }[] = [
  { label: 'P11 classic CAN (imu-rate)', kind: 'imu-rate', sender: 1, medium: 'can' },
  { label: 'P22 classic CAN (command)', kind: 'command', sender: 'A', medium: 'can' },
  { label: 'P4 CAN FD (command)', kind: 'command', sender: 'A', medium: 'can-fd' },
  { label: 'P5 serial (command)', kind: 'command', sender: 'A', medium: 'serial' },
];

export const suite: BenchSuite = {
  name: 'e2e',
  run(report, options) {
    const minMillis = Math.max(30, Math.round(300 * options.scale));
    for (const { label, kind, sender, medium } of PROFILE_CASES) {
      report(protectCheck(label, e2eConfigOf(kind, sender, medium), medium, minMillis));
    }
    for (const figure of codecFigures(minMillis)) report(figure);
  },
};
