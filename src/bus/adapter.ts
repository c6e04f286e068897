/**
 * What a named bus adapter is (python-can's interface names): a factory that opens a FrameBus
 * from options, returning a typed error instead of throwing. The registry (./registry.ts)
 * holds factories by name; adapters implement this without knowing the registry.
 */
import type { Result } from '../core/result.js';
import type { FrameBus } from './frame-bus.js';

/** Options of one open: the channel name plus adapter-specific fields, validated by the factory. */
export interface AdapterOptions {
  readonly channel: string;
  readonly [key: string]: unknown;
}

export type OpenError =
  | { readonly code: 'unknown_adapter'; readonly name: string; readonly known: readonly string[] }
  | { readonly code: 'bad_options'; readonly adapter: string; readonly reason: string }
  | { readonly code: 'open_failed'; readonly adapter: string; readonly message: string };

export type AdapterFactory = (options: AdapterOptions) => Promise<Result<FrameBus, OpenError>>;

