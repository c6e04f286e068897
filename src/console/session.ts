/**
 * One console session: a line in, a reply out. Parses the line, answers help and expect
 * itself, keeps the command log, and hands rig actions to the RigControl. A mistyped line is
 * a failed reply with a one-line error and a suggestion — never an exception.
 */
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { assertNever } from '../core/assert.js';
import { helpText } from './help.js';
import { formatParseError, parseCommand, type CompareOp, type ConsoleCommand } from './parse.js';
import { formatStatus, type RigControl, type RigStatus } from './rig-control.js';

export interface Reply {
  readonly ok: boolean;
  readonly text: string;
  /** The line was `quit`. */
  readonly quit: boolean;
}

/** Anything that answers console lines: a local session or a remote client. */
export interface LineExecutor {
  execute(line: string): Promise<Reply>;
}

function reply(ok: boolean, text: string, quit = false): Reply {
  return { ok, text, quit };
}

export function compare(actual: number, op: CompareOp, expected: number): boolean {
  switch (op) {
    case '==': return actual === expected;
    case '!=': return actual !== expected;
    case '<': return actual < expected;
    case '<=': return actual <= expected;
    case '>': return actual > expected;
    case '>=': return actual >= expected;
  }
}

export function checkExpect(command: Extract<ConsoleCommand, { kind: 'expect-count' | 'expect-state' }>, status: RigStatus): Reply {
  const channel = status.channels.find((c) => c.channel === command.channel);
  if (channel === undefined) return reply(false, `expect: channel ${command.channel} is not on this rig`);
  if (command.kind === 'expect-state') {
    const holds = command.op === '==' ? channel.state === command.state : channel.state !== command.state;
    return reply(holds, `expect ${command.channel} state ${command.op} ${command.state}: ${holds ? 'ok' : 'FAILED'} (state is ${channel.state}, cycle ${status.cycle})`);
  }
  const actual = channel[command.field];
  const holds = compare(actual, command.op, command.value);
  return reply(holds, `expect ${command.channel} ${command.field} ${command.op} ${command.value}: ${holds ? 'ok' : 'FAILED'} (${command.field} is ${actual}, cycle ${status.cycle})`);
}

export class ConsoleSession implements LineExecutor {
  private logFd: number | undefined;
  private logPath: string | undefined;

  constructor(private readonly rig: RigControl) {}

  async execute(line: string): Promise<Reply> {
    const parsed = parseCommand(line);
    const cycle = this.rig.status().cycle;
    if (!parsed.ok) {
      if (parsed.error.code === 'empty') return reply(true, '');
      return this.logged(line, cycle, reply(false, formatParseError(parsed.error)));
    }
    return this.logged(line, cycle, await this.run(parsed.value));
  }

  /** Closes the command log, if one is open. */
  close(): void {
    if (this.logFd === undefined) return;
    closeSync(this.logFd);
    this.logFd = undefined;
    this.logPath = undefined;
  }

  private async run(command: ConsoleCommand): Promise<Reply> {
    switch (command.kind) {
      case 'status': return reply(true, formatStatus(this.rig.status()));
      case 'help': return reply(true, helpText(command.topic));
      case 'quit': return reply(true, 'bye', true);
      case 'expect-count': case 'expect-state': return checkExpect(command, this.rig.status());
      case 'log-start': return this.startLog(command.path);
      case 'log-stop': {
        if (this.logPath === undefined) return reply(false, 'log stop: no log is being recorded');
        const path = this.logPath;
        this.close();
        return reply(true, `log stopped: ${path}`);
      }
      case 'flip-mem': case 'flip-reg': case 'flip-bus': case 'upset': case 'kill': case 'hang': case 'revive': case 'scrub':
      case 'sensor': case 'clock-drift': case 'clock-jump': case 'peek': case 'poke': case 'pause': case 'resume': case 'step': case 'inject': {
        const result = await this.rig.apply(command);
        return result.ok ? reply(true, result.value) : reply(false, result.error);
      }
      default: return assertNever(command, 'console command');
    }
  }

  private startLog(path: string): Reply {
    if (this.logFd !== undefined) return reply(false, `log start: already recording to ${this.logPath ?? '?'} (log stop first)`);
    try {
      this.logFd = openSync(path, 'a');
      this.logPath = path;
      writeSync(this.logFd, `# triplex console log opened ${new Date().toISOString()}\n`);
      return reply(true, `logging to ${path}`);
    } catch (error: unknown) {
      return reply(false, `log start: cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Appends the line, the rig cycle it was typed at, and the reply to the open log. */
  private logged(line: string, cycle: number, result: Reply): Reply {
    if (this.logFd === undefined || this.logPath === undefined) return result;
    const stamp = new Date().toISOString(); // time of day: log stamps only
    const mark = result.ok ? '  ' : '! ';
    const body = result.text.length === 0 ? '' : result.text.split('\n').map((l) => `${mark}${l}\n`).join('');
    appendFileSync(this.logFd, `${stamp} cycle ${cycle} > ${line.trim()}\n${body}`);
    return result;
  }
}
