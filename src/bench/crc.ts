/**
 * CRC throughput on a 1 MiB buffer: our slicing-by-8 engines ('triplex'), the plain one-table
 * loop ('triplex-bytewise'), the crc-32 npm package ('crc-32', slicing-by-16 over bytes) and
 * node:zlib's native crc32 ('zlib') as yardsticks. Also an unaligned run (offset 1) to show
 * the cost of the alignment head, and 64-bit CRC-64/XZ.
 */
import zlib from 'node:zlib';
import crc32 from 'crc-32';
import { createCrc, type Crc } from '../core/integrity/crc.js';
import { findCrcModel, getCrc } from '../core/integrity/crc-catalogue.js';
import { mbPerS, timeIt, type BenchResult, type BenchSuite } from './harness.js';

const BUFFER_BYTES = 1 << 20;

type BufFn = (data: Uint8Array, seed?: number) => number;

/** crc-32's crc32c lives in a separate file (crc-32/crc32c.js) since 1.2; absent in older versions. */
async function loadCrc32c(): Promise<BufFn | undefined> {
  try {
    const module = (await import('crc-32/crc32c.js')) as { default?: { buf?: BufFn } };
    return module.default?.buf;
  } catch {
    return undefined;
  }
}

function testBuffer(): Uint8Array {
  // A fixed pseudo-random pattern (xorshift32); the CRC does not care about content, but be honest.
  const buffer = new Uint8Array(BUFFER_BYTES + 8);
  let x = 0x9e37_79b9;
  for (let i = 0; i < buffer.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    buffer[i] = x & 0xff;
  }
  return buffer;
}

function bytewise(name: string): Crc {
  const model = findCrcModel(name);
  if (model === undefined) throw new Error(`bench: ${name} not in catalogue`);
  return createCrc(model, { method: 'bytewise' });
}

interface Case {
  readonly name: string;
  readonly impl: string;
  readonly fn: () => number;
  readonly extra: Readonly<Record<string, string | number>>;
  nsBest: number;
}

/** Rounds per case; all cases are timed round-robin, so load from other processes hits them alike. */
const ROUNDS = 7;

export const suite: BenchSuite = {
  name: 'crc',
  async run(report: (result: BenchResult) => void, options) {
    const buffer = testBuffer();
    const aligned = buffer.subarray(0, BUFFER_BYTES);
    const cases: Case[] = [];
    const add = (name: string, impl: string, fn: () => number, extra: Record<string, string | number> = {}): void => {
      cases.push({ name, impl, fn, extra, nsBest: Number.POSITIVE_INFINITY });
    };
    for (const name of ['CRC-32/ISO-HDLC', 'CRC-32/ISCSI', 'CRC-16/IBM-3740', 'CRC-8/SAE-J1850', 'CRC-32/BZIP2', 'CRC-15/CAN']) {
      const engine = getCrc(name);
      add(name, 'triplex', () => engine.compute(aligned));
    }
    const iso = getCrc('CRC-32/ISO-HDLC');
    add('CRC-32/ISO-HDLC', 'triplex', () => iso.compute(buffer, 1, BUFFER_BYTES), { offset: 1 });
    const isoBytewise = bytewise('CRC-32/ISO-HDLC');
    add('CRC-32/ISO-HDLC', 'triplex-bytewise', () => isoBytewise.compute(aligned));
    const ibmBytewise = bytewise('CRC-16/IBM-3740');
    add('CRC-16/IBM-3740', 'triplex-bytewise', () => ibmBytewise.compute(aligned));
    const xz = getCrc('CRC-64/XZ');
    add('CRC-64/XZ', 'triplex', () => Number(xz.computeBig(aligned) & 0xffn));
    const xzBytewise = bytewise('CRC-64/XZ');
    add('CRC-64/XZ', 'triplex-bytewise', () => Number(xzBytewise.computeBig(aligned) & 0xffn));
    add('CRC-32/ISO-HDLC', 'crc-32', () => crc32.buf(aligned));
    const crc32c = await loadCrc32c();
    if (crc32c !== undefined) add('CRC-32/ISCSI', 'crc-32', () => crc32c(aligned));
    const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
    if (typeof native === 'function') {
      add('CRC-32/ISO-HDLC', 'zlib', () => native(aligned));
      const accelerated = createCrc(iso.model, { accelerator: (data, crc) => native(data, crc) });
      add('CRC-32/ISO-HDLC', 'triplex+zlib', () => accelerated.compute(aligned));
    }
    const minMillis = Math.max(20, Math.round(100 * options.scale));
    let sink = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) c.nsBest = Math.min(c.nsBest, timeIt(() => { sink ^= c.fn(); }, minMillis, 1));
    }
    for (const c of cases) report({ name: c.name, impl: c.impl, mbPerS: mbPerS(BUFFER_BYTES, c.nsBest), bytes: BUFFER_BYTES, ...c.extra });
    if (sink === 0.5) report({ name: 'unreachable', impl: 'sink' });
  },
};
