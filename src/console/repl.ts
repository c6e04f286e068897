/**
 * The interactive console: node:readline with history (kept in a file between sessions, at
 * most HISTORY_LINES_MAX lines) and tab completion (./complete.ts). One line runs at a time;
 * input typed meanwhile waits in readline. Ctrl-D, Ctrl-C or `quit` leave.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { writeFileAtomic } from '../io/atomic.js';
import { completeLine } from './complete.js';
import type { LineExecutor } from './session.js';

export const HISTORY_LINES_MAX = 500;

export interface ReplOptions {
  readonly input: Readable;
  readonly output: Writable;
  readonly terminal: boolean;
  /** History file; none when undefined. */
  readonly historyPath: string | undefined;
  readonly prompt?: string;
  /** Printed once at the start. */
  readonly banner?: string;
}

function loadHistory(path: string | undefined): string[] {
  if (path === undefined) return [];
  try {
    // readline wants newest first; the file is oldest first.
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0).slice(-HISTORY_LINES_MAX).reverse();
  } catch {
    return [];
  }
}

function saveHistory(path: string | undefined, history: readonly string[]): void {
  if (path === undefined) return;
  try {
    writeFileAtomic(path, `${[...history].slice(0, HISTORY_LINES_MAX).reverse().join('\n')}\n`);
  } catch {
    // History is a convenience; failing to save it must not fail the session.
  }
}

/** Runs the REPL until quit or end of input; resolves when the terminal is released. */
export function runRepl(executor: LineExecutor, options: ReplOptions): Promise<void> {
  const rl = createInterface({
    input: options.input, output: options.output, terminal: options.terminal, historySize: HISTORY_LINES_MAX,
    history: loadHistory(options.historyPath), removeHistoryDuplicates: true,
    completer: (line: string) => completeLine(line),
    prompt: options.prompt ?? 'triplex> ',
  });
  const write = (text: string): void => { options.output.write(text); };
  if (options.banner !== undefined) write(`${options.banner}\n`);
  let busy = Promise.resolve();
  let done = false;
  rl.on('line', (line) => {
    busy = busy.then(async () => {
      if (done) return;
      const result = await executor.execute(line);
      if (result.text.length > 0) write(`${result.ok ? '' : 'error: '}${result.text}\n`);
      if (result.quit) {
        done = true;
        rl.close();
        return;
      }
      rl.prompt();
    });
  });
  rl.on('SIGINT', () => { rl.close(); });
  rl.prompt();
  return new Promise((resolve) => {
    rl.on('close', () => {
      done = true;
      const history = (rl as unknown as { history?: string[] }).history ?? [];
      void busy.then(() => { saveHistory(options.historyPath, history); resolve(); });
    });
  });
}
