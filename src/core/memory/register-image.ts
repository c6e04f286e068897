/**
 * A register image: named 32-bit registers stored in triplicate (TMR). A read takes the bitwise
 * majority of the three copies — each bit is right as long as at most one copy has it wrong —
 * and refreshes all three copies with the voted value, so a masked upset does not linger until
 * a second upset in another copy of the same bit defeats the vote. Every read or refresh that
 * finds the copies disagreeing counts a masked disagreement (and the bits involved).
 *
 * Two copies wrong in the same bit are outvoted silently: TMR cannot see it. That is why the
 * refresh rate matters (docs/INTEGRITY.md).
 *
 * Storage: one Uint32Array of 3·n words (copy c of register i at c·n + i), allocated once.
 * Index-based methods (`indexOf` once, then `readAt`/`writeAt`) are the hot path.
 */
import { assert } from '../assert.js';
import { popcount } from '../integrity/secded.js';
import type { WorkRegisters } from '../control/state.js';

export const REGISTER_COUNT_MAX = 65_536;

export type RegisterCopy = 0 | 1 | 2;

export interface RegisterStatistics {
  readonly reads: number;
  readonly refreshes: number;
  /** Reads and refreshes that found the three copies not all equal (and repaired them). */
  readonly maskedDisagreements: number;
  /** Total copy-bits that disagreed with the vote and were rewritten. */
  readonly maskedBits: number;
  /** Per copy: how many times it disagreed with the vote. */
  readonly copyRepairs: readonly [number, number, number];
  readonly flipsInjected: number;
}

/** Also the control law's register port (WorkRegisters): `readF32At`/`writeF32At` by index. */
export class RegisterImage implements WorkRegisters {
  readonly names: readonly string[];
  readonly count: number;
  private readonly copies: Uint32Array;
  /** The same storage as float32 slots (the readF32At/writeF32At fast path). */
  private readonly floats: Float32Array;
  /** Copy 0 only, as float32 slots (`equalSlots`). */
  private readonly slots: Float32Array;
  private readonly index: ReadonlyMap<string, number>;
  private readonly floatScratch = new Float32Array(1);
  private readonly u32Scratch = new Uint32Array(this.floatScratch.buffer);
  private readonly copyRepairs: [number, number, number] = [0, 0, 0];
  private reads = 0;
  private refreshes = 0;
  private maskedDisagreements = 0;
  private maskedBits = 0;
  private flipsInjected = 0;
  /** A flip since the last `refreshAll`: some register's copies may differ. */
  private maybeUnequal = false;

  constructor(names: readonly string[]) {
    assert(names.length > 0 && names.length <= REGISTER_COUNT_MAX, `register count must be 1..${REGISTER_COUNT_MAX}`);
    const index = new Map<string, number>();
    names.forEach((name, i) => {
      assert(name.length > 0, 'register names must not be empty');
      assert(!index.has(name), `duplicate register name '${name}'`);
      index.set(name, i);
    });
    this.names = Object.freeze([...names]);
    this.count = names.length;
    this.index = index;
    this.copies = new Uint32Array(3 * this.count);
    this.floats = new Float32Array(this.copies.buffer);
    this.slots = new Float32Array(this.copies.buffer, 0, this.count);
  }

  /** The index of a register for the index-based hot path (asserts the name exists). */
  indexOf(name: string): number {
    const i = this.index.get(name);
    if (!(i !== undefined)) assert(false, `unknown register '${name}'`);
    return i;
  }

  read(name: string): number {
    return this.readAt(this.indexOf(name));
  }

  /** Majority of the three copies; refreshes them when they disagree. */
  readAt(i: number): number {
    this.checkIndex(i);
    this.reads++;
    return this.vote(i);
  }

  write(name: string, value: number): void {
    this.writeAt(this.indexOf(name), value);
  }

  writeAt(i: number, value: number): void {
    this.checkIndex(i);
    const v = value >>> 0;
    const n = this.count;
    this.copies[i] = v;
    this.copies[n + i] = v;
    this.copies[2 * n + i] = v;
  }

  readF32(name: string): number {
    return this.readF32At(this.indexOf(name));
  }

  /**
   * A float32 register load (the law's, ~35 a step). Fast path: three equal copies are the vote
   * (no refresh, nothing counted but the read), kept to a few bytecodes so V8 inlines it at the
   * law's call sites; `(i | 0) === i` is Number.isInteger for 0 <= i < count, in fewer bytecodes.
   */
  readF32At(i: number): number {
    const n = this.count;
    if (i >= 0 && i < n && (i | 0) === i) {
      const copies = this.copies;
      const a = copies[i];
      if (a === copies[n + i] && a === copies[2 * n + i]) {
        this.reads++;
        return this.floats[i] ?? NaN;
      }
    }
    return this.readF32Voted(i);
  }

  /**
   * The control law's direct port (WorkRegisters.equalSlots): copy 0 as float32 slots when no
   * flip happened since the last `refreshAll` (so every register's three copies are equal and
   * `readF32At(i)` is `slots[i]`), else undefined. The caller reports its direct loads through
   * `countReads` and asks again after anything but its own loads and stores.
   */
  equalSlots(): Float32Array | undefined {
    return this.maybeUnequal ? undefined : this.slots;
  }

  /** Counts `n` reads made through `equalSlots` (as `readF32At` would have). */
  countReads(n: number): void {
    this.reads += n;
  }

  writeF32(name: string, value: number): void {
    this.writeF32At(this.indexOf(name), value);
  }

  /** A float32 register store (the law's): the value into copy 0, then its bits into copies 1 and 2. */
  writeF32At(i: number, value: number): void {
    const n = this.count;
    if (!(i >= 0 && i < n && (i | 0) === i)) {
      this.checkIndex(i); // asserts
      return;
    }
    this.floats[i] = value;
    const copies = this.copies;
    const bits = copies[i] ?? 0;
    copies[n + i] = bits;
    copies[2 * n + i] = bits;
  }

  /** Flips bit `bit` (0..31) of copy `copy` of a register (fault injection). */
  flip(name: string, copy: RegisterCopy, bit: number): void {
    this.flipAt(this.indexOf(name), copy, bit);
  }

  flipAt(i: number, copy: RegisterCopy, bit: number): void {
    this.checkIndex(i);
    if (!(Number.isInteger(copy) && copy >= 0 && copy <= 2)) assert(false, `copy must be 0, 1 or 2, got ${String(copy)}`);
    if (!(Number.isInteger(bit) && bit >= 0 && bit < 32)) assert(false, `bit must be 0..31, got ${bit}`);
    const at = copy * this.count + i;
    this.copies[at] = ((this.copies[at] ?? 0) ^ (1 << bit)) >>> 0;
    this.flipsInjected++;
    this.maybeUnequal = true;
  }

  /** The raw value of one copy (for tests and the console; does not vote or refresh). */
  peekCopy(i: number, copy: RegisterCopy): number {
    this.checkIndex(i);
    return this.copies[copy * this.count + i] ?? 0;
  }

  /** Votes and refreshes every register; returns how many had disagreeing copies. */
  refreshAll(): number {
    this.refreshes++;
    // No flip since the last refresh: every register's copies are equal (writes set all three), so no vote would repair anything.
    if (!this.maybeUnequal) return 0;
    const before = this.maskedDisagreements;
    for (let i = 0; i < this.count; i++) this.vote(i);
    this.maybeUnequal = false;
    return this.maskedDisagreements - before;
  }

  statistics(): RegisterStatistics {
    return {
      reads: this.reads,
      refreshes: this.refreshes,
      maskedDisagreements: this.maskedDisagreements,
      maskedBits: this.maskedBits,
      copyRepairs: [this.copyRepairs[0], this.copyRepairs[1], this.copyRepairs[2]],
      flipsInjected: this.flipsInjected,
    };
  }

  private readF32Voted(i: number): number {
    this.u32Scratch[0] = this.readAt(i);
    return this.floatScratch[0] ?? Number.NaN;
  }

  private vote(i: number): number {
    const n = this.count;
    const a = this.copies[i] ?? 0;
    const b = this.copies[n + i] ?? 0;
    const c = this.copies[2 * n + i] ?? 0;
    const m = ((a & b) | (a & c) | (b & c)) >>> 0;
    if (a === b && b === c) return m;
    this.maskedDisagreements++;
    this.repairCopy(i, 0, a, m);
    this.repairCopy(n + i, 1, b, m);
    this.repairCopy(2 * n + i, 2, c, m);
    assert(this.copies[i] === m && this.copies[n + i] === m && this.copies[2 * n + i] === m, 'refresh must leave three equal copies');
    return m;
  }

  private repairCopy(at: number, copy: RegisterCopy, value: number, voted: number): void {
    if (value === voted) return;
    this.maskedBits += popcount(value ^ voted);
    this.copyRepairs[copy]++;
    this.copies[at] = voted;
  }

  private checkIndex(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count)) assert(false, `register index ${i} out of range`);
  }
}
