/**
 * Named adapter factories, as python-can has named interfaces. The registry is an instance
 * (no module-level mutable state): `defaultRegistry()` builds a fresh one holding the built-in
 * adapters ('emulated', 'serial', 'slcan', 'socketcan'); others can be registered on it. The
 * factory types live in ./adapter.ts, so adapters never import the registry.
 */
import { assert } from '../core/assert.js';
import { err, ok, type Result } from '../core/result.js';
import { EmulatedCanBus } from '../sim/emulated-can.js';
import type { AdapterFactory, AdapterOptions, OpenError } from './adapter.js';
import type { FrameBus } from './frame-bus.js';
import { openSerialAdapter } from './serial-line-bus.js';
import { openSlcanAdapter } from './slcan-bus.js';
import { openSocketCanAdapter } from './socketcan-bus.js';

export const ADAPTERS_MAX = 32;

export class AdapterRegistry {
  private readonly factories = new Map<string, AdapterFactory>();

  constructor(entries: Iterable<readonly [string, AdapterFactory]> = []) {
    for (const [name, factory] of entries) this.registerAdapter(name, factory);
  }

  /** Registering a name twice is a programmer error. */
  registerAdapter(name: string, factory: AdapterFactory): void {
    assert(/^[a-z][a-z0-9-]*$/.test(name), `adapter name '${name}' must be lower-case letters, digits, '-'`);
    assert(!this.factories.has(name), `adapter '${name}' already registered`);
    assert(this.factories.size < ADAPTERS_MAX, `at most ${ADAPTERS_MAX} adapters`);
    this.factories.set(name, factory);
  }

  listAdapters(): readonly string[] {
    return [...this.factories.keys()].sort();
  }

  openAdapter(name: string, options: AdapterOptions): Promise<Result<FrameBus, OpenError>> {
    const factory = this.factories.get(name);
    if (factory === undefined) return Promise.resolve(err({ code: 'unknown_adapter', name, known: this.listAdapters() }));
    return factory(options);
  }
}

/** 'emulated': attaches a node named `channel` to the EmulatedCanBus passed as `bus`. */
export const openEmulated: AdapterFactory = (options) => {
  const bus = options.bus;
  if (!(bus instanceof EmulatedCanBus)) return Promise.resolve(err({ code: 'bad_options', adapter: 'emulated', reason: 'option `bus` must be an EmulatedCanBus' }));
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(options.channel)) return Promise.resolve(err({ code: 'bad_options', adapter: 'emulated', reason: `bad channel name '${options.channel}'` }));
  try {
    return Promise.resolve(ok(bus.attach(options.channel)));
  } catch (error: unknown) {
    return Promise.resolve(err({ code: 'open_failed', adapter: 'emulated', message: error instanceof Error ? error.message : String(error) }));
  }
};

/** The built-in adapters, as a frozen list built from imports. */
export const BUILTIN_ADAPTERS: readonly (readonly [string, AdapterFactory])[] = Object.freeze([['emulated', openEmulated] as const, ['serial', openSerialAdapter] as const, ['slcan', openSlcanAdapter] as const, ['socketcan', openSocketCanAdapter] as const]);

export function defaultRegistry(): AdapterRegistry {
  return new AdapterRegistry(BUILTIN_ADAPTERS);
}

export function formatOpenError(error: OpenError): string {
  switch (error.code) {
    case 'unknown_adapter': return `unknown adapter '${error.name}' (known: ${error.known.join(', ')})`;
    case 'bad_options': return `${error.adapter}: ${error.reason}`;
    case 'open_failed': return `${error.adapter}: ${error.message}`;
  }
}

export type { AdapterFactory, AdapterOptions, OpenError } from './adapter.js';
