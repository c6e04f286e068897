// The board reply timeout a rig gets by default (src/hil/bridge.ts): 0.8 of the period, and room
// for QEMU's slow emulated Cortex-M when a channel is a QEMU board.
import { describe, expect, it } from 'vitest';
import { defaultBoardTimeoutMicros, QEMU_BOARD_TIMEOUT_MICROS } from '../../src/hil/bridge.js';
import type { Rig } from '../../src/sim/rig.js';

function rigOf(kinds: readonly string[]): Rig {
  return { channels: kinds.map((kind, i) => ({ name: 'ABC'[i], kind, ...(kind === 'qemu' ? { kernel: 'k.elf' } : {}) })) } as unknown as Rig;
}

describe('default board timeout', () => {
  it('is 0.8 of the period for emulated and serial boards', () => {
    expect(defaultBoardTimeoutMicros(rigOf(['emulated', 'emulated', 'emulated']), 4000)).toBe(3200);
    expect(defaultBoardTimeoutMicros(rigOf(['serial', 'emulated', 'emulated']), 4000)).toBe(3200);
  });

  it('waits for a QEMU board (a cycle there takes ≈ 20 ms), but never less than 0.8 of the period', () => {
    expect(defaultBoardTimeoutMicros(rigOf(['qemu', 'emulated', 'emulated']), 4000)).toBe(QEMU_BOARD_TIMEOUT_MICROS);
    expect(defaultBoardTimeoutMicros(rigOf(['qemu', 'emulated', 'emulated']), 1_000_000)).toBe(800_000);
  });
});
