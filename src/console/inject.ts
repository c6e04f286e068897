/**
 * The console's `inject KIND [key=value ...]`: any fault of the profile schema (docs/FAULTS.md),
 * injected now. The pairs become the object a profile event would hold (`{kind, ...pairs, atS: 0}`)
 * and go through the profile decoder (src/core/fault/profile.ts `decodeFaultProfile`), so the
 * console and profiles share one validation path; this module adds only what a console needs
 * on top: the keys of each kind (help, completion, "did you mean"), the refusal of timing
 * fields and of the Byzantine kinds, and the one-line description of an injected fault.
 */
import { REGISTER_NAMES } from '../core/control/state.js';
import { describeLocation } from '../core/campaign/plan.js';
import {
  ACTUATOR_MODES, BYZANTINE_KINDS, COMPUTE_VALUE_NAMES, CONTROL_FLOW_MODES, decodeFaultProfile, FAULT_KINDS, SENSOR_MODES, VOTER_UPSET_FIELDS,
  type FaultKind, type FaultSpec,
} from '../core/fault/profile.js';
import { err, ok, type Result } from '../core/result.js';
import { suggest, WORD_CHARS_MAX } from './edit-distance.js';

/** The kinds the console injects: every profile kind but the Byzantine ones (profile events before flight start only). */
export type InjectKind = Exclude<FaultKind, 'two-faced' | 'masquerade' | 'replay'>;

function isInjectKind(kind: FaultKind): kind is InjectKind {
  return !BYZANTINE_KINDS.includes(kind);
}

/** In FAULT_KINDS order, so a kind added to the schema shows up here (and the key table below must name it). */
export const INJECT_KINDS: readonly InjectKind[] = FAULT_KINDS.filter(isInjectKind);

/** One profile field of a kind: its JSON name, what its value is, and, where the values are names, the names. */
export interface InjectKey {
  readonly key: string;
  readonly hint: string;
  readonly required: boolean;
  readonly choices?: readonly string[];
}

const CHANNEL_CHOICES = ['A', 'B', 'C'] as const;
const ch = (key: string, required = true): InjectKey => ({ key, hint: 'CH', required, choices: CHANNEL_CHOICES });
const need = (key: string, hint: string, choices?: readonly string[]): InjectKey => (choices === undefined ? { key, hint, required: true } : { key, hint, required: true, choices });
const opt = (key: string, hint: string, choices?: readonly string[]): InjectKey => (choices === undefined ? { key, hint, required: false } : { key, hint, required: false, choices });

/**
 * The fields of each kind, as docs/FAULTS.md lists them (the decoder checks values and ranges;
 * test/console/inject.test.ts checks that these keys are exactly what the decoder accepts).
 * Keyed by InjectKind, so a new kind does not compile until it has its row.
 */
export const INJECT_KEYS: Readonly<Record<InjectKind, readonly InjectKey[]>> = {
  'memory-flip': [ch('channel'), opt('word', 'N'), opt('bit', 'N')],
  mbu: [ch('channel'), need('bits', '2..8'), opt('physicalBit', 'N')],
  'register-flip': [ch('channel'), opt('register', 'NAME', REGISTER_NAMES), opt('copy', '0..2'), opt('bit', '0..31')],
  'bus-corrupt': [opt('id', 'ID')],
  'bus-drop': [ch('receiver'), opt('id', 'ID')],
  'bus-delay': [need('delayMs', 'MS'), opt('id', 'ID')],
  'bus-duplicate': [opt('id', 'ID')],
  babble: [need('durationS', 'S')],
  'channel-crash': [ch('channel'), opt('restartAfterS', 'S')],
  'channel-hang': [ch('channel'), need('durationS', 'S')],
  sensor: [need('sensor', 'N'), need('mode', SENSOR_MODES.join('|'), SENSOR_MODES), opt('value', 'X'), opt('durationS', 'S')],
  'wrong-command': [ch('channel'), need('offsetDeg', 'DEG'), need('durationS', 'S')],
  'clock-drift': [ch('channel'), need('ppm', 'PPM')],
  'clock-jump': [ch('channel'), need('ms', 'MS')],
  'compute-flip': [ch('channel'), opt('value', 'NAME', COMPUTE_VALUE_NAMES), opt('bit', '0..31'), opt('stage', '0..3')],
  'control-flow': [ch('channel'), need('mode', CONTROL_FLOW_MODES.join('|'), CONTROL_FLOW_MODES), opt('stage', '0..3')],
  'word-mbu': [ch('channel'), need('bits', '3..8'), opt('word', 'N'), opt('bit', 'N')],
  'stuck-bit': [ch('channel'), opt('word', 'N'), opt('bit', 'N'), opt('value', '0|1')],
  'scrubber-upset': [ch('channel'), opt('bit', '0..30')],
  'decoder-upset': [ch('channel'), opt('bit', '0..31')],
  'golden-flip': [ch('channel'), opt('byte', 'N'), opt('bit', '0..7')],
  'voter-upset': [need('lane', '0..2'), opt('field', 'FIELD', VOTER_UPSET_FIELDS), opt('index', 'N'), opt('bit', 'N')],
  'command-flip': [need('lane', '0..2'), opt('actuator', '0..3'), opt('bit', '0..15')],
  actuator: [need('actuator', '0..3'), need('mode', ACTUATOR_MODES.join('|'), ACTUATOR_MODES), opt('value', 'X'), opt('durationS', 'S')],
  'payload-corrupt': [opt('id', 'ID'), opt('bits', '1..8'), opt('bit', '0..63')],
  'voter-drop': [opt('id', 'ID')],
  'can-masquerade': [ch('channel'), need('value', 'DEG'), ch('victim', false), opt('durationS', 'S')],
};

/** Profile fields that say when, not what: the console injects now, so they belong in a profile. */
const TIMING_KEYS: readonly string[] = ['atS', 'ratePerS', 'fromS', 'untilS'];
/** Pairs one `inject` line may carry (the line's word bound leaves room for the command and the kind). */
export const INJECT_PAIRS_MAX = 14;
const MESSAGE_CHARS_MAX = 300;

export interface InjectFieldError {
  /** The field (profile JSON name) at fault, or the kind. */
  readonly path: string;
  readonly message: string;
  readonly suggestion: string | undefined;
}

export function injectKindOf(word: string): InjectKind | undefined {
  const lower = word.toLowerCase();
  return INJECT_KINDS.find((k) => k === lower);
}

export function isByzantineKind(word: string): boolean {
  const lower = word.toLowerCase();
  return BYZANTINE_KINDS.some((k) => k === lower);
}

export function injectKeysOf(kind: InjectKind): readonly string[] {
  return INJECT_KEYS[kind].map((k) => k.key);
}

/** A value that looks like a number (decimal, exponent, or 0x hex) becomes one; anything else stays text. */
export function injectValue(text: string): number | string {
  if (/^0x[0-9a-f]{1,8}$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^[+-]?(\d{1,15}(\.\d{0,15})?|\.\d{1,15})(e[+-]?\d{1,3})?$/i.test(text)) return Number(text);
  return text;
}

function shown(word: string): string {
  const cut = word.length > WORD_CHARS_MAX ? `${word.slice(0, WORD_CHARS_MAX)}…` : word;
  return JSON.stringify(cut).slice(1, -1);
}

function fieldError(path: string, message: string, suggestion?: string): Result<never, InjectFieldError> {
  const bounded = message.length > MESSAGE_CHARS_MAX ? `${message.slice(0, MESSAGE_CHARS_MAX)}… (help inject)` : message;
  return err({ path: shown(path), message: bounded, suggestion });
}

/** Refuses a key that is not a field of `kind`, naming the fields it has and the closest one. */
function checkKey(kind: InjectKind, key: string): Result<void, InjectFieldError> {
  if (key === 'kind') return fieldError(key, 'the kind is the word after inject');
  if (TIMING_KEYS.includes(key)) return fieldError(key, 'the console injects now (timing fields belong in a fault profile)');
  const keys = injectKeysOf(kind);
  if (keys.includes(key)) return ok(undefined);
  return fieldError(key, keys.length === 0 ? `unknown field (${kind} has none)` : `unknown field (${kind} has: ${keys.join(', ')})`, suggest(key, keys));
}

/** The decoder's (or the expansion's) path `events[0].channel` without the profile around it: `channel`. */
export function eventField(path: string): string {
  const prefix = 'events[0]';
  if (!path.startsWith(prefix)) return path;
  const rest = path.slice(prefix.length).replace(/^\./, '');
  return rest.length === 0 ? 'inject' : rest;
}

/**
 * The fault of `inject KIND key=value ...`, validated by the profile decoder. `pairs` hold each
 * key once (the parser refuses duplicates); errors name the field and say what it must be.
 */
export function decodeInjectFault(kind: InjectKind, pairs: readonly (readonly [string, string])[]): Result<FaultSpec, InjectFieldError> {
  for (const [key] of pairs) {
    const checked = checkKey(kind, key);
    if (!checked.ok) return checked;
  }
  // Object.fromEntries makes own properties even of keys like `__proto__` (checkKey refused those anyway).
  const event = { ...Object.fromEntries(pairs.map(([key, value]) => [key, injectValue(value)])), kind, atS: 0 };
  const decoded = decodeFaultProfile({ version: 1, name: 'console', events: [event] });
  if (!decoded.ok) {
    const field = eventField(decoded.error.path);
    const given = pairs.find(([key]) => key === field)?.[1];
    const choices = INJECT_KEYS[kind].find((k) => k.key === field)?.choices;
    // A name the value may take, if the value is none of them (a valid name refused for another reason gets none).
    const guess = given === undefined || choices === undefined || choices.includes(given) ? undefined : suggest(given, choices);
    // One letter from a channel name is no typo of it ('Q' is not 'A'), but 'a' is 'A'.
    const useful = guess !== undefined && given !== undefined && (given.length > 1 || guess.toLowerCase() === given.toLowerCase());
    return fieldError(field, decoded.error.message, useful ? guess : undefined);
  }
  const fault = decoded.value.events[0]?.fault;
  return fault === undefined ? fieldError('inject', 'the decoder returned no event') : ok(fault);
}

/** Names for the value of `key` of `kind` (tab completion), none where the value is a number. */
export function injectValueChoices(kind: InjectKind, key: string): readonly string[] {
  return INJECT_KEYS[kind].find((k) => k.key === key)?.choices ?? [];
}

/** `channel=CH [bit=0..31]`: the fields of a kind as help shows them. */
export function injectSyntax(kind: InjectKind): string {
  return INJECT_KEYS[kind].map((k) => (k.required ? `${k.key}=${k.hint}` : `[${k.key}=${k.hint}]`)).join(' ');
}

function frameText(id: number | undefined): string {
  return id === undefined ? 'the next frame' : `the next frame with ID 0x${id.toString(16)}`;
}

/** What a bus fault does, in words (describeLocation names a resolved ID, and a console bus fault may have none). */
function busText(fault: FaultSpec): string | undefined {
  switch (fault.kind) {
    case 'bus-corrupt': return `one wire bit of ${frameText(fault.id)}`;
    case 'bus-drop': return `${frameText(fault.id)} lost at ${fault.receiver}`;
    case 'bus-delay': return `${frameText(fault.id)} delayed ${fault.delayMicros / 1000} ms`;
    case 'bus-duplicate': return `${frameText(fault.id)} delivered twice`;
    case 'payload-corrupt': return `${fault.bits ?? 1} payload bit${(fault.bits ?? 1) === 1 ? '' : 's'} from bit ${fault.bit ?? '?'} of ${frameText(fault.id)}`;
    case 'voter-drop': return `${frameText(fault.id)} lost at the voter`;
    default: return undefined;
  }
}

/** One line for an injected fault: `injected compute-flip on A (compute ACT_OUT_0 bit 30 after stage 3)`. */
export function describeInjected(fault: FaultSpec): string {
  const bus = busText(fault);
  if (bus !== undefined) return `injected ${fault.kind} (${bus})`;
  const location = describeLocation(fault);
  if (!('channel' in fault)) return `injected ${fault.kind} (${location})`;
  const rest = location.startsWith(`${fault.channel} `) ? location.slice(fault.channel.length + 1) : location;
  return `injected ${fault.kind} on ${fault.channel} (${rest})`;
}
