/**
 * One board on a serial port (docs/HIL.md): the host's half of the rig command protocol
 * (docs/RIG-PROTOCOL.md, codec src/core/frame/rig-command.ts) over the Triplex serial line
 * (src/bus/serial-line-bus.ts).
 *
 * - Lockstep: `exchange(sensorFrames)` sends the cycle's sensor frames and a TICK, then waits
 *   for the TICK answer; the command and status frames the board sends before it are returned.
 *   Every wait has a deadline (`replyTimeoutMicros`) kept by Node's timers, which run on the
 *   monotonic clock; durations are measured on the injected MonotonicClock.
 * - Unplug / replug: when the port closes (USB pulled, pty gone) the session is disconnected;
 *   every `reconnectEveryMicros` an exchange tries to reopen the same path. While it is gone or
 *   silent the board sends no commands, so the voter isolates the channel; once it answers and
 *   agrees again the voter reintegrates it. The session object itself lives on.
 * - Statistics: round-trip latency (TICK sent → answer) in a bounded ring; timeouts, reconnects,
 *   stale answers.
 */
import { openSerialLineBus, type SerialLineBus } from '../bus/serial-line-bus.js';
import type { Subscription } from '../bus/frame-bus.js';
import { assert } from '../core/assert.js';
import type { CanFrame } from '../core/frame/can.js';
import { decodeRigAnswer, encodeRigRequest, type RigRequest, type RigResult, type RigSpace, type TickResult } from '../core/frame/rig-command.js';
import { SerialType, type SerialMessage } from '../core/frame/serial-line.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';

export const PENDING_REQUESTS_MAX = 16;
export const INBOX_FRAMES_MAX = 16;
export const LATENCY_SAMPLES_MAX = 1 << 16;
export const RECONNECT_EVERY_MICROS_DEFAULT = 500_000;
export const COMMAND_TIMEOUT_MICROS_DEFAULT = 1_000_000;

export type OpenPort = (path: string, baud: number, clock: MonotonicClock) => Promise<Result<SerialLineBus, string>>;

export interface BoardSessionOptions {
  readonly path: string;
  readonly baud: number;
  readonly clock: MonotonicClock;
  /** Deadline of a cycle's answers (TICK, setpoint): a fraction of the period. */
  readonly replyTimeoutMicros: number;
  /** Deadline of console and start-up commands (RESET, FLIP, PEEK, STATUS…); default 1 s. */
  readonly commandTimeoutMicros?: number;
  readonly reconnectEveryMicros?: number;
  /** Opens the port; default: the real serial port (tests pass a mock). */
  readonly open?: OpenPort;
}

export type BoardError =
  | { readonly code: 'timeout'; readonly waitedMicros: number }
  | { readonly code: 'disconnected' }
  | { readonly code: 'send_failed'; readonly reason: string }
  | { readonly code: 'refused'; readonly status: string }
  | { readonly code: 'bad_answer'; readonly reason: string }
  | { readonly code: 'busy'; readonly pendingMax: number };

export function formatBoardError(e: BoardError): string {
  switch (e.code) {
    case 'timeout': return `no answer within ${(e.waitedMicros / 1000).toFixed(1)} ms`;
    case 'disconnected': return 'the board is disconnected';
    case 'send_failed': return `send failed: ${e.reason}`;
    case 'refused': return `the board answered ${e.status}`;
    case 'bad_answer': return `bad answer: ${e.reason}`;
    case 'busy': return `more than ${e.pendingMax} requests waiting`;
  }
}

export interface ExchangeResult {
  readonly tick: TickResult;
  /** Frames (command, status) the board sent during the exchange, in order. */
  readonly frames: readonly CanFrame[];
  readonly roundTripMicros: number;
}

export interface BoardSessionStatistics {
  readonly connected: boolean;
  readonly exchanges: number;
  readonly timeouts: number;
  readonly reconnects: number;
  readonly staleAnswers: number;
  readonly framesIgnored: number;
  readonly latencyP50Micros: number;
  readonly latencyP99Micros: number;
  readonly latencyMaxMicros: number;
}

type RequestBody = RigRequest extends infer R ? (R extends { readonly tag: number } ? Omit<R, 'tag'> : never) : never;

interface Pending {
  readonly opcode: number;
  readonly space: RigSpace;
  readonly resolve: (r: Result<RigResult, BoardError>) => void;
  readonly timer: NodeJS.Timeout;
}

const defaultOpen: OpenPort = async (path, baud, clock) => {
  const opened = await openSerialLineBus({ path, baudRate: baud, clock });
  return opened.ok ? ok(opened.value) : err(opened.error.message);
};

/** Percentile of unsorted samples (nearest rank); 0 for none. */
export function percentile(samples: Float64Array, count: number, q: number): number {
  if (count === 0) return 0;
  const sorted = samples.slice(0, count).sort();
  return sorted[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))] ?? 0;
}

export class BoardSession {
  private bus: SerialLineBus | undefined;
  private subscriptions: Subscription[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly inbox: CanFrame[] = [];
  private collecting = false;
  private nextTag = 0;
  private lastAttemptMicros = Number.NEGATIVE_INFINITY;
  private reopening = false;
  private readonly latency = new Float64Array(LATENCY_SAMPLES_MAX);
  private latencyCount = 0;
  private latencyNext = 0;
  private stats = { exchanges: 0, timeouts: 0, reconnects: 0, staleAnswers: 0, framesIgnored: 0 };
  private readonly open: OpenPort;

  private constructor(private readonly options: BoardSessionOptions) {
    assert(options.replyTimeoutMicros > 0, 'reply timeout must be positive');
    this.open = options.open ?? defaultOpen;
  }

  /** Opens the port; the first open must succeed (a wrong path is a configuration error). */
  static async connect(options: BoardSessionOptions): Promise<Result<BoardSession, string>> {
    const session = new BoardSession(options);
    const opened = await session.open(options.path, options.baud, options.clock);
    if (!opened.ok) return err(opened.error);
    session.attach(opened.value);
    return ok(session);
  }

  get path(): string {
    return this.options.path;
  }

  get connected(): boolean {
    return this.bus !== undefined && this.bus.state() !== 'closed';
  }

  /** One lockstep cycle: sensor frames, TICK, the board's frames and tick report. */
  async exchange(sensorFrames: readonly CanFrame[]): Promise<Result<ExchangeResult, BoardError>> {
    const bus = this.usableBus();
    if (bus === undefined) return err({ code: 'disconnected' });
    this.inbox.length = 0;
    this.collecting = true;
    for (const frame of sensorFrames) {
      const sent = bus.send(frame);
      if (!sent.ok) {
        this.collecting = false;
        return err({ code: 'send_failed', reason: sent.error.code });
      }
    }
    const started = this.options.clock.nowMicros();
    const answer = await this.request({ op: 'tick' }, this.options.replyTimeoutMicros);
    this.collecting = false;
    if (!answer.ok) return answer;
    if (answer.value.op !== 'tick') return err({ code: 'bad_answer', reason: `expected a tick report, got ${answer.value.op}` });
    const roundTripMicros = this.options.clock.nowMicros() - started;
    this.recordLatency(roundTripMicros);
    this.stats.exchanges++;
    return ok({ tick: answer.value.tick, frames: this.inbox.splice(0), roundTripMicros });
  }

  /** Sends one rig command and waits for its answer, at most `timeoutMicros` (default: the command timeout). */
  request(body: RequestBody, timeoutMicros = this.options.commandTimeoutMicros ?? COMMAND_TIMEOUT_MICROS_DEFAULT): Promise<Result<RigResult, BoardError>> {
    const bus = this.usableBus();
    if (bus === undefined) return Promise.resolve(err({ code: 'disconnected' }));
    if (this.pending.size >= PENDING_REQUESTS_MAX) return Promise.resolve(err({ code: 'busy', pendingMax: PENDING_REQUESTS_MAX }));
    const tag = this.takeTag();
    const encoded = encodeRigRequest({ ...body, tag });
    if (!encoded.ok) return Promise.resolve(err({ code: 'send_failed', reason: encoded.error.reason }));
    return new Promise((resolve) => {
      const waitedMicros = timeoutMicros;
      const timer = setTimeout(() => {
        this.pending.delete(tag);
        this.stats.timeouts++;
        resolve(err({ code: 'timeout', waitedMicros }));
      }, Math.max(1, Math.ceil(waitedMicros / 1000)));
      this.pending.set(tag, { opcode: encoded.value[0] ?? 0, space: body.op === 'peek' ? body.space : 'mem', resolve, timer });
      const sent = bus.sendMessage(SerialType.request, encoded.value);
      if (!sent.ok) this.settle(tag, err({ code: 'send_failed', reason: sent.error.code }));
    });
  }

  statistics(): BoardSessionStatistics {
    return {
      connected: this.connected, ...this.stats,
      latencyP50Micros: percentile(this.latency, this.latencyCount, 0.5),
      latencyP99Micros: percentile(this.latency, this.latencyCount, 0.99),
      latencyMaxMicros: percentile(this.latency, this.latencyCount, 1),
    };
  }

  async close(): Promise<void> {
    for (const tag of [...this.pending.keys()]) this.settle(tag, err({ code: 'disconnected' }));
    const bus = this.bus;
    this.detach();
    await bus?.close();
  }

  private takeTag(): number {
    for (let k = 0; k < 256; k++) {
      const tag = this.nextTag;
      this.nextTag = (this.nextTag + 1) & 0xff;
      if (!this.pending.has(tag)) return tag;
    }
    assert(false, 'no free tag with at most PENDING_REQUESTS_MAX pending');
  }

  private settle(tag: number, result: Result<RigResult, BoardError>): void {
    const p = this.pending.get(tag);
    if (p === undefined) return;
    clearTimeout(p.timer);
    this.pending.delete(tag);
    p.resolve(result);
  }

  private attach(bus: SerialLineBus): void {
    this.bus = bus;
    this.subscriptions = [
      bus.onMessage((m) => { this.onMessage(m); }),
      bus.subscribe((frame) => {
        if (this.collecting && this.inbox.length < INBOX_FRAMES_MAX) this.inbox.push(frame);
        else this.stats.framesIgnored++;
      }),
    ];
  }

  private detach(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    this.bus = undefined;
  }

  private onMessage(message: SerialMessage): void {
    if (message.kind !== 'answer') return;
    const p = this.pending.get(message.tag);
    if (p === undefined || p.opcode !== message.opcode) {
      this.stats.staleAnswers++;
      return;
    }
    const decoded = decodeRigAnswer(message.opcode, message.status, message.payload, p.space);
    if (!decoded.ok) {
      this.settle(message.tag, err({ code: 'bad_answer', reason: decoded.error.code }));
      return;
    }
    const { status, result } = decoded.value;
    this.settle(message.tag, status === 'ok' || status === 'uncorrectable' ? ok(result) : err({ code: 'refused', status }));
  }

  /** The bus when it is open; otherwise starts a (rate-limited, background) reopen and returns undefined. */
  private usableBus(): SerialLineBus | undefined {
    if (this.connected) return this.bus;
    if (this.bus !== undefined) {
      for (const tag of [...this.pending.keys()]) this.settle(tag, err({ code: 'disconnected' }));
      this.detach();
    }
    const now = this.options.clock.nowMicros();
    if (this.reopening || now - this.lastAttemptMicros < (this.options.reconnectEveryMicros ?? RECONNECT_EVERY_MICROS_DEFAULT)) return undefined;
    this.lastAttemptMicros = now;
    this.reopening = true;
    void this.open(this.options.path, this.options.baud, this.options.clock).then((opened) => {
      this.reopening = false;
      if (!opened.ok) return;
      this.attach(opened.value);
      this.stats.reconnects++;
    });
    return undefined;
  }

  private recordLatency(micros: number): void {
    this.latency[this.latencyNext] = micros;
    this.latencyNext = (this.latencyNext + 1) % LATENCY_SAMPLES_MAX;
    if (this.latencyCount < LATENCY_SAMPLES_MAX) this.latencyCount++;
  }
}
