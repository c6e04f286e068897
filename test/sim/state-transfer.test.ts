/**
 * Issue 13 item 2 on the real flight path: the state a returning channel receives is a vote of
 * the healthy channels' images, verified by the receiver (src/sim/flight.ts `transferState`).
 * A latent wrong gain — ECC-clean, written through the code, small enough never to miscompare —
 * sits in channel B; channel A crashes and restarts. Each case is also flown with the transfer
 * before issue 13 (the healthiest peer's image copied whole, re-implemented below from the
 * flight's public parts), which spreads B's error into A: the must-fail twin.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { memoryAddress } from '../../src/core/control/state.js';
import type { FaultProfile } from '../../src/core/fault/profile.js';
import { MemoryImage } from '../../src/core/memory/memory-image.js';
import { Flight, type FlightConfig } from '../../src/sim/flight.js';
import { decodeRig } from '../../src/sim/rig.js';

const decoded = decodeRig(readFileSync('hil/rigs/emulated.json', 'utf8'));
if (!decoded.ok) throw new Error('rig');
const rig = decoded.value;

/** A limit the flight never reaches (integrators stay within ±5 N·m): halving it changes no command. */
const LATENT_ADDRESS = memoryAddress('integratorMax', 0);
const RIGHT = 20;
const LATENT = 10;
const PERIOD_CYCLES_PER_S = 250;

/** A crashes at 2 s and restarts 0.5 s later: isolated, then after the 1 s healthy period a transfer at about 3.5 s. */
const CRASH_A: FaultProfile = {
  name: 'crash-a', description: '', processes: [], seu: undefined,
  events: [{ atMicros: 2e6, fault: { kind: 'channel-crash', channel: 'A', restartAfterMicros: 500_000 } }],
};

/**
 * The golden guard (src/core/channel/channel.ts) would repair B's latent gain from its golden copy
 * within 52 ms; these tests are about the state vote, the layer that must hold when a source's
 * latent error has no golden copy to come from, so the guard is off unless a test says otherwise.
 */
function flight(extra: Partial<FlightConfig> = {}): Flight {
  return new Flight({ seed: 5, durationS: 8, rateHz: rig.rateHz, profile: CRASH_A, rig, goldenGuard: false, ...extra });
}

/** Flies 1 s, puts the latent wrong gain into B's control memory (the test hook), flies on to `untilS`. */
function flyWithLatentErrorInB(f: Flight, untilS: number): void {
  f.runCycles(PERIOD_CYCLES_PER_S);
  const written = f.channels[1]?.memory.writeF32(LATENT_ADDRESS, LATENT);
  expect(written?.ok).toBe(true);
  f.runCycles(untilS * PERIOD_CYCLES_PER_S - f.cyclesRun);
}

const gainOf = (f: Flight, c: number): number | undefined => f.channels[c]?.memory.readF32(LATENT_ADDRESS);
const eventsOf = (f: Flight, c: number): string[] => f.voterEvents().filter((e) => e.channel === c).map((e) => `${e.kind}:${e.reason}`);

/** The transfer before issue 13: the healthiest running peer's image copied whole, checked against that peer's CRC. */
function singleCopyTransfer(this: Flight, target: number): boolean {
  const rank = (c: number): number => ['active', 'suspect', 'reintegrating', 'isolated', 'failed'].indexOf(this.channelHealth(c));
  const order = this.channels.map((_, c) => c).filter((c) => c !== target && !this.injector.isDown(c)).sort((a, b) => rank(a) - rank(b));
  for (const c of order) {
    const snap = this.channels[c]?.memory.snapshot();
    const crc = this.channels[c]?.memory.dataCrc32();
    if (snap?.ok !== true || crc?.ok !== true) continue;
    this.channels[target]?.memory.restore(snap.value);
    const copy = this.channels[target]?.memory.dataCrc32();
    return copy?.ok === true && copy.value === crc.value;
  }
  return false;
}

function withSingleCopyTransfer(): void {
  vi.spyOn(Flight.prototype as unknown as { transferState: (t: number) => boolean }, 'transferState').mockImplementation(singleCopyTransfer);
}

afterEach(() => { vi.restoreAllMocks(); });

describe('four channels (p2p): three healthy sources outvote the latent error', () => {
  const cfg: Partial<FlightConfig> = { links: 'p2p', channelCount: 4 };

  test('A returns holding the majority value of B, C, D, not B\'s latent error', () => {
    const f = flight(cfg);
    flyWithLatentErrorInB(f, 5);
    expect(eventsOf(f, 0)).toEqual(['isolated:timeout', 'reintegrating:healthy_period', 'reintegrated:probation_passed']);
    expect(gainOf(f, 0)).toBe(RIGHT);
    expect(gainOf(f, 1)).toBe(LATENT); // still latent in B: it never miscompares
    expect(f.channelHealth(1)).toBe('active');
  });

  test('must fail with the single copy: A returns with B\'s latent error (B is the healthiest by index)', () => {
    withSingleCopyTransfer();
    const f = flight(cfg);
    flyWithLatentErrorInB(f, 5);
    expect(eventsOf(f, 0)).toContain('reintegrated:probation_passed');
    expect(gainOf(f, 0)).toBe(LATENT);
  });
});

describe('three channels: two sources that disagree, the receiver\'s own configuration breaks the tie', () => {
  test('A returns holding C\'s and its own value (two of three), not B\'s latent error', () => {
    const f = flight();
    flyWithLatentErrorInB(f, 6);
    expect(eventsOf(f, 0)).toEqual(['isolated:timeout', 'reintegrating:healthy_period', 'reintegrated:probation_passed']);
    expect(gainOf(f, 0)).toBe(RIGHT);
    expect(gainOf(f, 1)).toBe(LATENT);
  });

  test('with the receiver\'s own word also wrong (a third opinion matching neither), no transfer: refused, retried, then failed', () => {
    const f = flight();
    f.runCycles(PERIOD_CYCLES_PER_S);
    expect(f.channels[1]?.memory.writeF32(LATENT_ADDRESS, LATENT).ok).toBe(true);
    // A restarts at 2.5 s from its configured gains; overwrite its word after the restart, before the first attempt.
    f.runCycles(3 * PERIOD_CYCLES_PER_S - f.cyclesRun);
    expect(f.channels[0]?.memory.writeF32(LATENT_ADDRESS, 15).ok).toBe(true);
    f.runCycles(6 * PERIOD_CYCLES_PER_S - f.cyclesRun);
    expect(eventsOf(f, 0)).toEqual([
      'isolated:timeout', 'transfer_failed:sources_disagree', 'transfer_failed:sources_disagree', 'transfer_failed:sources_disagree', 'failed:transfer_attempts_max',
    ]);
    expect(gainOf(f, 0)).toBe(15); // nothing was installed
  });

  test('must fail with the single copy: A returns with B\'s latent error', () => {
    withSingleCopyTransfer();
    const f = flight();
    flyWithLatentErrorInB(f, 5);
    expect(eventsOf(f, 0)).toContain('reintegrated:probation_passed');
    expect(gainOf(f, 0)).toBe(LATENT);
  });
});

describe('the receiver verifies what it installed', () => {
  test('an image that differs from the voted one once installed fails on the receiver\'s CRC (crc_mismatch), counted by the voter', () => {
    vi.spyOn(MemoryImage.prototype, 'restore').mockImplementation(function (this: MemoryImage, data: Uint8Array) {
      expect(this.write(0, data).ok).toBe(true);
      this.writeU32(LATENT_ADDRESS, this.readU32(LATENT_ADDRESS) ^ 0x10); // installed ≠ sent, ECC-clean
    });
    const f = flight();
    f.runCycles(6 * PERIOD_CYCLES_PER_S);
    expect(eventsOf(f, 0)).toEqual(['isolated:timeout', 'transfer_failed:crc_mismatch', 'transfer_failed:crc_mismatch', 'transfer_failed:crc_mismatch', 'failed:transfer_attempts_max']);
  });

  test('fault-free sources: the voted image is the copy, A returns with its peers\' configuration', () => {
    const f = flight();
    f.runCycles(5 * PERIOD_CYCLES_PER_S);
    expect(eventsOf(f, 0)).toEqual(['isolated:timeout', 'reintegrating:healthy_period', 'reintegrated:probation_passed']);
    expect(gainOf(f, 0)).toBe(RIGHT);
  });
});

describe('the golden guard (on by default) removes the latent error at its source', () => {
  test('B\'s latent gain is repaired from its golden copy within a pass, and A returns with the right value', () => {
    const f = flight({ goldenGuard: true });
    flyWithLatentErrorInB(f, 5);
    expect(gainOf(f, 1)).toBe(RIGHT);
    expect(f.channels[1]?.goldenRepairs).toBeGreaterThan(0);
    expect(gainOf(f, 0)).toBe(RIGHT);
  });
});
