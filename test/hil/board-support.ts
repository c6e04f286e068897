/**
 * The host-built board firmware on a pseudo-terminal for integration tests: socat holds a pty
 * pair with stable names (like a udev symlink on the Pi), the board serves one end with --tty,
 * the rig opens the other. Killing the board process is an unplug; starting it again a replug.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { SerialPortLike } from '../../src/bus/serial-line-bus.js';
import type { ConsoleSession } from '../../src/console/session.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BOARD_BINARY = join(ROOT, 'firmware-bridge/build/host/triplex-board');

/** `make -C firmware-bridge host` (the first step a newcomer runs). */
export function buildHostFirmware(): void {
  execFileSync('make', ['-C', join(ROOT, 'firmware-bridge'), 'host'], { stdio: 'pipe' });
}

async function waitFor(condition: () => boolean, what: string, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function stop(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => { resolve(); });
    child.kill(signal);
  });
}

/**
 * A fake serial port whose far end is a scripted board (BoardSession tests without a pty): each
 * complete line the host writes goes to `onLine`; what the board says is written to `stream`.
 */
export abstract class ScriptedBoardPort extends EventEmitter implements SerialPortLike {
  isOpen = true;
  protected readonly stream = new PassThrough();
  private pending = '';

  write(data: Buffer, callback: (error: Error | null | undefined) => void): boolean {
    setImmediate(() => { callback(null); });
    this.pending += data.toString('latin1');
    for (let at = this.pending.indexOf('\n'); at >= 0; at = this.pending.indexOf('\n')) {
      const line = this.pending.slice(0, at);
      this.pending = this.pending.slice(at + 1);
      this.onLine(line);
    }
    return true;
  }

  pipe<T extends NodeJS.WritableStream>(destination: T): T {
    return this.stream.pipe(destination);
  }

  close(callback?: (error: Error | null) => void): void {
    this.isOpen = false;
    this.emit('close');
    callback?.(null);
  }

  /** One line from the host, without its newline. */
  protected abstract onLine(line: string): void;
}

export class PtyBoard {
  readonly dir = mkdtempSync(join(tmpdir(), 'triplex-board-'));
  /** The path the rig opens. */
  readonly hostPath = join(this.dir, 'host');
  private readonly boardPath = join(this.dir, 'board');
  private socat: ChildProcess | undefined;
  private board: ChildProcess | undefined;

  constructor(readonly channel: 'A' | 'B' | 'C', readonly periodMicros = 4000) {}

  async start(): Promise<void> {
    this.socat = spawn('socat', [`pty,raw,echo=0,link=${this.boardPath}`, `pty,raw,echo=0,link=${this.hostPath}`], { stdio: 'ignore' });
    await waitFor(() => existsSync(this.hostPath) && existsSync(this.boardPath), 'socat ptys');
    this.startBoard();
  }

  startBoard(): void {
    this.board = spawn(BOARD_BINARY, ['--tty', this.boardPath, '--channel', this.channel, '--period-us', String(this.periodMicros)], { stdio: 'ignore' });
  }

  /** SIGKILL: the board vanishes without a word, like a pulled cable. */
  killBoard(): Promise<void> {
    return stop(this.board, 'SIGKILL');
  }

  async close(): Promise<void> {
    await stop(this.board, 'SIGTERM');
    await stop(this.socat, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The emulated rig file with channel A replaced by a board on `path`. */
export function mixedRigText(path: string): string {
  const rig = JSON.parse(execFileSync('cat', [join(ROOT, 'hil/rigs/mixed-pty.json')], { encoding: 'utf8' })) as { channels: { name: string; kind: string; path?: string }[] };
  rig.channels[0] = { name: 'A', kind: 'serial', path };
  return JSON.stringify(rig);
}

/** Runs one console line on a rig's session; a refused command fails the test with its reply. */
export async function runConsoleLine(session: ConsoleSession, line: string): Promise<string> {
  const reply = await session.execute(line);
  if (!reply.ok) throw new Error(`'${line}' failed: ${reply.text}`);
  return reply.text;
}
