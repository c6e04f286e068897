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
  private readonly sizeBytes: number;

  constructor(readonly image: MemoryImage) {
    const view = image.fastReadView();
    this.floats = view.floats;
    this.suspect = view.suspect;
    this.wordShift = view.wordShift;
    this.sizeBytes = image.sizeBytes;
  }

  readF32(address: number): number {
    // MemoryImage.readF32's clean-word fast path, inlined here (the law reads ~100 times a step).
    if ((address & 3) === 0 && address >= 0 && address + 4 <= this.sizeBytes && this.suspect[address >>> this.wordShift] === 0) {
      this.image.lastReadStatus = 'ok';
      this.image.lastReadFaultWord = -1;
      return this.floats[address >>> 2] ?? Number.NaN;
    }
    const value = this.image.readF32(address);
    if (this.image.lastReadStatus === 'uncorrectable') this.uncorrectableCount++;
    return value;
  }

  writeF32(address: number, value: number): void {
    if (!this.image.writeF32(address, value).ok) this.uncorrectableCount++;
  }

  clearFaults(): void {
    this.uncorrectableCount = 0;
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
    const n = this.count;
    if (Number.isInteger(index) && index >= 0 && index < n) {
      const a = this.copies[index];
      if (a === this.copies[n + index] && a === this.copies[2 * n + index]) {
        this.image.countRead();
        return this.floats[index] ?? Number.NaN;
      }
    }
    return this.image.readF32At(index);
  }

  writeF32(index: number, value: number): void {
    const n = this.count;
    if (!(Number.isInteger(index) && index >= 0 && index < n)) {
      this.image.writeF32At(index, value); // asserts
      return;
    }
    this.floats[index] = value;
    const bits = this.copies[index] ?? 0;
    this.copies[n + index] = bits;
    this.copies[2 * n + index] = bits;
  }
}
