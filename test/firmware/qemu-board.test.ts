/**
 * The Cortex-M image (`make -C firmware-bridge qemu`, the STM32F405/F407 port) running in
 * `qemu-system-arm -M netduinoplus2`: its USART2 (QEMU's second serial port; the first is
 * USART1) on a pseudo-terminal, the same rig protocol the host-built board speaks (board.test.ts):
 * STATUS, lockstep cycles checked against the TypeScript reference channel, an error answer, a
 * corrupted request that gets no answer and is counted; and the fault-test image, whose HardFault
 * handler prints its one-line report and resets the board. QEMU starts halted (-S); `cont` on its
 * monitor (stdin) starts the guest once the pty is open. QEMU's pty drops output until it has
 * polled the other end as connected (about once a second), so until a boot line arrives the test
 * resets the guest (`system_reset`), a bounded number of times. Every wait has a timeout; no
 * assertion is about timing.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLockstepMatchesReference } from './lockstep-check.js';
import { decodeLine, encodeRecordLine, SerialType, SERIAL_LINK_ID_DEFAULT, type SerialMessage } from '../../src/core/frame/serial-line.js';
import { decodeRigAnswer, encodeRigRequest, type RigRequest, type RigResult } from '../../src/core/frame/rig-command.js';

const firmware = fileURLToPath(new URL('../../firmware-bridge', import.meta.url));
const WAIT_MS = 15_000; // QEMU on a loaded 2-core CI machine: generous, never asserted
const NO_ANSWER_MS = 2000;
const BOOT_WAIT_MS = 2000;
const BOOT_ATTEMPTS_MAX = 10;
const TEXT_BYTES_MAX = 64 * 1024;
const CHANNEL = 'B'; // not the default (A): proves CHANNEL= reaches the image
type Untagged<T> = T extends unknown ? Omit<T, 'tag'> : never;
type Answer = Extract<SerialMessage, { kind: 'answer' }>;

/** Resolves when `found()` returns a value; re-tried on every `poke()`; rejects after `ms`. */
class Waiter {
  private wake: (() => void) | null = null;
  poke(): void { this.wake?.(); }
  async until<T>(found: () => T | undefined, ms: number, what: string): Promise<T> {
    const started = performance.now();
    const timer = setInterval(() => { this.poke(); }, 100);
    try {
      for (;;) {
        const value = found();
        if (value !== undefined) return value;
        if (performance.now() - started >= ms) throw new Error(`${what} within ${ms} ms`);
        await new Promise<void>((resolve) => { this.wake = resolve; });
      }
    } finally {
      clearInterval(timer);
      this.wake = null;
    }
  }
}

class QemuBoard {
  readonly messages: SerialMessage[] = [];
  readonly comments: string[] = [];
  private pending = '';
  private readonly counters = new Map<number, number>();
  private tag = 0;
  readonly waiter = new Waiter();

  constructor(readonly qemu: ChildProcessWithoutNullStreams, readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => { this.onData(chunk); });
  }

  private onData(chunk: Buffer): void {
    this.pending += chunk.toString('latin1');
    let at = this.pending.indexOf('\n');
    while (at >= 0) {
      const decoded = decodeLine(Buffer.from(this.pending.slice(0, at).replace(/\r$/, ''), 'latin1'), SERIAL_LINK_ID_DEFAULT);
      if (decoded.ok && decoded.value.kind === 'comment') this.comments.push(decoded.value.text.trim());
      else if (decoded.ok) this.messages.push(decoded.value);
      this.pending = this.pending.slice(at + 1);
      at = this.pending.indexOf('\n');
    }
    if (this.pending.length > TEXT_BYTES_MAX) this.pending = '';
    this.waiter.poke();
  }

  writeLine(line: Uint8Array): void { this.port.write(Buffer.from(line)); }

  line(type: number, body: Uint8Array): Uint8Array {
    const counter = this.counters.get(type) ?? 0;
    this.counters.set(type, (counter + 1) & 0xffff);
    return encodeRecordLine(type, body, counter, SERIAL_LINK_ID_DEFAULT);
  }

  nextTag(): number { return (this.tag = (this.tag + 1) & 0xff); }

  async answer(tag: number, ms = WAIT_MS): Promise<Answer> {
    return this.waiter.until(() => this.messages.find((m): m is Answer => m.kind === 'answer' && m.tag === tag), ms, `no answer with tag ${tag}`);
  }

  async comment(pattern: RegExp, from = 0): Promise<{ text: string; index: number }> {
    return this.waiter.until(() => {
      const index = this.comments.findIndex((c, i) => i >= from && pattern.test(c));
      const text = this.comments[index];
      return text === undefined ? undefined : { text, index };
    }, WAIT_MS, `no comment line matching ${pattern.source}`);
  }

  async request(r: Untagged<RigRequest>, ms = WAIT_MS): Promise<{ status: string; result: RigResult }> {
    const tag = this.nextTag();
    const body = encodeRigRequest({ ...r, tag });
    if (!body.ok) throw new Error(body.error.reason);
    this.writeLine(this.line(SerialType.request, body.value));
    const a = await this.answer(tag, ms);
    const decoded = decodeRigAnswer(a.opcode, a.status, a.payload, 'mem');
    if (!decoded.ok) throw new Error(`bad answer: ${decoded.error.code}`);
    return decoded.value;
  }
}

function build(): void {
  const run = spawnSync('make', ['-C', firmware, 'qemu', `CHANNEL=${CHANNEL}`], { encoding: 'utf8', timeout: 240_000 });
  if (run.status !== 0) throw new Error(`make qemu failed: ${run.stdout}${run.stderr}`);
}

/** Starts QEMU halted on `elf`, opens its USART2 pty, then lets the guest run. */
async function startQemu(elf: string): Promise<QemuBoard> {
  const qemu = spawn('qemu-system-arm', ['-M', 'netduinoplus2', '-nographic', '-S', '-monitor', 'stdio', '-serial', 'null', '-serial', 'pty', '-kernel', elf], { stdio: 'pipe' });
  const path = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => { reject(new Error(`qemu printed no pty line: ${text}`)); }, WAIT_MS);
    const onText = (chunk: Buffer): void => {
      text = (text + chunk.toString()).slice(-TEXT_BYTES_MAX);
      const match = /char device redirected to (\/dev\/\S+) \(label serial1\)/.exec(text);
      if (match?.[1] !== undefined) { clearTimeout(timer); resolve(match[1]); }
    };
    qemu.stdout.on('data', onText);
    qemu.stderr.on('data', onText);
    qemu.on('error', (error) => { clearTimeout(timer); reject(error); });
    qemu.on('exit', (code) => { clearTimeout(timer); reject(new Error(`qemu exited early (${String(code)}): ${text}`)); });
  });
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => { port.open((error) => { if (error) reject(error); else resolve(); }); });
  const board = new QemuBoard(qemu, port);
  qemu.stdin.write('cont\n');
  for (let attempt = 1; ; attempt++) {
    try {
      await board.waiter.until(() => (board.comments.some((c) => c.startsWith('BOOT ')) ? true : undefined), BOOT_WAIT_MS, 'no boot line');
      return board;
    } catch (error) {
      if (attempt >= BOOT_ATTEMPTS_MAX) { await stopQemu(board); throw error; }
      qemu.stdin.write('system_reset\n');
    }
  }
}

async function stopQemu(board: QemuBoard | undefined): Promise<void> {
  if (board === undefined) return;
  const { qemu, port } = board;
  if (port.isOpen) await new Promise<void>((resolve) => { port.close(() => { resolve(); }); });
  if (qemu.exitCode !== null || qemu.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => { qemu.on('exit', () => { resolve(); }); });
  qemu.stdin.write('quit\n');
  const timer = setTimeout(() => { qemu.kill('SIGKILL'); }, 5000);
  await exited;
  clearTimeout(timer);
}

async function badLines(board: QemuBoard): Promise<number> {
  const s = await board.request({ op: 'status' });
  if (s.result.op !== 'status') throw new Error('not a status answer');
  return s.result.status.badLines;
}

describe('Cortex-M image in qemu-system-arm -M netduinoplus2', () => {
  let board: QemuBoard | undefined;

  beforeAll(async () => {
    build();
    board = await startQemu(`${firmware}/build/qemu/triplex-board.elf`);
  }, 300_000);
  afterAll(async () => { await stopQemu(board); }, 30_000);

  it('boots: one boot comment line naming the channel and the clock it runs on', async () => {
    const boot = await board!.comment(/^BOOT triplex-board cortex-m /);
    expect(boot.text).toMatch(new RegExp(`^BOOT triplex-board cortex-m channel ${CHANNEL} clock (pll-hse|pll-hsi|hsi) sysclk \\d+ reset [0-9a-f]{8}$`));
  });

  it('answers STATUS with its geometry and the channel it was built for', async () => {
    const s = await board!.request({ op: 'status' });
    expect(s.status).toBe('ok');
    expect(s.result.op === 'status' && s.result.status).toMatchObject({ layoutVersion: 1, channel: 2, medium: 0, memoryBytes: 296, memoryWords: 74, codeBits: 39, registerCount: 19, cycles: 0, periodMicros: 4000 });
  });

  it('sensor frames then TICK: command frame and TICK answer equal the TypeScript reference channel', async () => {
    await expectLockstepMatchesReference(board!, { channel: CHANNEL, cycles: 4, spikeCycle: 2, badStatusCycle: 3, send: (bodies) => { for (const body of bodies) board!.writeLine(board!.line(SerialType.frame, body)); } });
  }, 120_000);

  it('a request out of range gets the bad_argument answer', async () => {
    expect((await board!.request({ op: 'peek', space: 'mem', address: 290, count: 20 })).status).toBe('bad_argument');
  });

  it('a corrupted request line gets no answer and is counted as a bad line', async () => {
    const before = await badLines(board!);
    const tag = board!.nextTag();
    const body = encodeRigRequest({ op: 'status', tag });
    if (!body.ok) throw new Error(body.error.reason);
    const line = board!.line(SerialType.request, body.value);
    const at = line.length - 4; // a hex digit of the CRC
    line[at] = line[at] === 0x30 ? 0x31 : 0x30;
    board!.writeLine(line);
    await expect(board!.answer(tag, NO_ANSWER_MS)).rejects.toThrow(/no answer/);
    expect(await badLines(board!)).toBe(before + 1);
  }, 60_000);
});

describe('Cortex-M fault-test image: HardFault report, then reset', () => {
  let board: QemuBoard | undefined;
  const elf = `${firmware}/build/qemu/triplex-board-fault.elf`;

  beforeAll(async () => {
    build();
    board = await startQemu(elf);
  }, 300_000);
  afterAll(async () => { await stopQemu(board); }, 30_000);

  it('prints CFSR UNDEFINSTR, HFSR FORCED and the stacked PC of the udf, then boots again', async () => {
    const dump = spawnSync('arm-none-eabi-objdump', ['-d', elf], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const udf = /^ *([0-9a-f]+):\s+de42\s+udf/m.exec(dump.stdout)?.[1];
    expect(udf, 'the udf instruction of provoke_fault()').toBeDefined();
    const first = await board!.comment(/^BOOT /);
    const fault = await board!.comment(/^HARDFAULT /, first.index + 1);
    expect(fault.text).toMatch(/^HARDFAULT IPSR=00000003 CFSR=00010000 HFSR=40000000 MMFAR=[0-9a-f]{8} BFAR=[0-9a-f]{8} PC=([0-9a-f]{8}) LR=[0-9a-f]{8} XPSR=[0-9a-f]{8} EXC_RETURN=fffffff[19d] MS=\d+$/);
    expect(/PC=([0-9a-f]{8})/.exec(fault.text)?.[1]).toBe(udf!.padStart(8, '0'));
    const again = await board!.comment(/^BOOT /, fault.index + 1);
    expect(again.text).toContain(`channel ${CHANNEL}`);
  });
});
