/**
 * FrameBus over Linux SocketCAN through the optional `socketcan` package (sebi2k1/node-can).
 *
 * The package is not a dependency: it needs Linux, Node ≥ 22 and a native build (node-gyp),
 * so it is loaded lazily with a variable specifier (TypeScript needs no types for it) and,
 * when missing, opening a SocketCAN bus fails with one line saying what to install.
 * Version choice (docs/SERIAL.md): socketcan 4.2.x — the first line built on node-addon-api
 * (N-API, so one build survives Node upgrades), `engines: node >=22.0.0`; 4.3 narrows engines
 * to ^22.22.2 || ^24.15.0 || >=26 and 4.0.x still builds against nan for each Node ABI.
 */
import { CAN_CLASSIC_DATA_BYTES_MAX, type CanFrame } from '../core/frame/can.js';
import { canFrameProblem } from '../core/frame/serial-line.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';
import type { AdapterFactory } from './adapter.js';
import { clockOption } from './serial-line-bus.js';
import type { BusState, BusStatistics, FrameBus, FrameFilter, FrameHandler, SendError, Subscription } from './frame-bus.js';
import { SubscriberList } from './subscribers.js';

export const SOCKETCAN_PACKAGE_VERSION = '4.2';
export const SOCKETCAN_MISSING_MESSAGE =
  `SocketCAN needs the optional package socketcan@${SOCKETCAN_PACKAGE_VERSION} (Linux, Node ≥ 22, native build): npm install socketcan@${SOCKETCAN_PACKAGE_VERSION}`;

/** The part of node-can's message object this adapter reads and writes. */
export interface SocketCanMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Buffer;
}

/** The part of node-can's RawChannel this adapter uses. */
export interface SocketCanChannel {
  addListener(event: 'onMessage' | 'onStopped', callback: (message: SocketCanMessage) => void): void;
  start(): void;
  stop(): void;
  send(message: SocketCanMessage): void;
  sendFD?(message: SocketCanMessage): void;
}

export interface SocketCanModule {
  createRawChannelWithOptions(channel: string, options: { timestamps?: boolean; non_block_send?: boolean }): SocketCanChannel;
}

export type SocketCanError =
  | { readonly code: 'package_missing'; readonly message: string }
  | { readonly code: 'io_error'; readonly message: string };

/** Loads `socketcan` by a specifier TypeScript does not resolve; a test may pass its own loader. */
export type SocketCanLoader = () => Promise<unknown>;

const defaultLoader: SocketCanLoader = () => {
  const specifier: string = 'socketcan';
  return import(specifier);
};

function asModule(loaded: unknown): SocketCanModule | undefined {
  if (typeof loaded !== 'object' || loaded === null) return undefined;
  const candidates = [loaded, (loaded as { default?: unknown }).default];
  for (const candidate of candidates) {
    if (typeof candidate === 'object' && candidate !== null && typeof (candidate as Partial<SocketCanModule>).createRawChannelWithOptions === 'function') {
      return candidate as SocketCanModule;
    }
  }
  return undefined;
}

/** Loads the package; a missing or unusable package gives the one-line install message. */
export async function loadSocketCan(loader: SocketCanLoader = defaultLoader): Promise<Result<SocketCanModule, SocketCanError>> {
  try {
    const module = asModule(await loader());
    return module === undefined ? err({ code: 'package_missing', message: SOCKETCAN_MISSING_MESSAGE }) : ok(module);
  } catch {
    return err({ code: 'package_missing', message: SOCKETCAN_MISSING_MESSAGE });
  }
}

export interface SocketCanBusOptions {
  /** Interface name: can0, vcan0, ... */
  readonly channel: string;
  readonly clock: MonotonicClock;
  readonly loader?: SocketCanLoader;
}

export class SocketCanBus implements FrameBus {
  readonly name: string;
  private readonly subscribers = new SubscriberList();
  private closed = false;
  private readonly stats = { framesSent: 0, framesReceived: 0, errorFrames: 0, framesDropped: 0, txErrorCount: 0, rxErrorCount: 0 };

  constructor(private readonly raw: SocketCanChannel, channel: string, private readonly clock: MonotonicClock) {
    this.name = `socketcan:${channel}`;
    raw.addListener('onMessage', (message) => { this.onMessage(message); });
    raw.addListener('onStopped', () => { this.closed = true; });
    raw.start();
  }

  send(frame: CanFrame): Result<void, SendError> {
    if (this.closed) return err({ code: 'closed' });
    const problem = canFrameProblem(frame);
    if (problem !== undefined) return err({ code: 'invalid_frame', reason: problem });
    if (frame.error) return err({ code: 'invalid_frame', reason: 'error frames are made by the controller, not sent' });
    const message: SocketCanMessage = { id: frame.id, ext: frame.extended, rtr: frame.rtr, data: Buffer.from(frame.rtr ? new Uint8Array(frame.rtrLength ?? 0) : frame.data) };
    try {
      if (frame.fd) {
        if (this.raw.sendFD === undefined) return err({ code: 'invalid_frame', reason: 'this socketcan version cannot send CAN FD' });
        this.raw.sendFD(message);
      } else {
        this.raw.send(message);
      }
    } catch (error) {
      // non_block_send: a full socket buffer raises EAGAIN/ENOBUFS.
      return err({ code: 'io_error', message: error instanceof Error ? error.message : String(error) });
    }
    this.stats.framesSent++;
    return ok(undefined);
  }

  subscribe(handler: FrameHandler, filters?: readonly FrameFilter[]): Subscription {
    return this.subscribers.add(handler, filters);
  }

  state(): BusState {
    return this.closed ? 'closed' : 'error-active';
  }

  statistics(): BusStatistics {
    return { ...this.stats };
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.raw.stop();
    }
    return Promise.resolve();
  }

  private onMessage(message: SocketCanMessage): void {
    const frame = frameOf(message);
    if (frame === undefined) {
      this.stats.framesDropped++;
      return;
    }
    this.stats.framesReceived++;
    if (frame.error) this.stats.errorFrames++;
    const nowMicros = this.clock.nowMicros();
    this.subscribers.dispatch(frame, nowMicros);
  }
}

/** node-can's message as a CanFrame, or undefined when it is not a valid frame. */
export function frameOf(message: SocketCanMessage): CanFrame | undefined {
  const rtr = message.rtr === true;
  const data = new Uint8Array(message.data);
  const frame: CanFrame = {
    id: message.id,
    extended: message.ext === true,
    rtr,
    ...(rtr ? { rtrLength: data.length } : {}),
    fd: !rtr && data.length > CAN_CLASSIC_DATA_BYTES_MAX,
    brs: false,
    esi: false,
    error: message.err === true,
    data: rtr ? new Uint8Array(0) : data,
  };
  return canFrameProblem(frame) === undefined ? frame : undefined;
}

/** Loads `socketcan` and opens a raw channel on `options.channel`. */
export async function openSocketCanBus(options: SocketCanBusOptions): Promise<Result<SocketCanBus, SocketCanError>> {
  const module = await loadSocketCan(options.loader);
  if (!module.ok) return module;
  try {
    const raw = module.value.createRawChannelWithOptions(options.channel, { timestamps: false, non_block_send: true });
    return ok(new SocketCanBus(raw, options.channel, options.clock));
  } catch (error) {
    return err({ code: 'io_error', message: `cannot open SocketCAN interface ${options.channel}: ${error instanceof Error ? error.message : String(error)}` });
  }
}

/** 'socketcan': the Linux CAN interface `channel` (can0, vcan0) through the optional socketcan package. */
export const openSocketCanAdapter: AdapterFactory = async (options) => {
  const clock = clockOption(options);
  if (clock === undefined) return err({ code: 'bad_options', adapter: 'socketcan', reason: 'option `clock` must be a MonotonicClock' });
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(options.channel)) return err({ code: 'bad_options', adapter: 'socketcan', reason: `bad interface name '${options.channel}'` });
  const loader = typeof options.loader === 'function' ? options.loader as SocketCanLoader : undefined;
  const opened = await openSocketCanBus({ channel: options.channel, clock, ...(loader === undefined ? {} : { loader }) });
  return opened.ok ? opened : err({ code: 'open_failed', adapter: 'socketcan', message: opened.error.message });
};
