/**
 * Generates the shared firmware test vectors from the TypeScript reference:
 * firmware-bridge/test/vectors.json (for TypeScript and any other implementation),
 * firmware-bridge/test/vectors.h (the same data as C initialisers, for test/runner.c) and
 * firmware-bridge/src/control_defaults.c (the board's default control state).
 * Regenerate with: TRIPLEX_WRITE_VECTORS=1 npx vitest run test/firmware/vectors.test.ts
 */
import { ControlLaw } from '../../src/core/control/law.js';
import { ArrayControlMemory, ArrayWorkRegisters, MEMORY_SLOT, MEMORY_SLOT_COUNT, REGISTER_COUNT } from '../../src/core/control/state.js';
import { e2eConfigOf, protect, type E2eConfig } from '../../src/core/frame/e2e/index.js';
import { encodeChannelStatus, CHANNEL_HEALTH_CODES } from '../../src/core/frame/status-frame.js';
import { encodeCommand, createActuatorCommand } from '../../src/core/frame/command-frame.js';
import { encodeImuRate } from '../../src/core/frame/sensor-frame.js';
import { canIdOf, MEDIUM_LAYOUT, type ChannelId, type FrameKind, type ImuNumber, type Medium } from '../../src/core/frame/ids.js';
import { encodeRecordLine, SerialType, SERIAL_LINK_ID_DEFAULT } from '../../src/core/frame/serial-line.js';
import { CRC_CATALOGUE, getCrc } from '../../src/core/integrity/crc-catalogue.js';
import { flipCodeWordBit, getSecDedCode, type CodeWord, type SecDedCodeName } from '../../src/core/integrity/secded.js';
import { Prng } from '../../src/core/sim/prng.js';
import { defaultControlWords } from './reference.js';

const SEED = 20_240_601;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const f32Bits = (value: number): number => new Uint32Array(Float32Array.of(value).buffer)[0] ?? 0;
const f32Of = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0] ?? 0;

export interface CrcVector { readonly model: string; readonly input: string; readonly crc: string }
export interface SecdedVector { readonly code: SecDedCodeName; readonly data: string; readonly check: number; readonly flips: readonly number[]; readonly kind: string; readonly position: number; readonly syndrome: number; readonly correctedData: string; readonly correctedCheck: number }
export interface FrameVector { readonly kind: FrameKind; readonly sender: number; readonly medium: Medium; readonly counter: number; readonly fields: readonly number[]; readonly frame: string }
export interface LineVector { readonly type: string; readonly counter: number; readonly linkId: number; readonly body: string; readonly line: string }
export interface LawVector { readonly name: string; readonly before: readonly number[]; readonly sample: readonly number[]; readonly dtS: number; readonly status: number; readonly out: readonly number[]; readonly after: readonly number[]; readonly registers: readonly number[] }
export interface Vectors { readonly version: 1; readonly seed: number; readonly crc: CrcVector[]; readonly secded: SecdedVector[]; readonly frames: FrameVector[]; readonly lines: LineVector[]; readonly law: LawVector[] }

function crcVectors(prng: Prng): CrcVector[] {
  const inputs = [new Uint8Array(0), new TextEncoder().encode('123456789'), Uint8Array.of(0), Uint8Array.of(0xff, 0xff, 0xff, 0xff),
    Uint8Array.from({ length: 32 }, (_, i) => i), Uint8Array.from({ length: 37 }, () => prng.nextInt(256))];
  return CRC_CATALOGUE.flatMap((model) => inputs.map((input) => ({ model: model.name, input: hex(input), crc: getCrc(model.name).computeBig(input).toString(16) })));
}

function secdedVectors(prng: Prng): SecdedVector[] {
  const out: SecdedVector[] = [];
  for (const name of ['secded-39-32', 'secded-72-64'] as const) {
    const code = getSecDedCode(name);
    for (let i = 0; i < 12; i++) {
      const lo = i === 0 ? 0 : i === 1 ? 0xffffffff : prng.nextInt(0x1_0000_0000);
      const hi = code.dataBits === 32 ? 0 : i === 1 ? 0xffffffff : prng.nextInt(0x1_0000_0000);
      const check = code.encode(lo, hi);
      const flipSets = [[], [prng.nextInt(code.codeBits)], [code.codeBits - 1], [0], [prng.nextInt(code.dataBits)]];
      const a = prng.nextInt(code.codeBits);
      flipSets.push([a, (a + 1 + prng.nextInt(code.codeBits - 1)) % code.codeBits]);
      for (const flips of flipSets) {
        const word: CodeWord = { dataLo: lo >>> 0, dataHi: hi >>> 0, check };
        for (const bit of flips) flipCodeWordBit(code, word, bit);
        const o = code.decode(word.dataLo, word.dataHi, word.check);
        const data = (BigInt(word.dataHi) << 32n) | BigInt(word.dataLo);
        out.push({ code: name, data: data.toString(16), check: word.check, flips, kind: o.kind, position: o.position, syndrome: o.syndrome,
          correctedData: ((BigInt(o.dataHi) << 32n) | BigInt(o.dataLo)).toString(16), correctedCheck: o.check });
      }
    }
  }
  return out;
}

const KINDS: readonly (readonly [FrameKind, readonly (ImuNumber | ChannelId)[]])[] = [
  ['imu-rate', [1, 2, 3]], ['imu-accel', [1, 3]], ['command', ['A', 'B', 'C']], ['channel-status', ['B']],
];

function bodyOf(kind: FrameKind, prng: Prng, frame: Uint8Array, offset: number): number[] {
  if (kind === 'command') {
    const command = createActuatorCommand();
    command.engaged = prng.nextBool(0.5);
    for (let k = 0; k < 4; k++) command.deflectionMrad[k] = prng.nextInt(4095) - 2047;
    encodeCommand(command, frame, offset);
    return [command.engaged ? 1 : 0, ...command.deflectionMrad];
  }
  if (kind === 'channel-status') {
    const health = prng.nextInt(CHANNEL_HEALTH_CODES.length);
    const s = { health: CHANNEL_HEALTH_CODES[health] ?? 'healthy', scrubCorrectedCount: prng.nextInt(65536), scrubUncorrectableCount: prng.nextInt(256), scrubPassCount: prng.nextInt(256), clockOffsetMicros: prng.nextInt(65535) - 32767 };
    encodeChannelStatus(s, frame, offset);
    return [health, s.scrubCorrectedCount, s.scrubUncorrectableCount, s.scrubPassCount, s.clockOffsetMicros];
  }
  const v = { sensorStatus: prng.nextInt(8), rateXMradPerS: prng.nextInt(65535) - 32767, rateYMradPerS: prng.nextInt(65535) - 32767, rateZMradPerS: prng.nextInt(65535) - 32767 };
  encodeImuRate(v, frame, offset); // the acceleration body has the same layout
  return [v.sensorStatus, v.rateXMradPerS, v.rateYMradPerS, v.rateZMradPerS];
}

function frameVectors(prng: Prng): FrameVector[] {
  const out: FrameVector[] = [];
  for (const medium of ['can', 'can-fd', 'serial'] as const) {
    for (const [kind, senders] of KINDS) {
      for (const sender of senders) {
        const config: E2eConfig = e2eConfigOf(kind, sender, medium);
        const state = { counter: 0 };
        for (let n = 0; n < 17; n++) {
          const frame = new Uint8Array(MEDIUM_LAYOUT[medium].frameBytes);
          const counter = state.counter;
          const fields = bodyOf(kind, prng, frame, MEDIUM_LAYOUT[medium].bodyOffsetBytes);
          protect(config, state, frame);
          if (n < 3 || n === 14 || n === 16) out.push({ kind, sender: typeof sender === 'number' ? sender : canIdOf(kind, sender) & 0xf, medium, counter, fields, frame: hex(frame) });
        }
      }
    }
  }
  return out;
}

function lineVectors(prng: Prng): LineVector[] {
  const out: LineVector[] = [];
  const types = [SerialType.frame, SerialType.request, SerialType.answer, SerialType.event];
  const bodies = [Uint8Array.of(0, 0, 0, 1, 0x23, 2, 0xde, 0xad), Uint8Array.of(1, 7), Uint8Array.of(8, 9, 0, 1, 2, 3),
    Uint8Array.from({ length: 243 }, () => prng.nextInt(256)), new Uint8Array(0)];
  types.forEach((type, t) => {
    bodies.forEach((body, b) => {
      if ((type === SerialType.request && body.length < 2) || (type === SerialType.answer && body.length < 3)) return;
      if (type === SerialType.frame && b !== 0) return; // an 'F' body must be a valid CAN frame
      const counter = (t * 7919 + b * 104_729) & 0xffff;
      const linkId = b === 2 ? 0x123456 : SERIAL_LINK_ID_DEFAULT;
      out.push({ type: String.fromCharCode(type), counter, linkId, body: hex(body), line: new TextDecoder().decode(encodeRecordLine(type, body, counter, linkId)) });
    });
  });
  return out;
}

function lawVectors(prng: Prng): LawVector[] {
  const out: LawVector[] = [];
  const memory = new ArrayControlMemory();
  const registers = new ArrayWorkRegisters();
  const bits = new Uint32Array(memory.words.buffer);
  const regBits = new Uint32Array(registers.words.buffer);
  bits.set(defaultControlWords());
  const law = new ControlLaw();
  const result = new Float64Array(4);
  const setSlot = (slot: number, value: number): void => { bits[slot] = f32Bits(value); };
  for (let step = 0; step < 40; step++) {
    if (step === 10) { setSlot(MEMORY_SLOT.setpointAttitude, 0.3); setSlot(MEMORY_SLOT.setpointAttitude + 1, -0.1); setSlot(MEMORY_SLOT.setpointAttitude + 2, 0.2); setSlot(MEMORY_SLOT.setpointRate, 0.05); }
    if (step === 25) setSlot(MEMORY_SLOT.setpointAttitude, -0.5);
    const before = Array.from(bits);
    const upright = step % 7 !== 3;
    const sample = Float64Array.of(
      (prng.nextInt(2001) - 1000) * 0.001, (prng.nextInt(2001) - 1000) * 0.001, (prng.nextInt(2001) - 1000) * 0.001,
      (prng.nextInt(201) - 100) * 0.01, (prng.nextInt(201) - 100) * 0.01, upright ? -9.81 + (prng.nextInt(41) - 20) * 0.01 : (prng.nextInt(4001) - 2000) * 0.01);
    const dtS = step % 5 === 4 ? 0.001 : 0.004;
    const status = law.step(memory, registers, sample, dtS, result);
    out.push({ name: `sequence step ${step}`, before, sample: Array.from(sample), dtS, status, out: Array.from(result), after: Array.from(bits), registers: Array.from(regBits) });
  }
  const corrupt = (name: string, slot: number, value: number): void => {
    const saved = Array.from(bits);
    setSlot(slot, value);
    const before = Array.from(bits);
    const sample = Float64Array.of(0.1, -0.2, 0.05, 0.3, -0.1, -9.7);
    const status = law.step(memory, registers, sample, 0.004, result);
    out.push({ name, before, sample: Array.from(sample), dtS: 0.004, status, out: Array.from(result), after: Array.from(bits), registers: Array.from(regBits) });
    bits.set(saved);
  };
  corrupt('bad layout (magic)', MEMORY_SLOT.magic, 1234);
  corrupt('non-finite gain', MEMORY_SLOT.allocation + 3, Number.POSITIVE_INFINITY);
  corrupt('NaN setpoint', MEMORY_SLOT.setpointAttitude + 1, Number.NaN);
  return out;
}

export function generateVectors(): Vectors {
  const prng = new Prng(SEED);
  return { version: 1, seed: SEED, crc: crcVectors(prng), secded: secdedVectors(prng), frames: frameVectors(prng), lines: lineVectors(prng), law: lawVectors(prng) };
}

// ---- C renderings ---------------------------------------------------------------------------

const u64 = (hexText: string): string => `0x${hexText}ull`;
const bytesC = (hexText: string): string => (hexText.length === 0 ? '{0}' : `{${(hexText.match(/../g) ?? []).map((b) => `0x${b}`).join(',')}}`);
const d64 = (value: number): string => `0x${Buffer.from(Float64Array.of(value).buffer).readBigUInt64LE().toString(16)}ull`;
const words = (list: readonly number[]): string => `{${list.map((w) => `0x${w.toString(16)}u`).join(',')}}`;
const KIND_C: Record<FrameKind, string> = { 'imu-rate': 'TX_KIND_IMU_RATE', 'imu-accel': 'TX_KIND_IMU_ACCEL', command: 'TX_KIND_COMMAND', 'channel-status': 'TX_KIND_STATUS', 'clock-sync': 'TX_KIND_STATUS' };
const MEDIUM_C: Record<Medium, string> = { can: 'TX_MEDIUM_CAN', 'can-fd': 'TX_MEDIUM_CAN_FD', serial: 'TX_MEDIUM_SERIAL' };
const KIND_CODE: Record<string, number> = { clean: 0, 'corrected-data': 1, 'corrected-check': 2, uncorrectable: 3 };

export function renderHeader(v: Vectors): string {
  const lines: string[] = [
    '/* GENERATED by test/firmware/vectors-generate.ts from the TypeScript reference: do not edit.',
    ' * Regenerate: TRIPLEX_WRITE_VECTORS=1 npx vitest run test/firmware/vectors.test.ts */',
    '#ifndef TX_VECTORS_H', '#define TX_VECTORS_H', '#include <stdint.h>', '#include "frames.h"', '',
    'typedef struct { const char *model; uint16_t length; uint8_t input[64]; uint64_t crc; } crc_vector;',
    'typedef struct { uint8_t wide; uint64_t data; uint8_t check; uint8_t kind; int16_t position; uint8_t syndrome; uint64_t corrected_data; uint8_t corrected_check; } secded_vector;',
    'typedef struct { tx_frame_kind kind; uint8_t sender; tx_medium medium; uint32_t counter; int32_t fields[5]; uint8_t length; uint8_t frame[20]; } frame_vector;',
    'typedef struct { uint8_t type; uint16_t counter; uint32_t link_id; uint16_t body_length; uint8_t body[243]; const char *line; } line_vector;',
    `typedef struct { const char *name; uint32_t before[${MEMORY_SLOT_COUNT}]; uint64_t sample[6]; uint64_t dt_s; uint8_t status; uint64_t out[4]; uint32_t after[${MEMORY_SLOT_COUNT}]; uint32_t registers[${REGISTER_COUNT}]; } law_vector;`, '',
  ];
  lines.push(`static const crc_vector CRC_VECTORS[${v.crc.length}] = {`);
  for (const c of v.crc) lines.push(`  {"${c.model}", ${c.input.length / 2}, ${bytesC(c.input)}, ${u64(c.crc)}},`);
  lines.push('};', `static const secded_vector SECDED_VECTORS[${v.secded.length}] = {`);
  for (const s of v.secded) lines.push(`  {${s.code === 'secded-72-64' ? 1 : 0}, ${u64(s.data)}, ${s.check}, ${KIND_CODE[s.kind] ?? 9}, ${s.position}, ${s.syndrome}, ${u64(s.correctedData)}, ${s.correctedCheck}},`);
  lines.push('};', `static const frame_vector FRAME_VECTORS[${v.frames.length}] = {`);
  for (const f of v.frames) lines.push(`  {${KIND_C[f.kind]}, ${f.sender}, ${MEDIUM_C[f.medium]}, ${f.counter}, {${[...f.fields, 0, 0, 0, 0, 0].slice(0, 5).join(',')}}, ${f.frame.length / 2}, ${bytesC(f.frame)}},`);
  lines.push('};', `static const line_vector LINE_VECTORS[${v.lines.length}] = {`);
  for (const l of v.lines) lines.push(`  {'${l.type}', ${l.counter}, 0x${l.linkId.toString(16)}u, ${l.body.length / 2}, ${bytesC(l.body)}, "${l.line.replace('\n', '\\n')}"},`);
  lines.push('};', `static const law_vector LAW_VECTORS[${v.law.length}] = {`);
  for (const l of v.law) {
    lines.push(`  {"${l.name}", ${words(l.before)}, {${l.sample.map(d64).join(',')}}, ${d64(l.dtS)}, ${l.status}, {${l.out.map(d64).join(',')}}, ${words(l.after)}, ${words(l.registers)}},`);
  }
  lines.push('};', '', '#endif', '');
  return lines.join('\n');
}

export function renderDefaults(): string {
  const w = Array.from(defaultControlWords());
  const names = Object.entries(MEMORY_SLOT).sort((a, b) => a[1] - b[1]);
  const body = w.map((bits, slot) => {
    const name = names.filter(([, s]) => s <= slot).pop()?.[0] ?? '';
    return `    0x${bits.toString(16).padStart(8, '0')}u, /* ${slot}: ${name} ${f32Of(bits)} */`;
  });
  return [
    '/* GENERATED by test/firmware/vectors-generate.ts: the default control state (initialiseControlMemory',
    ' * with defaultGains(aerosondeVehicle()) and a level setpoint), float32 bit patterns by slot. Do not edit. */',
    '#include "law.h"', '', 'const uint32_t TX_CONTROL_DEFAULTS[TX_SLOT_COUNT] = {', ...body, '};', '',
  ].join('\n');
}
