/**
 * The shared firmware test vectors: the committed files must equal what the TypeScript
 * reference generates now (so TypeScript passes them by construction and any drift fails
 * here), and the decoders must accept every committed frame and line. The C side runs the
 * same vectors in firmware.test.ts (make -C firmware-bridge test).
 * Regenerate after an intended change: TRIPLEX_WRITE_VECTORS=1 npx vitest run test/firmware/vectors.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check, createCheckStateFor, e2eConfigOf } from '../../src/core/frame/e2e/index.js';
import { decodeLine } from '../../src/core/frame/serial-line.js';
import { getCrc } from '../../src/core/integrity/crc-catalogue.js';
import { getSecDedCode } from '../../src/core/integrity/secded.js';
import { generateVectors, renderDefaults, renderHeader, type Vectors } from './vectors-generate.js';

const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const FILES = {
  json: root('firmware-bridge/test/vectors.json'),
  header: root('firmware-bridge/test/vectors.h'),
  defaults: root('firmware-bridge/src/control_defaults.c'),
};

const fresh = generateVectors();
const rendered = { json: `${JSON.stringify(fresh, null, 1)}\n`, header: renderHeader(fresh), defaults: renderDefaults() };

if (process.env.TRIPLEX_WRITE_VECTORS === '1') {
  for (const key of ['json', 'header', 'defaults'] as const) writeFileSync(FILES[key], rendered[key]);
}

const committed = JSON.parse(readFileSync(FILES.json, 'utf8')) as Vectors;

describe('firmware vectors', () => {
  it('committed vectors.json, vectors.h and control_defaults.c equal a fresh generation', () => {
    expect(readFileSync(FILES.json, 'utf8')).toBe(rendered.json);
    expect(readFileSync(FILES.header, 'utf8')).toBe(rendered.header);
    expect(readFileSync(FILES.defaults, 'utf8')).toBe(rendered.defaults);
  });

  it('cover every catalogue CRC, both SEC-DED codes, every medium and the law', () => {
    expect(new Set(committed.crc.map((c) => c.model)).size).toBe(16);
    expect(new Set(committed.secded.map((s) => s.kind))).toEqual(new Set(['clean', 'corrected-data', 'corrected-check', 'uncorrectable']));
    expect(new Set(committed.frames.map((f) => `${f.medium}/${f.kind}`)).size).toBe(12);
    expect(new Set(committed.law.map((l) => l.status))).toEqual(new Set([0, 1, 2]));
  });

  it('CRCs recompute from the catalogue', () => {
    for (const c of committed.crc) expect(getCrc(c.model).computeBig(Buffer.from(c.input, 'hex')).toString(16), c.model).toBe(c.crc);
  });

  it('SEC-DED decodes match: singles corrected, doubles detected', () => {
    for (const s of committed.secded) {
      const code = getSecDedCode(s.code);
      const data = BigInt(`0x${s.data}`);
      const o = code.decode(Number(data & 0xffffffffn), Number(data >> 32n), s.check);
      expect(o.kind).toBe(s.kind);
      if (s.flips.length === 2) expect(o.kind).toBe('uncorrectable');
      if (s.flips.length === 1) expect(o.kind).toMatch(/^corrected/);
    }
  });

  it('every committed E2E frame passes the receiver check of its stream', () => {
    for (const f of committed.frames) {
      const sender = f.kind === 'imu-rate' || f.kind === 'imu-accel' ? (f.sender as 1 | 2 | 3) : (['A', 'B', 'C'][f.sender - 1] as 'A' | 'B' | 'C');
      const config = e2eConfigOf(f.kind, sender, f.medium);
      const frame = Buffer.from(f.frame, 'hex');
      const status = check(config, createCheckStateFor(config), frame);
      if (f.counter === 0) expect(status).toBe('OK');
      else expect(status, `${f.medium} ${f.kind} ${f.counter}`).not.toBe('ERROR');
      frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0x01;
      expect(check(config, createCheckStateFor(config), frame)).toBe('ERROR');
    }
  });

  it('every committed serial line decodes to its body', () => {
    for (const l of committed.lines) {
      const decoded = decodeLine(Buffer.from(l.line.slice(0, -1), 'latin1'), l.linkId);
      expect(decoded.ok, l.line).toBe(true);
    }
  });
});
