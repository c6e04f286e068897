/**
 * Every exchange fault one receiver can detect (AUTOSAR PRS E2E fault model), shown for each
 * profile as Triplex configures it: Profile 11 (sensor frames, classic CAN), Profile 22
 * (commands, classic CAN), Profile 4 (CAN FD) and Profile 5 (serial).
 */
import { describe, expect, it } from 'vitest';
import { check, createCheckStateFor, createProtectState, e2eConfigOf, E2eStateMachine, protect, type E2eConfig, type E2eSmConfig } from '../../../../src/core/frame/e2e/index.js';
import { CHANNEL_IDS, IMU_NUMBERS, MEDIUM_LAYOUT, type FrameKind, type Medium } from '../../../../src/core/frame/ids.js';
import { encodeCommand, createActuatorCommand } from '../../../../src/core/frame/command-frame.js';
import { encodeImuRate } from '../../../../src/core/frame/sensor-frame.js';

interface Stream {
  readonly label: string;
  readonly kind: FrameKind;
  readonly medium: Medium;
}

const STREAMS: readonly Stream[] = [
  { label: 'P11 IMU rate on classic CAN', kind: 'imu-rate', medium: 'can' },
  { label: 'P22 command on classic CAN', kind: 'command', medium: 'can' },
  { label: 'P4 IMU rate on CAN FD', kind: 'imu-rate', medium: 'can-fd' },
  { label: 'P5 command on serial', kind: 'command', medium: 'serial' },
];

/** A sender of one stream: frame n carries body values derived from n. */
class Sender {
  readonly config: E2eConfig;
  private readonly state = createProtectState();
  private sequence = 0;

  constructor(readonly stream: Stream, source = 0, config = configOf(stream, source)) {
    this.config = config;
  }

  next(): Uint8Array {
    const frame = new Uint8Array(MEDIUM_LAYOUT[this.stream.medium].frameBytes);
    writeBody(this.stream, frame, this.sequence++);
    protect(this.config, this.state, frame);
    return frame;
  }
}

function configOf(stream: Stream, source: number): E2eConfig {
  return stream.kind === 'command' || stream.kind === 'channel-status'
    ? e2eConfigOf(stream.kind, CHANNEL_IDS[source]!, stream.medium)
    : e2eConfigOf(stream.kind, IMU_NUMBERS[source]!, stream.medium);
}

function writeBody(stream: Stream, frame: Uint8Array, n: number): void {
  const offset = MEDIUM_LAYOUT[stream.medium].bodyOffsetBytes;
  if (stream.kind === 'command') {
    const command = createActuatorCommand();
    command.engaged = true;
    command.deflectionMrad.set([n % 2000, -n % 2000, 7, -7]);
    encodeCommand(command, frame, offset);
  } else {
    encodeImuRate({ sensorStatus: 0, rateXMradPerS: n, rateYMradPerS: -n, rateZMradPerS: 1000 }, frame, offset);
  }
}

describe.each(STREAMS)('$label', (stream) => {
  const receive = (frames: readonly (Uint8Array | null)[], config = configOf(stream, 0)): string[] => {
    const state = createCheckStateFor(config);
    return frames.map((frame) => check(config, state, frame));
  };

  it('baseline: an undisturbed stream of 40 frames is all OK (counter wraps included)', () => {
    const sender = new Sender(stream);
    expect(receive(Array.from({ length: 40 }, () => sender.next()))).toEqual(Array(40).fill('OK'));
  });

  it('corruption: a flipped bit in the body is ERROR, and the stream recovers afterwards', () => {
    const sender = new Sender(stream);
    const frames = [sender.next(), sender.next(), sender.next()];
    const corrupted = Uint8Array.from(frames[1]!);
    corrupted[corrupted.length - 2]! ^= 0x10;
    expect(receive([frames[0]!, corrupted, frames[2]!])).toEqual(['OK', 'ERROR', 'OK']);
  });

  it('repetition: the same frame delivered twice is REPEATED', () => {
    const sender = new Sender(stream);
    const first = sender.next();
    const second = sender.next();
    expect(receive([first, second, second, sender.next()])).toEqual(['OK', 'OK', 'REPEATED', 'OK']);
  });

  it('loss: one lost frame is OK with lostFramesLast = 1; two lost frames exceed MaxDeltaCounter 2 → WRONGSEQUENCE', () => {
    const sender = new Sender(stream);
    const config = sender.config;
    const state = createCheckStateFor(config);
    expect(check(config, state, sender.next())).toBe('OK');
    sender.next();
    expect(check(config, state, sender.next())).toBe('OK');
    expect(state.lostFramesLast).toBe(1);
    sender.next();
    sender.next();
    expect(check(config, state, sender.next())).toBe('WRONGSEQUENCE');
    expect(check(config, state, sender.next())).toBe('OK');
    expect(state.lostFramesTotal).toBe(1);
  });

  it('delay: frames held back past the deadline are detected by the timeout on the monotonic clock', () => {
    const sender = new Sender(stream);
    const config = sender.config;
    const state = createCheckStateFor(config);
    // A window that alone would tolerate 6 silent cycles of 10 ms; the 25 ms deadline does not.
    const sm = new E2eStateMachine({ ...LENIENT_SM, timeoutMicros: 25_000 });
    let nowMicros = 0;
    for (let cycle = 0; cycle < 5; cycle++, nowMicros += 10_000) sm.update(check(config, state, sender.next()), nowMicros);
    expect(sm.state).toBe('VALID');
    const held = [sender.next(), sender.next(), sender.next()];
    const states: string[] = [];
    for (let cycle = 0; cycle < 3; cycle++, nowMicros += 10_000) states.push(sm.update(check(config, state, null), nowMicros));
    expect(states).toEqual(['VALID', 'VALID', 'INVALID']);
    // The delayed frames arrive late, in order: each is a correct frame, so the state recovers.
    for (const frame of held) sm.update(check(config, state, frame), (nowMicros += 1_000));
    expect(sm.state).toBe('VALID');
  });

  it('insertion: random bytes are ERROR; a correctly formed frame from a second sender breaks the sequence', () => {
    const sender = new Sender(stream);
    const config = sender.config;
    const state = createCheckStateFor(config);
    for (let n = 0; n < 6; n++) expect(check(config, state, sender.next())).toBe('OK');
    const noise = Uint8Array.from({ length: MEDIUM_LAYOUT[stream.medium].frameBytes }, (_, i) => (i * 73 + 41) & 0xff);
    expect(check(config, state, noise)).toBe('ERROR');
    const rogue = new Sender(stream); // same data ID, its own counter starting at 0
    expect(check(config, state, rogue.next())).toBe('WRONGSEQUENCE');
    expect(check(config, state, sender.next())).toBe('WRONGSEQUENCE');
  });

  it('masquerade: a correctly protected frame of another sender (other data ID) is ERROR', () => {
    const other = new Sender(stream, 1);
    expect(receive([other.next(), other.next(), other.next()])).toEqual(['ERROR', 'ERROR', 'ERROR']);
  });

  it('incorrect sequence: two frames swapped are WRONGSEQUENCE then out of sequence again', () => {
    const sender = new Sender(stream);
    const [f0, f1, f2, f3, f4] = [sender.next(), sender.next(), sender.next(), sender.next(), sender.next()];
    expect(receive([f0, f2, f1, f3, f4])).toEqual(['OK', 'OK', 'WRONGSEQUENCE', 'OK', 'OK']);
  });

  it('asymmetric information is NOT detectable by one receiver: two receivers each see OK for different values', () => {
    // A two-faced sender protects two different bodies with the same counter; each receiver
    // alone sees a perfect stream. Only comparing values across receivers (voting) finds it.
    const config = configOf(stream, 0);
    const honest = new Sender(stream);
    const twoFacedState = createProtectState();
    const lie = new Uint8Array(MEDIUM_LAYOUT[stream.medium].frameBytes);
    writeBody(stream, lie, 999);
    const truth = honest.next();
    protect(config, twoFacedState, lie);
    expect(Buffer.from(truth).equals(Buffer.from(lie))).toBe(false);
    expect(receive([truth])).toEqual(['OK']);
    expect(receive([lie])).toEqual(['OK']);
  });
});

const LENIENT_SM: E2eSmConfig = {
  windowSizeValid: 10, windowSizeInit: 3, windowSizeInvalid: 3,
  minOkStateInit: 2, maxErrorStateInit: 1, minOkStateValid: 1, maxErrorStateValid: 2,
  minOkStateInvalid: 3, maxErrorStateInvalid: 0,
  clearToInvalid: false, transitToInvalidExtended: false, timeoutMicros: null,
};

describe('masquerade between every pair of Triplex frames on one medium', () => {
  const kinds: readonly FrameKind[] = ['imu-rate', 'imu-accel', 'command', 'channel-status'];
  for (const medium of ['can', 'can-fd', 'serial'] as const) {
    it(`${medium}: a frame protected for one (kind, sender) is ERROR at every other receiver of the same profile`, () => {
      const configs = kinds.flatMap((kind) => [0, 1, 2].map((source) => ({ kind, config: configOf({ label: '', kind, medium }, source) })));
      let pairs = 0;
      for (const from of configs) {
        for (const to of configs) {
          if (from === to || from.config.profile !== to.config.profile) continue;
          pairs++;
          const sender = new Sender({ label: '', kind: from.kind, medium }, 0, from.config);
          for (let n = 0; n < 16; n++) {
            const frame = sender.next();
            expect(check(to.config, createCheckStateFor(to.config), frame)).toBe('ERROR');
          }
        }
      }
      expect(pairs).toBeGreaterThan(0);
    });
  }
});
