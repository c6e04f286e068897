/**
 * Options shared by the commands that serve or reach a console (`triplex console`, `triplex
 * hil`): the console token, HOST:PORT, and the remote-console server of a running rig.
 */
import { readFileSync } from 'node:fs';
import { parseInteger } from './args.js';
import { UsageError } from './errors.js';
import { ConsoleServer } from '../console/remote.js';
import type { RigControl } from '../console/rig-control.js';
import { ConsoleSession } from '../console/session.js';

/** The console token: --token-file, else TRIPLEX_CONSOLE_TOKEN, else none. */
export function readToken(path: string | undefined): Uint8Array | undefined {
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error: unknown) {
      throw new UsageError(`cannot read token file ${path}: ${(error as { code?: string }).code ?? 'error'}`);
    }
    const token = text.trim();
    if (token.length === 0) throw new UsageError(`token file ${path} is empty`);
    return new TextEncoder().encode(token);
  }
  const env = process.env.TRIPLEX_CONSOLE_TOKEN;
  return env === undefined || env.length === 0 ? undefined : new TextEncoder().encode(env);
}

export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(text);
  if (match === null) throw new UsageError(`--connect must be HOST:PORT, got '${text}'`);
  const port = parseInteger('connect', match[2], 1, 65_535);
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

/** Starts the console server for a running rig, if asked. */
export async function listenForConsoles(control: RigControl, rigName: string, port: string | undefined, host: string | undefined, token: Uint8Array | undefined): Promise<ConsoleServer | undefined> {
  if (port === undefined) return undefined;
  const listened = await ConsoleServer.listen({
    host: host ?? '127.0.0.1', port: parseInteger('console-port', port, 0, 65_535), token, rigName,
    session: () => new ConsoleSession(control),
  });
  if (!listened.ok) throw new UsageError(listened.error.message);
  return listened.value;
}

