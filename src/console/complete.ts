/**
 * Tab completion for the REPL (node:readline `completer`): given the line so far, the words
 * that may come next and the partial word they replace. Pure; bounded by the grammar.
 */
import { REGISTER_NAMES } from '../core/control/state.js';
import { CHANNEL_STATES, CHANNELS, COMMAND_WORDS, splitWords } from './parse.js';

const CHANNEL_FIRST = new Set(['upset', 'kill', 'hang', 'revive', 'scrub', 'clock', 'peek', 'poke', 'expect']);
const OPS = ['==', '!=', '<', '<=', '>', '>='];

/** What may stand at position `index` after `words` (the words before it). */
function choices(words: readonly string[], index: number): readonly string[] {
  const command = (words[0] ?? '').toLowerCase();
  if (index === 0) return COMMAND_WORDS;
  if (index === 1) {
    if (CHANNEL_FIRST.has(command)) return CHANNELS;
    if (command === 'flip') return [...CHANNELS, 'bus'];
    if (command === 'log') return ['start', 'stop'];
    if (command === 'help') return COMMAND_WORDS;
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
  const all = choices(words, words.length);
  const lower = partial.toLowerCase();
  const hits = all.filter((c) => c.toLowerCase().startsWith(lower));
  const withSpace = hits.map((h) => (hits.length === 1 ? `${h} ` : h));
  return [withSpace, partial];
}
