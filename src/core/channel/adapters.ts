/**
 * Adapters that put the control law's state into the channel's protected storage:
 * ControlMemory over the SEC-DED MemoryImage (every read corrects on the way; an uncorrectable
 * read is counted so the channel can declare itself faulty), and WorkRegisters over the
 * triple-redundant RegisterImage (float32 bit patterns; every read is a bitwise majority vote).
 * Allocation-free.
 */
import type { ControlMemory, WorkRegisters } from '../control/state.js';
import type { MemoryImage } from '../memory/memory-image.js';
import type { RegisterImage } from '../memory/register-image.js';

export class EccControlMemory implements ControlMemory {
  /** Reads or writes that met an uncorrectable word since the last `clearFaults()`. */
  uncorrectableCount = 0;

  private readonly floats: Float32Array;
  private readonly suspect: Uint8Array;
  private readonly wordShift: number;
  /** Highest byte address of a whole float32 slot (`address + 4 <= sizeBytes`). */
  private readonly lastSlotAddress: number;

  constructor(readonly image: MemoryImage) {
    const view = image.fastReadView();
    this.floats = view.floats;
    this.suspect = view.suspect;
    this.wordShift = view.wordShift;
    this.lastSlotAddress = image.sizeBytes - 4;
  }

  readF32(address: number): number {
    // MemoryImage.readF32's clean-word fast path, inlined here (the law reads ~100 times a step).
    // Kept to a few bytecodes so V8 inlines it at each of the law's call sites within its
    // inlining budget; the rest of the path is in `readSlow`.
    if ((address & 3) === 0 && address >= 0 && address <= this.lastSlotAddress && this.suspect[address >>> this.wordShift] === 0) {
      const image = this.image;
      image.lastReadStatus = 'ok';
      image.lastReadFaultWord = -1;
      return this.floats[address >>> 2] ?? NaN;
    }
    return this.readSlow(address);
  }

  writeF32(address: number, value: number): void {
    // MemoryImage.writeF32's clean-word fast path, inlined here like readF32's.
    if ((address & 3) === 0 && address >= 0 && address <= this.lastSlotAddress && this.suspect[address >>> this.wordShift] === 0) {
      this.floats[address >>> 2] = value;
      this.image.reencodeAligned(address);
      return;
    }
    if (!this.image.writeF32(address, value).ok) this.uncorrectableCount++;
  }

  clearFaults(): void {
    this.uncorrectableCount = 0;
  }

  private readSlow(address: number): number {
    const value = this.image.readF32(address);
    if (this.image.lastReadStatus === 'uncorrectable') this.uncorrectableCount++;
    return value;
  }
}

export class TmrWorkRegisters implements WorkRegisters {
  private readonly copies: Uint32Array;
  private readonly floats: Float32Array;
  private readonly count: number;

  constructor(readonly image: RegisterImage) {
    const view = image.fastView();
    this.copies = view.copies;
    this.floats = view.floats;
    this.count = image.count;
  }

  readF32(index: number): number {
    // RegisterImage.readF32At's equal-copy fast path, inlined here (the law reads ~35 times a step).
    // `(index | 0) === index` is Number.isInteger for 0 <= index < count, in fewer bytecodes.
    const n = this.count;
    if (index >= 0 && index < n && (index | 0) === index) {
      const copies = this.copies;
      const a = copies[index];
      if (a === copies[n + index] && a === copies[2 * n + index]) {
        this.image.countRead();
        return this.floats[index] ?? NaN;
      }
    }
    return this.image.readF32At(index);
  }

  writeF32(index: number, value: number): void {
    const n = this.count;
    if (!(index >= 0 && index < n && (index | 0) === index)) {
      this.image.writeF32At(index, value); // asserts
      return;
    }
    this.floats[index] = value;
    const copies = this.copies;
    const bits = copies[index] ?? 0;
    copies[n + index] = bits;
    copies[2 * n + index] = bits;
  }
}
