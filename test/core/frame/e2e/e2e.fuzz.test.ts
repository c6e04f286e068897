/**
 * Fuzz of every E2E check: random bytes of any length, and mutations of correctly protected
 * frames, against receivers in any state. Never throws; always one of the statuses a check can
 * return; a frame of the wrong length is always ERROR.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, createCheckStateFor, createProtectState, e2eConfigOf, protect, type CheckStatus, type E2eConfig } from '../../../../src/core/frame/e2e/index.js';
import { MEDIUM_LAYOUT, type Medium } from '../../../../src/core/frame/ids.js';
import { fcParams, fuzzRuns } from '../../../support/seed.js';

const RETURNABLE = new Set<CheckStatus>(['OK', 'REPEATED', 'WRONGSEQUENCE', 'ERROR']);

const CASES: readonly { label: string; config: E2eConfig; medium: Medium }[] = [
  { label: 'P11', config: e2eConfigOf('imu-rate', 1, 'can'), medium: 'can' },
  { label: 'P22', config: e2eConfigOf('command', 'A', 'can'), medium: 'can' },
  { label: 'P4', config: e2eConfigOf('command', 'B', 'can-fd'), medium: 'can-fd' },
  { label: 'P5', config: e2eConfigOf('channel-status', 'C', 'serial'), medium: 'serial' },
];

describe.each(CASES)('$label check fuzz', ({ label, config, medium }) => {
  const frameBytes = MEDIUM_LAYOUT[medium].frameBytes;

  it('random bytes, random receiver history: never throws, valid status, wrong length is ERROR', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2 * frameBytes }), fc.nat(20), (bytes, history) => {
      const state = createCheckStateFor(config);
      const sender = createProtectState();
      for (let n = 0; n < history; n++) {
        const frame = new Uint8Array(frameBytes);
        protect(config, sender, frame);
        check(config, state, frame);
      }
      const status = check(config, state, bytes);
      expect(RETURNABLE.has(status)).toBe(true);
      if (bytes.length !== frameBytes) expect(status).toBe('ERROR');
    }), fcParams(`${label} random fuzz`, Math.ceil(fuzzRuns() / 2)));
  });

  it('mutated protected frames: never throws, valid status; a single changed byte is ERROR', () => {
    const mutation = fc.array(fc.tuple(fc.nat(frameBytes - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(fc.uint8Array({ minLength: frameBytes, maxLength: frameBytes }), mutation, (payload, edits) => {
      const frame = Uint8Array.from(payload);
      protect(config, createProtectState(), frame);
      for (const [index, xor] of edits) frame[index]! ^= xor;
      const status = check(config, createCheckStateFor(config), frame);
      expect(RETURNABLE.has(status)).toBe(true);
      if (new Set(edits.map(([index]) => index)).size === 1 && edits.length === 1) expect(status).toBe('ERROR');
    }), fcParams(`${label} mutation fuzz`, Math.ceil(fuzzRuns() / 2)));
  });
});
