/**
 * Script mode: console commands from a file, no terminal. The whole file is parsed first, so a
 * typo on line 40 fails before line 1 touches the rig (exit 2, naming the line). Then each
 * command is echoed with its reply; the first failed command (an `expect` that does not hold,
 * a rig action that fails) stops the script (the CLI exits 1). The caller starts the rig paused,
 * so only `step` moves it and a script is deterministic.
 */
import { err, ok, type Result } from '../core/result.js';
import { formatParseError, parseCommand } from './parse.js';
import type { LineExecutor } from './session.js';

export const SCRIPT_LINES_MAX = 100_000;
export const SCRIPT_BYTES_MAX = 4 << 20;

export interface ScriptLine {
  readonly number: number;
  readonly text: string;
}

/** The command lines of a script (comments and blank lines dropped), or the first bad line. */
export function checkScript(text: string, name: string): Result<readonly ScriptLine[], string> {
  if (text.length > SCRIPT_BYTES_MAX) return err(`${name}: script of ${text.length} bytes exceeds ${SCRIPT_BYTES_MAX}`);
  const raw = text.split('\n');
  if (raw.length > SCRIPT_LINES_MAX) return err(`${name}: script of ${raw.length} lines exceeds ${SCRIPT_LINES_MAX}`);
  const lines: ScriptLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    const line = (raw[i] ?? '').replace(/\r$/, '');
    const parsed = parseCommand(line);
    if (!parsed.ok && parsed.error.code === 'empty') continue;
    if (!parsed.ok) return err(`${name}:${i + 1}: ${formatParseError(parsed.error)}`);
    lines.push({ number: i + 1, text: line.trim() });
  }
  return ok(lines);
}

export interface ScriptOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Runs checked lines in order; 'passed' when every command succeeded (or the script quit), 'failed' at the first failure. */
export async function runScript(lines: readonly ScriptLine[], executor: LineExecutor, output: ScriptOutput, name: string): Promise<'passed' | 'failed'> {
  for (const line of lines) {
    output.out(`> ${line.text}\n`);
    const result = await executor.execute(line.text);
    if (result.text.length > 0 && result.ok) output.out(`${result.text}\n`);
    if (result.text.length > 0 && !result.ok) output.err(`${result.text}\n`);
    if (!result.ok) {
      output.err(`${name}:${line.number}: command failed: ${line.text}\n`);
      return 'failed';
    }
    if (result.quit) return 'passed';
  }
  return 'passed';
}
