/**
 * A board channel of kind `qemu` (docs/HIL.md, "QEMU boards"): the Cortex-M image
 * (`make -C firmware-bridge qemu`) in `qemu-system-arm -M netduinoplus2`, its USART2 (QEMU's
 * second serial port) on a pseudo-terminal. QEMU starts halted (-S); the bridge opens the pty as
 * it opens a serial board's port and only then lets the guest run (`cont` on the monitor, QEMU's
 * stdin), because QEMU drops the guest's output until it has noticed the other end of the pty.
 * Stopping sends `quit`, then SIGKILL if QEMU is still there after a grace period; a QEMU left
 * running when Node exits is killed from the process's exit hook.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '../core/result.js';

export const QEMU_BINARY = 'qemu-system-arm';
export const QEMU_MACHINE = 'netduinoplus2';
/** How long QEMU may take to print its pty line. */
export const QEMU_START_TIMEOUT_MS = 15_000;
/** How long `quit` may take before SIGKILL. */
export const QEMU_STOP_GRACE_MS = 3000;
const TEXT_BYTES_MAX = 16 * 1024;
/** The repository (package) root: src/hil/ and dist/hil/ are both two levels below it. */
const ROOT = new URL('../../', import.meta.url);

/** A relative kernel path is relative to the repository root (where hil/rigs/ and firmware-bridge/ are). */
export function resolveKernel(kernel: string): string {
  return isAbsolute(kernel) ? kernel : resolve(fileURLToPath(ROOT), kernel);
}

/** One QEMU process running a board image, its USART2 on `ptyPath`. */
export class QemuProcess {
  private readonly onExit = (): void => { this.child.kill('SIGKILL'); };
  private log = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly kernel: string, readonly ptyPath: string) {
    process.once('exit', this.onExit);
    const keep = (chunk: Buffer): void => { this.log = (this.log + chunk.toString()).slice(-TEXT_BYTES_MAX); };
    child.stdout.on('data', () => { /* the monitor's echo: drained, not kept */ });
    child.stderr.on('data', keep);
    child.stdin.on('error', () => { /* QEMU gone: exited() reports it */ });
  }

  /** Spawns QEMU halted on `kernel` (already resolved) and waits for its pty line. */
  static async start(kernel: string): Promise<Result<QemuProcess, string>> {
    if (!existsSync(kernel)) return err(`no QEMU kernel at ${kernel} (build it: make -C firmware-bridge qemu)`);
    const child = spawn(QEMU_BINARY, ['-M', QEMU_MACHINE, '-nographic', '-S', '-monitor', 'stdio', '-serial', 'null', '-serial', 'pty', '-kernel', kernel], { stdio: 'pipe' });
    const path = await new Promise<Result<string, string>>((done) => {
      let text = '';
      const finish = (result: Result<string, string>): void => {
        clearTimeout(timer);
        child.stdout.off('data', onText);
        child.stderr.off('data', onText);
        child.off('error', onError);
        child.off('exit', onEarlyExit);
        done(result);
      };
      const onText = (chunk: Buffer): void => {
        text = (text + chunk.toString()).slice(-TEXT_BYTES_MAX);
        const match = /char device redirected to (\/dev\/\S+) \(label serial1\)/.exec(text);
        if (match?.[1] !== undefined) finish(ok(match[1]));
      };
      const onError = (error: Error): void => { finish(err(`cannot start ${QEMU_BINARY}: ${error.message} (Debian package qemu-system-arm)`)); };
      const onEarlyExit = (code: number | null): void => { finish(err(`${QEMU_BINARY} exited (${String(code)}) before opening its pty: ${oneLine(text)}`)); };
      const timer = setTimeout(() => { finish(err(`${QEMU_BINARY} printed no pty line within ${QEMU_START_TIMEOUT_MS} ms: ${oneLine(text)}`)); }, QEMU_START_TIMEOUT_MS);
      child.stdout.on('data', onText);
      child.stderr.on('data', onText);
      child.on('error', onError);
      child.on('exit', onEarlyExit);
    });
    if (!path.ok) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return path;
    }
    return ok(new QemuProcess(child, kernel, path.value));
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What QEMU printed last on stderr (for error messages). */
  output(): string {
    return oneLine(this.log);
  }

  /** Lets the halted guest run. */
  cont(): void {
    this.monitor('cont');
  }

  /** Resets the guest (a power cycle of the board; the image boots again). */
  systemReset(): void {
    this.monitor('system_reset');
  }

  /** `quit` on the monitor, SIGKILL after the grace period; resolves when QEMU has exited. */
  async stop(): Promise<void> {
    process.off('exit', this.onExit);
    if (!this.alive()) return;
    const exited = new Promise<void>((resolved) => { this.child.once('exit', () => { resolved(); }); });
    this.monitor('quit');
    const timer = setTimeout(() => { this.child.kill('SIGKILL'); }, QEMU_STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private monitor(command: string): void {
    if (this.alive() && this.child.stdin.writable) this.child.stdin.write(`${command}\n`);
  }
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- terminal escapes out of QEMU's output
  const line = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/[\x00-\x1f\x7f]+/g, ' ').replace(/ +/g, ' ').trim();
  return line.length > 200 ? `…${line.slice(-200)}` : line;
}
