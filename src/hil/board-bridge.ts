/**
 * Boards in the flight loop (docs/HIL.md). Each board channel replaces its emulated twin: a
 * node on the flight's emulated bus collects the cycle's IMU frames, the bridge hands them to
 * the board, and the board's command and status frames go back onto the bus from that node,
 * before the voter votes. The plant and the sensors stay on the host.
 *
 * Cycle k (period P): the flight runs to kP + P/2 (sensor frames sent at kP, emulated channels
 * computed at kP + P/4), every board exchanges (lockstep: frames + TICK, wait with a timeout),
 * the board frames are queued on the bus, and the flight runs to the end of the cycle (vote at
 * kP + 3P/4). Sensor-to-voted-command latency is measured on the monotonic clock from the
 * moment the sensor frames are handed to the boards to the end of the vote.
 *
 * Boards on a serial port speak the rig command protocol (flip, peek, poke, scrub, status);
 * boards on a CAN adapter (slcan, socketcan) only exchange frames: the bridge sends the sensor
 * frames and waits for the channel's command frame. A `qemu` channel is a serial board whose
 * board is the Cortex-M image in a QEMU process the bridge starts and stops (src/hil/qemu-board.ts).
 */
import { defaultRegistry } from '../bus/registry.js';
import type { FrameBus, Subscription } from '../bus/frame-bus.js';
import type { EmulatedCanNode } from '../sim/emulated-can.js';
import { assert } from '../core/assert.js';
import { SETPOINT_LENGTH } from '../core/control/gains.js';
import { setpointAt, type SetpointSchedule } from '../core/control/setpoint.js';
import { memoryAddress, MEMORY_SLOT, registerIndex } from '../core/control/state.js';
import type { VotedState } from '../core/channel/state-vote.js';
import type { CanFrame } from '../core/frame/can.js';
import { canIdOf, IMU_NUMBERS } from '../core/frame/ids.js';
import type { RigResult } from '../core/frame/rig-command.js';
import type { ChannelHealth } from '../core/vote/voter.js';
import { err, ok, type Result } from '../core/result.js';
import type { MonotonicClock } from '../core/sim/clock.js';
import { BoardSession, formatBoardError, percentile, LATENCY_SAMPLES_MAX, type BoardError } from './board-session.js';
import type { BoardChannel, BoardLinkStatistics, CycleRunner } from './board-port.js';
import type { Flight } from '../sim/flight.js';
import type { Rig, RigChannel } from '../sim/rig.js';
import { openSerialLineBus, type SerialLineBus } from '../bus/serial-line-bus.js';

const NAMES = ['A', 'B', 'C'] as const;
/** Board counters are refreshed with a STATUS request every this many cycles. */
export const STATUS_EVERY_CYCLES = 50;
const PEEK_CHUNK_BYTES = 128;
/** setpointAttitude (3 floats) and setpointRate (3 floats) are adjacent slots of the control memory. */
const SETPOINT_ADDRESS = memoryAddress('setpointAttitude');
const SETPOINT_BYTES = 4 * SETPOINT_LENGTH;
assert(MEMORY_SLOT.setpointRate === MEMORY_SLOT.setpointAttitude + SETPOINT_LENGTH / 2, 'setpoint slots are adjacent');
const CAN_WAIT_FRAMES_MAX = 16;
/** A QEMU board's first line (its boot comment) is awaited this long before a `system_reset`, at most this many times. */
const QEMU_BOOT_WAIT_MS = 2000;
const QEMU_BOOT_ATTEMPTS_MAX = 10;
const QEMU_BOOT_POLL_MS = 50;

/** A process the board runs in (QEMU), stopped when the board closes. */
interface BoardProcess {
  readonly link: string;
  stop(): Promise<void>;
}

/** Sensor-to-voted-command latency of the bridge, over all boards, on the monotonic clock. */
export class LatencyRecorder {
  private readonly samples = new Float64Array(LATENCY_SAMPLES_MAX);
  private count = 0;
  private next = 0;

  record(micros: number): void {
    this.samples[this.next] = micros;
    this.next = (this.next + 1) % LATENCY_SAMPLES_MAX;
    if (this.count < LATENCY_SAMPLES_MAX) this.count++;
  }

  summary(): { readonly samples: number; readonly p50Micros: number; readonly p99Micros: number; readonly maxMicros: number } {
    return { samples: this.count, p50Micros: percentile(this.samples, this.count, 0.5), p99Micros: percentile(this.samples, this.count, 0.99), maxMicros: percentile(this.samples, this.count, 1) };
  }
}

/** What the bridge does with any board each cycle. */
interface CycleBoard extends BoardChannel {
  readonly index: number;
  /** The cycle's half of the board: exchange and put its frames on the flight bus. */
  cycle(k: number): Promise<void>;
  /** After the vote of cycle k: the voter's verdict on this channel (state transfer on reintegration). */
  afterVote(health: ChannelHealth, k: number): Promise<void>;
}

/**
 * Where a reintegrating board's state comes from and where its verdict goes: the state the
 * flight voted when the voter asked for the transfer (src/sim/flight.ts `takeBoardState`), and
 * whether the board accepted it (`boardStateInstalled`; a rejection is a failed transfer).
 */
export interface StateSource {
  take(): VotedState | undefined;
  installed(accepted: boolean): void;
}

/**
 * Installs a voted state in a board over its serial line: POKE the image (128 bytes at a time),
 * then VERIFY with the voted CRC — the board computes CRC-32/ISCSI over the memory image it now
 * holds, read through its ECC, and accepts only when it equals the voted CRC
 * (docs/RIG-PROTOCOL.md). Ok only when the board accepted.
 */
export async function installState(session: BoardSession, state: VotedState): Promise<Result<void, string>> {
  for (let at = 0; at < state.image.length; at += PEEK_CHUNK_BYTES) {
    const answer = await session.request({ op: 'poke', space: 'mem', address: at, data: state.image.subarray(at, at + PEEK_CHUNK_BYTES) });
    if (!answer.ok) return err(`poke at ${at}: ${formatBoardError(answer.error)}`);
    if (answer.value.op === 'uncorrectable') return err(`poke at ${at}: uncorrectable word ${answer.value.word}`);
  }
  const answer = await session.request({ op: 'verify', crc: state.crc });
  if (!answer.ok) return err(`verify: ${formatBoardError(answer.error)}`);
  if (answer.value.op === 'uncorrectable') return err(`verify: uncorrectable word ${answer.value.word}`);
  if (answer.value.op !== 'verify') return err(`verify: unexpected ${answer.value.op} answer`);
  const { crc, accepted } = answer.value.verify;
  return accepted ? ok(undefined) : err(`verify: the board holds CRC 0x${crc.toString(16).padStart(8, '0')}, the voted state 0x${state.crc.toString(16).padStart(8, '0')}`);
}

/** Collects the IMU frames of one cycle from the flight bus (bounded). */
class SensorTap {
  readonly frames: CanFrame[] = [];
  private readonly subscription: Subscription;

  constructor(readonly node: EmulatedCanNode) {
    const ids = IMU_NUMBERS.flatMap((n) => [canIdOf('imu-rate', n), canIdOf('imu-accel', n)]);
    this.subscription = node.subscribe((frame) => {
      if (this.frames.length < ids.length * 2) this.frames.push({ ...frame, data: frame.data.slice() });
    }, ids.map((id) => ({ id, mask: 0x7ff, extended: false })));
  }

  take(): CanFrame[] {
    return this.frames.splice(0);
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}

class SerialBoard implements CycleBoard {
  readonly link: string;
  private cached = { corrected: 0, uncorrectable: 0 };
  private stopped = false;
  private cycles = 0;
  private lastError: string | undefined;

  private lastHealth: ChannelHealth = 'active';
  private readonly setpoint = new Float64Array(SETPOINT_LENGTH);
  private readonly setpointBytes = new Uint8Array(SETPOINT_BYTES);
  private readonly setpointView = new DataView(this.setpointBytes.buffer);
  private setpointWritten = false;
  /** State transfers done (reintegrations) and failed, and why the last one failed. */
  transfers = 0;
  transferFailures = 0;
  lastTransferError: string | undefined;

  constructor(
    readonly index: number, private readonly session: BoardSession, private readonly tap: SensorTap,
    private readonly stateSource: StateSource, private readonly schedule: SetpointSchedule, private readonly periodMicros: number,
    private readonly cycleTimeoutMicros: number, private readonly owner?: BoardProcess,
  ) {
    this.link = owner?.link ?? `serial ${session.path}`;
  }

  /**
   * The setpoint schedule runs on the host: an emulated channel writes the cycle's setpoint into
   * its control memory before the law runs; the bridge does the same for the board by POKE, only
   * when the bytes change (during manoeuvre transitions), so a hold costs no extra round trip.
   */
  private async writeSetpoint(k: number): Promise<void> {
    setpointAt(this.schedule, k * this.periodMicros, this.setpoint);
    let changed = !this.setpointWritten;
    for (let i = 0; i < SETPOINT_LENGTH; i++) {
      const before = this.setpointView.getUint32(4 * i, true);
      this.setpointView.setFloat32(4 * i, this.setpoint[i] ?? 0, true);
      if (this.setpointView.getUint32(4 * i, true) !== before) changed = true;
    }
    if (!changed) return;
    const answer = await this.session.request({ op: 'poke', space: 'mem', address: SETPOINT_ADDRESS, data: this.setpointBytes }, this.cycleTimeoutMicros);
    this.setpointWritten = answer.ok && answer.value.op !== 'uncorrectable';
  }

  /** After a RESET or a state transfer the board's setpoint bytes are unknown: write them next cycle. */
  forgetSetpoint(): void {
    this.setpointWritten = false;
  }

  /** RESET: the board starts from the same initial state as the emulated channels. */
  async reset(): Promise<Result<void, string>> {
    const answer = await this.session.request({ op: 'reset' });
    return answer.ok ? ok(undefined) : err(`reset: ${formatBoardError(answer.error)}`);
  }

  /**
   * State transfer over the wire: when the voter moves this channel to reintegrating, the flight
   * has voted the state; the board installs it (POKE) and checks it (VERIFY: its own CRC over what
   * it installed against the voted CRC). The verdict goes back to the voter, which counts a
   * rejection as a failed transfer.
   */
  async afterVote(health: ChannelHealth, k: number): Promise<void> {
    // Housekeeping after the vote, never concurrent with an exchange (a STATUS in flight during
    // a TICK made the TICK miss its deadline several times as often in measurements).
    if (k % STATUS_EVERY_CYCLES === 0 && !this.stopped) await this.refresh();
    const entered = health === 'reintegrating' && this.lastHealth !== 'reintegrating';
    this.lastHealth = health;
    if (!entered || this.stopped) return;
    const state = this.stateSource.take();
    const installed = state === undefined ? err('no voted state is waiting') : await installState(this.session, state);
    this.stateSource.installed(installed.ok);
    this.forgetSetpoint();
    if (!installed.ok) {
      this.transferFailures++;
      this.lastTransferError = installed.error;
      return;
    }
    this.transfers++;
  }

  async cycle(k: number): Promise<void> {
    const frames = this.tap.take();
    if (this.stopped) return;
    await this.writeSetpoint(k);
    const result = await this.session.exchange(frames);
    if (!result.ok) {
      this.lastError = formatBoardError(result.error);
      return;
    }
    this.lastError = undefined;
    this.cycles++;
    for (const frame of result.value.frames) this.tap.node.send(frame);
  }

  async refresh(): Promise<void> {
    const answer = await this.session.request({ op: 'status' });
    if (!answer.ok || answer.value.op !== 'status') return;
    const s = answer.value.status;
    this.cached = { corrected: s.scrubCorrected + s.readCorrected + s.registerDisagreements, uncorrectable: s.scrubUncorrectable + s.readUncorrectable };
  }

  counters(): { readonly corrected: number; readonly uncorrectable: number } {
    return this.cached;
  }

  async flipMemory(address: number, bit: number): Promise<Result<string, string>> {
    if (address > 0x3ffff) return err(`address 0x${address.toString(16)} is beyond the board's memory`);
    const word = Math.floor(address / 4);
    const codeBit = (address % 4) * 8 + bit;
    return this.done(await this.session.request({ op: 'flip', target: 'mem', word, bit: codeBit }), `flipped board memory 0x${address.toString(16)} bit ${bit} (word ${word}, code bit ${codeBit}) over the wire`);
  }

  async flipRegister(register: string, bit: number): Promise<Result<string, string>> {
    const index = registerIndex(register);
    if (index === undefined) return err(`unknown register ${register}`);
    return this.done(await this.session.request({ op: 'flip', target: 'reg', index, copy: 0, bit }), `flipped board register ${register} bit ${bit} (copy 0) over the wire`);
  }

  async peek(address: number, lengthBytes: number): Promise<Result<Uint8Array, string>> {
    const out = new Uint8Array(lengthBytes);
    for (let at = 0; at < lengthBytes; at += PEEK_CHUNK_BYTES) {
      const count = Math.min(PEEK_CHUNK_BYTES, lengthBytes - at);
      if (address + at > 0xffff) return err(`address 0x${(address + at).toString(16)} is beyond the board's 16-bit address space`);
      const answer = await this.session.request({ op: 'peek', space: 'mem', address: address + at, count });
      if (!answer.ok) return err(`peek: ${formatBoardError(answer.error)}`);
      if (answer.value.op === 'uncorrectable') return err(`peek: uncorrectable word ${answer.value.word}`);
      if (answer.value.op !== 'peek-mem') return err(`peek: unexpected ${answer.value.op} answer`);
      out.set(answer.value.bytes.subarray(0, count), at);
    }
    return ok(out);
  }

  async poke(address: number, bytes: Uint8Array): Promise<Result<string, string>> {
    if (address > 0xffff) return err(`address 0x${address.toString(16)} is beyond the board's 16-bit address space`);
    const answer = await this.session.request({ op: 'poke', space: 'mem', address, data: bytes });
    if (answer.ok && answer.value.op === 'uncorrectable') return err(`poke: uncorrectable word ${answer.value.word}`);
    return this.done(answer, `wrote ${bytes.length} bytes at 0x${address.toString(16)} over the wire`);
  }

  async scrub(): Promise<Result<string, string>> {
    const answer = await this.session.request({ op: 'scrub', words: 0 });
    if (!answer.ok) return err(`scrub: ${formatBoardError(answer.error)}`);
    if (answer.value.op !== 'scrub') return err(`scrub: unexpected ${answer.value.op} answer`);
    const s = answer.value.scrub;
    await this.refresh();
    return ok(`board scrubbed ${s.wordsScanned} words: ${s.corrected} corrected, ${s.uncorrectable} uncorrectable`);
  }

  kill(): Promise<Result<string, string>> {
    if (this.stopped) return Promise.resolve(err('the board is already stopped (revive it first)'));
    this.stopped = true;
    return Promise.resolve(ok('stopped exchanging with the board (as if powered off); the voter will isolate it'));
  }

  async hang(): Promise<Result<string, string>> {
    return this.done(await this.session.request({ op: 'hang' }), 'the board is hung: it ignores the wire until it is power-cycled (restart its process)');
  }

  async revive(): Promise<Result<string, string>> {
    this.stopped = false;
    this.forgetSetpoint();
    const reset = await this.session.request({ op: 'reset' });
    return reset.ok
      ? ok('board reset and back in the loop; it reintegrates when it agrees again')
      : err(`revive: ${formatBoardError(reset.error)} (a hung board must be power-cycled: restart its process)`);
  }

  statistics(): BoardLinkStatistics {
    const s = this.session.statistics();
    return {
      channel: NAMES[this.index] ?? '?', link: this.link, connected: s.connected, cycles: this.cycles, timeouts: s.timeouts, reconnects: s.reconnects,
      latencyP50Micros: s.latencyP50Micros, latencyP99Micros: s.latencyP99Micros, latencyMaxMicros: s.latencyMaxMicros,
      jitterMicros: s.latencyP99Micros - s.latencyP50Micros, ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  async close(): Promise<void> {
    this.tap.close();
    await this.session.close();
    await this.owner?.stop();
  }

  /** The channel the board's firmware says it is (STATUS; 1 = A), undefined without an answer. */
  async boardChannel(): Promise<number | undefined> {
    const answer = await this.session.request({ op: 'status' });
    return answer.ok && answer.value.op === 'status' ? answer.value.status.channel : undefined;
  }

  private async done(answer: Result<RigResult, BoardError>, text: string): Promise<Result<string, string>> {
    if (!answer.ok) return err(formatBoardError(answer.error));
    await this.refresh();
    return ok(text);
  }
}

/** A board on a CAN adapter: frames only (no rig commands), command awaited by its CAN ID. */
class CanBoard implements CycleBoard {
  readonly link: string;
  private readonly waiting: CanFrame[] = [];
  private wake: (() => void) | undefined;
  private readonly subscription: Subscription;
  private cycles = 0;
  private timeouts = 0;
  private readonly latency = new LatencyRecorder();

  constructor(readonly index: number, kind: string, private readonly adapter: FrameBus, private readonly tap: SensorTap, private readonly clock: MonotonicClock, private readonly timeoutMicros: number) {
    this.link = `${kind} ${adapter.name}`;
    const name = NAMES[index] ?? 'A';
    const ids = [canIdOf('command', name), canIdOf('channel-status', name)];
    this.subscription = adapter.subscribe((frame) => {
      if (this.waiting.length < CAN_WAIT_FRAMES_MAX) this.waiting.push(frame);
      this.wake?.();
    }, ids.map((id) => ({ id, mask: 0x7ff, extended: false })));
  }

  afterVote(): Promise<void> {
    return Promise.resolve(); // a CAN board has no rig commands: no state transfer, it reintegrates only if it agrees on its own
  }

  async cycle(): Promise<void> {
    const started = this.clock.nowMicros();
    this.waiting.length = 0;
    for (const frame of this.tap.take()) this.adapter.send(frame);
    const commandId = canIdOf('command', NAMES[this.index] ?? 'A');
    const deadline = started + this.timeoutMicros;
    for (let round = 0; round < CAN_WAIT_FRAMES_MAX && !this.waiting.some((f) => f.id === commandId); round++) {
      const left = deadline - this.clock.nowMicros();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { resolve(); }, Math.max(1, Math.ceil(left / 1000)));
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = undefined;
    }
    if (!this.waiting.some((f) => f.id === commandId)) {
      this.timeouts++;
      return;
    }
    this.cycles++;
    this.latency.record(this.clock.nowMicros() - started);
    for (const frame of this.waiting.splice(0)) this.tap.node.send(frame);
  }

  counters(): { readonly corrected: number; readonly uncorrectable: number } {
    return { corrected: 0, uncorrectable: 0 };
  }

  private refuse(): Promise<Result<never, string>> {
    return Promise.resolve(err(`board ${NAMES[this.index] ?? '?'} is on a CAN adapter (${this.link}): rig commands need a serial link`));
  }

  flipMemory(): Promise<Result<string, string>> { return this.refuse(); }
  flipRegister(): Promise<Result<string, string>> { return this.refuse(); }
  peek(): Promise<Result<Uint8Array, string>> { return this.refuse(); }
  poke(): Promise<Result<string, string>> { return this.refuse(); }
  scrub(): Promise<Result<string, string>> { return this.refuse(); }
  kill(): Promise<Result<string, string>> { return this.refuse(); }
  hang(): Promise<Result<string, string>> { return this.refuse(); }
  revive(): Promise<Result<string, string>> { return this.refuse(); }

  statistics(): BoardLinkStatistics {
    const l = this.latency.summary();
    return {
      channel: NAMES[this.index] ?? '?', link: this.link, connected: this.adapter.state() !== 'closed', cycles: this.cycles, timeouts: this.timeouts, reconnects: 0,
      latencyP50Micros: l.p50Micros, latencyP99Micros: l.p99Micros, latencyMaxMicros: l.maxMicros, jitterMicros: l.p99Micros - l.p50Micros,
    };
  }

  async close(): Promise<void> {
    this.subscription.unsubscribe();
    this.tap.close();
    await this.adapter.close();
  }
}

/** The control state for a reintegrating board: the flight's vote (src/sim/flight.ts `stateImageFor`), and the board's verdict back to it. */
function stateSourceFor(flight: Flight, target: number): StateSource {
  return {
    take: () => flight.takeBoardState(target),
    installed: (accepted) => { flight.boardStateInstalled(target, accepted); },
  };
}

interface OpenContext { readonly clock: MonotonicClock; readonly timeoutMicros: number; readonly bitRateBps: number; readonly schedule: SetpointSchedule }

async function openOne(flight: Flight, index: number, channel: Exclude<RigChannel, { kind: 'emulated' }>, context: OpenContext): Promise<Result<CycleBoard, string>> {
  const { clock, timeoutMicros, bitRateBps, schedule } = context;
  const tap = new SensorTap(flight.attachNode(`board-${channel.name}`));
  if (channel.kind === 'qemu') return openQemu(flight, index, channel, tap, context);
  if (channel.kind === 'serial') {
    const session = await BoardSession.connect({ path: channel.path, baud: channel.baud, clock, replyTimeoutMicros: timeoutMicros });
    if (!session.ok) return err(`channel ${channel.name}: ${session.error}`);
    const board = new SerialBoard(index, session.value, tap, stateSourceFor(flight, index), schedule, flight.periodMicros, timeoutMicros);
    const reset = await board.reset();
    board.forgetSetpoint();
    if (!reset.ok) {
      await board.close();
      return err(`channel ${channel.name}: board on ${channel.path} does not answer (${reset.error})`);
    }
    return ok(board);
  }
  const options = channel.kind === 'slcan' ? { channel: channel.path, baudRate: channel.baud, bitRateBps, clock } : { channel: channel.interface, clock };
  const opened = await defaultRegistry().openAdapter(channel.kind, options);
  if (!opened.ok) return err(`channel ${channel.name}: cannot open ${channel.kind} adapter: ${'message' in opened.error ? opened.error.message : opened.error.code}`);
  return ok(new CanBoard(index, channel.kind, opened.value, tap, clock, timeoutMicros));
}

/**
 * A `qemu` channel: start QEMU halted, open its pty as a serial board's port, let the guest run,
 * wait for its first line (QEMU drops output until it has noticed the open pty, so `system_reset`
 * until a line comes), RESET it like a serial board, and check that the image was built for this
 * channel. QEMU is stopped on every failure, and when the board closes.
 */
async function openQemu(flight: Flight, index: number, channel: Extract<RigChannel, { kind: 'qemu' }>, tap: SensorTap, context: OpenContext): Promise<Result<CycleBoard, string>> {
  const { clock, timeoutMicros, schedule } = context;
  const { QemuProcess, resolveKernel } = await import('./qemu-board.js');
  const started = await QemuProcess.start(resolveKernel(channel.kernel));
  if (!started.ok) {
    tap.close();
    return err(`channel ${channel.name}: ${started.error}`);
  }
  const qemu = started.value;
  let bus: SerialLineBus | undefined;
  const open = async (path: string, baud: number, c: MonotonicClock): Promise<Result<SerialLineBus, string>> => {
    const opened = await openSerialLineBus({ path, baudRate: baud, clock: c });
    if (!opened.ok) return err(opened.error.message);
    bus = opened.value;
    return ok(opened.value);
  };
  const session = await BoardSession.connect({ path: qemu.ptyPath, baud: 115_200, clock, replyTimeoutMicros: timeoutMicros, open });
  if (!session.ok) {
    tap.close();
    await qemu.stop();
    return err(`channel ${channel.name}: QEMU's pty ${qemu.ptyPath}: ${session.error}`);
  }
  const owner: BoardProcess = { link: `qemu ${channel.kernel} ${qemu.ptyPath}`, stop: () => qemu.stop() };
  const board = new SerialBoard(index, session.value, tap, stateSourceFor(flight, index), schedule, flight.periodMicros, timeoutMicros, owner);
  const fail = async (why: string): Promise<Result<never, string>> => {
    const output = qemu.output();
    await board.close();
    return err(`channel ${channel.name}: QEMU board ${channel.kernel}: ${why}${output === '' ? '' : ` (QEMU said: ${output})`}`);
  };
  qemu.cont();
  const heard = (): boolean => (bus?.statistics().linesReceived ?? 0) > 0;
  for (let attempt = 1; attempt <= QEMU_BOOT_ATTEMPTS_MAX && !heard() && qemu.alive(); attempt++) {
    if (attempt > 1) qemu.systemReset();
    for (let waited = 0; waited < QEMU_BOOT_WAIT_MS && !heard() && qemu.alive(); waited += QEMU_BOOT_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, QEMU_BOOT_POLL_MS));
    }
  }
  if (!qemu.alive()) return fail('QEMU exited');
  if (!heard()) return fail(`no line from the board after ${QEMU_BOOT_ATTEMPTS_MAX} resets`);
  const reset = await board.reset();
  board.forgetSetpoint();
  if (!reset.ok) return fail(`the board does not answer (${reset.error})`);
  const built = await board.boardChannel();
  if (built !== index + 1) return fail(built === undefined ? 'the board does not answer STATUS' : `the image was built for channel ${NAMES[built - 1] ?? String(built)} (make -C firmware-bridge qemu CHANNEL=${channel.name})`);
  return ok(board);
}

export interface OpenedBoards {
  readonly boards: Map<number, BoardChannel>;
  readonly runCycle: CycleRunner;
  readonly latency: LatencyRecorder;
}

/** Opens every non-emulated channel of the rig and returns the lockstep cycle runner. */
export async function openBoards(flight: Flight, rig: Rig, clock: MonotonicClock, timeoutMicros: number, schedule: SetpointSchedule): Promise<Result<OpenedBoards, string>> {
  const boards: CycleBoard[] = [];
  for (let i = 0; i < rig.channels.length && i < flight.channels.length; i++) {
    const channel = rig.channels[i];
    if (channel === undefined || channel.kind === 'emulated') continue;
    const opened = await openOne(flight, i, channel, { clock, timeoutMicros, bitRateBps: rig.bus.bitRateBps, schedule });
    if (!opened.ok) {
      for (const b of boards) await b.close();
      return err(opened.error);
    }
    flight.setExternal(i);
    boards.push(opened.value);
  }
  assert(boards.length <= 3, 'at most three channels');
  const latency = new LatencyRecorder();
  const runCycle: CycleRunner = async () => {
    const k = flight.cyclesRun;
    const exchangeAt = k * flight.periodMicros + Math.floor(flight.periodMicros / 2);
    flight.runUntil(exchangeAt);
    const started = clock.nowMicros();
    await Promise.all(boards.map((b) => b.cycle(k)));
    flight.runCycles(1);
    latency.record(clock.nowMicros() - started);
    for (const b of boards) await b.afterVote(flight.channelHealth(b.index), k);
  };
  return ok({ boards: new Map(boards.map((b) => [b.index, b])), runCycle, latency });
}
