/**
 * FrameBus over a serial line speaking the Triplex line format (src/core/frame/serial-line.ts,
 * docs/SERIAL.md): `serialport` for the port, `@serialport/parser-readline` for the lines,
 * wrapped so that line length is bounded (parser-readline alone buffers without limit).
 * Bad lines are counted and dropped; the parser resynchronises at the next LF.
 */
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPort } from 'serialport';
import type { TransformCallback } from 'node:stream';
import { assert } from '../core/assert.js';
import type { CanFrame } from '../core/frame/can.js';
import {
  canFrameProblem, decodeLine, encodeFrameLine, encodeRecordLine, SERIAL_BODY_BYTES_MAX, SERIAL_LINE_BYTES_MAX, SERIAL_LINK_ID_DEFAULT,
  SerialCounterReceiver, SerialCounterSender, SerialType, type SerialLineError, type SerialMessage,
} from '../core/frame/serial-line.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';
import { RealClock } from '../io/real-clock.js';
import type { AdapterFactory, AdapterOptions, OpenError } from './adapter.js';
import type { BusState, BusStatistics, FrameBus, FrameFilter, FrameHandler, SendError, Subscription } from './frame-bus.js';
import { SubscriberList } from './subscribers.js';

const LF = 0x0a;

/**
 * parser-readline with a bound: once the unfinished line passes `lineBytesMax`, its bytes
 * are dropped up to the next LF and `onOverflow` is called once. Memory stays below
 * lineBytesMax plus one incoming chunk, however long the stream runs without a newline.
 */
export class BoundedReadlineParser extends ReadlineParser {
  private discarding = false;

  constructor(private readonly lineBytesMax: number, private readonly onOverflow: () => void) {
    // latin1 maps each byte to one char, so a line's length in chars is its length in bytes.
    super({ delimiter: '\n', encoding: 'latin1' });
    assert(Number.isInteger(lineBytesMax) && lineBytesMax > 0, `bad lineBytesMax ${lineBytesMax}`);
  }

  /** Bytes held for the unfinished line. */
  pendingBytes(): number {
    return this.buffer.length;
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    let rest = chunk;
    if (this.discarding) {
      const at = chunk.indexOf(LF);
      if (at < 0) {
        callback();
        return;
      }
      this.discarding = false;
      rest = chunk.subarray(at + 1);
    }
    super._transform(rest, encoding, (error) => {
      if (this.buffer.length > this.lineBytesMax) {
        this.buffer = Buffer.alloc(0);
        this.discarding = true;
        this.onOverflow();
      }
      callback(error);
    });
  }
}

/** The port surface the bus uses; `SerialPort` and `SerialPortMock` both provide it. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  write(data: Buffer, callback: (error: Error | null | undefined) => void): boolean;
  pipe<T extends NodeJS.WritableStream>(destination: T): T;
  on(event: 'close', listener: () => void): this;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  close(callback?: (error: Error | null) => void): void;
}

export interface SerialLineBusOptions {
  readonly clock: MonotonicClock;
  /** 24-bit link ID both ends agree on; default SERIAL_LINK_ID_DEFAULT. */
  readonly linkId?: number;
  /** Writes in flight before send() answers queue_full; default 256. */
  readonly queueFramesMax?: number;
  /** Channel label for `name`, e.g. the port path. */
  readonly channel?: string;
}

export interface SerialLineStatistics extends BusStatistics {
  readonly linesReceived: number;
  /** Lines that failed to decode, by error code (line_too_long includes parser overflows). */
  readonly badLines: Readonly<Record<SerialLineError['code'], number>>;
  readonly countersLost: number;
  readonly countersRepeated: number;
  readonly wrongSequences: number;
  readonly comments: number;
  readonly writeErrors: number;
}

export type SerialMessageHandler = (message: SerialMessage, timestampMicros: number) => void;

const QUEUE_FRAMES_MAX_DEFAULT = 256;

function zeroBadLines(): Record<SerialLineError['code'], number> {
  return {
    empty_line: 0, line_too_long: 0, unknown_type: 0, bad_hex: 0, odd_hex_length: 0, record_too_short: 0,
    length_mismatch: 0, data_id_mismatch: 0, crc_mismatch: 0, bad_body: 0,
  };
}

export class SerialLineBus implements FrameBus {
  readonly name: string;
  readonly capabilities = { fd: true } as const;
  private readonly linkId: number;
  private readonly queueFramesMax: number;
  private readonly sender = new SerialCounterSender();
  private readonly receiver = new SerialCounterReceiver();
  private readonly parser: BoundedReadlineParser;
  private readonly subscribers = new SubscriberList();
  private readonly messageHandlers: SerialMessageHandler[] = [];
  private readonly badLines = zeroBadLines();
  private writesPending = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private stats = { framesSent: 0, framesReceived: 0, errorFrames: 0, framesDropped: 0, linesReceived: 0, countersLost: 0, countersRepeated: 0, wrongSequences: 0, comments: 0, writeErrors: 0 };

  constructor(private readonly port: SerialPortLike, private readonly options: SerialLineBusOptions) {
    this.linkId = options.linkId ?? SERIAL_LINK_ID_DEFAULT;
    assert(Number.isInteger(this.linkId) && this.linkId >= 0 && this.linkId <= 0xffffff, `link ID ${this.linkId} is not 24-bit`);
    this.queueFramesMax = options.queueFramesMax ?? QUEUE_FRAMES_MAX_DEFAULT;
    this.name = `serial:${options.channel ?? 'port'}`;
    this.parser = new BoundedReadlineParser(SERIAL_LINE_BYTES_MAX, () => { this.countBad('line_too_long'); });
    this.parser.on('data', (line: string) => { this.onLine(Buffer.from(line, 'latin1')); });
    port.pipe(this.parser);
    port.on('close', () => { this.closed = true; });
    port.on('error', () => { this.stats.writeErrors++; });
  }

  send(frame: CanFrame): Result<void, SendError> {
    const problem = frame.error ? 'error frames are made by a CAN controller, not sent' : canFrameProblem(frame);
    if (problem !== undefined) return err({ code: 'invalid_frame', reason: problem });
    const sent = this.sendLine(SerialType.frame, (counter) => {
      const line = encodeFrameLine(frame, counter, this.linkId);
      assert(line.ok, 'frame validated before encoding');
      return line.value;
    });
    if (sent.ok) this.stats.framesSent++;
    return sent;
  }

  /** Sends a non-frame record ('Q' request, 'A' answer, 'E' event) for the rig commands. */
  sendMessage(typeByte: number, body: Uint8Array): Result<void, SendError> {
    if (typeByte !== SerialType.request && typeByte !== SerialType.answer && typeByte !== SerialType.event) {
      return err({ code: 'invalid_frame', reason: `type ${typeByte} is not Q, A or E` });
    }
    if (body.length > SERIAL_BODY_BYTES_MAX) return err({ code: 'invalid_frame', reason: `body of ${body.length} bytes exceeds ${SERIAL_BODY_BYTES_MAX}` });
    return this.sendLine(typeByte, (counter) => encodeRecordLine(typeByte, body, counter, this.linkId));
  }

  /** Receives every decoded non-comment message, frames included (for the firmware bridge). */
  onMessage(handler: SerialMessageHandler): Subscription {
    this.messageHandlers.push(handler);
    return { unsubscribe: () => { remove(this.messageHandlers, handler); } };
  }

  subscribe(handler: FrameHandler, filters?: readonly FrameFilter[]): Subscription {
    return this.subscribers.add(handler, filters);
  }

  state(): BusState {
    return this.closed || !this.port.isOpen ? 'closed' : 'error-active';
  }

  statistics(): SerialLineStatistics {
    return { ...this.stats, badLines: { ...this.badLines }, txErrorCount: 0, rxErrorCount: 0 };
  }

  /** Bytes the parser holds for an unfinished line (bounded by SERIAL_LINE_BYTES_MAX + one chunk). */
  pendingBytes(): number {
    return this.parser.pendingBytes();
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.closed = true;
      if (!this.port.isOpen) {
        resolve();
        return;
      }
      this.port.close(() => { resolve(); });
    });
    return this.closing;
  }

  private sendLine(typeByte: number, encode: (counter: number) => Uint8Array): Result<void, SendError> {
    if (this.state() === 'closed') return err({ code: 'closed' });
    if (this.writesPending >= this.queueFramesMax) return err({ code: 'queue_full', queueFramesMax: this.queueFramesMax });
    const bytes = encode(this.sender.take(typeByte));
    this.writesPending++;
    this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
      this.writesPending--;
      if (error) this.stats.writeErrors++;
    });
    return ok(undefined);
  }

  private countBad(code: SerialLineError['code']): void {
    this.badLines[code]++;
    this.stats.framesDropped++;
  }

  private onLine(line: Uint8Array): void {
    this.stats.linesReceived++;
    const decoded = decodeLine(line, this.linkId);
    if (!decoded.ok) {
      this.countBad(decoded.error.code);
      return;
    }
    const message = decoded.value;
    if (message.kind === 'comment') {
      this.stats.comments++;
      return;
    }
    const typeByte = message.kind === 'frame' ? SerialType.frame : message.kind === 'request' ? SerialType.request : message.kind === 'answer' ? SerialType.answer : SerialType.event;
    if (!this.acceptCounter(typeByte, message.counter)) return;
    const nowMicros = this.options.clock.nowMicros();
    for (const handler of [...this.messageHandlers]) handler(message, nowMicros);
    if (message.kind === 'frame') this.deliver(message.frame, nowMicros);
  }

  private acceptCounter(typeByte: number, counter: number): boolean {
    const { status, lost } = this.receiver.check(typeByte, counter);
    if (status === 'repeated') {
      this.stats.countersRepeated++;
      this.stats.framesDropped++;
      return false;
    }
    this.stats.countersLost += lost;
    if (status === 'wrong_sequence') this.stats.wrongSequences++;
    return true;
  }

  private deliver(frame: CanFrame, nowMicros: number): void {
    this.stats.framesReceived++;
    if (frame.error) this.stats.errorFrames++;
    this.subscribers.dispatch(frame, nowMicros);
  }
}

function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}

export interface OpenSerialLineOptions extends Omit<SerialLineBusOptions, 'channel'> {
  readonly path: string;
  /** UART speed; default 115200 (ignored by USB CDC ports and ptys). */
  readonly baudRate?: number;
}

/** Opens `path` and returns the bus, or an io_error naming the port. */
export async function openSerialLineBus(options: OpenSerialLineOptions): Promise<Result<SerialLineBus, { readonly code: 'io_error'; readonly message: string }>> {
  const port = new SerialPort({ path: options.path, baudRate: options.baudRate ?? 115_200, autoOpen: false });
  const opened = await new Promise<Error | null>((resolve) => { port.open(resolve); });
  if (opened !== null) return err({ code: 'io_error', message: `cannot open serial port ${options.path}: ${opened.message}` });
  return ok(new SerialLineBus(port, { ...options, channel: options.path }));
}

/** The `clock` option of an adapter open: a MonotonicClock, or the real monotonic clock when absent. */
export function clockOption(options: AdapterOptions): MonotonicClock | undefined {
  const clock = options.clock;
  if (clock === undefined) return new RealClock();
  return typeof clock === 'object' && clock !== null && typeof (clock as Partial<MonotonicClock>).nowMicros === 'function' ? clock as MonotonicClock : undefined;
}

/** Reads an optional positive integer option; undefined when absent, an error string when bad. */
export function integerOption(options: AdapterOptions, key: string): number | undefined | string {
  const value = options[key];
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : `option \`${key}\` must be a non-negative integer`;
}

/** 'serial': the Triplex line format on the serial port at `channel` (options: baudRate, linkId, clock). */
export const openSerialAdapter: AdapterFactory = async (options) => {
  const bad = (reason: string): Result<never, OpenError> => err({ code: 'bad_options', adapter: 'serial', reason });
  const clock = clockOption(options);
  if (clock === undefined) return bad('option `clock` must be a MonotonicClock');
  const baudRate = integerOption(options, 'baudRate');
  const linkId = integerOption(options, 'linkId');
  if (typeof baudRate === 'string') return bad(baudRate);
  if (typeof linkId === 'string' || (linkId !== undefined && linkId > 0xffffff)) return bad('option `linkId` must be a 24-bit integer');
  const opened = await openSerialLineBus({ path: options.channel, clock, ...(baudRate === undefined ? {} : { baudRate }), ...(linkId === undefined ? {} : { linkId }) });
  return opened.ok ? opened : err({ code: 'open_failed', adapter: 'serial', message: opened.error.message });
};
