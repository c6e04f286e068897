/**
 * Tab completion for the REPL (node:readline `completer`): given the line so far, the words
 * that may come next and the partial word they replace. Pure; bounded by the grammar.
 */
import { REGISTER_NAMES } from '../core/control/state.js';
import { INJECT_KINDS, injectKeysOf, injectKindOf, injectValueChoices } from './inject.js';
import { CHANNEL_STATES, CHANNELS, COMMAND_WORDS, splitWords } from './parse.js';

const CHANNEL_FIRST = new Set(['upset', 'kill', 'hang', 'revive', 'scrub', 'clock', 'peek', 'poke', 'expect']);
const OPS = ['==', '!=', '<', '<=', '>', '>='];

/**
 * After `inject KIND`: the fields not given yet (`channel=`), or, once a word holds `key=`, the
 * names its value may take (`mode=skip`). `partial` is the word being typed.
 */
function injectChoices(words: readonly string[], partial: string): readonly string[] {
  const kind = injectKindOf(words[1] ?? '');
  if (kind === undefined) return [];
  const at = partial.indexOf('=');
  if (at > 0) {
    const key = partial.slice(0, at);
    return injectValueChoices(kind, key).map((v) => `${key}=${v}`);
  }
  const given = new Set(words.slice(2).map((w) => w.slice(0, Math.max(0, w.indexOf('=')))));
  return injectKeysOf(kind).filter((k) => !given.has(k)).map((k) => `${k}=`);
}

/** What may stand at position `index` after `words` (the words before it). */
function choices(words: readonly string[], index: number, partial: string): readonly string[] {
  const command = (words[0] ?? '').toLowerCase();
  if (index === 0) return COMMAND_WORDS;
  if (index === 1) {
    if (CHANNEL_FIRST.has(command)) return CHANNELS;
    if (command === 'flip') return [...CHANNELS, 'bus'];
    if (command === 'log') return ['start', 'stop'];
    if (command === 'help') return COMMAND_WORDS;
    if (command === 'inject') return INJECT_KINDS;
    return [];
  }
  const second = (words[2] ?? '').toLowerCase();
  switch (command) {
    case 'flip':
      if (index === 2) return (words[1] ?? '').toLowerCase() === 'bus' ? [] : ['mem', 'reg'];
      return index === 3 && second === 'reg' ? REGISTER_NAMES : [];
    case 'upset': return index === 2 ? ['off'] : [];
    case 'sensor': return index === 2 ? ['stuck', 'bias', 'ok'] : [];
    case 'clock': return index === 2 ? ['drift', 'jump'] : [];
    case 'inject': return injectChoices(words, partial);
    case 'expect':
      if (index === 2) return ['corrected', 'uncorrectable', 'state'];
      if (index === 3) return second === 'state' ? ['==', '!='] : OPS;
      return index === 4 && second === 'state' ? CHANNEL_STATES : [];
    default: return [];
  }
}

/** readline completer: `[matches, partialWord]`. */
export function completeLine(line: string): [string[], string] {
  const endsInSpace = line.length === 0 || /\s$/.test(line);
  const words = splitWords(line);
  const partial = endsInSpace ? '' : (words.pop() ?? '');
  const all = choices(words, words.length, partial);
  const lower = partial.toLowerCase();
  const hits = all.filter((c) => c.toLowerCase().startsWith(lower));
  // A lone `key=` waits for its value: no space after it.
  const withSpace = hits.map((h) => (hits.length === 1 && !h.endsWith('=') ? `${h} ` : h));
  return [withSpace, partial];
}
