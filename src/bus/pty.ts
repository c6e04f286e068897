/**
 * A pair of connected pseudo-terminals from socat, for integration tests and the emulated
 * SLCAN device: bytes written to one path come out of the other, like a null-modem cable.
 *
 *   socat -d -d pty,raw,echo=0 pty,raw,echo=0
 *
 * socat reports "N PTY is /dev/pts/X" twice, then "starting data transfer loop" on stderr.
 * The timeout runs on Node's timers (the monotonic clock), never on the time of day.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { err, ok, type Result } from '../core/result.js';

export interface PtyPair {
  readonly pathA: string;
  readonly pathB: string;
  /** socat's process ID (for diagnostics). */
  readonly pid: number;
  /** Ends socat (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  close(): Promise<void>;
}

export type PtyError =
  | { readonly code: 'socat_missing'; readonly message: string }
  | { readonly code: 'socat_failed'; readonly message: string }
  | { readonly code: 'timeout'; readonly message: string };

export interface PtyOptions {
  /** How long to wait for socat to report both paths; default 5 s. */
  readonly timeoutMillis?: number;
  /** Path of the socat binary; default `socat` from PATH. */
  readonly socatPath?: string;
}

const PTY_LINE = /PTY is (\/dev\/[^\s]+)/;
const READY_LINE = /starting data transfer loop/;
const STDERR_BYTES_MAX = 16_384;
const KILL_GRACE_MILLIS = 2_000;

export const SOCAT_MISSING_MESSAGE = 'socat not found: install the Debian package socat (apt-get install socat), or run test/setup.sh';

/** Starts socat and resolves once both pty paths exist and the transfer loop runs. */
export function openPtyPair(options: PtyOptions = {}): Promise<Result<PtyPair, PtyError>> {
  const timeoutMillis = options.timeoutMillis ?? 5_000;
  const child = spawn(options.socatPath ?? 'socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve) => {
    const paths: string[] = [];
    let stderr = '';
    let settled = false;
    const finish = (result: Result<PtyPair, PtyError>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!result.ok) void stopChild(child);
      resolve(result);
    };
    const timer = setTimeout(() => { finish(err({ code: 'timeout', message: `socat did not report two ptys within ${timeoutMillis} ms: ${stderr.trim()}` })); }, timeoutMillis);
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(err(error.code === 'ENOENT' ? { code: 'socat_missing', message: SOCAT_MISSING_MESSAGE } : { code: 'socat_failed', message: error.message }));
    });
    child.on('exit', (code, signal) => { finish(err({ code: 'socat_failed', message: `socat exited (${code ?? signal ?? '?'}) before the ptys were ready: ${stderr.trim()}` })); });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < STDERR_BYTES_MAX) stderr += text;
      for (const line of text.split('\n')) {
        const match = PTY_LINE.exec(line);
        if (match?.[1] !== undefined && paths.length < 2) paths.push(match[1]);
        if (READY_LINE.test(line) && paths.length === 2) finish(ok(makePair(child, paths[0] ?? '', paths[1] ?? '')));
      }
    });
  });
}

function makePair(child: ChildProcess, pathA: string, pathB: string): PtyPair {
  // socat keeps logging at -d -d; drain stderr so it never blocks on a full pipe.
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();
  child.removeAllListeners('exit');
  let closing: Promise<void> | undefined;
  return {
    pathA,
    pathB,
    pid: child.pid ?? -1,
    close: () => (closing ??= stopChild(child)),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MILLIS);
    child.once('exit', () => { clearTimeout(killer); resolve(); });
    child.kill('SIGTERM');
  });
}
