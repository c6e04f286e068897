/**
 * The vote of the state a returning channel receives (src/core/channel/state-vote.ts): exact
 * words by word-wise majority (a pair must agree, one source is taken as it is), law-state words
 * by mid-value select, and the CRC-32/ISCSI the receiver must find over what it installed.
 * The must-fail case: a latent wrong word in one of three sources — the one the old transfer
 * copied whole — does not reach the voted image.
 */
import { describe, expect, test } from 'vitest';
import { CONTROL_MEMORY_GEOMETRY } from '../../../src/core/channel/channel.js';
import { CONTROL_STATE_VOTE_LAYOUT, LAW_STATE_SLOT_GROUPS, voteStateImages, type VotedState } from '../../../src/core/channel/state-vote.js';
import { defaultGains, initialiseControlMemory } from '../../../src/core/control/gains.js';
import { MEMORY_SLOT, MEMORY_SLOT_COUNT, memoryAddress } from '../../../src/core/control/state.js';
import { getCrc } from '../../../src/core/integrity/crc-catalogue.js';
import { MEMORY_IMAGE_CRC, MemoryImage } from '../../../src/core/memory/memory-image.js';
import { aerosondeVehicle } from '../../../src/core/plant/vehicle.js';
import { Prng } from '../../../src/core/sim/prng.js';
import { testSeed } from '../../support/seed.js';

const RATE_KP_X = memoryAddress('rateKp', 0);
const INTEGRATOR_X = memoryAddress('integrator', 0);
const QUATERNION_W = memoryAddress('estimateQuaternion', 0);
const SETPOINT = new Float64Array([0.1, 0, 0, 0, 0, 0]);

/** A channel's control memory with the default gains and a little law state (`offset` moves it). */
function channelImage(offset = 0): MemoryImage {
  const m = new MemoryImage(CONTROL_MEMORY_GEOMETRY);
  initialiseControlMemory(m, defaultGains(aerosondeVehicle()), SETPOINT);
  m.writeF32(INTEGRATOR_X, -1.894 + offset);
  m.writeF32(INTEGRATOR_X + 4, 1.666 - offset);
  m.writeF32(QUATERNION_W, 0.9999 - offset * 1e-3);
  return m;
}

function snapshot(m: MemoryImage): Uint8Array {
  const s = m.snapshot();
  if (!s.ok) throw new Error('snapshot');
  return s.value;
}

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const f32At = (bytes: Uint8Array, address: number): number => view(bytes).getFloat32(address, true);
const u32At = (bytes: Uint8Array, address: number): number => view(bytes).getUint32(address, true);

function withF32(bytes: Uint8Array, address: number, value: number): Uint8Array {
  const copy = bytes.slice();
  view(copy).setFloat32(address, value, true);
  return copy;
}

function withU32(bytes: Uint8Array, address: number, value: number): Uint8Array {
  const copy = bytes.slice();
  view(copy).setUint32(address, value >>> 0, true);
  return copy;
}

function voted(sources: readonly Uint8Array[]): VotedState {
  const v = voteStateImages(sources);
  if (!v.ok) throw new Error(`vote refused: ${JSON.stringify(v.error)}`);
  return v.value;
}

/** The transfer before issue 13: the healthiest source's image, copied whole (sources are listed healthiest first). */
const singleCopy = (sources: readonly Uint8Array[]): Uint8Array => sources[0] ?? new Uint8Array(0);

const exactWords = Array.from({ length: MEMORY_SLOT_COUNT }, (_, w) => w).filter((w) => CONTROL_STATE_VOTE_LAYOUT.lawStateWords[w] !== 1);

describe('voteStateImages: a latent error in one source does not reach the returning channel', () => {
  const clean = snapshot(channelImage());
  // A miscorrected gain word: ECC-clean (the code word was re-encoded), so no check of its own fails.
  const latent = withF32(clean, RATE_KP_X, 4000);

  test('must fail with the single copy: a wrong gain in the healthiest of three sources', () => {
    const sources = [latent, clean, clean];
    expect(f32At(singleCopy(sources), RATE_KP_X)).toBe(4000); // the old transfer spreads it
    const v = voted(sources);
    expect(f32At(v.image, RATE_KP_X)).toBe(40);
    expect(v.image).toEqual(clean);
    expect(v.outvotedWords).toEqual([1, 0, 0]);
    expect(v.crc).toBe(getCrc(MEMORY_IMAGE_CRC).compute(clean));
  });

  test('every exact word, every source position, any wrong value: the voted image is the clean one', () => {
    const prng = new Prng(testSeed('state-vote latent word'));
    const cleanCrc = getCrc(MEMORY_IMAGE_CRC).compute(clean);
    for (const w of exactWords) {
      for (let position = 0; position < 3; position++) {
        let wrong = prng.nextU32();
        if (wrong === u32At(clean, 4 * w)) wrong ^= 1;
        const sources = [clean, clean, clean];
        sources[position] = withU32(clean, 4 * w, wrong);
        const v = voted(sources);
        expect(v.crc).toBe(cleanCrc);
        expect(v.outvotedWords[position]).toBe(1);
        if (position === 0) expect(u32At(singleCopy(sources), 4 * w)).toBe(wrong);
      }
    }
  });

  test('a wild law-state value in one of three sources is masked by mid-value select', () => {
    const a = snapshot(channelImage(0));
    const b = snapshot(channelImage(0.01));
    const c = snapshot(channelImage(0.02));
    for (const wild of [3e30, -3e30, Number.NaN, Number.POSITIVE_INFINITY]) {
      const v = voted([withF32(a, INTEGRATOR_X, wild), b, c]);
      expect([f32At(b, INTEGRATOR_X), f32At(c, INTEGRATOR_X)]).toContain(f32At(v.image, INTEGRATOR_X));
      expect(v.outvotedWords).toEqual([0, 0, 0]); // law state is not counted against a source
    }
  });
});

describe('voteStateImages: the rules', () => {
  const clean = snapshot(channelImage());

  test('identical sources: the vote is the copy, and its CRC is what the receiver computes over the installed image', () => {
    for (const n of [1, 2, 3]) {
      const v = voted(new Array<Uint8Array>(n).fill(clean));
      expect(v.image).toEqual(clean);
      expect(v.sourceCount).toBe(n);
      const receiver = new MemoryImage(CONTROL_MEMORY_GEOMETRY);
      receiver.restore(v.image);
      const installed = receiver.dataCrc32();
      expect(installed.ok && installed.value).toBe(v.crc);
    }
  });

  test('two sources: an exact word they disagree on refuses the transfer (two cannot show which is right)', () => {
    const other = withF32(clean, memoryAddress('integratorMax', 0), 10);
    const v = voteStateImages([clean, other]);
    expect(v).toEqual({ ok: false, error: { code: 'sources_disagree', word: MEMORY_SLOT.integratorMax, wordKind: 'exact', disagreeingWords: 1 } });
    expect(voteStateImages([other, clean]).ok).toBe(false);
  });

  test('two sources that disagree: the receiver\'s own word breaks the tie when it equals one of them, else still refused', () => {
    const address = memoryAddress('integratorMax', 0);
    const other = withF32(clean, address, 10);
    for (const sources of [[clean, other], [other, clean]]) {
      const v = voteStateImages(sources, CONTROL_STATE_VOTE_LAYOUT, clean);
      expect(v.ok && f32At(v.value.image, address)).toBe(f32At(clean, address));
    }
    const withOther = voteStateImages([clean, other], CONTROL_STATE_VOTE_LAYOUT, other);
    expect(withOther.ok && f32At(withOther.value.image, address)).toBe(10); // own = the other: two of three say 10
    expect(voteStateImages([clean, other], CONTROL_STATE_VOTE_LAYOUT, withF32(clean, address, 15)).ok).toBe(false);
    // Never a tie-breaker against a majority: with three sources the own image has no say.
    const three = voteStateImages([other, other, clean], CONTROL_STATE_VOTE_LAYOUT, clean);
    expect(three.ok && f32At(three.value.image, address)).toBe(10);
  });

  test('two sources: law state differs between healthy channels by construction; it is the first source\'s', () => {
    const a = snapshot(channelImage(0));
    const b = snapshot(channelImage(0.01));
    const v = voted([a, b]);
    expect(v.image).toEqual(a);
    expect(voted([b, a]).image).toEqual(b);
    // a non-finite law value does not vote: with two sources there is then no majority
    expect(voteStateImages([withF32(a, INTEGRATOR_X, Number.NaN), b])).toMatchObject({ ok: false, error: { code: 'sources_disagree', wordKind: 'law_state' } });
  });

  test('three sources: law-state words are the median, the majority where two hold the same bits', () => {
    const a = snapshot(channelImage(0.02));
    const b = snapshot(channelImage(0));
    const c = snapshot(channelImage(0.01));
    const v = voted([a, b, c]);
    expect(f32At(v.image, INTEGRATOR_X)).toBe(f32At(c, INTEGRATOR_X));
    expect(f32At(v.image, INTEGRATOR_X + 4)).toBe(f32At(c, INTEGRATOR_X + 4));
    expect(voted([a, b, b]).image).toEqual(b);
    // −0 and +0: the median keeps one source's bits
    const pz = withF32(a, INTEGRATOR_X, 0);
    const nz = withF32(a, INTEGRATOR_X, -0);
    expect(u32At(voted([nz, nz, pz]).image, INTEGRATOR_X)).toBe(0x80000000);
  });

  test('three sources with no majority on an exact word: refused; one source: taken as it is', () => {
    const k = memoryAddress('rateKi', 1);
    const v = voteStateImages([withF32(clean, k, 1), withF32(clean, k, 2), clean]);
    expect(v).toEqual({ ok: false, error: { code: 'sources_disagree', word: k / 4, wordKind: 'exact', disagreeingWords: 1 } });
    const odd = withF32(clean, k, 1);
    expect(voted([odd]).image).toEqual(odd);
    expect(voteStateImages([])).toEqual({ ok: false, error: { code: 'no_source' } });
  });

  test('four sources (a quadruplex target\'s peers are three; the function takes four): 3 of 4 is a majority, 2–2 is not; law state is the mean of the middle two', () => {
    const k = memoryAddress('attitudeKp', 2);
    const wrong = withF32(clean, k, 9);
    expect(voted([wrong, clean, clean, clean]).image).toEqual(clean);
    expect(voteStateImages([wrong, wrong, clean, clean]).ok).toBe(false);
    const images = [0, 0.01, 0.02, 0.03].map((o) => snapshot(channelImage(o)));
    const v = voted(images);
    const middle = (f32At(images[1] ?? clean, INTEGRATOR_X) + f32At(images[2] ?? clean, INTEGRATOR_X)) / 2;
    expect(f32At(v.image, INTEGRATOR_X)).toBe(Math.fround(middle));
  });

  test('images whose length is not a multiple of 4: the tail bytes are voted as one exact word', () => {
    const a = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const b = Uint8Array.of(1, 2, 3, 4, 5, 7);
    expect(voted([a, a, b]).image).toEqual(a);
    expect(voteStateImages([a, b]).ok).toBe(false);
    const v = voted([b, b]);
    expect(v.crc).toBe(getCrc(MEMORY_IMAGE_CRC).compute(b));
  });

  test('the control layout: exactly the slots the law writes are law state', () => {
    const law = new Set<number>();
    for (const group of LAW_STATE_SLOT_GROUPS) for (let w = MEMORY_SLOT[group]; w < MEMORY_SLOT[group] + (group === 'estimateQuaternion' ? 4 : 3); w++) law.add(w);
    expect(Array.from(CONTROL_STATE_VOTE_LAYOUT.lawStateWords, (x, w) => (x === 1) === law.has(w))).not.toContain(false);
    expect(law.size).toBe(16);
    expect(Math.min(...law)).toBe(MEMORY_SLOT.integrator);
    expect(exactWords).toHaveLength(MEMORY_SLOT_COUNT - 16);
  });
});
