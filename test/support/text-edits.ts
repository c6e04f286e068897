/**
 * Character-level mutations of known-good text lines, for fuzzing text decoders near their
 * grammar (a random string almost never gets past the first field; an edited valid line does).
 */
import fc from 'fast-check';

/** `duplicate` copies up to 8 characters at the position in place (a repeated field or separator). */
export type TextEditKind = 'replace' | 'insert' | 'delete' | 'duplicate';

/** Where (taken modulo the text's length), what, and the character for replace/insert. */
export type TextEdit = readonly [where: number, kind: TextEditKind, ch: string];

const EDITS_MAX = 4;

/** One to four edits drawn from `kinds`, with characters from `alphabet`. */
export function textEditsArb(alphabet: string, kinds: readonly TextEditKind[]): fc.Arbitrary<TextEdit[]> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom(...kinds), fc.constantFrom(...Array.from(alphabet)));
  return fc.array(edit, { minLength: 1, maxLength: EDITS_MAX });
}

export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const [where, kind, ch] of edits) {
    const at = out.length === 0 ? 0 : where % out.length;
    switch (kind) {
      case 'replace': out = out.slice(0, at) + ch + out.slice(at + 1); break;
      case 'insert': out = out.slice(0, at) + ch + out.slice(at); break;
      case 'delete': out = out.slice(0, at) + out.slice(at + 1); break;
      case 'duplicate': out = out.slice(0, at) + out.slice(at, at + 8) + out.slice(at); break;
    }
  }
  return out;
}
