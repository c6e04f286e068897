/**
 * Bit-flip detection of every Triplex frame type on every medium: each single-bit flip
 * exhaustively, each double-bit flip exhaustively (the rate is printed; CRC-8 has limits), and
 * random triple flips. A flip is detected when the check returns ERROR.
 */
import { describe, expect, it } from 'vitest';
import { check, createCheckStateFor, createProtectState, e2eConfigOf, protect, type E2eConfig } from '../../../../src/core/frame/e2e/index.js';
import { CHANNEL_IDS, MEDIUM_LAYOUT, type FrameKind, type Medium } from '../../../../src/core/frame/ids.js';
import { encodeCommand, createActuatorCommand } from '../../../../src/core/frame/command-frame.js';
import { encodeImuAccel, encodeImuRate } from '../../../../src/core/frame/sensor-frame.js';
import { encodeChannelStatus } from '../../../../src/core/frame/status-frame.js';
import { Prng } from '../../../../src/core/sim/prng.js';
import { testSeed } from '../../../support/seed.js';

const KINDS: readonly FrameKind[] = ['imu-rate', 'imu-accel', 'command', 'channel-status'];
const MEDIA: readonly Medium[] = ['can', 'can-fd', 'serial'];
/** 16 consecutive frames: every counter value of P22 (and so every DataIDList entry). */
const FRAMES_PER_TYPE = 16;

function configOf(kind: FrameKind, medium: Medium): E2eConfig {
  return kind === 'command' || kind === 'channel-status' ? e2eConfigOf(kind, CHANNEL_IDS[1]!, medium) : e2eConfigOf(kind, 2, medium);
}

function bodyOf(kind: FrameKind, frame: Uint8Array, offset: number, n: number): void {
  switch (kind) {
    case 'imu-rate': encodeImuRate({ sensorStatus: n & 7, rateXMradPerS: 100 * n - 700, rateYMradPerS: -3 * n, rateZMradPerS: 32_000 }, frame, offset); break;
    case 'imu-accel': encodeImuAccel({ sensorStatus: 0, accelXCmPerS2: 5, accelYCmPerS2: -981, accelZCmPerS2: n }, frame, offset); break;
    case 'command': {
      const command = createActuatorCommand();
      command.engaged = true;
      command.deflectionMrad.set([n * 100, -n, 2047, -2047]);
      encodeCommand(command, frame, offset);
      break;
    }
    case 'channel-status':
      encodeChannelStatus({ health: 'suspect', scrubCorrectedCount: 1000 + n, scrubUncorrectableCount: n, scrubPassCount: 3, clockOffsetMicros: -12 * n }, frame, offset);
      break;
    case 'clock-sync': throw new Error('no clock-sync body in this task');
  }
}

/** The frames a sender emits, each with the receiver state just before it (so it checks OK). */
function framesOf(kind: FrameKind, medium: Medium): { config: E2eConfig; frames: Uint8Array[] } {
  const config = configOf(kind, medium);
  const layout = MEDIUM_LAYOUT[medium];
  const sender = createProtectState();
  const frames = Array.from({ length: FRAMES_PER_TYPE }, (_, n) => {
    const frame = new Uint8Array(layout.frameBytes);
    bodyOf(kind, frame, layout.bodyOffsetBytes, n);
    protect(config, sender, frame);
    return frame;
  });
  return { config, frames };
}

/** Receiver state that expects frame n next. */
function receiverBefore(config: E2eConfig, frames: readonly Uint8Array[], n: number): ReturnType<typeof createCheckStateFor> {
  const state = createCheckStateFor(config);
  if (n > 0) check(config, state, frames[n - 1]!);
  return state;
}

function detected(config: E2eConfig, frames: readonly Uint8Array[], n: number, flipped: Uint8Array): boolean {
  return check(config, receiverBefore(config, frames, n), flipped) === 'ERROR';
}

function flip(frame: Uint8Array, ...bits: number[]): Uint8Array {
  const copy = Uint8Array.from(frame);
  for (const bit of bits) copy[bit >>> 3]! ^= 0x80 >>> (bit & 7);
  return copy;
}

describe.each(MEDIA.flatMap((medium) => KINDS.map((kind) => ({ kind, medium }))))('$kind on $medium', ({ kind, medium }) => {
  const { config, frames } = framesOf(kind, medium);

  it('every unflipped frame checks OK in sequence', () => {
    const state = createCheckStateFor(config);
    expect(frames.map((frame) => check(config, state, frame))).toEqual(Array(FRAMES_PER_TYPE).fill('OK'));
  });

  it('every single-bit flip is ERROR (exhaustive over all bits of 16 frames)', () => {
    let missed = 0;
    for (const [n, frame] of frames.entries()) {
      for (let bit = 0; bit < frame.length * 8; bit++) if (!detected(config, frames, n, flip(frame, bit))) missed++;
    }
    expect(missed).toBe(0);
  });

  it('every change of one byte (any of the 255 XOR patterns, any byte) is ERROR', () => {
    let missed = 0;
    for (const [n, frame] of frames.entries()) {
      for (let index = 0; index < frame.length; index++) {
        for (let pattern = 1; pattern < 256; pattern++) {
          const changed = Uint8Array.from(frame);
          changed[index]! ^= pattern;
          if (!detected(config, frames, n, changed)) missed++;
        }
      }
    }
    expect(missed).toBe(0);
  });

  it('every double-bit flip is ERROR (exhaustive over all bit pairs; rate printed)', () => {
    let pairs = 0;
    let missed = 0;
    // P22's data ID depends on the counter, so all 16 frames; the long profiles need fewer.
    const framesChecked = config.profile === 'P22' || config.profile === 'P11' ? FRAMES_PER_TYPE : 4;
    for (const [n, frame] of frames.slice(0, framesChecked).entries()) {
      const bits = frame.length * 8;
      for (let a = 0; a < bits; a++) {
        for (let b = a + 1; b < bits; b++) {
          pairs++;
          if (!detected(config, frames, n, flip(frame, a, b))) missed++;
        }
      }
    }
    process.stdout.write(`[double flips] ${kind} on ${medium} (${config.profile}): ${pairs - missed}/${pairs} detected\n`);
    expect(missed).toBe(0);
  });

  it('random triple-bit flips: detection rate printed, at least 99 % for CRC-8', () => {
    const seed = testSeed(`triple flips ${kind} ${medium}`);
    const prng = new Prng(seed);
    const trials = 4000;
    let missed = 0;
    for (let trial = 0; trial < trials; trial++) {
      const n = prng.nextInt(FRAMES_PER_TYPE);
      const frame = frames[n]!;
      const bits = new Set<number>();
      while (bits.size < 3) bits.add(prng.nextInt(frame.length * 8));
      if (!detected(config, frames, n, flip(frame, ...bits))) missed++;
    }
    process.stdout.write(`[triple flips] ${kind} on ${medium} (${config.profile}): ${trials - missed}/${trials} detected\n`);
    expect(missed / trials).toBeLessThanOrEqual(0.01);
  });
});
