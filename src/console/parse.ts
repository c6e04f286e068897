/**
 * The console's command language: one line in, one typed command out (or a typed error with
 * a suggestion). Lines are outside input — typed by an operator, read from a script, or sent
 * by a remote console — so `parseCommand` returns a Result, never throws, and bounds the
 * line and every word. Grammar and help texts: docs/CONSOLE.md and ./help.ts.
 */
import { REGISTER_NAMES } from '../core/control/state.js';
import type { FaultSpec } from '../core/fault/profile.js';
import { err, ok, type Result } from '../core/result.js';
import { suggest, WORD_CHARS_MAX } from './edit-distance.js';
import { decodeInjectFault, INJECT_KINDS, INJECT_PAIRS_MAX, injectKindOf, isByzantineKind } from './inject.js';

export const CONSOLE_LINE_CHARS_MAX = 1024;
export const CONSOLE_WORDS_MAX = 16;
export const PEEK_BYTES_MAX = 256;
export const PEEK_BYTES_DEFAULT = 16;
export const POKE_BYTES_MAX = 64;
export const STEP_CYCLES_MAX = 1_000_000;
export const ADDRESS_MAX = 0xffff_ffff;
export const UPSET_RATE_HZ_MAX = 100_000;
export const DRIFT_PPM_MAX = 100_000;
export const JUMP_MILLIS_MAX = 60_000;
export const SENSOR_BIAS_MAX = 1e6;

export const CHANNELS = ['A', 'B', 'C'] as const;
export type ChannelId = (typeof CHANNELS)[number];
export const CHANNEL_STATES = ['active', 'isolated', 'failed'] as const;
export type ChannelState = (typeof CHANNEL_STATES)[number];

export type SensorFault = { readonly kind: 'ok' } | { readonly kind: 'stuck' } | { readonly kind: 'bias'; readonly value: number };
export type ExpectField = 'corrected' | 'uncorrectable' | 'state';
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type ConsoleCommand =
  | { readonly kind: 'status' }
  | { readonly kind: 'flip-mem'; readonly channel: ChannelId; readonly address: number; readonly bit: number }
  | { readonly kind: 'flip-reg'; readonly channel: ChannelId; readonly register: string; readonly bit: number }
  | { readonly kind: 'flip-bus'; readonly id: number | undefined }
  | { readonly kind: 'upset'; readonly channel: ChannelId; readonly rateHz: number }
  | { readonly kind: 'kill' | 'hang' | 'revive' | 'scrub'; readonly channel: ChannelId }
  | { readonly kind: 'sensor'; readonly sensor: number; readonly fault: SensorFault }
  | { readonly kind: 'clock-drift'; readonly channel: ChannelId; readonly driftPpm: number }
  | { readonly kind: 'clock-jump'; readonly channel: ChannelId; readonly jumpMillis: number }
  | { readonly kind: 'peek'; readonly channel: ChannelId; readonly address: number; readonly lengthBytes: number }
  | { readonly kind: 'poke'; readonly channel: ChannelId; readonly address: number; readonly bytes: Uint8Array }
  | { readonly kind: 'pause' | 'resume' }
  | { readonly kind: 'log-stop' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'step'; readonly cycles: number }
  | { readonly kind: 'log-start'; readonly path: string }
  | { readonly kind: 'help'; readonly topic: string | undefined }
  | { readonly kind: 'inject'; readonly fault: FaultSpec }
  | { readonly kind: 'expect-count'; readonly channel: ChannelId; readonly field: 'corrected' | 'uncorrectable'; readonly op: CompareOp; readonly value: number }
  | { readonly kind: 'expect-state'; readonly channel: ChannelId; readonly op: '==' | '!='; readonly state: ChannelState };

export type ParseError =
  | { readonly code: 'empty' }
  | { readonly code: 'line_too_long'; readonly chars: number; readonly charsMax: number }
  | { readonly code: 'unknown_command'; readonly word: string; readonly suggestion: string | undefined }
  | { readonly code: 'missing_argument'; readonly command: string; readonly argument: string; readonly usage: string }
  | { readonly code: 'extra_argument'; readonly command: string; readonly word: string; readonly usage: string }
  | { readonly code: 'bad_argument'; readonly command: string; readonly argument: string; readonly expected: string; readonly word: string; readonly suggestion: string | undefined }
  /** `inject`: a field of the fault the profile decoder refused (`path` is its JSON name), or a duplicate. */
  | { readonly code: 'bad_fault'; readonly command: string; readonly path: string; readonly message: string; readonly suggestion: string | undefined };

/** One-line usage of each command word (help.ts has the long texts). */
export const USAGE: Readonly<Record<string, string>> = {
  status: 'status',
  flip: 'flip CH mem ADDR BIT | flip CH reg NAME BIT | flip bus [ID]',
  upset: 'upset CH RATE|off',
  kill: 'kill CH',
  hang: 'hang CH',
  revive: 'revive CH',
  sensor: 'sensor N stuck|bias VALUE|ok',
  clock: 'clock CH drift PPM | clock CH jump MS',
  inject: 'inject KIND [key=value ...]',
  scrub: 'scrub CH',
  peek: 'peek CH ADDR [LEN]',
  poke: 'poke CH ADDR BYTES',
  pause: 'pause',
  resume: 'resume',
  step: 'step [N]',
  log: 'log start FILE | log stop',
  expect: 'expect CH corrected|uncorrectable OP N | expect CH state ==|!= active|isolated|failed',
  help: 'help [COMMAND]',
  quit: 'quit',
};
export const COMMAND_WORDS: readonly string[] = Object.keys(USAGE);
const COMPARE_OPS: readonly CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];

/** Thrown only inside this module to unwind a parse; never escapes `parseCommand`. */
class Fail extends Error {
  constructor(readonly error: ParseError) {
    super('parse failed');
  }
}

/** Word list with a cursor; each accessor names the argument it reads for the error. */
class Words {
  private at = 1;
  constructor(readonly command: string, private readonly words: readonly string[]) {}

  next(argument: string): string {
    const word = this.words[this.at];
    if (word === undefined) throw new Fail({ code: 'missing_argument', command: this.command, argument, usage: USAGE[this.command] ?? this.command });
    this.at++;
    return word;
  }

  optional(): string | undefined {
    const word = this.words[this.at];
    if (word !== undefined) this.at++;
    return word;
  }

  end(): void {
    const word = this.words[this.at];
    if (word !== undefined) throw new Fail({ code: 'extra_argument', command: this.command, word, usage: USAGE[this.command] ?? this.command });
  }

  bad(argument: string, expected: string, word: string, candidates: readonly string[] = []): never {
    throw new Fail({ code: 'bad_argument', command: this.command, argument, expected, word, suggestion: suggest(word, candidates) });
  }
}

function integerValue(w: Words, argument: string, word: string, min: number, max: number): number {
  const value = /^0x[0-9a-f]{1,8}$/i.test(word) ? Number.parseInt(word.slice(2), 16) : /^-?\d{1,10}$/.test(word) ? Number(word) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) w.bad(argument, `an integer ${min}..${max === ADDRESS_MAX ? '0xffffffff' : max}`, word);
  return value;
}

function integer(w: Words, argument: string, min: number, max: number): number {
  return integerValue(w, argument, w.next(argument), min, max);
}

function decimal(w: Words, argument: string, min: number, max: number): number {
  const word = w.next(argument);
  const value = /^-?(\d{1,12}(\.\d{0,12})?|\.\d{1,12})(e[+-]?\d{1,3})?$/i.test(word) ? Number(word) : Number.NaN;
  if (!Number.isFinite(value) || value < min || value > max) w.bad(argument, `a number ${min}..${max}`, word);
  return value;
}

function channel(w: Words): ChannelId {
  const word = w.next('CH');
  const upper = word.toUpperCase();
  const found = CHANNELS.find((c) => c === upper);
  return found ?? w.bad('CH', 'a channel A, B or C', word);
}

function keyword<T extends string>(w: Words, argument: string, choices: readonly T[]): T {
  const word = w.next(argument);
  const found = choices.find((c) => c === word.toLowerCase());
  return found ?? w.bad(argument, choices.join(' or '), word, choices);
}

function hexBytes(w: Words): Uint8Array {
  const word = w.next('BYTES');
  const hex = word.replace(/^0x/i, '');
  if (!/^([0-9a-f]{2})+$/i.test(hex) || hex.length / 2 > POKE_BYTES_MAX) w.bad('BYTES', `1..${POKE_BYTES_MAX} bytes as hex digits (e.g. DEADBEEF)`, word);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function parseFlip(w: Words): ConsoleCommand {
  const first = w.next('CH|bus');
  if (first.toLowerCase() === 'bus') {
    const id = w.optional();
    return { kind: 'flip-bus', id: id === undefined ? undefined : integerValue(w, 'ID', id, 0, 0x1fff_ffff) };
  }
  const upper = first.toUpperCase();
  const ch = CHANNELS.find((c) => c === upper) ?? w.bad('CH|bus', 'a channel A, B or C, or bus', first, ['bus']);
  const target = keyword(w, 'mem|reg', ['mem', 'reg']);
  if (target === 'mem') return { kind: 'flip-mem', channel: ch, address: integer(w, 'ADDR', 0, ADDRESS_MAX), bit: integer(w, 'BIT', 0, 7) };
  const name = w.next('NAME');
  const register = REGISTER_NAMES.find((r) => r === name.toUpperCase()) ?? w.bad('NAME', 'a register name (help flip lists them)', name, REGISTER_NAMES);
  return { kind: 'flip-reg', channel: ch, register, bit: integer(w, 'BIT', 0, 31) };
}

function parseUpset(w: Words): ConsoleCommand {
  const ch = channel(w);
  const word = w.next('RATE');
  if (word.toLowerCase() === 'off') return { kind: 'upset', channel: ch, rateHz: 0 };
  const value = /^(\d{1,9}(\.\d{0,9})?|\.\d{1,9})$/.test(word) ? Number(word) : Number.NaN;
  if (!(value > 0 && value <= UPSET_RATE_HZ_MAX)) w.bad('RATE', `upsets per second above 0 and at most ${UPSET_RATE_HZ_MAX}, or off`, word, ['off']);
  return { kind: 'upset', channel: ch, rateHz: value };
}

function parseSensor(w: Words): ConsoleCommand {
  const sensor = integer(w, 'N', 1, 16);
  const mode = keyword(w, 'MODE', ['stuck', 'bias', 'ok']);
  if (mode !== 'bias') return { kind: 'sensor', sensor, fault: { kind: mode } };
  return { kind: 'sensor', sensor, fault: { kind: 'bias', value: decimal(w, 'VALUE', -SENSOR_BIAS_MAX, SENSOR_BIAS_MAX) } };
}

function parseClock(w: Words): ConsoleCommand {
  const ch = channel(w);
  const mode = keyword(w, 'drift|jump', ['drift', 'jump']);
  if (mode === 'drift') return { kind: 'clock-drift', channel: ch, driftPpm: decimal(w, 'PPM', -DRIFT_PPM_MAX, DRIFT_PPM_MAX) };
  return { kind: 'clock-jump', channel: ch, jumpMillis: decimal(w, 'MS', -JUMP_MILLIS_MAX, JUMP_MILLIS_MAX) };
}

function parseExpect(w: Words): ConsoleCommand {
  const ch = channel(w);
  const field = keyword(w, 'FIELD', ['corrected', 'uncorrectable', 'state']);
  const opWord = w.next('OP');
  const op = COMPARE_OPS.find((o) => o === opWord) ?? w.bad('OP', COMPARE_OPS.join(' '), opWord);
  if (field !== 'state') return { kind: 'expect-count', channel: ch, field, op, value: integer(w, 'N', 0, Number.MAX_SAFE_INTEGER) };
  if (op !== '==' && op !== '!=') w.bad('OP', '== or != for a state', opWord);
  return { kind: 'expect-state', channel: ch, op, state: keyword(w, 'STATE', CHANNEL_STATES) };
}

function parseLog(w: Words): ConsoleCommand {
  const mode = keyword(w, 'start|stop', ['start', 'stop']);
  if (mode === 'stop') return { kind: 'log-stop' };
  const path = w.next('FILE');
  if (path.startsWith('-')) w.bad('FILE', 'a file path', path);
  return { kind: 'log-start', path };
}

/** `inject KIND [key=value ...]`: the pairs become a profile event, which the profile decoder validates (./inject.ts). */
function parseInject(w: Words): ConsoleCommand {
  const word = w.next('KIND');
  const kind = injectKindOf(word);
  if (kind === undefined && isByzantineKind(word)) w.bad('KIND', 'a fault kind the console can inject (two-faced, masquerade and replay are profile events before flight start only)', word);
  if (kind === undefined) return w.bad('KIND', 'a fault kind (help inject lists them)', word, INJECT_KINDS);
  const pairs: [string, string][] = [];
  for (let n = 0; n < INJECT_PAIRS_MAX; n++) {
    const pair = w.optional();
    if (pair === undefined) break;
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) w.bad('key=value', 'a field and its value (e.g. channel=A)', pair);
    const key = pair.slice(0, at);
    if (pairs.some(([k]) => k === key)) throw new Fail({ code: 'bad_fault', command: w.command, path: shown(key), message: 'given twice', suggestion: undefined });
    pairs.push([key, pair.slice(at + 1)]);
  }
  const fault = decodeInjectFault(kind, pairs);
  if (!fault.ok) throw new Fail({ code: 'bad_fault', command: w.command, ...fault.error });
  return { kind: 'inject', fault: fault.value };
}

function parseHelp(w: Words): ConsoleCommand {
  const topic = w.optional();
  if (topic === undefined) return { kind: 'help', topic: undefined };
  const found = COMMAND_WORDS.find((c) => c === topic.toLowerCase());
  return { kind: 'help', topic: found ?? w.bad('COMMAND', 'a command name', topic, COMMAND_WORDS) };
}

function parseWords(w: Words): ConsoleCommand {
  switch (w.command) {
    case 'status': case 'quit': return { kind: w.command };
    case 'pause': case 'resume': return { kind: w.command };
    case 'flip': return parseFlip(w);
    case 'upset': return parseUpset(w);
    case 'kill': case 'hang': case 'revive': case 'scrub': return { kind: w.command, channel: channel(w) };
    case 'sensor': return parseSensor(w);
    case 'clock': return parseClock(w);
    case 'inject': return parseInject(w);
    case 'peek': {
      const ch = channel(w);
      const address = integer(w, 'ADDR', 0, ADDRESS_MAX);
      const length = w.optional();
      return { kind: 'peek', channel: ch, address, lengthBytes: length === undefined ? PEEK_BYTES_DEFAULT : integerValue(w, 'LEN', length, 1, PEEK_BYTES_MAX) };
    }
    case 'poke': return { kind: 'poke', channel: channel(w), address: integer(w, 'ADDR', 0, ADDRESS_MAX), bytes: hexBytes(w) };
    case 'step': {
      const n = w.optional();
      return { kind: 'step', cycles: n === undefined ? 1 : integerValue(w, 'N', n, 1, STEP_CYCLES_MAX) };
    }
    case 'log': return parseLog(w);
    case 'expect': return parseExpect(w);
    case 'help': return parseHelp(w);
    default: throw new Fail({ code: 'unknown_command', word: w.command, suggestion: suggest(w.command, COMMAND_WORDS) });
  }
}

/** Splits a line into words; `#` starts a comment. Words longer than WORD_CHARS_MAX are cut for messages only by the caller. */
export function splitWords(line: string): string[] {
  const text = line.replace(/#.*$/, '').trim();
  return text.length === 0 ? [] : text.split(/\s+/).slice(0, CONSOLE_WORDS_MAX + 1);
}

export function parseCommand(line: string): Result<ConsoleCommand, ParseError> {
  if (line.length > CONSOLE_LINE_CHARS_MAX) return err({ code: 'line_too_long', chars: line.length, charsMax: CONSOLE_LINE_CHARS_MAX });
  const words = splitWords(line);
  const first = words[0];
  if (first === undefined) return err({ code: 'empty' });
  const command = first.toLowerCase();
  try {
    const w = new Words(command, words);
    const parsed = parseWords(w);
    w.end();
    return ok(parsed);
  } catch (error: unknown) {
    if (error instanceof Fail) return err(error.error);
    throw error;
  }
}

function shown(word: string): string {
  const cut = word.length > WORD_CHARS_MAX ? `${word.slice(0, WORD_CHARS_MAX)}…` : word;
  return JSON.stringify(cut).slice(1, -1);
}

/** One line, naming the problem and, where there is one, the likely intended word. */
export function formatParseError(error: ParseError): string {
  switch (error.code) {
    case 'empty': return 'empty command (try: help)';
    case 'line_too_long': return `line of ${error.chars} characters exceeds ${error.charsMax}`;
    case 'unknown_command': return `unknown command '${shown(error.word)}'${error.suggestion === undefined ? ' (try: help)' : ` (did you mean '${error.suggestion}'?)`}`;
    case 'missing_argument': return `${error.command}: missing ${error.argument} (usage: ${error.usage})`;
    case 'extra_argument': return `${error.command}: unexpected '${shown(error.word)}' (usage: ${error.usage})`;
    case 'bad_argument': return `${error.command}: ${error.argument} must be ${error.expected}, got '${shown(error.word)}'${error.suggestion === undefined ? '' : ` (did you mean '${error.suggestion}'?)`}`;
    case 'bad_fault': return `${error.command}: ${error.path}: ${error.message}${error.suggestion === undefined ? '' : ` (did you mean '${error.suggestion}'?)`}`;
  }
}
