// @ts-check
/**
 * Triplex's layer rules as an ESLint plugin (docs/ARCHITECTURE.md, "Layers"):
 *
 *   triplex/layers    a file in src/<folder>/ imports only from the folders its layer may use
 *                     (LAYERS below); `import type` counts, since a type names a dependency too.
 *   triplex/no-cycle  no import cycle among the files of src/ (static, type-only and dynamic
 *                     imports alike); the message prints the cycle.
 *
 * Imports are read with a small scanner of `import … from '…'`, `export … from '…'`,
 * `import '…'` and `import('…')` with relative specifiers (the only kind Triplex uses between
 * its own files); `./x.js` resolves to `./x.ts`. The graph of src/ is built once per lint run.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** What each folder of src/ may import (besides itself). `files` are single files allowed beyond the folders. */
/** @type {Record<string, { folders: string[], files: string[] }>} */
export const LAYERS = {
  core: { folders: ['core'], files: [] },
  sim: { folders: ['core', 'sim'], files: ['bus/frame-bus.ts'] },
  io: { folders: ['core', 'sim', 'io'], files: [] },
  bus: { folders: ['core', 'sim', 'io', 'bus'], files: [] },
  campaign: { folders: ['core', 'sim', 'io', 'campaign'], files: [] },
  hil: { folders: ['core', 'sim', 'io', 'bus', 'hil'], files: [] },
  console: { folders: ['core', 'sim', 'io', 'bus', 'hil', 'console'], files: [] },
  cli: { folders: ['core', 'sim', 'io', 'bus', 'campaign', 'hil', 'console', 'cli'], files: [] },
  bench: { folders: ['core', 'sim', 'io', 'bus', 'campaign', 'hil', 'console', 'bench'], files: [] },
};

const IMPORT_PATTERNS = [
  /\b(?:import|export)\s[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
];
/** Most files the graph walks (a bound on a runaway tree). */
const FILES_MAX = 5000;

/**
 * Relative specifiers imported by `text`, in order of appearance.
 * @param {string} text
 * @returns {string[]}
 */
export function importSpecifiers(text) {
  // Comments out: an example in a comment is not an import. (A `//` inside a string only cuts that line.)
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  /** @type {{ index: number, spec: string }[]} */
  const found = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of code.matchAll(pattern)) found.push({ index: match.index, spec: match[1] ?? '' });
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.spec);
}

/**
 * The file a relative specifier of `fromFile` names (`.js` → `.ts`).
 * @param {string} fromFile
 * @param {string} spec
 * @returns {string}
 */
export function resolveSpecifier(fromFile, spec) {
  const target = path.resolve(path.dirname(fromFile), spec);
  return target.endsWith('.js') ? `${target.slice(0, -3)}.ts` : target;
}

/**
 * `src/<folder>/…` → folder, or undefined for files outside src/.
 * @param {string} srcRoot
 * @param {string} file
 * @returns {string | undefined}
 */
export function folderOf(srcRoot, file) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [first, ...rest] = rel.split(path.sep);
  return rest.length === 0 ? undefined : first;
}

/**
 * Why `file` may not import `target` (undefined: allowed).
 * @param {string} srcRoot
 * @param {string} file
 * @param {string} target
 * @returns {string | undefined}
 */
export function layerViolation(srcRoot, file, target) {
  const from = folderOf(srcRoot, file);
  const to = folderOf(srcRoot, target);
  if (from === undefined || to === undefined) return undefined;
  /** @type {{ folders: string[], files: string[] } | undefined} */
  const layer = Object.hasOwn(LAYERS, from) ? LAYERS[/** @type {keyof typeof LAYERS} */ (from)] : undefined;
  if (layer === undefined) return `src/${from}/ is not a known layer (add it to eslint-rules/layers.js)`;
  if (layer.folders.includes(to)) return undefined;
  const rel = path.relative(srcRoot, target).split(path.sep).join('/');
  if (layer.files.includes(rel)) return undefined;
  return `src/${from}/ may not import src/${rel} (${from} may use: ${[...layer.folders, ...layer.files].join(', ')})`;
}

/**
 * The first cycle through `start` in `graph` (file → imported files), as the list of files
 * from `start` back to `start`, or undefined. Iterative depth-first search, bounded by the
 * graph's size.
 * @param {ReadonlyMap<string, readonly string[]>} graph
 * @param {string} start
 * @returns {string[] | undefined}
 */
export function findCycle(graph, start) {
  /** @type {Map<string, string | undefined>} */
  const parent = new Map([[start, undefined]]);
  /** @type {{ node: string, next: number }[]} */
  const stack = [{ node: start, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    const edges = graph.get(top.node) ?? [];
    if (top.next >= edges.length) { stack.pop(); continue; }
    const child = edges[top.next++] ?? '';
    if (child === start) {
      const cycle = [start];
      for (const frame of stack.slice(1)) cycle.push(frame.node);
      cycle.push(start);
      return cycle;
    }
    if (parent.has(child)) continue;
    parent.set(child, top.node);
    stack.push({ node: child, next: 0 });
  }
  return undefined;
}

/**
 * @param {string} dir
 * @param {string[]} out
 */
function listTs(dir, out) {
  for (const name of readdirSync(dir)) {
    if (out.length >= FILES_MAX) return;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) listTs(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
}

/** @type {Map<string, Map<string, string[]>>} */
const graphs = new Map();

/**
 * The import graph of every .ts file under `srcRoot` (built once per lint run).
 * @param {string} srcRoot
 * @returns {Map<string, string[]>}
 */
export function srcGraph(srcRoot) {
  const cached = graphs.get(srcRoot);
  if (cached !== undefined) return cached;
  /** @type {string[]} */
  const files = [];
  listTs(srcRoot, files);
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const file of files) graph.set(file, importSpecifiers(readFileSync(file, 'utf8')).map((s) => resolveSpecifier(file, s)));
  graphs.set(srcRoot, graph);
  return graph;
}

/**
 * @param {import('eslint').Rule.RuleContext} context
 * @returns {string}
 */
function srcRootOf(context) {
  return path.join(context.cwd, 'src');
}

/** @type {import('eslint').Rule.RuleModule} */
const layers = {
  meta: { type: 'problem', docs: { description: 'imports follow the layers of docs/ARCHITECTURE.md' }, schema: [] },
  create(context) {
    const srcRoot = srcRootOf(context);
    const file = context.filename;
    return {
      Program(node) {
        for (const spec of importSpecifiers(context.sourceCode.getText())) {
          const why = layerViolation(srcRoot, file, resolveSpecifier(file, spec));
          if (why !== undefined) context.report({ node, message: `layer: '${spec}': ${why}` });
        }
      },
    };
  },
};

/** @type {import('eslint').Rule.RuleModule} */
const noCycle = {
  meta: { type: 'problem', docs: { description: 'no import cycles in src/' }, schema: [] },
  create(context) {
    const srcRoot = srcRootOf(context);
    const file = context.filename;
    return {
      Program(node) {
        if (folderOf(srcRoot, file) === undefined) return;
        const cycle = findCycle(srcGraph(srcRoot), file);
        if (cycle !== undefined) context.report({ node, message: `import cycle: ${cycle.map((f) => path.relative(srcRoot, f)).join(' → ')}` });
      },
    };
  },
};

export default { meta: { name: 'triplex' }, rules: { layers, 'no-cycle': noCycle } };
