/**
 * CRC models under their CRC RevEng catalogue names
 * (https://reveng.sourceforge.io/crc-catalogue/), with the catalogue's check and residue
 * values and its aliases. Every entry is verified by test/core/integrity/crc.test.ts.
 */
import { assert } from '../assert.js';
import { createCrc, type Crc, type CrcModel } from './crc.js';

export const CRC_CATALOGUE: readonly CrcModel[] = [
  { name: 'CRC-8/SAE-J1850', width: 8, poly: 0x1dn, init: 0xffn, refin: false, refout: false, xorout: 0xffn, check: 0x4bn, residue: 0xc4n },
  { name: 'CRC-8/AUTOSAR', width: 8, poly: 0x2fn, init: 0xffn, refin: false, refout: false, xorout: 0xffn, check: 0xdfn, residue: 0x42n },
  { name: 'CRC-8/SMBUS', width: 8, poly: 0x07n, init: 0x00n, refin: false, refout: false, xorout: 0x00n, check: 0xf4n, residue: 0x00n, aliases: ['CRC-8'] },
  { name: 'CRC-15/CAN', width: 15, poly: 0x4599n, init: 0x0000n, refin: false, refout: false, xorout: 0x0000n, check: 0x059en, residue: 0x0000n, aliases: ['CRC-15'] },
  {
    name: 'CRC-16/IBM-3740', width: 16, poly: 0x1021n, init: 0xffffn, refin: false, refout: false, xorout: 0x0000n, check: 0x29b1n, residue: 0x0000n,
    aliases: ['CRC-16/AUTOSAR', 'CRC-16/CCITT-FALSE'],
  },
  {
    name: 'CRC-16/ARC', width: 16, poly: 0x8005n, init: 0x0000n, refin: true, refout: true, xorout: 0x0000n, check: 0xbb3dn, residue: 0x0000n,
    aliases: ['ARC', 'CRC-16', 'CRC-16/LHA', 'CRC-IBM'],
  },
  {
    name: 'CRC-16/KERMIT', width: 16, poly: 0x1021n, init: 0x0000n, refin: true, refout: true, xorout: 0x0000n, check: 0x2189n, residue: 0x0000n,
    aliases: ['CRC-16/BLUETOOTH', 'CRC-16/CCITT', 'CRC-16/CCITT-TRUE', 'CRC-16/V-41-LSB', 'CRC-CCITT', 'KERMIT'],
  },
  { name: 'CRC-16/MODBUS', width: 16, poly: 0x8005n, init: 0xffffn, refin: true, refout: true, xorout: 0x0000n, check: 0x4b37n, residue: 0x0000n, aliases: ['MODBUS'] },
  {
    name: 'CRC-16/XMODEM', width: 16, poly: 0x1021n, init: 0x0000n, refin: false, refout: false, xorout: 0x0000n, check: 0x31c3n, residue: 0x0000n,
    aliases: ['CRC-16/ACORN', 'CRC-16/LTE', 'CRC-16/V-41-MSB', 'XMODEM', 'ZMODEM'],
  },
  {
    name: 'CRC-32/ISO-HDLC', width: 32, poly: 0x04c11db7n, init: 0xffffffffn, refin: true, refout: true, xorout: 0xffffffffn, check: 0xcbf43926n, residue: 0xdebb20e3n,
    aliases: ['CRC-32', 'CRC-32/ADCCP', 'CRC-32/V-42', 'CRC-32/XZ', 'PKZIP'],
  },
  {
    name: 'CRC-32/ISCSI', width: 32, poly: 0x1edc6f41n, init: 0xffffffffn, refin: true, refout: true, xorout: 0xffffffffn, check: 0xe3069283n, residue: 0xb798b438n,
    aliases: ['CRC-32/BASE91-C', 'CRC-32/CASTAGNOLI', 'CRC-32/INTERLAKEN', 'CRC-32C', 'CRC-32/NVME'],
  },
  { name: 'CRC-32/AUTOSAR', width: 32, poly: 0xf4acfb13n, init: 0xffffffffn, refin: true, refout: true, xorout: 0xffffffffn, check: 0x1697d06an, residue: 0x904cddbfn },
  {
    name: 'CRC-32/BZIP2', width: 32, poly: 0x04c11db7n, init: 0xffffffffn, refin: false, refout: false, xorout: 0xffffffffn, check: 0xfc891918n, residue: 0xc704dd7bn,
    aliases: ['CRC-32/AAL5', 'CRC-32/DECT-B', 'B-CRC-32'],
  },
  { name: 'CRC-32/MPEG-2', width: 32, poly: 0x04c11db7n, init: 0xffffffffn, refin: false, refout: false, xorout: 0x00000000n, check: 0x0376e6e7n, residue: 0x00000000n },
  {
    name: 'CRC-64/XZ', width: 64, poly: 0x42f0e1eba9ea3693n, init: 0xffffffffffffffffn, refin: true, refout: true, xorout: 0xffffffffffffffffn,
    check: 0x995dc9bbdf1939fan, residue: 0x49958c9abd7d353fn, aliases: ['CRC-64/GO-ECMA'],
  },
  {
    name: 'CRC-64/ECMA-182', width: 64, poly: 0x42f0e1eba9ea3693n, init: 0x0000000000000000n, refin: false, refout: false, xorout: 0x0000000000000000n,
    check: 0x6c40df5f0b497347n, residue: 0x0000000000000000n, aliases: ['CRC-64'],
  },
];

function key(name: string): string {
  return name.trim().toUpperCase();
}

/** Catalogue name or alias (upper case) → model. Built once; the catalogue is constant. */
const BY_NAME: ReadonlyMap<string, CrcModel> = new Map(
  CRC_CATALOGUE.flatMap((model) => [model.name, ...(model.aliases ?? [])].map((name) => [key(name), model] as const)),
);
assert(BY_NAME.size === CRC_CATALOGUE.reduce((n, m) => n + 1 + (m.aliases?.length ?? 0), 0), 'crc catalogue: duplicate name or alias');

/**
 * Engines built so far, by catalogue name. A cache of immutable, deterministic engines (the
 * tables are a pure function of the model), so sharing it does not make runs depend on order.
 */
const ENGINES = new Map<string, Crc>();

/** The model for a catalogue name or alias, case-insensitive. */
export function findCrcModel(name: string): CrcModel | undefined {
  return BY_NAME.get(key(name));
}

/** The engine for a catalogue name or alias, case-insensitive; undefined if unknown. */
export function findCrc(name: string): Crc | undefined {
  const model = findCrcModel(name);
  if (model === undefined) return undefined;
  let engine = ENGINES.get(model.name);
  if (engine === undefined) {
    engine = createCrc(model);
    ENGINES.set(model.name, engine);
  }
  return engine;
}

/** The engine for a name the caller knows is in the catalogue (asserts). */
export function getCrc(name: string): Crc {
  const engine = findCrc(name);
  assert(engine !== undefined, `getCrc: '${name}' is not in the CRC catalogue`);
  return engine;
}

/** Every accepted name (catalogue names and aliases) in catalogue order. */
export function crcNames(): readonly string[] {
  return CRC_CATALOGUE.flatMap((model) => [model.name, ...(model.aliases ?? [])]);
}

const SUGGEST_DISTANCE_MAX = 4;

/** The accepted name nearest to `name` by edit distance (case-insensitive), if any is close. */
export function suggestCrcName(name: string): string | undefined {
  const wanted = key(name);
  let best: string | undefined;
  let bestDistance = SUGGEST_DISTANCE_MAX + 1;
  for (const candidate of crcNames()) {
    const distance = editDistance(wanted, key(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance; inputs are short names, so the O(n·m) table is small. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitute));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
