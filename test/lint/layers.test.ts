// The layer rules of docs/ARCHITECTURE.md (eslint-rules/layers.js): each check has a case it must flag.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import triplex, { findCycle, importSpecifiers, layerViolation, srcGraph } from '../../eslint-rules/layers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const src = (rel: string): string => join(SRC, rel);

function lint(rel: string, text: string): string[] {
  const linter = new Linter({ cwd: ROOT });
  const config = [{ files: ['**/*.ts'], plugins: { triplex }, rules: { 'triplex/layers': 'error' as const } }];
  return linter.verify(text, config, { filename: src(rel) }).map((m) => m.message);
}

describe('triplex/layers', () => {
  it('flags an upward import (core → cli, sim → hil, console → cli, bench → cli)', () => {
    expect(lint('core/probe.ts', "import { main } from '../cli/main.js';\n")[0]).toMatch(/src\/core\/ may not import src\/cli\/main\.ts/);
    expect(lint('sim/probe.ts', "import { startRig } from '../hil/bridge.js';\n")).toHaveLength(1);
    expect(lint('console/probe.ts', "import { EXIT_OK } from '../cli/errors.js';\n")).toHaveLength(1);
    expect(lint('bench/probe.ts', "const m = await import('../cli/main.js');\n")).toHaveLength(1);
  });

  it('counts type-only imports and re-exports as dependencies', () => {
    expect(lint('sim/probe.ts', "export { x } from '../io/loaders.js';\n")).toHaveLength(1);
    expect(importSpecifiers("import type { A } from './a.js';\nexport * from '../b.js';\nimport './c.js';\nconst d = import('./d.js');\n// import('./e.js')\n/* import { f } from './f.js'; */")).toEqual(['./a.js', '../b.js', './c.js', './d.js']);
  });

  it('allows downward imports and the one named file (sim → bus/frame-bus.ts only)', () => {
    expect(lint('cli/probe.ts', "import { Flight } from '../sim/flight.js';\nimport { x } from '../core/result.js';\n")).toEqual([]);
    expect(layerViolation(SRC, src('sim/x.ts'), src('bus/frame-bus.ts'))).toBeUndefined();
    expect(layerViolation(SRC, src('sim/x.ts'), src('bus/registry.ts'))).toMatch(/may not import src\/bus\/registry\.ts/);
    expect(layerViolation(SRC, src('nowhere/x.ts'), src('core/a.ts'))).toMatch(/not a known layer/);
  });
});

describe('triplex/no-cycle', () => {
  it('finds a cycle through the start file and prints it; none in a tree', () => {
    const graph = new Map([['a', ['b']], ['b', ['c', 'd']], ['c', ['a']], ['d', []]]);
    expect(findCycle(graph, 'a')).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(graph, 'd')).toBeUndefined();
    expect(findCycle(new Map([['x', ['x']]]), 'x')).toEqual(['x', 'x']);
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['b']]]), 'a')).toBeUndefined();
  });

  it('the source tree has no cycle, and every import resolves to a file of src/', () => {
    const graph = srcGraph(SRC);
    expect(graph.size).toBeGreaterThan(100);
    for (const [file, targets] of graph) {
      expect(findCycle(graph, file), file).toBeUndefined();
      for (const t of targets) expect(graph.has(t), `${file} imports ${t}`).toBe(true);
    }
  });
});
