// Types of eslint-rules/layers.js (the layer rules of docs/ARCHITECTURE.md) for the tests.
import type { ESLint } from 'eslint';

export declare const LAYERS: Record<string, { folders: string[]; files: string[] }>;
export declare function importSpecifiers(text: string): string[];
export declare function resolveSpecifier(fromFile: string, spec: string): string;
export declare function folderOf(srcRoot: string, file: string): string | undefined;
export declare function layerViolation(srcRoot: string, file: string, target: string): string | undefined;
export declare function findCycle(graph: ReadonlyMap<string, readonly string[]>, start: string): string[] | undefined;
export declare function srcGraph(srcRoot: string): Map<string, string[]>;
declare const plugin: ESLint.Plugin;
export default plugin;
