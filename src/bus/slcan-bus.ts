/**
 * FrameBus over a USB-CAN adapter speaking SLCAN (Lawicel ASCII) on a serial port.
 *
 * Open sequence: `C` (close whatever was open; an adapter that was closed answers BEL, which
 * is counted like any BEL), `Sn` (nominal bit rate), `Yn` (FD data bit rate, if asked),
 * `Z1`/`Z0` (timestamps, if asked), then `O` (or `L` listen-only). Commands are written and
 * never waited on: adapters differ in what they answer (CR, `z`/`Z`, or nothing), so answers
 * are only counted. Received frames are delivered with the host's monotonic time, or with the
 * adapter's Z1 timestamps unwrapped onto it.
 */
import { SerialPort } from 'serialport';
import { assert } from '../core/assert.js';
import type { CanFrame } from '../core/frame/can.js';
import {
  decodeSlcanResponse, encodeSlcanCommand, slcanBitrateCode, slcanDataBitrateCode, slcanFrameProblem, SlcanStatusFlag,
  SlcanStreamDecoder, unwrapSlcanTimestamp, type SlcanCommand, type SlcanError, type SlcanResponse,
} from '../core/frame/slcan.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';
import type { BusState, BusStatistics, FrameBus, FrameFilter, FrameHandler, SendError, Subscription } from './frame-bus.js';
import type { AdapterFactory, OpenError } from './adapter.js';
import { clockOption, integerOption, type SerialPortLike } from './serial-line-bus.js';
import { SubscriberList } from './subscribers.js';

export interface SlcanBusOptions {
  readonly clock: MonotonicClock;
  /** Nominal CAN bit rate; one of SLCAN_BITRATES_BPS. Default 500 kbit/s (S6). */
  readonly bitRateBps?: number;
  /** CAN FD data bit rate (Y command); omit for classic CAN. */
  readonly dataBitRateBps?: number;
  /** Open with `L` (listen-only) instead of `O`. */
  readonly listenOnly?: boolean;
  /** Ask for Z1 timestamps and use them for receive times. */
  readonly timestamps?: boolean;
  /** Writes in flight before send() answers queue_full; default 256. */
  readonly queueFramesMax?: number;
  readonly channel?: string;
}

export interface SlcanStatistics extends BusStatistics {
  /** BEL answers: a command the adapter refused (including `C` on a closed adapter at open). */
  readonly adapterErrors: number;
  /** `z`/`Z` transmit acknowledgements and bare-CR answers. */
  readonly txAcks: number;
  readonly okAnswers: number;
  /** Lines that did not decode, by error code. */
  readonly badLines: Readonly<Record<SlcanError['code'], number>>;
  readonly writeErrors: number;
  /** Last `F` status flags the adapter reported (0 until one arrives). */
  readonly statusFlags: number;
  readonly version: string;
}

export type SlcanOpenError =
  | { readonly code: 'unsupported_bitrate'; readonly bitRateBps: number }
  | { readonly code: 'io_error'; readonly message: string };

const QUEUE_FRAMES_MAX_DEFAULT = 256;
function zeroBadLines(): Record<SlcanError['code'], number> {
  return { empty_line: 0, line_too_long: 0, unknown_command: 0, bad_hex: 0, bad_length: 0, bad_argument: 0, bad_frame: 0 };
}

/** The commands that open the adapter, in order. */
export function slcanOpenSequence(options: Pick<SlcanBusOptions, 'bitRateBps' | 'dataBitRateBps' | 'listenOnly' | 'timestamps'>): Result<readonly SlcanCommand[], SlcanOpenError> {
  const bitRateBps = options.bitRateBps ?? 500_000;
  const code = slcanBitrateCode(bitRateBps);
  if (code === undefined) return err({ code: 'unsupported_bitrate', bitRateBps });
  const commands: SlcanCommand[] = [{ kind: 'close' }, { kind: 'bitrate', code }];
  if (options.dataBitRateBps !== undefined) {
    const dataCode = slcanDataBitrateCode(options.dataBitRateBps);
    if (dataCode === undefined) return err({ code: 'unsupported_bitrate', bitRateBps: options.dataBitRateBps });
    commands.push({ kind: 'data_bitrate', code: dataCode });
  }
  if (options.timestamps !== undefined) commands.push({ kind: 'timestamps', on: options.timestamps });
  commands.push(options.listenOnly === true ? { kind: 'listen' } : { kind: 'open' });
  return ok(commands);
}

export class SlcanBus implements FrameBus {
  readonly name: string;
  /** CAN FD (d/D/b/B letters) only when a data bit rate was configured. */
  readonly capabilities: { readonly fd: boolean };
  private readonly decoder = new SlcanStreamDecoder<SlcanResponse>(decodeSlcanResponse);
  private readonly subscribers = new SubscriberList();
  private readonly badLines = zeroBadLines();
  private readonly queueFramesMax: number;
  private writesPending = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private lastStamp: { adapterMillis: number; micros: number; hostMicros: number } | undefined;
  private stats = { framesSent: 0, framesReceived: 0, errorFrames: 0, framesDropped: 0, adapterErrors: 0, txAcks: 0, okAnswers: 0, writeErrors: 0, statusFlags: 0, version: '' };

  constructor(private readonly port: SerialPortLike, private readonly options: SlcanBusOptions) {
    this.queueFramesMax = options.queueFramesMax ?? QUEUE_FRAMES_MAX_DEFAULT;
    this.name = `slcan:${options.channel ?? 'port'}`;
    this.capabilities = { fd: options.dataBitRateBps !== undefined };
    port.on('data', (chunk: Buffer) => { this.decoder.push(chunk, (item) => { this.onAnswer(item); }); });
    port.on('close', () => { this.closed = true; });
    port.on('error', () => { this.stats.writeErrors++; });
  }

  /** Writes the open sequence (see slcanOpenSequence); does not wait for answers. */
  start(): Result<void, SlcanOpenError> {
    const sequence = slcanOpenSequence(this.options);
    if (!sequence.ok) return sequence;
    for (const command of sequence.value) this.writeCommand(command);
    return ok(undefined);
  }

  send(frame: CanFrame): Result<void, SendError> {
    if (this.state() === 'closed') return err({ code: 'closed' });
    const problem = slcanFrameProblem(frame);
    if (problem !== undefined) return err({ code: 'invalid_frame', reason: problem });
    if (frame.fd && !this.capabilities.fd) return err({ code: 'invalid_frame', reason: 'CAN FD needs the dataBitRateBps option' });
    if (this.options.listenOnly === true) return err({ code: 'invalid_frame', reason: 'the adapter was opened listen-only' });
    if (this.writesPending >= this.queueFramesMax) return err({ code: 'queue_full', queueFramesMax: this.queueFramesMax });
    this.writeCommand({ kind: 'frame', frame });
    this.stats.framesSent++;
    return ok(undefined);
  }

  /** Asks the adapter for its status flags (`F`); the answer updates state() and statistics(). */
  requestStatus(): void {
    if (this.state() !== 'closed') this.writeCommand({ kind: 'status' });
  }

  /** Asks for the firmware version (`V`); the answer shows in statistics().version. */
  requestVersion(): void {
    if (this.state() !== 'closed') this.writeCommand({ kind: 'version' });
  }

  subscribe(handler: FrameHandler, filters?: readonly FrameFilter[]): Subscription {
    return this.subscribers.add(handler, filters);
  }

  state(): BusState {
    if (this.closed || !this.port.isOpen) return 'closed';
    return (this.stats.statusFlags & SlcanStatusFlag.errorPassive) !== 0 ? 'error-passive' : 'error-active';
  }

  statistics(): SlcanStatistics {
    return { ...this.stats, badLines: { ...this.badLines }, txErrorCount: 0, rxErrorCount: 0 };
  }

  /** Sends `C`, then closes the port. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      if (this.closed || !this.port.isOpen) {
        this.closed = true;
        resolve();
        return;
      }
      this.writeCommand({ kind: 'close' });
      this.closed = true;
      this.port.close(() => { resolve(); });
    });
    return this.closing;
  }

  private writeCommand(command: SlcanCommand): void {
    const text = encodeSlcanCommand(command);
    assert(text.ok, 'commands are validated before they are written');
    this.writesPending++;
    this.port.write(Buffer.from(text.value, 'latin1'), (error) => {
      this.writesPending--;
      if (error) this.stats.writeErrors++;
    });
  }

  private onAnswer(item: Result<SlcanResponse, SlcanError> | 'bel'): void {
    if (item === 'bel') {
      this.stats.adapterErrors++;
      return;
    }
    if (!item.ok) {
      this.badLines[item.error.code]++;
      this.stats.framesDropped++;
      return;
    }
    const answer = item.value;
    switch (answer.kind) {
      case 'ok': this.stats.okAnswers++; return;
      case 'error': this.stats.adapterErrors++; return;
      case 'tx_ack': this.stats.txAcks++; return;
      case 'status': this.stats.statusFlags = answer.flags; return;
      case 'version': this.stats.version = answer.text; return;
      case 'serial': return;
      case 'frame': this.deliver(answer.frame, this.receiveMicros(answer.timestampMillis)); return;
    }
  }

  private receiveMicros(timestampMillis: number | undefined): number {
    const hostMicros = this.options.clock.nowMicros();
    if (timestampMillis === undefined || this.options.timestamps !== true) return hostMicros;
    const micros = unwrapSlcanTimestamp(this.lastStamp, timestampMillis, hostMicros);
    this.lastStamp = { adapterMillis: timestampMillis, micros, hostMicros };
    return micros;
  }

  private deliver(frame: CanFrame, micros: number): void {
    this.stats.framesReceived++;
    this.subscribers.dispatch(frame, micros);
  }
}

export interface OpenSlcanOptions extends Omit<SlcanBusOptions, 'channel'> {
  readonly path: string;
  /** Serial speed for UART adapters; default 115200 (ignored by USB CDC adapters and ptys). */
  readonly baudRate?: number;
}

/** Opens the port, writes the open sequence, and returns the bus. */
export async function openSlcanBus(options: OpenSlcanOptions): Promise<Result<SlcanBus, SlcanOpenError>> {
  const sequence = slcanOpenSequence(options);
  if (!sequence.ok) return sequence;
  const port = new SerialPort({ path: options.path, baudRate: options.baudRate ?? 115_200, autoOpen: false });
  const opened = await new Promise<Error | null>((resolve) => { port.open(resolve); });
  if (opened !== null) return err({ code: 'io_error', message: `cannot open SLCAN adapter ${options.path}: ${opened.message}` });
  const bus = new SlcanBus(port, { ...options, channel: options.path });
  const started = bus.start();
  assert(started.ok, 'open sequence was checked above');
  return ok(bus);
}

/**
 * 'slcan': a USB-CAN adapter at serial port `channel` (options: bitRateBps, dataBitRateBps,
 * listenOnly, timestamps, baudRate, clock).
 */
export const openSlcanAdapter: AdapterFactory = async (options) => {
  const bad = (reason: string): Result<never, OpenError> => err({ code: 'bad_options', adapter: 'slcan', reason });
  const clock = clockOption(options);
  if (clock === undefined) return bad('option `clock` must be a MonotonicClock');
  const numbers: Record<string, number> = {};
  for (const key of ['bitRateBps', 'dataBitRateBps', 'baudRate']) {
    const value = integerOption(options, key);
    if (typeof value === 'string') return bad(value);
    if (value !== undefined) numbers[key] = value;
  }
  const flags: Record<string, boolean> = {};
  for (const key of ['listenOnly', 'timestamps']) {
    const value = options[key];
    if (value !== undefined && typeof value !== 'boolean') return bad(`option \`${key}\` must be true or false`);
    if (value !== undefined) flags[key] = value;
  }
  const opened = await openSlcanBus({ path: options.channel, clock, ...numbers, ...flags });
  if (opened.ok) return opened;
  return opened.error.code === 'unsupported_bitrate'
    ? bad(`SLCAN has no code for ${opened.error.bitRateBps} bit/s (S0..S8: 10k, 20k, 50k, 100k, 125k, 250k, 500k, 800k, 1M; Y0..Y5: 0.5M..5M)`)
    : err({ code: 'open_failed', adapter: 'slcan', message: opened.error.message });
};
