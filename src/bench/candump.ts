/**
 * candump -L parsing and writing throughput on a generated log with a realistic mix of frames
 * (mostly classic 11-bit with 8 bytes, some 29-bit, remote, CAN FD of every size, error frames).
 * Target: parsing at >= 50 MB/s (docs/LOGS.md).
 */
import { Prng } from '../core/sim/prng.js';
import { CAN_FD_LENGTHS, type CanFrame } from '../core/frame/can.js';
import { CandumpReader, CandumpWriter, parseCandumpLine, simLogRecord, type CandumpRecord } from '../io/candump.js';
import { mbPerS, timeIt, type BenchSuite } from './harness.js';

const LOG_BYTES_TARGET = 8 * 1024 * 1024;
const CHUNK_BYTES = 1 << 16;
const FRAME_PERIOD_MICROS = 137;

function randomData(prng: Prng, length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = prng.nextInt(256);
  return data;
}

/** 70 % classic standard, 12 % classic extended, 3 % remote, 14 % FD, 1 % error frames. */
function randomFrame(prng: Prng): CanFrame {
  const kind = prng.nextInt(100);
  const base = { rtr: false, fd: false, brs: false, esi: false, error: false };
  if (kind < 70) return { ...base, id: prng.nextInt(0x800), extended: false, data: randomData(prng, prng.nextBool(0.8) ? 8 : prng.nextInt(9)) };
  if (kind < 82) return { ...base, id: prng.nextInt(0x20000000), extended: true, data: randomData(prng, 8) };
  if (kind < 85) return { ...base, id: prng.nextInt(0x800), extended: false, rtr: true, rtrLength: prng.nextInt(9), data: new Uint8Array(0) };
  if (kind < 99) {
    const length = CAN_FD_LENGTHS[prng.nextInt(CAN_FD_LENGTHS.length)] ?? 0;
    return { ...base, id: prng.nextInt(0x800), extended: prng.nextBool(0.3), fd: true, brs: prng.nextBool(0.7), esi: prng.nextBool(0.05), data: randomData(prng, length) };
  }
  return { ...base, id: 1 << prng.nextInt(10), extended: false, error: true, data: randomData(prng, 8) };
}

function generateLog(bytesTarget: number): { text: Buffer; records: CandumpRecord[] } {
  const prng = new Prng(0x10c);
  const records: CandumpRecord[] = [];
  const pieces: string[] = [];
  let bytes = 0;
  const writer = new CandumpWriter((text) => { pieces.push(text); bytes += text.length; });
  for (let i = 0; bytes < bytesTarget; i++) {
    const record = simLogRecord(i * FRAME_PERIOD_MICROS, i % 5 === 0 ? 'can1' : 'can0', randomFrame(prng));
    records.push(record);
    writer.write(record);
  }
  writer.flush();
  return { text: Buffer.from(pieces.join(''), 'latin1'), records };
}

/**
 * Process CPU time (user + system, all threads, so GC included) per call over CPU_ROUNDS calls:
 * a second figure that stays meaningful when other processes share the cores.
 */
const CPU_ROUNDS = 5;
function cpuNsPerCall(fn: () => void): number {
  const before = process.cpuUsage();
  for (let i = 0; i < CPU_ROUNDS; i++) fn();
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / CPU_ROUNDS;
}

export const suite: BenchSuite = {
  name: 'candump',
  run(report, options) {
    const { text, records } = generateLog(Math.max(CHUNK_BYTES, Math.round(LOG_BYTES_TARGET * options.scale)));
    let frames = 0;
    const reader = (): void => {
      frames = 0;
      const r = new CandumpReader((line) => { if (line.kind === 'record') frames++; });
      for (let at = 0; at < text.length; at += CHUNK_BYTES) r.push(text.subarray(at, at + CHUNK_BYTES));
      r.end();
    };
    const readerNs = timeIt(reader, 300, 5);
    if (frames !== records.length) throw new Error(`bench: read ${frames} frames, wrote ${records.length}`);
    report({
      name: 'candump parse', impl: 'CandumpReader 64 KiB chunks', mbPerS: mbPerS(text.length, readerNs), cpuMbPerS: mbPerS(text.length, cpuNsPerCall(reader)),
      framesPerS: Math.round((records.length / readerNs) * 1e9), logBytes: text.length,
    });

    const lines = text.toString('latin1').split('\n').slice(0, -1);
    const lineNs = timeIt(() => { for (const line of lines) parseCandumpLine(line); }, 300, 5);
    report({ name: 'candump parse', impl: 'parseCandumpLine only', mbPerS: mbPerS(text.length, lineNs), nsPerLine: Math.round(lineNs / lines.length) });

    const writeNs = timeIt(() => {
      const writer = new CandumpWriter(() => undefined);
      for (const record of records) writer.write(record);
      writer.flush();
    }, 300, 5);
    report({ name: 'candump write', impl: 'CandumpWriter', mbPerS: mbPerS(text.length, writeNs), nsPerLine: Math.round(writeNs / records.length) });
  },
};
