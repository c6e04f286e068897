/**
 * A GDB Remote Serial Protocol client over TCP (docs/GDB.md): attaches to a gdbstub such as
 * QEMU's (`qemu-system-arm … -S -gdb tcp::PORT`), reads and writes registers by name and
 * memory, steps, continues and interrupts, and flips single bits — the CPU-level fault
 * injection of a board under emulation. Framing is src/core/frame/gdb-rsp.ts, replies
 * src/core/frame/gdb-reply.ts.
 *
 * - One request at a time (the protocol is strictly request/response); callers queue, up to
 *   OPERATIONS_QUEUED_MAX.
 * - Acks: until the stub accepts QStartNoAckMode, every packet is acknowledged. A '-' from the
 *   stub makes the client send its packet again (up to `retransmitsMax` times); a reply whose
 *   checksum fails is answered with '-' so the stub sends it again, up to the same limit.
 * - Every wait has a deadline (`replyTimeoutMicros`, Node's timers, monotonic); durations are
 *   measured on the injected MonotonicClock.
 * - Nothing throws for the stub's sake: every operation returns Result<T, GdbError>.
 */
import { connect, type Socket } from 'node:net';
import { assert } from '../core/assert.js';
import { FALLBACK_REGISTERS, parseErrorReply, parseStopReply, parseSupported, parseTargetXml, parseXferChunk, registerTable, type RegisterDescription, type RegisterEntry, type StopReply } from '../core/frame/gdb-reply.js';
import { asciiBytes, bytesText, decodeRegisterHex, encodeRegisterHex, encodeRspPacket, formatRspPacketError, hexDecode, hexEncode, RspDecoder, type RspEvent, type RspPacketError } from '../core/frame/gdb-rsp.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';
import { RealClock } from '../io/real-clock.js';

export const REPLY_TIMEOUT_MICROS_DEFAULT = 2_000_000;
export const CONNECT_TIMEOUT_MICROS_DEFAULT = 5_000_000;
export const RETRANSMITS_MAX_DEFAULT = 3;
export const OPERATIONS_QUEUED_MAX = 16;
/** Events (acks, packets) kept between reads; a babbling stub drops the oldest. */
export const INBOX_EVENTS_MAX = 64;
/** Largest memory transfer of one call. */
export const MEMORY_BYTES_MAX = 1 << 20;
/** Most 'O' output packets skipped while waiting for one stop reply. */
export const OUTPUT_PACKETS_MAX = 1024;
/** Most qXfer chunks of one description file, and most description files. */
export const XFER_CHUNKS_MAX = 64;
export const TARGET_FILES_MAX = 16;
/** Packet size assumed when the stub does not say (the protocol's historical 400 bytes). */
const PACKET_BYTES_DEFAULT = 400;

export interface GdbRemoteOptions {
  readonly port: number;
  readonly host?: string;
  readonly clock?: MonotonicClock;
  readonly replyTimeoutMicros?: number;
  readonly connectTimeoutMicros?: number;
  readonly retransmitsMax?: number;
  /** Ask for QStartNoAckMode when the stub offers it (default true). */
  readonly noAckMode?: boolean;
}

export type GdbError =
  | { readonly code: 'connect_failed'; readonly reason: string }
  | { readonly code: 'timeout'; readonly request: string; readonly waitedMicros: number }
  | { readonly code: 'disconnected'; readonly request: string }
  | { readonly code: 'retransmit_limit'; readonly request: string; readonly attempts: number }
  | { readonly code: 'corrupt_reply'; readonly request: string; readonly attempts: number; readonly error: RspPacketError }
  | { readonly code: 'error_reply'; readonly request: string; readonly errno: number }
  | { readonly code: 'unsupported'; readonly request: string }
  | { readonly code: 'bad_reply'; readonly request: string; readonly reason: string }
  | { readonly code: 'unknown_register'; readonly name: string; readonly known: readonly string[] }
  | { readonly code: 'bad_argument'; readonly reason: string }
  | { readonly code: 'running' }
  | { readonly code: 'not_running' }
  | { readonly code: 'busy'; readonly queuedMax: number };

export function formatGdbError(e: GdbError): string {
  switch (e.code) {
    case 'connect_failed': return `cannot attach to the gdbstub: ${e.reason}`;
    case 'timeout': return `${e.request}: no reply within ${(e.waitedMicros / 1000).toFixed(0)} ms`;
    case 'disconnected': return `${e.request}: the gdbstub closed the connection`;
    case 'retransmit_limit': return `${e.request}: the gdbstub refused the packet ${e.attempts} times ('-')`;
    case 'corrupt_reply': return `${e.request}: ${e.attempts} corrupt replies in a row (last: ${formatRspPacketError(e.error)})`;
    case 'error_reply': return `${e.request}: the gdbstub answered E${e.errno.toString(16).padStart(2, '0')}`;
    case 'unsupported': return `${e.request}: not supported by the gdbstub (empty reply)`;
    case 'bad_reply': return `${e.request}: bad reply: ${e.reason}`;
    case 'unknown_register': return `unknown register ${JSON.stringify(e.name)} (known: ${e.known.join(' ')})`;
    case 'bad_argument': return e.reason;
    case 'running': return 'the target is running (interrupt it first)';
    case 'not_running': return 'the target is not running';
    case 'busy': return `more than ${e.queuedMax} requests waiting`;
  }
}

/** A bit flip and what the target holds before and after it (read back, not assumed). */
export interface BitFlip { readonly before: bigint; readonly after: bigint }

type Waiter = (event: RspEvent | 'closed' | 'timeout') => void;

const isStopPacket = (e: RspEvent): boolean => e.kind === 'packet' && 'STWX'.includes(String.fromCharCode(e.payload[0] ?? 0));

export class GdbRemote {
  private readonly decoder = new RspDecoder();
  private readonly inbox: RspEvent[] = [];
  private waiter: Waiter | undefined;
  private closed = false;
  private ackMode = true;
  private running = false;
  private queued = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private packetBytes = PACKET_BYTES_DEFAULT;
  private vCont = { c: false, s: false };
  private binaryWrite: boolean | undefined;
  private table: ReadonlyMap<string, RegisterEntry> = new Map();
  private droppedEvents = 0;
  private readonly clock: MonotonicClock;
  private readonly replyTimeoutMicros: number;
  private readonly retransmitsMax: number;

  private constructor(private readonly socket: Socket, options: GdbRemoteOptions) {
    this.clock = options.clock ?? new RealClock();
    this.replyTimeoutMicros = options.replyTimeoutMicros ?? REPLY_TIMEOUT_MICROS_DEFAULT;
    this.retransmitsMax = options.retransmitsMax ?? RETRANSMITS_MAX_DEFAULT;
    assert(this.replyTimeoutMicros > 0 && Number.isInteger(this.retransmitsMax) && this.retransmitsMax >= 0, 'bad GdbRemote options');
    socket.on('data', (chunk: Buffer) => { this.onBytes(chunk); });
    socket.on('close', () => { this.closed = true; this.wake('closed'); });
    socket.on('error', () => { this.closed = true; this.wake('closed'); });
  }

  /** Connects and learns the stub: qSupported, QStartNoAckMode, vCont?, the target description. */
  static async connect(options: GdbRemoteOptions): Promise<Result<GdbRemote, GdbError>> {
    const socket = await openSocket(options.host ?? '127.0.0.1', options.port, options.connectTimeoutMicros ?? CONNECT_TIMEOUT_MICROS_DEFAULT);
    if (!socket.ok) return socket;
    const remote = new GdbRemote(socket.value, options);
    const learned = await remote.handshake(options.noAckMode ?? true);
    if (!learned.ok) { remote.close(); return learned; }
    return ok(remote);
  }

  /** Register names the target offers (s0–s31 included when they are halves of d0–d15). */
  registerNames(): string[] {
    return [...this.table.keys()];
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Whether packets are still acknowledged ('+'/'-'): false once QStartNoAckMode was accepted. */
  acknowledging(): boolean {
    return this.ackMode;
  }

  /** Bytes and packets the decoder dropped (noise between packets, cut packets), and inbox overflows. */
  statistics(): { readonly droppedBytes: number; readonly cutPackets: number; readonly droppedEvents: number } {
    return { ...this.decoder.statistics(), droppedEvents: this.droppedEvents };
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
    this.wake('closed');
  }

  // -------------------------------------------------------------------------------------
  // Operations

  /** '?': why the target is stopped. */
  haltReason(): Promise<Result<StopReply, GdbError>> {
    return this.stopped('?', async () => {
      const reply = await this.request('?');
      return reply.ok ? this.stopOf('?', reply.value) : reply;
    });
  }

  readRegister(name: string): Promise<Result<bigint, GdbError>> {
    return this.stopped(`read ${name}`, () => this.readRegisterNow(name));
  }

  writeRegister(name: string, value: bigint): Promise<Result<void, GdbError>> {
    return this.stopped(`write ${name}`, () => this.writeRegisterNow(name, value));
  }

  /** 'g': every register the stub sends in one block, by name. */
  readAllRegisters(): Promise<Result<ReadonlyMap<string, bigint>, GdbError>> {
    return this.stopped('g', async () => {
      const block = await this.readBlock();
      if (!block.ok) return block;
      const values = new Map<string, bigint>();
      for (const [entry, hex] of block.value) {
        const value = decodeRegisterHex(hex, entry.bytes);
        if (value.ok) values.set(entry.name, value.value); // 'xx': not available, left out
      }
      return ok(values);
    });
  }

  /** 'G': writes the given registers (all in the 'g' block) in one packet, the others unchanged. */
  writeAllRegisters(values: ReadonlyMap<string, bigint>): Promise<Result<void, GdbError>> {
    return this.stopped('G', async () => {
      const block = await this.readBlock();
      if (!block.ok) return block;
      const covered = new Set([...block.value.keys()].map((e) => e.name));
      const missing = [...values.keys()].find((n) => !covered.has(n));
      if (missing !== undefined) return err({ code: 'bad_argument', reason: `register ${missing} is not in the g block` });
      let hex = '';
      for (const [entry, old] of block.value) {
        const value = values.get(entry.name);
        if (value !== undefined && (value < 0n || value >= 1n << BigInt(8 * entry.bytes))) return err({ code: 'bad_argument', reason: `value does not fit ${entry.name}` });
        hex += value === undefined ? old : encodeRegisterHex(value, entry.bytes);
      }
      return this.expectOk('G', await this.request(`G${hex}`));
    });
  }

  readMemory(address: number, lengthBytes: number): Promise<Result<Uint8Array, GdbError>> {
    const problem = rangeProblem(address, lengthBytes);
    if (problem !== undefined) return Promise.resolve(err({ code: 'bad_argument', reason: problem }));
    return this.stopped('m', () => this.readMemoryNow(address, lengthBytes));
  }

  writeMemory(address: number, bytes: Uint8Array): Promise<Result<void, GdbError>> {
    const problem = rangeProblem(address, bytes.length);
    if (problem !== undefined) return Promise.resolve(err({ code: 'bad_argument', reason: problem }));
    return this.stopped('M', () => this.writeMemoryNow(address, bytes));
  }

  /** One instruction ('vCont;s', or 's'); resolves with the stop reply. */
  step(): Promise<Result<StopReply, GdbError>> {
    return this.stopped('step', async () => {
      const command = this.vCont.s ? 'vCont;s' : 's';
      const sent = await this.send(command);
      if (!sent.ok) return sent;
      return this.awaitStop(command);
    });
  }

  /** Resumes the target ('vCont;c', or 'c'); resolves once the stub has the packet. */
  continue(): Promise<Result<void, GdbError>> {
    return this.stopped('continue', async () => {
      const sent = await this.send(this.vCont.c ? 'vCont;c' : 'c');
      if (sent.ok) this.running = true;
      return sent;
    });
  }

  /** Stops a running target (the 0x03 byte); resolves with its stop reply. */
  interrupt(): Promise<Result<StopReply, GdbError>> {
    return this.serial('interrupt', async () => {
      if (!this.running) return err({ code: 'not_running' });
      if (!this.inbox.some(isStopPacket)) this.socket.write(Uint8Array.of(0x03));
      return this.awaitStop('interrupt');
    });
  }

  /** Waits for a running target to stop by itself (breakpoint, exit). */
  waitForStop(): Promise<Result<StopReply, GdbError>> {
    return this.serial('wait', async () => (this.running ? this.awaitStop('wait') : err({ code: 'not_running' })));
  }

  /** Flips bit `bit` (0 = least significant) of a register; reads it back. */
  flipRegisterBit(name: string, bit: number): Promise<Result<BitFlip, GdbError>> {
    return this.stopped(`flip ${name}`, async () => {
      const entry = this.table.get(name);
      if (entry === undefined) return this.unknown(name);
      if (!Number.isInteger(bit) || bit < 0 || bit >= 8 * entry.bytes) return err({ code: 'bad_argument', reason: `bit ${bit} is not in 0..${8 * entry.bytes - 1} of ${name}` });
      const before = await this.readRegisterNow(name);
      if (!before.ok) return before;
      const written = await this.writeRegisterNow(name, before.value ^ (1n << BigInt(bit)));
      if (!written.ok) return written;
      const after = await this.readRegisterNow(name);
      return after.ok ? ok({ before: before.value, after: after.value }) : after;
    });
  }

  /** Flips bit `bit` counted from the least significant bit of the byte at `address` (bit 9 = bit 1 of address + 1); reads it back. */
  flipMemoryBit(address: number, bit: number): Promise<Result<BitFlip, GdbError>> {
    if (!Number.isInteger(bit) || bit < 0 || bit >= 8 * MEMORY_BYTES_MAX) return Promise.resolve(err({ code: 'bad_argument', reason: `bit ${bit} out of range` }));
    const at = address + Math.floor(bit / 8);
    const problem = rangeProblem(at, 1);
    if (problem !== undefined) return Promise.resolve(err({ code: 'bad_argument', reason: problem }));
    return this.stopped('flip memory', async () => {
      const before = await this.readMemoryNow(at, 1);
      if (!before.ok) return before;
      const old = before.value[0] ?? 0;
      const written = await this.writeMemoryNow(at, Uint8Array.of(old ^ (1 << (bit % 8))));
      if (!written.ok) return written;
      const after = await this.readMemoryNow(at, 1);
      return after.ok ? ok({ before: BigInt(old), after: BigInt(after.value[0] ?? 0) }) : after;
    });
  }

  // -------------------------------------------------------------------------------------
  // Start-up

  private async handshake(noAckMode: boolean): Promise<Result<void, GdbError>> {
    const supported = await this.request('qSupported:multiprocess-;swbreak+;vContSupported+;xmlRegisters=arm');
    if (!supported.ok) return supported;
    const features = parseSupported(bytesText(supported.value));
    if (!features.ok) return err({ code: 'bad_reply', request: 'qSupported', reason: features.error.reason });
    if (features.value.packetBytes !== undefined) this.packetBytes = Math.max(64, Math.min(features.value.packetBytes, 0x4000));
    if (noAckMode && features.value.features.get('QStartNoAckMode') === true) {
      const accepted = await this.request('QStartNoAckMode');
      if (accepted.ok && bytesText(accepted.value) === 'OK') this.ackMode = false;
    }
    const vCont = await this.request('vCont?');
    if (vCont.ok) {
      const actions = bytesText(vCont.value).split(';');
      this.vCont = { c: actions.includes('c'), s: actions.includes('s') };
    }
    const described = features.value.features.get('qXfer:features:read') === true ? await this.describe() : ok(FALLBACK_REGISTERS);
    if (!described.ok) return described;
    const table = registerTable(described.value);
    if (!table.ok) return err({ code: 'bad_reply', request: 'target.xml', reason: table.error.reason });
    this.table = table.value;
    return ok(undefined);
  }

  /** target.xml and the files it includes, breadth first, as one list of registers in order. */
  private async describe(): Promise<Result<RegisterDescription[], GdbError>> {
    const registers: RegisterDescription[] = [];
    const files = ['target.xml'];
    for (let i = 0; i < files.length && i < TARGET_FILES_MAX; i++) {
      const annex = files[i] ?? '';
      const xml = await this.readXfer(annex);
      if (!xml.ok) return xml;
      const parsed = parseTargetXml(xml.value);
      if (!parsed.ok) return err({ code: 'bad_reply', request: annex, reason: parsed.error.reason });
      registers.push(...parsed.value.registers);
      files.splice(i + 1, 0, ...parsed.value.includes.filter((f) => !files.includes(f)));
    }
    return ok(registers);
  }

  private async readXfer(annex: string): Promise<Result<string, GdbError>> {
    let text = '';
    const chunkBytes = this.packetBytes - 8;
    for (let chunk = 0; chunk < XFER_CHUNKS_MAX; chunk++) {
      const request = `qXfer:features:read:${annex}:${text.length.toString(16)},${chunkBytes.toString(16)}`;
      const reply = await this.request(request);
      if (!reply.ok) return reply;
      const part = parseXferChunk(reply.value);
      if (!part.ok) return err({ code: 'bad_reply', request, reason: part.error.reason });
      text += bytesText(part.value.data);
      if (part.value.last) return ok(text);
    }
    return err({ code: 'bad_reply', request: annex, reason: `longer than ${XFER_CHUNKS_MAX} chunks` });
  }

  // -------------------------------------------------------------------------------------
  // Registers and memory (called with the target stopped, inside the queue)

  private unknown(name: string): Result<never, GdbError> {
    return err({ code: 'unknown_register', name, known: this.registerNames() });
  }

  private async readContainer(entry: RegisterEntry): Promise<Result<bigint, GdbError>> {
    const request = `p${entry.regnum.toString(16)}`;
    const reply = await this.request(request);
    if (!reply.ok) return reply;
    const value = decodeRegisterHex(bytesText(reply.value), entry.containerBytes);
    return value.ok ? value : err({ code: 'bad_reply', request, reason: `register value: ${value.error.code}` });
  }

  private async readRegisterNow(name: string): Promise<Result<bigint, GdbError>> {
    const entry = this.table.get(name);
    if (entry === undefined) return this.unknown(name);
    const container = await this.readContainer(entry);
    if (!container.ok) return container;
    return ok((container.value >> BigInt(8 * entry.offsetBytes)) & ((1n << BigInt(8 * entry.bytes)) - 1n));
  }

  private async writeRegisterNow(name: string, value: bigint): Promise<Result<void, GdbError>> {
    const entry = this.table.get(name);
    if (entry === undefined) return this.unknown(name);
    if (value < 0n || value >= 1n << BigInt(8 * entry.bytes)) return err({ code: 'bad_argument', reason: `value does not fit the ${8 * entry.bytes} bits of ${name}` });
    let container = value;
    if (entry.containerBytes !== entry.bytes) {
      const old = await this.readContainer(entry);
      if (!old.ok) return old;
      const shift = BigInt(8 * entry.offsetBytes);
      const mask = ((1n << BigInt(8 * entry.bytes)) - 1n) << shift;
      container = (old.value & ~mask) | (value << shift);
    }
    const request = `P${entry.regnum.toString(16)}=${encodeRegisterHex(container, entry.containerBytes)}`;
    return this.expectOk(request, await this.request(request));
  }

  /** The 'g' block split by register, in register-number order (stops where the block ends). */
  private async readBlock(): Promise<Result<Map<RegisterEntry, string>, GdbError>> {
    const reply = await this.request('g');
    if (!reply.ok) return reply;
    const hex = bytesText(reply.value);
    const entries = [...this.table.values()].filter((e) => e.offsetBytes === 0 && e.bytes === e.containerBytes).sort((a, b) => a.regnum - b.regnum);
    const block = new Map<RegisterEntry, string>();
    let at = 0;
    for (const entry of entries) {
      if (at + 2 * entry.bytes > hex.length) break;
      block.set(entry, hex.slice(at, at + 2 * entry.bytes));
      at += 2 * entry.bytes;
    }
    return block.size > 0 ? ok(block) : err({ code: 'bad_reply', request: 'g', reason: 'empty register block' });
  }

  private async readMemoryNow(address: number, lengthBytes: number): Promise<Result<Uint8Array, GdbError>> {
    const out = new Uint8Array(lengthBytes);
    const chunkBytes = Math.floor((this.packetBytes - 4) / 2);
    for (let done = 0; done < lengthBytes; done += chunkBytes) {
      const count = Math.min(chunkBytes, lengthBytes - done);
      const request = `m${(address + done).toString(16)},${count.toString(16)}`;
      const reply = await this.request(request);
      if (!reply.ok) return reply;
      const bytes = hexDecode(bytesText(reply.value));
      if (!bytes.ok || bytes.value.length !== count) return err({ code: 'bad_reply', request, reason: `expected ${count} bytes of hex` });
      out.set(bytes.value, done);
    }
    return ok(out);
  }

  private async writeMemoryNow(address: number, bytes: Uint8Array): Promise<Result<void, GdbError>> {
    const chunkBytes = Math.floor((this.packetBytes - 32) / 2);
    for (let done = 0; done < bytes.length; done += chunkBytes) {
      const part = bytes.subarray(done, Math.min(bytes.length, done + chunkBytes));
      const written = await this.writeChunk(address + done, part);
      if (!written.ok) return written;
    }
    return ok(undefined);
  }

  /** 'X' (binary) while the stub takes it; 'M' (hex) once it answers 'X' with an empty reply. */
  private async writeChunk(address: number, part: Uint8Array): Promise<Result<void, GdbError>> {
    const head = `${address.toString(16)},${part.length.toString(16)}:`;
    if (this.binaryWrite !== false) {
      const packet = new Uint8Array([...asciiBytes(`X${head}`), ...part]);
      const reply = await this.requestBytes(packet, `X${head}`);
      if (!reply.ok && reply.error.code === 'unsupported') this.binaryWrite = false;
      else { this.binaryWrite = true; return this.expectOk(`X${head}`, reply); }
    }
    return this.expectOk(`M${head}`, await this.request(`M${head}${hexEncode(part)}`));
  }

  private expectOk(request: string, reply: Result<Uint8Array, GdbError>): Result<void, GdbError> {
    if (!reply.ok) return reply;
    const text = bytesText(reply.value);
    return text === 'OK' ? ok(undefined) : err({ code: 'bad_reply', request, reason: `expected OK, got ${JSON.stringify(text.slice(0, 40))}` });
  }

  private stopOf(request: string, payload: Uint8Array): Result<StopReply, GdbError> {
    const stop = parseStopReply(bytesText(payload));
    return stop.ok ? stop : err({ code: 'bad_reply', request, reason: stop.error.reason });
  }

  // -------------------------------------------------------------------------------------
  // Queue, packets and acks

  /** Runs `op` after the operations queued before it. */
  private serial<T>(label: string, op: () => Promise<Result<T, GdbError>>): Promise<Result<T, GdbError>> {
    if (this.queued >= OPERATIONS_QUEUED_MAX) return Promise.resolve(err({ code: 'busy', queuedMax: OPERATIONS_QUEUED_MAX }));
    if (this.closed) return Promise.resolve(err({ code: 'disconnected', request: label }));
    this.queued++;
    const run = this.tail.then(op).finally(() => { this.queued--; });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** As `serial`, for operations that need the target stopped. */
  private stopped<T>(label: string, op: () => Promise<Result<T, GdbError>>): Promise<Result<T, GdbError>> {
    return this.serial(label, () => (this.running ? Promise.resolve(err({ code: 'running' })) : op()));
  }

  private request(command: string): Promise<Result<Uint8Array, GdbError>> {
    return this.requestBytes(asciiBytes(command), command);
  }

  /** Sends a packet and reads its reply: an 'E xx' becomes error_reply, an empty reply unsupported. */
  private async requestBytes(payload: Uint8Array, label: string): Promise<Result<Uint8Array, GdbError>> {
    const request = label.length > 48 ? `${label.slice(0, 48)}…` : label;
    this.discardStale();
    const sent = await this.sendBytes(payload, request);
    if (!sent.ok) return sent;
    const reply = await this.readPacket(request);
    if (!reply.ok) return reply;
    const text = bytesText(reply.value.subarray(0, 4));
    if (reply.value.length === 0) return err({ code: 'unsupported', request });
    const errno = reply.value.length <= 3 || text.startsWith('E.') ? parseErrorReply(bytesText(reply.value)) : undefined;
    return errno === undefined ? reply : err({ code: 'error_reply', request, errno });
  }

  private send(command: string): Promise<Result<void, GdbError>> {
    this.discardStale();
    return this.sendBytes(asciiBytes(command), command);
  }

  /** Writes the packet; in ack mode waits for '+', sending again on '-' up to retransmitsMax times. */
  private async sendBytes(payload: Uint8Array, request: string): Promise<Result<void, GdbError>> {
    const packet = encodeRspPacket(payload);
    const deadline = this.clock.nowMicros() + this.replyTimeoutMicros;
    for (let attempt = 0; attempt <= this.retransmitsMax; attempt++) {
      if (this.closed) return err({ code: 'disconnected', request });
      this.socket.write(packet);
      if (!this.ackMode) return ok(undefined);
      const answer = await this.nextOf(['ack', 'nack', 'packet', 'bad_packet'], deadline, request);
      if (!answer.ok) return answer;
      if (answer.value.kind === 'nack') continue;
      // A reply without its '+' first still means the stub has the packet; the reply is read next.
      if (answer.value.kind !== 'ack') this.inbox.unshift(answer.value);
      return ok(undefined);
    }
    return err({ code: 'retransmit_limit', request, attempts: this.retransmitsMax + 1 });
  }

  /** The next packet; a corrupt one is answered with '-' (ack mode) up to retransmitsMax times. */
  private async readPacket(request: string, timeoutMicros = this.replyTimeoutMicros): Promise<Result<Uint8Array, GdbError>> {
    const deadline = this.clock.nowMicros() + timeoutMicros;
    let lastError: RspPacketError = { code: 'frame_too_long', lengthBytesMax: 0 };
    for (let attempt = 0; attempt <= this.retransmitsMax; attempt++) {
      const event = await this.nextOf(['packet', 'bad_packet'], deadline, request);
      if (!event.ok) return event;
      if (event.value.kind === 'packet') { if (this.ackMode) this.socket.write('+'); return ok(event.value.payload); }
      if (event.value.kind !== 'bad_packet') break;
      lastError = event.value.error;
      if (!this.ackMode) break;
      if (attempt < this.retransmitsMax) this.socket.write('-');
    }
    return err({ code: 'corrupt_reply', request, attempts: this.ackMode ? this.retransmitsMax + 1 : 1, error: lastError });
  }

  /** The next stop reply, skipping console output ('O'); the target is stopped afterwards. */
  private async awaitStop(request: string): Promise<Result<StopReply, GdbError>> {
    for (let skipped = 0; skipped < OUTPUT_PACKETS_MAX; skipped++) {
      const packet = await this.readPacket(request);
      if (!packet.ok) return packet;
      const stop = this.stopOf(request, packet.value);
      if (stop.ok && stop.value.kind === 'output') continue;
      this.running = false;
      return stop;
    }
    return err({ code: 'bad_reply', request, reason: `more than ${OUTPUT_PACKETS_MAX} output packets` });
  }

  /** Drops what arrived while nobody asked (late acks, replies of a timed-out request). */
  private discardStale(): void {
    const stops = this.inbox.filter(isStopPacket);
    this.droppedEvents += this.inbox.length - stops.length;
    this.inbox.length = 0;
    if (this.running) this.inbox.push(...stops);
  }

  private async nextOf(kinds: readonly RspEvent['kind'][], deadlineMicros: number, request: string): Promise<Result<RspEvent, GdbError>> {
    for (let i = 0; i < INBOX_EVENTS_MAX * 4; i++) {
      const event = await this.nextEvent(deadlineMicros);
      if (event === 'closed') return err({ code: 'disconnected', request });
      if (event === 'timeout') return err({ code: 'timeout', request, waitedMicros: this.replyTimeoutMicros });
      if (kinds.includes(event.kind)) return ok(event);
      this.droppedEvents++;
    }
    return err({ code: 'bad_reply', request, reason: 'the stub sends only what was not asked for' });
  }

  private nextEvent(deadlineMicros: number): Promise<RspEvent | 'closed' | 'timeout'> {
    const first = this.inbox.shift();
    if (first !== undefined) return Promise.resolve(first);
    if (this.closed) return Promise.resolve('closed');
    assert(this.waiter === undefined, 'two waits on one gdb connection');
    const leftMicros = Math.max(0, deadlineMicros - this.clock.nowMicros());
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake('timeout'); }, Math.ceil(leftMicros / 1000));
      this.waiter = (event) => { clearTimeout(timer); resolve(event); };
    });
  }

  private wake(event: RspEvent | 'closed' | 'timeout'): boolean {
    const waiter = this.waiter;
    if (waiter === undefined) return false;
    this.waiter = undefined;
    waiter(event);
    return true;
  }

  private onBytes(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      if (this.wake(event)) continue;
      if (this.inbox.length >= INBOX_EVENTS_MAX) { this.inbox.shift(); this.droppedEvents++; }
      this.inbox.push(event);
    }
  }
}

function rangeProblem(address: number, lengthBytes: number): string | undefined {
  if (!Number.isInteger(address) || address < 0 || address > 0xffffffff) return `address ${address} is not 0..0xffffffff`;
  if (!Number.isInteger(lengthBytes) || lengthBytes < 0 || lengthBytes > MEMORY_BYTES_MAX) return `length ${lengthBytes} is not 0..${MEMORY_BYTES_MAX}`;
  return address + lengthBytes > 0x100000000 ? 'the range runs past 0xffffffff' : undefined;
}

function openSocket(host: string, port: number, timeoutMicros: number): Promise<Result<Socket, GdbError>> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => { socket.destroy(); resolve(err({ code: 'connect_failed', reason: `no connection to ${host}:${port} within ${timeoutMicros / 1000} ms` })); }, Math.ceil(timeoutMicros / 1000));
    socket.once('connect', () => { clearTimeout(timer); socket.setNoDelay(true); resolve(ok(socket)); });
    socket.once('error', (e) => { clearTimeout(timer); resolve(err({ code: 'connect_failed', reason: `${host}:${port}: ${e.message}` })); });
  });
}
