/**
 * The host-built board on a real pseudo-terminal: rig commands, lockstep control cycles
 * compared with the TypeScript reference channel, a memory bit flip corrected by SCRUB, and
 * HANG detected by a timeout. Every wait has a timeout; the child is always killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLockstepMatchesReference } from './lockstep-check.js';
import { decodeLine, encodeRecordLine, SerialType, SERIAL_LINK_ID_DEFAULT, type SerialMessage } from '../../src/core/frame/serial-line.js';
import { decodeRigAnswer, encodeRigRequest, type RigRequest, type RigResult, type RigSpace } from '../../src/core/frame/rig-command.js';
import { voteStateImages } from '../../src/core/channel/state-vote.js';
import { memoryAddress } from '../../src/core/control/state.js';
import { getCrc } from '../../src/core/integrity/crc-catalogue.js';
import { MEMORY_IMAGE_CRC } from '../../src/core/memory/memory-image.js';

const firmware = fileURLToPath(new URL('../../firmware-bridge', import.meta.url));
const WAIT_MS = 5000;
const LINE_BYTES_MAX = 600;
type Untagged<T> = T extends unknown ? Omit<T, 'tag'> : never;

class Board {
  readonly messages: SerialMessage[] = [];
  private pending = '';
  private counters = new Map<number, number>();
  private waiter: (() => void) | null = null;
  private tag = 0;

  constructor(readonly child: ChildProcess, readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => { this.onData(chunk); });
  }

  private onData(chunk: Buffer): void {
    this.pending += chunk.toString('latin1');
    let at = this.pending.indexOf('\n');
    while (at >= 0) {
      const decoded = decodeLine(Buffer.from(this.pending.slice(0, at), 'latin1'), SERIAL_LINK_ID_DEFAULT);
      if (decoded.ok) this.messages.push(decoded.value);
      this.pending = this.pending.slice(at + 1);
      at = this.pending.indexOf('\n');
    }
    if (this.pending.length > LINE_BYTES_MAX) this.pending = '';
    this.waiter?.();
  }

  write(type: number, body: Uint8Array): void {
    const counter = this.counters.get(type) ?? 0;
    this.counters.set(type, (counter + 1) & 0xffff);
    this.port.write(Buffer.from(encodeRecordLine(type, body, counter, SERIAL_LINK_ID_DEFAULT)));
  }

  /** Waits for an answer with `tag`; rejects after `ms` on Node's monotonic timers. */
  async answer(tag: number, ms = WAIT_MS): Promise<Extract<SerialMessage, { kind: 'answer' }>> {
    const deadline = setTimeout(() => { this.waiter?.(); }, ms);
    const started = performance.now();
    try {
      for (;;) {
        const found = this.messages.find((m): m is Extract<SerialMessage, { kind: 'answer' }> => m.kind === 'answer' && m.tag === tag);
        if (found !== undefined) return found;
        if (performance.now() - started >= ms) throw new Error(`no answer with tag ${tag} within ${ms} ms`);
        await new Promise<void>((resolve) => { this.waiter = resolve; });
      }
    } finally {
      clearTimeout(deadline);
      this.waiter = null;
    }
  }

  async request(r: Untagged<RigRequest>, space: RigSpace = 'mem', ms = WAIT_MS): Promise<{ status: string; result: RigResult }> {
    const tag = (this.tag = (this.tag + 1) & 0xff);
    const body = encodeRigRequest({ ...r, tag });
    if (!body.ok) throw new Error(body.error.reason);
    this.write(SerialType.request, body.value);
    const a = await this.answer(tag, ms);
    const decoded = decodeRigAnswer(a.opcode, a.status, a.payload, space);
    if (!decoded.ok) throw new Error(`bad answer: ${decoded.error.code}`);
    return decoded.value;
  }
}

async function startBoard(): Promise<Board> {
  const build = spawnSync('make', ['-C', firmware, 'host'], { encoding: 'utf8', timeout: 120_000 });
  if (build.status !== 0) throw new Error(`make host failed: ${build.stdout}${build.stderr}`);
  const child = spawn(`${firmware}/build/host/triplex-board`, ['--channel', 'A'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const path = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('board printed no PTY line')); }, WAIT_MS);
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /^PTY (\S+)$/m.exec(text);
      if (match?.[1] !== undefined) { clearTimeout(timer); resolve(match[1]); }
    });
    child.on('exit', () => { clearTimeout(timer); reject(new Error('board exited early')); });
  });
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => { port.open((error) => { if (error) reject(error); else resolve(); }); });
  return new Board(child, port);
}


describe('host-built board on a pseudo-terminal', () => {
  let board: Board | undefined;

  beforeAll(async () => { board = await startBoard(); }, 150_000);
  afterAll(async () => {
    if (board === undefined) return;
    const child = board.child;
    board.port.close();
    const exited = new Promise<number | null>((resolve) => { child.on('exit', (code) => { resolve(code); }); });
    child.kill('SIGTERM');
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 3000);
    const code = await exited;
    clearTimeout(timer);
    expect(code).toBe(0);
  });

  it('answers STATUS with its geometry', async () => {
    const s = await board!.request({ op: 'status' });
    expect(s.status).toBe('ok');
    expect(s.result.op === 'status' && s.result.status).toMatchObject({ layoutVersion: 1, channel: 1, medium: 0, memoryBytes: 296, memoryWords: 74, codeBits: 39, registerCount: 19, cycles: 0 });
  });

  it('lockstep cycles: the command equals the TypeScript reference channel', async () => {
    await expectLockstepMatchesReference(board!, { channel: 'A', cycles: 8, spikeCycle: 4, badStatusCycle: 6, send: (bodies) => { for (const body of bodies) board!.write(SerialType.frame, body); } });
  }, 60_000);

  it('PEEK and POKE memory and registers', async () => {
    const magic = await board!.request({ op: 'peek', space: 'mem', address: 0, count: 4 });
    expect(magic.result.op === 'peek-mem' && Array.from(magic.result.bytes)).toEqual(Array.from(new Uint8Array(Float32Array.of(0x5458).buffer)));
    expect((await board!.request({ op: 'poke', space: 'reg', address: 2, data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) })).status).toBe('ok');
    const reg = await board!.request({ op: 'peek', space: 'reg', address: 2, count: 1 }, 'reg');
    expect(reg.result.op === 'peek-reg' && reg.result.registers[0]).toEqual([0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
    expect((await board!.request({ op: 'peek', space: 'mem', address: 290, count: 20 })).status).toBe('bad_argument');
  });

  it('state transfer: POKE the voted image, VERIFY — the board\'s own CRC-32/ISCSI over what it installed against the voted CRC', async () => {
    const image = new Uint8Array(296);
    for (let at = 0; at < image.length; at += 128) {
      const chunk = await board!.request({ op: 'peek', space: 'mem', address: at, count: Math.min(128, image.length - at) });
      if (chunk.result.op !== 'peek-mem') throw new Error('not a mem peek');
      image.set(chunk.result.bytes, at);
    }
    // Three sources with a gain the board does not hold yet (41, not 40); the first (the one a
    // single copy would take) with a latent wrong value of it.
    const peers = image.slice();
    new DataView(peers.buffer).setFloat32(memoryAddress('rateKp', 0), 41, true);
    const latent = peers.slice();
    new DataView(latent.buffer).setFloat32(memoryAddress('rateKp', 0), 4000, true);
    const voted = voteStateImages([latent, peers, peers]);
    if (!voted.ok) throw new Error('vote refused');
    for (let at = 0; at < image.length; at += 128) {
      expect((await board!.request({ op: 'poke', space: 'mem', address: at, data: voted.value.image.subarray(at, at + 128) })).status).toBe('ok');
    }
    const accepted = await board!.request({ op: 'verify', crc: voted.value.crc });
    expect(accepted).toEqual({ status: 'ok', result: { op: 'verify', verify: { crc: voted.value.crc, accepted: true } } });
    const other = getCrc(MEMORY_IMAGE_CRC).compute(latent);
    const rejected = await board!.request({ op: 'verify', crc: other });
    expect(rejected).toEqual({ status: 'ok', result: { op: 'verify', verify: { crc: voted.value.crc, accepted: false } } });
    const before = getCrc(MEMORY_IMAGE_CRC).compute(image);
    expect(before).not.toBe(voted.value.crc);
    for (let at = 0; at < image.length; at += 128) await board!.request({ op: 'poke', space: 'mem', address: at, data: image.subarray(at, at + 128) });
    expect(await board!.request({ op: 'verify', crc: before })).toEqual({ status: 'ok', result: { op: 'verify', verify: { crc: before, accepted: true } } });
  });

  it('FLIP a memory bit, then SCRUB corrects it and the counters show it', async () => {
    const before = await board!.request({ op: 'peek', space: 'raw', address: 20, count: 1 }, 'raw');
    expect((await board!.request({ op: 'flip', target: 'mem', word: 20, bit: 5 })).status).toBe('ok');
    const flipped = await board!.request({ op: 'peek', space: 'raw', address: 20, count: 1 }, 'raw');
    if (before.result.op !== 'peek-raw' || flipped.result.op !== 'peek-raw') throw new Error('not a raw peek');
    expect((flipped.result.words[0]?.data ?? 0) ^ (before.result.words[0]?.data ?? 0)).toBe(1 << 5);
    const statusBefore = await board!.request({ op: 'status' });
    const scrub = await board!.request({ op: 'scrub', words: 0 });
    expect(scrub.result).toEqual({ op: 'scrub', scrub: { wordsScanned: 74, corrected: 1, uncorrectable: 0, passCompleted: true, cursor: expect.any(Number) as number } });
    const after = await board!.request({ op: 'peek', space: 'raw', address: 20, count: 1 }, 'raw');
    expect(after.result).toEqual(before.result);
    const statusAfter = await board!.request({ op: 'status' });
    if (statusBefore.result.op !== 'status' || statusAfter.result.op !== 'status') throw new Error('not a status');
    expect(statusAfter.result.status.scrubCorrected - statusBefore.result.status.scrubCorrected).toBe(1);
    expect(statusAfter.result.status.memoryFlips).toBe(1);
  });

  it('FLIP a register copy: the vote masks it', async () => {
    expect((await board!.request({ op: 'flip', target: 'reg', index: 2, copy: 1, bit: 0 })).status).toBe('ok');
    const reg = await board!.request({ op: 'peek', space: 'reg', address: 2, count: 1 }, 'reg');
    expect(reg.result.op === 'peek-reg' && reg.result.registers[0]).toEqual([0xdeadbeef, 0xdeadbeee, 0xdeadbeef]);
  });

  it('HANG: the board answers once, then stops answering (timeout)', async () => {
    expect((await board!.request({ op: 'hang' })).status).toBe('ok');
    await expect(board!.request({ op: 'status' }, 'mem', 1000)).rejects.toThrow(/no answer/);
  }, 20_000);
});
