/**
 * An emulated SLCAN (Lawicel) USB-CAN adapter: serves the SLCAN protocol on a serial port
 * (in tests, one end of a socat pty pair) and is backed by a FrameBus node, normally a node
 * of the emulated CAN bus. Host software that talks to a real adapter talks to this one.
 *
 * Behaviour, as a Lawicel CANUSB: configuration (S, s, Y, Z) only while closed; O/L/C switch
 * the channel; t/T/r/R (and the CANable 2 FD letters d/D/b/B) transmit while open and not
 * listen-only; F, V, N answer at any time; anything else answers BEL. The answer after a
 * transmit is configurable ('lawicel': z/Z CR, 'cr': CR, 'none') so hosts can be tested
 * against adapters that send no acknowledgement.
 */
import { SerialPort } from 'serialport';
import { assert } from '../core/assert.js';
import type { CanFrame } from '../core/frame/can.js';
import {
  decodeSlcanCommand, encodeSlcanResponse, SLCAN_BITRATES_BPS, SLCAN_TIMESTAMP_WRAP_MILLIS, slcanFrameProblem,
  SlcanStreamDecoder, type SlcanCommand, type SlcanError, type SlcanResponse,
} from '../core/frame/slcan.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';
import type { FrameBus, Subscription } from './frame-bus.js';
import type { SerialPortLike } from './serial-line-bus.js';

export type SlcanAckStyle = 'lawicel' | 'cr' | 'none';

export interface SlcanDeviceOptions {
  /** The node on the (emulated) bus that this adapter is plugged into. */
  readonly node: FrameBus;
  readonly clock: MonotonicClock;
  /** Bit rate of the bus behind the adapter; opening at another S rate answers BEL. */
  readonly busBitRateBps?: number;
  readonly ackStyle?: SlcanAckStyle;
  /** Text after `V` and `N` (4 characters on a Lawicel adapter). */
  readonly version?: string;
  readonly serialNumber?: string;
}

export interface SlcanDeviceStatistics {
  readonly commands: number;
  readonly refused: number;
  readonly badLines: number;
  readonly framesToBus: number;
  readonly framesToHost: number;
  /** Bus frames SLCAN cannot express (error frames, ESI) or received while closed. */
  readonly framesNotForwarded: number;
}

type Channel = 'closed' | 'open' | 'listen';

export class SlcanDevice {
  private readonly decoder = new SlcanStreamDecoder<SlcanCommand>(decodeSlcanCommand);
  private channel: Channel = 'closed';
  private bitRateCode = 4; // Lawicel power-on default: 125 kbit/s
  private timestamps = false;
  private subscription: Subscription | undefined;
  private closing: Promise<void> | undefined;
  private readonly stats = { commands: 0, refused: 0, badLines: 0, framesToBus: 0, framesToHost: 0, framesNotForwarded: 0 };

  constructor(private readonly port: SerialPortLike, private readonly options: SlcanDeviceOptions) {
    port.on('data', (chunk: Buffer) => { this.decoder.push(chunk, (item) => { this.onCommand(item); }); });
    port.on('error', () => { this.stats.badLines++; });
  }

  statistics(): SlcanDeviceStatistics {
    return { ...this.stats };
  }

  isOpen(): boolean {
    return this.channel !== 'closed';
  }

  /** Stops forwarding and closes the port (the node is the caller's to close). */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.subscription?.unsubscribe();
      this.subscription = undefined;
      this.channel = 'closed';
      if (!this.port.isOpen) {
        resolve();
        return;
      }
      this.port.close(() => { resolve(); });
    });
    return this.closing;
  }

  private reply(response: SlcanResponse): void {
    if (!this.port.isOpen) return;
    this.port.write(Buffer.from(encodeSlcanResponse(response), 'latin1'), () => undefined);
  }

  private refuse(): void {
    this.stats.refused++;
    this.reply({ kind: 'error' });
  }

  private onCommand(item: Result<SlcanCommand, SlcanError> | 'bel'): void {
    if (item === 'bel' || !item.ok) {
      // A host never sends BEL; garbage and bad lines are refused like unknown commands.
      this.stats.badLines++;
      this.refuse();
      return;
    }
    this.stats.commands++;
    const answer = this.execute(item.value);
    if (answer === 'refuse') this.refuse();
    else if (answer !== 'silent') this.reply(answer);
  }

  private execute(command: SlcanCommand): SlcanResponse | 'refuse' | 'silent' {
    switch (command.kind) {
      case 'open': case 'listen': return this.openChannel(command.kind === 'open' ? 'open' : 'listen');
      case 'close':
        if (this.channel === 'closed') return 'refuse';
        this.subscription?.unsubscribe();
        this.subscription = undefined;
        this.channel = 'closed';
        return { kind: 'ok' };
      case 'bitrate': return this.configure(() => { this.bitRateCode = command.code; });
      case 'btr': return 'refuse'; // the emulated controller has no SJA1000 registers
      case 'data_bitrate': return this.configure(() => undefined);
      case 'timestamps': return this.configure(() => { this.timestamps = command.on; });
      case 'status': return { kind: 'status', flags: 0 };
      case 'version': return { kind: 'version', text: this.options.version ?? '1013' };
      case 'serial': return { kind: 'serial', text: this.options.serialNumber ?? 'TPX1' };
      case 'frame': return this.transmit(command.frame);
    }
  }

  private configure(apply: () => void): SlcanResponse | 'refuse' {
    if (this.channel !== 'closed') return 'refuse';
    apply();
    return { kind: 'ok' };
  }

  private openChannel(mode: 'open' | 'listen'): SlcanResponse | 'refuse' {
    if (this.channel !== 'closed') return 'refuse';
    const wanted = this.options.busBitRateBps;
    if (wanted !== undefined && SLCAN_BITRATES_BPS[this.bitRateCode] !== wanted) return 'refuse';
    this.channel = mode;
    this.subscription = this.options.node.subscribe((frame) => { this.forward(frame); });
    return { kind: 'ok' };
  }

  private transmit(frame: CanFrame): SlcanResponse | 'refuse' | 'silent' {
    if (this.channel !== 'open') return 'refuse';
    const sent = this.options.node.send(frame);
    if (!sent.ok) return 'refuse';
    this.stats.framesToBus++;
    switch (this.options.ackStyle ?? 'lawicel') {
      case 'lawicel': return { kind: 'tx_ack', extended: frame.extended };
      case 'cr': return { kind: 'ok' };
      case 'none': return 'silent';
    }
  }

  private forward(frame: CanFrame): void {
    if (this.channel === 'closed' || slcanFrameProblem(frame) !== undefined) {
      this.stats.framesNotForwarded++;
      return;
    }
    this.stats.framesToHost++;
    if (!this.timestamps) {
      this.reply({ kind: 'frame', frame });
      return;
    }
    const millis = Math.floor(this.options.clock.nowMicros() / 1000) % SLCAN_TIMESTAMP_WRAP_MILLIS;
    this.reply({ kind: 'frame', frame, timestampMillis: millis });
  }
}

/** Opens `path` (e.g. one end of a pty pair) and serves SLCAN on it. */
export async function startSlcanDevice(path: string, options: SlcanDeviceOptions): Promise<Result<SlcanDevice, { readonly code: 'io_error'; readonly message: string }>> {
  const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
  const opened = await new Promise<Error | null>((resolve) => { port.open(resolve); });
  if (opened !== null) return err({ code: 'io_error', message: `cannot open ${path} for the SLCAN device: ${opened.message}` });
  const device = new SlcanDevice(port, options);
  assert(!device.isOpen(), 'a new device starts closed');
  return ok(device);
}
