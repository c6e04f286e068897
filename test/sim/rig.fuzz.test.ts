import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeRig, decodeRigValue, formatRigError } from '../../src/sim/rig.js';
import { fcParams, fuzzRuns } from '../support/seed.js';

const emulatedText = readFileSync(new URL('../../hil/rigs/emulated.json', import.meta.url), 'utf8');

function check(result: ReturnType<typeof decodeRigValue>): void {
  if (!result.ok) {
    const line = formatRigError(result.error);
    expect(line.includes('\n')).toBe(false);
    if (result.error.code === 'invalid') expect(result.error.path.startsWith('$')).toBe(true);
  }
}

describe('rig decoder fuzz', () => {
  it('never throws on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => { check(decodeRigValue(value)); }), fcParams('rig fuzz: json values', Math.round(fuzzRuns() / 4)));
  });

  it('never throws on arbitrary text, or on the default rig with one character changed', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.nat(emulatedText.length - 1), fc.string({ minLength: 1, maxLength: 1 }), (text, at, ch) => {
      check(decodeRig(text));
      check(decodeRig(emulatedText.slice(0, at) + ch + emulatedText.slice(at + 1)));
    }), fcParams('rig fuzz: text mutations', Math.round(fuzzRuns() / 20)));
  });

  it('never throws when one field of the default rig is replaced by any JSON value', () => {
    const base = JSON.parse(emulatedText) as Record<string, unknown>;
    const paths: (readonly (string | number)[])[] = [['version'], ['name'], ['bus'], ['bus', 'bitRateBps'], ['bus', 'loadLimitPercent'], ['bus', 'stuffing'], ['rateHz'], ['channels'], ['channels', 0], ['channels', 0, 'kind'], ['sensors'], ['frames'], ['frames', 0], ['frames', 0, 'id'], ['frames', 0, 'payloadBytes'], ['frames', 0, 'fd'], ['frames', 1, 'jitterMicros']];
    fc.assert(fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 2 }), (path, value) => {
      const rig = structuredClone(base);
      let target: Record<string | number, unknown> = rig;
      for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
      target[path.at(-1)!] = value;
      check(decodeRigValue(rig));
    }), fcParams('rig fuzz: field replacement', Math.round(fuzzRuns() / 4)));
  });
});
