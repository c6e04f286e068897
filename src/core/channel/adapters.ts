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

  constructor(readonly image: MemoryImage) {}

  readF32(address: number): number {
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
  constructor(readonly image: RegisterImage) {}

  readF32(index: number): number {
    return this.image.readF32At(index);
  }

  writeF32(index: number, value: number): void {
    this.image.writeF32At(index, value);
  }
}
