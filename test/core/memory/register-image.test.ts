import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RegisterImage } from '../../../src/core/memory/register-image.js';
import { fcParams } from '../../support/seed.js';

describe('RegisterImage (TMR)', () => {
  it('masks any flips confined to one copy per bit, and refreshes all copies', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 31 })), { maxLength: 40 }), (value, flips) => {
      const regs = new RegisterImage(['pitch', 'roll']);
      regs.write('roll', value);
      const owner = new Map<number, number>();
      let expectedBits = 0;
      for (const [copy, bit] of flips) {
        if ((owner.get(bit) ?? copy) !== copy) continue; // keep at most one bad copy per bit
        owner.set(bit, copy);
        regs.flip('roll', copy as 0 | 1 | 2, bit);
      }
      const i = regs.indexOf('roll');
      const bad = [0, 1, 2].map((c) => (regs.peekCopy(i, c as 0 | 1 | 2) ^ value) >>> 0);
      expectedBits = bad.reduce((n, x) => n + x.toString(2).replaceAll('0', '').length, 0);
      expect(regs.read('roll')).toBe(value >>> 0);
      for (const c of [0, 1, 2] as const) expect(regs.peekCopy(i, c)).toBe(value >>> 0);
      const stats = regs.statistics();
      expect(stats.maskedDisagreements).toBe(expectedBits > 0 ? 1 : 0);
      expect(stats.maskedBits).toBe(expectedBits);
      expect(regs.read('roll')).toBe(value >>> 0);
      expect(regs.statistics().maskedDisagreements).toBe(expectedBits > 0 ? 1 : 0); // refreshed: no new disagreement
      expect(regs.read('pitch')).toBe(0);
    }), fcParams('register TMR masking', 2000));
  });

  it('is outvoted when two copies have the same bit wrong (the TMR limit)', () => {
    const regs = new RegisterImage(['mode']);
    regs.write('mode', 0b1010);
    regs.flip('mode', 0, 0);
    regs.flip('mode', 2, 0);
    expect(regs.read('mode')).toBe(0b1011);
  });

  it('refreshAll repairs every register and reports how many disagreed', () => {
    const regs = new RegisterImage(['a', 'b', 'c']);
    regs.writeF32('a', 3.25);
    regs.write('b', 0xffffffff);
    regs.flip('a', 1, 31);
    regs.flip('b', 2, 0);
    expect(regs.refreshAll()).toBe(2);
    expect(regs.refreshAll()).toBe(0);
    expect(regs.readF32('a')).toBe(3.25);
    expect(regs.read('b')).toBe(0xffffffff);
    const stats = regs.statistics();
    expect(stats).toMatchObject({ maskedDisagreements: 2, maskedBits: 2, copyRepairs: [0, 1, 1], refreshes: 2, flipsInjected: 2 });
  });

  it('offers index-based access and rejects bad names and arguments', () => {
    const regs = new RegisterImage(['x', 'y']);
    const y = regs.indexOf('y');
    regs.writeF32At(y, -2.5);
    expect(regs.readF32At(y)).toBe(-2.5);
    regs.writeAt(y, 7);
    expect(regs.readAt(y)).toBe(7);
    expect(() => regs.read('z')).toThrow(/unknown register/);
    expect(() => { regs.flip('x', 0, 32); }).toThrow(/bit/);
    expect(() => new RegisterImage(['x', 'x'])).toThrow(/duplicate/);
    expect(() => new RegisterImage([])).toThrow();
  });
});
